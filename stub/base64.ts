// Copyright 2026 the handoff authors. MIT license.
// Base64 as Go's encoding/base64 decodes it (padded, CR/LF ignored). The
// encoding is the client's (`../_base64.ts`).

const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function table(alphabet: string): Int16Array {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
}

let tables: { std: Int16Array; url: Int16Array } | undefined;

function decodeWith(
  input: string,
  t: Int16Array,
): Uint8Array<ArrayBuffer> | undefined {
  const s = input.replace(/[\r\n]/g, "");
  if (s.length % 4 !== 0) return undefined;
  let pad = 0;
  if (s.endsWith("==")) pad = 2;
  else if (s.endsWith("=")) pad = 1;
  const body = s.length - pad;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const idx = i + k;
      let d = 0;
      if (idx < body) {
        const c = s.charCodeAt(idx);
        d = c < 128 ? t[c] ?? -1 : -1;
        if (d < 0) return undefined;
      }
      v = (v << 6) | d;
    }
    const bytes = [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
    for (const b of bytes) if (o < out.length) out[o++] = b;
  }
  // "x===" is not a valid quantum: at most two padding characters.
  if (pad > 0 && body % 4 < 2) return undefined;
  return out;
}

/**
 * Decode like the real server: standard base64 first, URL-safe base64 as a
 * fallback. Returns `undefined` where Go reports `illegal base64 data`.
 */
export function decodeGoBase64(
  input: string,
): Uint8Array<ArrayBuffer> | undefined {
  tables ??= { std: table(STD), url: table(URL_SAFE) };
  return decodeWith(input, tables.std) ?? decodeWith(input, tables.url);
}
