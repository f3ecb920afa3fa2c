// Copyright 2026 the handoff authors. MIT license.
// Go duration strings (`time.ParseDuration`), shared by the client and the stub.

const UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  "µs": 1_000n, // U+00B5 micro sign
  "μs": 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_U63 = 1n << 63n;

/** The error Go's `time.ParseDuration` returns, with the same message. */
export class GoDurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GoDurationError";
  }
}

/** Quote a string the way Go's `strconv.Quote` does for the ASCII range. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (c === 7) out += "\\a";
    else if (c === 8) out += "\\b";
    else if (c === 12) out += "\\f";
    else if (c === 10) out += "\\n";
    else if (c === 13) out += "\\r";
    else if (c === 9) out += "\\t";
    else if (c === 11) out += "\\v";
    else if (c < 0x20 || c === 0x7f) {
      out += "\\x" + c.toString(16).padStart(2, "0");
    } else out += ch;
  }
  return out + '"';
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/**
 * Parse a Go duration string (`"30m"`, `"1h30m"`, `"1.5s"`, `"-2h"`) into
 * integer nanoseconds, exactly as Go's `time.ParseDuration` does, including
 * its error messages (`time: invalid duration "abc"`,
 * `time: missing unit in duration "5"`, `time: unknown unit "x" in duration "5x"`).
 *
 * @throws {GoDurationError} when Go would return an error.
 */
export function parseGoDuration(input: string): bigint {
  const invalid = () =>
    new GoDurationError("time: invalid duration " + goQuote(input));
  let s = input;
  let neg = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid();
  let d = 0n;
  while (s !== "") {
    if (!(s[0] === "." || isDigit(s[0]))) throw invalid();
    // [0-9]*
    let i = 0;
    let v = 0n;
    while (isDigit(s[i])) {
      if (v > (MAX_U63 - 1n) / 10n) throw invalid(); // overflow
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > MAX_U63) throw invalid();
      i++;
    }
    const pre = i > 0;
    s = s.slice(i);
    // (\.[0-9]*)?
    let post = false;
    let f = 0n;
    let scale = 1;
    if (s[0] === ".") {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      while (isDigit(s[j])) {
        if (!overflow) {
          if (f > (MAX_U63 - 1n) / 10n) overflow = true;
          else {
            const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
            if (y > MAX_U63) overflow = true;
            else {
              f = y;
              scale *= 10;
            }
          }
        }
        j++;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalid();
    // unit: everything up to the next '.' or digit
    let k = 0;
    while (k < s.length && !(s[k] === "." || isDigit(s[k]))) k++;
    if (k === 0) {
      throw new GoDurationError(
        "time: missing unit in duration " + goQuote(input),
      );
    }
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = UNITS[u];
    if (unit === undefined) {
      throw new GoDurationError(
        `time: unknown unit ${goQuote(u)} in duration ${goQuote(input)}`,
      );
    }
    if (v > MAX_U63 / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      // Go: uint64(float64(f) * (float64(unit) / scale))
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > MAX_U63) throw invalid();
    }
    d += v;
    if (d > MAX_U63) throw invalid();
  }
  if (neg) return -d;
  if (d > MAX_U63 - 1n) throw invalid();
  return d;
}

/**
 * Milliseconds to the shortest Go duration string that says the same
 * (`90000` → `"1m30s"`, `1.5` → `"1.5ms"`), to be sent to the server.
 */
export function millisToGoDuration(ms: number): string {
  const ns = BigInt(Math.round(ms * 1e6));
  if (ns === 0n) return "0s";
  const neg = ns < 0n;
  let rest = neg ? -ns : ns;
  let out = "";
  const h = rest / UNITS.h!;
  rest -= h * UNITS.h!;
  const m = rest / UNITS.m!;
  rest -= m * UNITS.m!;
  if (h > 0n) out += `${h}h`;
  if (m > 0n) out += `${m}m`;
  if (rest > 0n) {
    if (rest >= UNITS.s!) out += fraction(rest, UNITS.s!) + "s";
    else if (rest >= UNITS.ms!) out += fraction(rest, UNITS.ms!) + "ms";
    else out += `${rest}ns`;
  }
  return (neg ? "-" : "") + out;
}

function fraction(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const frac = value % unit;
  if (frac === 0n) return `${whole}`;
  const digits = frac.toString().padStart(unit.toString().length - 1, "0")
    .replace(/0+$/, "");
  return `${whole}.${digits}`;
}
