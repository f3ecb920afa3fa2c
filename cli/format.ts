// Copyright 2026 the handoff authors. MIT license.
// Sizes and times as people read them.

/**
 * A byte count as people read it: `630 B`, `12.3 KB`, `4.5 MB` (1 KB = 1024 B).
 *
 * @param bytes The count.
 * @returns The text.
 *
 * @example Sizes
 * ```ts
 * import { formatBytes } from "./format.ts";
 *
 * console.assert(formatBytes(630) === "630 B" && formatBytes(12_595) === "12.3 KB");
 * ```
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A time left as a clock: `9:05`, `1:02:03`, and `0:00` once it is past.
 *
 * @param ms Milliseconds left (rounded up to the second).
 * @returns The text.
 *
 * @example Time left
 * ```ts
 * import { formatTimeLeft } from "./format.ts";
 *
 * console.assert(formatTimeLeft(545_000) === "9:05" && formatTimeLeft(3_723_000) === "1:02:03");
 * console.assert(formatTimeLeft(-5) === "0:00");
 * ```
 */
export function formatTimeLeft(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}`
    : `${minutes}:${seconds}`;
}
