// Copyright 2026 the handoff authors. MIT license.
// Tiny images made on the spot, as a phone would send them: baseline JPEGs
// (what the photo and scan pages send), PNGs (screenshots, signature
// canvases) and SVG signature markup. Every call with a different `seed`
// gives different bytes, so a download can be compared with what was sent.
// Both encoders write files any decoder reads (the real server decodes them
// to build PDFs): the JPEG is YCbCr 4:4:4 with one colour per 8×8 block
// (only DC coefficients), the PNG is RGB in stored (uncompressed) deflate
// blocks.

/** The colour of block `(bx, by)` of image `seed`. */
function colour(
  seed: number,
  bx: number,
  by: number,
): [number, number, number] {
  const n = (seed * 7919 + bx * 104_729 + by * 1_299_709) >>> 0;
  return [(n * 37) & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff];
}

class Bytes {
  #parts: number[] = [];
  u8(...values: number[]): this {
    for (const v of values) this.#parts.push(v & 0xff);
    return this;
  }
  u16(value: number): this {
    return this.u8(value >> 8, value);
  }
  u32(value: number): this {
    return this.u8(value >>> 24, value >>> 16, value >>> 8, value);
  }
  raw(values: ArrayLike<number>): this {
    for (let i = 0; i < values.length; i++) this.#parts.push(values[i]! & 0xff);
    return this;
  }
  get length(): number {
    return this.#parts.length;
  }
  done(): Uint8Array<ArrayBuffer> {
    return Uint8Array.from(this.#parts);
  }
}

// ------------------------------------------------------------------- JPEG

/** The standard luminance DC table (ITU T.81, Annex K.3): categories 0–11. */
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
/** An AC table with two codes: end of block (0x00), and run 0 size 1. */
const AC_BITS = [0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const AC_VALUES = [0x00, 0x01];

/** Canonical Huffman codes of a table: symbol → [code, length]. */
function huffman(
  bits: number[],
  values: number[],
): Map<number, [number, number]> {
  const codes = new Map<number, [number, number]>();
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < bits[length - 1]!; i++) {
      codes.set(values[k++]!, [code++, length]);
    }
    code <<= 1;
  }
  return codes;
}

class BitWriter {
  readonly out = new Bytes();
  #acc = 0;
  #n = 0;
  write(code: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.#acc = (this.#acc << 1) | ((code >> i) & 1);
      if (++this.#n === 8) this.#flushByte();
    }
  }
  #flushByte(): void {
    this.out.u8(this.#acc);
    if (this.#acc === 0xff) this.out.u8(0x00); // byte stuffing
    this.#acc = 0;
    this.#n = 0;
  }
  /** Pad the last byte with 1 bits. */
  end(): Uint8Array {
    while (this.#n !== 0) this.write(1, 1);
    return this.out.done();
  }
}

/**
 * A baseline JPEG of `width`×`height` pixels (rounded up to multiples of 8),
 * one solid colour per 8×8 block, quality 100.
 */
export function tinyJpeg(
  seed: number,
  width = 16,
  height = 16,
): Uint8Array<ArrayBuffer> {
  const w = Math.max(8, Math.ceil(width / 8) * 8);
  const h = Math.max(8, Math.ceil(height / 8) * 8);
  const dc = huffman(DC_BITS, DC_VALUES);
  const ac = huffman(AC_BITS, AC_VALUES);
  const eob = ac.get(0x00)!;
  const bits = new BitWriter();
  const previous = [0, 0, 0];
  for (let by = 0; by < h / 8; by++) {
    for (let bx = 0; bx < w / 8; bx++) {
      const [r, g, b] = colour(seed, bx, by);
      const ycc = [
        0.299 * r + 0.587 * g + 0.114 * b,
        128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
        128 + 0.5 * r - 0.418688 * g - 0.081312 * b,
      ];
      for (let c = 0; c < 3; c++) {
        // With an all-ones quantisation table the DC coefficient of a flat
        // block is 8 × (value − 128).
        const value = Math.round(
          8 * (Math.min(255, Math.max(0, ycc[c]!)) - 128),
        );
        const diff = value - previous[c]!;
        previous[c] = value;
        const magnitude = Math.abs(diff);
        const category = magnitude === 0
          ? 0
          : Math.floor(Math.log2(magnitude)) + 1;
        const [code, length] = dc.get(category)!;
        bits.write(code, length);
        if (category > 0) {
          bits.write(diff < 0 ? diff + (1 << category) - 1 : diff, category);
        }
        bits.write(eob[0], eob[1]);
      }
    }
  }
  const scan = bits.end();
  const out = new Bytes().u16(0xffd8);
  // APP0 JFIF 1.01, no thumbnail.
  out.u16(0xffe0).u16(16).raw([0x4a, 0x46, 0x49, 0x46, 0]).u8(1, 1, 0)
    .u16(1).u16(1).u8(0, 0);
  // One quantisation table of ones.
  out.u16(0xffdb).u16(67).u8(0).raw(new Array(64).fill(1));
  // Baseline frame: 3 components, no subsampling, table 0.
  out.u16(0xffc0).u16(17).u8(8).u16(h).u16(w).u8(3);
  for (let c = 1; c <= 3; c++) out.u8(c, 0x11, 0);
  // Huffman tables: DC 0 and AC 0.
  out.u16(0xffc4).u16(3 + 16 + DC_VALUES.length).u8(0x00).raw(DC_BITS).raw(
    DC_VALUES,
  );
  out.u16(0xffc4).u16(3 + 16 + AC_VALUES.length).u8(0x10).raw(AC_BITS).raw(
    AC_VALUES,
  );
  // Scan: all three components on tables 0/0, spectral 0–63.
  out.u16(0xffda).u16(12).u8(3);
  for (let c = 1; c <= 3; c++) out.u8(c, 0x00);
  out.u8(0, 63, 0);
  out.raw(scan);
  out.u16(0xffd9);
  return out.done();
}

// -------------------------------------------------------------------- PNG

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(out: Bytes, type: string, data: Uint8Array): void {
  const typed = new Bytes().raw([...type].map((ch) => ch.charCodeAt(0))).raw(
    data,
  ).done();
  out.u32(data.length).raw(typed).u32(crc32(typed));
}

/** An RGB PNG of `width`×`height` pixels, one colour per 8×8 block. */
export function tinyPng(
  seed: number,
  width = 16,
  height = 16,
): Uint8Array<ArrayBuffer> {
  const rows = new Bytes();
  for (let y = 0; y < height; y++) {
    rows.u8(0); // filter: none
    for (let x = 0; x < width; x++) rows.raw(colour(seed, x >> 3, y >> 3));
  }
  const raw = rows.done();
  let a = 1;
  let b = 0;
  for (const byte of raw) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  const zlib = new Bytes().u8(0x78, 0x01);
  for (let offset = 0; offset < raw.length || offset === 0; offset += 65_535) {
    const block = raw.subarray(offset, offset + 65_535);
    const last = offset + 65_535 >= raw.length;
    zlib.u8(last ? 1 : 0).u8(block.length, block.length >> 8)
      .u8(~block.length, ~block.length >> 8).raw(block);
  }
  zlib.u32(((b << 16) | a) >>> 0);
  const out = new Bytes().raw([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const header = new Bytes().u32(width).u32(height).u8(8, 2, 0, 0, 0).done();
  chunk(out, "IHDR", header);
  chunk(out, "IDAT", zlib.done());
  chunk(out, "IEND", new Uint8Array(0));
  return out.done();
}

// -------------------------------------------------------------------- SVG

/** SVG markup of a drawn signature, as the signature page sends for `svg`. */
export function signatureSvg(seed: number): Uint8Array<ArrayBuffer> {
  const y = 40 + (seed % 50);
  const markup =
    `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="150" viewBox="0 0 300 150">` +
    `<path d="M 20 ${y} C 60 10, 90 140, 130 ${y} S 210 20, 280 ${y}" ` +
    `fill="none" stroke="#000" stroke-width="2.5" stroke-linecap="round"/></svg>`;
  return new TextEncoder().encode(markup);
}
