// Copyright 2026 the handoff authors. MIT license.
/**
 * The relay: a session's events as Server-Sent Events, for the app's own
 * page. The backend holds the {@linkcode Session} (and the API key); the
 * browser opens an `EventSource` on one of the app's routes and hears what
 * the phone did, with nothing to write by hand.
 *
 * {@linkcode sessionEventResponse} answers such a route;
 * {@linkcode sessionEventStream} gives the bare stream for frameworks that
 * build their own response. What the browser receives:
 *
 * | event | id | data |
 * | --- | --- | --- |
 * | `session` | — | {@linkcode RelaySessionData}: url, action, expiry, status, QR code |
 * | `status` | yes | {@linkcode RelayStatusData}: `pending`, `opened`, `action_started` |
 * | `completed` | yes | {@linkcode RelayCompletedData}: the files, as the browser may see them |
 * | `expired` | yes | {@linkcode RelayExpiredData} |
 * | `error` | `<id>:error` | {@linkcode RelayErrorData}: the session failed for good (401, 404) |
 * | `connection` | — | {@linkcode RelayConnectionData}: how the backend hears the server (only with `connection: true`) |
 *
 * The stream starts with `retry:` and `session`, then the current status
 * (or, after a reconnect, every status the browser missed: the browser sends
 * `Last-Event-ID` and the relay replays from it), then each new one; it ends
 * after `completed`, `expired` or `error`, and a `: keep-alive` comment goes
 * out while it is idle. Nothing in it carries the API key: files are
 * described by id, type and name, with a link only when the app maps one to
 * its own download route. The stream stops, its listener and timer removed,
 * when the server cancels the body (the browser went away) or `signal`
 * aborts. Replays cover the events since the session's first relay opened
 * (the session keeps nothing before one is asked for).
 *
 * @module
 */

import { formatSseComment, formatSseMessage, SSE_HEADERS } from "./_sse.ts";
import { milliseconds } from "./_options.ts";
import type { Timer } from "./_timers.ts";
import { rank } from "./_wire.ts";
import type {
  RelayCompletedData,
  RelayConnectionData,
  RelayErrorData,
  RelayExpiredData,
  RelayFile,
  RelaySessionData,
  RelayStatusData,
} from "./relay_events.ts";
import { type Session, sessionInternals } from "./session.ts";
import type {
  ConnectionState,
  QrCodeOptions,
  ResultItem,
  ScanDocument,
  SessionEvent,
  SessionStatus,
} from "./types.ts";

/**
 * Options of {@linkcode sessionEventStream} and
 * {@linkcode sessionEventResponse}.
 *
 * @example
 * ```ts
 * import type { RelayOptions } from "@handoff/client";
 *
 * const options: RelayOptions = {
 *   qrCode: { size: 320 },
 *   keepAliveMs: 20_000,
 *   downloadUrl: (file) => `/sessions/${file.sessionId}/files/${file.downloadId}`,
 * };
 * ```
 */
export interface RelayOptions {
  /**
   * The request being answered: its `Last-Event-ID` header is the replay
   * point (unless `lastEventId` is given). Its `signal` is not read: the
   * server cancels the response body when the browser goes away (Deno, Bun,
   * Node adapters, Workers), which stops the stream, and reading
   * `request.signal` in `Deno.serve` prints a deprecation warning on every
   * finished response.
   */
  request?: Request;
  /**
   * The id of the last event the browser got (its `Last-Event-ID`): the
   * events after it are sent instead of the current status. An id of
   * another session, or one that is not an id of this relay, is ignored.
   * @default {the request's Last-Event-ID header, if any}
   */
  lastEventId?: string | null;
  /**
   * Ends the stream when aborted: for a server that says "the browser went
   * away" with a signal rather than by cancelling the body (on `Deno.serve`,
   * `info.completed` settles then). @default {no signal}
   */
  signal?: AbortSignal;
  /**
   * Put the session URL as a QR code in the `session` event (`true`: a
   * 256 px PNG data URL; or the options of {@linkcode Session.qrCode}), so
   * the page loads no QR library. @default {false}
   */
  qrCode?: boolean | QrCodeOptions;
  /**
   * The app's own link to a result file, for `href`; `undefined` leaves it
   * out. Called once per file when the session completes.
   * @default {no links}
   */
  downloadUrl?: (
    file: {
      readonly sessionId: string;
      readonly downloadId: string;
      readonly contentType: string;
      readonly filename?: string;
    },
  ) => string | undefined;
  /**
   * Also send `connection` events: the backend's link to the server after
   * the `session` event and at each change ({@linkcode RelayConnectionData}).
   * @default {false}
   */
  connection?: boolean;
  /** Interval of the keep-alive comment, in milliseconds. @default {15000} */
  keepAliveMs?: number;
  /** How long the browser waits before reconnecting, in milliseconds (`retry:`). @default {2000} */
  retryMs?: number;
  /**
   * A browser this many chunks behind is dropped (it reconnects and is
   * replayed to), so a stalled reader cannot grow the backend's memory.
   * @default {64}
   */
  maxQueuedChunks?: number;
}

const EVENT_OF = {
  status_update: "status",
  completed: "completed",
  expired: "expired",
} as const;

/** The rank an id of this session names, or -1. */
function rankOf(id: string | null | undefined, sessionId: string): number {
  if (typeof id !== "string") return -1;
  const colon = id.lastIndexOf(":");
  if (colon < 0 || id.slice(0, colon) !== sessionId) return -1;
  const value = Number(id.slice(colon + 1));
  return Number.isInteger(value) && value >= 0 && value <= 4 ? value : -1;
}

function downloadIdOf(url: string): string {
  const last = url.split("?")[0]!.split("/").filter((s) => s !== "").at(-1);
  return last === undefined ? url : decodeURIComponent(last);
}

function sessionData(
  session: Session,
  status: SessionStatus,
  qr: string | undefined,
): RelaySessionData {
  return {
    id: session.id,
    url: session.url,
    actionType: session.actionType,
    ...(session.outputFormat !== undefined
      ? { outputFormat: session.outputFormat }
      : {}),
    ...(session.documentMode !== undefined
      ? { documentMode: session.documentMode }
      : {}),
    ...(session.scanOutputFormat !== undefined
      ? { scanOutputFormat: session.scanOutputFormat }
      : {}),
    ...(session.introText !== undefined
      ? { introText: session.introText }
      : {}),
    createdAt: session.createdAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    status,
    ...(qr !== undefined ? { qrCode: qr } : {}),
  };
}

/** An event as the browser may see it. */
function eventData(
  event: SessionEvent,
  map: RelayOptions["downloadUrl"],
): RelayStatusData | RelayCompletedData | RelayExpiredData {
  const timestamp = event.timestamp.toISOString();
  const sessionId = event.sessionId;
  if (event.type === "status_update") {
    return { sessionId, status: event.status, timestamp };
  }
  if (event.type === "expired") {
    return { sessionId, status: "expired", timestamp };
  }
  const file = (
    downloadId: string,
    contentType: string,
    filename?: string,
  ): RelayFile => {
    const href = map?.({
      sessionId,
      downloadId,
      contentType,
      ...(filename !== undefined ? { filename } : {}),
    });
    return {
      downloadId,
      contentType,
      ...(filename !== undefined ? { filename } : {}),
      ...(typeof href === "string" ? { href } : {}),
    };
  };
  if (event.actionType === "scan") {
    return {
      sessionId,
      status: "completed",
      timestamp,
      actionType: "scan",
      documents: event.scanResult.documents.map((d: ScanDocument) =>
        d.format === "pdf"
          ? {
            format: "pdf",
            file: file(downloadIdOf(d.pdfUrl), "application/pdf"),
          }
          : {
            format: "images",
            pages: d.pages.map((p) => file(downloadIdOf(p.url), p.contentType)),
          }
      ),
    };
  }
  return {
    sessionId,
    status: "completed",
    timestamp,
    actionType: event.actionType,
    result: event.result.map((item: ResultItem) =>
      file(item.downloadId, item.contentType, item.filename)
    ),
  };
}

interface Resolved {
  readonly lastRank: number;
  readonly lastEventId: string | null | undefined;
  readonly signal: AbortSignal | undefined;
  readonly keepAliveMs: number;
  readonly retryMs: number;
  readonly maxQueued: number;
  readonly qr: QrCodeOptions | undefined;
  readonly downloadUrl: RelayOptions["downloadUrl"];
  readonly connection: boolean;
}

function resolve(session: Session, options: RelayOptions): Resolved {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("The relay takes an options object");
  }
  const { request } = options;
  if (request !== undefined && !(request instanceof Request)) {
    throw new TypeError("request must be the Request being answered");
  }
  if (
    options.downloadUrl !== undefined &&
    typeof options.downloadUrl !== "function"
  ) {
    throw new TypeError("downloadUrl must be a function");
  }
  const maxQueued = options.maxQueuedChunks ?? 64;
  if (!Number.isSafeInteger(maxQueued) || maxQueued < 1) {
    throw new RangeError(
      `maxQueuedChunks must be a whole number ≥ 1, got ${String(maxQueued)}`,
    );
  }
  const lastEventId = options.lastEventId !== undefined
    ? options.lastEventId
    : request?.headers.get("last-event-id");
  return {
    lastRank: rankOf(lastEventId, session.id),
    lastEventId,
    signal: options.signal,
    keepAliveMs: milliseconds(options.keepAliveMs, "keepAliveMs", 15_000),
    retryMs: Math.round(milliseconds(options.retryMs, "retryMs", 2_000)),
    maxQueued,
    qr: options.qrCode === true
      ? {}
      : options.qrCode === false || options.qrCode === undefined
      ? undefined
      : options.qrCode,
    downloadUrl: options.downloadUrl,
    connection: options.connection === true,
  };
}

/**
 * Whether a relay connection would have nothing left to say: the session
 * ended and the browser already has its final event.
 */
function spent(session: Session, o: Resolved): boolean {
  const end = sessionInternals(session).delivery.end;
  switch (end?.kind) {
    case "completed":
    case "expired":
      return o.lastRank >= rank(end.event.status);
    case "failed":
      return o.lastEventId === errorId(session.id);
    case "closed":
      return true; // closed by the app: nothing more will come
    default:
      return false;
  }
}

/** The id of the `error` event, so a browser that got it is told to stop. */
function errorId(sessionId: string): string {
  return `${sessionId}:error`;
}

/**
 * A session's events as a Server-Sent Events byte stream (see the module
 * docs for what it carries). The stream ends after the final event, when
 * `signal` aborts, or when its reader cancels; each way, its listener and
 * its keep-alive timer are removed at once. The session itself goes on:
 * closing it stays the caller's (it also ends the stream).
 *
 * @param session The session to relay.
 * @param options The request (or `lastEventId` and `signal`), a QR code,
 *   links to files, intervals.
 * @returns The `text/event-stream` body.
 * @throws {TypeError|RangeError} Invalid options.
 *
 * @example Hono, or any framework that takes a stream
 * ```ts ignore
 * app.get("/sessions/:id/events", (c) => {
 *   const session = sessions.get(c.req.param("id"));
 *   if (session === undefined) return c.notFound();
 *   const body = sessionEventStream(session, { request: c.req.raw, qrCode: true });
 *   return c.body(body, 200, { "content-type": "text/event-stream" });
 * });
 * ```
 */
export function sessionEventStream(
  session: Session,
  options: RelayOptions = {},
): ReadableStream<Uint8Array> {
  const o = resolve(session, options);
  const { delivery, timers } = sessionInternals(session);
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let sentRank = o.lastRank;
  let ready = false;
  let finished = false;
  let keepAlive: Timer | undefined;
  const offs: (() => void)[] = [];

  const stop = (closeStream: boolean): void => {
    if (finished) return;
    finished = true;
    timers.clear(keepAlive);
    for (const off of offs.splice(0)) off();
    if (closeStream) {
      try {
        controller.close();
      } catch {
        // the reader cancelled meanwhile
      }
    }
  };
  const write = (text: string): void => {
    if (finished) return;
    if ((controller.desiredSize ?? 0) <= -o.maxQueued) {
      return stop(true); // a stalled reader: it reconnects and is replayed to
    }
    controller.enqueue(encoder.encode(text));
    // Deno cancels a body whose reader went away inside enqueue(): stop()
    // has run then, and a keep-alive armed now would outlive the stream.
    if (finished) return;
    timers.clear(keepAlive);
    keepAlive = timers.set(o.keepAliveMs, ping);
  };
  const ping = (): void => write(formatSseComment("keep-alive"));
  const link = (state: ConnectionState): void => {
    if (!o.connection || !ready) return;
    write(formatSseMessage({
      event: "connection",
      data: JSON.stringify(
        {
          sessionId: session.id,
          state,
          timestamp: timers.date().toISOString(),
        } satisfies RelayConnectionData,
      ),
    }));
  };
  const send = (event: SessionEvent): void => {
    const r = rank(event.status);
    if (r <= sentRank) return; // sent already, or older than what the browser has
    sentRank = r;
    write(formatSseMessage({
      id: `${session.id}:${r}`,
      event: EVENT_OF[event.type],
      data: JSON.stringify(eventData(event, o.downloadUrl)),
    }));
  };
  /** Once the session has ended, say how and end the stream. */
  const settle = (): void => {
    const end = delivery.end;
    if (end === undefined || !ready) return;
    if (end.kind === "completed" || end.kind === "expired") send(end.event);
    else if (end.kind === "failed") {
      write(formatSseMessage({
        id: errorId(session.id),
        event: "error",
        data: JSON.stringify(
          {
            sessionId: session.id,
            name: end.error.name,
            message: end.error.message,
          } satisfies RelayErrorData,
        ),
      }));
    }
    stop(true);
  };
  /** What the browser has not seen yet, then the live events. */
  const open = (qr: string | undefined): void => {
    if (finished) return;
    ready = true;
    write(formatSseMessage({ retry: o.retryMs }));
    write(formatSseMessage({
      event: "session",
      data: JSON.stringify(sessionData(session, delivery.status, qr)),
    }));
    link(session.connection);
    const history = delivery.history();
    if (o.lastRank >= 0) {
      for (const event of history) send(event);
    }
    const current = delivery.status;
    if (current !== "completed" && current !== "expired") {
      send(
        history.findLast((e) => e.status === current) ?? {
          type: "status_update",
          sessionId: session.id,
          status: current,
          timestamp: timers.date(),
        },
      );
    }
    settle();
  };

  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      if (o.signal?.aborted) return stop(true);
      delivery.history(); // from now on, what happens is kept for replays
      offs.push(delivery.onEvent((event) => {
        if (ready) send(event);
      }));
      offs.push(delivery.onEnd(settle));
      if (o.connection) offs.push(session.onConnectionChange(link));
      if (o.signal !== undefined) {
        const signal = o.signal;
        const onAbort = () => stop(true);
        signal.addEventListener("abort", onAbort, { once: true });
        offs.push(() => signal.removeEventListener("abort", onAbort));
      }
      if (o.qr === undefined) return open(undefined);
      // The QR code is rendered first; events that arrive meanwhile are in
      // the history, which open() sends.
      session.qrCode(o.qr).then(open, () => open(undefined));
    },
    cancel() {
      stop(false);
    },
  });
}

/**
 * A session's events as a Server-Sent Events `Response`, for a route of the
 * app that the page opens with `new EventSource(url)`. A browser that
 * reconnects after the final event (`completed`, `expired` or `error`), or
 * to a session the app has closed, gets `204 No Content`, which tells
 * `EventSource` to stop reconnecting.
 *
 * @param session The session to relay.
 * @param options The request (for `Last-Event-ID`), a QR code, links to
 *   files, intervals.
 * @returns The streaming response (`text/event-stream`, not cached).
 * @throws {TypeError|RangeError} Invalid options.
 *
 * @example A relay route with `Deno.serve`
 * ```ts
 * import { HandoffClient, sessionEventResponse } from "@handoff/client";
 * import { startStubServer } from "@handoff/client/testing";
 *
 * await using server = await startStubServer();
 * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
 * await using session = await client.createSession({ action: "photo", outputFormat: "jpg" });
 *
 * const handler = (request: Request): Response =>
 *   sessionEventResponse(session, {
 *     request,
 *     qrCode: true,
 *     downloadUrl: (file) => `/files/${file.downloadId}`, // the app's own route
 *   });
 *
 * // in the page: new EventSource("/events").addEventListener("completed", …)
 * const response = handler(new Request("http://app.test/events"));
 * console.assert(response.headers.get("content-type")?.startsWith("text/event-stream"));
 * await response.body?.cancel(); // the browser went away
 * ```
 */
export function sessionEventResponse(
  session: Session,
  options: RelayOptions = {},
): Response {
  const o = resolve(session, options);
  if (spent(session, o)) {
    return new Response(null, {
      status: 204,
      headers: { "cache-control": "no-store" },
    });
  }
  return new Response(sessionEventStream(session, options), {
    headers: SSE_HEADERS,
  });
}
