// Copyright 2026 the handoff authors. MIT license.
// Fake time for tests that must drive a whole client, old or new, through
// minutes of timers without waiting: `setTimeout`, `clearTimeout` and
// `performance.now()` are replaced while it is in use. Time moves only in
// `tick()`. (The model-based suite does not need this: it hands the client a
// fake clock through `sessionContext`.)

interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/** Replaces the runtime's timers and clock until disposed. */
export class FakeTime implements Disposable {
  #now = 0;
  #seq = 0;
  readonly #queue = new Map<number, Entry>();
  readonly #setTimeout = globalThis.setTimeout;
  readonly #clearTimeout = globalThis.clearTimeout;

  constructor() {
    globalThis.setTimeout = ((fn: () => void, ms = 0) => {
      const id = ++this.#seq;
      this.#queue.set(id, { at: this.#now + Math.max(0, ms), seq: id, fn });
      return id;
    }) as unknown as typeof setTimeout;
    globalThis.clearTimeout = ((id: number) => {
      this.#queue.delete(id);
    }) as typeof clearTimeout;
    Object.defineProperty(performance, "now", {
      value: () => this.#now,
      configurable: true,
    });
  }

  /** The fake clock, in milliseconds. */
  get now(): number {
    return this.#now;
  }

  /** Move time on by `ms`, running what falls due in order, settling promises after each. */
  async tick(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      let next: Entry | undefined;
      for (const entry of this.#queue.values()) {
        if (
          entry.at <= end &&
          (next === undefined || entry.at < next.at ||
            (entry.at === next.at && entry.seq < next.seq))
        ) next = entry;
      }
      if (next === undefined) break;
      this.#queue.delete(next.seq);
      this.#now = Math.max(this.#now, next.at);
      next.fn();
      await this.#settle();
    }
    this.#now = end;
    await this.#settle();
  }

  /** Let promise chains (and the runtime's own body reading) run to rest. */
  async #settle(): Promise<void> {
    await new Promise<void>((resolve) => this.#setTimeout(resolve, 0));
  }

  [Symbol.dispose](): void {
    globalThis.setTimeout = this.#setTimeout;
    globalThis.clearTimeout = this.#clearTimeout;
    delete (performance as { now?: unknown }).now;
  }
}
