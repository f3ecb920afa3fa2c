// Copyright 2026 the handoff authors. MIT license.
// What listeners and waiters see at a session's end and through a server
// outage (issue #13, faults 2 and 3). The outage runs on fake time: it takes
// the TTL plus the 30 s the session gives the server to confirm an expiry.

import assert from "node:assert/strict";
import {
  HandoffClient,
  NetworkError,
  SessionExpiredError,
  type WebSocketConstructor,
} from "../../mod.ts";
import { FakeTime } from "./_fake_time.ts";
import { BASE, created, KEY } from "./_fake_fetch.ts";
import { settle, setup, until } from "./_session_helpers.ts";

Deno.test("completed reaches listeners before the connection becomes closed", async () => {
  await using env = await setup();
  const session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  const log: string[] = [];
  session.onEvent((event) => log.push(`event ${event.type}`));
  session.onConnectionChange((state) => log.push(`connection ${state}`));
  await until(() => session.connection === "websocket", "the socket");
  await env.server.phone.complete(session.id);
  await session.waitForResult();
  await until(() => log.includes("connection closed"), "closed");
  assert.ok(
    log.indexOf("event completed") < log.indexOf("connection closed"),
    log.join(" → "),
  );
  assert.equal(log.at(-1), "connection closed");
  await session.close();
});

Deno.test("expired reaches listeners before the connection becomes closed, and a completed listener sees the session still connected", async () => {
  await using env = await setup();
  const session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
    sessionTtl: "300ms",
  });
  const log: string[] = [];
  session.onEvent((event) =>
    log.push(`event ${event.type} while ${session.connection}`)
  );
  session.onConnectionChange((state) => log.push(`connection ${state}`));
  await assert.rejects(session.waitForResult(), SessionExpiredError);
  assert.deepEqual(log.slice(-2), [
    "event expired while websocket",
    "connection closed",
  ]);
  await session.close();
});

/** A WebSocket whose handshake always fails, as against a server that is down. */
class DownWebSocket extends EventTarget {
  readyState = 0;
  constructor(_url: string, _init?: unknown) {
    super();
    queueMicrotask(() => {
      this.readyState = 3;
      this.dispatchEvent(new Event("error"));
      this.dispatchEvent(new CloseEvent("close", { code: 1006 }));
    });
  }
  close(): void {}
  send(): void {}
}

Deno.test("a server outage is told early as unreachable, and ends in an expiry without a 410 whose cause is the network error", async () => {
  using time = new FakeTime();
  let down = false;
  const fetch = (_input: Request | URL | string, init?: RequestInit) => {
    if (down) {
      return Promise.reject(
        new TypeError(
          "error sending request: Connection refused (os error 111)",
        ),
      );
    }
    assert.equal(init?.method, "POST");
    return Promise.resolve(created({ session_ttl: 60_000_000_000 })); // 60 s
  };
  const client = new HandoffClient({
    baseUrl: BASE,
    apiKey: KEY,
    fetch,
    WebSocket: DownWebSocket as unknown as WebSocketConstructor,
  });
  const session = await client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  down = true;
  const states: [string, number][] = [];
  session.onConnectionChange((state) => states.push([state, time.now]));
  const outcome = settle(session.waitForResult());

  // Defaults: reconnect after 1 s, then 2 s, … polling after 3 failures.
  for (let t = 0; t < 10_000; t += 250) await time.tick(250);
  const unreachable = states.find(([state]) => state === "unreachable");
  assert.ok(unreachable, `never unreachable: ${JSON.stringify(states)}`);
  assert.ok(
    unreachable[1] <= 5_000,
    `unreachable only at ${unreachable[1]} ms`,
  );

  // The TTL (60 s) and the 30 s the server is given to confirm it.
  for (let t = 10_000; t < 95_000; t += 500) await time.tick(500);
  const result = await outcome;
  assert.ok(!result.ok, "the session completed?");
  const error = result.error;
  assert.ok(error instanceof SessionExpiredError, String(error));
  assert.equal(error.status, undefined, "no server said 410");
  assert.equal(error.confirmed, false);
  assert.ok(error.cause instanceof NetworkError, String(error.cause));
  assert.match(error.message, /could not be reached/);
  assert.ok(!error.message.includes(KEY));
  assert.equal(states.at(-1)?.[0], "closed");
  await session.close();
  await time.tick(3_000);
});
