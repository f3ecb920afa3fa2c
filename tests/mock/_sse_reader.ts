// Copyright 2026 the handoff authors. MIT license.
// A minimal Server-Sent Events reader for tests: parses a fetch body into
// messages and comments, as a browser's EventSource would.

/** A parsed message (or a comment, with `comment` set). */
export interface ReadMessage {
  id?: string;
  event: string;
  data: string;
  retry?: number;
  comment?: string;
}

/** Reads messages from an SSE response body. */
export class SseReader {
  readonly #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";
  readonly #queue: ReadMessage[] = [];

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next message or comment; rejects when the stream ends first. */
  async next(): Promise<ReadMessage> {
    for (;;) {
      const queued = this.#queue.shift();
      if (queued !== undefined) return queued;
      const { done, value } = await this.#reader.read();
      if (done) throw new Error("the stream ended");
      this.#buffer += value;
      this.#parse();
    }
  }

  /** The next message that is not a comment and not only a `retry:`. */
  async nextMessage(): Promise<ReadMessage> {
    for (;;) {
      const message = await this.next();
      if (message.comment === undefined && message.data !== "") return message;
    }
  }

  /** Reads until the stream ends; resolves true then. */
  async ended(): Promise<boolean> {
    try {
      for (;;) await this.next();
    } catch {
      return true;
    }
  }

  /** Stop reading and release the body. */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }

  #parse(): void {
    for (;;) {
      const match = /\r\n\r\n|\n\n|\r\r/.exec(this.#buffer);
      if (match === null) return;
      const block = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      const message: ReadMessage = { event: "message", data: "" };
      const data: string[] = [];
      const comments: string[] = [];
      for (const line of block.split(/\r\n|\r|\n/)) {
        if (line.startsWith(":")) {
          comments.push(line.slice(1).trimStart());
          continue;
        }
        const colon = line.indexOf(":");
        const name = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (name === "data") data.push(value);
        else if (name === "event") message.event = value;
        else if (name === "id") message.id = value;
        else if (name === "retry") message.retry = Number(value);
      }
      message.data = data.join("\n");
      if (comments.length > 0 && data.length === 0) {
        message.comment = comments.join("\n");
      }
      this.#queue.push(message);
    }
  }
}
