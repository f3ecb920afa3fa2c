// Copyright 2026 the handoff authors. MIT license.
/**
 * {@linkcode HandoffClient}: creates, attaches to and inspects sessions and
 * downloads their files.
 *
 * @module
 */

import { createRequestBody, sessionId } from "./_request.ts";
import {
  type FetchLike,
  readJson,
  type RetryOptions,
  Transport,
  typedBody,
} from "./_http.ts";
import {
  SocketFactory,
  type WebSocketAuth,
  type WebSocketConstructor,
} from "./_socket.ts";
import { parseSessionInfo } from "./_wire.ts";
import { ProtocolError, SessionExpiredError } from "./errors.ts";
import type { SessionContext } from "./_link.ts";
import { type TimerHost, Timers } from "./_timers.ts";
import { Session } from "./session.ts";
import type {
  ActionType,
  CreateSessionOptions,
  DownloadedFile,
  DownloadStream,
  Duration,
  PhotoFormat,
  ReconnectOptions,
  RequestOptions,
  ScanDocumentMode,
  ScanOutputFormat,
  SessionEvent,
  SessionInfo,
  SignatureFormat,
} from "./types.ts";

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
   * trailing slash is fine.
   */
  baseUrl: string | URL;
  /** An API key the server accepts. Sent only in the `X-API-Key` header where the runtime allows it. */
  apiKey: string;
  /** The `fetch` to use. @default {globalThis.fetch} */
  fetch?: FetchLike;
  /** The `WebSocket` constructor to use. @default {globalThis.WebSocket} */
  WebSocket?: WebSocketConstructor;
  /**
   * How the WebSocket carries the key. Detected when not set: `fetch-upgrade`
   * where the runtime has `WebSocketPair` (Cloudflare Workers), else
   * `header`, falling back to `query` when the `WebSocket` takes no headers.
   */
  webSocketAuth?: WebSocketAuth;
  /** Per-attempt timeout of each request, in milliseconds. @default {30000} */
  timeoutMs?: number;
  /** Retries of requests. @default {{ maxRetries: 3, initialDelayMs: 500, maxDelayMs: 8000 }} */
  retry?: RetryOptions;
  /** How sessions reconnect their WebSocket. @default {{ initialDelayMs: 1000, maxDelayMs: 30000, attemptsBeforePolling: 3, stableAfterMs: 10000 }} */
  reconnect?: ReconnectOptions;
  /** Interval of `GET …/result` while a session polls. @default {2000} */
  pollIntervalMs?: number;
  /** A session whose socket stayed silent this long takes a snapshot. @default {30000} */
  livenessIntervalMs?: number;
  /**
   * Called when a session event listener throws (delivery to the other
   * listeners goes on). @default {reports with console.error}
   */
  onListenerError?: (error: unknown, event: SessionEvent) => void;
}

/** The longest delay a timer takes: a longer one fires after 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

function positive(value: unknown, name: string, fallback: number): number {
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

function count(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw new RangeError(
      `${name} must be a whole number ≥ 0, got ${String(value)}`,
    );
  }
  return value as number;
}

/**
 * What every session of a client shares: the transport, the sockets and the
 * tuning, on one clock (`host`: the runtime's, or a test's fake one). The
 * options are validated here; `base` and `fetchFn` already were.
 */
export function sessionContext(
  options: HandoffClientOptions,
  base: URL,
  fetchFn: FetchLike,
  host?: TimerHost,
  random: () => number = Math.random,
): SessionContext {
  const timers = new Timers(host);
  const retry = group(options.retry, "retry");
  const transport = new Transport(
    base,
    options.apiKey,
    fetchFn,
    positive(options.timeoutMs, "timeoutMs", 30_000),
    {
      maxRetries: count(retry.maxRetries, "retry.maxRetries", 3),
      initialDelayMs: positive(
        retry.initialDelayMs,
        "retry.initialDelayMs",
        500,
      ),
      maxDelayMs: positive(retry.maxDelayMs, "retry.maxDelayMs", 8_000),
    },
    timers,
  );
  const reconnect = group<ReconnectOptions>(options.reconnect, "reconnect");
  return {
    transport,
    sockets: new SocketFactory(
      options.apiKey,
      fetchFn,
      options.WebSocket,
      options.webSocketAuth,
      timers,
    ),
    reconnect: {
      initialDelayMs: positive(
        reconnect.initialDelayMs,
        "reconnect.initialDelayMs",
        1_000,
      ),
      maxDelayMs: positive(
        reconnect.maxDelayMs,
        "reconnect.maxDelayMs",
        30_000,
      ),
      attemptsBeforePolling: count(
        reconnect.attemptsBeforePolling,
        "reconnect.attemptsBeforePolling",
        3,
      ),
      stableAfterMs: positive(
        reconnect.stableAfterMs,
        "reconnect.stableAfterMs",
        10_000,
      ),
    },
    pollIntervalMs: positive(options.pollIntervalMs, "pollIntervalMs", 2_000),
    livenessIntervalMs: positive(
      options.livenessIntervalMs,
      "livenessIntervalMs",
      30_000,
    ),
    random,
    onListenerError: options.onListenerError ??
      ((error, event) =>
        console.error(
          `handoff: a listener of session ${event.sessionId} threw on "${event.type}"`,
          error,
        )),
  };
}

/**
 * A client of one Handoff server. Cheap to create; holds no connection of its
 * own (each {@linkcode Session} holds its socket).
 *
 * @example Create a photo session and wait for the photo
 * ```ts
 * import { HandoffClient } from "@handoff/client";
 * import { startStubServer } from "@handoff/client/testing";
 *
 * await using server = await startStubServer();
 * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
 *
 * await using session = await client.newSession()
 *   .withAction("photo").withOutputFormat("jpg").withIntro("Photo of your ID")
 *   .invoke();
 * console.assert((await session.qrCode()).startsWith("data:image/png;base64,"));
 *
 * await server.phone.complete(session.id);
 * const [photo] = await session.waitForResult();
 * const { data, contentType } = await client.downloadFile(photo!.downloadId);
 * console.assert(contentType === "image/jpeg" && data.length > 0);
 * ```
 */
export class HandoffClient {
  readonly #transport: Transport;
  readonly #ctx: SessionContext;

  /**
   * Validates the options; nothing is sent until a method is called.
   *
   * @param options The server, the API key, and tuning.
   * @throws {TypeError} A missing or malformed base URL or API key.
   * @throws {RangeError} A timeout, interval or retry count out of range.
   */
  constructor(options: HandoffClientOptions) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError("HandoffClient takes an options object");
    }
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch (error) {
      throw new TypeError(
        `baseUrl must be an absolute http(s) URL like "https://handoff.example.com", got ${
          JSON.stringify(String(options.baseUrl))
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
    if (typeof options.apiKey !== "string" || options.apiKey.trim() === "") {
      throw new TypeError(
        "apiKey must be a non-empty string (one of the server's API_KEYS)",
      );
    }
    if (/[\r\n]/.test(options.apiKey)) {
      throw new TypeError("apiKey must not contain line breaks");
    }
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
    this.#ctx = sessionContext(options, base, fetchFn);
    this.#transport = this.#ctx.transport;
  }

  /**
   * Start building a session, as with the Go client's `NewSession()`.
   *
   * @returns A builder; finish with `invoke()`.
   *
   * @example
   * ```ts
   * import { HandoffClient } from "@handoff/client";
   * import { startStubServer } from "@handoff/client/testing";
   *
   * await using server = await startStubServer();
   * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
   * await using session = await client.newSession()
   *   .withAction("signature").withOutputFormat("svg").withSessionTtl("10m")
   *   .invoke({ signal: AbortSignal.timeout(10_000) });
   * console.assert(session.actionType === "signature");
   * ```
   */
  newSession(): SessionBuilder<undefined> {
    return new SessionBuilder(this, {});
  }

  /**
   * Create a session and start watching it. Validates everything before
   * sending. `POST /sessions` is retried only when the connection was refused
   * (the request cannot have created a session); other failures are thrown,
   * because a retry could create a second session.
   *
   * @param options The action and its options.
   * @param requestOptions `signal`, `timeoutMs`.
   * @returns The live session.
   * @throws {TypeError|RangeError} Invalid options, before any request.
   *
   * @example A multi-document scan
   * ```ts
   * import { HandoffClient } from "@handoff/client";
   * import { startStubServer } from "@handoff/client/testing";
   *
   * await using server = await startStubServer();
   * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
   * await using scan = await client.createSession({ action: "scan", documentMode: "multi", scanOutputFormat: "pdf" });
   * await server.phone.complete(scan.id); // the person scans a page
   * const { documents } = await scan.waitForScanResult();
   * console.assert(documents[0]?.format === "pdf");
   * ```
   */
  async createSession(
    options: CreateSessionOptions,
    requestOptions: RequestOptions = {},
  ): Promise<Session> {
    const body = createRequestBody(options);
    const info = await this.#transport.send(
      {
        method: "POST",
        path: "/sessions",
        accept: [201],
        body,
        retry: "unsent",
        signal: requestOptions.signal,
        timeoutMs: requestOptions.timeoutMs,
      },
      (response) => this.#readSession(response, "POST /api/v1/sessions"),
    );
    if (info.status === "expired") {
      throw new ProtocolError(
        "POST /api/v1/sessions answered an expired session",
        { cause: info },
      );
    }
    return new Session(info, this.#ctx, info.sessionTtlMs);
  }

  /**
   * What the server says about a session now. An expired session is a
   * result (`{ id, status: "expired" }`), not an error.
   *
   * @param id The session id.
   * @param requestOptions `signal`, `timeoutMs`.
   * @returns The session info or the expired tombstone.
   * @throws {NotFoundError} No such session.
   *
   * @example
   * ```ts
   * import { HandoffClient } from "@handoff/client";
   * import { startStubServer } from "@handoff/client/testing";
   *
   * await using server = await startStubServer();
   * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
   * await using session = await client.createSession({ action: "photo", outputFormat: "png" });
   *
   * const info = await client.getSession(session.id);
   * if (info.status === "expired") console.log("too late");
   * else console.assert(info.status === "pending" && info.expiresAt > info.createdAt);
   * ```
   */
  async getSession(
    id: string,
    requestOptions: RequestOptions = {},
  ): Promise<SessionInfo> {
    return (await this.#getSession(id, requestOptions)).info;
  }

  /**
   * Watch a session created elsewhere (another process, an earlier request
   * of an edge function). A completed session resolves its waiters at once.
   *
   * @param id The session id.
   * @param requestOptions `signal`, `timeoutMs`.
   * @returns The live session.
   * @throws {SessionExpiredError} The session has expired.
   * @throws {NotFoundError} No such session.
   *
   * @example Answer a status request in an edge function
   * ```ts
   * import { HandoffClient } from "@handoff/client";
   * import { startStubServer } from "@handoff/client/testing";
   *
   * await using server = await startStubServer();
   * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
   * const { id } = await client.getSession(
   *   (await client.createSession({ action: "photo", outputFormat: "jpg" })).id,
   * ); // made by an earlier request
   * await server.phone.complete(id);
   *
   * await using session = await client.attachSession(id);
   * const items = await session.waitForResult({ signal: AbortSignal.timeout(20_000) });
   * console.assert(items.length === 1);
   * ```
   */
  async attachSession(
    id: string,
    requestOptions: RequestOptions = {},
  ): Promise<Session> {
    const { info, serverNow } = await this.#getSession(id, requestOptions);
    if (info.status === "expired") {
      throw new SessionExpiredError(
        `Session ${info.id} has expired (the server says so); create a new one.`,
        { cause: info, confirmed: true },
      );
    }
    const remaining = info.expiresAt.getTime() - serverNow;
    return new Session(info, this.#ctx, Math.max(0, remaining));
  }

  /**
   * Download a result file into memory.
   *
   * @param idOrUrl A result item's `downloadId`, or a scan result's relative
   *   URL (`/api/v1/downloads/…`). Absolute URLs must point at this server.
   * @param requestOptions `signal`, `timeoutMs` (covers the whole body).
   * @returns The bytes and their content type.
   * @throws {NotFoundError} Unknown id, or the file expired (`result_ttl`).
   *
   * @example
   * ```ts
   * import { HandoffClient } from "@handoff/client";
   * import { startStubServer } from "@handoff/client/testing";
   *
   * await using server = await startStubServer();
   * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
   * await using scan = await client.createSession({ action: "scan", scanOutputFormat: "images" });
   * await server.phone.complete(scan.id);
   * const { documents } = await scan.waitForScanResult();
   * const page = documents[0]?.format === "images" ? documents[0].pages[0]! : undefined;
   *
   * const { data, contentType } = await client.downloadFile(page!.url); // "/api/v1/downloads/…"
   * console.assert(contentType === "image/jpeg" && data.length > 0);
   * ```
   */
  async downloadFile(
    idOrUrl: string,
    requestOptions: RequestOptions = {},
  ): Promise<DownloadedFile> {
    return await this.#transport.send(
      this.#download(idOrUrl, requestOptions),
      async (response) => ({
        data: new Uint8Array(await response.arrayBuffer()),
        contentType: response.headers.get("content-type") ?? "",
      }),
    );
  }

  /**
   * Download a result file as a stream, for large files: memory does not
   * grow with the file. The timeout covers the response headers only; the
   * `signal` also cancels the body.
   *
   * @param idOrUrl A download id or a scan result's relative URL.
   * @param requestOptions `signal`, `timeoutMs`.
   * @returns The body stream, its content type and length.
   *
   * @example Save a scan PDF to disk (Deno)
   * ```ts ignore
   * const { body } = await client.downloadStream(document.pdfUrl);
   * await body.pipeTo((await Deno.create("scan.pdf")).writable);
   * ```
   */
  async downloadStream(
    idOrUrl: string,
    requestOptions: RequestOptions = {},
  ): Promise<DownloadStream> {
    const request = this.#download(idOrUrl, requestOptions);
    return await this.#transport.send(
      request,
      (response) => {
        const length = Number(response.headers.get("content-length") ?? NaN);
        return Promise.resolve({
          body: response.body === null ? new Blob([]).stream() : typedBody(
            response.body,
            `GET /api/v1${request.path}`,
            requestOptions.signal,
            (text) => this.#transport.redact(text),
          ),
          contentType: response.headers.get("content-type") ?? "",
          ...(Number.isSafeInteger(length) && length >= 0
            ? { contentLength: length }
            : {}),
        });
      },
      true,
    );
  }

  /**
   * `GET /api/v1/health`.
   *
   * @param requestOptions `signal`, `timeoutMs`.
   * @returns `{ status: "ok" }`.
   *
   * @example
   * ```ts
   * import { HandoffClient } from "@handoff/client";
   * import { startStubServer } from "@handoff/client/testing";
   *
   * await using server = await startStubServer();
   * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
   * const { status } = await client.health();
   * console.assert(status === "ok");
   * ```
   */
  async health(
    requestOptions: RequestOptions = {},
  ): Promise<{ status: string }> {
    const body = await this.#getJson("/health", requestOptions);
    if (typeof body.status !== "string") {
      throw new ProtocolError("GET /api/v1/health answered no status", {
        cause: body,
      });
    }
    return { status: body.status };
  }

  /**
   * `GET /api/v1/version`.
   *
   * @param requestOptions `signal`, `timeoutMs`.
   * @returns The server's version and commit.
   *
   * @example
   * ```ts
   * import { HandoffClient } from "@handoff/client";
   * import { startStubServer } from "@handoff/client/testing";
   *
   * await using server = await startStubServer();
   * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
   * const { version, commit } = await client.version();
   * console.log(`Handoff ${version} (${commit})`);
   * ```
   */
  async version(
    requestOptions: RequestOptions = {},
  ): Promise<{ version: string; commit: string }> {
    const body = await this.#getJson("/version", requestOptions);
    if (typeof body.version !== "string" || typeof body.commit !== "string") {
      throw new ProtocolError(
        "GET /api/v1/version answered no version or commit",
        { cause: body },
      );
    }
    return { version: body.version, commit: body.commit };
  }

  async #getJson(
    path: string,
    requestOptions: RequestOptions,
  ): Promise<Record<string, unknown>> {
    const what = `GET /api/v1${path}`;
    const body = await this.#transport.send(
      {
        method: "GET",
        path,
        retry: "idempotent",
        auth: false,
        signal: requestOptions.signal,
        timeoutMs: requestOptions.timeoutMs,
      },
      (response) => readJson(response, what),
    );
    if (typeof body !== "object" || body === null) {
      throw new ProtocolError(
        `${what} answered something that is not an object`,
        {
          cause: body,
        },
      );
    }
    return body as Record<string, unknown>;
  }

  async #getSession(id: string, requestOptions: RequestOptions) {
    const path = `/sessions/${encodeURIComponent(sessionId(id))}`;
    return await this.#transport.send(
      {
        method: "GET",
        path,
        retry: "idempotent",
        signal: requestOptions.signal,
        timeoutMs: requestOptions.timeoutMs,
      },
      async (response) => {
        const date = Date.parse(response.headers.get("date") ?? "");
        const what = `GET /api/v1${path}`;
        const info = await this.#readSession(response, what);
        if (info.id !== id) {
          // A cache or proxy mixing up answers must not hand over another
          // person's session.
          throw new ProtocolError(
            `${what} answered session ${
              JSON.stringify(info.id)
            }, not the one asked for.`,
            { cause: { asked: id, answered: info.id } },
          );
        }
        return {
          info,
          serverNow: Number.isNaN(date) ? Date.now() : date,
        };
      },
    );
  }

  async #readSession(response: Response, what: string): Promise<SessionInfo> {
    return parseSessionInfo(await readJson(response, what), what);
  }

  #download(idOrUrl: string, requestOptions: RequestOptions) {
    return {
      method: "GET" as const,
      path: `/downloads/${encodeURIComponent(this.#downloadId(idOrUrl))}`,
      retry: "idempotent" as const,
      signal: requestOptions.signal,
      timeoutMs: requestOptions.timeoutMs,
    };
  }

  /** The download id of an id, a relative URL, or an absolute URL on this server. */
  #downloadId(idOrUrl: string): string {
    if (typeof idOrUrl !== "string" || idOrUrl === "") {
      throw new TypeError(
        "downloadFile() takes a download id or a download URL from a result",
      );
    }
    if (!idOrUrl.includes("/")) return idOrUrl;
    const url = new URL(idOrUrl, this.#transport.origin);
    if (url.origin !== this.#transport.origin) {
      throw new TypeError(
        `Refusing to download from ${url.origin}: download URLs are only followed on the client's own server (${this.#transport.origin}), so the API key never goes elsewhere.`,
      );
    }
    const match = /\/api\/v1\/downloads\/([^/]+)$/.exec(url.pathname);
    if (match === null || url.search !== "") {
      throw new TypeError(
        `Not a Handoff download URL: ${
          JSON.stringify(url.pathname)
        } (expected /api/v1/downloads/<id>)`,
      );
    }
    return decodeURIComponent(match[1]!);
  }
}

/**
 * The output formats an action takes (`never` for scans and before an action is chosen).
 *
 * @example
 * ```ts
 * import type { FormatOf } from "@handoff/client";
 *
 * const photo: FormatOf<"photo"> = "jpg";
 * const signature: FormatOf<"signature"> = "svg";
 * ```
 */
export type FormatOf<A> = A extends "photo" ? PhotoFormat
  : A extends "signature" ? SignatureFormat
  : never;

interface BuilderState {
  action?: ActionType;
  outputFormat?: string;
  intro?: string;
  sessionTtl?: Duration;
  resultTtl?: Duration;
  documentMode?: ScanDocumentMode;
  scanOutputFormat?: ScanOutputFormat;
}

/**
 * A fluent way to create a session, as in the Go client. The type follows
 * the action, so `withOutputFormat` only takes the formats of that action.
 * Each `with…` returns a new builder; a builder can be reused.
 *
 * @typeParam A The action chosen so far.
 *
 * @example
 * ```ts
 * import { HandoffClient } from "@handoff/client";
 * import { startStubServer } from "@handoff/client/testing";
 *
 * await using server = await startStubServer();
 * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
 * await using scan = await client.newSession()
 *   .withAction("scan").withDocumentMode("multi").withScanOutputFormat("images")
 *   .invoke();
 * console.assert(scan.documentMode === "multi");
 * ```
 */
export class SessionBuilder<A extends ActionType | undefined> {
  readonly #client: HandoffClient;
  readonly #state: Readonly<BuilderState>;

  /**
   * Internal: start with {@linkcode HandoffClient.newSession}.
   *
   * @param client The client that will send the request.
   * @param state The choices so far.
   */
  constructor(client: HandoffClient, state: Readonly<BuilderState>) {
    this.#client = client;
    this.#state = state;
  }

  #with<B extends ActionType | undefined>(
    patch: BuilderState,
  ): SessionBuilder<B> {
    return new SessionBuilder<B>(this.#client, { ...this.#state, ...patch });
  }

  /**
   * Choose the action (required).
   *
   * @param action `"photo"`, `"signature"` or `"scan"`.
   * @returns A builder for that action.
   */
  withAction<B extends ActionType>(action: B): SessionBuilder<B> {
    return this.#with<B>({ action });
  }

  /**
   * Choose the output format of a photo or signature session (required for them).
   *
   * @param format Photo: `jpg`, `png`, `pdf`; signature: `svg`, `png`, `pdf`.
   * @returns A new builder.
   */
  withOutputFormat(format: FormatOf<A>): SessionBuilder<A> {
    return this.#with<A>({ outputFormat: format });
  }

  /**
   * Text shown to the person before the action.
   *
   * @param text Plain text.
   * @returns A new builder.
   */
  withIntro(text: string): SessionBuilder<A> {
    return this.#with<A>({ intro: text });
  }

  /**
   * How long the session lives.
   *
   * @param ttl A Go duration (`"10m"`) or milliseconds.
   * @returns A new builder.
   */
  withSessionTtl(ttl: Duration): SessionBuilder<A> {
    return this.#with<A>({ sessionTtl: ttl });
  }

  /**
   * How long result files stay downloadable after completion.
   *
   * @param ttl A Go duration (`"5m"`) or milliseconds.
   * @returns A new builder.
   */
  withResultTtl(ttl: Duration): SessionBuilder<A> {
    return this.#with<A>({ resultTtl: ttl });
  }

  /**
   * One document or several (scan sessions).
   *
   * @param mode `"single"` or `"multi"`.
   * @returns A new builder.
   */
  withDocumentMode(
    mode: A extends "scan" ? ScanDocumentMode : never,
  ): SessionBuilder<A> {
    return this.#with<A>({ documentMode: mode });
  }

  /**
   * PDFs or page images (scan sessions).
   *
   * @param format `"pdf"` or `"images"`.
   * @returns A new builder.
   */
  withScanOutputFormat(
    format: A extends "scan" ? ScanOutputFormat : never,
  ): SessionBuilder<A> {
    return this.#with<A>({ scanOutputFormat: format });
  }

  /**
   * Validate, create the session and start watching it.
   *
   * @param requestOptions `signal`, `timeoutMs`.
   * @returns The live session.
   * @throws {TypeError|RangeError} A missing action or format, or a bad TTL.
   */
  invoke(requestOptions: RequestOptions = {}): Promise<Session> {
    const s = this.#state;
    if (s.action === undefined) {
      return Promise.reject(
        new TypeError("The session has no action: call withAction() first"),
      );
    }
    if (s.action !== "scan" && s.outputFormat === undefined) {
      return Promise.reject(
        new TypeError(
          `A ${s.action} session needs an output format: call withOutputFormat()`,
        ),
      );
    }
    const common = {
      ...(s.intro !== undefined ? { intro: s.intro } : {}),
      ...(s.sessionTtl !== undefined ? { sessionTtl: s.sessionTtl } : {}),
      ...(s.resultTtl !== undefined ? { resultTtl: s.resultTtl } : {}),
    };
    const options = s.action === "scan"
      ? {
        action: s.action,
        ...common,
        ...(s.documentMode !== undefined
          ? { documentMode: s.documentMode }
          : {}),
        ...(s.scanOutputFormat !== undefined
          ? { scanOutputFormat: s.scanOutputFormat }
          : {}),
      }
      : { action: s.action, outputFormat: s.outputFormat, ...common };
    return this.#client.createSession(
      options as CreateSessionOptions,
      requestOptions,
    );
  }
}
