// Copyright 2026 the handoff authors. MIT license.
// The JSON lines of `--json`.

import type { SavedFile } from "./download.ts";
import type { ExitReason } from "./exit_codes.ts";

/**
 * One line of `handoff --json` on stdout: `created`, then a `status` per
 * new status, then `completed` and `saved`, or `error` instead of the
 * events that did not happen. Times are ISO 8601 strings.
 *
 * @example Follow a run from a script
 * ```ts
 * import type { CliEvent } from "@handoff/client/cli";
 *
 * const line = '{"event":"saved","files":[{"path":"photo.jpg","contentType":"image/jpeg","bytes":630}]}';
 * const event = JSON.parse(line) as CliEvent;
 * if (event.event === "saved") console.assert(event.files[0]?.path === "photo.jpg");
 * ```
 */
export type CliEvent =
  | {
    /** The session was created: show `url` to the person. */
    readonly event: "created";
    /** The session id. */
    readonly id: string;
    /** The phone page. */
    readonly url: string;
    /** What is collected. */
    readonly action: "photo" | "signature" | "scan";
    /** When it expires. */
    readonly expiresAt: string;
  }
  | {
    /** The session has a new status. */
    readonly event: "status";
    /** The new status. */
    readonly status: "pending" | "opened" | "action_started";
    /** When it was sent (or observed). */
    readonly at: string;
  }
  | {
    /** The person completed the action; the downloads start. */
    readonly event: "completed";
    /** When. */
    readonly at: string;
    /** How many files there are to download. */
    readonly files: number;
  }
  | {
    /** Every file is saved (the last line of a run that exits with 0). */
    readonly event: "saved";
    /** The files, in result order. */
    readonly files: readonly SavedFile[];
  }
  | {
    /** The run failed or was interrupted (the last line). */
    readonly event: "error";
    /** Why: a key of `EXIT_CODES`. */
    readonly reason: ExitReason;
    /** The exit code that follows. */
    readonly exitCode: number;
    /** What happened, for people. */
    readonly message: string;
  };
