// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";
import { goQuote, millisToGoDuration, parseGoDuration } from "../_duration.ts";
import { parseDuration } from "../mod.ts";

const NS = 1n, US = 1000n, MS = 1000_000n, S = 1000_000_000n;
const M = 60n * S, H = 60n * M;

Deno.test("parseGoDuration() reads what Go's time.ParseDuration reads", () => {
  const cases: [string, bigint][] = [
    ["0", 0n],
    ["5s", 5n * S],
    ["30s", 30n * S],
    ["1478s", 1478n * S],
    ["-5s", -5n * S],
    ["+5s", 5n * S],
    ["-0", 0n],
    ["+0", 0n],
    ["5.0s", 5n * S],
    ["5.6s", 5n * S + 600n * MS],
    ["5.s", 5n * S],
    [".5s", 500n * MS],
    ["1.0s", 1n * S],
    ["1.00s", 1n * S],
    ["1.004s", 1n * S + 4n * MS],
    ["100.00100s", 100n * S + 1n * MS],
    ["10ns", 10n * NS],
    ["11us", 11n * US],
    ["12µs", 12n * US],
    ["12μs", 12n * US],
    ["13ms", 13n * MS],
    ["14s", 14n * S],
    ["15m", 15n * M],
    ["16h", 16n * H],
    ["3h30m", 3n * H + 30n * M],
    ["10.5s4m", 4n * M + 10n * S + 500n * MS],
    ["-2m3.4s", -(2n * M + 3n * S + 400n * MS)],
    ["1h2m3s4ms5us6ns", H + 2n * M + 3n * S + 4n * MS + 5n * US + 6n * NS],
    ["39h9m14.425s", 39n * H + 9n * M + 14n * S + 425n * MS],
    ["52763797000ns", 52763797000n],
    ["0.3333333333333333333h", 20n * M],
    ["9007199254740993ns", (1n << 53n) + 1n],
    ["9223372036854775807ns", (1n << 63n) - 1n],
    ["9223372036854775.807us", (1n << 63n) - 1n],
    ["-9223372036854775808ns", -(1n << 63n)],
    ["0.100000000000000000000h", 6n * M],
    ["0.830103483285477580700h", 49n * M + 48n * S + 372539827n],
  ];
  for (const [input, want] of cases) {
    assert.equal(parseGoDuration(input), want, input);
  }
});

Deno.test("parseGoDuration() fails with Go's own messages", () => {
  const cases: [string, string][] = [
    ["", 'time: invalid duration ""'],
    ["3", 'time: missing unit in duration "3"'],
    ["5", 'time: missing unit in duration "5"'],
    ["abc", 'time: invalid duration "abc"'],
    ["-", 'time: invalid duration "-"'],
    ["s", 'time: invalid duration "s"'],
    [".", 'time: invalid duration "."'],
    ["-.", 'time: invalid duration "-."'],
    [".s", 'time: invalid duration ".s"'],
    ["+.s", 'time: invalid duration "+.s"'],
    ["1d", 'time: unknown unit "d" in duration "1d"'],
    ["3000000h", 'time: invalid duration "3000000h"'],
    ["9223372036854775808ns", 'time: invalid duration "9223372036854775808ns"'],
    [
      "9223372036854775.808us",
      'time: invalid duration "9223372036854775.808us"',
    ],
    [
      "9223372036854ms775us808ns",
      'time: invalid duration "9223372036854ms775us808ns"',
    ],
    [
      "-9223372036854775809ns",
      'time: invalid duration "-9223372036854775809ns"',
    ],
    ['1"s', 'time: unknown unit "\\"s" in duration "1\\"s"'],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => parseGoDuration(input), { message }, input);
  }
});

Deno.test("parseDuration() reads Go durations into milliseconds and refuses the rest with Go's message", () => {
  const cases: [string, number][] = [
    ["0", 0],
    ["30m", 1_800_000],
    ["1h30m", 5_400_000],
    ["1.5s", 1_500],
    ["-2h", -7_200_000],
    ["250us", 0.25],
    ["1ns", 0.000001],
  ];
  for (const [input, want] of cases) {
    assert.equal(parseDuration(input), want, input);
  }
  for (const input of ["", "5", "abc", "1d", "3000000h"]) {
    let message = "";
    try {
      parseGoDuration(input);
    } catch (error) {
      message = (error as Error).message;
    }
    assert.throws(() => parseDuration(input), { name: "TypeError", message });
  }
  assert.throws(
    () => parseDuration(300 as unknown as string),
    {
      name: "TypeError",
      message: 'A duration must be a string like "30m", got number',
    },
  );
});

Deno.test("goQuote() escapes like strconv.Quote", () => {
  assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(goQuote("\n\t\x01"), '"\\n\\t\\x01"');
  assert.equal(goQuote("µs"), '"µs"');
});

Deno.test("millisToGoDuration() writes durations Go reads back exactly", () => {
  const cases: [number, string][] = [
    [1, "1ms"],
    [1.5, "1.5ms"],
    [999, "999ms"],
    [1000, "1s"],
    [1500, "1.5s"],
    [90_000, "1m30s"],
    [5_400_000, "1h30m"],
    [3_600_001, "1h1ms"],
    [0.000001, "1ns"],
  ];
  for (const [ms, want] of cases) {
    const text = millisToGoDuration(ms);
    assert.equal(text, want, String(ms));
    assert.equal(parseGoDuration(text), BigInt(Math.round(ms * 1e6)));
  }
});
