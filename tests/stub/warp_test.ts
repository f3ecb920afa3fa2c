// Copyright 2026 the handoff authors. MIT license.
// The scan page's perspective correction (stub/warp.ts), run here in Deno:
// the same functions the page embeds.

import assert from "node:assert/strict";
import {
  isConvexQuad,
  type Quad,
  squareToQuad,
  warpPerspective,
  warpScript,
  warpSize,
} from "../../stub/warp.ts";

function apply(hm: readonly number[], u: number, v: number): [number, number] {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0] = hm;
  const w = g * u + h * v + 1;
  return [(a * u + b * v + c) / w, (d * u + e * v + f) / w];
}

/** The inverse of a 3x3 homography given as [a..h] (i = 1). */
function invert(
  hm: readonly number[],
): (x: number, y: number) => [number, number] {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0] = hm;
  // Rows: [a b c; d e f; g h 1]. Adjugate.
  const m = [
    e - f * h,
    c * h - b,
    b * f - c * e,
    f * g - d,
    a - c * g,
    c * d - a * f,
    d * h - e * g,
    b * g - a * h,
    a * e - b * d,
  ] as const;
  return (x, y) => {
    const w = m[6] * x + m[7] * y + m[8];
    return [(m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w];
  };
}

const TILTED: Quad = [[30, 12], [170, 30], [150, 140], [12, 118]];

Deno.test("squareToQuad maps the unit square's corners onto the quad, in order", () => {
  for (
    const quad of [
      TILTED,
      [[0, 0], [10, 0], [10, 5], [0, 5]], // a rectangle: affine
      [[5, 0], [15, 2], [12, 9], [2, 7]], // a parallelogram: affine
    ] as Quad[]
  ) {
    const hm = squareToQuad(quad);
    const corners = [[0, 0], [1, 0], [1, 1], [0, 1]] as const;
    corners.forEach(([u, v], i) => {
      const [x, y] = apply(hm, u, v);
      const [ex, ey] = quad[i]!;
      assert.ok(
        Math.abs(x - ex) < 1e-9 && Math.abs(y - ey) < 1e-9,
        `${i}: ${x},${y}`,
      );
    });
  }
});

Deno.test("squareToQuad refuses corners 1, 2 and 3 on one line", () => {
  assert.throws(
    () => squareToQuad([[0, 0], [10, 0], [5, 5], [0, 10]]),
    RangeError,
  );
});

Deno.test("isConvexQuad accepts convex quads either way round and refuses crossed or flat ones", () => {
  assert.equal(isConvexQuad(TILTED), true);
  assert.equal(isConvexQuad([...TILTED].reverse()), true);
  assert.equal(isConvexQuad([[0, 0], [10, 0], [0, 10], [10, 10]]), false); // crossed
  assert.equal(isConvexQuad([[0, 0], [10, 0], [2, 2], [0, 10]]), false); // a dent
  assert.equal(isConvexQuad([[0, 0], [5, 0], [10, 0], [0, 10]]), false); // flat
});

Deno.test("warpSize takes the longer of opposite sides and caps the longer side", () => {
  assert.deepEqual(warpSize([[0, 0], [64, 0], [64, 48], [0, 48]], 2000), [
    64,
    48,
  ]);
  // top 40, bottom 64; left hypot(10, 48) = 49.03, right hypot(14, 48) = 50
  assert.deepEqual(warpSize([[10, 0], [50, 0], [64, 48], [0, 48]], 2000), [
    64,
    50,
  ]);
  assert.deepEqual(
    warpSize([[0, 0], [4000, 0], [4000, 3000], [0, 3000]], 2000),
    [2000, 1500],
  );
});

Deno.test("warpPerspective with the whole image as the quad gives the image back", () => {
  const w = 7, h = 5;
  const src = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    src.set([i * 7, 255 - i * 3, i % 2 ? 200 : 10, 255], i * 4);
  }
  const out = warpPerspective(
    src,
    w,
    h,
    squareToQuad([[0, 0], [w, 0], [w, h], [0, h]]),
    w,
    h,
  );
  assert.deepEqual(out, src);
});

Deno.test("warpPerspective straightens a checkerboard photographed at an angle", () => {
  // A 200x160 "photo" of a 4x4 checkerboard seen in perspective: each source
  // pixel takes the colour of the board point the inverse map gives.
  const sw = 200, sh = 160, cells = 4;
  const hm = squareToQuad(TILTED);
  const toBoard = invert(hm);
  const checker = (u: number, v: number) =>
    (Math.floor(u * cells) + Math.floor(v * cells)) % 2 === 0 ? 0 : 255;
  const src = new Uint8ClampedArray(sw * sh * 4);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      const [u, v] = toBoard(x + 0.5, y + 0.5);
      const inside = u >= 0 && u <= 1 && v >= 0 && v <= 1;
      const c = inside ? checker(u, v) : 128;
      src.set([c, c, c, 255], (y * sw + x) * 4);
    }
  }
  const [ow, oh] = warpSize(TILTED, 2000);
  const out = warpPerspective(src, sw, sh, hm, ow, oh);
  // Away from the cell edges every output pixel is the board's colour.
  let checked = 0, wrong = 0;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const u = (x + 0.5) / ow, v = (y + 0.5) / oh;
      const fu = (u * cells) % 1, fv = (v * cells) % 1;
      if (fu < 0.1 || fu > 0.9 || fv < 0.1 || fv > 0.9) continue;
      checked++;
      if (Math.abs((out[(y * ow + x) * 4] ?? -1) - checker(u, v)) > 40) wrong++;
    }
  }
  assert.ok(checked > ow * oh / 2, `checked ${checked}`);
  assert.equal(wrong, 0, `${wrong} of ${checked} pixels off`);
  // Every output pixel is opaque.
  for (let i = 3; i < out.length; i += 4) assert.equal(out[i], 255);
});

Deno.test("warpScript defines each function under its own name, runnable on its own", () => {
  const run = new Function(
    `${warpScript()}\nreturn warpSize([[0,0],[8,0],[8,6],[0,6]], 4).join("x") + " " + isConvexQuad([[0,0],[1,0],[1,1],[0,1]]) + " " + typeof warpPerspective + " " + squareToQuad([[0,0],[1,0],[1,1],[0,1]]).join(",");`,
  );
  assert.equal(run(), "4x3 true function 1,0,0,0,1,0,0,0");
});
