// Copyright 2026 the handoff authors. MIT license.
// SHA-1 of a short byte string, for the one place the client needs it: the
// `Sec-WebSocket-Accept` check of its own socket on Deno (RFC 6455 §4.1).
// Hand-written because `crypto.subtle.digest` costs ~32 µs of CPU per socket
// on Deno 2.9 (a blocking-pool round trip for 60 bytes), a third of what
// creating a watched session costs over its floor (bench/README.md); this
// is ~1 µs. tests/client/sha1_test.ts holds it to `crypto.subtle`.

const W = new Int32Array(80);

/** The SHA-1 digest of `data` (20 bytes). Not for secrets: RFC 6455 only. */
export function sha1(data: Uint8Array): Uint8Array {
  const bits = data.length * 8;
  const blocks = ((data.length + 8) >> 6) + 1;
  const padded = new Uint8Array(blocks * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bits / 2 ** 32));
  view.setUint32(padded.length - 4, bits >>> 0);
  let h0 = 0x67452301, h1 = 0xefcdab89, h2 = 0x98badcfe, h3 = 0x10325476;
  let h4 = 0xc3d2e1f0;
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i++) W[i] = view.getInt32(offset + i * 4);
    for (let i = 16; i < 80; i++) {
      const x = W[i - 3]! ^ W[i - 8]! ^ W[i - 14]! ^ W[i - 16]!;
      W[i] = (x << 1) | (x >>> 31);
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4;
    for (let i = 0; i < 80; i++) {
      const f = i < 20
        ? ((b & c) | (~b & d)) + 0x5a827999
        : i < 40
        ? (b ^ c ^ d) + 0x6ed9eba1
        : i < 60
        ? ((b & c) | (b & d) | (c & d)) + 0x8f1bbcdc
        : (b ^ c ^ d) + 0xca62c1d6;
      const t = (((a << 5) | (a >>> 27)) + f + e + W[i]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  const out = new Uint8Array(20);
  const result = new DataView(out.buffer);
  [h0, h1, h2, h3, h4].forEach((h, i) => result.setInt32(i * 4, h));
  return out;
}
