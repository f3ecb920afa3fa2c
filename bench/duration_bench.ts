// Copyright 2026 the handoff authors. MIT license.
// Go duration strings.

import { GoDurationError, parseGoDuration } from "../_duration.ts";

const quick = Deno.env.get("BENCH_QUICK") === "1";
const n = quick ? { n: 50, warmup: 5 } : {};
let sink: bigint = 0n;

for (const input of ["30m", "1h30m", "1.5s", "2h45m30.5s"]) {
  Deno.bench({
    name: `parseGoDuration("${input}")`,
    group: "duration",
    ...n,
    fn() {
      sink += parseGoDuration(input);
    },
  });
}

Deno.bench({
  name: 'parseGoDuration("5") throws Go\'s error',
  group: "duration",
  ...n,
  fn() {
    try {
      parseGoDuration("5");
    } catch (error) {
      if (!(error instanceof GoDurationError)) throw error;
    }
  },
});

globalThis.addEventListener("unload", () => void sink);
