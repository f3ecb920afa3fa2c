// Copyright 2026 the handoff authors. MIT license.
/**
 * The public data types of the client: actions and formats, session options,
 * session info, results and events. Names are camelCase; the wire's
 * snake_case stays inside the library. Timestamps are `Date`s and durations
 * milliseconds.
 *
 * @module
 */

/** What the person is asked to do on their phone. */
export type ActionType = "photo" | "signature" | "scan";

/** Output formats of a photo session. */
export type PhotoFormat = "jpg" | "png" | "pdf";

/** Output formats of a signature session. */
export type SignatureFormat = "svg" | "png" | "pdf";

/** Output formats of photo and signature sessions. */
export type OutputFormat = PhotoFormat | SignatureFormat;

/** Whether a scan collects one document or several. */
export type ScanDocumentMode = "single" | "multi";

/** `pdf`: one PDF per document; `images`: the page images as taken. */
export type ScanOutputFormat = "pdf" | "images";

/**
 * A session's status. It only moves forward:
 * `pending` → `opened` → `action_started` → `completed`, and any status
 * becomes `expired` when the session's TTL runs out. Statuses may be skipped.
 */
export type SessionStatus =
  | "pending"
  | "opened"
  | "action_started"
  | "completed"
  | "expired";

/** The statuses of a session that is still waiting for the person. */
export type OpenStatus = "pending" | "opened" | "action_started";

/**
 * A duration: a Go duration string (`"30m"`, `"1h30m"`, `"90s"`, `"1.5s"`;
 * units `ns us µs ms s m h`) or a number of milliseconds. Must be positive.
 */
export type Duration = string | number;

/** Options every kind of session takes. */
export interface CommonSessionOptions {
  /** Text shown to the person before the action (plain text). */
  intro?: string;
  /** How long the session lives. @default {the server's SESSION_TTL, 30m by default} */
  sessionTtl?: Duration;
  /** How long result files can be downloaded after completion. @default {the server's RESULT_TTL, 5m by default} */
  resultTtl?: Duration;
}

/** Ask for a photo. */
export interface PhotoSessionOptions extends CommonSessionOptions {
  /** The action. */
  action: "photo";
  /** The file format of the result. */
  outputFormat: PhotoFormat;
}

/** Ask for a signature. */
export interface SignatureSessionOptions extends CommonSessionOptions {
  /** The action. */
  action: "signature";
  /** The file format of the result. */
  outputFormat: SignatureFormat;
}

/** Ask for a document scan. */
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
 */
export type CreateSessionOptions =
  | PhotoSessionOptions
  | SignatureSessionOptions
  | ScanSessionOptions;

/** A result file of a photo or signature session. */
export interface ResultItem {
  /** Pass to {@linkcode HandoffClient.downloadFile}. */
  readonly downloadId: string;
  /** The file's content type as stored (`"image/jpeg"`, `"application/pdf"`, …; may be `""`). */
  readonly contentType: string;
  /** The file name the phone gave. */
  readonly filename: string;
}

/** One page image of a scan in `images` mode. */
export interface ScanPage {
  /** A download URL relative to the server; pass it to {@linkcode HandoffClient.downloadFile}. */
  readonly url: string;
  /** The page's content type. */
  readonly contentType: string;
}

/** A scanned document in `pdf` mode: one PDF with every page. */
export interface ScanPdfDocument {
  /** Tells the two kinds of document apart. */
  readonly format: "pdf";
  /** A download URL relative to the server; pass it to {@linkcode HandoffClient.downloadFile}. */
  readonly pdfUrl: string;
}

/** A scanned document in `images` mode: its pages in order. */
export interface ScanImagesDocument {
  /** Tells the two kinds of document apart. */
  readonly format: "images";
  /** The pages, in page order. */
  readonly pages: readonly ScanPage[];
}

/** A scanned document. */
export type ScanDocument = ScanPdfDocument | ScanImagesDocument;

/** The result of a scan session: its documents in order. */
export interface ScanResult {
  /** The documents, in document order. */
  readonly documents: readonly ScanDocument[];
}

/** What the server says about a session that has not expired. */
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

/** What the server says about a session that has expired (a tombstone). */
export interface ExpiredSessionInfo {
  /** The session id. */
  readonly id: string;
  /** Always `"expired"`. */
  readonly status: "expired";
}

/** What {@linkcode HandoffClient.getSession} returns. */
export type SessionInfo = LiveSessionInfo | ExpiredSessionInfo;

/** The session moved to a new status that is not final. */
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

/** A photo or signature session completed. */
export interface CompletedEvent {
  /** Tells the kinds of event apart. */
  readonly type: "completed";
  /** The session the event is about. */
  readonly sessionId: string;
  /** Always `"completed"`. */
  readonly status: "completed";
  /** When the server sent it (or the client observed it). */
  readonly timestamp: Date;
  /** The files (may be empty). Absent on scan sessions. */
  readonly result?: readonly ResultItem[];
  /** The documents of a scan session. Absent on photo and signature sessions. */
  readonly scanResult?: ScanResult;
}

/** The session expired before it completed. */
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

/** Everything a session reports to its listeners. */
export type SessionEvent = StatusUpdateEvent | CompletedEvent | ExpiredEvent;

/**
 * How a session hears from the server: `connecting` before the first
 * WebSocket opens, `websocket` while one is open, `polling` while falling back
 * to `GET …/result`, and `closed` once the session completed, expired or was
 * closed.
 */
export type ConnectionState = "connecting" | "websocket" | "polling" | "closed";

/** Options every network call takes. */
export interface RequestOptions {
  /** Cancels the call; it then rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Per-attempt timeout for this call. @default {the client's `timeoutMs`} */
  timeoutMs?: number;
}

/** A downloaded file. */
export interface DownloadedFile {
  /** The bytes. */
  readonly data: Uint8Array;
  /** The `Content-Type` the server sent (may be `""`). */
  readonly contentType: string;
}

/** A download as a stream, for large files. */
export interface DownloadStream {
  /** The bytes; read or cancel it. */
  readonly body: ReadableStream<Uint8Array>;
  /** The `Content-Type` the server sent (may be `""`). */
  readonly contentType: string;
  /** The length, when the server sent `Content-Length`. */
  readonly contentLength?: number;
}

/** Options of {@linkcode Session.qrCode}. */
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
