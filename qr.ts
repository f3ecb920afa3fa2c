// Copyright 2026 the handoff authors. MIT license.
/**
 * {@linkcode qrCode}: any URL as a QR code, for the side that creates a
 * session and shows it without watching it.
 *
 * @module
 */

import { qrOptions, renderQr } from "./_qr.ts";
import type { QrCodeOptions } from "./types.ts";

/**
 * A URL as a QR code: a `data:image/png;base64,…` URL by default (256 px,
 * error correction M, a quiet zone of 4 modules), or an SVG document. The
 * same options and output as {@linkcode Session.qrCode}, with no live
 * session: an edge function can create a session with `{ watch: false }` and
 * answer with its code. The QR library (`npm:qrcode`) is loaded on the first
 * call.
 *
 * @param url The URL to encode: a session's `url`.
 * @param options Format, size, error correction, margin.
 * @returns A PNG data URL or an SVG document.
 * @throws {TypeError} An empty URL or an unknown format (as a rejection).
 * @throws {RangeError} A size or margin out of range (as a rejection).
 *
 * @example Create a session and answer with its QR code, watching nothing
 * ```ts
 * import { HandoffClient, qrCode } from "@handoff/client";
 * import { startStubServer } from "@handoff/client/testing";
 *
 * await using server = await startStubServer();
 * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
 * const info = await client.createSession(
 *   { action: "signature", outputFormat: "svg" },
 *   { watch: false }, // no socket, no timer: the function can return at once
 * );
 * const png = await qrCode(info.url);
 * const svg = await qrCode(info.url, { format: "svg", size: 320 });
 * console.assert(png.startsWith("data:image/png;base64,") && svg.startsWith("<svg"));
 * ```
 */
export function qrCode(
  url: string | URL,
  options: QrCodeOptions = {},
): Promise<string> {
  try {
    const text = url instanceof URL ? url.href : url;
    if (typeof text !== "string" || text === "") {
      throw new TypeError("qrCode() takes the URL to encode, got none");
    }
    return renderQr(text, qrOptions(options));
  } catch (error) {
    return Promise.reject(error);
  }
}
