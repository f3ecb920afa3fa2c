// Copyright 2026 the handoff authors. MIT license.
// Opening the per-session WebSocket with the API key in a header wherever the
// runtime allows it.

import type { FetchLike } from "./_http.ts";

/**
 * How the WebSocket carries the API key:
 * - `header`: `new WebSocket(url, { headers: { "X-API-Key": … } })` (Deno, Bun, Node ≥ 22);
 * - `fetch-upgrade`: `fetch(url, { headers: { Upgrade: "websocket", … } })` and
 *   `response.webSocket.accept()` (Cloudflare Workers);
 * - `query`: `?api_key=…` in the URL, for runtimes whose `WebSocket` takes no
 *   headers (browsers). The key may then show up in server access logs.
 *
 * @example
 * ```ts
 * import type { WebSocketAuth } from "@handoff/client";
 *
 * const auth: WebSocketAuth = "header"; // or "query" in browsers, "fetch-upgrade" in Workers
 * ```
 */
export type WebSocketAuth = "header" | "fetch-upgrade" | "query";

/**
 * The `WebSocket` constructor the client uses; inject one for runtimes without a global.
 *
 * @example
 * ```ts
 * import type { WebSocketConstructor } from "@handoff/client";
 *
 * const Native: WebSocketConstructor = WebSocket;
 * ```
 */
export type WebSocketConstructor = new (
  url: string,
  protocolsOrInit?: string | string[] | {
    headers?: Record<string, string>;
    protocols?: string | string[];
  },
) => WebSocket;

/** What a session needs from an open socket. */
export interface SocketHandle {
  /** Close (code 1000) and stop delivering events; safe to call twice. */
  close(): void;
  /** Settles once the socket has closed and released its resources. */
  readonly closed: Promise<void>;
}

/**
 * What the owner of a socket hears: `open`; each `message` with its data;
 * `close` once, when the socket is gone (failed handshake, drop, or close),
 * unless the owner closed it. `socket` tells which socket it was, so one
 * function serves a session's every socket.
 */
export type SocketListener = (
  socket: SocketHandle,
  event: "open" | "message" | "close",
  data?: unknown,
) => void;

/** Picks and remembers the auth strategy for one client. */
export class SocketFactory {
  #auth: WebSocketAuth | undefined;
  readonly #ctor: WebSocketConstructor | undefined;
  readonly #fetch: FetchLike;
  readonly #apiKey: string;

  constructor(
    apiKey: string,
    fetchFn: FetchLike,
    ctor: WebSocketConstructor | undefined,
    auth: WebSocketAuth | undefined,
  ) {
    this.#apiKey = apiKey;
    this.#fetch = fetchFn;
    this.#ctor = ctor;
    this.#auth = auth;
  }

  /** The strategy in use (decided on the first connection when not configured). */
  get auth(): WebSocketAuth | undefined {
    return this.#auth;
  }

  #webSocketClass(): WebSocketConstructor | undefined {
    return this.#ctor ??
      (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  }

  /** Open a socket to `httpUrl` (an `http(s)://…/ws` URL). */
  open(httpUrl: string, listener: SocketListener): SocketHandle {
    if (this.#auth === undefined) {
      const hasPair = typeof (globalThis as { WebSocketPair?: unknown })
        .WebSocketPair === "function";
      this.#auth = this.#ctor === undefined && hasPair
        ? "fetch-upgrade"
        : "header";
    }
    const handle = new Handle(listener);
    if (this.#auth === "fetch-upgrade") {
      this.#openByFetch(httpUrl, handle);
      return handle;
    }
    const Ctor = this.#webSocketClass();
    if (Ctor === undefined) {
      handle.fail(
        new TypeError(
          "This runtime has no global WebSocket: pass one as the `WebSocket` option of HandoffClient (e.g. from the `ws` package).",
        ),
      );
      return handle;
    }
    const wsUrl = httpUrl.replace(/^http/, "ws");
    if (this.#auth === "header") {
      try {
        handle.attach(
          new Ctor(wsUrl, { headers: { "X-API-Key": this.#apiKey } }),
        );
        return handle;
      } catch (error) {
        // A WebSocket that takes no init object throws synchronously
        // (browsers: "invalid subprotocol"); fall back to the query parameter.
        if (!(error instanceof Error)) throw error;
        this.#auth = "query";
      }
    }
    try {
      const url = new URL(wsUrl);
      url.searchParams.set("api_key", this.#apiKey);
      handle.attach(new Ctor(url.href));
    } catch (error) {
      handle.fail(error);
    }
    return handle;
  }

  async #openByFetch(httpUrl: string, handle: Handle): Promise<void> {
    try {
      const response = await this.#fetch(httpUrl, {
        headers: { Upgrade: "websocket", "X-API-Key": this.#apiKey },
        signal: handle.signal,
      });
      const ws = (response as Response & { webSocket?: WebSocket | null })
        .webSocket;
      if (!ws) {
        await response.body?.cancel();
        return handle.fail(new Error(`upgrade refused (${response.status})`));
      }
      (ws as WebSocket & { accept(): void }).accept();
      handle.attach(ws, true);
    } catch (error) {
      handle.fail(error);
    }
  }
}

/**
 * Why a handle aborts its upgrade request. A constant, because `abort()`
 * without a reason builds a DOMException.
 */
const DETACHED = "the socket handle is done";

const EVENTS = ["open", "message", "error", "close"] as const;

class Handle implements SocketHandle {
  readonly closed: Promise<void>;
  #resolveClosed!: () => void;
  #listener: SocketListener | undefined;
  #ws: WebSocket | undefined;
  #done = false; // closed by the caller, or the socket is gone
  #upgrade: AbortController | undefined; // only for `fetch-upgrade`

  constructor(listener: SocketListener) {
    this.#listener = listener;
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
  }

  /** Aborted once the handle is done: cancels a `fetch-upgrade` request. */
  get signal(): AbortSignal {
    this.#upgrade ??= new AbortController();
    if (this.#done) this.#upgrade.abort(DETACHED);
    return this.#upgrade.signal;
  }

  attach(ws: WebSocket, alreadyOpen = false): void {
    this.#ws = ws;
    // The handle is the listener object of all four events (handleEvent):
    // no closure per event and socket. Errors are always followed by a close
    // event; listening to them keeps runtimes from reporting them as
    // unhandled.
    for (const type of EVENTS) ws.addEventListener(type, this);
    if (this.#done) {
      this.#detach();
      this.#closeSocket();
    } else if (alreadyOpen) this.#listener?.(this, "open");
  }

  /** The socket's events (EventListener interface). */
  handleEvent(event: Event): void {
    switch (event.type) {
      case "message":
        this.#listener?.(this, "message", (event as MessageEvent).data);
        break;
      case "open":
        this.#listener?.(this, "open");
        break;
      case "close":
        this.#finish();
    }
  }

  fail(_error: unknown): void {
    // The reason of a failed handshake is never surfaced: it can carry the
    // URL (and with `query` auth, the key). The session asks the REST API why.
    queueMicrotask(() => this.#finish());
  }

  close(): void {
    if (this.#done) return;
    this.#listener = undefined; // the caller knows: no "close"
    this.#release();
    this.#closeSocket();
    if (this.#ws === undefined) this.#resolveClosed();
  }

  #release(): void {
    this.#done = true;
    this.#detach();
    this.#upgrade?.abort(DETACHED);
  }

  /** Stop listening, except for the close event (to know when it is gone). */
  #detach(): void {
    const ws = this.#ws;
    if (ws === undefined) return;
    ws.removeEventListener("open", this);
    ws.removeEventListener("message", this);
    ws.removeEventListener("error", this);
  }

  #closeSocket(): void {
    try {
      this.#ws?.close(1000);
    } catch {
      // already closing
    }
  }

  #finish(): void {
    const listener = this.#listener;
    this.#listener = undefined;
    this.#release();
    this.#ws?.removeEventListener("close", this);
    this.#resolveClosed();
    listener?.(this, "close");
  }
}
