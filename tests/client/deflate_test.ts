// Copyright 2026 the handoff authors. MIT license.
// The PNG scanline compressor: whatever it writes inflates back to its input.

import assert from "node:assert/strict";
import fc from "fast-check";
import { deflateRows } from "../../_deflate.ts";

async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Rows that repeat the row above or a byte, as a scaled QR image does. */
const rows = fc.record({
  rowBytes: fc.integer({ min: 1, max: 600 }),
  rows: fc.array(
    fc.oneof(
      fc.constant("same" as const),
      fc.constant("run" as const),
      fc.constant("random" as const),
    ),
    { minLength: 0, maxLength: 40 },
  ),
  seed: fc.integer(),
});

function build(
  { rowBytes, rows, seed }: { rowBytes: number; rows: string[]; seed: number },
): Uint8Array {
  const data = new Uint8Array(rowBytes * rows.length);
  let x = seed | 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  };
  rows.forEach((kind, r) => {
    const row = data.subarray(r * rowBytes, (r + 1) * rowBytes);
    if (kind === "same" && r > 0) {
      row.set(data.subarray((r - 1) * rowBytes, r * rowBytes));
    } else if (kind === "run") {
      // runs of one byte, some longer than the longest match (258)
      let i = 0;
      while (i < rowBytes) {
        const length = 1 + (next() % 2 === 0 ? next() : next() * 3);
        row.fill(next(), i, i + length);
        i += length;
      }
    } else {
      for (let i = 0; i < rowBytes; i++) row[i] = next();
    }
  });
  return data;
}

Deno.test("deflateRows: any rows inflate back to themselves", async () => {
  await fc.assert(
    fc.asyncProperty(rows, async (input) => {
      const data = build(input);
      assert.deepEqual(
        await inflate(deflateRows(data, input.rowBytes)),
        data,
      );
    }),
    { numRuns: 300 },
  );
});

Deno.test("deflateRows: edges inflate back: empty, shorter than a match, every byte value, the longest match, every distance", async () => {
  const cases: [Uint8Array, number][] = [
    [new Uint8Array(0), 33],
    [new Uint8Array([7]), 33],
    [new Uint8Array([7, 7]), 1],
    [Uint8Array.from({ length: 256 }, (_, i) => i), 16],
    [new Uint8Array(258 * 4 + 3).fill(0xff), 33],
    [new Uint8Array(70_000).fill(0), 513],
  ];
  // Every distance symbol: rows as long as each base, and the window's end.
  for (
    const length of [2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193]
  ) {
    cases.push([
      build({ rowBytes: length, rows: ["random", "same"], seed: length }),
      length,
    ]);
  }
  for (
    const length of [
      257,
      385,
      513,
      769,
      1025,
      1537,
      2049,
      3073,
      4097,
      6145,
      8193,
      12289,
      16385,
      24577,
      32768,
    ]
  ) {
    cases.push([
      build({ rowBytes: length, rows: ["random", "same"], seed: length }),
      length,
    ]);
  }
  for (const [data, rowBytes] of cases) {
    assert.deepEqual(await inflate(deflateRows(data, rowBytes)), data);
  }
  assert.throws(() => deflateRows(new Uint8Array(4), 32_769), RangeError);
  assert.throws(() => deflateRows(new Uint8Array(4), 0), RangeError);
});

Deno.test("deflateRows: repeated rows cost next to nothing", () => {
  const rowBytes = 33;
  const row = Uint8Array.from({ length: rowBytes }, (_, i) => (i * 37) & 0xff);
  const data = new Uint8Array(rowBytes * 256);
  for (let r = 0; r < 256; r++) data.set(row, r * rowBytes);
  // 33 literals, then one match per 258 bytes of the 8,415 repeated ones
  assert.ok(
    deflateRows(data, rowBytes).length < 120,
    `${deflateRows(data, rowBytes).length} bytes`,
  );
});
