// Copyright 2026 the handoff authors. MIT license.
// The shared timer queue: setTimeout semantics on one runtime timer.

import assert from "node:assert/strict";
import { runtimeHost } from "../../_runtime_timer.ts";
import { type Timer, Timers } from "../../_timers.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("timers run in deadline order, not in the order they were set", async () => {
  const timers = new Timers();
  const ran: string[] = [];
  // One clock reading for all four: a stall between two calls on a loaded
  // machine must not reorder the deadlines themselves.
  const now = performance.now();
  timers.set(30, () => ran.push("30"), now);
  timers.set(5, () => ran.push("5"), now);
  timers.set(15, () => ran.push("15"), now);
  timers.set(5, () => ran.push("5 again"), now);
  assert.equal(timers.size, 4);
  await sleep(60);
  assert.deepEqual(ran, ["5", "5 again", "15", "30"]);
  assert.equal(timers.size, 0);
});

Deno.test("a timer set earlier than the armed one fires on time", async () => {
  const timers = new Timers();
  const ran: number[] = [];
  const start = performance.now();
  const late = timers.set(10_000, () => ran.push(10_000));
  timers.set(10, () => ran.push(performance.now() - start));
  await sleep(50);
  assert.equal(ran.length, 1, "the 10 ms timer ran, the 10 s one did not");
  assert.ok(ran[0]! >= 9, `ran after ${ran[0]} ms`);
  assert.equal(timers.size, 1);
  // Clearing the last one drops the runtime timer (the sanitizer checks).
  timers.clear(late);
  assert.equal(timers.size, 0);
});

Deno.test("timers due at the same moment run in the order they were set", async () => {
  let clock = 1_000;
  const timers = new Timers({ ...runtimeHost(), now: () => clock });
  const ran: number[] = [];
  // One clock reading for all: 200 timers share one deadline, and only the
  // order they were set in can break the tie (a heap alone does not keep it).
  for (let i = 0; i < 200; i++) timers.set(10, () => ran.push(i));
  clock += 10;
  await sleep(40);
  assert.deepEqual(ran, Array.from({ length: 200 }, (_, i) => i));
});

Deno.test("cleared timers never run; clearing twice or clearing undefined is harmless", async () => {
  const timers = new Timers();
  const ran: string[] = [];
  const a = timers.set(5, () => ran.push("a"));
  const b = timers.set(10, () => ran.push("b"));
  const c = timers.set(15, () => ran.push("c"));
  timers.clear(b);
  timers.clear(b);
  timers.clear(undefined);
  timers.clear(a);
  assert.equal(timers.size, 1);
  await sleep(40);
  assert.deepEqual(ran, ["c"]);
  timers.clear(c); // already ran
  assert.equal(timers.size, 0);
});

Deno.test("a timer set from a callback, even at 0 ms, waits for a later turn", async () => {
  const timers = new Timers();
  const ran: string[] = [];
  const now = performance.now(); // both due at the same moment
  timers.set(5, () => {
    ran.push("outer");
    timers.set(0, () => ran.push("inner"));
    ran.push("outer done");
  }, now);
  timers.set(5, () => ran.push("sibling"), now);
  await sleep(40);
  assert.deepEqual(ran, ["outer", "outer done", "sibling", "inner"]);
});

Deno.test("a callback that clears a timer due in the same turn stops it", async () => {
  const timers = new Timers();
  const ran: string[] = [];
  const later: { second?: Timer } = {};
  timers.set(5, () => {
    ran.push("first");
    timers.clear(later.second);
  });
  later.second = timers.set(5, () => ran.push("second"));
  await sleep(30);
  // Both were due in the same turn: as with clearTimeout, the cleared one
  // does not run.
  assert.deepEqual(ran, ["first"]);
});

Deno.test("NaN, negative and huge delays: at once, at once, and not at once", async () => {
  const timers = new Timers();
  const ran: string[] = [];
  timers.set(NaN, () => ran.push("nan"));
  timers.set(-5, () => ran.push("negative"));
  const huge = timers.set(3_000_000_000, () => ran.push("huge"));
  await sleep(20);
  assert.deepEqual(ran, ["nan", "negative"]);
  assert.equal(
    timers.size,
    1,
    "a delay past setTimeout's limit is not run early",
  );
  timers.clear(huge);
});

Deno.test("heap order holds under random sets and clears", async () => {
  const timers = new Timers();
  const expected: number[] = [];
  const ran: number[] = [];
  const handles = [];
  const now = performance.now(); // deadlines from one reading: see above
  for (let i = 0; i < 300; i++) {
    const ms = Math.floor(Math.random() * 40);
    handles.push({ ms, i, timer: timers.set(ms, () => ran.push(i), now) });
  }
  for (const h of handles) {
    if (h.i % 3 === 0) timers.clear(h.timer);
    else expected.push(h.i);
  }
  await sleep(80);
  assert.deepEqual([...ran].sort((a, b) => a - b), expected);
  // In deadline order; equal deadlines in the order they were set.
  const at = new Map(handles.map((h) => [h.i, h.ms]));
  for (let k = 1; k < ran.length; k++) {
    const [a, b] = [at.get(ran[k - 1]!)!, at.get(ran[k]!)!];
    assert.ok(a < b || (a === b && ran[k - 1]! < ran[k]!), `${a} before ${b}`);
  }
});

Deno.test("a callback that throws does not keep the others from running; the error is reported", async () => {
  const timers = new Timers();
  const ran: string[] = [];
  const reported: unknown[] = [];
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    reported.push(event.error);
  };
  globalThis.addEventListener("error", onError);
  try {
    const boom = new Error("boom");
    timers.set(5, () => {
      throw boom;
    });
    timers.set(5, () => ran.push("after"));
    await sleep(30);
    assert.deepEqual(ran, ["after"]);
    assert.deepEqual(reported, [boom]);
  } finally {
    globalThis.removeEventListener("error", onError);
  }
});
