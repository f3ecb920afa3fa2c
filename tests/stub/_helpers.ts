// Copyright 2026 the handoff authors. MIT license.
// Shared helpers of the stub server's test suite. Everything here talks to the
// stub over real loopback HTTP / WebSocket / TCP, and cleans up after itself so
// the op and resource sanitizers stay happy.

import assert from "node:assert/strict";
import {
  startStubServer,
  type StubServer,
  type StubServerOptions,
} from "../../testing.ts";

/** A lower-case UUID as the server makes them. */
export const UUID_RE =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** RFC 3339 with 0–9 fractional digits, trailing zeros trimmed. */
export const TIMESTAMP_RE =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{0,8}[1-9])?(Z|[+-]\d{2}:\d{2})$/;

/** The same, to embed in a larger regular expression. */
export const TS = String
  .raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{0,8}[1-9])?(?:Z|[+-]\d{2}:\d{2})`;

/** The same as {@linkcode UUID_RE}, to embed. */
export const UUID =
  "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/** The content type of every JSON answer. */
export const JSON_TYPE = "application/json; charset=utf-8";

/** A UUID no session has. */
export const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

/** Resolve after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Escape a string for use inside a RegExp. */
export function re(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\\/]/g, "\\$&");
}

/** Standard base64 of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** URL-safe base64 of bytes (with padding, like Go's URLEncoding). */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replaceAll("+", "-").replaceAll("/", "_");
}

/** Deterministic pseudo-random bytes. */
export function bytesOf(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** An answer with its body fully read. */
export interface Reply {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
  text: string;
  // deno-lint-ignore no-explicit-any
  json: any;
}

/** Options of {@linkcode api}. */
export interface ApiOptions {
  method?: string;
  /** The `X-API-Key` header; `null` sends none. @default {stub.apiKey} */
  key?: string | null;
  /** A JSON value (stringified) or a raw body. */
  body?: unknown;
  headers?: Record<string, string>;
  redirect?: RequestRedirect;
}

/** Read a response completely. */
export async function readReply(res: Response): Promise<Reply> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, bytes, text, json };
}

/** Send a request to the stub over the network and read the whole answer. */
export async function api(
  stub: StubServer,
  path: string,
  options: ApiOptions = {},
): Promise<Reply> {
  const headers = new Headers(options.headers ?? {});
  const key = options.key === undefined ? stub.apiKey : options.key;
  if (key !== null) headers.set("X-API-Key", key);
  let body: BodyInit | undefined;
  if (options.body === undefined) body = undefined;
  else if (
    typeof options.body === "string" || options.body instanceof Uint8Array ||
    options.body instanceof FormData
  ) {
    body = options.body as BodyInit;
  } else {
    body = JSON.stringify(options.body);
    if (!headers.has("content-type")) {
      headers.set("content-type", "application/json");
    }
  }
  const res = await fetch(stub.url + path, {
    method: options.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    ...(body === undefined ? {} : { body }),
    redirect: options.redirect ?? "follow",
  });
  return await readReply(res);
}

/** Assert a JSON answer: status, content type and the exact body text. */
export function assertJson(reply: Reply, status: number, body: string): void {
  assert.equal(
    reply.status,
    status,
    `expected ${status}, got ${reply.status}: ${reply.text}`,
  );
  assert.equal(reply.headers.get("content-type"), JSON_TYPE);
  assert.equal(reply.text, body);
}

/** Assert a `{"error":"…"}` answer. */
export function assertError(
  reply: Reply,
  status: number,
  message: string,
): void {
  assertJson(reply, status, JSON.stringify({ error: message }));
}

/** Assert an HTML page answer. */
export function assertHtml(reply: Reply, status: number): void {
  assert.equal(
    reply.status,
    status,
    `expected ${status}, got ${reply.status}: ${reply.text.slice(0, 200)}`,
  );
  assert.match(reply.headers.get("content-type") ?? "", /^text\/html/);
}

/** `POST /api/v1/sessions`, asserting 201; returns the Session object. */
export async function createSession(
  stub: StubServer,
  body: Record<string, unknown> = {
    action_type: "photo",
    output_format: "jpg",
  },
  key?: string,
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  const reply = await api(stub, "/api/v1/sessions", {
    body,
    ...(key === undefined ? {} : { key }),
  });
  assert.equal(reply.status, 201, `create failed: ${reply.text}`);
  assert.equal(reply.headers.get("content-type"), JSON_TYPE);
  return reply.json;
}

/** `GET /api/v1/sessions/:id`. */
export function getSession(stub: StubServer, id: string): Promise<Reply> {
  return api(stub, `/api/v1/sessions/${id}`);
}

/** `GET /api/v1/sessions/:id/result`. */
export function getResult(stub: StubServer, id: string): Promise<Reply> {
  return api(stub, `/api/v1/sessions/${id}/result`);
}

/** `GET` a download by id or by relative path (`/api/v1/downloads/…`). */
export function download(
  stub: StubServer,
  idOrPath: string,
  key?: string,
): Promise<Reply> {
  const path = idOrPath.startsWith("/")
    ? idOrPath
    : `/api/v1/downloads/${idOrPath}`;
  return api(stub, path, key === undefined ? {} : { key });
}

/** A phone request over HTTP (`/s/...`, no API key). */
export function phone(
  stub: StubServer,
  path: string,
  options: Omit<ApiOptions, "key"> = {},
): Promise<Reply> {
  return api(stub, path, { ...options, key: null });
}

/** A multipart scan upload over HTTP. */
export function uploadForm(
  stub: StubServer,
  id: string,
  fields: {
    file?: { data: Uint8Array; type?: string; name?: string };
    document_index?: string;
    page_index?: string;
  },
): Promise<Reply> {
  const form = new FormData();
  if (fields.file !== undefined) {
    form.append(
      "file",
      new Blob([fields.file.data as Uint8Array<ArrayBuffer>], {
        type: fields.file.type ?? "image/jpeg",
      }),
      fields.file.name ?? "page.jpg",
    );
  }
  if (fields.document_index !== undefined) {
    form.append("document_index", fields.document_index);
  }
  if (fields.page_index !== undefined) {
    form.append("page_index", fields.page_index);
  }
  return phone(stub, `/s/${id}/scan/upload`, { method: "POST", body: form });
}

/** Poll `check` until it returns true, or fail after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/** Close information of a WebSocket. */
export interface CloseInfo {
  code: number;
  reason: string;
  wasClean: boolean;
}

/**
 * Assert an abnormal closure (no close frame): what browsers report as 1006.
 * Deno's client reports code 0 for it, so both are accepted, with
 * `wasClean` false.
 */
export function assertAbnormalClose(info: CloseInfo): void {
  assert.ok(
    info.code === 1006 || info.code === 0,
    `expected an abnormal closure (1006), got code ${info.code}`,
  );
  assert.equal(info.wasClean, false, "closed without a close frame");
}

/** A parsed WebSocket frame. */
export interface Frame {
  type: string;
  session_id: string;
  status: string;
  data?: unknown;
  timestamp: string;
  /** The frame exactly as received. */
  raw: string;
}

/** Options of {@linkcode WsClient.connect}. */
export interface WsOptions {
  /** The `X-API-Key` header; `null` sends none. @default {stub.apiKey} */
  key?: string | null;
  /** Value of the `api_key` query parameter. */
  query?: string;
  /** Extra handshake headers. */
  headers?: Record<string, string>;
  /** Subprotocols to ask for. */
  protocols?: string[];
}

/**
 * A WebSocket client that queues messages, can await the next one with a
 * timeout (cleaning up its timer), and always waits for its `close` event.
 */
export class WsClient {
  readonly socket: WebSocket;
  /** Resolves true once open, false if it closed before opening. */
  readonly opened: Promise<boolean>;
  /** Resolves with the close information. */
  readonly closed: Promise<CloseInfo>;
  #queue: string[] = [];
  #waiter: (() => void) | undefined;
  #isClosed = false;
  received = 0;

  constructor(url: string, init: WebSocketOptions) {
    this.socket = new WebSocket(url, init);
    this.opened = new Promise((resolve) => {
      this.socket.addEventListener("open", () => resolve(true), { once: true });
      this.socket.addEventListener("close", () => resolve(false), {
        once: true,
      });
    });
    this.closed = new Promise((resolve) => {
      this.socket.addEventListener("close", (e) => {
        this.#isClosed = true;
        resolve({ code: e.code, reason: e.reason, wasClean: e.wasClean });
        this.#waiter?.();
      }, { once: true });
    });
    this.socket.addEventListener("error", () => {});
    this.socket.addEventListener("message", (e: MessageEvent) => {
      this.received++;
      this.#queue.push(
        typeof e.data === "string" ? e.data : `<binary ${String(e.data)}>`,
      );
      this.#waiter?.();
    });
  }

  /** Open a socket to a session's `/ws` endpoint (does not wait). */
  static connect(
    stub: StubServer,
    id: string,
    options: WsOptions = {},
    registry?: WsClient[],
  ): WsClient {
    let url = stub.url.replace(/^http/, "ws") + `/api/v1/sessions/${id}/ws`;
    if (options.query !== undefined) {
      url += `?api_key=${encodeURIComponent(options.query)}`;
    }
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    const key = options.key === undefined ? stub.apiKey : options.key;
    if (key !== null) headers["X-API-Key"] = key;
    const init: WebSocketOptions = { headers };
    if (options.protocols !== undefined) init.protocols = options.protocols;
    const client = new WsClient(url, init);
    registry?.push(client);
    return client;
  }

  /** Whether the close event has fired. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Messages received and not yet taken. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Await the next raw message. */
  async nextRaw(timeoutMs = 3000): Promise<string> {
    if (this.#queue.length === 0) {
      if (this.#isClosed) throw new Error("socket closed, no message");
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await new Promise<void>((resolve, reject) => {
          this.#waiter = resolve;
          timer = setTimeout(
            () => reject(new Error(`no message within ${timeoutMs} ms`)),
            timeoutMs,
          );
        });
      } finally {
        clearTimeout(timer);
        this.#waiter = undefined;
      }
    }
    const msg = this.#queue.shift();
    if (msg === undefined) throw new Error("socket closed, no message");
    return msg;
  }

  /** Await the next frame: checks the trailing newline and parses it. */
  async next(timeoutMs = 3000): Promise<Frame> {
    const raw = await this.nextRaw(timeoutMs);
    assert.ok(raw.endsWith("\n"), `frame lacks a trailing \\n: ${raw}`);
    assert.ok(!raw.slice(0, -1).includes("\n"), `one JSON object per frame`);
    return { ...JSON.parse(raw), raw };
  }

  /** Assert nothing arrives within `ms`. */
  async expectSilence(ms = 150): Promise<void> {
    await delay(ms);
    assert.equal(
      this.#queue.length,
      0,
      `unexpected message: ${this.#queue[0]}`,
    );
  }

  /** Close (if needed) and wait for the close event. */
  async close(code?: number, reason?: string): Promise<CloseInfo> {
    if (
      this.socket.readyState === WebSocket.OPEN ||
      this.socket.readyState === WebSocket.CONNECTING
    ) {
      try {
        if (code === undefined) this.socket.close();
        else this.socket.close(code, reason);
      } catch {
        // already closing
      }
    }
    return await this.closed;
  }
}

/** A running stub plus what a test opened against it. */
export interface Harness {
  stub: StubServer;
  sockets: WsClient[];
  /** Connect a socket (registered for cleanup). */
  ws(id: string, options?: WsOptions): WsClient;
  /** Connect a socket and wait for it to open; fails if it does not. */
  open(id: string, options?: WsOptions): Promise<WsClient>;
}

/**
 * Start a stub, run `fn`, then close every socket the test opened (waiting
 * for their close events) and the stub, even when `fn` throws.
 */
export async function withStub(
  fn: (h: Harness) => Promise<void>,
  options: StubServerOptions = {},
): Promise<void> {
  const stub = await startStubServer(options);
  const sockets: WsClient[] = [];
  const h: Harness = {
    stub,
    sockets,
    ws: (id, o) => WsClient.connect(stub, id, o, sockets),
    open: async (id, o) => {
      const c = WsClient.connect(stub, id, o, sockets);
      const ok = await c.opened;
      if (!ok) {
        const info = await c.closed;
        throw new Error(`WebSocket did not open (close ${info.code})`);
      }
      return c;
    },
  };
  try {
    await fn(h);
  } finally {
    // Ask politely first, then let the server close cut whatever is left.
    for (const s of sockets) {
      if (
        !s.isClosed && s.socket.readyState === WebSocket.OPEN
      ) {
        try {
          s.socket.close();
        } catch { /* ignore */ }
      }
    }
    if (sockets.some((s) => !s.isClosed)) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all(sockets.map((s) => s.closed)),
        new Promise((resolve) => timer = setTimeout(resolve, 300)),
      ]);
      clearTimeout(timer);
    }
    await stub.close();
    await Promise.all(sockets.map((s) => s.closed));
  }
}

/** A raw HTTP/1.1 answer read off a TCP socket. */
export interface RawReply {
  status: number;
  /** Header names in lower case. */
  headers: Map<string, string>;
  /** The header block as received. */
  head: string;
  body: Uint8Array;
  text: string;
  chunked: boolean;
}

function indexOfCrlfCrlf(buf: Uint8Array): number {
  for (let i = 0; i + 3 < buf.length; i++) {
    if (
      buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 &&
      buf[i + 3] === 10
    ) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Send a raw HTTP/1.1 request over TCP and read one answer: the head, then a
 * body by Content-Length or chunked encoding (nothing for 101 or `noBody`).
 * The connection is closed afterwards.
 */
export async function rawRequest(
  stub: StubServer,
  lines: string[],
  options: { body?: Uint8Array; noBody?: boolean } = {},
): Promise<RawReply> {
  const port = Number(new URL(stub.url).port);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const head = lines.join("\r\n") + "\r\n\r\n";
    let out: Uint8Array = new TextEncoder().encode(head);
    if (options.body !== undefined) out = concat(out, options.body);
    let written = 0;
    while (written < out.length) {
      written += await conn.write(out.subarray(written));
    }
    let buf: Uint8Array = new Uint8Array(0);
    const chunk = new Uint8Array(16384);
    const more = async (): Promise<boolean> => {
      const n = await conn.read(chunk);
      if (n === null) return false;
      buf = concat(buf, chunk.subarray(0, n));
      return true;
    };
    let end = indexOfCrlfCrlf(buf);
    while (end < 0) {
      if (!(await more())) throw new Error("connection closed before head");
      end = indexOfCrlfCrlf(buf);
    }
    const headText = new TextDecoder().decode(buf.subarray(0, end));
    buf = buf.subarray(end + 4);
    const [statusLine, ...headerLines] = headText.split("\r\n");
    const status = Number(statusLine?.split(" ")[1]);
    const headers = new Map<string, string>();
    for (const line of headerLines) {
      const i = line.indexOf(":");
      headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
    }
    let body: Uint8Array = new Uint8Array(0);
    const chunked = /chunked/i.test(headers.get("transfer-encoding") ?? "");
    if (status === 101 || options.noBody) {
      body = new Uint8Array(0);
    } else if (headers.has("content-length")) {
      const len = Number(headers.get("content-length"));
      while (buf.length < len) {
        if (!(await more())) break;
      }
      body = buf.subarray(0, len);
    } else if (chunked) {
      // Decode chunks until the zero-length one.
      for (;;) {
        let lineEnd = -1;
        while (
          (lineEnd = buf.findIndex((b, i) => b === 13 && buf[i + 1] === 10)) <
            0
        ) {
          if (!(await more())) throw new Error("truncated chunked body");
        }
        const size = parseInt(
          new TextDecoder().decode(buf.subarray(0, lineEnd)),
          16,
        );
        buf = buf.subarray(lineEnd + 2);
        while (buf.length < size + 2) {
          if (!(await more())) throw new Error("truncated chunk");
        }
        if (size === 0) break;
        body = concat(body, buf.subarray(0, size));
        buf = buf.subarray(size + 2);
      }
    } else {
      while (await more()) { /* read to EOF */ }
      body = buf;
    }
    return {
      status,
      headers,
      head: headText,
      body,
      text: new TextDecoder().decode(body),
      chunked,
    };
  } finally {
    try {
      conn.close();
    } catch { /* already closed */ }
  }
}

/** A raw WebSocket upgrade request (returns the HTTP answer; closes the TCP connection). */
export function rawUpgrade(
  stub: StubServer,
  id: string,
  options: {
    key?: string | null;
    query?: string;
    extra?: string[];
    upgrade?: boolean;
  } = {},
): Promise<RawReply> {
  const host = new URL(stub.url).host;
  let path = `/api/v1/sessions/${id}/ws`;
  if (options.query !== undefined) {
    path += `?api_key=${encodeURIComponent(options.query)}`;
  }
  const lines = [`GET ${path} HTTP/1.1`, `Host: ${host}`];
  if (options.upgrade !== false) {
    lines.push(
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version: 13",
    );
  } else {
    lines.push("Connection: close");
  }
  const key = options.key === undefined ? stub.apiKey : options.key;
  if (key !== null) lines.push(`X-API-Key: ${key}`);
  lines.push(...(options.extra ?? []));
  return rawRequest(stub, lines);
}

/** Create a photo session, open it and submit `items`; returns ids and items. */
export async function completedPhoto(
  stub: StubServer,
  body: Record<string, unknown> = {
    action_type: "photo",
    output_format: "jpg",
  },
  items: { contentType: string; filename?: string; data: Uint8Array }[] = [
    {
      contentType: "image/jpeg",
      filename: "photo.jpg",
      data: bytesOf(64, 7),
    },
  ],
): Promise<
  {
    id: string;
    items: { downloadId: string; contentType: string; filename: string }[];
  }
> {
  const session = await createSession(stub, body);
  await stub.phone.open(session.id);
  const result = await stub.phone.submit(session.id, items);
  return { id: session.id, items: result };
}
