// Copyright 2026 the handoff authors. MIT license.
// The releaser (_release.ts): the sockets of sessions that ended by
// themselves close together once no session ended for QUIET_MS, never later
// than MAX_WAIT_MS, at once at MAX_QUEUED, and at once for close().

import assert from "node:assert/strict";
import {
  MAX_QUEUED,
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

Deno.test("MAX_QUEUED waiting sockets close at once; close() of one closes it now", async () => {
  using time = new FakeTime();
  const timers = new Timers();
  const releaser = new SocketReleaser(timers);
  const { handles, closed } = sockets(MAX_QUEUED + 1);
  releaser.release(handles[MAX_QUEUED]!);
  releaser.now(handles[MAX_QUEUED]!);
  assert.deepEqual(closed, [MAX_QUEUED], "close() does not wait");
  assert.equal(timers.size, 0, "and leaves no timer");
  releaser.now(handles[MAX_QUEUED]!); // not waiting: nothing
  for (let i = 0; i < MAX_QUEUED; i++) releaser.release(handles[i]!);
  assert.equal(closed.length, MAX_QUEUED + 1, "closed when the queue filled");
  assert.equal(timers.size, 0);
  await time.tick(QUIET_MS);
});
