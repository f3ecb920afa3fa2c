// Copyright 2026 the handoff authors. MIT license.
// A WebSocket client on Deno's own TCP (RFC 6455, client side, no
// extensions or subprotocols), with the `WebSocket` events the session uses.
// Deno's web `WebSocket` cannot drop a connection whose close the server never
// answers (denoland/deno#25126); this one can (`terminate()`). Hand-written
// rather than the `ws` package because on Deno `ws` runs on the Node
// compatibility layer and costs 1.38× the native socket's latency per frame
// where this one is at the floor (bench/README.md).

import { encodeBase64 } from "./_base64.ts";
import { sha1 } from "./_sha1.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** A handshake answer longer than this is no WebSocket server's. */
const MAX_HEAD_BYTES = 16 * 1024;
/** A message larger than this is no Handoff frame (closed with 1009). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** The read buffer a socket starts with; it grows for larger frames. */
const FIRST_BUFFER_BYTES = 1024;

const encoder = new TextEncoder();
// Decoding a whole message keeps no state: one of each serves every socket.
// A fatal decoder costs ~10 µs a frame; invalid input shows as U+FFFD, and
// only then is the text checked strictly.
const decoder = new TextDecoder();
const strict = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

/**
 * Takes a socket's events instead of `EventTarget` listeners: each
 * `addEventListener` costs ~400 B of heap in Deno and a `MessageEvent`
 * ~15 µs to dispatch, 12 % of the way from the server (bench/README.md).
 */
export interface SocketReceiver {
  /** The handshake finished. */
  opened(): void;
  /** A message: text as a string, binary as an `ArrayBuffer`. */
  data(data: string | ArrayBuffer): void;
  /** The socket is gone (a failed handshake, a drop, or a close). */
  gone(): void;
}

/** The server broke the protocol: close with `code`. */
class Violation extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** Whether this runtime can open sockets with {@linkcode DenoWebSocket}. */
export function hasDenoSockets(): boolean {
  const deno = (globalThis as { Deno?: { connect?: unknown } }).Deno;
  return typeof deno?.connect === "function";
}

/**
 * A client WebSocket on `Deno.connect`/`Deno.connectTls`: `open`, `message`
 * (text as a string, binary as an `ArrayBuffer`), `error` and `close`
 * events, `readyState`, `send(text)`, `close(code)`, and `terminate()`, which
 * drops the TCP connection at once. A `receiver` gets them first; with one
 * set, messages go only to it (no `message` events: a `MessageEvent` costs
 * ~15 µs), while `open`, `error` and `close` are dispatched still (once per
 * socket, for whoever else watches it).
 */
export class DenoWebSocket extends EventTarget {
  readyState: number = CONNECTING;
  readonly url: string;
  #conn: Deno.Conn | undefined;
  #connecting: AbortController | undefined = new AbortController();
  #buf = new Uint8Array(FIRST_BUFFER_BYTES);
  #start = 0; // the unread bytes are #buf[#start, #end)
  #end = 0;
  #fragments: Uint8Array[] | undefined; // a message in several frames
  #fragmentOp = 0;
  #fragmentBytes = 0;
  #writing: Promise<void> = Promise.resolve();
  #closeSent = false;
  #closeReceived = false;
  #code = 1006;
  #reason = "";
  /** Gets the events instead of listeners (see {@linkcode SocketReceiver}). */
  receiver: SocketReceiver | undefined;

  /**
   * @param url A `ws:` or `wss:` URL.
   * @param init `headers` sent with the handshake.
   */
  constructor(url: string, init?: { headers?: Record<string, string> }) {
    super();
    const target = new URL(url);
    if (target.protocol !== "ws:" && target.protocol !== "wss:") {
      throw new SyntaxError(`not a WebSocket URL: ${target.protocol}`);
    }
    if (typeof init !== "undefined" && typeof init !== "object") {
      throw new SyntaxError("subprotocols are not supported");
    }
    this.url = target.href;
    this.#run(target, init?.headers ?? {});
  }

  /** Send a text message (only while open, as the web `WebSocket`). */
  send(data: string): void {
    if (this.readyState === CONNECTING) {
      throw new DOMException(
        "the socket is still connecting",
        "InvalidStateError",
      );
    }
    if (this.readyState === OPEN) this.#send(1, encoder.encode(data));
  }

  /** Start the closing handshake; while connecting, give the connection up. */
  close(code = 1000, reason = ""): void {
    if (this.readyState === CONNECTING) return this.terminate();
    if (this.readyState !== OPEN) return;
    this.readyState = CLOSING;
    this.#sendClose(code, reason);
  }

  /** Drop the TCP connection now; a `close` event (1006) follows. */
  terminate(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSING;
    this.#connecting?.abort();
    this.#drop();
  }

  async #run(url: URL, headers: Record<string, string>): Promise<void> {
    try {
      const conn = await this.#connect(url);
      this.#connecting = undefined; // only a connection attempt needs it
      this.#conn = conn;
      if (this.readyState !== CONNECTING) return; // given up meanwhile
      await this.#handshake(conn, url, headers);
      if (this.readyState !== CONNECTING) return;
      this.readyState = OPEN;
      this.receiver?.opened();
      this.dispatchEvent(new Event("open"));
      await this.#read(conn);
      await this.#writing; // an echoed close goes out before the connection ends
    } catch (error) {
      if (error instanceof Violation && this.readyState === OPEN) {
        this.#sendClose(error.code, "");
        await this.#writing;
      }
    } finally {
      this.#gone();
    }
  }

  #connect(url: URL): Promise<Deno.Conn> {
    const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const signal = this.#connecting!.signal;
    return url.protocol === "wss:"
      ? Deno.connectTls({ hostname, port: Number(url.port || 443) })
      : Deno.connect({ hostname, port: Number(url.port || 80), signal });
  }

  async #handshake(
    conn: Deno.Conn,
    url: URL,
    headers: Record<string, string>,
  ): Promise<void> {
    const key = encodeBase64(crypto.getRandomValues(new Uint8Array(16)));
    let head =
      `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n` +
      `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
      "Sec-WebSocket-Version: 13\r\n";
    for (const [name, value] of Object.entries(headers)) {
      if (/[\r\n:]/.test(name) || /[\r\n]/.test(value)) {
        throw new TypeError("a header with a line break");
      }
      head += `${name}: ${value}\r\n`;
    }
    const accept = encodeBase64(sha1(encoder.encode(key + GUID)));
    this.#write(encoder.encode(`${head}\r\n`));
    const answer = await this.#readHead(conn);
    const lines = answer.split("\r\n");
    if (!/^HTTP\/1\.1 101 /.test(`${lines[0]} `)) {
      throw new Error(`upgrade refused: ${lines[0]}`);
    }
    const fields = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      if (colon > 0) {
        fields.set(
          line.slice(0, colon).trim().toLowerCase(),
          line.slice(colon + 1).trim(),
        );
      }
    }
    if (
      fields.get("upgrade")?.toLowerCase() !== "websocket" ||
      !/\bupgrade\b/i.test(fields.get("connection") ?? "") ||
      fields.get("sec-websocket-accept") !== accept ||
      fields.has("sec-websocket-extensions") ||
      fields.has("sec-websocket-protocol")
    ) throw new Error("not a WebSocket handshake answer");
  }

  /** The answer's head (status line and fields); what follows stays in the buffer. */
  async #readHead(conn: Deno.Conn): Promise<string> {
    for (let scanned = 0;;) {
      const b = this.#buf;
      for (let i = Math.max(3, scanned); i < this.#end; i++) {
        if (
          b[i] === 10 && b[i - 1] === 13 && b[i - 2] === 10 && b[i - 3] === 13
        ) {
          this.#start = i + 1;
          return latin1.decode(b.subarray(0, i - 3));
        }
      }
      scanned = this.#end;
      if (this.#end >= MAX_HEAD_BYTES) {
        throw new Error("handshake answer too long");
      }
      if (this.#end === b.length) this.#makeRoom();
      const n = await conn.read(this.#buf.subarray(this.#end));
      if (n === null) throw new Error("closed during the handshake");
      this.#end += n;
    }
  }

  async #read(conn: Deno.Conn): Promise<void> {
    for (;;) {
      this.#parse();
      if (this.#closeReceived) return;
      if (this.#start === this.#end) {
        this.#start = this.#end = 0;
        // A large frame grew the buffer: an idle socket keeps a small one.
        if (this.#buf.length > 16 * FIRST_BUFFER_BYTES) {
          this.#buf = new Uint8Array(FIRST_BUFFER_BYTES);
        }
      }
      if (this.#end === this.#buf.length) this.#makeRoom();
      let n: number | null;
      try {
        n = await conn.read(this.#buf.subarray(this.#end));
      } catch {
        return; // dropped
      }
      if (n === null) return;
      this.#end += n;
    }
  }

  /** Move unread bytes to the front, or grow the buffer for a large frame. */
  #makeRoom(): void {
    if (this.#start > 0) {
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
      return;
    }
    const bigger = new Uint8Array(this.#buf.length * 2);
    bigger.set(this.#buf);
    this.#buf = bigger;
  }

  /** Take every complete frame out of the buffer. */
  #parse(): void {
    const b = this.#buf;
    while (!this.#closeReceived && this.readyState !== CLOSED) {
      const s = this.#start;
      const avail = this.#end - s;
      if (avail < 2) return;
      const b0 = b[s]!;
      const b1 = b[s + 1]!;
      if (b0 & 0x70) throw new Violation(1002, "reserved bits set");
      if (b1 & 0x80) {
        throw new Violation(1002, "a masked frame from the server");
      }
      let length = b1 & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (avail < 4) return;
        length = (b[s + 2]! << 8) | b[s + 3]!;
        offset = 4;
      } else if (length === 127) {
        if (avail < 10) return;
        const view = new DataView(b.buffer, b.byteOffset + s + 2, 8);
        if (view.getUint32(0) !== 0) {
          throw new Violation(1009, "frame too large");
        }
        length = view.getUint32(4);
        offset = 10;
      }
      if (length > MAX_MESSAGE_BYTES) {
        throw new Violation(1009, "frame too large");
      }
      if (avail < offset + length) return; // the read loop makes room for it
      this.#start = s + offset + length;
      this.#frame(
        b0 & 0x80,
        b0 & 0x0f,
        b.subarray(s + offset, s + offset + length),
      );
    }
  }

  #frame(fin: number, op: number, payload: Uint8Array): void {
    if (op >= 8) {
      if (!fin || payload.length > 125) {
        throw new Violation(1002, "bad control frame");
      }
      if (op === 8) return this.#onClose(payload);
      if (op === 9) return this.#send(10, payload.slice()); // pong
      if (op === 10) return;
      throw new Violation(1002, `unknown opcode ${op}`);
    }
    if (op === 0) {
      if (this.#fragments === undefined) {
        throw new Violation(1002, "stray continuation");
      }
      this.#fragments.push(payload.slice());
      this.#fragmentBytes += payload.length;
      if (this.#fragmentBytes > MAX_MESSAGE_BYTES) {
        throw new Violation(1009, "message too large");
      }
      if (!fin) return;
      const whole = new Uint8Array(this.#fragmentBytes);
      let at = 0;
      for (const part of this.#fragments) {
        whole.set(part, at);
        at += part.length;
      }
      this.#fragments = undefined;
      return this.#deliver(this.#fragmentOp, whole);
    }
    if (op !== 1 && op !== 2) throw new Violation(1002, `unknown opcode ${op}`);
    if (this.#fragments !== undefined) {
      throw new Violation(1002, "interleaved message");
    }
    if (fin) return this.#deliver(op, payload);
    this.#fragments = [payload.slice()];
    this.#fragmentOp = op;
    this.#fragmentBytes = payload.length;
  }

  #deliver(op: number, payload: Uint8Array): void {
    let data: string | ArrayBuffer;
    if (op === 1) {
      data = decoder.decode(payload);
      if (data.includes("\uFFFD")) {
        try {
          strict.decode(payload);
        } catch {
          throw new Violation(1007, "text that is not UTF-8");
        }
      }
    } else data = payload.slice().buffer;
    if (this.readyState !== OPEN) return; // closing: messages are dropped
    if (this.receiver !== undefined) this.receiver.data(data);
    else this.dispatchEvent(new MessageEvent("message", { data }));
  }

  /** The server's close frame: echo it (unless ours went first) and end. */
  #onClose(payload: Uint8Array): void {
    this.#closeReceived = true;
    this.#code = payload.length >= 2 ? (payload[0]! << 8) | payload[1]! : 1005;
    this.#reason = new TextDecoder().decode(payload.subarray(2));
    if (!this.#closeSent) {
      this.#sendClose(this.#code === 1005 ? undefined : this.#code, "");
    }
  }

  #sendClose(code: number | undefined, reason: string): void {
    if (this.#closeSent) return;
    this.#closeSent = true;
    const text = encoder.encode(reason).subarray(0, 123);
    const payload = new Uint8Array(code === undefined ? 0 : 2 + text.length);
    if (code !== undefined) {
      payload[0] = code >> 8;
      payload[1] = code & 0xff;
      payload.set(text, 2);
    }
    this.#send(8, payload);
  }

  /** Send one masked frame (clients must mask). */
  #send(op: number, payload: Uint8Array): void {
    const n = payload.length;
    const extra = n < 126 ? 0 : n < 65536 ? 2 : 8;
    const frame = new Uint8Array(6 + extra + n);
    frame[0] = 0x80 | op;
    if (extra === 0) frame[1] = 0x80 | n;
    else if (extra === 2) {
      frame[1] = 0x80 | 126;
      frame[2] = n >> 8;
      frame[3] = n & 0xff;
    } else {
      frame[1] = 0x80 | 127;
      new DataView(frame.buffer).setUint32(6, n);
    }
    const mask = crypto.getRandomValues(new Uint8Array(4));
    frame.set(mask, 2 + extra);
    const at = 6 + extra;
    for (let i = 0; i < n; i++) frame[at + i] = payload[i]! ^ mask[i & 3]!;
    this.#write(frame);
  }

  /** Writes go out in order; a failed write ends in the read loop's error. */
  #write(bytes: Uint8Array): void {
    this.#writing = this.#writing.then(async () => {
      const conn = this.#conn;
      for (let at = 0; conn !== undefined && at < bytes.length;) {
        at += await conn.write(bytes.subarray(at));
      }
    }).catch(() => {});
  }

  #drop(): void {
    try {
      this.#conn?.close();
    } catch {
      // already closed
    }
  }

  /** The connection is over: release it and tell, once. */
  #gone(): void {
    if (this.readyState === CLOSED) return;
    this.#drop();
    this.readyState = CLOSED;
    const clean = this.#closeReceived && this.#closeSent;
    this.receiver?.gone();
    if (!clean) this.dispatchEvent(new Event("error"));
    this.dispatchEvent(
      new CloseEvent("close", {
        code: clean ? this.#code : 1006,
        reason: clean ? this.#reason : "",
        wasClean: clean,
      }),
    );
  }
}
