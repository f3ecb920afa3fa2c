// Copyright 2026 the handoff authors. MIT license.
// The one runtime timer behind a client's timer queue, per runtime.
//
// Everywhere it is `setTimeout`. On Deno it is an `AbortSignal.timeout` with
// an `abort` listener: since Deno 2.8 the global `setTimeout` is Node's, and
// the first call of a process loads `node:timers` with `async_hooks`,
// `errors` and `inspect` (6.8–10.8 ms on this machine, against 1.0–1.4 ms for
// the first `AbortSignal.timeout`: bench/README.md, issue #17). Deno refs a
// timeout signal's timer while it has an `abort` listener and unrefs it when
// the last one is removed, so an armed timer keeps the process alive and a
// cleared one does not, as with `setTimeout`. Node always unrefs them, and
// Bun dropped the timer of a signal that lost its listeners until
// oven-sh/bun#37666, so neither gets this.
//
// A timeout signal cannot be cancelled: a cleared one stays pending,
// unref'd, until its delay. So that re-arming many times does not pile them
// up, arming reuses the newest pending signal when it fires no later than
// asked; firing early is harmless (the queue re-arms for what is not due).
//
// Fake timers (`@std/testing/time`'s `FakeTime`, `@sinonjs/fake-timers`,
// a test's own) replace `globalThis.setTimeout`, and an app's tests that
// drive a client through them must keep working: Deno's own `setTimeout` is
// a lazy accessor on `globalThis`, a replaced one is a plain value, so the
// signal is used only while the accessor is still there, and whatever
// stands in `globalThis.setTimeout` otherwise.
//
// `deno test`'s sanitizers do not see timeout signals, so the armed ones are
// counted, and the test suite checks after every test that none is left
// (tests/_runtime_timers.ts, preloaded by `deno task test`).

/**
 * The clock and the one runtime timer behind a timer queue: the runtime's by
 * default, a fake one in tests (time moves when they say so).
 */
export interface TimerHost {
  /** Milliseconds on a monotonic clock (`performance.now()`). */
  now(): number;
  /** The wall-clock time at which `now()` read 0 (`performance.timeOrigin`). */
  readonly timeOrigin: number;
  /** Call `fn` once after `ms` (never before `ms - 1`); returns a handle. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancel what `setTimeout` returned, unless it ran. */
  clearTimeout(handle: unknown): void;
}

/** The runtime's `setTimeout`: Node, Bun, Workers, browsers. */
const TIMEOUT_HOST: TimerHost = {
  now: () => performance.now(),
  get timeOrigin() {
    return performance.timeOrigin;
  },
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) =>
    clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** How many signal timers are armed and not yet fired or cleared. */
let armed = 0;
/** The newest timeout signal made, and when it fires by `performance.now()`. */
let newest: AbortSignal | undefined;
let newestAt = 0;

/** An armed signal timer: the `abort` listener and the handle in one. */
class SignalTimer {
  readonly signal: AbortSignal;
  fn: (() => void) | undefined;

  constructor(signal: AbortSignal, fn: () => void) {
    this.signal = signal;
    this.fn = fn;
    armed++;
    signal.addEventListener("abort", this, { once: true });
  }

  handleEvent(): void {
    const fn = this.fn;
    if (fn === undefined) return;
    this.fn = undefined;
    armed--;
    fn();
  }

  clear(): void {
    if (this.fn === undefined) return;
    this.fn = undefined;
    armed--;
    this.signal.removeEventListener("abort", this);
  }
}

/** Deno: `AbortSignal.timeout` and its listener (see the top of the file). */
const SIGNAL_HOST: TimerHost = {
  now: () => performance.now(),
  get timeOrigin() {
    return performance.timeOrigin;
  },
  setTimeout(fn, ms) {
    if (!ownSetTimeout()) return setTimeout(fn, ms);
    const now = performance.now();
    // What AbortSignal.timeout takes of it; it throws where setTimeout
    // reads 0 (negative, NaN).
    const wait = ms > 0 ? Math.trunc(ms) : 0;
    if (newest === undefined || newest.aborted || newestAt > now + ms) {
      newest = AbortSignal.timeout(wait);
      newestAt = now + wait;
    }
    return new SignalTimer(newest, fn);
  },
  clearTimeout(handle) {
    if (handle instanceof SignalTimer) handle.clear();
    else clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/** Whether `globalThis.setTimeout` is still Deno's own (no fake replaced it). */
function ownSetTimeout(): boolean {
  // Read without calling the getter, which is what loads `node:timers`.
  return Object.getOwnPropertyDescriptor(globalThis, "setTimeout")?.get !==
    undefined;
}

let picked: TimerHost | undefined;

/** The runtime's clock and timer, picked on first use. */
export function runtimeHost(): TimerHost {
  return picked ??= isDeno() ? SIGNAL_HOST : TIMEOUT_HOST;
}

/** The `setTimeout` host, whatever the runtime (for tests). */
export function timeoutHost(): TimerHost {
  return TIMEOUT_HOST;
}

/**
 * How many runtime timers of the Deno host are armed: 0 whenever no client
 * has anything scheduled (the test suite checks it after every test).
 */
export function armedSignalTimers(): number {
  return armed;
}

function isDeno(): boolean {
  // The user agent, not `globalThis.Deno`, which shims define on Node.
  const agent = (globalThis as { navigator?: { userAgent?: unknown } })
    .navigator?.userAgent;
  return typeof agent === "string" && agent.startsWith("Deno/");
}
