// Copyright 2026 the handoff authors. MIT license.
// Helpers of the hostile-input tests: a scripted WebSocket, a tiny fake
// Handoff server on loopback, bounds on waiting, and a watch for unhandled
// rejections.

import assert from "node:assert/strict";
import {
  HandoffClient,
  type HandoffClientOptions,
  type WebSocketConstructor,
} from "../../mod.ts";
import { BASE, ID, KEY, sessionJson } from "../client/_fake_fetch.ts";

export { BASE, ID, KEY, sessionJson };

/** Another session's id. */
export const OTHER_ID = "9d0c1b2a-3e4f-4a5b-8c7d-6e5f4a3b2c1d";

/** A timestamp as the server writes them. */
export const STAMP = "2026-11-22T02:07:46.87742371Z";

/** Resolve with `promise`, or fail the test when it takes longer than `ms`. */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what} did not settle within ${ms} ms`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolve after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Count unhandled rejections while it is in use (and keep them from failing
 * the test on their own, so the test can say which one it was).
 */
export class RejectionWatch implements Disposable {
  readonly reasons: unknown[] = [];
  readonly #listener = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    this.reasons.push(event.reason);
  };

  constructor() {
    globalThis.addEventListener("unhandledrejection", this.#listener);
  }

  /** Fail when any rejection went unhandled. */
  async assertNone(): Promise<void> {
    // Unhandled rejections are reported after the microtask queue drains.
    await delay(0);
    assert.deepEqual(
      this.reasons.map(String),
      [],
      "unhandled rejections were reported",
    );
  }

  [Symbol.dispose](): void {
    globalThis.removeEventListener("unhandledrejection", this.#listener);
  }
}

/**
 * A WebSocket that opens on the next turn and then delivers the messages of
 * {@linkcode ScriptedWebSocket.script} (each new socket replays it). No
 * network; every timer is cleared on close.
 */
export class ScriptedWebSocket extends EventTarget {
  /** The `data` of each message the next sockets deliver. */
  static script: readonly unknown[] = [];
  /** Every socket made. */
  static readonly made: ScriptedWebSocket[] = [];
  readonly url: string;
  readyState = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(url: string, _init?: unknown) {
    super();
    this.url = url;
    ScriptedWebSocket.made.push(this);
    const script = ScriptedWebSocket.script;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.readyState !== 0) return;
      this.readyState = 1;
      this.dispatchEvent(new Event("open"));
      for (const data of script) {
        if (this.readyState !== 1) return;
        this.dispatchEvent(new MessageEvent("message", { data }));
      }
    }, 0);
  }

  close(code = 1000): void {
    if (this.readyState >= 2) return;
    clearTimeout(this.#timer);
    this.readyState = 3;
    queueMicrotask(() =>
      this.dispatchEvent(new CloseEvent("close", { code, wasClean: true }))
    );
  }

  send(): void {}
}

/** A client of the scripted socket and a given fetch, tuned to be quick. */
export function scriptedClient(
  fetchFn: HandoffClientOptions["fetch"],
  options: Partial<HandoffClientOptions> = {},
): HandoffClient {
  return new HandoffClient({
    baseUrl: BASE,
    apiKey: KEY,
    ...(fetchFn ? { fetch: fetchFn } : {}),
    WebSocket: ScriptedWebSocket as unknown as WebSocketConstructor,
    retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 2 },
    reconnect: {
      initialDelayMs: 5,
      maxDelayMs: 20,
      attemptsBeforePolling: 2,
      stableAfterMs: 1_000,
    },
    pollIntervalMs: 20,
    livenessIntervalMs: 60_000,
    timeoutMs: 2_000,
    ...options,
  });
}

/** How the fake server answers a WebSocket upgrade. */
export type Upgrade =
  | "hang" // never answer
  | Response // refuse with this answer
  | ((socket: WebSocket) => void); // upgrade, then talk

/** A tiny Handoff server on loopback whose answers the test writes. */
export interface FakeServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Requests received, as `METHOD /path`. */
  readonly requests: string[];
  /** Server-side sockets, to close or inspect. */
  readonly sockets: WebSocket[];
  close(): Promise<void>;
}

/** Options of {@linkcode startFakeServer}. */
export interface FakeServerOptions {
  /** Answer to `GET …/result` (default: 202 pending). */
  result?: (n: number) => Response;
  /** Answer to `GET /sessions/:id` (default: the pending session). */
  session?: (id: string) => Response;
  /** How to answer an upgrade (default: upgrade and send the pending snapshot). */
  upgrade?: (n: number) => Upgrade;
}

/** A JSON answer. */
export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

/** A `status_update` frame as the server writes it. */
export function statusFrame(status: string, id = ID): string {
  return `${
    JSON.stringify({
      type: "status_update",
      session_id: id,
      status,
      timestamp: STAMP,
    })
  }\n`;
}

/** A `completed` frame as the server writes it. */
export function completedFrame(data: unknown, id = ID): string {
  return `${
    JSON.stringify({
      type: "completed",
      session_id: id,
      status: "completed",
      data,
      timestamp: STAMP,
    })
  }\n`;
}

/** Start a {@linkcode FakeServer}. */
export function startFakeServer(options: FakeServerOptions = {}): FakeServer {
  const requests: string[] = [];
  const sockets: WebSocket[] = [];
  const release = new AbortController();
  let results = 0;
  let upgrades = 0;
  let url = "";
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const path = new URL(req.url).pathname;
      requests.push(`${req.method} ${path}`);
      await req.body?.cancel();
      if (req.method === "POST" && path === "/api/v1/sessions") {
        return json(201, sessionJson({ url: `${url}/s/${ID}` }));
      }
      if (path.endsWith("/result")) {
        return options.result?.(results++) ?? json(202, { status: "pending" });
      }
      if (path.endsWith("/ws")) {
        const how = options.upgrade?.(upgrades++) ??
          ((socket: WebSocket) =>
            socket.addEventListener(
              "open",
              () => socket.send(statusFrame("pending")),
            ));
        if (how === "hang") {
          await new Promise<void>((resolve) =>
            release.signal.addEventListener("abort", () => resolve(), {
              once: true,
            })
          );
          return json(503, { error: "service unavailable" });
        }
        if (how instanceof Response) return how;
        const { socket, response } = Deno.upgradeWebSocket(req);
        sockets.push(socket);
        how(socket);
        return response;
      }
      const match = /^\/api\/v1\/sessions\/([^/]+)$/.exec(path);
      if (match !== null) {
        return options.session?.(match[1]!) ??
          json(200, sessionJson({ url: `${url}/s/${ID}` }));
      }
      return new Response("404 page not found", { status: 404 });
    },
  );
  url = `http://127.0.0.1:${server.addr.port}`;
  const close = async () => {
    release.abort();
    for (const socket of sockets) {
      try {
        socket.close();
      } catch {
        // already closed
      }
    }
    await server.shutdown();
  };
  return { url, requests, sockets, close, [Symbol.asyncDispose]: close };
}

/** A client of a {@linkcode FakeServer}, tuned to be quick. */
export function fakeServerClient(
  server: FakeServer,
  options: Partial<HandoffClientOptions> = {},
): HandoffClient {
  return new HandoffClient({
    baseUrl: server.url,
    apiKey: KEY,
    retry: { maxRetries: 1, initialDelayMs: 5, maxDelayMs: 10 },
    reconnect: {
      initialDelayMs: 20,
      maxDelayMs: 50,
      attemptsBeforePolling: 2,
      stableAfterMs: 1_000,
    },
    pollIntervalMs: 50,
    livenessIntervalMs: 300,
    timeoutMs: 1_000,
    ...options,
  });
}
