// Copyright 2026 the handoff authors. MIT license.
// The fault relay on raw TCP: what a silent connection does with the bytes
// and the ends it swallows, how it ends when the client drops it, and what
// healing does with it.

import assert from "node:assert/strict";
import { Relay, type RelayConnection } from "../../stub/relay.ts";
import { within } from "../hostile/_helpers.ts";
import { delay, waitUntil } from "./_helpers.ts";

interface Pair {
  relay: Relay;
  /** The caller's side, through the relay. */
  client: Deno.TcpConn;
  /** The inner server's side. */
  server: Deno.TcpConn;
  /** Both ends, the relay and the listener closed. */
  close(): Promise<void>;
}

async function relayed(): Promise<Pair> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const relay = new Relay("127.0.0.1", 0, listener.addr.port);
  relay.start();
  const client = await Deno.connect({
    hostname: "127.0.0.1",
    port: relay.port,
  });
  const server = await listener.accept();
  await waitUntil(() =>
    relay.connectionFor(server.remoteAddr.port) !== undefined
  );
  const closeQuietly = (conn: Deno.Conn) => {
    try {
      conn.close();
    } catch {
      // already closed
    }
  };
  return {
    relay,
    client,
    server,
    async close() {
      closeQuietly(client);
      closeQuietly(server);
      await relay.stop();
      listener.close();
    },
  };
}

async function readText(conn: Deno.Conn): Promise<string | null> {
  const buffer = new Uint8Array(64);
  const n = await conn.read(buffer);
  return n === null ? null : new TextDecoder().decode(buffer.subarray(0, n));
}

/** Resolves with how a side ended: `eof`, `reset`, or the data it got. */
async function ended(conn: Deno.Conn): Promise<"eof" | "reset" | string> {
  try {
    const text = await readText(conn);
    return text === null ? "eof" : `data: ${text}`;
  } catch {
    return "reset";
  }
}

/** A test on a fresh relayed pair, closed however the test ends. */
function relayTest(
  name: string,
  fn: (pair: Pair, connection: RelayConnection) => Promise<void>,
): void {
  Deno.test(name, async () => {
    const pair = await relayed();
    try {
      await fn(pair, pair.relay.connectionFor(pair.server.remoteAddr.port)!);
    } finally {
      await pair.close();
    }
  });
}

/** Assert the caller's side ends (EOF or reset) soon. */
async function assertEnds(end: Promise<string>): Promise<void> {
  const how = await within(end, 3_000, "the caller's side ends");
  assert.ok(how === "eof" || how === "reset", how);
}

relayTest("relay: bytes pass both ways", async ({ client, server }) => {
  await client.write(new TextEncoder().encode("up"));
  assert.equal(await readText(server), "up");
  await server.write(new TextEncoder().encode("down"));
  assert.equal(await readText(client), "down");
});

/** Assert the server's side ends (EOF or reset) soon. */
async function assertServerEnds(server: Deno.Conn): Promise<void> {
  const how = await within(ended(server), 3_000, "the server's side ends");
  assert.ok(how === "eof" || how === "reset", how);
}

/** Assert that `end` has not settled after `ms`: no byte, no FIN, no reset. */
async function assertSilent(end: Promise<string>, ms = 300): Promise<void> {
  let how: string | undefined;
  end.then((value) => how = value);
  await delay(ms);
  assert.equal(how, undefined, "something went through the silence");
}

relayTest(
  "relay: a silent connection passes no byte and no FIN, even after the server closes its side",
  async ({ relay, client, server }, connection) => {
    connection.silence();
    await client.write(new TextEncoder().encode("up"));
    await server.write(new TextEncoder().encode("down"));
    const end = ended(client);
    await assertSilent(end);
    // The inner server closes (as after a close handshake): the client must
    // not learn of it, for as long as the fault lasts.
    server.close();
    await assertSilent(end);
    assert.equal(relay.connectionFor(connection.upstreamPort), connection);
    // Closing the client while silent (its pending read fails) ends it.
    client.close();
    assert.equal(await end, "reset");
    await within(connection.done, 3_000, "the relayed connection ends");
  },
);

relayTest(
  "relay: a client that closes a silent connection makes the relay close both sides",
  async ({ relay, client, server }, connection) => {
    connection.silence();
    client.close();
    await assertServerEnds(server);
    await within(connection.done, 3_000, "the relayed connection ends");
    assert.equal(relay.connectionFor(connection.upstreamPort), undefined);
  },
);

relayTest(
  "relay: a client that half-closes a silent connection makes the relay close both sides",
  async ({ client, server }, connection) => {
    connection.silence();
    await client.write(new TextEncoder().encode("lost"));
    await client.closeWrite();
    await assertServerEnds(server);
    await within(connection.done, 3_000, "the relayed connection ends");
    assert.equal(await ended(client), "eof");
  },
);

relayTest(
  "relay: a client that closes while silent after the upgrade head also ends it",
  async ({ client, server }, connection) => {
    connection.silenceAfterHead();
    await server.write(new TextEncoder().encode("HTTP/1.1 101 OK\r\n\r\n"));
    assert.equal(await readText(client), "HTTP/1.1 101 OK\r\n\r\n");
    await server.write(new TextEncoder().encode("frame"));
    const end = ended(client);
    await assertSilent(end, 150);
    client.close();
    await end;
    await assertServerEnds(server);
    await within(connection.done, 3_000, "the relayed connection ends");
  },
);

relayTest(
  "relay: heal() makes a silent connection that lost nothing talk again",
  async ({ client, server }, connection) => {
    connection.silence();
    await delay(50);
    connection.heal();
    await client.write(new TextEncoder().encode("after"));
    assert.equal(await readText(server), "after");
    await server.write(new TextEncoder().encode("back"));
    assert.equal(await readText(client), "back");
  },
);

relayTest(
  "relay: heal() cuts a silent connection that lost bytes from the server",
  async ({ relay, client, server }, connection) => {
    connection.silence();
    await server.write(new TextEncoder().encode("lost"));
    const end = ended(client);
    await assertSilent(end, 150);
    relay.healAll();
    await assertEnds(end);
    await assertServerEnds(server);
  },
);

relayTest(
  "relay: heal() cuts a silent connection that lost bytes from the client",
  async ({ relay, client, server }, connection) => {
    connection.silence();
    await client.write(new TextEncoder().encode("lost"));
    const end = ended(server);
    await assertSilent(end, 150);
    relay.healAll();
    const how = await within(end, 3_000, "the server's side ends");
    assert.ok(how === "eof" || how === "reset", how);
    await assertEnds(ended(client));
  },
);

relayTest(
  "relay: heal() cuts a silent connection whose server end was swallowed",
  async ({ relay, client, server }, connection) => {
    connection.silence();
    server.close();
    const end = ended(client);
    await assertSilent(end, 150);
    // Healing must not leave the client waiting for an end that was lost.
    relay.healAll();
    await assertEnds(end);
  },
);

relayTest(
  "an upgrade connection the client closed is not counted open, while the inner server still holds its side",
  async (pair, connection) => {
    connection.upgrade = true;
    assert.equal(pair.relay.openUpgradeConnections, 1);
    pair.client.close(); // the client is done: its socket is released
    // The inner server sees the end, but has not closed its own side yet.
    assert.equal(await within(ended(pair.server), 2_000, "the end"), "eof");
    await waitUntil(() => !connection.clientOpen);
    assert.equal(pair.relay.openUpgradeConnections, 0);
  },
);
