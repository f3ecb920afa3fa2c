// Copyright 2026 the handoff authors. MIT license.
// What `<handoff-session>` reads from the relay and says in its DOM events:
// the public types of `@handoff/client/element` (element.ts re-exports
// them). The element keeps its own copies of the relay's types, because it
// must not import the library, which uses server APIs;
// tests/element/types_test.ts checks they accept what the relay sends.

import type { HandoffSessionElement } from "./element.ts";

/**
 * What a session's phone side can be doing, as the relay says it.
 *
 * @example
 * ```ts
 * import type { HandoffSessionStatus } from "@handoff/client/element";
 *
 * const waiting = (status: HandoffSessionStatus) => status === "pending";
 * ```
 */
export type HandoffSessionStatus =
  | "pending"
  | "opened"
  | "action_started"
  | "completed"
  | "expired";

/**
 * The relay's `session` event, as the element reads it (the same shape as
 * `RelaySessionData` of `@handoff/client`).
 *
 * @example
 * ```ts
 * import type { HandoffSessionInfo } from "@handoff/client/element";
 *
 * const expiresIn = (info: HandoffSessionInfo, now: number) =>
 *   Date.parse(info.expiresAt) - now;
 * ```
 */
export interface HandoffSessionInfo {
  /** The session id. */
  readonly id: string;
  /** The URL for the phone. */
  readonly url: string;
  /** The action asked for (`photo`, `signature`, `scan`). */
  readonly actionType: string;
  /** When the session expires (ISO 8601). */
  readonly expiresAt: string;
  /** The status when the connection opened. */
  readonly status: HandoffSessionStatus;
  /** The URL as a QR code image (a data URL), when the relay sends one. */
  readonly qrCode?: string;
}

/**
 * The `detail` of a `handoff-status` event: the phone side moved on.
 *
 * @example
 * ```ts
 * import type { HandoffStatusDetail } from "@handoff/client/element";
 *
 * const started = (detail: HandoffStatusDetail) => detail.status === "action_started";
 * ```
 */
export interface HandoffStatusDetail {
  /** The session id. */
  readonly sessionId: string;
  /** The new status. */
  readonly status: "pending" | "opened" | "action_started";
  /** When it happened (ISO 8601). */
  readonly timestamp: string;
}

/**
 * A result file as the relay describes it (the same shape as `RelayFile`).
 *
 * @example
 * ```ts
 * import type { HandoffFile } from "@handoff/client/element";
 *
 * const isImage = (file: HandoffFile) => file.contentType.startsWith("image/");
 * ```
 */
export interface HandoffFile {
  /** The file's download id on the Handoff server. */
  readonly downloadId: string;
  /** Its content type. */
  readonly contentType: string;
  /** The file name, for photos and signatures. */
  readonly filename?: string;
  /** The app's own link to it, when the app maps one. */
  readonly href?: string;
}

/**
 * A scanned document as the relay describes it (as `RelayDocument`).
 *
 * @example
 * ```ts
 * import type { HandoffDocument } from "@handoff/client/element";
 *
 * const files = (d: HandoffDocument) => d.format === "pdf" ? [d.file] : d.pages;
 * ```
 */
export type HandoffDocument =
  | { readonly format: "pdf"; readonly file: HandoffFile }
  | { readonly format: "images"; readonly pages: readonly HandoffFile[] };

/**
 * The `detail` of a `handoff-completed` event: the relay's `completed` data.
 *
 * @example
 * ```ts
 * import type { HandoffCompletedDetail } from "@handoff/client/element";
 *
 * const count = (detail: HandoffCompletedDetail) =>
 *   (detail.result?.length ?? 0) + (detail.documents?.length ?? 0);
 * ```
 */
export interface HandoffCompletedDetail {
  /** The session id. */
  readonly sessionId: string;
  /** Always `"completed"`. */
  readonly status: "completed";
  /** When it happened (ISO 8601). */
  readonly timestamp: string;
  /** The session's action. */
  readonly actionType: string;
  /** The files of a photo or signature session. */
  readonly result?: readonly HandoffFile[];
  /** The documents of a scan session. */
  readonly documents?: readonly HandoffDocument[];
}

/**
 * The `detail` of a `handoff-expired` event.
 *
 * @example
 * ```ts
 * import type { HandoffExpiredDetail } from "@handoff/client/element";
 *
 * const text = (detail: HandoffExpiredDetail) => `${detail.sessionId} expired`;
 * ```
 */
export interface HandoffExpiredDetail {
  /** The session id. */
  readonly sessionId: string;
  /** Always `"expired"`. */
  readonly status: "expired";
  /** When the backend learnt of it (ISO 8601). */
  readonly timestamp: string;
}

/**
 * The `detail` of a `handoff-error` event: the relay's `error` event (the
 * session failed for good), or the element's own when the relay cannot be
 * used (`name` is `"RelayConnectionError"`: it answered with an error
 * status or not an event stream; `"RelayClosedError"`: it ended the stream
 * for good before a final event, e.g. the app closed the session).
 *
 * @example
 * ```ts
 * import type { HandoffErrorDetail } from "@handoff/client/element";
 *
 * const text = (detail: HandoffErrorDetail) => `${detail.name}: ${detail.message}`;
 * ```
 */
export interface HandoffErrorDetail {
  /** The session id, when known. */
  readonly sessionId?: string;
  /** The error's class name (`"UnauthorizedError"`, `"NotFoundError"`, …). */
  readonly name: string;
  /** What went wrong. */
  readonly message: string;
}

/**
 * Where the element stands, reflected as its `state` attribute (for CSS:
 * `handoff-session[state="done"]`).
 *
 * @example
 * ```ts
 * import type { HandoffElementState } from "@handoff/client/element";
 *
 * const over = (state: HandoffElementState) => state === "done" || state === "expired" || state === "error";
 * ```
 */
export type HandoffElementState =
  | "idle"
  | "connecting"
  | "waiting"
  | "opened"
  | "started"
  | "done"
  | "expired"
  | "error";

/**
 * The element's own events, by type: what `addEventListener` on a
 * {@linkcode HandoffSessionElement} types its listeners with. (JSR packages
 * may not augment global types; to type the events on `document` or on
 * `HTMLElement` too, add to your app's own declarations:
 * `declare global { interface HTMLElementEventMap extends HandoffSessionEventMap {} }`.)
 *
 * @example
 * ```ts
 * import type { HandoffSessionEventMap } from "@handoff/client/element";
 *
 * const onCompleted = (event: HandoffSessionEventMap["handoff-completed"]) =>
 *   event.detail.result?.length ?? 0;
 * ```
 */
export interface HandoffSessionEventMap {
  /** The phone side moved on. */
  "handoff-status": CustomEvent<HandoffStatusDetail>;
  /** The session completed: its files. */
  "handoff-completed": CustomEvent<HandoffCompletedDetail>;
  /** The session expired. */
  "handoff-expired": CustomEvent<HandoffExpiredDetail>;
  /** The session failed, or the relay cannot be used. */
  "handoff-error": CustomEvent<HandoffErrorDetail>;
}

/**
 * A listener of the element's events: a function (called with the element
 * as `this`) or an object with `handleEvent`.
 *
 * @example
 * ```ts
 * import type { HandoffListener, HandoffSessionEventMap } from "@handoff/client/element";
 *
 * const listener: HandoffListener<HandoffSessionEventMap["handoff-expired"]> = (event) =>
 *   console.log(event.detail.sessionId);
 * ```
 */
export type HandoffListener<E> =
  | ((this: HandoffSessionElement, event: E) => unknown)
  | { handleEvent(event: E): unknown };
