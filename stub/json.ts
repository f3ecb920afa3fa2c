// Copyright 2026 the handoff authors. MIT license.
// JSON as Go's encoding/json writes it, and the response helpers built on it.

/** A value {@linkcode goJson} can encode. `undefined` object members are left out. */
export type GoJsonValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | readonly GoJsonValue[]
  | { readonly [key: string]: GoJsonValue | undefined }
  | RawJson;

/** Already-encoded JSON, inserted as is. */
export class RawJson {
  /** The JSON text. */
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

const HEX = "0123456789abcdef";

/**
 * Quote a string as Go's encoder does: `<`, `>`, `&`, U+2028 and U+2029 are
 * escaped as `\u00XX`/`\u20XX`, control characters as `\b \f \n \r \t` or
 * `\u00XX`, lone surrogates become `\ufffd`.
 */
export function goQuoteJson(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20) {
      if (c === 0x08) esc = "\\b";
      else if (c === 0x0c) esc = "\\f";
      else if (c === 0x0a) esc = "\\n";
      else if (c === 0x0d) esc = "\\r";
      else if (c === 0x09) esc = "\\t";
      else esc = "\\u00" + HEX[c >> 4] + HEX[c & 0xf];
    } else if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = "\\\\";
    else if (c === 0x3c) esc = "\\u003c";
    else if (c === 0x3e) esc = "\\u003e";
    else if (c === 0x26) esc = "\\u0026";
    else if (c === 0x2028) esc = "\\u2028";
    else if (c === 0x2029) esc = "\\u2029";
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++; // a valid pair stays as it is
        continue;
      }
      esc = "\\ufffd";
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

/**
 * Encode a value as compact JSON the way Go does (object members in the order
 * given, Go's string escaping, bigints as integers).
 */
export function goJson(value: GoJsonValue): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return goQuoteJson(value);
    case "number":
      if (!Number.isFinite(value)) throw new RangeError("not a finite number");
      return String(value);
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "true" : "false";
  }
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) {
    return "[" + value.map((v: GoJsonValue) => goJson(v)).join(",") + "]";
  }
  let out = "";
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined) continue;
    out += (out === "" ? "" : ",") + goQuoteJson(key) + ":" + goJson(member);
  }
  return "{" + out + "}";
}

/**
 * Go's net/http buffers this many bytes of a body before it falls back to
 * chunked transfer encoding; a body that fits is sent with Content-Length.
 */
const CHUNKING_THRESHOLD = 2048;

/** A body sent with Content-Length up to 2 KiB, chunked above, like Go. */
export function goBody(bytes: Uint8Array): BodyInit {
  if (bytes.length <= CHUNKING_THRESHOLD) {
    return bytes as Uint8Array<ArrayBuffer>;
  }
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

const encoder = new TextEncoder();

/** A JSON response (`application/json; charset=utf-8`) with an encoded body. */
export function jsonText(status: number, json: string): Response {
  return new Response(goBody(encoder.encode(json)), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

/** A JSON response of `value`. */
export function jsonResponse(status: number, value: GoJsonValue): Response {
  return jsonText(status, goJson(value));
}

/** `{"error":"…"}` with `status`. */
export function jsonError(status: number, message: string): Response {
  return jsonText(status, `{"error":${goQuoteJson(message)}}`);
}

/** An HTML page (`text/html; charset=utf-8`). */
export function htmlResponse(status: number, html: string): Response {
  return new Response(goBody(encoder.encode(html)), {
    status,
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}

/** gin's answer for an unknown route or method. */
export function notFoundText(): Response {
  return new Response(encoder.encode("404 page not found"), {
    status: 404,
    headers: { "content-type": "text/plain" },
  });
}
