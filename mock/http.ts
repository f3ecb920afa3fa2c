// Copyright 2026 the handoff authors. MIT license.
/**
 * The HTTP pieces of the mock dashboard: JSON answers, the bounded JSON body
 * reader, the page's CSP, safe download headers, and how an error of the
 * client talking to the Handoff server is answered.
 *
 * @module
 */

import { ApiError, NetworkError, TimeoutError } from "../mod.ts";

/** The Content-Security-Policy of the page and its script and style. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * `attachment` with the phone's file name: an ASCII fallback with quotes,
 * backslashes and control characters replaced, and the exact name in
 * RFC 5987 form, so no name can break or inject a header.
 */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, "_") || "download";
  return `attachment; filename="${ascii}"; filename*=UTF-8''${
    encodeURIComponent(filename || "download")
  }`;
}

/** A path segment, decoded; `undefined` when its percent-encoding is malformed. */
export function decodeSegment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** Types a browser may show inline; every other type is only downloaded. */
const INLINE_TYPES = new Set([
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/webp",
  "image/svg+xml",
  "application/pdf",
]);

/**
 * The headers of a result file served to the browser: shown inline only
 * when its type is one a browser shows safely, and anything but a PDF
 * (which needs the browser's viewer) sandboxed, so an SVG or an HTML file
 * from a phone cannot run script on the dashboard's origin.
 *
 * @param contentType The file's type (`""` when unknown).
 * @param filename The (safe) name to save it under.
 * @param asAttachment Whether the browser asked to save it.
 * @param contentLength Its length, when known.
 * @returns The headers.
 */
export function downloadHeaders(
  contentType: string,
  filename: string,
  asAttachment: boolean,
  contentLength: number | undefined,
): Record<string, string> {
  const type = contentType || "application/octet-stream";
  const essence = type.split(";")[0]!.trim().toLowerCase();
  const inline = INLINE_TYPES.has(essence) && !asAttachment;
  return {
    "content-type": type,
    "content-disposition": inline ? "inline" : contentDisposition(filename),
    "cache-control": "private, max-age=3600",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "content-security-policy": essence === "application/pdf"
      ? "frame-ancestors 'self'"
      : "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'",
    ...(contentLength !== undefined
      ? { "content-length": String(contentLength) }
      : {}),
  };
}

const LOOPBACK_NAMES = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** Whether a host name is a loopback address. */
export function isLoopback(hostname: string): boolean {
  return LOOPBACK_NAMES.has(hostname) || hostname.startsWith("127.");
}

/** A host name as it goes into a URL (IPv6 in brackets). */
export function hostForUrl(hostname: string): string {
  return hostname.includes(":") && !hostname.startsWith("[")
    ? `[${hostname}]`
    : hostname;
}

/** A JSON error answer: `{ "error": message, ...extra }`. */
export function jsonError(
  status: number,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  return json(status, { error: message, ...extra }, headers);
}

/** A JSON answer that is never cached or sniffed. */
export function json(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      ...headers,
    },
  });
}

/**
 * Read a JSON body of at most `limit` bytes. A declared Content-Length
 * over the limit is refused unread; any other body is read through a cap
 * that errors past the limit (a chunked body declares no length).
 *
 * @param req The request.
 * @param limit The largest body accepted, in bytes.
 * @returns The parsed value, or the 4xx answer to send.
 */
export async function readJsonBody(
  req: Request,
  limit: number,
): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const refuse = async (status: number, message: string) => {
    await req.body?.cancel().catch(() => {});
    return { ok: false as const, response: jsonError(status, message) };
  };
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim()
    .toLowerCase();
  if (type !== "application/json") {
    return await refuse(
      415,
      "Send the body as JSON with Content-Type: application/json",
    );
  }
  const tooLarge = `The body is larger than ${limit} bytes`;
  if (Number(req.headers.get("content-length")) > limit) {
    return await refuse(413, tooLarge);
  }
  let size = 0;
  const cap = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      size += chunk.byteLength;
      if (size > limit) controller.error(new RangeError(tooLarge));
      else controller.enqueue(chunk);
    },
  });
  let bytes: ArrayBuffer;
  try {
    bytes = await new Response(req.body?.pipeThrough(cap)).arrayBuffer();
  } catch {
    return await refuse(
      size > limit ? 413 : 400,
      size > limit ? tooLarge : "The body could not be read",
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return await refuse(400, "The body is not valid UTF-8");
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return await refuse(
      400,
      `The body is not valid JSON: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
}

/** The answer for an error of the client talking to the Handoff server. */
export function upstreamError(error: unknown, handoffUrl: string): Response {
  if (error instanceof TypeError || error instanceof RangeError) {
    return jsonError(400, error.message);
  }
  if (error instanceof ApiError) {
    return jsonError(
      502,
      `The Handoff server answered ${error.status}: ${error.serverMessage}`,
    );
  }
  if (error instanceof TimeoutError) {
    return jsonError(504, `The Handoff server did not answer in time`);
  }
  if (error instanceof NetworkError) {
    return jsonError(502, `Cannot reach the Handoff server at ${handoffUrl}`);
  }
  return jsonError(
    500,
    `Unexpected error: ${error instanceof Error ? error.message : error}`,
  );
}
