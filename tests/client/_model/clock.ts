// Copyright 2026 the handoff authors. MIT license.
// A fake clock for the lifecycle model: a `TimerHost` whose time moves only
// when `advance()` says so, and a flush that lets promise chains settle
// between two callbacks without any real time passing.

import type { TimerHost } from "../../../_timers.ts";

/** Whose callback an entry is: the client's `Timers` or the simulated server. */
export type Owner = "client" | "server";

/** A callback on the fake clock's queue; its own handle for `cancel`. */
export interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  readonly owner: Owner;
  /** Set once it ran or was cancelled. */
  done: boolean;
}

/**
 * Microtask turns with nothing observable happening after which the flush
 * takes the system to be settled. The longest gap between two observable
 * steps of one promise chain of the client (a snapshot: fetch resolved →
 * body read → parsed → delivered) is measured in `maxGap`; the lifecycle
 * test asserts it stays well below this.
 */
export const QUIET_TURNS = 32;

/**
 * Callbacks at one instant after which the clock calls it a livelock (a
 * timer re-armed for no time at all, for ever).
 */
export const SPIN_LIMIT = 2_000;

/**
 * `setTimeout` as in Deno 2.9 (Node's): a delay under 1 ms is 1 ms. With
 * `MODEL_HTML_TIMERS=1`, as in the HTML spec: 0 ms is 0 ms (a frozen clock
 * then shows timers re-armed for a rounding error as a livelock).
 */
const MIN_DELAY_MS = Deno.env.get("MODEL_HTML_TIMERS") === "1" ? 0 : 1;

/** The clock did not move while callbacks kept coming. */
export class Livelock extends Error {
  override name = "Livelock";
}

/**
 * The clock. `activity` is bumped by everything the model can observe (a
 * timer set or cleared, a request, a socket call, a delivered event), which
 * is how `settle()` knows that promise chains are still moving.
 */
export class FakeClock {
  /** Wall-clock time at which `now()` reads 0. */
  readonly timeOrigin: number = Date.UTC(2026, 10, 22, 2, 0, 0);
  /** Bumped by every observable step; see `settle()`. */
  activity = 0;
  /** The longest run of quiet turns after which activity resumed. */
  maxGap = 0;
  /** Callbacks run (a measure of a schedule's size). */
  callbacks = 0;
  /** The host to pass to `sessionContext`. */
  readonly host: TimerHost;

  #now = 0;
  #seq = 0;
  #queue: Entry[] = [];

  constructor() {
    this.host = {
      now: () => this.#now,
      timeOrigin: this.timeOrigin,
      setTimeout: (fn, ms) =>
        this.schedule(Math.max(MIN_DELAY_MS, ms), fn, "client"),
      clearTimeout: (handle) => this.cancel(handle as Entry | undefined),
    };
  }

  /** The fake time, in milliseconds since the schedule began. */
  get now(): number {
    return this.#now;
  }

  /** A fresh stamp of the order in which things happened (bumps `activity`). */
  tick(): number {
    return ++this.activity;
  }

  /** Run `fn` after `ms` of fake time (`setTimeout` semantics). */
  schedule(ms: number, fn: () => void, owner: Owner): Entry {
    this.activity++;
    const entry: Entry = {
      at: this.#now + (ms > 0 ? ms : 0),
      seq: this.#seq++,
      fn,
      owner,
      done: false,
    };
    this.#queue.push(entry);
    return entry;
  }

  /** Cancel an entry unless it ran; `undefined` is a no-op. */
  cancel(entry: Entry | undefined): void {
    if (entry === undefined || entry.done) return;
    this.activity++;
    entry.done = true;
    const i = this.#queue.indexOf(entry);
    if (i >= 0) this.#queue.splice(i, 1);
  }

  /** How many callbacks of `owner` are queued. */
  pending(owner: Owner): number {
    let n = 0;
    for (const entry of this.#queue) if (entry.owner === owner) n++;
    return n;
  }

  /**
   * Move time forward by `ms`, running what falls due in (time, set) order,
   * and settling promise chains after each callback and at the end.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    let spins = 0;
    for (;;) {
      const next = this.#earliest(target);
      if (next === undefined) break;
      this.#queue.splice(this.#queue.indexOf(next), 1);
      next.done = true;
      if (next.at > this.#now) {
        this.#now = next.at;
        spins = 0;
      } else if (++spins > SPIN_LIMIT) {
        throw new Livelock(
          `I13 progress: ${SPIN_LIMIT} callbacks at t=${this.#now} without the clock moving (a timer re-armed for no time, for ever)`,
        );
      }
      this.callbacks++;
      next.fn();
      await this.settle();
    }
    if (target > this.#now) this.#now = target;
    await this.settle();
  }

  /**
   * Let promise chains run until `QUIET_TURNS` microtask turns in a row
   * pass without observable activity. No macrotask runs meanwhile (there is
   * no real timer or I/O in the model), so this is deterministic: the same
   * schedule settles the same way every time.
   */
  async settle(): Promise<void> {
    let mark = this.activity;
    let quiet = 0;
    while (quiet < QUIET_TURNS) {
      await null;
      if (this.activity === mark) quiet++;
      else {
        if (quiet > this.maxGap) this.maxGap = quiet;
        mark = this.activity;
        quiet = 0;
      }
    }
  }

  #earliest(limit: number): Entry | undefined {
    let best: Entry | undefined;
    for (const entry of this.#queue) {
      if (entry.at > limit) continue;
      if (
        best === undefined || entry.at < best.at ||
        (entry.at === best.at && entry.seq < best.seq)
      ) best = entry;
    }
    return best;
  }
}

/** A small seeded PRNG (mulberry32): numbers in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
