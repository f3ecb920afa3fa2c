// Copyright 2026 the handoff authors. MIT license.
/**
 * What the event relay ({@linkcode sessionEventResponse}) sends the browser:
 * the data of each Server-Sent Event, as JSON. A page that parses them can
 * type them with these.
 *
 * @example
 * ```ts
 * import type { RelayStatusData } from "@handoff/client";
 *
 * const events = new EventTarget(); // in a page: new EventSource(url)
 * events.addEventListener("status", (event) => {
 *   const data = JSON.parse((event as MessageEvent).data) as RelayStatusData;
 *   console.log(data.status);
 * });
 * ```
 *
 * @module
 */

import type {
  ActionType,
  ConnectionState,
  OutputFormat,
  ScanDocumentMode,
  ScanOutputFormat,
  SessionStatus,
} from "./types.ts";

/**
 * A result file as the browser sees it: no Handoff URL (downloading needs
 * the API key), only what describes it, and the app's own link if the app
 * maps one.
 *
 * @example
 * ```ts
 * import type { RelayFile } from "@handoff/client";
 *
 * const file: RelayFile = {
 *   downloadId: "9f2c",
 *   contentType: "image/jpeg",
 *   filename: "photo.jpg",
 *   href: "/files/9f2c",
 * };
 * ```
 */
export interface RelayFile {
  /** The file's download id on the Handoff server. */
  readonly downloadId: string;
  /** Its content type (`"image/jpeg"`, `"application/pdf"`, …). */
  readonly contentType: string;
  /** The file name, for photos and signatures. */
  readonly filename?: string;
  /** The app's own link to it, from {@linkcode RelayOptions.downloadUrl}. */
  readonly href?: string;
}

/**
 * A scanned document as the browser sees it.
 *
 * @example
 * ```ts
 * import type { RelayDocument } from "@handoff/client";
 *
 * const count = (document: RelayDocument) =>
 *   document.format === "pdf" ? 1 : document.pages.length;
 * ```
 */
export type RelayDocument =
  | { readonly format: "pdf"; readonly file: RelayFile }
  | { readonly format: "images"; readonly pages: readonly RelayFile[] };

/**
 * The data of the `session` event, the first of every connection: what the
 * page needs to show the session.
 *
 * @example
 * ```ts
 * import type { RelaySessionData } from "@handoff/client";
 *
 * function show(data: RelaySessionData): string {
 *   return `<a href="${data.url}"><img src="${data.qrCode}" alt="QR code of ${data.url}"></a>`;
 * }
 * ```
 */
export interface RelaySessionData {
  /** The session id. */
  readonly id: string;
  /** The URL for the phone. */
  readonly url: string;
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
  /** When the server created the session (ISO 8601). */
  readonly createdAt: string;
  /** When the session expires (ISO 8601). */
  readonly expiresAt: string;
  /** The status when the connection opened. */
  readonly status: SessionStatus;
  /** The URL as a QR code, when {@linkcode RelayOptions.qrCode} asks for it. */
  readonly qrCode?: string;
}

/**
 * The data of a `status` event.
 *
 * @example
 * ```ts
 * import type { RelayStatusData } from "@handoff/client";
 *
 * const label = (data: RelayStatusData) =>
 *   ({ pending: "Waiting for your phone", opened: "Opened on the phone", action_started: "In progress" })[data.status];
 * ```
 */
export interface RelayStatusData {
  /** The session id. */
  readonly sessionId: string;
  /** The new status. */
  readonly status: "pending" | "opened" | "action_started";
  /** When it happened (ISO 8601). */
  readonly timestamp: string;
}

/**
 * The data of the `completed` event: `result` for photos and signatures,
 * `documents` for scans.
 *
 * @example
 * ```ts
 * import type { RelayCompletedData } from "@handoff/client";
 *
 * const links = (data: RelayCompletedData) =>
 *   (data.result ?? []).flatMap((file) => file.href === undefined ? [] : [file.href]);
 * ```
 */
export interface RelayCompletedData {
  /** The session id. */
  readonly sessionId: string;
  /** Always `"completed"`. */
  readonly status: "completed";
  /** When it happened (ISO 8601). */
  readonly timestamp: string;
  /** The session's action. */
  readonly actionType: ActionType;
  /** The files of a photo or signature session. */
  readonly result?: readonly RelayFile[];
  /** The documents of a scan session. */
  readonly documents?: readonly RelayDocument[];
}

/**
 * The data of the `expired` event.
 *
 * @example
 * ```ts
 * import type { RelayExpiredData } from "@handoff/client";
 *
 * const onExpired = (data: RelayExpiredData) => console.log(`${data.sessionId} expired`);
 * ```
 */
export interface RelayExpiredData {
  /** The session id. */
  readonly sessionId: string;
  /** Always `"expired"`. */
  readonly status: "expired";
  /** When the backend learnt of it (ISO 8601). */
  readonly timestamp: string;
}

/**
 * The data of the `error` event: the session failed for good (the server
 * refused the key, or forgot the session). The message is the library's,
 * which never contains the API key.
 *
 * @example
 * ```ts
 * import type { RelayErrorData } from "@handoff/client";
 *
 * const text = (data: RelayErrorData) => `${data.name}: ${data.message}`;
 * ```
 */
export interface RelayErrorData {
  /** The session id. */
  readonly sessionId: string;
  /** The error's class name (`"UnauthorizedError"`, `"NotFoundError"`, …). */
  readonly name: string;
  /** What went wrong. */
  readonly message: string;
}

/**
 * The data of a `connection` event, sent when
 * {@linkcode RelayOptions.connection} is `true`: how the backend hears from
 * the Handoff server right now (see {@linkcode ConnectionState}), for a page
 * that shows whether updates are live.
 *
 * @example
 * ```ts
 * import type { RelayConnectionData } from "@handoff/client";
 *
 * const badge = (data: RelayConnectionData) =>
 *   data.state === "unreachable" ? "Reconnecting to the server…" : "";
 * ```
 */
export interface RelayConnectionData {
  /** The session id. */
  readonly sessionId: string;
  /** The backend's link to the server. */
  readonly state: ConnectionState;
  /** When the backend's link took this state, or when the connection opened (ISO 8601). */
  readonly timestamp: string;
}
