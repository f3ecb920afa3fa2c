// Copyright 2026 the handoff authors. MIT license.
// The one place requests are sent: auth header, timeouts, retries, error mapping.

import {
  apiErrorFrom,
  HandoffError,
  NetworkError,
  ProtocolError,
  TimeoutError,
} from "./errors.ts";
import { backoff } from "./_retry.ts";
import type { Timer, Timers } from "./_timers.ts";

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
 * How requests are retried.
 *
 * @example
 * ```ts
 * import type { RetryOptions } from "@handoff/client";
 *
 * const patient: RetryOptions = { maxRetries: 5, initialDelayMs: 1_000, maxDelayMs: 30_000 };
 * ```
 */
export interface RetryOptions {
  /** Retries after the first attempt. `0` turns retries off. @default {3} */
  maxRetries?: number;
  /** Delay before the first retry; doubles each time, with jitter. @default {500} */
  initialDelayMs?: number;
  /** Longest delay between two attempts. @default {8000} */
  maxDelayMs?: number;
}

/**
 * When a request may be sent again:
 * - `idempotent`: on network errors, timeouts and 5xx (GETs);
 * - `unsent`: only when the request cannot have reached the server
 *   (connection refused) — for `POST /sessions`, which must not create two
 *   sessions.
 */
export type RetryPolicy = "idempotent" | "unsent";

export interface SendOptions {
  method: "GET" | "POST";
  /** Path below `/api/v1`, e.g. `/sessions/abc/result`. */
  path: string;
  /** Statuses that are answers rather than errors. @default {[200]} */
  accept?: readonly number[];
  body?: string;
  retry: RetryPolicy;
  auth?: boolean;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  /** Give up retrying and keep the last error at once. */
  maxRetries?: number;
}

const JSON_LIMIT = 4 * 1024 * 1024;

/** Whether a fetch failure means the connection was refused (nothing was sent). */
export function isConnectionRefused(error: unknown): boolean {
  let e: unknown = error;
  for (let i = 0; i < 5 && e instanceof Object; i++) {
    const code = (e as { code?: unknown }).code;
    if (code === "ECONNREFUSED" || code === "ConnectionRefused") return true;
    const message = (e as { message?: unknown }).message;
    if (
      typeof message === "string" &&
      /connection refused|ECONNREFUSED/i.test(message)
    ) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Seconds or an HTTP date, when between 0 and 60 s; otherwise undefined. */
function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get("retry-after");
  if (value === null) return undefined;
  let ms = Number(value) * 1000;
  if (Number.isNaN(ms)) ms = Date.parse(value) - Date.now();
  return Number.isFinite(ms) && ms >= 0 && ms <= 60_000 ? ms : undefined;
}

/** Read a body as text, refusing more than `limit` bytes. */
export async function readText(
  response: Response,
  limit: number,
  what: string,
): Promise<string> {
  // A declared length within the limit bounds an unencoded body (HTTP
  // framing), so let the runtime read it in one go: reading through a stream
  // reader costs a buffer per chunk, which shows in throughput and in RSS
  // per session. (`response.body` is not touched on this path: in Deno that
  // getter makes a stream of a body that text() reads faster without one.)
  const { headers } = response;
  const declared = headers.get("content-length");
  if (
    declared !== null && /^\d+$/.test(declared) && +declared <= limit &&
    !headers.has("transfer-encoding") && !headers.has("content-encoding")
  ) {
    return await response.text();
  }
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        throw new ProtocolError(
          `${what} answered a body larger than ${limit} bytes; this is not a Handoff server answer.`,
          { cause: { limit, size } },
        );
      }
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }
  // No releaseLock(): the body is read to its end, and releasing a reader
  // builds an error for its `closed` promise, which costs more than the read.
  return text + decoder.decode();
}

/**
 * A body handed to the caller whose read errors are typed: a download that
 * breaks off is a {@linkcode NetworkError} (with `redact` applied to its
 * message), an abort through `signal` is `signal.reason`.
 */
export function typedBody(
  body: ReadableStream<Uint8Array>,
  what: string,
  signal: AbortSignal | undefined,
  redact: (text: string) => string,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(
          signal?.aborted ? signal.reason : new NetworkError(
            `${what} broke off while the body was read (${
              redact(String((error as Error)?.message ?? error))
            }).`,
            { cause: error ?? "the body stream failed without a reason" },
          ),
        );
      }
    },
    async cancel(reason) {
      // The caller does not want the rest: how the source ends is moot.
      await reader.cancel(reason).catch(() => {});
    },
  }, { highWaterMark: 0 });
}

/** Parse a JSON body; a body that is not JSON is a {@linkcode ProtocolError}. */
export async function readJson(
  response: Response,
  what: string,
): Promise<unknown> {
  const text = await readText(response, JSON_LIMIT, what);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ProtocolError(
      `${what} answered ${response.status} with a body that is not JSON.`,
      { cause: error },
    );
  }
}

/** An error answer: the parsed body when it is JSON, else the text. */
async function readErrorBody(
  response: Response,
  what: string,
  redact: (text: string) => string,
) {
  const text = redact(
    await readText(response, JSON_LIMIT, what).catch(() => ""),
  );
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * A scope for one attempt: a controller aborted by the caller's signal or by
 * the timeout, whichever comes first.
 */
class Attempt {
  readonly controller = new AbortController();
  timedOut = false;
  readonly #timers: Timers;
  #timer: Timer | undefined;
  #signal: AbortSignal | undefined;
  #onAbort = () => this.controller.abort(this.#signal?.reason);

  constructor(
    signal: AbortSignal | undefined,
    timeoutMs: number,
    timers: Timers,
  ) {
    this.#signal = signal;
    this.#timers = timers;
    signal?.addEventListener("abort", this.#onAbort, { once: true });
    if (Number.isFinite(timeoutMs)) {
      this.#timer = timers.set(timeoutMs, () => {
        this.timedOut = true;
        this.controller.abort(new DOMException("timed out", "TimeoutError"));
      });
    }
  }

  /** Stop the timer; with `keepSignal`, an abort by the caller still cancels the body. */
  done(keepSignal = false): void {
    this.#timers.clear(this.#timer);
    if (!keepSignal) this.#signal?.removeEventListener("abort", this.#onAbort);
  }
}

/** Sends requests to one Handoff server. */
export class Transport {
  /** The base URL without a trailing slash, e.g. `https://host/prefix`. */
  readonly base: string;
  readonly origin: string;
  readonly #apiKey: string;
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;
  readonly #retry: Required<RetryOptions>;
  /** The clock and deadlines of this client's requests and sessions. */
  readonly timers: Timers;

  constructor(
    base: URL,
    apiKey: string,
    fetchFn: FetchLike,
    timeoutMs: number,
    retry: Required<RetryOptions>,
    timers: Timers,
  ) {
    this.timers = timers;
    this.base = base.href.replace(/\/+$/, "");
    this.origin = base.origin;
    this.#apiKey = apiKey;
    this.#fetch = fetchFn;
    this.#timeoutMs = timeoutMs;
    this.#retry = retry;
  }

  /** The full URL of an API path. */
  url(path: string): string {
    return `${this.base}/api/v1${path}`;
  }

  /** Replace the API key wherever it appears in a text. */
  redact(text: string): string {
    return this.#apiKey ? text.split(this.#apiKey).join("[redacted]") : text;
  }

  #shows(error: unknown): boolean {
    for (let e = error, i = 0; e !== undefined && i < 6; i++) {
      const text = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
      if (text.includes(this.#apiKey)) return true;
      e = e instanceof Object ? (e as { cause?: unknown }).cause : undefined;
    }
    return false;
  }

  redactError(error: unknown, depth = 0): unknown {
    if (!(error instanceof Error) || depth > 5) {
      return typeof error === "string" ? this.redact(error) : error;
    }
    const copy = new Error(this.redact(error.message), {
      cause: this.redactError(error.cause, depth + 1),
    });
    copy.name = error.name;
    copy.stack = this.redact(error.stack ?? "");
    const code = (error as { code?: unknown }).code;
    if (code !== undefined) Object.assign(copy, { code });
    return copy;
  }

  /**
   * Send a request and hand the response to `read` inside the same attempt
   * (its timeout covers reading the body). Retries per `options.retry`.
   */
  async send<T>(
    options: SendOptions,
    read: (response: Response) => Promise<T>,
    keepSignalForBody = false,
  ): Promise<T> {
    if (
      options.timeoutMs !== undefined &&
      !(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0 &&
        options.timeoutMs <= 2_147_483_647) // longer timers fire at once
    ) {
      throw new RangeError(
        `timeoutMs must be a positive number of milliseconds, at most 2147483647, got ${options.timeoutMs}`,
      );
    }
    const maxRetries = options.maxRetries ?? this.#retry.maxRetries;
    for (let attempt = 0;; attempt++) {
      options.signal?.throwIfAborted();
      const outcome = await this.#attempt(options, read, keepSignalForBody);
      if (outcome.ok) return outcome.value;
      if (!outcome.retryable || attempt >= maxRetries) throw outcome.error;
      const { initialDelayMs, maxDelayMs } = this.#retry;
      await this.timers.delay(
        outcome.waitMs ?? backoff(attempt, initialDelayMs, maxDelayMs),
        options.signal,
      );
    }
  }

  async #attempt<T>(
    options: SendOptions,
    read: (response: Response) => Promise<T>,
    keepSignalForBody: boolean,
  ): Promise<
    | { ok: true; value: T }
    | { ok: false; error: unknown; retryable: boolean; waitMs?: number }
  > {
    const what = `${options.method} /api/v1${options.path}`;
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const headers: Record<string, string> = {};
    if (options.auth !== false) headers["X-API-Key"] = this.#apiKey;
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
    }
    const scope = new Attempt(options.signal, timeoutMs, this.timers);
    let delivered = false;
    try {
      const response = await this.#fetch(this.url(options.path), {
        method: options.method,
        headers,
        body: options.body ?? null, // no spread: this is every request
        signal: scope.controller.signal,
        redirect: "manual",
      });
      if (
        options.accept === undefined
          ? response.status === 200
          : options.accept.includes(response.status)
      ) {
        const value = await read(response);
        delivered = true;
        return { ok: true, value };
      }
      if (response.status >= 200 && response.status < 300) {
        await response.body?.cancel();
        return {
          ok: false,
          retryable: false,
          error: new ProtocolError(
            `${what} answered ${response.status}, which the protocol does not use here.`,
            { cause: { status: response.status } },
          ),
        };
      }
      const error = apiErrorFrom(
        response.status,
        await readErrorBody(response, what, (t) => this.redact(t)),
        what,
      );
      const retryable = response.status >= 500 &&
        options.retry === "idempotent";
      const waitMs = retryAfterMs(response);
      return waitMs === undefined
        ? { ok: false, error, retryable }
        : { ok: false, error, retryable, waitMs };
    } catch (error) {
      if (options.signal?.aborted) {
        return { ok: false, error: options.signal.reason, retryable: false };
      }
      if (scope.timedOut) {
        return {
          ok: false,
          retryable: options.retry === "idempotent",
          error: new TimeoutError(
            `${what} timed out after ${timeoutMs} ms. The server is slow or unreachable; raise timeoutMs or try again.`,
            { cause: timeoutMs },
          ),
        };
      }
      if (error instanceof HandoffError) {
        return { ok: false, error, retryable: false }; // e.g. ProtocolError
      }
      return {
        ok: false,
        retryable: options.retry === "idempotent" || isConnectionRefused(error),
        error: new NetworkError(
          `${what} failed: could not reach the server (${
            this.redact(String((error as Error)?.message ?? error))
          }).`,
          {
            cause: error === undefined
              ? "fetch() rejected without a reason"
              : this.#shows(error)
              ? this.redactError(error)
              : error,
          },
        ),
      };
    } finally {
      scope.done(delivered && keepSignalForBody);
    }
  }
}
