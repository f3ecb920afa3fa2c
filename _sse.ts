// Copyright 2026 the handoff authors. MIT license.
// The Server-Sent Events wire format
// (https://html.spec.whatwg.org/multipage/server-sent-events.html): fields
// `id:`, `event:`, `retry:`, one `data:` line per line of data, comments,
// and an empty line after each message.

const LINE_BREAK = /\r\n|\r|\n/;

/** One message; at least one field. */
export interface SseMessage {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
  readonly retry?: number;
}

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
 * One message's text. Each line of `data` becomes its own `data:` line, so
 * the browser joins them back with `\n`.
 *
 * @throws {TypeError} An `id` or `event` with a line break, an `id` with
 *   NUL (browsers ignore it), or no field at all.
 * @throws {RangeError} A `retry` that is not a whole number ≥ 0.
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

/** A comment (browsers ignore it): keeps an idle connection and its proxies alive. */
export function formatSseComment(text: string): string {
  return text.split(LINE_BREAK).map((line) => `: ${line}\n`).join("") + "\n";
}

/** The headers of an event stream: not cached, not sniffed, not buffered by nginx. */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "x-accel-buffering": "no",
});
