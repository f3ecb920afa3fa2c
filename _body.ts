// Copyright 2026 the handoff authors. MIT license.
// Reading a request's or a response's body with a size limit, shared by the
// client (answers of the server) and the stub (uploads).

/** A body longer than the limit it was read with. */
export class BodyTooLargeError extends RangeError {
  /** The limit, in bytes. */
  readonly limit: number;
  /** The declared Content-Length, or how much was read when reading stopped. */
  readonly size: number;

  constructor(limit: number, size: number) {
    super(`The body is larger than ${limit} bytes (${size} seen)`);
    this.name = "BodyTooLargeError";
    this.limit = limit;
    this.size = size;
  }
}

/** A request or a response: what has a body and the headers that frame it. */
type Message = Pick<Request, "body" | "headers" | "arrayBuffer" | "text">;

/**
 * The declared length of an unencoded body: it then bounds what the body
 * holds (HTTP framing). `undefined` when there is none to trust: no
 * Content-Length, a malformed one, or a transfer or content coding (a
 * decoded body can be longer than what was sent).
 */
function declaredLength(headers: Headers): number | undefined {
  const declared = headers.get("content-length");
  if (
    declared === null || !/^\d+$/.test(declared) ||
    headers.has("transfer-encoding") || headers.has("content-encoding")
  ) return undefined;
  return +declared;
}

/**
 * Read the body through a reader, handing each chunk to `take`; throws
 * {@linkcode BodyTooLargeError} (and cancels the rest) past `limit` bytes.
 */
async function readChunks(
  body: ReadableStream<Uint8Array>,
  limit: number,
  take: (chunk: Uint8Array) => void,
): Promise<void> {
  const reader = body.getReader();
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) throw new BodyTooLargeError(limit, size);
      take(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }
  // No releaseLock(): the body is read to its end, and releasing a reader
  // builds an error for its `closed` promise, which costs more than the read.
}

/**
 * Whether the body can be read in one go: its declared length is within the
 * limit. A declared length over the limit is refused at once (the body is
 * cancelled unread).
 */
async function fitsAsDeclared(
  message: Message,
  limit: number,
): Promise<boolean> {
  const declared = declaredLength(message.headers);
  if (declared === undefined) return false;
  if (declared > limit) {
    await message.body?.cancel().catch(() => {});
    throw new BodyTooLargeError(limit, declared);
  }
  return true;
}

/**
 * The body's bytes, at most `limit` of them.
 *
 * @throws {BodyTooLargeError} when the body is longer; the rest is not read.
 */
export async function readBody(
  message: Message,
  limit: number,
): Promise<Uint8Array<ArrayBuffer>> {
  if (await fitsAsDeclared(message, limit)) {
    // One read by the runtime, not a buffer per chunk. The declared length
    // bounds it on the wire; a constructed message can still claim less.
    const bytes = new Uint8Array(await message.arrayBuffer());
    if (bytes.byteLength > limit) {
      throw new BodyTooLargeError(limit, bytes.byteLength);
    }
    return bytes;
  }
  if (message.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  await readChunks(message.body, limit, (chunk) => {
    chunks.push(chunk);
    total += chunk.byteLength;
  });
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * The body as UTF-8 text (as `text()` decodes it), from at most `limit`
 * bytes.
 *
 * @throws {BodyTooLargeError} when the body is longer; the rest is not read.
 */
export async function readBodyText(
  message: Message,
  limit: number,
): Promise<string> {
  if (await fitsAsDeclared(message, limit)) {
    // `message.body` is not touched on this path: in Deno that getter makes
    // a stream of a body that text() reads faster without one. A text of
    // more UTF-16 units than the limit has more bytes too.
    const text = await message.text();
    if (text.length > limit) throw new BodyTooLargeError(limit, text.length);
    return text;
  }
  if (message.body === null) return "";
  const decoder = new TextDecoder();
  let text = "";
  await readChunks(message.body, limit, (chunk) => {
    text += decoder.decode(chunk, { stream: true });
  });
  return text + decoder.decode();
}
