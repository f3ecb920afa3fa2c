// Copyright 2026 the handoff authors. MIT license.
// Waiting between attempts: the backoff curve, and a timer that counts its
// attempts (after realtime-js's `Timer`), so no timer goes around with a
// counter of its own beside it.

import type { Timer, Timers } from "./_timers.ts";

/**
 * Exponential backoff with jitter: `initial · 2^attempt`, capped at `max`,
 * minus up to 25 % so that clients dropped together do not return together.
 *
 * @param attempt 0 for the first retry.
 * @param random A number in [0, 1) (`Math.random` unless a test fixes it).
 */
export function backoff(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const raw = Math.min(maxMs, initialMs * 2 ** attempt);
  return raw * (1 - random() * 0.25);
}

/**
 * A timer that runs `fn` after a delay taken from the number of times it was
 * scheduled since its last reset: `schedule()` arms it (again) and counts,
 * `reset()` cancels it and starts counting from 0, `cancel()` only cancels.
 * At most one run is pending at a time.
 */
export class RetryTimer {
  readonly #timers: Timers;
  readonly #delayOf: (attempt: number) => number;
  readonly #fn: () => void;
  readonly #run = () => {
    this.#timer = undefined;
    this.#fn();
  };
  #timer: Timer | undefined;
  #attempt = 0;

  /**
   * @param timers The clock to run on.
   * @param delayOf The delay of each attempt, from 0.
   * @param fn What runs when it is due.
   */
  constructor(
    timers: Timers,
    delayOf: (attempt: number) => number,
    fn: () => void,
  ) {
    this.#timers = timers;
    this.#delayOf = delayOf;
    this.#fn = fn;
  }

  /** How many times it was scheduled since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** Whether a run is pending. */
  get pending(): boolean {
    return this.#timer !== undefined;
  }

  /**
   * Run after the delay of the next attempt, or after `ms` when given (which
   * does not count as an attempt); replaces a pending run.
   */
  schedule(ms?: number): void {
    this.cancel();
    const wait = ms ?? this.#delayOf(this.#attempt++);
    this.#timer = this.#timers.set(wait, this.#run);
  }

  /** Cancel a pending run and count attempts from 0 again. */
  reset(): void {
    this.cancel();
    this.#attempt = 0;
  }

  /** Cancel a pending run; the count stays. */
  cancel(): void {
    if (this.#timer === undefined) return;
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
  }
}
