// Copyright 2026 the handoff authors. MIT license.
/**
 * The Server-Sent Events wire format
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html): messages
 * with `id:`, `event:`, `retry:` and one `data:` line per line of data, and
 * comments. A message ends with an empty line.
 *
 * @module
 */

/** One Server-Sent Events message. */
export interface SseMessage {
  /** The event id; the browser sends it back as `Last-Event-ID` when it reconnects. */
  readonly id?: string;
  /** The event type (`addEventListener(type, …)` in the browser). @default {"message"} */
  readonly event?: string;
  /** The payload; split into one `data:` line per line. */
  readonly data?: string;
  /** How long the browser waits before it reconnects, in milliseconds. */
  readonly retry?: number;
}

const LINE_BREAK = /\r\n|\r|\n/;

function field(name: string, value: string): string {
  if (LINE_BREAK.test(value)) {
    throw new TypeError(
      `An SSE ${name} must not contain a line break, got ${
        JSON.stringify(value)
      }`,
    );
  }
  return `${name}: ${value}\n`;
}

/**
 * Format one message. Every line of `data` becomes its own `data:` line
 * (`\r\n`, `\r` and `\n` all count as line breaks), so the browser joins
 * them back with `\n`.
 *
 * @param message The fields to send; at least one.
 * @returns The message's text, ending with an empty line.
 * @throws {TypeError} An `id` or `event` with a line break (or an `id` with
 *   NUL, which browsers ignore), or a message with no field.
 * @throws {RangeError} A `retry` that is not a whole number ≥ 0.
 *
 * @example
 * ```ts
 * import { formatSseMessage } from "./sse.ts";
 * const text = formatSseMessage({ id: "7", event: "session", data: "a\nb" });
 * console.assert(text === "id: 7\nevent: session\ndata: a\ndata: b\n\n");
 * ```
 */
export function formatSseMessage(message: SseMessage): string {
  let text = "";
  if (message.id !== undefined) {
    if (message.id.includes("\0")) {
      throw new TypeError("An SSE id must not contain NUL");
    }
    text += field("id", message.id);
  }
  if (message.event !== undefined) text += field("event", message.event);
  if (message.retry !== undefined) {
    if (!Number.isSafeInteger(message.retry) || message.retry < 0) {
      throw new RangeError(
        `An SSE retry must be a whole number of milliseconds ≥ 0, got ${message.retry}`,
      );
    }
    text += `retry: ${message.retry}\n`;
  }
  if (message.data !== undefined) {
    for (const line of message.data.split(LINE_BREAK)) {
      text += `data: ${line}\n`;
    }
  }
  if (text === "") {
    throw new TypeError("An SSE message needs at least one field");
  }
  return text + "\n";
}

/**
 * Format a comment: browsers ignore it, so it keeps an idle connection (and
 * the proxies on its way) alive. A multi-line comment gives one `:` line per
 * line.
 *
 * @param text The comment.
 * @returns The comment's text, ending with an empty line.
 *
 * @example
 * ```ts
 * import { formatSseComment } from "./sse.ts";
 * console.assert(formatSseComment("keep-alive") === ": keep-alive\n\n");
 * ```
 */
export function formatSseComment(text: string): string {
  return text.split(LINE_BREAK).map((line) => `: ${line}\n`).join("") + "\n";
}

/** Options of {@linkcode sseResponse}. */
export interface SseResponseOptions {
  /** Ends the stream when aborted (the request's signal: the browser went away). */
  readonly signal: AbortSignal;
  /** Interval of the keep-alive comment, in milliseconds. @default {15000} */
  readonly keepAliveMs?: number;
  /**
   * Called once when the stream starts, with a function that sends text and
   * one that ends the stream. Returns the cleanup to run when the stream ends
   * for any reason (abort, cancel, `end()`).
   */
  readonly start: (
    send: (text: string) => void,
    end: () => void,
  ) => () => void;
  /**
   * A reader this far behind (in queued chunks) is dropped; its browser
   * reconnects and catches up from the replay buffer or a snapshot.
   * @default {1000}
   */
  readonly maxQueuedChunks?: number;
}

/**
 * A `text/event-stream` response that sends a keep-alive comment every
 * `keepAliveMs` and cleans up exactly once: when the request is aborted, the
 * reader cancels, or the producer calls `end()`.
 *
 * @param options The signal, the producer and the intervals.
 * @returns The streaming response.
 */
export function sseResponse(options: SseResponseOptions): Response {
  const encoder = new TextEncoder();
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const maxQueued = options.maxQueuedChunks ?? 1_000;
  let cleanup: (() => void) | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let ended = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;

  const finish = (closeStream: boolean): void => {
    if (ended) return;
    ended = true;
    clearInterval(timer);
    options.signal.removeEventListener("abort", onAbort);
    const run = cleanup;
    cleanup = undefined;
    run?.();
    if (closeStream) {
      try {
        controller.close();
      } catch {
        // already closed or errored
      }
    }
  };
  const onAbort = () => finish(true);
  const send = (text: string): void => {
    if (ended) return;
    if ((controller.desiredSize ?? 0) < -maxQueued) {
      finish(true); // the reader stalled: let it reconnect
      return;
    }
    controller.enqueue(encoder.encode(text));
  };

  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      if (options.signal.aborted) {
        ended = true;
        c.close();
        return;
      }
      options.signal.addEventListener("abort", onAbort);
      cleanup = options.start(send, () => finish(true));
      if (ended) {
        // end() was called from start(): run the cleanup it returned too
        const run = cleanup;
        cleanup = undefined;
        run();
        return;
      }
      timer = setInterval(
        () => send(formatSseComment("keep-alive")),
        keepAliveMs,
      );
    },
    cancel() {
      finish(false);
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "x-accel-buffering": "no",
    },
  });
}
