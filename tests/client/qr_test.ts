// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import jsQRModule from "jsqr";
// @ts-types="@types/pngjs"
import { PNG } from "pngjs";
import { qrOptions, qrPng, qrSvg, renderQr } from "../../_qr.ts";

const URL_TEXT =
  "https://handoff.example.com/s/de1f8c1e-8f4b-4f1e-9c59-0b6f4f1a2b3c";

// jsqr is CommonJS with an ES-style default export.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ??
  jsQRModule) as unknown as typeof jsQRModule.default;

function decodePng(bytes: Uint8Array): string | undefined {
  const png = PNG.sync.read(
    Buffer.from(bytes),
  );
  const pixels = new Uint8ClampedArray(png.data);
  return jsQR(pixels, png.width, png.height)?.data;
}

Deno.test("a PNG QR code decodes back to the URL, at every error correction level", async () => {
  for (const errorCorrection of ["L", "M", "Q", "H"] as const) {
    const dataUrl = await renderQr(
      URL_TEXT,
      qrOptions({ errorCorrection }),
    );
    assert.match(dataUrl, /^data:image\/png;base64,/);
    const bytes = Uint8Array.from(
      atob(dataUrl.slice(dataUrl.indexOf(",") + 1)),
      (c) => c.charCodeAt(0),
    );
    assert.equal(decodePng(bytes), URL_TEXT, errorCorrection);
  }
});

Deno.test("a PNG QR code has the requested size", async () => {
  const dataUrl = await renderQr(URL_TEXT, qrOptions({ size: 300, margin: 2 }));
  const bytes = Uint8Array.from(
    atob(dataUrl.slice(dataUrl.indexOf(",") + 1)),
    (c) => c.charCodeAt(0),
  );
  const png = PNG.sync.read(
    Buffer.from(bytes),
  );
  assert.equal(png.width, 300);
  assert.equal(png.height, 300);
  assert.equal(decodePng(bytes), URL_TEXT);
});

Deno.test("the PNG encoder draws the modules and needs no CompressionStream", () => {
  const matrix = { size: 3, dark: [1, 0, 1, 0, 1, 0, 1, 0, 1] };
  const saved = globalThis.CompressionStream;
  try {
    // deno-lint-ignore no-explicit-any
    (globalThis as any).CompressionStream = undefined;
    const png = PNG.sync.read(Buffer.from(qrPng(matrix, 64, 1)));
    assert.equal(png.width, 64);
    // 5 modules of 12.8 px: module (row, col) covers pixels from 12.8 * (m + 1)
    const dark = (x: number, y: number) => png.data[(y * 64 + x) * 4] === 0;
    assert.equal(dark(0, 0), false, "margin");
    assert.equal(dark(16, 16), true, "module (0, 0)");
    assert.equal(dark(30, 16), false, "module (0, 1)");
    assert.equal(dark(42, 16), true, "module (0, 2)");
    assert.equal(dark(30, 30), true, "module (1, 1)");
    assert.equal(dark(16, 30), false, "module (1, 0)");
    assert.equal(dark(63, 63), false, "margin");
  } finally {
    globalThis.CompressionStream = saved;
  }
});

Deno.test("an SVG QR code draws every dark module and nothing else", () => {
  const matrix = { size: 3, dark: [1, 1, 0, 0, 0, 0, 0, 1, 1] };
  const svg = qrSvg(matrix, 120, 1);
  assert.match(
    svg,
    /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="120" height="120" viewBox="0 0 5 5"/,
  );
  assert.ok(svg.includes('d="M1 1.5h2M2 3.5h2"'));
});
