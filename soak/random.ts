// Copyright 2026 the handoff authors. MIT license.
/**
 * A seeded pseudo-random generator (mulberry32), so a soak's scenarios can
 * be replayed with `--seed` (timing still varies from run to run).
 *
 * @module
 */

/** Seeded random numbers and choices. */
export class Random {
  readonly #seed: number;
  #state: number;

  /** @param seed Any 32-bit integer. */
  constructor(seed: number) {
    this.#seed = seed >>> 0;
    this.#state = this.#seed;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** One of the weighted choices. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((sum, [, w]) => sum + w, 0);
    let x = this.next() * total;
    for (const [value, weight] of choices) {
      x -= weight;
      if (x < 0) return value;
    }
    return choices[choices.length - 1]![0];
  }

  /** A generator for item `index`, independent of the others. */
  fork(index: number): Random {
    return new Random(
      Math.imul(this.#seed ^ 0x9e3779b9, 0x85ebca6b) ^
        Math.imul(index + 1, 0xc2b2ae35),
    );
  }
}
