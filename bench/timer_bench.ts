// Copyright 2026 the handoff authors. MIT license.
// The runtime timer behind the timer queue: arming and clearing it on Deno's
// `AbortSignal.timeout` (the client's) against the global `setTimeout`
// (Node's timers since Deno 2.8), as a request's timeout does.

import { runtimeHost, timeoutHost } from "../_runtime_timer.ts";

const quick = Deno.env.get("BENCH_QUICK") === "1";
const n = quick ? { n: 50, warmup: 5 } : {};
const noop = () => {};

for (
  const [name, host, baseline] of [
    ["setTimeout", timeoutHost(), true],
    ["AbortSignal.timeout (the client's on Deno)", runtimeHost(), false],
  ] as const
) {
  Deno.bench({
    name: `runtime timer: arm and clear a 30 s timer, ${name}`,
    group: "runtime timer",
    baseline,
    ...n,
    fn() {
      host.clearTimeout(host.setTimeout(noop, 30_000));
    },
  });
}
