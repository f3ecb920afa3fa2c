// Copyright 2026 the handoff authors. MIT license.
// The exit codes of the `handoff` command, and which error gives which.

import {
  NetworkError,
  SessionExpiredError,
  TimeoutError,
  UnauthorizedError,
} from "../mod.ts";

/**
 * The exit codes of the `handoff` command. Scripts branch on them; `--help`
 * and the module docs list the same table.
 *
 * - `ok` (0): the result files are saved.
 * - `failed` (1): any other failure: the server failed (5xx after retries)
 *   or answered something unexpected, a download was gone, the output
 *   directory or a file could not be written.
 * - `usage` (2): bad usage: an unknown flag, a bad value, no server URL or no
 *   API key.
 * - `unauthorized` (3): the server refused the API key (401).
 * - `expired` (4): the session expired before the person completed it (the
 *   server confirmed it).
 * - `network` (5): the server could not be reached or did not answer in
 *   time, also when the session's time ran out while it was unreachable.
 * - `interrupted` (130): Ctrl+C (SIGINT); the session was closed first.
 * - `terminated` (143): SIGTERM; the session was closed first.
 *
 * @example Tell why a run failed
 * ```ts
 * import { EXIT_CODES } from "@handoff/client/cli";
 *
 * const explain = (code: number): string =>
 *   code === EXIT_CODES.expired
 *     ? "nobody completed it in time: ask again"
 *     : code === EXIT_CODES.unauthorized
 *     ? "check HANDOFF_API_KEY"
 *     : "";
 * console.assert(explain(4) !== "" && EXIT_CODES.interrupted === 130);
 * ```
 */
export const EXIT_CODES: {
  readonly ok: 0;
  readonly failed: 1;
  readonly usage: 2;
  readonly unauthorized: 3;
  readonly expired: 4;
  readonly network: 5;
  readonly interrupted: 130;
  readonly terminated: 143;
} = Object.freeze({
  ok: 0,
  failed: 1,
  usage: 2,
  unauthorized: 3,
  expired: 4,
  network: 5,
  interrupted: 130,
  terminated: 143,
});

/**
 * Why the command ended: a key of {@linkcode EXIT_CODES}. The `error` event
 * of `--json` carries it as `reason`.
 *
 * @example Decide whether to try again
 * ```ts
 * import type { ExitReason } from "@handoff/client/cli";
 *
 * const retry = (reason: ExitReason) => reason === "expired" || reason === "network";
 * console.assert(retry("network") && !retry("usage"));
 * ```
 */
export type ExitReason = keyof typeof EXIT_CODES;

/**
 * The reason to exit with for an error the library threw (the interrupts
 * are told apart by the caller, from its own abort signal).
 *
 * @param error What a call of the library rejected with.
 * @returns The reason; `failed` for anything without a code of its own.
 *
 * @example Map an error to its exit reason
 * ```ts
 * import { reasonOf } from "./exit_codes.ts";
 * import { NetworkError } from "../mod.ts";
 *
 * console.assert(reasonOf(new NetworkError("refused")) === "network");
 * console.assert(reasonOf(new Error("disk full")) === "failed");
 * ```
 */
export function reasonOf(error: unknown): ExitReason {
  if (error instanceof UnauthorizedError) return "unauthorized";
  if (error instanceof SessionExpiredError) {
    // Unconfirmed: the time ran out while the server could not be reached.
    return error.confirmed ? "expired" : "network";
  }
  if (error instanceof NetworkError || error instanceof TimeoutError) {
    return "network";
  }
  return "failed";
}
