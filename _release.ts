// Copyright 2026 the handoff authors. MIT license.
// Releasing the sockets of sessions that ended by themselves (completed,
// expired, failed): deliver first, release after. A burst of completions
// (a queue of people finishing at once, 10,000 in bench/) would otherwise
// pay each socket's close handshake and TCP close (~25 µs on Deno) between
// one delivery and the next. The sockets wait until the client has been
// quiet for QUIET_MS, and never more than MAX_WAIT_MS or MAX_QUEUED, and
// are then closed together. A session closed by the app (`close()`) does
// not wait: its socket is closed at once.

import type { SocketHandle } from "./_socket.ts";
import type { Timer, Timers } from "./_timers.ts";

/** Quiet time (no session ended) after which the waiting sockets close. */
export const QUIET_MS = 20;
/** The longest a socket waits, however busy the client stays. */
export const MAX_WAIT_MS = 1_000;
/** At this many waiting sockets, they are closed at once. */
export const MAX_QUEUED = 4_096;

/** The sockets of a client's ended sessions, closed in bulk when it is quiet. */
export class SocketReleaser {
  readonly #timers: Timers;
  readonly #queue = new Set<SocketHandle>();
  #timer: Timer | undefined;
  #firstAt = 0;
  #lastAt = 0;
  readonly #check = () => this.#onTimer();

  constructor(timers: Timers) {
    this.#timers = timers;
  }

  /** How many sockets are waiting. */
  get size(): number {
    return this.#queue.size;
  }

  /** Close `socket` once the client is quiet. */
  release(socket: SocketHandle): void {
    const now = this.#timers.now();
    if (this.#queue.size === 0) this.#firstAt = now;
    this.#lastAt = now;
    this.#queue.add(socket);
    if (this.#queue.size >= MAX_QUEUED) this.flush();
    else this.#timer ??= this.#timers.set(QUIET_MS, this.#check, now);
  }

  /** Close `socket` now if it is waiting (its session's `close()`). */
  now(socket: SocketHandle): void {
    if (!this.#queue.delete(socket)) return;
    socket.close();
    if (this.#queue.size === 0) this.#stop();
  }

  /** Close every waiting socket. */
  flush(): void {
    this.#stop();
    const sockets = [...this.#queue];
    this.#queue.clear();
    for (const socket of sockets) socket.close();
  }

  #onTimer(): void {
    this.#timer = undefined;
    const now = this.#timers.now();
    const quiet = now - this.#lastAt;
    if (quiet >= QUIET_MS || now - this.#firstAt >= MAX_WAIT_MS) this.flush();
    else this.#timer = this.#timers.set(QUIET_MS - quiet, this.#check, now);
  }

  #stop(): void {
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
  }
}
