// Copyright 2026 the handoff authors. MIT license.
/**
 * The options of {@linkcode HandoffClient} and their defaults. Every default
 * is in one table, {@linkcode CLIENT_DEFAULTS}: the client reads it, and each
 * `@default` below says the same (a test compares them).
 *
 * @module
 */

import type { SessionEvent } from "./types.ts";

/**
 * The `fetch` the client uses; inject one to fake the network in tests.
 *
 * @example
 * ```ts
 * import type { FetchLike } from "@handoff/client";
 *
 * const logged: FetchLike = (input, init) => {
 *   console.log(init?.method ?? "GET", String(input instanceof Request ? input.url : input));
 *   return fetch(input, init);
 * };
 * ```
 */
export type FetchLike = (
  input: Request | URL | string,
  init?: RequestInit,
) => Promise<Response>;

/**
 * How requests are retried: after a network error, a timeout or a 5xx, for
 * requests that may be sent twice (`POST /sessions` is retried only when the
 * connection was refused). Turn retries off with `{ maxRetries: 0 }`.
 *
 * @example
 * ```ts
 * import type { RetryOptions } from "@handoff/client";
 *
 * const patient: RetryOptions = { maxRetries: 5, initialDelayMs: 1_000, maxDelayMs: 30_000 };
 * const off: RetryOptions = { maxRetries: 0 }; // one attempt per request
 * ```
 */
export interface RetryOptions {
  /** Retries after the first attempt. `0` turns retries off. @default {3} */
  maxRetries?: number;
  /** Delay before the first retry; doubles each time, with jitter. At most `maxDelayMs`. @default {500} */
  initialDelayMs?: number;
  /** Longest delay between two attempts. @default {8000} */
  maxDelayMs?: number;
}

/**
 * How a session reconnects its WebSocket.
 *
 * @example
 * ```ts
 * import type { ReconnectOptions } from "@handoff/client";
 *
 * const gentle: ReconnectOptions = { initialDelayMs: 2_000, maxDelayMs: 60_000, attemptsBeforePolling: 5 };
 * ```
 */
export interface ReconnectOptions {
  /** Delay before the first reconnect; doubles each time, with jitter. At most `maxDelayMs`. @default {1000} */
  initialDelayMs?: number;
  /** Longest delay between two attempts. @default {30000} */
  maxDelayMs?: number;
  /**
   * Failed attempts in a row before polling starts (while reconnecting goes
   * on); from then on `connection` is `polling`, or `unreachable` while the
   * requests fail too. @default {3}
   */
  attemptsBeforePolling?: number;
  /** A socket that stayed up this long resets the attempt count. @default {10000} */
  stableAfterMs?: number;
}

/**
 * How the WebSocket carries the API key:
 * - `header`: `new WebSocket(url, { headers: { "X-API-Key": … } })` (Deno, Bun, Node);
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
 * The `WebSocket` constructor the client uses; inject one for runtimes
 * without a global. A socket with a `terminate()` method (the `ws` package,
 * Bun) has its TCP connection dropped when the server does not answer a close
 * within two seconds.
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

/**
 * Options of {@linkcode HandoffClient}.
 *
 * @example
 * ```ts
 * import type { HandoffClientOptions } from "@handoff/client";
 *
 * const options: HandoffClientOptions = {
 *   baseUrl: "https://handoff.example.com",
 *   apiKey: "secret",
 *   timeoutMs: 10_000,
 *   retry: { maxRetries: 2 },
 *   reconnect: { maxDelayMs: 10_000 },
 *   pollIntervalMs: 5_000,
 * };
 * ```
 */
export interface HandoffClientOptions {
  /**
   * The Handoff server's root URL, `http(s)://host[:port][/prefix]`. A
   * trailing slash is fine, and so is a trailing `/api/v1` (it is dropped:
   * the client adds it to every request).
   */
  baseUrl: string | URL;
  /** An API key the server accepts. Sent only in the `X-API-Key` header where the runtime allows it. */
  apiKey: string;
  /** The `fetch` to use. @default {globalThis.fetch} */
  fetch?: FetchLike;
  /** The `WebSocket` constructor to use. @default {the runtime's (see the README's Runtimes)} */
  WebSocket?: WebSocketConstructor;
  /**
   * How the WebSocket carries the key. Detected when not set: `fetch-upgrade`
   * where the runtime has `WebSocketPair` (Cloudflare Workers), else
   * `header`, falling back to `query` when the `WebSocket` takes no headers.
   */
  webSocketAuth?: WebSocketAuth;
  /** Per-attempt timeout of each request, in milliseconds. @default {30000} */
  timeoutMs?: number;
  /**
   * Retries of requests; `{ maxRetries: 0 }` turns them off.
   * @default { maxRetries: 3, initialDelayMs: 500, maxDelayMs: 8000 }
   */
  retry?: RetryOptions;
  /**
   * How sessions reconnect their WebSocket.
   * @default { initialDelayMs: 1000, maxDelayMs: 30000, attemptsBeforePolling: 3, stableAfterMs: 10000 }
   */
  reconnect?: ReconnectOptions;
  /** Interval of `GET …/result` while a session polls, in milliseconds. @default {2000} */
  pollIntervalMs?: number;
  /** A session whose socket stayed silent this long takes a snapshot, in milliseconds. @default {30000} */
  livenessIntervalMs?: number;
  /**
   * Called when a session event listener throws (delivery to the other
   * listeners goes on). @default {reports with console.error}
   */
  onListenerError?: (error: unknown, event: SessionEvent) => void;
}

/**
 * The type of {@linkcode CLIENT_DEFAULTS}: every tuning option, filled in.
 *
 * @example
 * ```ts
 * import { CLIENT_DEFAULTS, type ClientDefaults } from "@handoff/client";
 *
 * const defaults: ClientDefaults = CLIENT_DEFAULTS;
 * console.assert(defaults.retry.maxRetries === 3);
 * ```
 */
export interface ClientDefaults {
  /** See {@linkcode HandoffClientOptions.timeoutMs}. */
  readonly timeoutMs: number;
  /** See {@linkcode RetryOptions}. */
  readonly retry: Readonly<Required<RetryOptions>>;
  /** See {@linkcode ReconnectOptions}. */
  readonly reconnect: Readonly<Required<ReconnectOptions>>;
  /** See {@linkcode HandoffClientOptions.pollIntervalMs}. */
  readonly pollIntervalMs: number;
  /** See {@linkcode HandoffClientOptions.livenessIntervalMs}. */
  readonly livenessIntervalMs: number;
}

/**
 * The defaults of every tuning option of {@linkcode HandoffClientOptions},
 * in milliseconds and counts. Frozen; the client reads them from here.
 *
 * @example Half the default timeout
 * ```ts
 * import { CLIENT_DEFAULTS, HandoffClient } from "@handoff/client";
 *
 * const client = new HandoffClient({
 *   baseUrl: "https://handoff.example.com",
 *   apiKey: "secret",
 *   timeoutMs: CLIENT_DEFAULTS.timeoutMs / 2,
 * });
 * ```
 */
export const CLIENT_DEFAULTS: ClientDefaults = Object.freeze({
  timeoutMs: 30_000,
  retry: Object.freeze({
    maxRetries: 3,
    initialDelayMs: 500,
    maxDelayMs: 8_000,
  }),
  reconnect: Object.freeze({
    initialDelayMs: 1_000,
    maxDelayMs: 30_000,
    attemptsBeforePolling: 3,
    stableAfterMs: 10_000,
  }),
  pollIntervalMs: 2_000,
  livenessIntervalMs: 30_000,
});
