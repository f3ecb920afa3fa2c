// Copyright 2026 the handoff authors. MIT license.
// A synchronous zlib stream for PNG scanlines: one deflate block of fixed
// Huffman codes whose only matches are runs of a byte (distance 1) and the
// row above (distance `rowBytes`). A QR code's image is mostly both: a 256 px
// code takes ~0.1 ms here against ~0.2-0.3 ms through `CompressionStream` (an
// async stream costs more than compressing a few KB) and comes out at ~900
// bytes against ~580 (zlib also finds repeats at any distance). Works the same
// in every runtime. `fflate`'s `zlibSync` was measured too: 0.34-0.37 ms.

const MAX_MATCH = 258;

// RFC 1951 §3.2.5: base lengths and distances of the length and distance
// symbols, and their counts of extra bits.
// deno-fmt-ignore
const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67,
  83, 99, 115, 131, 163, 195, 227, 258,
];
// deno-fmt-ignore
const LENGTH_EXTRA = [
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5,
  5, 5, 0,
];
// deno-fmt-ignore
const DISTANCE_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
  1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
// deno-fmt-ignore
const DISTANCE_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11,
  11, 12, 12, 13, 13,
];

/** The fixed literal/length codes (§3.2.6), bit-reversed for LSB-first output. */
interface FixedCodes {
  readonly code: Uint16Array;
  readonly bits: Uint8Array;
}

let fixed: FixedCodes | undefined;

function reverse(value: number, bits: number): number {
  let out = 0;
  for (let i = 0; i < bits; i++) {
    out = (out << 1) | (value & 1);
    value >>= 1;
  }
  return out;
}

function fixedCodes(): FixedCodes {
  if (fixed !== undefined) return fixed;
  const code = new Uint16Array(288);
  const bits = new Uint8Array(288);
  for (let symbol = 0; symbol < 288; symbol++) {
    const [first, base, length] = symbol < 144
      ? [0, 0x30, 8]
      : symbol < 256
      ? [144, 0x190, 9]
      : symbol < 280
      ? [256, 0, 7]
      : [280, 0xc0, 8];
    code[symbol] = reverse(base + symbol - first, length);
    bits[symbol] = length;
  }
  return fixed = { code, bits };
}

/** The index of the last entry of `bases` that is at most `value`. */
function slot(bases: readonly number[], value: number): number {
  let i = bases.length - 1;
  while (bases[i]! > value) i--;
  return i;
}

/**
 * `data` (rows of `rowBytes` bytes) as a zlib stream (RFC 1950) holding one
 * fixed-Huffman deflate block.
 */
export function deflateRows(data: Uint8Array, rowBytes: number): Uint8Array {
  if (!Number.isInteger(rowBytes) || rowBytes < 1 || rowBytes > 32_768) {
    throw new RangeError(
      `rowBytes must be a whole number from 1 to 32768 (deflate's window), got ${rowBytes}`,
    );
  }
  const { code, bits } = fixedCodes();
  // At most 9 bits a byte, plus the headers, the end of block and Adler-32.
  const out = new Uint8Array(Math.ceil((data.length * 9) / 8) + 16);
  out[0] = 0x78; // deflate, 32 KB window
  out[1] = 0x01; // no dictionary, fastest (header checksum: 0x7801 % 31 = 0)
  let pos = 2;
  let acc = 0;
  let count = 0;
  const put = (value: number, length: number): void => {
    acc |= value << count;
    count += length;
    while (count >= 8) {
      out[pos++] = acc & 0xff;
      acc >>>= 8;
      count -= 8;
    }
  };
  const symbol = (s: number): void => put(code[s]!, bits[s]!);
  put(0b011, 3); // BFINAL = 1, BTYPE = 01 (fixed Huffman codes)

  const end = data.length;
  let i = 0;
  while (i < end) {
    const limit = Math.min(MAX_MATCH, end - i);
    let length = 0;
    let distance = 0;
    if (i >= rowBytes) {
      while (
        length < limit && data[i + length] === data[i + length - rowBytes]
      ) {
        length++;
      }
      distance = rowBytes;
    }
    if (i > 0 && length < limit) {
      const byte = data[i - 1];
      let run = 0;
      while (run < limit && data[i + run] === byte) run++;
      if (run > length) {
        length = run;
        distance = 1;
      }
    }
    if (length < 3) {
      symbol(data[i]!);
      i++;
      continue;
    }
    const l = slot(LENGTH_BASE, length);
    symbol(257 + l);
    put(length - LENGTH_BASE[l]!, LENGTH_EXTRA[l]!);
    const d = slot(DISTANCE_BASE, distance);
    put(reverse(d, 5), 5);
    put(distance - DISTANCE_BASE[d]!, DISTANCE_EXTRA[d]!);
    i += length;
  }
  symbol(256); // end of block
  if (count > 0) out[pos++] = acc & 0xff;

  // Adler-32 of the uncompressed data, big-endian. 5,552 bytes is the most
  // that can be summed before the 32-bit sums must be reduced.
  let a = 1;
  let b = 0;
  for (let start = 0; start < end; start += 5552) {
    const stop = Math.min(end, start + 5552);
    for (let k = start; k < stop; k++) {
      a += data[k]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  new DataView(out.buffer).setUint32(pos, ((b << 16) | a) >>> 0);
  return out.subarray(0, pos + 4);
}
