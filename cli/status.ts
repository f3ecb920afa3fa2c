// Copyright 2026 the handoff authors. MIT license.
// The status line: the session's status, how it is heard, and the time left.

import type { ConnectionState, SessionStatus } from "../mod.ts";
import { formatTimeLeft } from "./format.ts";
import type { LiveLine } from "./live_line.ts";

const LABELS: Readonly<Record<SessionStatus, string>> = {
  pending: "pending: waiting for the phone to open the link",
  opened: "opened on the phone",
  action_started: "started on the phone",
  completed: "completed",
  expired: "expired",
};

/**
 * What a status means, in a few words (`action_started` → `started on the
 * phone`).
 *
 * @param status The session's status.
 * @returns The label.
 *
 * @example A status in words
 * ```ts
 * import { statusLabel } from "./status.ts";
 *
 * console.assert(statusLabel("opened") === "opened on the phone");
 * ```
 */
export function statusLabel(status: SessionStatus): string {
  return LABELS[status];
}

/**
 * The status line of a session. On a terminal it is one line redrawn in
 * place (call {@linkcode StatusDisplay.tick} every second for the time
 * left); elsewhere each new status, and each loss and return of the
 * server, is printed once as a line of its own.
 *
 * @example Status lines in a log
 * ```ts
 * import { LiveLine } from "./live_line.ts";
 * import { StatusDisplay } from "./status.ts";
 *
 * let out = "";
 * const line = new LiveLine({ isTerminal: false, write: (text) => out += text });
 * const display = new StatusDisplay(line, new Date(Date.now() + 600_000));
 * display.status("opened");
 * console.assert(out.startsWith("Status: opened on the phone (10:00 left)"));
 * ```
 */
export class StatusDisplay {
  readonly #line: LiveLine;
  readonly #expiresAt: Date;
  readonly #now: () => number;
  #status: SessionStatus = "pending";
  #connection: ConnectionState = "connecting";
  #unreachable = false;

  /**
   * Makes the display (it draws nothing yet).
   *
   * @param line Where it draws.
   * @param expiresAt When the session expires.
   * @param now The clock.
   */
  constructor(line: LiveLine, expiresAt: Date, now: () => number = Date.now) {
    this.#line = line;
    this.#expiresAt = expiresAt;
    this.#now = now;
  }

  /**
   * The session has a new status.
   *
   * @param status The status.
   */
  status(status: SessionStatus): void {
    this.#status = status;
    if (this.#line.live) this.tick();
    else {this.#line.print(
        `Status: ${statusLabel(status)} (${this.#left()} left)`,
      );}
  }

  /**
   * The session hears the server another way.
   *
   * @param state The connection state.
   */
  connection(state: ConnectionState): void {
    this.#connection = state;
    if (this.#line.live) {
      this.tick();
      return;
    }
    if (state === "unreachable" && !this.#unreachable) {
      this.#unreachable = true;
      this.#line.print("The server cannot be reached; still trying…");
    } else if (
      (state === "websocket" || state === "polling") && this.#unreachable
    ) {
      this.#unreachable = false;
      this.#line.print("The server answers again.");
    }
  }

  /** Redraw the line (on a terminal): the time left has changed. */
  tick(): void {
    const how = this.#connection === "unreachable"
      ? " · server unreachable, still trying"
      : this.#connection === "polling"
      ? " · polling"
      : "";
    this.#line.update(
      `Status: ${statusLabel(this.#status)} · ${this.#left()} left${how}`,
    );
  }

  /**
   * End the line with a last text, printed for good.
   *
   * @param text The final line.
   */
  finish(text: string): void {
    this.#line.clear();
    this.#line.print(text);
  }

  #left(): string {
    return formatTimeLeft(this.#expiresAt.getTime() - this.#now());
  }
}
