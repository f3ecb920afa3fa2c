// Copyright 2026 the handoff authors. MIT license.
/**
 * The public data types of the client: actions and formats, session options,
 * session info, results and events. Names are camelCase; the wire's
 * snake_case stays inside the library. Timestamps are `Date`s and durations
 * milliseconds.
 *
 * @module
 */

/**
 * What the person is asked to do on their phone.
 *
 * @example
 * ```ts
 * import type { ActionType } from "@handoff/client";
 *
 * const action: ActionType = "signature";
 * ```
 */
export type ActionType = "photo" | "signature" | "scan";

/**
 * Output formats of a photo session.
 *
 * @example
 * ```ts
 * import type { PhotoFormat } from "@handoff/client";
 *
 * const formats: PhotoFormat[] = ["jpg", "png", "pdf"];
 * ```
 */
export type PhotoFormat = "jpg" | "png" | "pdf";

/**
 * Output formats of a signature session.
 *
 * @example
 * ```ts
 * import type { SignatureFormat } from "@handoff/client";
 *
 * const format: SignatureFormat = "svg";
 * ```
 */
export type SignatureFormat = "svg" | "png" | "pdf";

/**
 * Output formats of photo and signature sessions.
 *
 * @example
 * ```ts
 * import type { OutputFormat } from "@handoff/client";
 *
 * const format: OutputFormat = "png"; // a photo or a signature format
 * ```
 */
export type OutputFormat = PhotoFormat | SignatureFormat;

/**
 * Whether a scan collects one document or several.
 *
 * @example
 * ```ts
 * import type { ScanDocumentMode } from "@handoff/client";
 *
 * const mode: ScanDocumentMode = "multi";
 * ```
 */
export type ScanDocumentMode = "single" | "multi";

/**
 * `pdf`: one PDF per document; `images`: the page images as taken.
 *
 * @example
 * ```ts
 * import type { ScanOutputFormat } from "@handoff/client";
 *
 * const format: ScanOutputFormat = "images";
 * ```
 */
export type ScanOutputFormat = "pdf" | "images";

/**
 * A session's status. It only moves forward:
 * `pending` → `opened` → `action_started` → `completed`, and any status
 * becomes `expired` when the session's TTL runs out. Statuses may be skipped.
 *
 * @example
 * ```ts
 * import type { SessionStatus } from "@handoff/client";
 *
 * const done = (status: SessionStatus) => status === "completed" || status === "expired";
 * console.assert(done("expired") && !done("opened"));
 * ```
 */
export type SessionStatus =
  | "pending"
  | "opened"
  | "action_started"
  | "completed"
  | "expired";

/**
 * The statuses of a session that is still waiting for the person.
 *
 * @example
 * ```ts
 * import type { OpenStatus } from "@handoff/client";
 *
 * const waiting: OpenStatus[] = ["pending", "opened", "action_started"];
 * ```
 */
export type OpenStatus = "pending" | "opened" | "action_started";

/**
 * A duration: a Go duration string (`"30m"`, `"1h30m"`, `"90s"`, `"1.5s"`;
 * units `ns us µs ms s m h`) or a number of milliseconds. Must be positive.
 *
 * @example
 * ```ts
 * import type { Duration } from "@handoff/client";
 *
 * const ttls: Duration[] = ["30m", "1h30m", "1.5s", 90_000];
 * ```
 */
export type Duration = string | number;

/**
 * Options every kind of session takes.
 *
 * @example
 * ```ts
 * import type { CommonSessionOptions } from "@handoff/client";
 *
 * const common: CommonSessionOptions = { intro: "Please sign", sessionTtl: "10m", resultTtl: "5m" };
 * ```
 */
export interface CommonSessionOptions {
  /** Text shown to the person before the action (plain text). */
  intro?: string;
  /** How long the session lives. @default {the server's SESSION_TTL, 30m by default} */
  sessionTtl?: Duration;
  /** How long result files can be downloaded after completion. @default {the server's RESULT_TTL, 5m by default} */
  resultTtl?: Duration;
}

/**
 * Ask for a photo.
 *
 * @example
 * ```ts
 * import type { PhotoSessionOptions } from "@handoff/client";
 *
 * const options: PhotoSessionOptions = { action: "photo", outputFormat: "jpg", intro: "Your ID card" };
 * ```
 */
export interface PhotoSessionOptions extends CommonSessionOptions {
  /** The action. */
  action: "photo";
  /** The file format of the result. */
  outputFormat: PhotoFormat;
}

/**
 * Ask for a signature.
 *
 * @example
 * ```ts
 * import type { SignatureSessionOptions } from "@handoff/client";
 *
 * const options: SignatureSessionOptions = { action: "signature", outputFormat: "svg" };
 * ```
 */
export interface SignatureSessionOptions extends CommonSessionOptions {
  /** The action. */
  action: "signature";
  /** The file format of the result. */
  outputFormat: SignatureFormat;
}

/**
 * Ask for a document scan.
 *
 * @example
 * ```ts
 * import type { ScanSessionOptions } from "@handoff/client";
 *
 * const options: ScanSessionOptions = { action: "scan", documentMode: "multi", scanOutputFormat: "pdf" };
 * ```
 */
export interface ScanSessionOptions extends CommonSessionOptions {
  /** The action. */
  action: "scan";
  /** One document or several. @default {"single"} */
  documentMode?: ScanDocumentMode;
  /** One PDF per document, or the page images. @default {"pdf"} */
  scanOutputFormat?: ScanOutputFormat;
}

/**
 * What {@linkcode HandoffClient.createSession} takes: impossible
 * action/format combinations (photo + svg, signature + jpg) do not compile.
 *
 * @example
 * ```ts
 * import type { CreateSessionOptions } from "@handoff/client";
 *
 * const ok: CreateSessionOptions = { action: "photo", outputFormat: "png" };
 * const svgPhoto = { action: "photo", outputFormat: "svg" } as const;
 * // @ts-expect-error a photo cannot be an SVG
 * const wrong: CreateSessionOptions = svgPhoto;
 * ```
 */
export type CreateSessionOptions =
  | PhotoSessionOptions
  | SignatureSessionOptions
  | ScanSessionOptions;

/**
 * A result file of a photo or signature session.
 *
 * Go by each item's {@linkcode ResultItem.contentType}, not by the session's
 * output format: the server stores what the phone page sent and converts only
 * `pdf` output (to `application/pdf`). For a photo, `png` or `jpg` output is
 * whatever the phone's camera gave: a camera JPEG arrives as `image/jpeg`
 * `photo.jpg` even for `png`, a PNG screenshot as `image/png` `photo.png` even
 * for `jpg`, and other types (`image/heic`, …) as they came. A signature is
 * `image/svg+xml` for `svg` and `image/png` for `png`.
 *
 * @example
 * ```ts
 * import type { ResultItem } from "@handoff/client";
 *
 * function describe(item: ResultItem): string {
 *   return `${item.filename} (${item.contentType}), download id ${item.downloadId}`;
 * }
 * ```
 */
export interface ResultItem {
  /** Pass to {@linkcode HandoffClient.downloadFile}. */
  readonly downloadId: string;
  /**
   * The file's content type as the phone sent it, or `"application/pdf"` when
   * the server converted it for `pdf` output (`"image/jpeg"`, `"image/png"`,
   * `"image/svg+xml"`, …; may be `""`). Decide how to handle the file by this.
   */
  readonly contentType: string;
  /**
   * The file name the phone page gave (`photo.png` for a PNG and `photo.jpg`
   * for any other photo, `signature.svg`, `signature.png`; `.pdf` after
   * conversion), never the person's own file name. Not a reliable file type:
   * name stored files from {@linkcode ResultItem.contentType}.
   */
  readonly filename: string;
}

/**
 * One page image of a scan in `images` mode.
 *
 * @example
 * ```ts
 * import type { ScanPage } from "@handoff/client";
 *
 * const page: ScanPage = { url: "/api/v1/downloads/0b7e", contentType: "image/jpeg" };
 * ```
 */
export interface ScanPage {
  /** A download URL relative to the server; pass it to {@linkcode HandoffClient.downloadFile}. */
  readonly url: string;
  /** The page's content type. */
  readonly contentType: string;
}

/**
 * A scanned document in `pdf` mode: one PDF with every page.
 *
 * @example
 * ```ts
 * import type { ScanPdfDocument } from "@handoff/client";
 *
 * const document: ScanPdfDocument = { format: "pdf", pdfUrl: "/api/v1/downloads/0b7e" };
 * ```
 */
export interface ScanPdfDocument {
  /** Tells the two kinds of document apart. */
  readonly format: "pdf";
  /** A download URL relative to the server; pass it to {@linkcode HandoffClient.downloadFile}. */
  readonly pdfUrl: string;
}

/**
 * A scanned document in `images` mode: its pages in order.
 *
 * @example
 * ```ts
 * import type { ScanImagesDocument } from "@handoff/client";
 *
 * const document: ScanImagesDocument = {
 *   format: "images",
 *   pages: [{ url: "/api/v1/downloads/0b7e", contentType: "image/jpeg" }],
 * };
 * ```
 */
export interface ScanImagesDocument {
  /** Tells the two kinds of document apart. */
  readonly format: "images";
  /** The pages, in page order. */
  readonly pages: readonly ScanPage[];
}

/**
 * A scanned document.
 *
 * @example
 * ```ts
 * import type { ScanDocument } from "@handoff/client";
 *
 * const urls = (document: ScanDocument): string[] =>
 *   document.format === "pdf" ? [document.pdfUrl] : document.pages.map((page) => page.url);
 * ```
 */
export type ScanDocument = ScanPdfDocument | ScanImagesDocument;

/**
 * The result of a scan session: its documents in order.
 *
 * @example
 * ```ts
 * import type { ScanResult } from "@handoff/client";
 *
 * const pageCount = (result: ScanResult) =>
 *   result.documents.reduce((n, d) => n + (d.format === "images" ? d.pages.length : 1), 0);
 * ```
 */
export interface ScanResult {
  /** The documents, in document order. */
  readonly documents: readonly ScanDocument[];
}

/**
 * What the server says about a session that has not expired.
 *
 * @example
 * ```ts
 * import type { LiveSessionInfo } from "@handoff/client";
 *
 * const remainingMs = (info: LiveSessionInfo) => info.expiresAt.getTime() - Date.now();
 * ```
 */
export interface LiveSessionInfo {
  /** The session id (a UUID). */
  readonly id: string;
  /** The status now. */
  readonly status: Exclude<SessionStatus, "expired">;
  /** The action asked for. */
  readonly actionType: ActionType;
  /** The output format of a photo or signature session. */
  readonly outputFormat?: OutputFormat;
  /** The document mode of a scan session. */
  readonly documentMode?: ScanDocumentMode;
  /** The output format of a scan session. */
  readonly scanOutputFormat?: ScanOutputFormat;
  /** The intro text, if any. */
  readonly introText?: string;
  /** The URL for the phone (show it as a QR code). */
  readonly url: string;
  /** When the server created the session. */
  readonly createdAt: Date;
  /** When the session expires: `createdAt + sessionTtlMs`. */
  readonly expiresAt: Date;
  /** When the person completed the action. */
  readonly completedAt?: Date;
  /** The session's lifetime in milliseconds. */
  readonly sessionTtlMs: number;
  /** How long files stay downloadable after completion, in milliseconds. */
  readonly resultTtlMs: number;
  /** The files of a completed photo or signature session. */
  readonly result?: readonly ResultItem[];
  /** The documents of a completed scan session. */
  readonly scanResult?: ScanResult;
}

/**
 * What the server says about a session that has expired (a tombstone).
 *
 * @example
 * ```ts
 * import type { ExpiredSessionInfo } from "@handoff/client";
 *
 * const gone: ExpiredSessionInfo = { id: "de1f…", status: "expired" };
 * ```
 */
export interface ExpiredSessionInfo {
  /** The session id. */
  readonly id: string;
  /** Always `"expired"`. */
  readonly status: "expired";
}

/**
 * What {@linkcode HandoffClient.getSession} returns.
 *
 * @example
 * ```ts
 * import type { SessionInfo } from "@handoff/client";
 *
 * function label(info: SessionInfo): string {
 *   if (info.status === "expired") return "expired";
 *   return `${info.actionType}: ${info.status}, expires ${info.expiresAt.toISOString()}`;
 * }
 * ```
 */
export type SessionInfo = LiveSessionInfo | ExpiredSessionInfo;

/**
 * The session moved to a new status that is not final.
 *
 * @example
 * ```ts
 * import type { StatusUpdateEvent } from "@handoff/client";
 *
 * const onStatus = (event: StatusUpdateEvent) => console.log(event.status, event.timestamp);
 * ```
 */
export interface StatusUpdateEvent {
  /** Tells the kinds of event apart. */
  readonly type: "status_update";
  /** The session the event is about. */
  readonly sessionId: string;
  /** The new status. */
  readonly status: OpenStatus;
  /** When the server sent it (or the client observed it, when polling). */
  readonly timestamp: Date;
}

/**
 * The actions whose result is a list of files: photos and signatures.
 *
 * @example
 * ```ts
 * import type { ResultAction } from "@handoff/client";
 *
 * const action: ResultAction = "signature"; // not "scan"
 * ```
 */
export type ResultAction = "photo" | "signature";

/**
 * A photo or signature session completed: `result` holds its files.
 *
 * @example
 * ```ts
 * import type { ResultCompletedEvent } from "@handoff/client";
 *
 * const names = (event: ResultCompletedEvent) => event.result.map((item) => item.filename);
 * ```
 */
export interface ResultCompletedEvent {
  /** Tells the kinds of event apart. */
  readonly type: "completed";
  /** The session the event is about. */
  readonly sessionId: string;
  /** Always `"completed"`. */
  readonly status: "completed";
  /** When the server sent it (or the client observed it). */
  readonly timestamp: Date;
  /** The session's action; tells the kinds of completion apart. */
  readonly actionType: ResultAction;
  /** The files (may be empty). */
  readonly result: readonly ResultItem[];
}

/**
 * A scan session completed: `scanResult` holds its documents.
 *
 * @example
 * ```ts
 * import type { ScanCompletedEvent } from "@handoff/client";
 *
 * const count = (event: ScanCompletedEvent) => event.scanResult.documents.length;
 * ```
 */
export interface ScanCompletedEvent {
  /** Tells the kinds of event apart. */
  readonly type: "completed";
  /** The session the event is about. */
  readonly sessionId: string;
  /** Always `"completed"`. */
  readonly status: "completed";
  /** When the server sent it (or the client observed it). */
  readonly timestamp: Date;
  /** Always `"scan"`; tells the kinds of completion apart. */
  readonly actionType: "scan";
  /** The documents. */
  readonly scanResult: ScanResult;
}

/**
 * A session completed: a {@linkcode ScanCompletedEvent} for a scan, else a
 * {@linkcode ResultCompletedEvent}. `actionType` tells them apart; a typed
 * session's events are already narrowed.
 *
 * @typeParam A The session's action; all of them by default.
 *
 * @example
 * ```ts
 * import type { CompletedEvent } from "@handoff/client";
 *
 * const files = (event: CompletedEvent) =>
 *   event.actionType === "scan" ? event.scanResult.documents.length : event.result.length;
 * const photo = (event: CompletedEvent<"photo">) => event.result[0]?.downloadId;
 * ```
 */
export type CompletedEvent<A extends ActionType = ActionType> = A extends "scan"
  ? ScanCompletedEvent
  : ResultCompletedEvent;

/**
 * The session expired before it completed.
 *
 * @example
 * ```ts
 * import type { ExpiredEvent } from "@handoff/client";
 *
 * const onExpired = (event: ExpiredEvent) => console.log(`session ${event.sessionId} expired`);
 * ```
 */
export interface ExpiredEvent {
  /** Tells the kinds of event apart. */
  readonly type: "expired";
  /** The session the event is about. */
  readonly sessionId: string;
  /** Always `"expired"`. */
  readonly status: "expired";
  /** When the client learnt of it. */
  readonly timestamp: Date;
}

/**
 * Everything a session reports to its listeners.
 *
 * @typeParam A The session's action: narrows the completion.
 *
 * @example
 * ```ts
 * import type { SessionEvent } from "@handoff/client";
 *
 * function log(event: SessionEvent): void {
 *   switch (event.type) {
 *     case "status_update": console.log("now", event.status); break;
 *     case "completed":
 *       console.log("done", event.actionType === "scan" ? event.scanResult : event.result);
 *       break;
 *     case "expired": console.log("too late"); break;
 *   }
 * }
 * ```
 */
export type SessionEvent<A extends ActionType = ActionType> =
  | StatusUpdateEvent
  | CompletedEvent<A>
  | ExpiredEvent;

/**
 * How a session hears from the server:
 * - `connecting`: before the first WebSocket opens, and while it reconnects;
 * - `websocket`: a WebSocket is open;
 * - `polling`: the WebSocket failed `attemptsBeforePolling` times in a row,
 *   so the session asks `GET …/result` every `pollIntervalMs` (and keeps
 *   trying to get a WebSocket back);
 * - `unreachable`: as `polling`, but the latest request failed too (network
 *   error, timeout, 5xx): the server cannot be reached right now. The session
 *   goes on trying; it becomes `polling` or `websocket` again when the server
 *   answers, and if the TTL runs out meanwhile, waiters reject with a
 *   {@linkcode SessionExpiredError} whose `confirmed` is `false`;
 * - `closed`: the session completed, expired, failed or was closed (after
 *   its final event was delivered).
 *
 * @example Tell the person when the server is down
 * ```ts
 * import type { ConnectionState } from "@handoff/client";
 *
 * const banner = (state: ConnectionState) =>
 *   state === "unreachable" ? "The server cannot be reached; still trying…" : "";
 * console.assert(banner("unreachable") !== "" && banner("polling") === "");
 * ```
 */
export type ConnectionState =
  | "connecting"
  | "websocket"
  | "polling"
  | "unreachable"
  | "closed";

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

/**
 * Options every network call takes.
 *
 * @example
 * ```ts
 * import type { RequestOptions } from "@handoff/client";
 *
 * const options: RequestOptions = { signal: AbortSignal.timeout(5_000), timeoutMs: 2_000 };
 * ```
 */
export interface RequestOptions {
  /** Cancels the call; it then rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Per-attempt timeout for this call. @default {the client's `timeoutMs`} */
  timeoutMs?: number;
}

/**
 * Options of {@linkcode HandoffClient.createSession} and of the builder's
 * `invoke()`.
 *
 * @example Create only: no socket, no timer
 * ```ts
 * import type { CreateOptions } from "@handoff/client";
 *
 * const options: CreateOptions = { watch: false, signal: AbortSignal.timeout(5_000) };
 * ```
 */
export interface CreateOptions extends RequestOptions {
  /**
   * `true`: return a live {@linkcode Session} that watches the session (a
   * WebSocket, timers: they keep the process alive until it completes,
   * expires or is closed). `false`: only create it and return what the
   * server answered ({@linkcode CreatedSessionInfo}: id, url, expiry), for
   * a stateless backend or an edge function that shows the QR code and lets
   * another request attach later. @default {true}
   */
  watch?: boolean;
}

/**
 * Options of {@linkcode HandoffClient.attachSession}.
 *
 * @typeParam A The action the caller expects.
 *
 * @example
 * ```ts
 * import type { AttachOptions } from "@handoff/client";
 *
 * const options: AttachOptions<"photo"> = { actionType: "photo", timeoutMs: 5_000 };
 * ```
 */
export interface AttachOptions<A extends ActionType = ActionType>
  extends RequestOptions {
  /**
   * The action the session must have: the session is then typed for it, and
   * a session of another action is refused with a `TypeError`.
   * @default {any action: check the session's `actionType` to narrow it}
   */
  actionType?: A;
}

/**
 * What {@linkcode HandoffClient.createSession} returns with
 * `{ watch: false }`: the server's answer, typed by the action.
 *
 * @typeParam A The session's action.
 *
 * @example
 * ```ts
 * import type { CreatedSessionInfo } from "@handoff/client";
 *
 * const show = (info: CreatedSessionInfo<"photo">) =>
 *   ({ id: info.id, url: info.url, expiresAt: info.expiresAt.toISOString() });
 * ```
 */
export interface CreatedSessionInfo<A extends ActionType = ActionType>
  extends LiveSessionInfo {
  /** The action asked for. */
  readonly actionType: A;
}

/**
 * A downloaded file.
 *
 * @example
 * ```ts
 * import type { DownloadedFile } from "@handoff/client";
 *
 * const isImage = (file: DownloadedFile) => file.contentType.startsWith("image/");
 * ```
 */
export interface DownloadedFile {
  /** The bytes. */
  readonly data: Uint8Array;
  /** The `Content-Type` the server sent (may be `""`). */
  readonly contentType: string;
}

/**
 * A download as a stream, for large files.
 *
 * @example
 * ```ts
 * import type { DownloadStream } from "@handoff/client";
 *
 * async function size(download: DownloadStream): Promise<number> {
 *   let total = 0;
 *   for await (const chunk of download.body) total += chunk.length;
 *   return total;
 * }
 * ```
 */
export interface DownloadStream {
  /** The bytes; read or cancel it. */
  readonly body: ReadableStream<Uint8Array>;
  /** The `Content-Type` the server sent (may be `""`). */
  readonly contentType: string;
  /** The length, when the server sent `Content-Length`. */
  readonly contentLength?: number;
}

/**
 * Options of {@linkcode Session.qrCode}.
 *
 * @example
 * ```ts
 * import type { QrCodeOptions } from "@handoff/client";
 *
 * const large: QrCodeOptions = { format: "svg", size: 512, errorCorrection: "H", margin: 2 };
 * ```
 */
export interface QrCodeOptions {
  /** `png` gives a `data:image/png;base64,…` URL, `svg` an SVG document. @default {"png"} */
  format?: "png" | "svg";
  /** Width and height in pixels. @default {256} */
  size?: number;
  /** Error correction level. @default {"M"} */
  errorCorrection?: "L" | "M" | "Q" | "H";
  /** Quiet zone around the code, in modules. @default {4} */
  margin?: number;
}
