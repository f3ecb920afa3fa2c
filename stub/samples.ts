// Copyright 2026 the handoff authors. MIT license.
// Small valid images for tests and the simulated phone.

import { decodeGoBase64 } from "./base64.ts";

// An 8x8 RGB PNG (a colour gradient).
const PNG_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAdklEQVR42g3JQQEAEQAAsGtCE5pYE5rQhCY0cfbd913xyperXeNa17m+b4tb3mxtG9vazn4xxSlPpjaNaU1nvuhilztd60a3utNfVLHKlapVo1rVqS+KWORC0YpRrOKUF0lMciJpyUhWctKLIAY5ELRgBCs4wQ/p81fBSHQusgAAAABJRU5ErkJggg==";

// An 8x8 baseline JPEG (a colour gradient).
const JPEG_BASE64 =
  "/9j/4AAQSkZJRgABAQAAAQABAAD/2wCEAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSgBBwcHCggKEwoKEygaFhooKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKP/AABEIAAgACAMBEQACEQEDEQH/xAGiAAABBQEBAQEBAQAAAAAAAAAAAQIDBAUGBwgJCgsQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+gEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoLEQACAQIEBAMEBwUEBAABAncAAQIDEQQFITEGEkFRB2FxEyIygQgUQpGhscEJIzNS8BVictEKFiQ04SXxFxgZGiYnKCkqNTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqCg4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2dri4+Tl5ufo6ery8/T19vf4+fr/2gAMAwEAAhEDEQA/AKPhP4d/c/c/pXt47PN9TPhXiP4dT//Z";

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const bytes = decodeGoBase64(base64);
  if (bytes === undefined) throw new Error("corrupt sample image");
  return bytes;
}

// A signature as the signature page draws it for output svg.
const SIGNATURE_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120" viewBox="0 0 300 120">' +
  '<g fill="none" stroke="#111" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round">' +
  '<path d="M20 80 L60 30 L90 85 L130 40 L170 80 L210 35 L260 75"/></g></svg>';

/** SVG markup of a small signature, as UTF-8 bytes (a fresh copy on every call). */
export function sampleSignatureSvg(): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(SIGNATURE_SVG);
}

/**
 * A small valid PNG image (8x8 pixels), a fresh copy on every call.
 *
 * @returns the PNG bytes.
 *
 * @example Submit a signature from the simulated phone
 * ```ts
 * import { samplePng, startStubServer } from "@handoff/client/testing";
 *
 * await using stub = await startStubServer();
 * const res = await fetch(`${stub.url}/api/v1/sessions`, {
 *   method: "POST",
 *   headers: { "X-API-Key": stub.apiKey },
 *   body: JSON.stringify({ action_type: "signature", output_format: "png" }),
 * });
 * const { id } = await res.json();
 * await stub.phone.open(id);
 * await stub.phone.submit(id, [
 *   { contentType: "image/png", filename: "signature.png", data: samplePng() },
 * ]);
 * ```
 */
export function samplePng(): Uint8Array<ArrayBuffer> {
  return decode(PNG_BASE64);
}

/**
 * A small valid baseline JPEG image (8x8 pixels), a fresh copy on every call.
 *
 * @returns the JPEG bytes.
 *
 * @example Upload a scan page from the simulated phone
 * ```ts
 * import { sampleJpeg, startStubServer } from "@handoff/client/testing";
 *
 * await using stub = await startStubServer();
 * const res = await fetch(`${stub.url}/api/v1/sessions`, {
 *   method: "POST",
 *   headers: { "X-API-Key": stub.apiKey },
 *   body: JSON.stringify({ action_type: "scan" }),
 * });
 * const { id } = await res.json();
 * await stub.phone.uploadPage(id, { data: sampleJpeg() });
 * await stub.phone.finalize(id);
 * ```
 */
export function sampleJpeg(): Uint8Array<ArrayBuffer> {
  return decode(JPEG_BASE64);
}
