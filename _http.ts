// Copyright 2026 the handoff authors. MIT license.
// The one place requests are sent: auth header, timeouts, retries, error mapping.

import {
  apiErrorFrom,
  HandoffError,
  NetworkError,
  ProtocolError,
  TimeoutError,
} from "./errors.ts";
import { BodyTooLargeError, readBodyText } from "./_body.ts";
import { milliseconds } from "./_options.ts";
import { backoff } from "./_retry.ts";
import type { Timer, Timers } from "./_timers.ts";
import type { FetchLike, RetryOptions } from "./options.ts";

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

/** How to fix a `baseUrl` that does not point at a Handoff server. */
const CHECK_BASE_URL =
  "check that baseUrl is the Handoff server's root URL, without /api/v1";

/** Whether a fetch failure means the connection was refused (nothing was sent). */
function isConnectionRefused(error: unknown): boolean {
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

/**
 * Seconds or an HTTP date, when between 0 and 60 s; otherwise undefined.
 * `now` is the wall-clock time, in milliseconds since the epoch.
 */
function retryAfterMs(response: Response, now: number): number | undefined {
  const value = response.headers.get("retry-after");
  if (value === null) return undefined;
  let ms = Number(value) * 1000;
  if (Number.isNaN(ms)) ms = Date.parse(value) - now;
  return Number.isFinite(ms) && ms >= 0 && ms <= 60_000 ? ms : undefined;
}

/** Read a body as text, refusing more than `limit` bytes. */
async function readText(
  response: Response,
  limit: number,
  what: string,
): Promise<string> {
  try {
    return await readBodyText(response, limit);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    throw new ProtocolError(
      `${what} answered a body larger than ${limit} bytes; this is not a Handoff server answer (check baseUrl).`,
      { cause: { limit, size: error.size } },
    );
  }
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

/**
 * Parse a JSON body; a body that is not JSON is a {@linkcode ProtocolError}
 * that says what came instead (an HTML page is the usual sign of a `baseUrl`
 * that points at a web site or a proxy rather than the Handoff server).
 * The Content-Type is not checked: a JSON body is read as JSON whatever it
 * claims to be.
 *
 * @param what The request, as {@linkcode Transport.describe} makes it.
 */
export async function readJson(
  response: Response,
  what: string,
): Promise<unknown> {
  const text = await readText(response, JSON_LIMIT, what);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ProtocolError(
      `${what} answered ${response.status} with ${
        notJson(response.headers, text)
      }: ${CHECK_BASE_URL}, and that no proxy rewrites its answers.`,
      { cause: error },
    );
  }
}

/** What a body that is not JSON looks like, for a message. */
function notJson(headers: Headers, text: string): string {
  const declared = headers.get("content-type");
  // Only a well-formed media type is shown (it cannot carry a secret).
  const type = /^[\w.+-]{1,40}\/[\w.+-]{1,60}/.exec(declared ?? "")?.[0];
  const contentType = declared === null
    ? "no Content-Type"
    : `Content-Type ${type ?? "unreadable"}`;
  const start = text.trimStart();
  if (start === "") {
    return `an empty body (${contentType}) where the Handoff API answers JSON`;
  }
  if (
    /html/i.test(type ?? "") || /^<(?:!doctype|html|head|body)\b/i.test(start)
  ) {
    return `an HTML page (${contentType}) where the Handoff API answers JSON`;
  }
  return `a body that is not JSON (${contentType})`;
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

/** The outcome of one attempt; `timeoutMs` is set when it timed out. */
type Outcome<T> =
  | { ok: true; value: T }
  | {
    ok: false;
    error: unknown;
    retryable: boolean;
    waitMs?: number;
    timeoutMs?: number;
  };

/** A duration for a message: `850 ms`, `7.0 s`. */
function duration(ms: number): string {
  return ms < 1000
    ? `${Math.round(ms)} ms`
    : `${(Math.round(ms / 100) / 10).toFixed(1)} s`;
}

/** Sends requests to one Handoff server. */
export class Transport {
  /** The base URL without a trailing slash, e.g. `https://host/prefix`. */
  readonly base: string;
  readonly origin: string;
  /** The base URL's path without a trailing slash, e.g. `/prefix` (or `""`). */
  readonly #prefix: string;
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
    this.#prefix = base.pathname.replace(/\/+$/, "");
    this.#apiKey = apiKey;
    this.#fetch = fetchFn;
    this.#timeoutMs = timeoutMs;
    this.#retry = retry;
  }

  /** The full URL of an API path. */
  url(path: string): string {
    return `${this.base}/api/v1${path}`;
  }

  /**
   * A request as messages name it: the method and the full path that was
   * requested, base-URL prefix included, e.g. `POST /handoff/api/v1/sessions`
   * for `describe("POST", "/sessions")` on `https://host/handoff`.
   *
   * @param method The HTTP method.
   * @param path The path below `/api/v1`, as {@linkcode Transport.send} takes it.
   */
  describe(method: string, path: string): string {
    return `${method} ${this.#prefix}/api/v1${path}`;
  }

  /** Replace the API key wherever it appears in a text. */
  redact(text: string): string {
    return this.#apiKey ? text.split(this.#apiKey).join("[redacted]") : text;
  }

  /** A copy of an answer's headers, with the API key redacted from the values. */
  #copyHeaders(headers: Headers): Headers {
    const copy = new Headers();
    for (const [name, value] of headers) copy.append(name, this.redact(value));
    return copy;
  }

  #shows(error: unknown): boolean {
    for (let e = error, i = 0; e !== undefined && i < 6; i++) {
      const text = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
      if (text.includes(this.#apiKey)) return true;
      e = e instanceof Object ? (e as { cause?: unknown }).cause : undefined;
    }
    return false;
  }

  #redactError(error: unknown, depth = 0): unknown {
    if (!(error instanceof Error) || depth > 5) {
      return typeof error === "string" ? this.redact(error) : error;
    }
    const copy = new Error(this.redact(error.message), {
      cause: this.#redactError(error.cause, depth + 1),
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
    if (options.timeoutMs !== undefined) {
      milliseconds(options.timeoutMs, "timeoutMs", 0);
    }
    const maxRetries = options.maxRetries ?? this.#retry.maxRetries;
    const start = this.timers.now();
    for (let attempt = 0;; attempt++) {
      options.signal?.throwIfAborted();
      const outcome = await this.#attempt(options, read, keepSignalForBody);
      if (outcome.ok) return outcome.value;
      if (!outcome.retryable || attempt >= maxRetries) {
        if (outcome.timeoutMs === undefined) throw outcome.error;
        throw this.#timeout(
          options,
          outcome.timeoutMs,
          attempt + 1,
          this.timers.now() - start,
        );
      }
      const { initialDelayMs, maxDelayMs } = this.#retry;
      await this.timers.delay(
        outcome.waitMs ?? backoff(attempt, initialDelayMs, maxDelayMs),
        options.signal,
      );
    }
  }

  /** The error of a request whose last attempt timed out. */
  #timeout(
    options: SendOptions,
    timeoutMs: number,
    attempts: number,
    elapsedMs: number,
  ): TimeoutError {
    const what = this.describe(options.method, options.path);
    const how = attempts === 1
      ? `no answer within ${timeoutMs} ms (timeoutMs)${
        options.retry === "unsent"
          ? ", and not retried: the server may have acted on the request"
          : ""
      }`
      : `${attempts} attempts over ${
        duration(elapsedMs)
      }, each limited to ${timeoutMs} ms (timeoutMs)`;
    return new TimeoutError(
      `${what} timed out: ${how}. The server is slow or unreachable: raise timeoutMs (for the client or this request)${
        options.retry === "idempotent" ? " or retry.maxRetries" : ""
      }, try again later, or check that baseUrl points at the Handoff server.`,
      { cause: timeoutMs, attempts, elapsedMs },
    );
  }

  async #attempt<T>(
    options: SendOptions,
    read: (response: Response) => Promise<T>,
    keepSignalForBody: boolean,
  ): Promise<Outcome<T>> {
    const what = this.describe(options.method, options.path);
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
      const accept = options.accept ?? [200];
      if (accept.includes(response.status)) {
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
            `${what} answered ${response.status}, which the Handoff server does not answer here (it answers ${
              accept.join(" or ")
            }): ${CHECK_BASE_URL}.`,
            { cause: { status: response.status, expected: accept } },
          ),
        };
      }
      const error = apiErrorFrom(
        response.status,
        await readErrorBody(response, what, (t) => this.redact(t)),
        what,
        this.#copyHeaders(response.headers),
      );
      const retryable = response.status >= 500 &&
        options.retry === "idempotent";
      const waitMs = retryAfterMs(response, this.timers.date().getTime());
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
          error,
          timeoutMs,
        };
      }
      if (error instanceof HandoffError) {
        // e.g. a ProtocolError of `read`, which may quote what it read.
        error.message = this.redact(error.message);
        if (error.stack !== undefined) error.stack = this.redact(error.stack);
        return { ok: false, error, retryable: false };
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
              ? this.#redactError(error)
              : error,
          },
        ),
      };
    } finally {
      scope.done(delivered && keepSignalForBody);
    }
  }
}
