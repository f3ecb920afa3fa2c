// Copyright 2026 the handoff authors. MIT license.
// The scan page's perspective correction: a projective warp of the quad the
// person marked onto an upright rectangle. The functions are self-contained
// (no imports, no outer names) because the page embeds their source
// (`Function.prototype.toString`); tests/stub/warp_test.ts runs them here.

/** Four corners `[x, y]`, in order top-left, top-right, bottom-right, bottom-left. */
export type Quad = readonly (readonly [number, number])[];

/**
 * The homography taking the unit square onto `quad` (Heckbert's square to
 * quadrilateral): `(u, v)` maps to `((a·u + b·v + c) / w, (d·u + e·v + f) / w)`
 * with `w = g·u + h·v + 1`, so `(0,0)`, `(1,0)`, `(1,1)`, `(0,1)` land on the
 * corners in order.
 *
 * @returns `[a, b, c, d, e, f, g, h]`.
 * @throws {RangeError} when three corners are on one line.
 */
export function squareToQuad(quad: Quad): number[] {
  const [x0, y0] = quad[0] ?? [0, 0];
  const [x1, y1] = quad[1] ?? [0, 0];
  const [x2, y2] = quad[2] ?? [0, 0];
  const [x3, y3] = quad[3] ?? [0, 0];
  const sx = x0 - x1 + x2 - x3;
  const sy = y0 - y1 + y2 - y3;
  if (Math.abs(sx) < 1e-9 && Math.abs(sy) < 1e-9) {
    // A parallelogram: the map is affine.
    return [x1 - x0, x3 - x0, x0, y1 - y0, y3 - y0, y0, 0, 0];
  }
  const dx1 = x1 - x2, dx2 = x3 - x2, dy1 = y1 - y2, dy2 = y3 - y2;
  const det = dx1 * dy2 - dx2 * dy1;
  if (Math.abs(det) < 1e-9) throw new RangeError("degenerate quadrilateral");
  const g = (sx * dy2 - dx2 * sy) / det;
  const h = (dx1 * sy - sx * dy1) / det;
  return [
    x1 - x0 + g * x1,
    x3 - x0 + h * x3,
    x0,
    y1 - y0 + g * y1,
    y3 - y0 + h * y3,
    y0,
    g,
    h,
  ];
}

/**
 * Whether `quad` is a convex quadrilateral with its corners in order (either
 * turning direction), so the warp is well defined.
 */
export function isConvexQuad(quad: Quad): boolean {
  if (quad.length !== 4) return false;
  let sign = 0;
  for (let i = 0; i < 4; i++) {
    const [ax, ay] = quad[i] ?? [0, 0];
    const [bx, by] = quad[(i + 1) % 4] ?? [0, 0];
    const [cx, cy] = quad[(i + 2) % 4] ?? [0, 0];
    const cross = (bx - ax) * (cy - by) - (by - ay) * (cx - bx);
    if (Math.abs(cross) < 1e-6) return false;
    const s = cross > 0 ? 1 : -1;
    if (sign !== 0 && s !== sign) return false;
    sign = s;
  }
  return true;
}

/**
 * The size of the corrected page: the longer of each pair of opposite sides,
 * scaled down so neither side exceeds `maxSide`.
 *
 * @returns `[width, height]`, each at least 1.
 */
export function warpSize(quad: Quad, maxSide: number): [number, number] {
  const length = (i: number, j: number) => {
    const [ax, ay] = quad[i] ?? [0, 0];
    const [bx, by] = quad[j] ?? [0, 0];
    return Math.hypot(bx - ax, by - ay);
  };
  let width = Math.max(length(0, 1), length(3, 2));
  let height = Math.max(length(0, 3), length(1, 2));
  const scale = Math.min(1, maxSide / Math.max(width, height, 1));
  width = Math.max(1, Math.round(width * scale));
  height = Math.max(1, Math.round(height * scale));
  return [width, height];
}

/**
 * Warp the part of an RGBA image inside `quad` onto a `width` x `height`
 * rectangle: each output pixel centre is mapped through the homography and
 * sampled bilinearly (edges clamped). Coordinates are in source pixels, `0`
 * being the left/top edge of the image.
 *
 * @param src The source pixels, RGBA, row by row (`ImageData.data`).
 * @param srcWidth The source width in pixels.
 * @param srcHeight The source height in pixels.
 * @param homography What {@linkcode squareToQuad} gave for the quad.
 * @param width The output width.
 * @param height The output height.
 * @returns The output pixels, RGBA, opaque.
 */
export function warpPerspective(
  src: ArrayLike<number>,
  srcWidth: number,
  srcHeight: number,
  homography: readonly number[],
  width: number,
  height: number,
): Uint8ClampedArray {
  const [a = 1, b = 0, c = 0, d = 0, e = 1, f = 0, g = 0, h = 0] = homography;
  const out = new Uint8ClampedArray(width * height * 4);
  const maxX = srcWidth - 1, maxY = srcHeight - 1;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const v = (y + 0.5) / height;
    for (let x = 0; x < width; x++) {
      const u = (x + 0.5) / width;
      const w = g * u + h * v + 1;
      // Source position, shifted so that integer values are pixel centres.
      let sx = (a * u + b * v + c) / w - 0.5;
      let sy = (d * u + e * v + f) / w - 0.5;
      sx = sx < 0 ? 0 : sx > maxX ? maxX : sx;
      sy = sy < 0 ? 0 : sy > maxY ? maxY : sy;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const x1 = x0 < maxX ? x0 + 1 : x0, y1 = y0 < maxY ? y0 + 1 : y0;
      const fx = sx - x0, fy = sy - y0;
      const p00 = (y0 * srcWidth + x0) * 4, p10 = (y0 * srcWidth + x1) * 4;
      const p01 = (y1 * srcWidth + x0) * 4, p11 = (y1 * srcWidth + x1) * 4;
      for (let k = 0; k < 3; k++) {
        const top = (src[p00 + k] ?? 0) * (1 - fx) + (src[p10 + k] ?? 0) * fx;
        const bottom = (src[p01 + k] ?? 0) * (1 - fx) +
          (src[p11 + k] ?? 0) * fx;
        out[o + k] = top * (1 - fy) + bottom * fy;
      }
      out[o + 3] = 255;
      o += 4;
    }
  }
  return out;
}

/**
 * The functions above as script for the scan page, each bound to its own
 * name (whatever a bundler renamed it to here).
 */
export function warpScript(): string {
  const functions: Record<string, (...args: never[]) => unknown> = {
    squareToQuad,
    isConvexQuad,
    warpSize,
    warpPerspective,
  };
  return Object.entries(functions)
    .map(([name, fn]) => `const ${name} = (${fn.toString()});`)
    .join("\n");
}
