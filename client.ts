// Copyright 2026 the handoff authors. MIT license.
/**
 * {@linkcode HandoffClient}: creates, attaches to and inspects sessions and
 * downloads their files.
 *
 * @module
 */

import { createRequestBody, sessionId } from "./_request.ts";
import { readJson, Transport, typedBody } from "./_http.ts";
import type { SessionContext } from "./_link.ts";
import { type ResolvedOptions, resolveOptions } from "./_options.ts";
import { SocketReleaser } from "./_release.ts";
import { SocketFactory } from "./_socket.ts";
import { type TimerHost, Timers } from "./_timers.ts";
import { parseSessionInfo } from "./_wire.ts";
import { ProtocolError, SessionExpiredError } from "./errors.ts";
import type { HandoffClientOptions } from "./options.ts";
import { SessionBuilder } from "./builder.ts";
import { newSession, type SessionOf } from "./session.ts";
import type {
  ActionType,
  AttachOptions,
  CreatedSessionInfo,
  CreateOptions,
  CreateSessionOptions,
  DownloadedFile,
  DownloadStream,
  RequestOptions,
  SessionInfo,
} from "./types.ts";

/**
 * What every session of a client shares: the transport, the sockets and the
 * tuning, on one clock (`host`: the runtime's, or a test's fake one).
 */
export function sessionContext(
  options: ResolvedOptions,
  host?: TimerHost,
  random: () => number = Math.random,
): SessionContext {
  const timers = new Timers(host);
  return {
    transport: new Transport(
      options.base,
      options.apiKey,
      options.fetch,
      options.timeoutMs,
      options.retry,
      timers,
    ),
    sockets: new SocketFactory(
      options.apiKey,
      options.fetch,
      options.WebSocket,
      options.webSocketAuth,
      timers,
    ),
    releaser: new SocketReleaser(timers),
    reconnect: options.reconnect,
    pollIntervalMs: options.pollIntervalMs,
    livenessIntervalMs: options.livenessIntervalMs,
    random,
    onListenerError: options.onListenerError,
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
   * @throws {RangeError} A timeout, interval or retry count out of range, or
   *   an `initialDelayMs` above its `maxDelayMs`.
   */
  constructor(options: HandoffClientOptions) {
    this.#ctx = sessionContext(resolveOptions(options));
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
   * The live session holds a WebSocket and timers until it completes,
   * expires or is closed, and they keep the process alive: close it (`await
   * using`), or pass `{ watch: false }` to only create it (see the next
   * overload).
   *
   * @typeParam O The options; the session is typed by their action.
   * @param options The action and its options.
   * @param requestOptions `signal`, `timeoutMs`; `watch` (`true` here).
   * @returns The live session, typed by its action.
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
  createSession<O extends CreateSessionOptions>(
    options: O,
    requestOptions?: CreateOptions & { watch?: true },
  ): Promise<SessionOf<O["action"]>>;
  /**
   * Only create a session: no WebSocket is opened and no timer is armed, so
   * a script or an edge function can answer at once (with the URL or
   * {@linkcode qrCode} of it) and finish; another request watches it later
   * with {@linkcode HandoffClient.attachSession}.
   *
   * @typeParam O The options; the answer is typed by their action.
   * @param options The action and its options.
   * @param requestOptions `{ watch: false }`, and `signal`, `timeoutMs`.
   * @returns What the server answered: id, url, expiry, action.
   * @throws {TypeError|RangeError} Invalid options, before any request.
   *
   * @example Create on one side, attach on the other
   * ```ts
   * import { HandoffClient, qrCode } from "@handoff/client";
   * import { startStubServer } from "@handoff/client/testing";
   *
   * await using server = await startStubServer();
   * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
   *
   * // the request that shows the code
   * const { id, url, expiresAt } = await client.createSession(
   *   { action: "photo", outputFormat: "jpg" },
   *   { watch: false },
   * );
   * const qr = await qrCode(url);
   * console.assert(qr.startsWith("data:") && expiresAt > new Date(0));
   *
   * // a later request (or another process) that waits for the photo
   * await server.phone.complete(id);
   * await using session = await client.attachSession(id, { actionType: "photo" });
   * const [photo] = await session.waitForResult();
   * console.assert(photo !== undefined);
   * ```
   */
  createSession<O extends CreateSessionOptions>(
    options: O,
    requestOptions: CreateOptions & { watch: false },
  ): Promise<CreatedSessionInfo<O["action"]>>;
  /**
   * Create a session, watching it or not as `requestOptions.watch` says
   * (for a `watch` known only at run time).
   *
   * @typeParam O The options; the result is typed by their action.
   * @param options The action and its options.
   * @param requestOptions `watch`, `signal`, `timeoutMs`.
   * @returns The live session, or the server's answer when `watch` is `false`.
   */
  createSession<O extends CreateSessionOptions>(
    options: O,
    requestOptions?: CreateOptions,
  ): Promise<SessionOf<O["action"]> | CreatedSessionInfo<O["action"]>>;
  async createSession(
    options: CreateSessionOptions,
    requestOptions: CreateOptions = {},
  ): Promise<SessionOf<ActionType> | CreatedSessionInfo> {
    const watch = requestOptions.watch ?? true;
    if (typeof watch !== "boolean") {
      throw new TypeError(
        `watch must be true or false, got ${JSON.stringify(watch)}`,
      );
    }
    const body = createRequestBody(options);
    const what = this.#transport.describe("POST", "/sessions");
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
      (response) => this.#readSession(response, what),
    );
    if (info.status === "expired") {
      throw new ProtocolError(`${what} answered an expired session`, {
        cause: info,
      });
    }
    if (!watch) return info;
    return newSession(info, this.#ctx, info.sessionTtlMs);
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
   * Without `actionType` the session's type is {@linkcode AnySession}:
   * check its `actionType` to narrow it. With it, the session is typed for
   * that action and one of another action is refused.
   *
   * @typeParam A The action expected.
   * @param id The session id.
   * @param options `actionType`, `signal`, `timeoutMs`.
   * @returns The live session.
   * @throws {SessionExpiredError} The session has expired.
   * @throws {NotFoundError} No such session.
   * @throws {TypeError} The session's action is not `actionType`.
   *
   * @example Answer a status request in an edge function
   * ```ts
   * import { HandoffClient } from "@handoff/client";
   * import { startStubServer } from "@handoff/client/testing";
   *
   * await using server = await startStubServer();
   * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
   * const { id } = await client.createSession(
   *   { action: "photo", outputFormat: "jpg" },
   *   { watch: false },
   * ); // made by an earlier request
   * await server.phone.complete(id);
   *
   * await using session = await client.attachSession(id);
   * if (session.actionType !== "scan") { // narrows AnySession
   *   const items = await session.waitForResult({ signal: AbortSignal.timeout(20_000) });
   *   console.assert(items.length === 1);
   * }
   * ```
   */
  async attachSession<A extends ActionType = ActionType>(
    id: string,
    options: AttachOptions<A> = {},
  ): Promise<SessionOf<A>> {
    const expected = options.actionType;
    if (
      expected !== undefined && expected !== "photo" &&
      expected !== "signature" && expected !== "scan"
    ) {
      throw new TypeError(
        `actionType must be "photo", "signature" or "scan", got ${
          JSON.stringify(expected)
        }`,
      );
    }
    const { info, serverNow } = await this.#getSession(id, options);
    if (info.status === "expired") {
      throw new SessionExpiredError(
        `Session ${info.id} has expired (the server says so); create a new one.`,
        { cause: info, confirmed: true },
      );
    }
    if (expected !== undefined && info.actionType !== expected) {
      throw new TypeError(
        `Session ${info.id} is a ${info.actionType} session, not a ${expected} session as attachSession() was told.`,
      );
    }
    const remaining = info.expiresAt.getTime() - serverNow;
    return newSession(
      info,
      this.#ctx,
      Math.max(0, remaining),
    ) as SessionOf<A>;
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
            this.#transport.describe("GET", request.path),
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
      throw new ProtocolError(
        `${this.#transport.describe("GET", "/health")} answered no status`,
        {
          cause: body,
        },
      );
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
        `${
          this.#transport.describe("GET", "/version")
        } answered no version or commit`,
        { cause: body },
      );
    }
    return { version: body.version, commit: body.commit };
  }

  async #getJson(
    path: string,
    requestOptions: RequestOptions,
  ): Promise<Record<string, unknown>> {
    const what = this.#transport.describe("GET", path);
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
        const what = this.#transport.describe("GET", path);
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
