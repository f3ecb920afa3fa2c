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

export interface SocketEvents {
  onOpen(): void;
  onMessage(data: unknown): void;
  /** The socket is gone (failed handshake, drop, or close). Called once. */
  onClose(code: number): void;
}

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
  open(httpUrl: string, events: SocketEvents): SocketHandle {
    if (this.#auth === undefined) {
      const hasPair = typeof (globalThis as { WebSocketPair?: unknown })
        .WebSocketPair === "function";
      this.#auth = this.#ctor === undefined && hasPair
        ? "fetch-upgrade"
        : "header";
    }
    const handle = new Handle(events);
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

class Handle implements SocketHandle {
  readonly closed: Promise<void>;
  #resolveClosed!: () => void;
  #events: SocketEvents | undefined;
  #ws: WebSocket | undefined;
  #done = false; // closed by the caller, or the socket is gone
  #detach: (() => void) | undefined;
  #upgrade: AbortController | undefined; // only for `fetch-upgrade`

  constructor(events: SocketEvents) {
    this.#events = events;
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
    // Listeners are removed by hand rather than with an AbortSignal: one
    // controller less per session, in memory and on the way to creating it.
    const onOpen = () => this.#events?.onOpen();
    const onMessage = (e: MessageEvent) => this.#events?.onMessage(e.data);
    // Errors are always followed by a close event; nothing to do on them,
    // but listening keeps runtimes from reporting them as unhandled.
    const onError = () => {};
    ws.addEventListener("open", onOpen);
    ws.addEventListener("message", onMessage);
    ws.addEventListener("error", onError);
    ws.addEventListener("close", (e) => {
      this.#finish(e.code);
    }, { once: true });
    this.#detach = () => {
      ws.removeEventListener("open", onOpen);
      ws.removeEventListener("message", onMessage);
      ws.removeEventListener("error", onError);
    };
    if (this.#done) {
      this.#detach();
      this.#closeSocket();
    } else if (alreadyOpen) this.#events?.onOpen();
  }

  fail(_error: unknown): void {
    // The reason of a failed handshake is never surfaced: it can carry the
    // URL (and with `query` auth, the key). The session asks the REST API why.
    queueMicrotask(() => this.#finish(1006));
  }

  close(): void {
    if (this.#done) return;
    this.#events = undefined; // the caller knows; no onClose
    this.#release();
    this.#closeSocket();
    if (this.#ws === undefined) this.#resolveClosed();
  }

  #release(): void {
    this.#done = true;
    this.#detach?.();
    this.#upgrade?.abort(DETACHED);
  }

  #closeSocket(): void {
    try {
      this.#ws?.close(1000);
    } catch {
      // already closing
    }
  }

  #finish(code: number): void {
    const events = this.#events;
    this.#events = undefined;
    this.#release();
    this.#resolveClosed();
    events?.onClose(code);
  }
}
