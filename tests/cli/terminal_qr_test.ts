// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";
import {
  halfBlockLines,
  qrModules,
  terminalQr,
} from "../../cli/terminal_qr.ts";
import { decodeTerminalQr, qrLines } from "./_helpers.ts";

const URLS = [
  "http://127.0.0.1:41234/s/de1f8c1e-8f4b-4f1e-9c59-0b6f4f1a2b3c",
  "https://handoff.example.com/s/de1f8c1e-8f4b-4f1e-9c59-0b6f4f1a2b3c",
  "https://h.example/s/x",
];

Deno.test("terminalQr() decodes back to the URL", async () => {
  for (const url of URLS) {
    assert.equal(decodeTerminalQr(await terminalQr(url)), url);
  }
});

Deno.test("halfBlockLines() puts two module rows in each line, upper one on top", () => {
  // 3 × 3: rows 0 and 1 share a line, row 2 shares one with the quiet zone.
  const matrix = { size: 3, dark: [1, 0, 1, 0, 1, 1, 1, 1, 0] };
  assert.deepEqual(halfBlockLines(matrix, 0), ["▀▄█", "▀▀ "]);
  const framed = halfBlockLines(matrix, 1);
  assert.deepEqual(framed, [" ▄ ▄ ", " ▄█▀ ", "     "]);
  assert.deepEqual(halfBlockLines({ size: 1, dark: [1] }, 4).length, 5);
});

Deno.test("terminalQr() has a quiet zone of 4 modules and draws dark on light", async () => {
  const text = await terminalQr(URLS[0]!);
  const { size } = await qrModules(URLS[0]!);
  const lines = qrLines(text);
  assert.equal([...lines[0]!].length, size + 8);
  assert.equal(lines.length, Math.ceil((size + 8) / 2));
  assert.equal(lines[0]!.trim(), "");
  assert.equal(lines[1]!.trim(), "");
  for (const line of lines) {
    assert.ok(line.startsWith("    ") && line.endsWith("    "));
  }
  // Every line is black on bright white, reset after it.
  for (const line of text.trimEnd().split("\n")) {
    // deno-lint-ignore no-control-regex -- terminal escape codes
    assert.match(line, /^\x1b\[30;107m[ ▀▄█]+\x1b\[0m$/);
  }
});
