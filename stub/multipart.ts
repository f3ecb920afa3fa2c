// Copyright 2026 the handoff authors. MIT license.
// A small multipart/form-data reader with the error messages of Go's
// mime/multipart and net/http, as the real server's scan upload reports them.

/** A file part. */
export interface FormFile {
  readonly filename: string;
  /** The part's Content-Type header as sent (may be `""`). */
  readonly contentType: string;
  readonly data: Uint8Array;
}

/** What a multipart body holds, in order of appearance. */
export interface MultipartForm {
  readonly values: ReadonlyMap<string, readonly string[]>;
  readonly files: ReadonlyMap<string, readonly FormFile[]>;
}

/** A failure to read the form, with Go's message. */
export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MultipartError";
  }
}

function parseParams(parts: readonly string[]): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of parts) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1).replace(/\\(.)/g, "$1");
    }
    if (!params.has(key)) params.set(key, value);
  }
  return params;
}

/** Split `type/sub; b=c; d="e"` into a lower-cased media type and parameters. */
function parseMediaType(
  header: string,
): { type: string; params: Map<string, string> } | undefined {
  const [head = "", ...rest] = header.split(";");
  const type = head.trim().toLowerCase();
  if (!/^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/.test(type)) {
    return undefined;
  }
  return { type, params: parseParams(rest) };
}

/**
 * The boundary of a `multipart/form-data` Content-Type.
 *
 * @throws {MultipartError} `request Content-Type isn't multipart/form-data`
 * or `no multipart boundary param in Content-Type`.
 */
export function multipartBoundary(contentType: string | null): string {
  const media = contentType === null ? undefined : parseMediaType(contentType);
  if (media === undefined || media.type !== "multipart/form-data") {
    throw new MultipartError("request Content-Type isn't multipart/form-data");
  }
  const boundary = media.params.get("boundary");
  if (boundary === undefined || boundary === "") {
    throw new MultipartError("no multipart boundary param in Content-Type");
  }
  return boundary;
}

function indexOf(
  haystack: Uint8Array,
  needle: Uint8Array,
  from: number,
): number {
  const first = needle[0];
  outer: for (
    let i = haystack.indexOf(first ?? 0, from);
    i >= 0 && i + needle.length <= haystack.length;
    i = haystack.indexOf(first ?? 0, i + 1)
  ) {
    for (let k = 1; k < needle.length; k++) {
      if (haystack[i + k] !== needle[k]) continue outer;
    }
    return i;
  }
  return -1;
}

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

function baseName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, "");
  const slash = Math.max(trimmed.lastIndexOf("/"), trimmed.lastIndexOf("\\"));
  return trimmed.slice(slash + 1);
}

/**
 * Read a whole multipart body.
 *
 * @throws {MultipartError} with a message like Go's for a malformed body.
 */
export function parseMultipart(
  body: Uint8Array,
  boundary: string,
): MultipartForm {
  const dashBoundary = encoder.encode("--" + boundary);
  const delimiter = encoder.encode("\n--" + boundary);
  const values = new Map<string, string[]>();
  const files = new Map<string, FormFile[]>();
  // Skip the preamble up to the first boundary line.
  let pos = indexOf(body, dashBoundary, 0);
  if (pos < 0) throw new MultipartError("multipart: NextPart: EOF");
  for (;;) {
    pos += dashBoundary.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // final boundary
    let eol = body.indexOf(0x0a, pos);
    if (eol < 0) throw new MultipartError("multipart: NextPart: EOF");
    // Header lines up to an empty one.
    const headers = new Map<string, string>();
    for (;;) {
      const start = eol + 1;
      eol = body.indexOf(0x0a, start);
      if (eol < 0) throw new MultipartError("multipart: NextPart: EOF");
      const line = utf8.decode(body.subarray(start, eol)).replace(/\r$/, "");
      if (line === "") break;
      const colon = line.indexOf(":");
      if (colon <= 0) {
        throw new MultipartError(
          `multipart: NextPart: malformed MIME header line: ${line}`,
        );
      }
      const name = line.slice(0, colon).trim().toLowerCase();
      if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
    }
    const contentStart = eol + 1;
    const next = indexOf(body, delimiter, contentStart - 1);
    if (next < 0) throw new MultipartError("unexpected EOF");
    const contentEnd = next > contentStart && body[next - 1] === 0x0d
      ? next - 1
      : next;
    const content = body.slice(
      contentStart,
      Math.max(contentStart, contentEnd),
    );
    pos = next + 1;
    const [kind = "", ...rest] = (headers.get("content-disposition") ?? "")
      .split(";");
    if (kind.trim().toLowerCase() !== "form-data") continue;
    const params = parseParams(rest);
    const name = params.get("name") ?? "";
    if (name === "") continue;
    const rawFilename = params.get("filename") ?? "";
    const filename = rawFilename === "" ? "" : baseName(rawFilename);
    if (filename === "") {
      const list = values.get(name) ?? [];
      list.push(utf8.decode(content));
      values.set(name, list);
    } else {
      const list = files.get(name) ?? [];
      list.push({
        filename,
        contentType: headers.get("content-type") ?? "",
        data: content,
      });
      files.set(name, list);
    }
  }
  return { values, files };
}
