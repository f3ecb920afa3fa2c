// Copyright 2026 the handoff authors. MIT license.
/**
 * A live session: its status, its events, its result.
 *
 * @module
 */

import { Delivery } from "./_delivery.ts";
import { Link, type SessionContext } from "./_link.ts";
import type { Timers } from "./_timers.ts";
import { qrOptions, renderQr } from "./_qr.ts";
import type {
  ActionType,
  CompletedEvent,
  ConnectionState,
  LiveSessionInfo,
  OutputFormat,
  QrCodeOptions,
  ResultAction,
  ResultItem,
  ScanDocumentMode,
  ScanOutputFormat,
  ScanResult,
  SessionEvent,
  SessionStatus,
  WaitOptions,
} from "./types.ts";

// Internal: how client.ts makes sessions and relay.ts reads one; neither is
// part of the public API (mod.ts does not export them).
let openSession: (
  info: LiveSessionInfo,
  ctx: SessionContext,
  remainingMs: number,
) => Session;
let internals: (
  session: Session,
) => { readonly delivery: Delivery; readonly timers: Timers };

/**
 * A session on the Handoff server, kept up to date over a WebSocket (or by
 * polling when the socket cannot be had). Made by
 * {@linkcode HandoffClient.createSession}, the builder's `invoke()`, or
 * {@linkcode HandoffClient.attachSession}.
 *
 * Statuses are delivered once each, in order, never backwards; `completed`
 * exactly once, whether the socket or a poll saw it first. Once the session
 * completes or expires it releases its timers, and its socket together with
 * those of other ended sessions once the client is quiet (100 ms, at most
 * 5 s); `close()` does both at once. Until then its socket and timers keep
 * the process alive: a script that only creates a session and shows its QR
 * code should create it with `{ watch: false }` instead.
 *
 * The type follows the action: `waitForResult()` compiles only on photo and
 * signature sessions, `waitForScanResult()` only on scans, and the
 * completion's type is narrowed to match. A session whose action is not
 * known at compile time ({@linkcode AnySession}, from `attachSession`) is
 * narrowed by checking `actionType`.
 *
 * @typeParam A The session's action.
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
export class Session<A extends ActionType = ActionType>
  implements AsyncDisposable {
  /** The session id (a UUID). */
  readonly id: string;
  /** The URL the person opens on their phone; show it as a QR code. */
  readonly url: string;
  /** What the person is asked to do. */
  readonly actionType: A;
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

  readonly #delivery: Delivery;
  readonly #link: Link;
  readonly #timers: Timers;
  #qr: Map<string, Promise<string>> | undefined;
  #closing: Promise<void> | undefined;

  static {
    openSession = (info, ctx, remainingMs) =>
      new Session(info, ctx, remainingMs);
    internals = (session) => ({
      delivery: session.#delivery,
      timers: session.#timers,
    });
  }

  // Sessions come from HandoffClient: the context is internal.
  private constructor(
    info: LiveSessionInfo,
    ctx: SessionContext,
    remainingMs: number,
  ) {
    this.id = info.id;
    this.url = info.url;
    this.actionType = info.actionType as A;
    this.outputFormat = info.outputFormat;
    this.documentMode = info.documentMode;
    this.scanOutputFormat = info.scanOutputFormat;
    this.introText = info.introText;
    this.createdAt = info.createdAt;
    this.expiresAt = info.expiresAt;
    this.#timers = ctx.transport.timers;
    this.#delivery = new Delivery(info.id, info.status, ctx.onListenerError);
    this.#link = new Link(info, ctx, remainingMs, this.#delivery);
  }

  /** The latest status delivered (`expired` once the session expired). */
  get status(): SessionStatus {
    return this.#delivery.status;
  }

  /** How the session hears from the server right now (see {@linkcode ConnectionState}). */
  get connection(): ConnectionState {
    return this.#delivery.connection;
  }

  /** The files, once a photo or signature session has completed. */
  get result(): readonly ResultItem[] | undefined {
    const end = this.#delivery.end;
    return end?.kind === "completed" && end.event.actionType !== "scan"
      ? end.event.result
      : undefined;
  }

  /** The documents, once a scan session has completed. */
  get scanResult(): ScanResult | undefined {
    const end = this.#delivery.end;
    return end?.kind === "completed" && end.event.actionType === "scan"
      ? end.event.scanResult
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
  onEvent(listener: (event: SessionEvent<A>) => void): () => void {
    if (typeof listener !== "function") {
      throw new TypeError("onEvent() takes a function");
    }
    return this.#delivery.onEvent(
      listener as (event: SessionEvent) => void,
    );
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
    return this.#delivery.onConnection(listener);
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
   *   if (event.type === "completed") console.log(event.result); // a photo's files
   * }
   * ```
   */
  async *events(
    options: WaitOptions = {},
  ): AsyncGenerator<SessionEvent<A>, void, undefined> {
    const { signal } = options;
    signal?.throwIfAborted();
    const queue: SessionEvent[] = [];
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    const delivery = this.#delivery;
    const off = delivery.onEvent((event) => {
      queue.push(event);
      notify();
    });
    const offEnd = delivery.onEnd(notify);
    signal?.addEventListener("abort", notify);
    try {
      const ended = delivery.end;
      if (ended?.kind === "completed" || ended?.kind === "expired") {
        if (queue.length === 0) queue.push(ended.event);
      }
      for (;;) {
        while (queue.length > 0) {
          const event = queue.shift()!;
          yield event as SessionEvent<A>;
          if (event.type !== "status_update") return;
        }
        signal?.throwIfAborted();
        const end = delivery.end;
        if (end?.kind === "failed") throw end.error;
        if (end !== undefined) return;
        await new Promise<void>((resolve) => wake = resolve);
      }
    } finally {
      off();
      offEnd();
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
   * @throws {TypeError} This is a scan session: use {@linkcode Session.waitForScanResult}
   *   (a scan session does not compile here; untyped callers get the error).
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
  async waitForResult(
    this: Session<ResultAction>,
    options: WaitOptions = {},
  ): Promise<ResultItem[]> {
    if ((this.actionType as ActionType) === "scan") {
      throw new TypeError(
        `Session ${this.id} is a scan session: use waitForScanResult() instead of waitForResult().`,
      );
    }
    const event = await this.#wait(options.signal);
    return event.actionType === "scan" ? [] : [...event.result];
  }

  /**
   * Wait for the documents of a scan session. Any number of callers may wait.
   *
   * @param options `signal` stops waiting (the session goes on).
   * @returns The scan result.
   * @throws {SessionExpiredError} The session expired first.
   * @throws {SessionClosedError} The session was closed first.
   * @throws {TypeError} This is not a scan session: use {@linkcode Session.waitForResult}
   *   (only scan sessions compile here; untyped callers get the error).
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
  async waitForScanResult(
    this: Session<"scan">,
    options: WaitOptions = {},
  ): Promise<ScanResult> {
    if (this.actionType !== "scan") {
      throw new TypeError(
        `Session ${this.id} is a ${this.actionType} session: use waitForResult() instead of waitForScanResult().`,
      );
    }
    const event = await this.#wait(options.signal);
    return event.actionType === "scan" ? event.scanResult : { documents: [] };
  }

  /**
   * The session URL as a QR code: a `data:image/png;base64,…` URL by default
   * (256 px, error correction M), or an SVG document. Cached per options. The
   * QR library is loaded on the first call. The same as the standalone
   * {@linkcode qrCode} of the session's `url`.
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
    return this.#closing ??= this.#link.close();
  }

  /** Same as {@linkcode Session.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- waiting -------------------------------------------------------------

  #wait(signal: AbortSignal | undefined): Promise<CompletedEvent> {
    // `null` is no signal, as in fetch (and in events()).
    const outcome = this.#delivery.outcome();
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
}

/**
 * A session whose action is known only at run time (from
 * {@linkcode HandoffClient.attachSession}): check `actionType` to get the
 * typed session.
 *
 * @example
 * ```ts
 * import type { AnySession } from "@handoff/client";
 *
 * async function files(session: AnySession): Promise<number> {
 *   if (session.actionType === "scan") {
 *     return (await session.waitForScanResult()).documents.length;
 *   }
 *   return (await session.waitForResult()).length; // a photo or a signature
 * }
 * ```
 */
export type AnySession =
  | Session<"photo">
  | Session<"signature">
  | Session<"scan">;

/**
 * The session type of an action: {@linkcode AnySession} when the action is
 * not known at compile time.
 *
 * @typeParam A The action (or a union of actions).
 *
 * @example
 * ```ts
 * import type { SessionOf } from "@handoff/client";
 *
 * type Signing = SessionOf<"signature">; // Session<"signature">
 * type Either = SessionOf<"photo" | "scan">; // Session<"photo"> | Session<"scan">
 * ```
 */
export type SessionOf<A extends ActionType> = A extends ActionType ? Session<A>
  : never;

/** Internal: a new live session. */
export function newSession(
  info: LiveSessionInfo,
  ctx: SessionContext,
  remainingMs: number,
): AnySession {
  return openSession(info, ctx, remainingMs) as AnySession;
}

/** Internal: a session's delivery and clock, for the relay. */
export function sessionInternals(
  session: Session,
): { readonly delivery: Delivery; readonly timers: Timers } {
  return internals(session);
}
