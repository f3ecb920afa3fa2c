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
 * The server answered with an error status. `status` is the HTTP status,
 * `serverMessage` the `error` field of the JSON body (or the body text), and
 * `cause` the parsed body. Use the subclasses to branch on the kind of error.
 *
 * @example Branch on the status
 * ```ts
 * import { ApiError, apiErrorFrom } from "@handoff/client";
 *
 * const error = apiErrorFrom(409, { error: "session already completed" }, "POST /s/…/result");
 * console.assert(error instanceof ApiError && error.status === 409);
 * ```
 */
export class ApiError extends HandoffError {
  /** The HTTP status code. */
  readonly status: number;
  /** The server's own message (`"session not found"`, …). */
  readonly serverMessage: string;

  /**
   * Makes a new API error; prefer {@linkcode apiErrorFrom}, which picks the
   * right subclass.
   *
   * @param status The HTTP status code.
   * @param serverMessage The server's message.
   * @param message The full message.
   * @param options `cause`: the parsed body.
   */
  constructor(
    status: number,
    serverMessage: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "ApiError";
    this.status = status;
    this.serverMessage = serverMessage;
  }
}

/**
 * 400: the server refused the request as invalid. The client validates its
 * arguments first, so this usually means the server runs a different version.
 *
 * @example
 * ```ts
 * import { BadRequestError, apiErrorFrom } from "@handoff/client";
 * console.assert(apiErrorFrom(400, { error: "bad" }, "POST /sessions") instanceof BadRequestError);
 * ```
 */
export class BadRequestError extends ApiError {
  /**
   * Makes the error.
   *
   * @param serverMessage The server's message.
   * @param message The full message.
   * @param options `cause`: the parsed body.
   */
  constructor(serverMessage: string, message: string, options?: ErrorOptions) {
    super(400, serverMessage, message, options);
    this.name = "BadRequestError";
  }
}

/**
 * 401: the API key is missing or not one the server accepts. Never retried.
 *
 * @example
 * ```ts
 * import { UnauthorizedError, apiErrorFrom } from "@handoff/client";
 * console.assert(apiErrorFrom(401, { error: "invalid API key" }, "GET /health") instanceof UnauthorizedError);
 * ```
 */
export class UnauthorizedError extends ApiError {
  /**
   * Makes the error.
   *
   * @param serverMessage The server's message.
   * @param message The full message.
   * @param options `cause`: the parsed body.
   */
  constructor(serverMessage: string, message: string, options?: ErrorOptions) {
    super(401, serverMessage, message, options);
    this.name = "UnauthorizedError";
  }
}

/**
 * 404: no such session, or a download that does not exist or has expired.
 *
 * @example
 * ```ts
 * import { NotFoundError, apiErrorFrom } from "@handoff/client";
 * console.assert(apiErrorFrom(404, { error: "session not found" }, "GET /sessions/x") instanceof NotFoundError);
 * ```
 */
export class NotFoundError extends ApiError {
  /**
   * Makes the error.
   *
   * @param serverMessage The server's message.
   * @param message The full message.
   * @param options `cause`: the parsed body.
   */
  constructor(serverMessage: string, message: string, options?: ErrorOptions) {
    super(404, serverMessage, message, options);
    this.name = "NotFoundError";
  }
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
export class ConflictError extends ApiError {
  /**
   * Makes the error.
   *
   * @param serverMessage The server's message.
   * @param message The full message.
   * @param options `cause`: the parsed body.
   */
  constructor(serverMessage: string, message: string, options?: ErrorOptions) {
    super(409, serverMessage, message, options);
    this.name = "ConflictError";
  }
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
 * console.assert(apiErrorFrom(503, "unavailable", "GET /health") instanceof ServerError);
 * ```
 */
export class ServerError extends ApiError {
  /**
   * Makes the error.
   *
   * @param status The 5xx status code.
   * @param serverMessage The server's message.
   * @param message The full message.
   * @param options `cause`: the parsed body.
   */
  constructor(
    status: number,
    serverMessage: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(status, serverMessage, message, options);
    this.name = "ServerError";
  }
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
 * The server did not answer within the request's `timeoutMs`. Distinct from
 * an abort through the caller's own signal, which rejects with the signal's
 * reason.
 *
 * @example
 * ```ts
 * import { TimeoutError } from "@handoff/client";
 * console.assert(new TimeoutError("timed out", { cause: 30_000 }).name === "TimeoutError");
 * ```
 */
export class TimeoutError extends HandoffError {
  /**
   * Makes the error.
   *
   * @param message What timed out, and after how long.
   * @param options `cause`: the timeout in milliseconds.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TimeoutError";
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

/**
 * Build the right error for an error answer: an {@linkcode ApiError}
 * subclass, or a {@linkcode SessionExpiredError} for `410`. This is the one
 * place where status codes map to classes.
 *
 * @param status The HTTP status code.
 * @param body The parsed JSON body, or the body text.
 * @param what The request, as `METHOD /path` (never with a query string).
 * @returns The error to throw.
 *
 * @example
 * ```ts
 * import { apiErrorFrom, NotFoundError } from "@handoff/client";
 * const error = apiErrorFrom(404, { error: "session not found" }, "GET /api/v1/sessions/abc");
 * console.assert(error instanceof NotFoundError);
 * console.assert(error.message.includes("session not found"));
 * ```
 */
export function apiErrorFrom(
  status: number,
  body: unknown,
  what: string,
): ApiError | SessionExpiredError {
  const serverMessage = messageOf(body);
  const options = { cause: body };
  const base = `${what} failed with ${status}: ${serverMessage}`;
  switch (status) {
    case 400:
      return new BadRequestError(
        serverMessage,
        `${base}. The server refused the request; check the arguments and that the server speaks Handoff protocol v1.`,
        options,
      );
    case 401:
      return new UnauthorizedError(
        serverMessage,
        `${base}. Check the client's apiKey against the server's API_KEYS.`,
        options,
      );
    case 404:
      return new NotFoundError(
        serverMessage,
        `${base}. The id is unknown to this server, or the file has expired.`,
        options,
      );
    case 409:
      return new ConflictError(serverMessage, `${base}.`, options);
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
  return new ApiError(status, serverMessage, `${base}.`, options);
}

function messageOf(body: unknown): string {
  if (
    typeof body === "object" && body !== null && "error" in body &&
    typeof body.error === "string"
  ) {
    return body.error;
  }
  if (typeof body === "string") {
    const text = body.trim();
    return text.length > 200 ? text.slice(0, 200) + "…" : text || "(no body)";
  }
  return "(no message)";
}
