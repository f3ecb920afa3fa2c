// Copyright 2026 the handoff authors. MIT license.
// The releaser (_release.ts): the sockets of sessions that ended by
// themselves close together once no session ended for QUIET_MS, never later
// than MAX_WAIT_MS, CHUNK per timer turn, and at once for close().

import assert from "node:assert/strict";
import {
  CHUNK,
  MAX_WAIT_MS,
  QUIET_MS,
  SocketReleaser,
} from "../../_release.ts";
import type { SocketHandle } from "../../_socket.ts";
import { Timers } from "../../_timers.ts";
import { FakeTime } from "./_fake_time.ts";

function sockets(n: number): { handles: SocketHandle[]; closed: number[] } {
  const closed: number[] = [];
  const handles = Array.from(
    { length: n },
    (_, i) => ({ close: () => closed.push(i) }) as unknown as SocketHandle,
  );
  return { handles, closed };
}

Deno.test("ended sessions' sockets close together once the client is quiet", async () => {
  using time = new FakeTime();
  const timers = new Timers();
  const releaser = new SocketReleaser(timers);
  const { handles, closed } = sockets(3);
  releaser.release(handles[0]!);
  await time.tick(QUIET_MS - 5);
  releaser.release(handles[1]!); // another session ended: not quiet yet
  await time.tick(QUIET_MS - 5);
  releaser.release(handles[2]!);
  await time.tick(QUIET_MS - 1);
  assert.deepEqual(closed, [], "nothing closes while sessions keep ending");
  await time.tick(1);
  assert.deepEqual(closed, [0, 1, 2]);
  assert.equal(releaser.size, 0);
  assert.equal(timers.size, 0, "no timer left");
});

Deno.test("a client that never goes quiet still closes them after MAX_WAIT_MS", async () => {
  using time = new FakeTime();
  const timers = new Timers();
  const releaser = new SocketReleaser(timers);
  const { handles, closed } = sockets(200);
  let i = 0;
  while (time.now < MAX_WAIT_MS - QUIET_MS) {
    releaser.release(handles[i++]!);
    await time.tick(QUIET_MS / 2);
  }
  assert.deepEqual(closed, []);
  await time.tick(QUIET_MS);
  assert.equal(closed.length, i, "all closed by MAX_WAIT_MS");
  assert.ok(time.now <= MAX_WAIT_MS + QUIET_MS);
  await time.tick(QUIET_MS * 2);
  assert.equal(timers.size, 0);
});

Deno.test("close() of a waiting socket closes it now; many close CHUNK per timer turn", async () => {
  using time = new FakeTime();
  const timers = new Timers();
  const releaser = new SocketReleaser(timers);
  const total = CHUNK * 2 + 10;
  const { handles, closed } = sockets(total + 1);
  releaser.release(handles[total]!);
  releaser.now(handles[total]!);
  assert.deepEqual(closed, [total], "close() does not wait");
  assert.equal(timers.size, 0, "and leaves no timer");
  releaser.now(handles[total]!); // not waiting: nothing
  assert.equal(closed.length, 1);

  for (let i = 0; i < total; i++) releaser.release(handles[i]!);
  // Another timer due at the same moment runs between the chunks.
  let seenBetween = -1;
  timers.set(QUIET_MS, () => seenBetween = closed.length);
  await time.tick(QUIET_MS - 1);
  assert.equal(closed.length, 1);
  // The first chunk closes when the quiet time is up, each next one a turn
  // later: live sessions' I/O runs in between.
  await time.tick(1);
  assert.equal(closed.length, 1 + total, "all closed, over three turns");
  assert.equal(
    seenBetween,
    1 + CHUNK,
    "after the first chunk, before the rest",
  );
  assert.equal(releaser.size, 0);
  assert.equal(timers.size, 0);
});
