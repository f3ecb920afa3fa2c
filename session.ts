// Copyright 2026 the handoff authors. MIT license.
/**
 * A live session: its status, its events, its result.
 *
 * @module
 */

import { backoff, readJson, type Transport } from "./_http.ts";
import { qrOptions, renderQr } from "./_qr.ts";
import type { SocketFactory, SocketHandle, SocketListener } from "./_socket.ts";
import type { Timer, Timers } from "./_timers.ts";
import {
  type Frame,
  parseFrame,
  parseItems,
  parseResultSnapshot,
  parseScanResult,
  rank,
  type ResultSnapshot,
} from "./_wire.ts";
import {
  ApiError,
  type HandoffError,
  SessionClosedError,
  SessionExpiredError,
} from "./errors.ts";
import type {
  ActionType,
  CompletedEvent,
  ConnectionState,
  ExpiredEvent,
  LiveSessionInfo,
  OpenStatus,
  OutputFormat,
  QrCodeOptions,
  ResultItem,
  ScanDocumentMode,
  ScanOutputFormat,
  ScanResult,
  SessionEvent,
  SessionStatus,
} from "./types.ts";

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
  /** Delay before the first reconnect; doubles each time, with jitter. @default {1000} */
  initialDelayMs?: number;
  /** Longest delay between two attempts. @default {30000} */
  maxDelayMs?: number;
  /** Failed attempts in a row before polling starts (while reconnecting goes on). @default {3} */
  attemptsBeforePolling?: number;
  /** A socket that stayed up this long resets the attempt count. @default {10000} */
  stableAfterMs?: number;
}

/** What a session shares with its client. Internal. */
export interface SessionContext {
  readonly transport: Transport;
  readonly sockets: SocketFactory;
  readonly reconnect: Required<ReconnectOptions>;
  readonly pollIntervalMs: number;
  readonly livenessIntervalMs: number;
  readonly onListenerError: (error: unknown, event: SessionEvent) => void;
}

/**
 * Options of {@linkcode Session.waitForResult} and {@linkcode Session.events}.
 *
 * @example
 * ```ts
 * import type { WaitOptions } from "@handoff/client";
 *
 * const options: WaitOptions = { signal: AbortSignal.timeout(60_000) };
 * ```
 */
export interface WaitOptions {
  /** Stops waiting (the session goes on); rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** A session's final state. */
type End =
  | { readonly kind: "completed"; readonly event: CompletedEvent }
  | { readonly kind: "expired"; readonly event: ExpiredEvent; cause: unknown }
  | { readonly kind: "failed"; readonly error: HandoffError }
  | { readonly kind: "closed" };

/** Re-checks after the expiry deadline, until the server confirms it. */
const EXPIRY_RECHECK_MS = 250;
const EXPIRY_RECHECK_MAX_MS = 5_000;
/** Past the deadline by this much with no answer from the server: expired. */
const EXPIRY_GRACE_MS = 30_000;
/** How long close() waits for a socket's close handshake. */
const CLOSE_WAIT_MS = 2_000;
/**
 * Why a finished session aborts its requests. Nobody sees it (the answers of
 * a finished session are ignored); a constant, because `abort()` without a
 * reason builds a DOMException with a stack trace.
 */
const RELEASED = "the session has finished";

/**
 * A session on the Handoff server, kept up to date over a WebSocket (or by
 * polling when the socket cannot be had). Made by
 * {@linkcode HandoffClient.createSession}, the builder's `invoke()`, or
 * {@linkcode HandoffClient.attachSession}.
 *
 * Statuses are delivered once each, in order, never backwards; `completed`
 * exactly once, whether the socket or a poll saw it first. Once the session
 * completes or expires it releases its socket and timers by itself; `close()`
 * does so earlier.
 *
 * @example Wait for a photo
 * ```ts
 * import { HandoffClient } from "@handoff/client";
 * import { startStubServer } from "@handoff/client/testing";
 *
 * await using server = await startStubServer();
 * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
 * await using session = await client.createSession({ action: "photo", outputFormat: "jpg" });
 *
 * const seen: string[] = [];
 * session.onEvent((event) => seen.push(event.status));
 * await server.phone.complete(session.id); // the person takes the photo
 *
 * const [photo] = await session.waitForResult({ signal: AbortSignal.timeout(10_000) });
 * const file = await client.downloadFile(photo!.downloadId);
 * console.assert(file.contentType === "image/jpeg");
 * console.assert(seen.at(-1) === "completed");
 * ```
 */
export class Session implements AsyncDisposable {
  /** The session id (a UUID). */
  readonly id: string;
  /** The URL the person opens on their phone; show it as a QR code. */
  readonly url: string;
  /** What the person is asked to do. */
  readonly actionType: ActionType;
  /** The output format of a photo or signature session. */
  readonly outputFormat: OutputFormat | undefined;
  /** The document mode of a scan session. */
  readonly documentMode: ScanDocumentMode | undefined;
  /** The output format of a scan session. */
  readonly scanOutputFormat: ScanOutputFormat | undefined;
  /** The intro text, if any. */
  readonly introText: string | undefined;
  /** When the server created the session. */
  readonly createdAt: Date;
  /** When the session expires (`createdAt` + its session TTL, server clock). */
  readonly expiresAt: Date;

  readonly #ctx: SessionContext;
  readonly #timers: Timers;
  readonly #path: string;
  #status: SessionStatus;
  #delivered = false; // the first snapshot has been delivered
  #end: End | undefined;
  // What most sessions never use is made on first use: a client watching
  // 10,000 sessions pays for every field in memory and on every create.
  #listeners: Set<(event: SessionEvent) => void> | undefined;
  #connectionListeners: Set<(state: ConnectionState) => void> | undefined;
  #endListeners: Set<() => void> | undefined;
  /** The outcome, once someone waits for it. */
  #outcome: Promise<CompletedEvent> | undefined;
  #settle:
    | {
      resolve: (event: CompletedEvent) => void;
      reject: (error: unknown) => void;
    }
    | undefined;
  /** Why waiting failed (a closed or expired session), once asked. */
  #failure: HandoffError | undefined;
  #qr: Map<string, Promise<string>> | undefined;

  #connection: ConnectionState = "connecting";
  #socket: SocketHandle | undefined;
  #socketOpenedAt: number | undefined;
  #failures = 0;
  #reconnectTimer: Timer | undefined;
  #pollTimer: Timer | undefined;
  #livenessTimer: Timer | undefined;
  #quietSince = 0; // performance.now() of the socket's open or latest frame
  #expiryTimer: Timer | undefined;
  #resultTimer: Timer | undefined;
  readonly #deadline: number; // performance.now() at which the TTL runs out
  #lastServerAnswer: number;
  #expiryChecks = 0;
  #needResult = false; // completed is known, the result is not yet
  #resultRetries = 0;
  #refreshing: Promise<void> | undefined;
  #refreshAgain: string | undefined;
  #aborter: AbortController | undefined; // aborts the session's requests
  #pending: Set<Promise<unknown>> | undefined;
  #closing: Promise<void> | undefined;

  /**
   * Internal: sessions come from {@linkcode HandoffClient}.
   *
   * @param info What the server said about the session.
   * @param ctx What the session shares with its client.
   * @param remainingMs Milliseconds until the TTL runs out, by the local clock.
   */
  constructor(info: LiveSessionInfo, ctx: SessionContext, remainingMs: number) {
    this.id = info.id;
    this.url = info.url;
    this.actionType = info.actionType;
    this.outputFormat = info.outputFormat;
    this.documentMode = info.documentMode;
    this.scanOutputFormat = info.scanOutputFormat;
    this.introText = info.introText;
    this.createdAt = info.createdAt;
    this.expiresAt = info.expiresAt;
    this.#ctx = ctx;
    this.#timers = ctx.transport.timers;
    this.#path = `/sessions/${encodeURIComponent(info.id)}`;
    this.#status = info.status;
    // One clock reading for the constructor: in Deno, performance.now() is
    // a call into the runtime, and it shows on every create.
    const now = performance.now();
    this.#deadline = now + remainingMs;
    this.#lastServerAnswer = now;

    if (info.status === "completed") {
      this.#complete(
        info.completedAt ?? new Date(),
        info.result,
        info.scanResult,
        false,
      );
      return;
    }
    this.#armExpiry(now);
    this.#connect(now);
  }

  /** The latest status delivered (`expired` once expiry is confirmed). */
  get status(): SessionStatus {
    return this.#status;
  }

  /** How the session hears from the server right now. */
  get connection(): ConnectionState {
    return this.#connection;
  }

  /** The files, once a photo or signature session has completed. */
  get result(): readonly ResultItem[] | undefined {
    return this.#end?.kind === "completed" ? this.#end.event.result : undefined;
  }

  /** The documents, once a scan session has completed. */
  get scanResult(): ScanResult | undefined {
    return this.#end?.kind === "completed"
      ? this.#end.event.scanResult
      : undefined;
  }

  /**
   * Call `listener` for every future event. The first snapshot the session
   * gets from the server is always delivered (so a listener added right after
   * creation sees `pending`, and knows the live channel is up); later ones only
   * when the status moves forward. A listener that throws does not stop the
   * others.
   *
   * @param listener Called with each event.
   * @returns A function that removes the listener.
   *
   * @example Log every status
   * ```ts
   * import { HandoffClient } from "@handoff/client";
   * import { startStubServer } from "@handoff/client/testing";
   *
   * await using server = await startStubServer();
   * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
   * await using session = await client.createSession({ action: "photo", outputFormat: "jpg" });
   * const off = session.onEvent((event) => console.log(event.type, event.status));
   * off();
   * ```
   */
  onEvent(listener: (event: SessionEvent) => void): () => void {
    if (typeof listener !== "function") {
      throw new TypeError("onEvent() takes a function");
    }
    const entry = (event: SessionEvent) => listener(event);
    const listeners = this.#listeners ??= new Set();
    listeners.add(entry);
    return () => listeners.delete(entry);
  }

  /**
   * Call `listener` whenever {@linkcode Session.connection} changes.
   *
   * @param listener Called with the new state.
   * @returns A function that removes the listener.
   *
   * @example Show the connection mode
   * ```ts
   * import { HandoffClient } from "@handoff/client";
   * import { startStubServer } from "@handoff/client/testing";
   *
   * await using server = await startStubServer();
   * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
   * await using session = await client.createSession({ action: "photo", outputFormat: "jpg" });
   * session.onConnectionChange((state) => console.log("now", state));
   * ```
   */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void {
    if (typeof listener !== "function") {
      throw new TypeError("onConnectionChange() takes a function");
    }
    const entry = (state: ConnectionState) => listener(state);
    const listeners = this.#connectionListeners ??= new Set();
    listeners.add(entry);
    return () => listeners.delete(entry);
  }

  /**
   * The session's events as an async iterable. It ends after `completed` or
   * `expired`, or when the session is closed; it throws when the session
   * fails for good (a 401 or 404). Called after the session ended, it yields
   * the final event (if any) and ends.
   *
   * @param options `signal` stops the iteration (it then throws the reason).
   * @returns An async iterator of events.
   *
   * @example Iterate until completion
   * ```ts
   * import { HandoffClient } from "@handoff/client";
   * import { startStubServer } from "@handoff/client/testing";
   *
   * await using server = await startStubServer();
   * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
   * await using session = await client.createSession({ action: "photo", outputFormat: "jpg" });
   * await server.phone.complete(session.id);
   * for await (const event of session.events({ signal: AbortSignal.timeout(60_000) })) {
   *   if (event.type === "completed") console.log(event.result);
   * }
   * ```
   */
  async *events(
    options: WaitOptions = {},
  ): AsyncGenerator<SessionEvent, void, undefined> {
    const { signal } = options;
    signal?.throwIfAborted();
    const queue: SessionEvent[] = [];
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    const off = this.onEvent((event) => {
      queue.push(event);
      notify();
    });
    const endListeners = this.#endListeners ??= new Set();
    endListeners.add(notify);
    signal?.addEventListener("abort", notify);
    try {
      if (this.#end?.kind === "completed" || this.#end?.kind === "expired") {
        if (queue.length === 0) queue.push(this.#end.event);
      }
      for (;;) {
        while (queue.length > 0) {
          const event = queue.shift()!;
          yield event;
          if (event.type !== "status_update") return;
        }
        signal?.throwIfAborted();
        if (this.#end?.kind === "failed") throw this.#end.error;
        if (this.#end !== undefined) return;
        await new Promise<void>((resolve) => wake = resolve);
      }
    } finally {
      off();
      endListeners.delete(notify);
      signal?.removeEventListener("abort", notify);
    }
  }

  /**
   * Wait for the files of a photo or signature session. Any number of
   * callers may wait; one arriving after completion resolves at once.
   *
   * @param options `signal` stops waiting (the session goes on).
   * @returns The result items (may be empty).
   * @throws {SessionExpiredError} The session expired first.
   * @throws {SessionClosedError} The session was closed first.
   * @throws {TypeError} This is a scan session: use {@linkcode Session.waitForScanResult}.
   *
   * @example
   * ```ts
   * import { HandoffClient } from "@handoff/client";
   * import { startStubServer } from "@handoff/client/testing";
   *
   * await using server = await startStubServer();
   * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
   * await using session = await client.createSession({ action: "photo", outputFormat: "jpg" });
   * await server.phone.complete(session.id);
   * const items = await session.waitForResult({ signal: AbortSignal.timeout(300_000) });
   * console.assert(items[0]?.contentType === "image/jpeg");
   * ```
   */
  async waitForResult(options: WaitOptions = {}): Promise<ResultItem[]> {
    if (this.actionType === "scan") {
      throw new TypeError(
        `Session ${this.id} is a scan session: use waitForScanResult() instead of waitForResult().`,
      );
    }
    const event = await this.#wait(options.signal);
    return [...(event.result ?? [])];
  }

  /**
   * Wait for the documents of a scan session. Any number of callers may wait.
   *
   * @param options `signal` stops waiting (the session goes on).
   * @returns The scan result.
   * @throws {SessionExpiredError} The session expired first.
   * @throws {SessionClosedError} The session was closed first.
   * @throws {TypeError} This is not a scan session: use {@linkcode Session.waitForResult}.
   *
   * @example
   * ```ts
   * import { HandoffClient } from "@handoff/client";
   * import { startStubServer } from "@handoff/client/testing";
   *
   * await using server = await startStubServer();
   * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
   * await using scan = await client.createSession({ action: "scan" });
   * await server.phone.complete(scan.id);
   * const { documents } = await scan.waitForScanResult();
   * console.assert(documents.length === 1);
   * ```
   */
  async waitForScanResult(options: WaitOptions = {}): Promise<ScanResult> {
    if (this.actionType !== "scan") {
      throw new TypeError(
        `Session ${this.id} is a ${this.actionType} session: use waitForResult() instead of waitForScanResult().`,
      );
    }
    const event = await this.#wait(options.signal);
    return event.scanResult ?? { documents: [] };
  }

  /**
   * The session URL as a QR code: a `data:image/png;base64,…` URL by default
   * (256 px, error correction M), or an SVG document. Cached per options. The
   * QR library is loaded on the first call.
   *
   * @param options Format, size, error correction, margin.
   * @returns A PNG data URL or an SVG document.
   *
   * @example
   * ```ts
   * import { HandoffClient } from "@handoff/client";
   * import { startStubServer } from "@handoff/client/testing";
   *
   * await using server = await startStubServer();
   * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
   * await using session = await client.createSession({ action: "photo", outputFormat: "jpg" });
   * const img = `<img src="${await session.qrCode()}" alt="Scan me">`;
   * const svg = await session.qrCode({ format: "svg", size: 320 });
   * console.assert(img.includes("data:image/png;base64,") && svg.startsWith("<svg"));
   * ```
   */
  qrCode(options: QrCodeOptions = {}): Promise<string> {
    let resolved: Required<QrCodeOptions>;
    try {
      resolved = qrOptions(options);
    } catch (error) {
      return Promise.reject(error);
    }
    const key =
      `${resolved.format}:${resolved.size}:${resolved.errorCorrection}:${resolved.margin}`;
    const qr = this.#qr ??= new Map();
    let cached = qr.get(key);
    if (cached === undefined) {
      cached = renderQr(this.url, resolved);
      cached.catch(() => qr.delete(key));
      qr.set(key, cached);
    }
    return cached;
  }

  /**
   * Stop watching the session: close the socket, stop every timer and
   * request, and reject pending waiters with {@linkcode SessionClosedError}.
   * Idempotent; the session on the server is not changed. Resolves once
   * every resource is released.
   *
   * @returns Settles when everything is released.
   *
   * @example
   * ```ts
   * import { HandoffClient } from "@handoff/client";
   * import { startStubServer } from "@handoff/client/testing";
   *
   * await using server = await startStubServer();
   * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
   * const session = await client.createSession({ action: "photo", outputFormat: "jpg" });
   * await session.close();
   * console.assert(session.connection === "closed");
   * ```
   */
  close(): Promise<void> {
    if (this.#end === undefined) this.#finish({ kind: "closed" });
    this.#closing ??= this.#pending === undefined
      ? Promise.resolve()
      : (async () => {
        // A socket whose peer never answers the close handshake must not hang
        // close(): wait for it a bounded time.
        let timer: Timer | undefined;
        const cap = new Promise<void>((resolve) => {
          timer = this.#timers.set(CLOSE_WAIT_MS, resolve);
        });
        const pending = this.#pending!;
        const drained = (async () => {
          while (pending.size > 0) await Promise.allSettled([...pending]);
        })();
        await Promise.race([drained, cap]);
        this.#timers.clear(timer);
      })();
    return this.#closing;
  }

  /** Same as {@linkcode Session.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- waiting -------------------------------------------------------------

  #wait(signal: AbortSignal | undefined): Promise<CompletedEvent> {
    // `null` is no signal, as in fetch (and in events()).
    const outcome = this.#outcomePromise();
    if (signal === undefined || signal === null) return outcome;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      outcome.then(resolve, reject).finally(() =>
        signal.removeEventListener("abort", onAbort)
      );
    });
  }

  #outcomePromise(): Promise<CompletedEvent> {
    if (this.#outcome !== undefined) return this.#outcome;
    const end = this.#end;
    if (end === undefined) {
      this.#outcome = new Promise<CompletedEvent>((resolve, reject) => {
        this.#settle = { resolve, reject };
      });
    } else if (end.kind === "completed") {
      this.#outcome = Promise.resolve(end.event);
    } else this.#outcome = Promise.reject(this.#failureOf(end));
    this.#outcome.catch(() => {}); // rejections are for waiters only
    return this.#outcome;
  }

  /** The error waiters get; made once, when first needed. */
  #failureOf(end: Exclude<End, { kind: "completed" }>): HandoffError {
    if (end.kind === "failed") return end.error;
    return this.#failure ??= end.kind === "closed"
      ? new SessionClosedError(
        `Session ${this.id} was closed before it completed.`,
        { cause: "Session.close() was called" },
      )
      : end.cause instanceof SessionExpiredError
      ? end.cause
      : new SessionExpiredError(
        "session expired",
        `Session ${this.id} expired before it completed; create a new one.`,
        { cause: end.cause ?? end.event },
      );
  }

  // ---- delivering ----------------------------------------------------------

  #emit(event: SessionEvent): void {
    const listeners = this.#listeners;
    if (listeners === undefined || listeners.size === 0) return;
    // One listener (the usual case) needs no copy of the set; one added
    // while it runs waits for the next event either way.
    if (listeners.size === 1) {
      return this.#call(listeners.values().next().value!, event);
    }
    for (const listener of [...listeners]) this.#call(listener, event);
  }

  #call(listener: (event: SessionEvent) => void, event: SessionEvent): void {
    try {
      listener(event);
    } catch (error) {
      try {
        this.#ctx.onListenerError(error, event);
      } catch {
        // an error reporter that throws must not break delivery either
      }
    }
  }

  #setConnection(state: ConnectionState): void {
    if (this.#connection === state) return;
    this.#connection = state;
    const listeners = this.#connectionListeners;
    if (listeners === undefined || listeners.size === 0) return;
    for (const listener of [...listeners]) {
      try {
        listener(state);
      } catch {
        // see #emit
      }
    }
  }

  /** The one funnel for open statuses: the first snapshot, then only forward. */
  #advance(status: OpenStatus, timestamp: Date): void {
    if (this.#end !== undefined) return;
    if (this.#delivered && rank(status) <= rank(this.#status)) return;
    this.#delivered = true;
    this.#status = status;
    this.#emit({
      type: "status_update",
      sessionId: this.id,
      status,
      timestamp,
    });
  }

  #complete(
    timestamp: Date,
    result: readonly ResultItem[] | undefined,
    scanResult: ScanResult | undefined,
    emit = true,
  ): void {
    if (this.#end !== undefined) return;
    // Object literals, not spreads: this is on the way to the listeners.
    const event: CompletedEvent = this.actionType === "scan"
      ? {
        type: "completed",
        sessionId: this.id,
        status: "completed",
        timestamp,
        scanResult: scanResult ?? { documents: [] },
      }
      : {
        type: "completed",
        sessionId: this.id,
        status: "completed",
        timestamp,
        result: result ?? [],
      };
    this.#status = "completed";
    this.#delivered = true;
    this.#finish({ kind: "completed", event }, emit);
  }

  #expire(cause: unknown): void {
    if (this.#end !== undefined) return;
    const event: ExpiredEvent = {
      type: "expired",
      sessionId: this.id,
      status: "expired",
      timestamp: new Date(),
    };
    this.#status = "expired";
    this.#finish({ kind: "expired", event, cause });
  }

  #finish(end: End, emit = true): void {
    this.#end = end;
    // The news goes out first; releasing the socket, timers and requests
    // waits until the listeners have it (none of them can act once #end is
    // set, and nobody can see them go in between).
    const socket = this.#socket;
    this.#socket = undefined;
    this.#socketOpenedAt = undefined;
    this.#setConnection("closed");
    const settle = this.#settle;
    this.#settle = undefined;
    if (settle !== undefined) {
      if (end.kind === "completed") settle.resolve(end.event);
      else settle.reject(this.#failureOf(end));
    }
    if (emit && (end.kind === "completed" || end.kind === "expired")) {
      this.#emit(end.event);
    }
    if (this.#endListeners !== undefined) {
      for (const notify of [...this.#endListeners]) notify();
    }
    this.#release(socket);
  }

  #release(socket: SocketHandle | undefined): void {
    const timers = this.#timers;
    timers.clear(this.#reconnectTimer);
    timers.clear(this.#pollTimer);
    timers.clear(this.#livenessTimer);
    timers.clear(this.#expiryTimer);
    timers.clear(this.#resultTimer);
    this.#aborter?.abort(RELEASED);
    if (socket !== undefined) this.#closeHandle(socket);
  }

  #closeSocket(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#socketOpenedAt = undefined;
    if (socket !== undefined) this.#closeHandle(socket);
  }

  /** Close a socket and let close() wait until it has released everything. */
  #closeHandle(socket: SocketHandle): void {
    socket.close();
    this.#track(socket.closed);
  }

  // ---- the WebSocket ------------------------------------------------------

  #connect(now?: number): void {
    if (this.#end !== undefined || this.#socket !== undefined) return;
    this.#socket = this.#ctx.sockets.open(
      this.#ctx.transport.url(`${this.#path}/ws`),
      this.#onSocket,
    );
    // A handshake that never finishes is a silent socket too: the liveness
    // check gives up on it (once it opens, the check counts from there).
    this.#armLiveness(now);
  }

  /** Every socket's events; those of a socket already replaced are ignored. */
  readonly #onSocket: SocketListener = (socket, event, data) => {
    if (this.#socket !== socket) return;
    if (event === "message") this.#onFrame(parseFrame(data));
    else if (event === "open") {
      // The liveness timer armed by #connect goes on: it measures the
      // silence from now on (cheaper than re-arming it).
      this.#socketOpenedAt = this.#quietSince = performance.now();
      this.#timers.clear(this.#pollTimer);
      this.#setConnection("websocket");
    } else this.#onSocketGone(this.#socketOpenedAt);
  };

  #onFrame(frame: Frame | undefined): void {
    if (frame === undefined || frame.sessionId !== this.id) return;
    // Liveness only needs the time: re-arming a timer per frame costs more
    // than the rest of the frame's way to the listeners.
    this.#lastServerAnswer = this.#quietSince = performance.now();
    if (frame.status === "completed") {
      const data = frame.type === "completed"
        ? this.#readData(frame.data)
        : undefined;
      if (data !== undefined) {
        this.#complete(frame.timestamp, data.result, data.scanResult);
      } else this.#needCompletedResult();
    } else if (frame.status === "expired") {
      this.#refresh("expiry");
    } else {
      this.#advance(frame.status, frame.timestamp);
    }
  }

  /** The `data` of a `completed` frame, or undefined when it is not usable. */
  #readData(
    data: unknown,
  ): { result?: ResultItem[]; scanResult?: ScanResult } | undefined {
    if (data === undefined) return undefined;
    try {
      return this.actionType === "scan"
        ? { scanResult: parseScanResult(data, "completed frame") }
        : { result: parseItems(data, "completed frame") };
    } catch {
      return undefined; // fetch it from /result instead
    }
  }

  /** @param openedAt When the socket that is gone had opened, if it had. */
  #onSocketGone(openedAt: number | undefined): void {
    this.#socket = undefined;
    this.#socketOpenedAt = undefined;
    this.#timers.clear(this.#livenessTimer);
    if (this.#end !== undefined) return;
    const { stableAfterMs, attemptsBeforePolling, initialDelayMs, maxDelayMs } =
      this.#ctx.reconnect;
    const stable = openedAt !== undefined &&
      performance.now() - openedAt >= stableAfterMs;
    this.#failures = stable ? 0 : this.#failures + 1;
    // Reconnecting is not recovering: ask the server where the session is
    // (this also tells a 401/404/410 behind a failed handshake).
    this.#refresh("reconnect");
    if (this.#failures >= attemptsBeforePolling) this.#startPolling();
    else this.#setConnection("connecting");
    const wait = this.#failures === 0
      ? 0
      : backoff(this.#failures - 1, initialDelayMs, maxDelayMs);
    this.#reconnectTimer = this.#timers.set(wait, () => this.#connect());
  }

  /** Replace a socket that evidently missed frames. */
  #recycleSocket(): void {
    if (this.#socket === undefined || this.#end !== undefined) return;
    const openedAt = this.#socketOpenedAt; // a long-lived socket was no failure
    this.#closeSocket();
    this.#onSocketGone(openedAt);
  }

  // ---- snapshots: polling, liveness, expiry -------------------------------

  #startPolling(): void {
    if (this.#connection === "polling" || this.#end !== undefined) return;
    this.#setConnection("polling");
    this.#schedulePoll();
  }

  #schedulePoll(): void {
    this.#timers.clear(this.#pollTimer);
    if (this.#connection !== "polling" || this.#end !== undefined) return;
    this.#pollTimer = this.#timers.set(this.#ctx.pollIntervalMs, () => {
      this.#refresh("poll");
      this.#schedulePoll();
    });
  }

  /** Take a snapshot once the socket has been silent for a liveness interval (± 20 %). */
  #armLiveness(now: number = performance.now()): void {
    this.#timers.clear(this.#livenessTimer);
    if (this.#end !== undefined) return;
    this.#quietSince = now;
    const ms = this.#ctx.livenessIntervalMs * (0.8 + Math.random() * 0.4);
    const check = () => {
      if (this.#socket !== undefined && this.#socketOpenedAt === undefined) {
        // The handshake never finished: drop the socket and try again.
        this.#recycleSocket();
        return;
      }
      const quiet = performance.now() - this.#quietSince;
      if (quiet < ms) {
        // A frame came meanwhile: wait out the rest of the interval.
        this.#livenessTimer = this.#timers.set(ms - quiet, check);
        return;
      }
      this.#refresh("liveness");
      this.#armLiveness();
    };
    this.#livenessTimer = this.#timers.set(ms, check, now);
  }

  #armExpiry(now: number = performance.now()): void {
    this.#timers.clear(this.#expiryTimer);
    if (this.#end !== undefined) return;
    let wait: number;
    if (now < this.#deadline) wait = this.#deadline - now;
    else {
      wait = Math.min(
        EXPIRY_RECHECK_MS * 2 ** this.#expiryChecks++,
        EXPIRY_RECHECK_MAX_MS,
      );
    }
    this.#expiryTimer = this.#timers.set(wait, () => {
      if (performance.now() >= this.#deadline) {
        if (
          performance.now() - Math.max(this.#lastServerAnswer, this.#deadline) >
            EXPIRY_GRACE_MS
        ) {
          this.#expire("the TTL ran out and the server has not answered since");
          return;
        }
        this.#refresh("expiry");
      }
      this.#armExpiry();
    }, now);
  }

  #needCompletedResult(): void {
    this.#needResult = true;
    this.#refresh("result");
  }

  /**
   * Take a snapshot from `GET …/result` and apply it. One request at a time;
   * a call while one is in flight runs once more after it.
   */
  #refresh(reason: string): void {
    if (this.#end !== undefined) return;
    if (this.#refreshing !== undefined) {
      this.#refreshAgain = reason;
      return;
    }
    const before = this.#status;
    const run = this.#snapshot().then((snapshot) => {
      this.#lastServerAnswer = performance.now();
      this.#resultRetries = 0;
      this.#apply(snapshot);
      if (
        reason === "liveness" && this.#status !== before &&
        this.#end === undefined
      ) this.#recycleSocket();
    }, (error: unknown) => this.#onSnapshotError(error)).finally(() => {
      this.#refreshing = undefined;
      const again = this.#refreshAgain;
      this.#refreshAgain = undefined;
      if (again !== undefined) this.#refresh(again);
    });
    this.#refreshing = run;
    this.#track(run);
  }

  async #snapshot(): Promise<ResultSnapshot> {
    const what = `GET /api/v1${this.#path}/result`;
    return await this.#ctx.transport.send(
      {
        method: "GET",
        path: `${this.#path}/result`,
        accept: [200, 202],
        retry: "idempotent",
        maxRetries: 0, // the caller's loop is the retry
        signal: (this.#aborter ??= new AbortController()).signal,
      },
      async (response) =>
        parseResultSnapshot(
          response.status,
          await readJson(response, what),
          this.actionType,
          what,
        ),
    );
  }

  #apply(snapshot: ResultSnapshot): void {
    if (snapshot.status === "completed") {
      this.#needResult = false;
      this.#complete(new Date(), snapshot.result, snapshot.scanResult);
    } else {
      this.#advance(snapshot.status, new Date());
    }
  }

  #onSnapshotError(error: unknown): void {
    if (this.#end !== undefined) return;
    if (error instanceof ApiError && error.status === 410) {
      return this.#expire(error);
    }
    if (
      error instanceof ApiError && error.status >= 400 && error.status < 500
    ) {
      // 401, 404: reconnecting cannot help.
      return this.#finish({ kind: "failed", error });
    }
    // Network, 5xx, timeout, protocol: the loops try again. A known
    // completion must not wait for the next poll.
    if (this.#needResult) {
      const { initialDelayMs, maxDelayMs } = this.#ctx.reconnect;
      const wait = backoff(this.#resultRetries++, initialDelayMs, maxDelayMs);
      this.#timers.clear(this.#resultTimer);
      this.#resultTimer = this.#timers.set(wait, () => this.#refresh("result"));
    }
  }

  #track(promise: Promise<unknown>): void {
    const pending = this.#pending ??= new Set();
    const tracked = promise.catch(() => {}).finally(() =>
      pending.delete(tracked)
    );
    pending.add(tracked);
  }
}
