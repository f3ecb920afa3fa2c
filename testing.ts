// Copyright 2026 the handoff authors. MIT license.

/**
 * A stub Handoff server for tests and local development. It answers exactly
 * like the real server on the wire (REST API, per-session WebSocket, phone
 * pages, quirks included), keeps everything in memory, drives the phone side
 * without a browser ({@linkcode StubServer.phone}), and injects faults
 * ({@linkcode StubServer.faults}): refused upgrades, failing requests,
 * latency, dropped sockets, half-open sockets (silent until the client drops
 * them, or {@linkcode StubFaults.heal}), restarts.
 *
 * @example Wait for a session completed by the simulated phone
 * ```ts
 * import { startStubServer } from "@handoff/client/testing";
 *
 * await using stub = await startStubServer();
 * const created = await fetch(`${stub.url}/api/v1/sessions`, {
 *   method: "POST",
 *   headers: { "X-API-Key": stub.apiKey },
 *   body: JSON.stringify({ action_type: "photo", output_format: "jpg" }),
 * });
 * const { id } = await created.json();
 *
 * await stub.phone.complete(id);
 *
 * const result = await fetch(`${stub.url}/api/v1/sessions/${id}/result`, {
 *   headers: { "X-API-Key": stub.apiKey },
 * });
 * const { status, items } = await result.json();
 * console.assert(status === "completed" && items.length === 1);
 * ```
 *
 * @module
 */

export { startStubServer } from "./stub/server.ts";
export { sampleJpeg, samplePng } from "./stub/samples.ts";
export { StubPhoneError } from "./stub/types.ts";
export type {
  StubActionType,
  StubFaults,
  StubFile,
  StubPageUpload,
  StubPhone,
  StubRoute,
  StubServer,
  StubServerOptions,
  StubSessionSnapshot,
  StubSessionStatus,
  StubStats,
  StubUpload,
} from "./stub/types.ts";
