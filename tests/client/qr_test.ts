// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import jsQRModule from "jsqr";
// @ts-types="@types/pngjs"
import { PNG } from "pngjs";
import { HandoffError } from "../../errors.ts";
import {
  QRCODE_PACKAGE,
  qrOptions,
  qrPng,
  qrSvg,
  renderQr,
} from "../../_qr.ts";

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

/** What Deno throws for `npm:qrcode` under `"nodeModulesDir": "manual"` without it installed. */
function manualNodeModulesError(): TypeError {
  return Object.assign(
    new TypeError(
      "Could not find a matching package for 'npm:qrcode@1.5.4' in the node_modules directory. Ensure you have all your JSR and npm dependencies listed in your deno.json or package.json, then run `deno install`.\n    at file:///app/main.ts:6:20",
    ),
    { code: "ERR_MODULE_NOT_FOUND" },
  );
}

Deno.test("a qrcode package that cannot be loaded gives an error naming the package, the reason and the fix", async () => {
  const cause = manualNodeModulesError();
  const error = await renderQr(
    URL_TEXT,
    qrOptions({}),
    () => Promise.reject(cause),
  ).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof HandoffError, `got ${error}`);
  assert.equal(error.cause, cause);
  const { message } = error;
  assert.ok(
    message.startsWith(
      "Could not load the qrcode@1.5.4 package that draws QR codes (Could not find a matching package for 'npm:qrcode@1.5.4' in the node_modules directory.",
    ),
    message,
  );
  assert.ok(!message.includes("file:///app/main.ts"), "the stack line shows");
  assert.ok(message.includes("`npm install qrcode@1.5.4`"), message);
  assert.ok(message.includes("`deno install`"), message);
  assert.ok(message.includes('"nodeModulesDir": "manual"'), message);
  assert.ok(
    message.includes(
      "With a bundler, include `qrcode` in the bundle, or mark it external and install qrcode@1.5.4",
    ),
    message,
  );
});

Deno.test("the qrcode load error shows no credentials or tokens from the reason", async () => {
  const cause = new TypeError(
    "Import 'https://user:s3cr3t@registry.example.com/qrcode?token=abc123&x=1' failed: 401",
  );
  const error = await renderQr(
    URL_TEXT,
    qrOptions({}),
    () => Promise.reject(cause),
  ).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof HandoffError, `got ${error}`);
  assert.ok(!error.message.includes("s3cr3t"), error.message);
  assert.ok(!error.message.includes("abc123"), error.message);
  assert.ok(
    error.message.includes(
      "https://[redacted]@registry.example.com/qrcode?token=[redacted]&x=1",
    ),
    error.message,
  );
});

Deno.test("a qrcode load that fails without a message still says what to do", async () => {
  for (const reason of [undefined, 42, { message: 7 }]) {
    const error = await renderQr(
      URL_TEXT,
      qrOptions({}),
      () => Promise.reject(reason),
    ).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof HandoffError, `got ${error}`);
    assert.ok(
      error.message.includes("(the import failed without a message)"),
      error.message,
    );
    assert.ok(error.message.includes("npm install qrcode@1.5.4"));
  }
});

Deno.test("a failed load through a test's loader leaves the library's own load working", async () => {
  await renderQr(URL_TEXT, qrOptions({}), () => Promise.reject(new Error("x")))
    .catch(() => {});
  assert.match(await renderQr(URL_TEXT, qrOptions({})), /^data:image\/png/);
});

Deno.test("the qrcode version named in errors is the one deno.json imports", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  );
  assert.equal(config.imports.qrcode, `npm:${QRCODE_PACKAGE}`);
});
