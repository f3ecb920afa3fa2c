// Copyright 2026 the handoff authors. MIT license.
// Many deadlines on one runtime timer.
//
// A client watching 10,000 sessions has two or three deadlines per session
// (liveness, expiry, a request's timeout). One runtime timer each costs a
// timer object (about 700 bytes in Deno 2.9, whose global `setTimeout` is
// Node's) and its bookkeeping on every create, request and close. Here they
// are entries in a binary heap ordered by deadline, and one runtime timer is
// armed for the earliest. Cancelling removes the entry at once, so nothing
// piles up, and when the heap is empty the runtime timer is cleared: an idle
// client holds no timer. Which runtime timer it is, per runtime, is in
// _runtime_timer.ts.

import { runtimeHost, type TimerHost } from "./_runtime_timer.ts";

export type { TimerHost };

/**
 * `setTimeout` fires at once past this delay (2³¹−1 ms, about 24.8 days);
 * longer waits are re-armed.
 */
export const MAX_TIMER_MS = 2_147_483_647;
/** The index of a timer taken out of the heap to run in this turn. */
const DUE = -2;

/** A scheduled call; pass it to {@linkcode Timers.clear} to cancel it. */
export class Timer {
  /** The clock reading at which it is due. */
  at: number;
  /** What runs when it is due. */
  fn: () => void;
  /** Set order: of two timers due at the same time, the first set runs first. */
  readonly seq: number;
  /** Its place in the heap; `DUE` once taken out to run; -1 once it ran or was cleared. */
  index = -1;

  constructor(at: number, fn: () => void, seq: number) {
    this.at = at;
    this.fn = fn;
    this.seq = seq;
  }
}

/**
 * One runtime timer for any number of deadlines (`setTimeout` semantics),
 * and the clock they are measured by: whatever runs on a `Timers` reads the
 * time from it and from nowhere else.
 */
export class Timers {
  readonly #heap: Timer[] = [];
  #seq = 0;
  #handle: unknown;
  #armed = false;
  #armedAt = Infinity; // when the runtime timer fires, by the clock
  readonly #onFire = () => this.#fire();
  readonly #host: TimerHost;

  /** @param host The clock and runtime timer (tests pass a fake one). */
  constructor(host: TimerHost = runtimeHost()) {
    this.#host = host;
  }

  /** How many calls are scheduled. */
  get size(): number {
    return this.#heap.length;
  }

  /** The clock reading, in milliseconds (monotonic). */
  now(): number {
    return this.#host.now();
  }

  /** The wall-clock time now, by the same clock. */
  date(): Date {
    return new Date(this.#host.timeOrigin + this.#host.now());
  }

  /**
   * Resolves after `ms`, or rejects with the signal's reason once it aborts;
   * its timer never outlives it.
   */
  delay(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.clear(timer);
        reject(signal!.reason);
      };
      const timer = this.set(ms, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Call `fn` after `ms` milliseconds (`NaN` and negatives mean at once).
   * `now` is a clock reading the caller just took, to save taking another.
   */
  set(ms: number, fn: () => void, now: number = this.#host.now()): Timer {
    const timer = new Timer(now + (ms > 0 ? ms : 0), fn, this.#seq++);
    const heap = this.#heap;
    timer.index = heap.length;
    heap.push(timer);
    this.#up(timer.index);
    if (heap[0] === timer) this.#arm(now);
    return timer;
  }

  /** Cancel `timer` unless it already ran; `undefined` is a no-op. */
  clear(timer: Timer | undefined): void {
    if (timer === undefined || timer.index < 0) {
      // Due in this turn but not run yet: it must not run (as clearTimeout).
      if (timer?.index === DUE) timer.index = -1;
      return;
    }
    this.#remove(timer);
    // The runtime timer may fire early now; it re-arms for the next. Only an
    // empty heap must drop it, so an idle client keeps nothing scheduled.
    if (this.#heap.length === 0) this.#disarm();
  }

  #remove(timer: Timer): void {
    const heap = this.#heap;
    const i = timer.index;
    timer.index = -1;
    const last = heap.pop()!;
    if (last !== timer) {
      heap[i] = last;
      last.index = i;
      this.#down(i);
      this.#up(last.index);
    }
  }

  #fire(): void {
    this.#handle = undefined;
    this.#armed = false;
    this.#armedAt = Infinity;
    const heap = this.#heap;
    // Timers fire up to a millisecond early by performance.now() (the runtime
    // counts whole milliseconds); what is due within it runs now.
    const now = this.#host.now();
    const due = now + 1;
    const batch: Timer[] = [];
    while (heap.length > 0 && heap[0]!.at <= due) {
      const timer = heap[0]!;
      this.#remove(timer);
      timer.index = DUE;
      batch.push(timer);
    }
    // Run after taking them out, so a call that schedules another (even at
    // 0 ms) waits for the next turn, as with setTimeout; one that clears
    // another due in this turn stops it, as with clearTimeout.
    for (const timer of batch) {
      if (timer.index !== DUE) continue;
      timer.index = -1;
      try {
        timer.fn();
      } catch (error) {
        // Surface it as an uncaught error, as setTimeout would, without
        // keeping the others from running.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    this.#arm(batch.length > 0 ? this.#host.now() : now);
  }

  /** Make the runtime timer fire by the earliest deadline. */
  #arm(now: number): void {
    const next = this.#heap[0];
    if (next === undefined) return this.#disarm();
    if (next.at >= this.#armedAt) return; // fires in time already
    if (this.#armed) this.#host.clearTimeout(this.#handle);
    const wait = Math.min(Math.max(0, next.at - now), MAX_TIMER_MS);
    this.#armedAt = now + wait;
    this.#armed = true;
    this.#handle = this.#host.setTimeout(this.#onFire, wait);
  }

  #disarm(): void {
    if (this.#armed) this.#host.clearTimeout(this.#handle);
    this.#handle = undefined;
    this.#armed = false;
    this.#armedAt = Infinity;
  }

  #up(i: number): void {
    const heap = this.#heap;
    const timer = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent]!;
      if (!before(timer, above)) break;
      heap[i] = above;
      above.index = i;
      i = parent;
    }
    heap[i] = timer;
    timer.index = i;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const timer = heap[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && before(heap[child + 1]!, heap[child]!)) child++;
      const below = heap[child]!;
      if (!before(below, timer)) break;
      heap[i] = below;
      below.index = i;
      i = child;
    }
    heap[i] = timer;
    timer.index = i;
  }
}

/** Whether `a` runs before `b`. */
function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
