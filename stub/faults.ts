// Copyright 2026 the handoff authors. MIT license.
// Fault state of the HTTP layer: refused upgrades, failed requests, latency,
// and the timers they need (all cancelled on close).

import type { StubRoute } from "./types.ts";

const ROUTES: readonly StubRoute[] = [
  "create",
  "session",
  "result",
  "download",
  "websocket",
  "health",
  "version",
];

interface Pending {
  remaining: number;
  readonly status: number;
}

function checkCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(
      `count must be a non-negative integer, got ${String(count)}`,
    );
  }
}

/** Take one from a queue of counted faults, returning its status. */
function take(queue: Pending[]): number | undefined {
  const head = queue[0];
  if (head === undefined) return undefined;
  head.remaining--;
  if (head.remaining <= 0) queue.shift();
  return head.status;
}

/** Faults that act on HTTP requests arriving over the network. */
export class FaultState {
  #refusals: Pending[] = [];
  #failures = new Map<StubRoute, Pending[]>();
  #latencyMs = 0;
  /** Sockets connected from now on go silent (see `goSilent({ future: true })`). */
  silenceFuture = false;
  #timers = new Map<ReturnType<typeof setTimeout>, () => void>();

  /** Queue `count` refused upgrades answered with `status`. */
  refuseUpgrades(count: number, status = 503): void {
    checkCount(count);
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(
        `status must be an HTTP error status (400-599), got ${String(status)}`,
      );
    }
    if (count > 0) this.#refusals.push({ remaining: count, status });
  }

  /** Queue `count` failures of `route` answered with `status`. */
  failRequests(route: StubRoute, count: number, status = 500): void {
    if (!ROUTES.includes(route)) {
      throw new TypeError(
        `route must be one of ${ROUTES.join(", ")}, got ${String(route)}`,
      );
    }
    checkCount(count);
    if (!Number.isInteger(status) || status < 500 || status > 599) {
      throw new RangeError(
        `status must be a 5xx status, got ${String(status)}`,
      );
    }
    if (count === 0) return;
    const queue = this.#failures.get(route) ?? [];
    queue.push({ remaining: count, status });
    this.#failures.set(route, queue);
  }

  /** Set the delay added to every network request. */
  setLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(
        `latency must be a finite number >= 0, got ${String(ms)}`,
      );
    }
    this.#latencyMs = ms;
  }

  /** The status of an injected failure for the next request to `route`, if any. */
  takeFailure(route: StubRoute): number | undefined {
    const queue = this.#failures.get(route);
    return queue === undefined ? undefined : take(queue);
  }

  /** The status of a refusal for the next upgrade request, if any. */
  takeRefusal(): number | undefined {
    return take(this.#refusals);
  }

  /** The current latency in milliseconds. */
  get latencyMs(): number {
    return this.#latencyMs;
  }

  /** Wait `ms` milliseconds; resolves early when the timers are cancelled. */
  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(id);
        this.#timers.delete(id);
        resolve();
      };
      const id = setTimeout(done, ms);
      this.#timers.set(id, done);
    });
  }

  /** Resolve every pending wait now and clear its timer. */
  cancelTimers(): void {
    for (const done of [...this.#timers.values()]) done();
  }

  /** Clear refusals, failures, latency and future silence. */
  reset(): void {
    this.#refusals = [];
    this.#failures.clear();
    this.#latencyMs = 0;
    this.silenceFuture = false;
  }
}
