// Copyright 2026 the handoff authors. MIT license.
/**
 * A client for [Handoff](https://github.com/mxcd/handoff): collect a photo,
 * a signature or a document scan from a person's phone.
 *
 * Create a session, show its URL as a QR code, and wait: the session follows
 * the server over a WebSocket (falling back to polling), never loses a
 * completion, rejects every waiter when it expires, and cleans up after
 * itself. Built on web standards only (`fetch`, `WebSocket`, `AbortSignal`),
 * so it runs in Deno, Bun, Node and edge runtimes.
 *
 * @example Collect a photo
 * ```ts
 * import { HandoffClient } from "@handoff/client";
 * import { startStubServer } from "@handoff/client/testing";
 *
 * await using server = await startStubServer(); // your Handoff server in production
 * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
 *
 * await using session = await client.createSession({
 *   action: "photo",
 *   outputFormat: "jpg",
 *   intro: "A photo of your ID, please",
 *   sessionTtl: "10m",
 * });
 * const qr = await session.qrCode(); // show it: <img src="…">
 * console.assert(qr.startsWith("data:image/png;base64,"));
 *
 * await server.phone.complete(session.id); // the person takes the photo
 *
 * const [photo] = await session.waitForResult({ signal: AbortSignal.timeout(30_000) });
 * const { data, contentType } = await client.downloadFile(photo!.downloadId);
 * console.assert(contentType === "image/jpeg" && data.byteLength > 0);
 * ```
 *
 * @module
 */

import "./_preload.ts"; // the whole import graph at once: see the file

export { HandoffClient } from "./client.ts";
export { type BuiltSession, type FormatOf, SessionBuilder } from "./builder.ts";
export {
  CLIENT_DEFAULTS,
  type ClientDefaults,
  type FetchLike,
  type HandoffClientOptions,
  type ReconnectOptions,
  type RetryOptions,
  type WebSocketAuth,
  type WebSocketConstructor,
} from "./options.ts";
export { type AnySession, Session, type SessionOf } from "./session.ts";
export { qrCode } from "./qr.ts";
export {
  type RelayOptions,
  sessionEventResponse,
  sessionEventStream,
} from "./relay.ts";
export type {
  RelayCompletedData,
  RelayConnectionData,
  RelayDocument,
  RelayErrorData,
  RelayExpiredData,
  RelayFile,
  RelaySessionData,
  RelayStatusData,
} from "./relay_events.ts";
export * from "./errors.ts";
export * from "./formats.ts";
export type * from "./types.ts";
