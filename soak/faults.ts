// Copyright 2026 the handoff authors. MIT license.
/**
 * Faults at random, through the stub's fault controls, for the whole run.
 *
 * @module
 */

import type { StubProcess } from "../tools/stub_process.ts";
import type { FaultKind, Tally } from "./report.ts";
import type { Random } from "./random.ts";

const WEIGHTS: readonly [FaultKind, number][] = [
  ["drop-close-frame", 10],
  ["drop-no-close-frame", 12],
  ["refuse-upgrades", 10],
  ["5xx-result", 10],
  ["5xx-create", 5],
  ["5xx-download", 6],
  ["5xx-session", 4],
  ["latency", 6],
  ["half-open", 6],
  ["restart", 3],
];

/** Injects a fault every `everyMs` (± 50 %) until stopped. */
export class FaultInjector {
  readonly #stub: StubProcess;
  readonly #tally: Tally;
  readonly #random: Random;
  readonly #everyMs: number;
  readonly #concurrency: number;
  #stopped = false;
  #wake: (() => void) | undefined;
  #sleepTimer: ReturnType<typeof setTimeout> | undefined;
  #loop: Promise<void> | undefined;
  /** Ends of faults that last a while, run early on stop. */
  readonly #ends = new Map<
    ReturnType<typeof setTimeout>,
    () => Promise<void>
  >();
  readonly #running = new Set<Promise<void>>();
  #latency = false;
  #silent = false;

  constructor(
    stub: StubProcess,
    tally: Tally,
    random: Random,
    everyMs: number,
    concurrency: number,
  ) {
    this.#stub = stub;
    this.#tally = tally;
    this.#random = random;
    this.#everyMs = everyMs;
    this.#concurrency = concurrency;
  }

  /** Start injecting. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * Stop, end every lasting fault, and clear the stub's pending faults.
   * Half-open connections stay silent: only the client can end them.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#sleepTimer);
    this.#wake?.();
    await this.#loop;
    const ends = [...this.#ends];
    this.#ends.clear();
    for (const [timer] of ends) clearTimeout(timer);
    for (const [, end] of ends) this.#track(end());
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
    // Connections still silent are not cut: the client must drop them (the
    // soak's leak check counts the client sockets that never closed).
    await this.#stub.call("faults.reset");
  }

  /** Drop every socket (and refuse a few upgrades) right before a completion. */
  async dropBeforeCompletion(): Promise<void> {
    if (this.#stopped) return;
    this.#tally.faults["drop-before-completion"]++;
    await this.#stub.call("faults.refuseUpgrades", this.#random.int(1, 3), 503);
    await this.#stub.call("faults.dropWebSockets", {
      closeFrame: this.#random.chance(0.5),
    });
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      await this.#sleep(this.#everyMs * (0.5 + this.#random.next()));
      if (this.#stopped) break;
      const kind = this.#random.weighted(WEIGHTS);
      try {
        await this.#inject(kind);
      } catch (error) {
        this.#tally.problem(`injecting ${kind} failed: ${String(error)}`);
      }
    }
  }

  async #inject(kind: FaultKind): Promise<void> {
    const r = this.#random;
    const call = (method: string, ...args: unknown[]) =>
      this.#stub.call(method, ...args);
    switch (kind) {
      case "drop-close-frame":
        // Into a half-open connection the close frame is lost: the connection
        // stays silent until the client drops it.
        await call("faults.dropWebSockets", {
          closeFrame: true,
          code: r.pick([1001, 1011, 1012, 4000]),
        });
        break;
      case "drop-no-close-frame":
        await call("faults.dropWebSockets", { closeFrame: false });
        break;
      case "refuse-upgrades":
        await call(
          "faults.refuseUpgrades",
          r.int(1, Math.max(2, this.#concurrency)),
          r.pick([500, 502, 503, 429]),
        );
        break;
      case "5xx-result":
        await call(
          "faults.failRequests",
          "result",
          r.int(1, 6),
          r.pick([500, 502, 503, 504]),
        );
        break;
      case "5xx-create":
        await call(
          "faults.failRequests",
          "create",
          r.int(1, 3),
          r.pick([500, 503]),
        );
        break;
      case "5xx-download":
        await call(
          "faults.failRequests",
          "download",
          r.int(1, 5),
          r.pick([500, 502, 503]),
        );
        break;
      case "5xx-session":
        await call(
          "faults.failRequests",
          "session",
          r.int(1, 3),
          r.pick([500, 503]),
        );
        break;
      case "latency":
        if (this.#latency) return;
        this.#latency = true;
        await call("faults.setLatency", r.int(20, 400));
        this.#later(r.int(500, 3_000), async () => {
          await call("faults.setLatency", 0);
          this.#latency = false;
        });
        break;
      case "half-open": {
        // A stalled path: the flows it held are dead for good (as when a NAT
        // or a middlebox loses them), so the connections silenced here stay
        // silent until the client drops them. With `future`, the path also
        // stalls every new connection for a while; when that ends, new
        // connections talk again (reset() ends future silence, and clears
        // the other pending faults too) and the stalled ones stay stalled.
        if (this.#silent) return;
        this.#silent = true;
        const future = r.chance(0.3);
        await call("faults.goSilent", { future });
        this.#later(r.int(500, 4_000), async () => {
          if (future) await call("faults.reset");
          this.#silent = false;
        });
        break;
      }
      case "restart":
        await call("faults.restart", {
          keepState: true,
          downtimeMs: r.int(0, 800),
        });
        break;
      default:
        return;
    }
    this.#tally.faults[kind]++;
  }

  #later(ms: number, end: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.#ends.delete(timer);
      this.#track(end());
    }, ms);
    this.#ends.set(timer, end);
  }

  #track(promise: Promise<void>): void {
    const tracked = promise.catch((error) =>
      this.#tally.problem(`ending a fault failed: ${String(error)}`)
    ).finally(() => this.#running.delete(tracked));
    this.#running.add(tracked);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#sleepTimer = setTimeout(resolve, ms);
    });
  }
}
