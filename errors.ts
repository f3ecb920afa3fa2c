// Copyright 2026 the handoff authors. MIT license.
/**
 * The errors the client throws. Every one is a {@linkcode HandoffError}, so
 * `catch (e) { if (e instanceof HandoffError) … }` catches them all, and
 * `cause` is always set. Aborting an operation through its `signal` rejects
 * with the signal's `reason` instead (usually a `DOMException` named
 * `AbortError`), and invalid arguments throw `TypeError` or `RangeError`
 * before any request is sent.
 *
 * No message, cause or stack ever contains the API key.
 *
 * @module
 */

/**
 * The base class of every error this library throws on purpose.
 *
 * @example Catch anything from the client
 * ```ts
 * import { HandoffError } from "@handoff/client";
 *
 * try {
 *   throw new HandoffError("something failed", { cause: "demo" });
 * } catch (error) {
 *   if (error instanceof HandoffError) console.assert(error.cause === "demo");
 * }
 * ```
 */
export class HandoffError extends Error {
  /**
   * Makes a new error.
   *
   * @param message What went wrong and what to do about it.
   * @param options `cause`: the underlying reason.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HandoffError";
  }
}

/**
 * What an {@linkcode ApiError} takes besides its status and messages.
 *
 * @example
 * ```ts
 * import { ApiError, type ApiErrorOptions } from "@handoff/client";
 *
 * const options: ApiErrorOptions = { cause: { error: "teapot" }, headers: { "x-request-id": "r1" } };
 * console.assert(new ApiError(418, "teapot", "GET /x failed", options).headers.get("x-request-id") === "r1");
 * ```
 */
export interface ApiErrorOptions extends ErrorOptions {
  /** The headers of the answer; the error keeps a copy. @default {new Headers()} */
  headers?: HeadersInit;
}

/**
 * The server answered with an error status. `status` is the HTTP status,
 * `headers` a copy of the answer's headers, `serverMessage` the `error`
 * field of the JSON body (or the body text), and `cause` the parsed body.
 * Use the subclasses to branch on the kind of error; {@linkcode apiErrorFrom}
 * is the one place that picks them.
 *
 * @typeParam TStatus The status code, narrowed by the subclasses.
 *
 * @example Branch on the status
 * ```ts
 * import { ApiError, apiErrorFrom } from "@handoff/client";
 *
 * const error = apiErrorFrom(409, { error: "session already completed" }, "POST /s/…/result", { "x-request-id": "r1" });
 * console.assert(error instanceof ApiError && error.status === 409);
 * console.assert(error instanceof ApiError && error.headers.get("x-request-id") === "r1");
 * ```
 */
export class ApiError<TStatus extends number = number> extends HandoffError {
  /** The HTTP status code. */
  readonly status: TStatus;
  /** The server's own message (`"session not found"`, …). */
  readonly serverMessage: string;
  /**
   * The headers of the answer (a copy: changing it changes nothing else).
   * Values that showed the API key show `[redacted]` instead.
   */
  readonly headers: Headers;

  /**
   * Makes a new API error; prefer {@linkcode apiErrorFrom}, which picks the
   * right subclass. Every subclass takes the same arguments.
   *
   * @param status The HTTP status code.
   * @param serverMessage The server's message.
   * @param message The full message.
   * @param options `cause`: the parsed body; `headers`: the answer's headers.
   */
  constructor(
    status: TStatus,
    serverMessage: string,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ApiError";
    this.status = status;
    this.serverMessage = serverMessage;
    this.headers = new Headers(options.headers);
  }
}

/**
 * 400: the server refused the request as invalid. The client validates its
 * arguments first, so this usually means the server runs a different version.
 *
 * @example
 * ```ts
 * import { BadRequestError, apiErrorFrom } from "@handoff/client";
 * console.assert(apiErrorFrom(400, { error: "bad" }, "POST /api/v1/sessions") instanceof BadRequestError);
 * ```
 */
export class BadRequestError extends ApiError<400> {
  /** Always `"BadRequestError"`. */
  override readonly name = "BadRequestError";
}

/**
 * 401: the API key is missing or not one the server accepts. Never retried.
 *
 * @example
 * ```ts
 * import { UnauthorizedError, apiErrorFrom } from "@handoff/client";
 * console.assert(apiErrorFrom(401, { error: "invalid API key" }, "GET /api/v1/sessions/x") instanceof UnauthorizedError);
 * ```
 */
export class UnauthorizedError extends ApiError<401> {
  /** Always `"UnauthorizedError"`. */
  override readonly name = "UnauthorizedError";
}

/**
 * 404: no such session, or a download that does not exist or has expired;
 * on any other route, a `baseUrl` that is not the Handoff server's root.
 *
 * @example
 * ```ts
 * import { NotFoundError, apiErrorFrom } from "@handoff/client";
 * console.assert(apiErrorFrom(404, { error: "session not found" }, "GET /api/v1/sessions/x") instanceof NotFoundError);
 * ```
 */
export class NotFoundError extends ApiError<404> {
  /** Always `"NotFoundError"`. */
  override readonly name = "NotFoundError";
}

/**
 * 409: the request conflicts with the session's state.
 *
 * @example
 * ```ts
 * import { ConflictError, apiErrorFrom } from "@handoff/client";
 * console.assert(apiErrorFrom(409, { error: "session already completed" }, "POST /s/x/result") instanceof ConflictError);
 * ```
 */
export class ConflictError extends ApiError<409> {
  /** Always `"ConflictError"`. */
  override readonly name = "ConflictError";
}

/**
 * The session expired before it completed. Every waiter of an expired
 * session rejects with it.
 *
 * Not every expiry is an answer of the server, so this is not an
 * {@linkcode ApiError}: `status` is `410` only when the server answered
 * `410`; an expired tombstone (which the server answers with `200`) and an
 * expiry the session had to assume leave it `undefined`. `confirmed` says
 * whether the server said so at all: `false` means the session's TTL ran out
 * while the server could not be reached (`cause` is the last network error),
 * and the session may still be live on the server.
 *
 * @example Tell a confirmed expiry from an assumed one
 * ```ts
 * import { SessionExpiredError, apiErrorFrom } from "@handoff/client";
 *
 * const answered = apiErrorFrom(410, { error: "session expired" }, "GET /sessions/x/result");
 * console.assert(answered instanceof SessionExpiredError && answered.status === 410 && answered.confirmed);
 *
 * const assumed = new SessionExpiredError("the server could not be reached", {
 *   cause: new TypeError("connection refused"),
 *   confirmed: false,
 * });
 * console.assert(assumed.status === undefined && !assumed.confirmed);
 * ```
 */
export class SessionExpiredError extends HandoffError {
  /** `410` when the server answered `410`; otherwise `undefined`. */
  readonly status: 410 | undefined;
  /** The server's message, when it answered `410`. */
  readonly serverMessage: string | undefined;
  /** Whether the server said the session expired (a `410` or an expired tombstone). */
  readonly confirmed: boolean;

  /**
   * Makes the error.
   *
   * @param message What expired, how it is known, and what to do.
   * @param options `cause`: the answer or the last network error; `status`
   *   and `serverMessage` of a `410` answer; `confirmed` (default: whether a
   *   `status` is given).
   */
  constructor(
    message: string,
    options: ErrorOptions & {
      status?: 410;
      serverMessage?: string;
      confirmed?: boolean;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "SessionExpiredError";
    this.status = options.status;
    this.serverMessage = options.serverMessage;
    this.confirmed = options.confirmed ?? options.status === 410;
  }
}

/**
 * 5xx: the server failed. GET requests are retried before this is thrown.
 *
 * @example
 * ```ts
 * import { ServerError, apiErrorFrom } from "@handoff/client";
 * console.assert(apiErrorFrom(503, "unavailable", "GET /api/v1/health") instanceof ServerError);
 * ```
 */
export class ServerError extends ApiError {
  /** Always `"ServerError"`. */
  override readonly name = "ServerError";
}

/**
 * The server could not be reached (connection refused, reset, DNS failure),
 * after the retries the request allowed. `cause` is the runtime's error.
 *
 * @example
 * ```ts
 * import { NetworkError } from "@handoff/client";
 * const error = new NetworkError("GET /api/v1/health failed", { cause: new TypeError("refused") });
 * console.assert(error.cause instanceof TypeError);
 * ```
 */
export class NetworkError extends HandoffError {
  /**
   * Makes the error.
   *
   * @param message What failed.
   * @param options `cause`: the runtime's error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "NetworkError";
  }
}

/**
 * What a {@linkcode TimeoutError} takes besides its message.
 *
 * @example
 * ```ts
 * import { TimeoutError, type TimeoutErrorOptions } from "@handoff/client";
 *
 * const options: TimeoutErrorOptions = { cause: 1_000, attempts: 4, elapsedMs: 7_000 };
 * console.assert(new TimeoutError("timed out", options).attempts === 4);
 * ```
 */
export interface TimeoutErrorOptions extends ErrorOptions {
  /** How many attempts timed out or failed. @default {1} */
  attempts?: number;
  /** Milliseconds from the first attempt to giving up, backoff included. @default {0} */
  elapsedMs?: number;
}

/**
 * The server did not answer within the request's `timeoutMs`, on the last of
 * `attempts` attempts (a GET is retried after a timeout; `POST /sessions`
 * is not). `cause` is the `timeoutMs` each attempt had.
 *
 * It is not the `DOMException` named `"TimeoutError"` that
 * `AbortSignal.timeout()` rejects with: a signal of the caller's own that
 * times out rejects with that exception, as any aborted signal does with its
 * reason. Tell them apart with `instanceof`.
 *
 * @example Tell the two timeouts apart
 * ```ts
 * import { TimeoutError } from "@handoff/client";
 *
 * function describe(error: unknown): string {
 *   if (error instanceof TimeoutError) {
 *     return `the server did not answer (${error.attempts} attempts over ${error.elapsedMs} ms)`;
 *   }
 *   if (error instanceof DOMException && error.name === "TimeoutError") {
 *     return "our own AbortSignal.timeout() ran out";
 *   }
 *   return String(error);
 * }
 * const error = new TimeoutError("timed out", { cause: 1_000, attempts: 4, elapsedMs: 7_000 });
 * console.assert(error.name === "TimeoutError" && describe(error).includes("4 attempts"));
 * ```
 */
export class TimeoutError extends HandoffError {
  /** How many attempts were made (1 when the request was not retried). */
  readonly attempts: number;
  /**
   * Milliseconds from the start of the first attempt until the request gave
   * up, waits between attempts included (by the client's clock).
   */
  readonly elapsedMs: number;

  /**
   * Makes the error.
   *
   * @param message What timed out, after how many attempts over how long,
   *   and what to do.
   * @param options `cause`: the timeout of each attempt in milliseconds;
   *   `attempts` and `elapsedMs`.
   */
  constructor(message: string, options: TimeoutErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "TimeoutError";
    this.attempts = options.attempts ?? 1;
    this.elapsedMs = options.elapsedMs ?? 0;
  }
}

/**
 * The server answered something the Handoff protocol does not allow (invalid
 * JSON, a missing field, a wrong type, an unexpected status code). `cause`
 * describes what was wrong.
 *
 * @example
 * ```ts
 * import { ProtocolError } from "@handoff/client";
 * console.assert(new ProtocolError("bad JSON", { cause: "x" }) instanceof Error);
 * ```
 */
export class ProtocolError extends HandoffError {
  /**
   * Makes the error.
   *
   * @param message What did not match the protocol.
   * @param options `cause`: the offending value or parse error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProtocolError";
  }
}

/**
 * The session was closed with {@linkcode Session.close} before it completed;
 * pending waiters reject with it.
 *
 * @example
 * ```ts
 * import { SessionClosedError } from "@handoff/client";
 * console.assert(new SessionClosedError("closed", { cause: "close()" }).name === "SessionClosedError");
 * ```
 */
export class SessionClosedError extends HandoffError {
  /**
   * Makes the error.
   *
   * @param message Which session was closed.
   * @param options `cause`: what closed it.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SessionClosedError";
  }
}

/** How to fix a `baseUrl` that does not point at a Handoff server. */
const CHECK_BASE_URL =
  "check that baseUrl is the Handoff server's root URL, without /api/v1";

/**
 * The routes on which a 404 is the Handoff server's answer about an id:
 * `/sessions/<id>` (and its `/result` and `/ws`) and `/downloads/<id>`.
 */
const ID_ROUTE =
  /\/api\/v1\/(?:(sessions)\/[^/\s]+(?:\/result|\/ws)?|(downloads)\/[^/\s]+)$/;

/**
 * Build the right error for an error answer: an {@linkcode ApiError}
 * subclass, or a {@linkcode SessionExpiredError} for `410`. This is the one
 * place where status codes map to classes, and where each gets its advice: a
 * 404 on a session or download route means an unknown id (or an expired
 * file), a 404 anywhere else (or any answer that is not the Handoff
 * server's) a `baseUrl` that is not the server's root.
 *
 * @param status The HTTP status code.
 * @param body The parsed JSON body, or the body text.
 * @param what The request, as `METHOD /path` with the full path (base URL
 *   prefix and `/api/v1` included, never a query string).
 * @param headers The answer's headers; the error keeps a copy.
 * @returns The error to throw.
 *
 * @example
 * ```ts
 * import { apiErrorFrom, NotFoundError } from "@handoff/client";
 * const error = apiErrorFrom(404, { error: "session not found" }, "GET /api/v1/sessions/abc");
 * console.assert(error instanceof NotFoundError);
 * console.assert(error.message.includes("session not found"));
 *
 * const wrongBase = apiErrorFrom(404, "404 page not found", "POST /handoff/api/v1/sessions");
 * console.assert(wrongBase.message.includes("check that baseUrl"));
 * ```
 */
export function apiErrorFrom(
  status: number,
  body: unknown,
  what: string,
  headers?: HeadersInit,
): ApiError | SessionExpiredError {
  const serverMessage = messageOf(body);
  const options = { cause: body, headers: headers ?? [] };
  const base = `${what} failed with ${status}: ${serverMessage}`;
  switch (status) {
    case 400:
      return new BadRequestError(
        400,
        serverMessage,
        `${base}. The server refused the request; check the arguments and that the server speaks Handoff protocol v1.`,
        options,
      );
    case 401:
      return new UnauthorizedError(
        401,
        serverMessage,
        `${base}. Check the client's apiKey against the server's API_KEYS.`,
        options,
      );
    case 404:
      return new NotFoundError(
        404,
        serverMessage,
        `${base}. ${notFoundAdvice(what, body)}`,
        options,
      );
    case 409:
      return new ConflictError(409, serverMessage, `${base}.`, options);
    case 410:
      return new SessionExpiredError(
        `${base}. The session outlived its session_ttl; create a new one.`,
        { cause: body, status: 410, serverMessage },
      );
  }
  if (status >= 500 && status <= 599) {
    return new ServerError(
      status,
      serverMessage,
      `${base}. The server failed; try again later.`,
      options,
    );
  }
  if (status === 0 || (status >= 300 && status <= 399)) {
    const location = new Headers(options.headers).get("location");
    return new ApiError(
      status,
      serverMessage,
      `${base}. The server redirects${
        location === null ? "" : ` to ${clip(location)}`
      }, and the client does not follow redirects (the API key must not go elsewhere): ${CHECK_BASE_URL} (and the right scheme, http or https).`,
      options,
    );
  }
  if (status === 405) {
    return new ApiError(
      status,
      serverMessage,
      `${base}. The Handoff server takes every method the client sends where it sends it, so another server answered: ${CHECK_BASE_URL}.`,
      options,
    );
  }
  return new ApiError(status, serverMessage, `${base}.`, options);
}

/** What a 404 means, by the route it answered and the body it sent. */
function notFoundAdvice(what: string, body: unknown): string {
  const route = ID_ROUTE.exec(what);
  if (route === null) {
    return `There is no Handoff API at this address: ${CHECK_BASE_URL}.`;
  }
  if (typeof body === "string") {
    // The Handoff server answers an unknown id with a JSON error; a text or
    // HTML page is some other server's (or a proxy's) answer.
    return `The Handoff server answers an unknown id with a JSON error, so this answer is another server's: ${CHECK_BASE_URL}.`;
  }
  return route[1] === "sessions"
    ? "The session id is unknown to this server (a wrong id, or one made on another server)."
    : "The download id is unknown to this server, or the file has expired (result_ttl).";
}

function clip(text: string): string {
  return text.length > 200 ? text.slice(0, 200) + "…" : text;
}

function messageOf(body: unknown): string {
  if (
    typeof body === "object" && body !== null && "error" in body &&
    typeof body.error === "string"
  ) {
    return body.error;
  }
  if (typeof body === "string") {
    const text = clip(body.trim());
    return text || "(no body)";
  }
  return "(no message)";
}
