// Copyright 2026 the handoff authors. MIT license.
// Opening the per-session WebSocket with the API key in a header wherever the
// runtime allows it, and closing it so that its TCP connection is gone within
// a bounded time even when the server never answers the close handshake.

import {
  DenoWebSocket,
  hasDenoSockets,
  MAX_MESSAGE_BYTES,
  type SocketReceiver,
} from "./_deno_websocket.ts";
import type {
  FetchLike,
  WebSocketAuth,
  WebSocketConstructor,
} from "./options.ts";
import type { Timer, Timers } from "./_timers.ts";

/** What a session needs from an open socket. */
export interface SocketHandle {
  /**
   * Close (code 1000) and stop delivering events; safe to call twice. A
   * socket whose close handshake has not finished after
   * {@linkcode CLOSE_WAIT_MS} is dropped (its TCP connection closed) where
   * the socket can be.
   */
  close(): void;
  /** Settles once the socket is gone, or was given up after the close wait. */
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

/** How long a close handshake may take before the connection is dropped. */
export const CLOSE_WAIT_MS = 2_000;
/** How long a dropped socket may take to say it is gone. */
const DROP_WAIT_MS = 1_000;

/** The `ws` package's options: no compression (the server has none). */
interface WsInit {
  headers?: Record<string, string>;
  perMessageDeflate?: boolean;
  maxPayload?: number;
}

let nodeSockets: Promise<WebSocketConstructor | undefined> | undefined;

/**
 * The `ws` package, where the runtime has Node's sockets (Node): its sockets
 * can drop their TCP connection (`terminate()`), which Node's web
 * `WebSocket` cannot (its `close()` waits for the server's close frame for
 * ever). Loaded on the first connection; `undefined` when it cannot be
 * loaded (the runtime's `WebSocket` is used then).
 */
function loadNodeSockets(): Promise<WebSocketConstructor | undefined> {
  nodeSockets ??= import("ws").then(
    (mod: { default?: unknown; WebSocket?: unknown }) => {
      const Ctor = mod.WebSocket ?? mod.default;
      if (typeof Ctor !== "function") return undefined;
      // Bind the options every socket gets, so the rest of the client sees
      // one constructor shape.
      const Ws = Ctor as new (url: string, init: WsInit) => WebSocket;
      return class extends Ws {
        constructor(url: string, init?: unknown) {
          super(url, {
            ...(init as WsInit | undefined),
            perMessageDeflate: false,
            maxPayload: MAX_MESSAGE_BYTES, // `ws` would take 100 MiB
          });
        }
      } as unknown as WebSocketConstructor;
    },
    () => undefined,
  );
  return nodeSockets;
}

/** Whether the runtime has Node's sockets (Node; Deno and Bun are picked before). */
function hasNodeSockets(): boolean {
  const g = globalThis as {
    process?: { versions?: { node?: unknown } };
    EdgeRuntime?: unknown;
  };
  return typeof g.process?.versions?.node === "string" &&
    g.EdgeRuntime === undefined;
}

/**
 * Opens a client's sockets: picks and remembers the auth strategy, and the
 * `WebSocket` to use, one that can drop its connection wherever the runtime
 * allows it: the one injected; else the runtime's own where it has
 * `terminate()` (Bun); else {@linkcode DenoWebSocket} on Deno; else the `ws`
 * package where the runtime has Node's sockets (Node); else the runtime's own
 * (Workers, edge-runtime, browsers).
 */
export class SocketFactory {
  #auth: WebSocketAuth | undefined;
  readonly #ctor: WebSocketConstructor | undefined;
  readonly #fetch: FetchLike;
  readonly #apiKey: string;
  readonly #timers: Timers;
  #resolved: WebSocketConstructor | undefined;
  #resolving: Promise<WebSocketConstructor | undefined> | undefined;

  constructor(
    apiKey: string,
    fetchFn: FetchLike,
    ctor: WebSocketConstructor | undefined,
    auth: WebSocketAuth | undefined,
    timers: Timers,
  ) {
    this.#apiKey = apiKey;
    this.#fetch = fetchFn;
    this.#ctor = ctor;
    this.#auth = auth;
    this.#timers = timers;
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
    const handle = new Handle(listener, this.#timers);
    if (this.#auth === "fetch-upgrade") {
      this.#openByFetch(httpUrl, handle);
      return handle;
    }
    const Ctor = this.#resolved ?? this.#resolve();
    if (Ctor !== undefined) this.#construct(Ctor, httpUrl, handle);
    else {
      // The `ws` package is being loaded (the first connection only).
      this.#resolving!.then((Ctor) => this.#construct(Ctor, httpUrl, handle));
    }
    return handle;
  }

  /** The constructor to use, when known without waiting. */
  #resolve(): WebSocketConstructor | undefined {
    const native = (globalThis as { WebSocket?: WebSocketConstructor })
      .WebSocket;
    if (this.#ctor !== undefined) return this.#resolved = this.#ctor;
    const terminates = typeof (native?.prototype as { terminate?: unknown })
      ?.terminate === "function";
    if (native !== undefined && terminates) return this.#resolved = native;
    if (hasDenoSockets()) {
      return this.#resolved = DenoWebSocket as unknown as WebSocketConstructor;
    }
    if (native !== undefined && !hasNodeSockets()) {
      return this.#resolved = native;
    }
    this.#resolving ??= loadNodeSockets().then((ws) =>
      this.#resolved = ws ?? native
    );
    return undefined;
  }

  #construct(
    Ctor: WebSocketConstructor | undefined,
    httpUrl: string,
    handle: Handle,
  ): void {
    if (handle.done) return handle.fail();
    if (Ctor === undefined) {
      return handle.fail(
        new TypeError(
          "This runtime has no global WebSocket: pass one as the `WebSocket` option of HandoffClient (e.g. from the `ws` package).",
        ),
      );
    }
    const wsUrl = httpUrl.replace(/^http/, "ws");
    if (this.#auth === "header") {
      try {
        handle.attach(
          new Ctor(wsUrl, { headers: { "X-API-Key": this.#apiKey } }),
        );
        return;
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

class Handle implements SocketHandle, SocketReceiver {
  readonly closed: Promise<void>;
  #resolveClosed!: () => void;
  #listener: SocketListener | undefined;
  #ws: WebSocket | undefined;
  #done = false; // closed by the caller, or the socket is gone
  #upgrade: AbortController | undefined; // only for `fetch-upgrade`
  readonly #timers: Timers;
  #closeWait: Timer | undefined;

  constructor(listener: SocketListener, timers: Timers) {
    this.#listener = listener;
    this.#timers = timers;
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
  }

  /** Whether the caller closed it or the socket is gone. */
  get done(): boolean {
    return this.#done;
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
    // unhandled (and the `ws` package from throwing them).
    // The library's own socket calls the handle directly (SocketReceiver):
    // no listeners, no events.
    if (ws instanceof DenoWebSocket) ws.receiver = this;
    else for (const type of EVENTS) ws.addEventListener(type, this);
    if (this.#done) this.#closeSocket();
    else if (alreadyOpen) this.#listener?.(this, "open");
  }

  /** A {@linkcode DenoWebSocket} opened. */
  opened(): void {
    this.#listener?.(this, "open");
  }

  /** A message from a {@linkcode DenoWebSocket}. */
  data(data: string | ArrayBuffer): void {
    this.#listener?.(this, "message", data);
  }

  /** A {@linkcode DenoWebSocket} is gone. */
  gone(): void {
    this.#finish();
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

  /** The socket could not be had; the owner hears `close` (never why). */
  fail(_error?: unknown): void {
    // The reason of a failed handshake is never surfaced: it can carry the
    // URL (and with `query` auth, the key). The session asks the REST API why.
    queueMicrotask(() => this.#finish());
  }

  close(): void {
    if (this.#done) return;
    this.#listener = undefined; // the caller knows: no "close"
    this.#release();
    if (this.#ws === undefined) this.#resolveClosed();
    else this.#closeSocket();
  }

  #release(): void {
    this.#done = true;
    const ws = this.#ws;
    // Stop listening, except for errors and the close event (to know when
    // it is gone).
    ws?.removeEventListener("open", this);
    ws?.removeEventListener("message", this);
    this.#upgrade?.abort(DETACHED);
  }

  /** Start the close handshake; drop the connection if it does not finish in time. */
  #closeSocket(): void {
    try {
      this.#ws?.close(1000);
    } catch {
      // already closing
    }
    this.#closeWait = this.#timers.set(CLOSE_WAIT_MS, () => this.#drop());
  }

  /**
   * The server did not answer the close (a stalled path, a peer gone without
   * a word): drop the TCP connection where the socket can, and stop waiting.
   */
  #drop(): void {
    const ws = this.#ws as (WebSocket & { terminate?: () => void }) | undefined;
    this.#closeWait = undefined;
    if (typeof ws?.terminate === "function") {
      try {
        ws.terminate();
        // Its close event follows at once and finishes the handle; a socket
        // that does not send one is given up a little later.
        this.#closeWait = this.#timers.set(DROP_WAIT_MS, () => this.#finish());
        return;
      } catch {
        // already gone
      }
    }
    this.#finish();
  }

  #finish(): void {
    const listener = this.#listener;
    this.#listener = undefined;
    this.#release();
    this.#timers.clear(this.#closeWait);
    this.#closeWait = undefined;
    const ws = this.#ws;
    if (ws instanceof DenoWebSocket) ws.receiver = undefined;
    ws?.removeEventListener("error", this);
    ws?.removeEventListener("close", this);
    this.#resolveClosed();
    listener?.(this, "close");
  }
}
