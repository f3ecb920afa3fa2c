// Copyright 2026 the handoff authors. MIT license.
// The public surface of the stub Handoff server (exported from `testing.ts`).

/**
 * What a session asks the person to do.
 *
 * @example
 * ```ts
 * import type { StubActionType } from "@handoff/client/testing";
 *
 * const action: StubActionType = "scan";
 * ```
 */
export type StubActionType = "photo" | "signature" | "scan";

/**
 * A session's status as the server reports it.
 *
 * @example
 * ```ts
 * import type { StubSessionStatus } from "@handoff/client/testing";
 *
 * const status: StubSessionStatus = "action_started";
 * ```
 */
export type StubSessionStatus =
  | "pending"
  | "opened"
  | "action_started"
  | "completed"
  | "expired";

/**
 * Options of {@linkcode startStubServer}.
 *
 * Durations accept a Go duration string (`"30m"`, `"1.5s"`) or a number of
 * milliseconds.
 *
 * @example
 * ```ts
 * import type { StubServerOptions } from "@handoff/client/testing";
 *
 * const options: StubServerOptions = { apiKeys: ["test-key"], sessionTtl: "2s", scanMaxPages: 3 };
 * ```
 */
export interface StubServerOptions {
  /** Interface to listen on. @default {"127.0.0.1"} */
  hostname?: string;
  /** Port to listen on; `0` picks a free one. @default {0} */
  port?: number;
  /**
   * Accepted API keys. The first one is {@linkcode StubServer.apiKey}.
   * @default {[a random key made when the server starts]}
   */
  apiKeys?: readonly string[];
  /**
   * Public base URL used to build each session's `url` (`<baseUrl>/s/<id>`),
   * like the real server's `BASE_URL`.
   * @default {the URL the server listens on}
   */
  baseUrl?: string;
  /** Default session lifetime when a request names none. @default {"30m"} */
  sessionTtl?: string | number;
  /** Default lifetime of result files after completion. @default {"5m"} */
  resultTtl?: string | number;
  /** Largest accepted scan upload, in bytes. @default {20971520} */
  scanUploadMaxBytes?: number;
  /** Most pages a scan session may have, all documents together (as the real server counts). @default {50} */
  scanMaxPages?: number;
  /**
   * Put a TCP relay in front of the HTTP server so that transport faults
   * (dropping sockets without a close frame, half-open sockets, restarts that
   * look like a crash) can be injected. Turn it off for load tests: it costs
   * two extra file descriptors per connection.
   * @default {true}
   */
  transportFaults?: boolean;
  /** What `GET /api/v1/version` reports. @default { version: "stub", commit: "stub" } */
  version?: { version: string; commit: string };
  /** Stops the server when aborted. */
  signal?: AbortSignal;
}

/**
 * A result file as the server stores it.
 *
 * @example
 * ```ts
 * import type { StubFile } from "@handoff/client/testing";
 *
 * const isPdf = (file: StubFile) => file.contentType === "application/pdf";
 * ```
 */
export interface StubFile {
  /** The id used by `GET /api/v1/downloads/:id`. */
  readonly downloadId: string;
  /** The content type as stored (may be `""`). */
  readonly contentType: string;
  /** The file name as stored (photo/signature only; `""` for scan files). */
  readonly filename: string;
  /** The stored bytes. */
  readonly data: Uint8Array;
}

/**
 * A read-only view of one session inside the stub, for assertions.
 *
 * @example
 * ```ts
 * import type { StubSessionSnapshot } from "@handoff/client/testing";
 *
 * const fileCount = (s: StubSessionSnapshot) => s.items.length + s.scanDocuments.flat().length;
 * ```
 */
export interface StubSessionSnapshot {
  /** The session id (a UUID). */
  readonly id: string;
  /** What the session asks for. */
  readonly actionType: StubActionType;
  /** The status the server would report now (`expired` included). */
  readonly status: StubSessionStatus;
  /** `output_format` (`""` for scan sessions). */
  readonly outputFormat: string;
  /** Scan sessions only: single or multiple documents. */
  readonly documentMode?: "single" | "multi";
  /** Scan sessions only: one PDF per document, or the page images. */
  readonly scanOutputFormat?: "pdf" | "images";
  /** The intro text (`""` when none). */
  readonly introText: string;
  /** When the session was created. */
  readonly createdAt: Date;
  /** When the session expires (`created_at + session_ttl`). */
  readonly expiresAt: Date;
  /** When the session was completed, if it was. */
  readonly completedAt?: Date;
  /** Files of a completed photo/signature session, in result order. */
  readonly items: readonly StubFile[];
  /**
   * Files of a completed scan session: one array per document (after
   * compaction), holding the PDF in `pdf` mode or the pages in `images` mode.
   */
  readonly scanDocuments: readonly (readonly StubFile[])[];
}

/**
 * A file the simulated phone sends.
 *
 * @example
 * ```ts
 * import type { StubUpload } from "@handoff/client/testing";
 *
 * const upload: StubUpload = { contentType: "image/png", filename: "sig.png", data: new Uint8Array([0x89, 0x50]) };
 * ```
 */
export interface StubUpload {
  /** e.g. `"image/jpeg"`; may be `""`. */
  contentType: string;
  /**
   * The file name. As the real pages name it when not given: `photo.png`
   * for `image/png` and `photo.jpg` otherwise on photo sessions;
   * `signature.svg` for `image/svg+xml` and `signature.png` otherwise on
   * signature sessions. @default {"photo.jpg"}
   */
  filename?: string;
  /** The bytes, or a base64 string sent as is (to test bad base64). */
  data: Uint8Array | string;
}

/**
 * A scan page the simulated phone uploads.
 *
 * @example
 * ```ts
 * import type { StubPageUpload } from "@handoff/client/testing";
 *
 * const page: StubPageUpload = { data: new Uint8Array(8), documentIndex: 1, pageIndex: 0 };
 * ```
 */
export interface StubPageUpload {
  /** The image bytes. */
  data: Uint8Array;
  /** The part's content type. @default {"image/jpeg"} */
  contentType?: string;
  /** The part's file name, as the real scan page names every page. @default {"scan.jpg"} */
  filename?: string;
  /** Sent as the `document_index` form field when given. */
  documentIndex?: number;
  /** Sent as the `page_index` form field when given. */
  pageIndex?: number;
}

/**
 * Drives the phone side of sessions without a browser. Each method builds the
 * same request the phone page sends and runs it through the stub's own request
 * handler (no network, no injected faults, no latency), so it changes state and
 * broadcasts exactly as the HTTP endpoint would.
 *
 * Methods reject with {@linkcode StubPhoneError} when the endpoint answers
 * with an error status.
 *
 * @example
 * ```ts
 * import { startStubServer } from "@handoff/client/testing";
 * import { HandoffClient } from "@handoff/client";
 *
 * await using server = await startStubServer();
 * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
 * await using session = await client.createSession({ action: "photo", outputFormat: "jpg" });
 * await server.phone.open(session.id);
 * await server.phone.submit(session.id, [{ contentType: "image/jpeg", filename: "a.jpg", data: new Uint8Array([1, 2, 3]) }]);
 * console.assert((await session.waitForResult()).length === 1);
 * ```
 */
export interface StubPhone {
  /** `GET /s/:id`: marks a pending session opened (and, without intro text, action_started). */
  open(id: string): Promise<void>;
  /** `GET /s/:id/action`: marks the session action_started. */
  start(id: string): Promise<void>;
  /** `POST /s/:id/result`: completes a photo/signature session. */
  submit(
    id: string,
    items: readonly StubUpload[],
  ): Promise<
    { downloadId: string; contentType: string; filename: string }[]
  >;
  /** `POST /s/:id/scan/upload`: uploads one scan page. */
  uploadPage(
    id: string,
    page: StubPageUpload,
  ): Promise<{ documentIndex: number; pageIndex: number }>;
  /** `POST /s/:id/scan/finalize`: completes a scan session. */
  finalize(id: string): Promise<void>;
  /**
   * Convenience: open, start and complete the session with what the real
   * pages send: a camera JPEG `photo.jpg` for any photo format, SVG
   * `signature.svg` for an `svg` signature and a PNG `signature.png`
   * otherwise, one JPEG page `scan.jpg` at document 0, page 0 for a scan.
   */
  complete(id: string): Promise<void>;
}

/**
 * Which endpoint a {@linkcode StubFaults.failRequests} fault applies to.
 *
 * @example
 * ```ts
 * import type { StubRoute } from "@handoff/client/testing";
 *
 * const routes: StubRoute[] = ["create", "result", "download"];
 * ```
 */
export type StubRoute =
  | "create" // POST /api/v1/sessions
  | "session" // GET /api/v1/sessions/:id
  | "result" // GET /api/v1/sessions/:id/result
  | "download" // GET /api/v1/downloads/:id
  | "websocket" // GET /api/v1/sessions/:id/ws (before the upgrade)
  | "health" // GET /api/v1/health
  | "version"; // GET /api/v1/version

/**
 * Fault injection. Every fault applies to traffic that arrives over the
 * network, never to {@linkcode StubPhone} calls.
 *
 * @example
 * ```ts
 * import { startStubServer } from "@handoff/client/testing";
 *
 * await using server = await startStubServer();
 * server.faults.failRequests("result", 2, 503); // the next two GET …/result answer 503
 * server.faults.setLatency(50);
 * server.faults.reset();
 * ```
 */
export interface StubFaults {
  /**
   * Drop every open WebSocket now. With `closeFrame: true` the server sends a
   * close frame (`code`, default 1001) first; with `false` (the default) the
   * TCP connection is cut and the client sees 1006. Returns how many sockets
   * were dropped. `closeFrame: false` needs `transportFaults`.
   */
  dropWebSockets(options?: { closeFrame?: boolean; code?: number }): number;
  /**
   * Answer the next `count` WebSocket upgrade requests with `status` (default
   * 503, JSON `{"error":"service unavailable"}`) instead of upgrading.
   */
  refuseUpgrades(count: number, status?: number): void;
  /**
   * Answer the next `count` requests to `route` with `status` (a 5xx, default
   * 500) and body `{"error":"injected fault"}`. Counts add up per route.
   */
  failRequests(route: StubRoute, count: number, status?: number): void;
  /** Delay every HTTP answer (and upgrade) by `ms`; `0` turns it off. */
  setLatency(ms: number): void;
  /**
   * Make every open WebSocket go silent, as a stalled path does (a NAT or a
   * middlebox that lost the flow): no frames reach it, nothing reaches the
   * server from it, and its TCP connection stays open (a half-open socket).
   * With `future: true`, sockets connected later go silent too, until
   * {@linkcode StubFaults.heal} or {@linkcode StubFaults.reset}. Returns how
   * many open sockets went silent. Needs `transportFaults`.
   *
   * A silent connection gets no byte, no FIN and no reset, whatever the
   * server does (even when it closes its side), until the client drops it
   * (the stub then closes its side and forgets the socket), or
   * {@linkcode StubFaults.heal}, `dropWebSockets({ closeFrame: false })`,
   * `restart()` or `close()` ends it. {@linkcode StubFaults.reset} does not.
   */
  goSilent(options?: { future?: boolean }): number;
  /**
   * End the half-open fault, as a path that comes back: sockets connected
   * from now on are not silenced; a silent connection that lost nothing talks
   * again; one that lost bytes or the end of a direction while silent (a
   * frame, a close frame, a FIN) is cut, as TCP resets a connection whose
   * data never got through, so no socket is left waiting for a close
   * handshake that cannot finish. Other faults are left as they are.
   *
   * @example Let silent sockets talk again
   * ```ts
   * import { startStubServer } from "@handoff/client/testing";
   *
   * await using server = await startStubServer();
   * server.faults.goSilent({ future: true });
   * // … the client misses frames, or not …
   * server.faults.heal(); // sockets talk again, or are cut if they lost bytes
   * ```
   */
  heal(): void;
  /**
   * Simulate a crash and restart: every connection is cut (WebSockets see
   * 1006), the port refuses connections for `downtimeMs` (default 0), then the
   * server listens again on the same port. With `keepState: false` every
   * session and file is forgotten.
   */
  restart(
    options?: { keepState?: boolean; downtimeMs?: number },
  ): Promise<void>;
  /**
   * Clear every pending fault: refused upgrades, failing requests, latency
   * and the silence of future sockets. Connections already silent stay so
   * (a stalled path does not heal because a test stops injecting faults):
   * the client drops them, or {@linkcode StubFaults.heal} ends the silence.
   */
  reset(): void;
}

/**
 * Counters of what the stub has seen, for assertions.
 *
 * @example
 * ```ts
 * import { startStubServer } from "@handoff/client/testing";
 *
 * await using server = await startStubServer();
 * const stats = server.stats();
 * console.assert(stats.openWebSockets === 0 && stats.upgrades === 0);
 * ```
 */
export interface StubStats {
  /** HTTP requests received over the network, by route (`"phone"` for `/s/...`, `"other"` for the rest). */
  readonly requests: Readonly<Record<StubRoute | "phone" | "other", number>>;
  /** WebSocket upgrades accepted since start. */
  readonly upgrades: number;
  /** WebSockets open now. */
  readonly openWebSockets: number;
  /**
   * Client connections that asked for a WebSocket upgrade (accepted or
   * refused) and that are still open at the TCP level: the client has not
   * closed them, and no fault cut them. Unlike `openWebSockets`, this sees
   * the sockets the server no longer tracks, such as a half-open one the
   * client never drops: at the end of a test, anything but 0 is a client
   * socket leaked. Counted by the relay of `transportFaults`; `undefined`
   * without it.
   */
  readonly openUpgradeConnections: number | undefined;
  /** How the API key was presented on accepted upgrades. */
  readonly upgradeAuth: { readonly header: number; readonly query: number };
}

/**
 * A running stub server.
 *
 * @example
 * ```ts
 * import { startStubServer } from "@handoff/client/testing";
 *
 * await using server = await startStubServer({ sessionTtl: "1m" });
 * console.assert(server.url.startsWith("http://127.0.0.1:"));
 * console.assert(server.sessions().length === 0);
 * ```
 */
export interface StubServer extends AsyncDisposable {
  /** The URL the server answers on, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** The public base URL used in session URLs (`baseUrl` option or {@linkcode url}). */
  readonly baseUrl: string;
  /** The first accepted API key. */
  readonly apiKey: string;
  /** Every accepted API key. */
  readonly apiKeys: readonly string[];
  /** Drive the phone side. */
  readonly phone: StubPhone;
  /** Inject faults. */
  readonly faults: StubFaults;
  /** Counters of what the server has seen. */
  stats(): StubStats;
  /** One session as the server holds it, or `undefined`. */
  session(id: string): StubSessionSnapshot | undefined;
  /** Every session the server holds. */
  sessions(): StubSessionSnapshot[];
  /**
   * Expire a session now, exactly as its TTL running out would (it becomes a
   * tombstone; no frame is sent, sockets stay open).
   */
  expire(id: string): void;
  /** Make a completed session's files expire now, as `result_ttl` running out would. */
  expireResult(id: string): void;
  /** Stop the server: close every socket and connection, cancel every timer. Idempotent. */
  close(): Promise<void>;
}

/**
 * Thrown by {@linkcode StubPhone} methods when the endpoint answers with an error.
 *
 * @example
 * ```ts
 * import { startStubServer, StubPhoneError } from "@handoff/client/testing";
 *
 * await using server = await startStubServer();
 * try {
 *   await server.phone.open("no-such-session");
 * } catch (error) {
 *   console.assert(error instanceof StubPhoneError && error.status === 404);
 * }
 * ```
 */
export class StubPhoneError extends Error {
  /** The HTTP status the endpoint answered with. */
  readonly status: number;
  /** The body the endpoint answered with (text). */
  readonly body: string;
  /**
   * Make the error of a failed phone request.
   *
   * @param status The HTTP status of the answer.
   * @param body The body of the answer (text).
   * @param options Standard error options (`cause`).
   */
  constructor(status: number, body: string, options?: ErrorOptions) {
    super(`phone request failed with ${status}: ${body}`, options);
    this.name = "StubPhoneError";
    this.status = status;
    this.body = body;
  }
}
