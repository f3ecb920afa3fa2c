// Copyright 2026 the handoff authors. MIT license.
// The runtime timer behind the timer queue on Deno: an `AbortSignal.timeout`
// with a listener (_runtime_timer.ts). It must keep the process alive while
// armed and not once cleared, reuse a pending signal instead of piling them
// up, and be counted, since `deno test`'s sanitizers do not see it.

import assert from "node:assert/strict";
import {
  armedSignalTimers,
  runtimeHost,
  timeoutHost,
} from "../../_runtime_timer.ts";
import { Timers } from "../../_timers.ts";
import { runDenoScript as runScript } from "../_deno_script.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const timersUrl = new URL("../../_timers.ts", import.meta.url).href;
const runtimeTimerUrl =
  new URL("../../_runtime_timer.ts", import.meta.url).href;
const preload = new URL("../_runtime_timers.ts", import.meta.url).pathname;

/** Counts the `AbortSignal.timeout` calls made while `fn` runs. */
async function countingTimeouts(
  fn: () => Promise<void> | void,
): Promise<number> {
  const original = AbortSignal.timeout;
  let made = 0;
  AbortSignal.timeout = (ms: number) => {
    made++;
    return original.call(AbortSignal, ms);
  };
  try {
    await fn();
  } finally {
    AbortSignal.timeout = original;
  }
  return made;
}

Deno.test("on Deno the runtime timer is a timeout signal, counted while armed", async () => {
  assert.notEqual(runtimeHost(), timeoutHost());
  const timers = new Timers();
  const ran: string[] = [];
  const a = timers.set(10_000, () => ran.push("a"));
  assert.equal(armedSignalTimers(), 1);
  timers.set(5, () => ran.push("b"));
  assert.equal(armedSignalTimers(), 1, "one runtime timer for the queue");
  await sleep(40);
  assert.deepEqual(ran, ["b"]);
  assert.equal(armedSignalTimers(), 1, "re-armed for the 10 s one");
  timers.clear(a);
  assert.equal(armedSignalTimers(), 0);
});

Deno.test("arming again and again reuses the pending signal", async () => {
  const timers = new Timers();
  const made = await countingTimeouts(() => {
    // A request's timeout, set and cleared 1,000 times: one signal, not 1,000
    // pending until their 30 s are up.
    for (let i = 0; i < 1_000; i++) timers.clear(timers.set(30_000, () => {}));
  });
  assert.ok(made <= 1, `${made} timeout signals made`);
  assert.equal(armedSignalTimers(), 0);
});

Deno.test("a reused signal that fires early re-arms, and nothing runs before it is due", async () => {
  const host = runtimeHost();
  const start = performance.now();
  // A signal due at 20 ms, left pending by a cleared timer.
  host.clearTimeout(host.setTimeout(() => {}, 20));
  const timers = new Timers();
  let ranAt = -1;
  const made = await countingTimeouts(async () => {
    timers.set(60, () => ranAt = performance.now() - start, start);
    // The 20 ms signal was reused for it: none was made at 60 ms.
    assert.equal(armedSignalTimers(), 1);
    await sleep(120);
  });
  assert.ok(ranAt >= 59, `ran at ${ranAt} ms, before its 60 ms`);
  assert.equal(
    made,
    1,
    "one signal for the rest of the wait, after the early fire",
  );
  assert.equal(armedSignalTimers(), 0);
});

Deno.test("a signal firing later than asked is not reused: an earlier one is made", async () => {
  const timers = new Timers();
  const ran: number[] = [];
  const start = performance.now();
  const late = timers.set(30_000, () => ran.push(30_000), start);
  timers.clear(late);
  timers.set(10, () => ran.push(performance.now() - start), start);
  await sleep(50);
  assert.equal(ran.length, 1);
  assert.ok(ran[0]! >= 9 && ran[0]! < 30_000, `ran at ${ran[0]} ms`);
  assert.equal(armedSignalTimers(), 0);
});

Deno.test("the signal host takes what setTimeout takes: a negative or NaN delay is 0", async () => {
  const host = runtimeHost();
  const ran: string[] = [];
  host.setTimeout(() => ran.push("negative"), -5);
  host.setTimeout(() => ran.push("NaN"), NaN);
  host.setTimeout(() => ran.push("fraction"), 0.5);
  await sleep(30);
  assert.deepEqual(ran.sort(), ["NaN", "fraction", "negative"]);
  assert.equal(armedSignalTimers(), 0);
});

Deno.test("fake timers that replace setTimeout drive the queue, not a signal", async () => {
  // The script runs in a fresh process: here, another test may already have
  // replaced and restored the global setTimeout.
  const out = await runScript(`
    import { Timers } from ${JSON.stringify(timersUrl)};
    import { armedSignalTimers } from ${JSON.stringify(runtimeTimerUrl)};
    const real = globalThis.setTimeout;
    const queued = [];
    // What @std/testing's FakeTime and @sinonjs/fake-timers do.
    globalThis.setTimeout = (fn, ms) => queued.push({ fn, ms });
    const timers = new Timers();
    const ran = [];
    const due = timers.set(5_000, () => ran.push("due"));
    console.log(queued.length, queued[0]?.ms, armedSignalTimers());
    queued[0].fn(); // the fake clock has not moved: re-arms for the rest
    console.log(ran.length, queued.length);
    globalThis.setTimeout = real;
    timers.clear(timers.set(10, () => {}));
    console.log(armedSignalTimers());
    timers.clear(due);
  `);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, "1 5000 0\n0 2\n0\n");
});

Deno.test("an armed timer keeps a finished script alive, a cleared one does not", async () => {
  const waits = await runScript(`
    import { Timers } from ${JSON.stringify(timersUrl)};
    const timers = new Timers();
    timers.set(300, () => console.log("ran"));
    // A retry's back-off: the script must not exit with it pending.
    await timers.delay(200);
    console.log("waited");
  `);
  assert.equal(waits.code, 0, waits.stderr);
  assert.equal(waits.stdout, "waited\nran\n");

  const started = performance.now();
  const exits = await runScript(`
    import { Timers } from ${JSON.stringify(timersUrl)};
    const timers = new Timers();
    timers.clear(timers.set(60_000, () => console.log("ran")));
    console.log("cleared");
  `);
  const took = performance.now() - started;
  assert.equal(exits.code, 0, exits.stderr);
  assert.equal(exits.stdout, "cleared\n");
  // Far under the 60 s a pending signal would hold it for.
  assert.ok(took < 30_000, `the script took ${took} ms to exit`);
});

Deno.test("the test suite fails a test that leaves a runtime timer armed", async () => {
  const dir = new URL("../../.tmp/", import.meta.url);
  await Deno.mkdir(dir, { recursive: true });
  const file = await Deno.makeTempFile({
    dir: dir.pathname,
    prefix: "leaves_timer_",
    suffix: ".ts",
  });
  try {
    await Deno.writeTextFile(
      file,
      `
      import { Timers } from ${JSON.stringify(timersUrl)};
      const timers = new Timers();
      let left;
      Deno.test("leaves a timer", () => { left = timers.set(60_000, () => {}); });
      Deno.test("clears it", () => { timers.clear(left); });
    `,
    );
    const result = await runScript("", [
      "test",
      // .tmp/ is excluded by deno.json, which the file does not need.
      "--no-config",
      "--no-check",
      `--preload=${preload}`,
      "--allow-read",
      file,
    ]);
    assert.notEqual(result.code, 0, "deno test passed");
    assert.match(result.stdout, /leaves a timer .*FAILED/);
    assert.match(
      result.stdout,
      /1 runtime timer\(s\) of the client are still armed/,
    );
    assert.match(result.stdout, /clears it .*ok/);
  } finally {
    await Deno.remove(file);
  }
});
