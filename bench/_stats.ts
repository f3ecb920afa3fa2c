// Copyright 2026 the handoff authors. MIT license.
// Small statistics for the harness.

/** The `p`-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? sorted[mid]!
    : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The spread of repeated figures, as `±x %` of their median (half the min–max range). */
export function spread(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = median(values);
  return ((Math.max(...values) - Math.min(...values)) / 2 / m) * 100;
}

/** The wall clock shared by every process on this machine, in ms. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * This process's memory, from `/proc/self/status` where there is one (Deno
 * lets only `--allow-all` read it; else the RSS from `Deno.memoryUsage()`).
 */
export function procMemory(): { rssKb: number; hwmKb: number } {
  try {
    const text = Deno.readTextFileSync("/proc/self/status");
    const field = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? NaN);
    return { rssKb: field("VmRSS"), hwmKb: field("VmHWM") };
  } catch {
    return { rssKb: Deno.memoryUsage().rss / 1024, hwmKb: NaN };
  }
}

/** Reset this process's peak RSS (`VmHWM`); false where that is not possible. */
export function resetPeak(): boolean {
  try {
    Deno.writeTextFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

/** Run a collected garbage collection when `--expose-gc` is on. */
export function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    gc();
    gc();
  }
}
