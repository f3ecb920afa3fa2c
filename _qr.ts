// Copyright 2026 the handoff authors. MIT license.
// QR codes: the module matrix from `qrcode`'s pure-JS core (loaded the first
// time a code is asked for), drawn as PNG or SVG with web standards only, so
// it works in every runtime (no canvas, no Node streams or zlib).

import { encodeBase64 } from "./_base64.ts";
import { deflateRows } from "./_deflate.ts";
import { HandoffError } from "./errors.ts";
import type { QrCodeOptions } from "./types.ts";

/** The square matrix of a QR code: `dark[row * size + col]`. */
export interface QrMatrix {
  readonly size: number;
  readonly dark: ArrayLike<number | boolean>;
}

interface QrCore {
  create(
    text: string,
    options: { errorCorrectionLevel: string },
  ): { modules: { size: number; data: ArrayLike<number | boolean> } };
}

/** The package QR codes are drawn with; the version `deno.json` maps `qrcode` to. */
export const QRCODE_PACKAGE = "qrcode@1.5.4";

/** Loads `qrcode`'s core module (a parameter, so tests can make it fail). */
export type QrImporter = () => Promise<unknown>;

/** The import the library makes: resolved through `deno.json`'s `qrcode` entry. */
const importQrcode: QrImporter = () => import("qrcode/lib/core/qrcode.js");

let core: Promise<QrCore> | undefined;

/**
 * `qrcode`'s core, loaded the first time it is asked for (and again after a
 * failed load). A failure is a {@linkcode HandoffError} that names the
 * package, why it could not be loaded and how to fix that.
 */
function loadQrCore(
  importer: QrImporter = importQrcode,
): Promise<QrCore> {
  const load = () =>
    importer().then(
      (mod) => ((mod as { default?: unknown }).default ?? mod) as QrCore,
      (error: unknown) => {
        throw new HandoffError(qrLoadMessage(error), { cause: error });
      },
    );
  if (importer !== importQrcode) return load();
  core ??= load().catch((error: unknown) => {
    core = undefined;
    throw error;
  });
  return core;
}

/** Which package, why it did not load, and how to fix it. */
function qrLoadMessage(error: unknown): string {
  return `Could not load the ${QRCODE_PACKAGE} package that draws QR codes (${
    reasonOf(error)
  }). In Deno with a package.json or "nodeModulesDir": "manual", install it: \`npm install ${QRCODE_PACKAGE}\` (or add it to package.json and run \`deno install\`). With a bundler, include \`qrcode\` in the bundle, or mark it external and install ${QRCODE_PACKAGE} where the bundle runs. Or draw the QR code from session.url with any other QR library.`;
}

/**
 * The first line of the first cause's message, without credentials or
 * tokens in URLs and cut to a readable length.
 */
function reasonOf(error: unknown): string {
  const message = error instanceof Object
    ? (error as { message?: unknown }).message
    : error;
  const raw = typeof message === "string" ? message : "";
  const line = raw.split("\n", 1)[0]!.trim()
    .replace(/\/\/[^/\s@]*@/g, "//[redacted]@")
    .replace(
      /([?&][^=&\s]*(?:token|key|secret|password|auth)[^=&\s]*=)[^&\s]*/gi,
      "$1[redacted]",
    );
  if (line === "") return "the import failed without a message";
  return line.length > 400 ? line.slice(0, 400) + "…" : line;
}

/** Validate QR options up front; returns them with defaults applied. */
export function qrOptions(options: QrCodeOptions): Required<QrCodeOptions> {
  if (
    typeof options !== "object" || options === null || Array.isArray(options)
  ) {
    throw new TypeError(
      `qrCode() takes an options object, got ${
        options === null
          ? "null"
          : Array.isArray(options)
          ? "an array"
          : typeof options
      }`,
    );
  }
  const { format = "png", size = 256, errorCorrection = "M", margin = 4 } =
    options;
  if (format !== "png" && format !== "svg") {
    throw new TypeError(
      `qrCode() format must be "png" or "svg", got ${JSON.stringify(format)}`,
    );
  }
  if (!Number.isInteger(size) || size < 21 || size > 4096) {
    throw new RangeError(
      `qrCode() size must be a whole number of pixels from 21 to 4096, got ${size}`,
    );
  }
  if (!["L", "M", "Q", "H"].includes(errorCorrection)) {
    throw new TypeError(
      `qrCode() errorCorrection must be "L", "M", "Q" or "H", got ${
        JSON.stringify(errorCorrection)
      }`,
    );
  }
  if (!Number.isInteger(margin) || margin < 0 || margin > 64) {
    throw new RangeError(
      `qrCode() margin must be a whole number from 0 to 64, got ${margin}`,
    );
  }
  return { format, size, errorCorrection, margin };
}

/**
 * Render `text` as a PNG data URL or an SVG document.
 *
 * @param importer Loads `qrcode`'s core; the library's own import unless a
 *   test gives another.
 */
export async function renderQr(
  text: string,
  options: Required<QrCodeOptions>,
  importer?: QrImporter,
): Promise<string> {
  const qr = await loadQrCore(importer);
  let matrix: QrMatrix;
  try {
    const { modules } = qr.create(text, {
      errorCorrectionLevel: options.errorCorrection,
    });
    matrix = { size: modules.size, dark: modules.data };
  } catch (error) {
    throw new HandoffError(
      "Could not encode the session URL as a QR code (it may be too long).",
      { cause: error },
    );
  }
  return options.format === "svg"
    ? qrSvg(matrix, options.size, options.margin)
    : "data:image/png;base64," +
      encodeBase64(qrPng(matrix, options.size, options.margin));
}

/** An SVG document: one path of horizontal runs of dark modules. */
export function qrSvg(matrix: QrMatrix, size: number, margin: number): string {
  const n = matrix.size + 2 * margin;
  let path = "";
  for (let row = 0; row < matrix.size; row++) {
    let col = 0;
    while (col < matrix.size) {
      if (!matrix.dark[row * matrix.size + col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < matrix.size && matrix.dark[row * matrix.size + col]) col++;
      path += `M${start + margin} ${row + margin + 0.5}h${col - start}`;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${n} ${n}" shape-rendering="crispEdges"><path fill="#ffffff" d="M0 0h${n}v${n}H0z"/><path stroke="#000000" d="${path}"/></svg>\n`;
}

/** A 1-bit greyscale PNG of `size` × `size` pixels. */
export function qrPng(
  matrix: QrMatrix,
  size: number,
  margin: number,
): Uint8Array {
  const n = matrix.size + 2 * margin;
  const rowBytes = 1 + Math.ceil(size / 8);
  const raw = new Uint8Array(rowBytes * size).fill(0xff);
  const moduleOf = new Int32Array(size); // pixel → module index, or -1 in the margin
  for (let p = 0; p < size; p++) {
    const m = Math.floor((p * n) / size) - margin;
    moduleOf[p] = m >= 0 && m < matrix.size ? m : -1;
  }
  for (let y = 0; y < size; y++) {
    const offset = y * rowBytes;
    raw[offset] = 0; // filter: none
    const row = moduleOf[y]!;
    if (row < 0) continue;
    if (y > 0 && moduleOf[y - 1] === row) {
      // Each module is several pixels tall: copy the row above.
      raw.copyWithin(offset + 1, offset + 1 - rowBytes, offset);
      continue;
    }
    for (let x = 0; x < size; x++) {
      const col = moduleOf[x]!;
      if (col >= 0 && matrix.dark[row * matrix.size + col]) {
        raw[offset + 1 + (x >> 3)]! &= ~(0x80 >> (x & 7));
      }
    }
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, size);
  view.setUint32(4, size);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, no filter, no interlace
  return concat([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateRows(raw, rowBytes)),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

let crcTable: Uint32Array | undefined;

function crc32(bytes: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    crc = crcTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
