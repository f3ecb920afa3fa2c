// Copyright 2026 the handoff authors. MIT license.
// Checking the client's options and filling in CLIENT_DEFAULTS: every
// option's rule and message in one place, before anything is sent.

import { MAX_TIMER_MS } from "./_timers.ts";
import {
  CLIENT_DEFAULTS,
  type FetchLike,
  type HandoffClientOptions,
  type ReconnectOptions,
  type RetryOptions,
  type WebSocketAuth,
  type WebSocketConstructor,
} from "./options.ts";
import type { SessionEvent } from "./types.ts";

/** {@linkcode HandoffClientOptions}, checked and complete. */
export interface ResolvedOptions {
  /** The server's root, without `/api/v1` and with a trailing slash. */
  readonly base: URL;
  readonly apiKey: string;
  readonly fetch: FetchLike;
  readonly WebSocket: WebSocketConstructor | undefined;
  readonly webSocketAuth: WebSocketAuth | undefined;
  readonly timeoutMs: number;
  readonly retry: Readonly<Required<RetryOptions>>;
  readonly reconnect: Readonly<Required<ReconnectOptions>>;
  readonly pollIntervalMs: number;
  readonly livenessIntervalMs: number;
  readonly onListenerError: (error: unknown, event: SessionEvent) => void;
}

/**
 * A delay or timeout in milliseconds: positive, finite, and short enough
 * for a runtime timer (longer ones fire at once).
 */
export function milliseconds(
  value: unknown,
  name: string,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(
      `${name} must be a positive number of milliseconds, got ${String(value)}`,
    );
  }
  if (value > MAX_TIMER_MS) {
    throw new RangeError(
      `${name} must be at most ${MAX_TIMER_MS} ms (about 24.8 days; timers fire at once beyond), got ${value}`,
    );
  }
  return value;
}

function count(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw new RangeError(
      `${name} must be a whole number ≥ 0, got ${String(value)}`,
    );
  }
  return value as number;
}

/** An optional object option (`retry`, `reconnect`). */
function group<T extends object>(value: T | undefined, name: string): T {
  if (value === undefined) return {} as T;
  if (typeof value !== "object" || value === null) {
    throw new TypeError(
      `${name} must be an object of options, got ${
        value === null ? "null" : typeof value
      }`,
    );
  }
  return value;
}

/** An optional function option (`null` counts as not given, as for `fetch`). */
function callable(value: unknown, name: string): void {
  if (value !== undefined && value !== null && typeof value !== "function") {
    throw new TypeError(`${name} must be a function, got ${typeof value}`);
  }
}

/** `initialDelayMs ≤ maxDelayMs`, naming both values and where they came from. */
function delays<T extends { initialDelayMs: number; maxDelayMs: number }>(
  resolved: T,
  given: { initialDelayMs?: number; maxDelayMs?: number },
  name: string,
): T {
  if (resolved.initialDelayMs > resolved.maxDelayMs) {
    const from = (key: "initialDelayMs" | "maxDelayMs") =>
      given[key] === undefined ? ", the default" : "";
    throw new RangeError(
      `${name}.initialDelayMs (${resolved.initialDelayMs}${
        from("initialDelayMs")
      }) must not exceed ${name}.maxDelayMs (${resolved.maxDelayMs}${
        from("maxDelayMs")
      }): raise maxDelayMs or lower initialDelayMs`,
    );
  }
  return resolved;
}

/** The server's root URL: absolute http(s), no credentials, `/api/v1` dropped. */
function baseUrl(value: unknown): URL {
  let base: URL;
  try {
    base = new URL(value as string | URL);
  } catch (error) {
    throw new TypeError(
      `baseUrl must be an absolute http(s) URL like "https://handoff.example.com", got ${
        JSON.stringify(String(value))
      }`,
      { cause: error },
    );
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new TypeError(
      `baseUrl must use http or https, got ${JSON.stringify(base.protocol)}`,
    );
  }
  if (base.search || base.hash || base.username || base.password) {
    throw new TypeError(
      "baseUrl must not carry credentials, a query or a fragment: pass the key as apiKey",
    );
  }
  // The client adds /api/v1 itself; a base that already ends with it (copied
  // from the server's docs) would otherwise ask for /api/v1/api/v1/….
  const path = base.pathname.replace(/\/+$/, "").replace(/\/api\/v1$/i, "");
  base.pathname = `${path}/`;
  return base;
}

/**
 * Check every option and fill in the defaults.
 *
 * @throws {TypeError} A missing or malformed base URL, API key or callback.
 * @throws {RangeError} A timeout, interval, delay or count out of range.
 */
export function resolveOptions(options: HandoffClientOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("HandoffClient takes an options object");
  }
  const base = baseUrl(options.baseUrl);
  if (typeof options.apiKey !== "string" || options.apiKey.trim() === "") {
    throw new TypeError(
      "apiKey must be a non-empty string (one of the server's API_KEYS)",
    );
  }
  if (/[\r\n]/.test(options.apiKey)) {
    throw new TypeError("apiKey must not contain line breaks");
  }
  callable(options.fetch, "fetch");
  const fetchFn = options.fetch ?? globalThis.fetch?.bind(globalThis);
  if (typeof fetchFn !== "function") {
    throw new TypeError(
      "This runtime has no global fetch: pass one as the `fetch` option",
    );
  }
  const auth = options.webSocketAuth;
  if (
    auth !== undefined && auth !== "header" && auth !== "query" &&
    auth !== "fetch-upgrade"
  ) {
    throw new TypeError(
      `webSocketAuth must be "header", "query" or "fetch-upgrade", got ${
        JSON.stringify(auth)
      }`,
    );
  }
  callable(options.WebSocket, "WebSocket");
  callable(options.onListenerError, "onListenerError");

  const d = CLIENT_DEFAULTS;
  const retry = group<RetryOptions>(options.retry, "retry");
  const reconnect = group<ReconnectOptions>(options.reconnect, "reconnect");
  return {
    base,
    apiKey: options.apiKey,
    fetch: fetchFn,
    WebSocket: options.WebSocket ?? undefined,
    webSocketAuth: auth,
    timeoutMs: milliseconds(options.timeoutMs, "timeoutMs", d.timeoutMs),
    retry: delays(
      {
        maxRetries: count(
          retry.maxRetries,
          "retry.maxRetries",
          d.retry.maxRetries,
        ),
        initialDelayMs: milliseconds(
          retry.initialDelayMs,
          "retry.initialDelayMs",
          d.retry.initialDelayMs,
        ),
        maxDelayMs: milliseconds(
          retry.maxDelayMs,
          "retry.maxDelayMs",
          d.retry.maxDelayMs,
        ),
      },
      retry,
      "retry",
    ),
    reconnect: delays(
      {
        initialDelayMs: milliseconds(
          reconnect.initialDelayMs,
          "reconnect.initialDelayMs",
          d.reconnect.initialDelayMs,
        ),
        maxDelayMs: milliseconds(
          reconnect.maxDelayMs,
          "reconnect.maxDelayMs",
          d.reconnect.maxDelayMs,
        ),
        attemptsBeforePolling: count(
          reconnect.attemptsBeforePolling,
          "reconnect.attemptsBeforePolling",
          d.reconnect.attemptsBeforePolling,
        ),
        stableAfterMs: milliseconds(
          reconnect.stableAfterMs,
          "reconnect.stableAfterMs",
          d.reconnect.stableAfterMs,
        ),
      },
      reconnect,
      "reconnect",
    ),
    pollIntervalMs: milliseconds(
      options.pollIntervalMs,
      "pollIntervalMs",
      d.pollIntervalMs,
    ),
    livenessIntervalMs: milliseconds(
      options.livenessIntervalMs,
      "livenessIntervalMs",
      d.livenessIntervalMs,
    ),
    onListenerError: options.onListenerError ??
      ((error, event) =>
        console.error(
          `handoff: a listener of session ${event.sessionId} threw on "${event.type}"`,
          error,
        )),
  };
}
