// Copyright 2026 the handoff authors. MIT license.
// The socket seam: a close the server does not answer is followed by
// terminate() after the close wait, so the TCP connection does not outlive
// the session (issue #13, fault 1). On fake time.

import assert from "node:assert/strict";
import { CLOSE_WAIT_MS, SocketFactory } from "../../_socket.ts";
import { Timers } from "../../_timers.ts";
import type { WebSocketConstructor } from "../../mod.ts";
import { FakeTime } from "./_fake_time.ts";

/** A socket that opens at once and does whatever its peer is told to. */
class PeerSocket extends EventTarget {
  static last: PeerSocket | undefined;
  readyState = 0;
  closes = 0;
  terminates = 0;
  /** Whether the peer answers a close frame. */
  static answers = true;
  constructor(readonly url: string, _init?: unknown) {
    super();
    PeerSocket.last = this;
    queueMicrotask(() => {
      this.readyState = 1;
      this.dispatchEvent(new Event("open"));
    });
  }
  close(code = 1000): void {
    this.closes++;
    this.readyState = 2;
    if (PeerSocket.answers) queueMicrotask(() => this.#gone(code));
  }
  send(): void {}
  #gone(code: number): void {
    this.readyState = 3;
    this.dispatchEvent(new CloseEvent("close", { code }));
  }
  /** Drop the connection (as `ws` and Bun do). */
  terminate(): void {
    this.terminates++;
    queueMicrotask(() => this.#gone(1006));
  }
}

/** The same, for a runtime whose WebSocket cannot drop a connection. */
class NoTerminateSocket extends PeerSocket {
  override terminate = undefined as unknown as () => void;
}

function factory(Ctor: typeof PeerSocket, timers: Timers): SocketFactory {
  return new SocketFactory(
    "key",
    () => Promise.reject(new Error("no fetch here")),
    Ctor as unknown as WebSocketConstructor,
    undefined,
    timers,
  );
}

async function openOne(Ctor: typeof PeerSocket, time: FakeTime) {
  const timers = new Timers();
  const events: string[] = [];
  const handle = factory(Ctor, timers).open(
    "http://handoff.test/api/v1/sessions/x/ws",
    (_socket, event) => events.push(event),
  );
  await time.tick(0);
  assert.deepEqual(events, ["open"]);
  let closed = false;
  handle.closed.then(() => closed = true);
  return { handle, timers, events, isClosed: () => closed };
}

Deno.test("a close the server answers ends the socket at once, without terminate()", async () => {
  using time = new FakeTime();
  PeerSocket.answers = true;
  const { handle, timers, events, isClosed } = await openOne(PeerSocket, time);
  handle.close();
  await time.tick(0);
  assert.ok(isClosed());
  assert.equal(PeerSocket.last!.terminates, 0);
  assert.equal(timers.size, 0, "the close wait is cleared");
  assert.deepEqual(events, ["open"], "the owner closed it: no close event");
});

Deno.test("a close the server never answers is followed by terminate() after the close wait", async () => {
  using time = new FakeTime();
  PeerSocket.answers = false;
  const { handle, timers, isClosed } = await openOne(PeerSocket, time);
  handle.close();
  handle.close(); // twice is harmless
  const socket = PeerSocket.last!;
  assert.equal(socket.closes, 1);
  await time.tick(CLOSE_WAIT_MS - 1);
  assert.equal(socket.terminates, 0);
  assert.ok(!isClosed());
  await time.tick(1);
  assert.equal(socket.terminates, 1);
  assert.ok(isClosed());
  assert.equal(socket.readyState, 3);
  assert.equal(timers.size, 0);
});

Deno.test("without terminate() an unanswered close is given up after the close wait", async () => {
  using time = new FakeTime();
  PeerSocket.answers = false;
  const { handle, timers, isClosed } = await openOne(NoTerminateSocket, time);
  handle.close();
  await time.tick(CLOSE_WAIT_MS);
  assert.ok(isClosed(), "closed() settles: close() of a session cannot hang");
  assert.equal(timers.size, 0);
});

Deno.test("a socket that does not say it is gone after terminate() is given up a second later", async () => {
  using time = new FakeTime();
  PeerSocket.answers = false;
  class Mute extends PeerSocket {
    override terminate(): void {
      this.terminates++;
    }
  }
  const { handle, timers, isClosed } = await openOne(Mute, time);
  handle.close();
  await time.tick(CLOSE_WAIT_MS);
  assert.equal(PeerSocket.last!.terminates, 1);
  assert.ok(!isClosed());
  await time.tick(1_000);
  assert.ok(isClosed());
  assert.equal(timers.size, 0);
});
