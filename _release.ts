// Copyright 2026 the handoff authors. MIT license.
// Releasing the sockets of sessions that ended by themselves (completed,
// expired, failed): deliver first, release after. A burst of completions
// (a queue of people finishing at once; 10,000 in bench/) would otherwise
// pay each socket's close handshake and TCP close (~25 µs of CPU on Deno)
// between one delivery and the next. The sockets wait until no session of
// the client ended for QUIET_MS (never longer than MAX_WAIT_MS), and are
// then closed CHUNK at a time, one timer turn each, so that a session still
// live is not kept waiting behind thousands of closes. Holding them does not
// raise the peak: each was open a moment before. A session closed by the
// app (`close()`) does not wait: its socket is closed at once.

import type { SocketHandle } from "./_socket.ts";
import type { Timer, Timers } from "./_timers.ts";

/** Quiet time (no session ended) after which the waiting sockets close. */
export const QUIET_MS = 100;
/** The longest a socket waits, however busy the client stays. */
export const MAX_WAIT_MS = 5_000;
/** Sockets closed per timer turn. */
export const CHUNK = 256;

/** The sockets of a client's ended sessions, closed in bulk when it is quiet. */
export class SocketReleaser {
  readonly #timers: Timers;
  readonly #queue = new Set<SocketHandle>();
  #timer: Timer | undefined;
  #firstAt = 0;
  #lastAt = 0;
  #flushing = false;
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
    this.#timer ??= this.#timers.set(QUIET_MS, this.#check, now);
  }

  /** Close `socket` now if it is waiting (its session's `close()`). */
  now(socket: SocketHandle): void {
    if (!this.#queue.delete(socket)) return;
    socket.close();
    if (this.#queue.size === 0) this.#stop();
  }

  #onTimer(): void {
    this.#timer = undefined;
    const now = this.#timers.now();
    const quiet = now - this.#lastAt;
    if (
      this.#flushing || quiet >= QUIET_MS || now - this.#firstAt >= MAX_WAIT_MS
    ) {
      this.#flush(now);
    } else {
      this.#timer = this.#timers.set(QUIET_MS - quiet, this.#check, now);
    }
  }

  /** Close the next CHUNK; the rest on the next turn. */
  #flush(now: number): void {
    let n = 0;
    for (const socket of this.#queue) {
      if (n++ === CHUNK) break;
      this.#queue.delete(socket);
      socket.close();
    }
    this.#flushing = this.#queue.size > 0;
    if (this.#flushing) {
      this.#firstAt = now; // what ends from now on waits again
      this.#timer = this.#timers.set(0, this.#check, now);
    }
  }

  #stop(): void {
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#flushing = false;
  }
}
