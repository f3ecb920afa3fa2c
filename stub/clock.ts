// Copyright 2026 the handoff authors. MIT license.
// Time in microseconds since the epoch, and Go's RFC 3339 rendering of it.

/** Microseconds since the Unix epoch, with sub-millisecond precision. */
export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/**
 * Format a time as Go's `time.Time` JSON does (RFC 3339, fractional seconds
 * with trailing zeros trimmed) in the local zone: `Z` for UTC, else `±hh:mm`.
 */
export function formatTimestamp(micros: number): string {
  const millis = Math.floor(micros / 1000);
  const offsetMinutes = -new Date(millis).getTimezoneOffset();
  const local = new Date(millis + offsetMinutes * 60_000);
  let out = `${pad(local.getUTCFullYear(), 4)}-${
    pad(local.getUTCMonth() + 1)
  }-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${
    pad(local.getUTCMinutes())
  }:${pad(local.getUTCSeconds())}`;
  const fraction = ((micros % 1_000_000) + 1_000_000) % 1_000_000;
  if (fraction !== 0) {
    out += "." + pad(fraction, 6).replace(/0+$/, "");
  }
  if (offsetMinutes === 0) return out + "Z";
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${out}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A `Date` for a time in microseconds. */
export function dateOf(micros: number): Date {
  return new Date(Math.min(Math.floor(micros / 1000), 8.64e15));
}
