// Copyright 2026 the handoff authors. MIT license.
// The fault relay on raw TCP: what a silent connection does with the bytes
// and the ends it swallows, and what healing does with it.

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

/** Resolves with how the client's side ended: `eof` or `reset`. */
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

relayTest(
  "relay: the server's end swallowed while silent cuts the connection when it heals",
  async ({ relay, client, server }, connection) => {
    connection.silence();
    // The inner server closes (as after a close handshake): the caller must
    // not learn of it while the connection is silent…
    server.close();
    const end = ended(client);
    let settled = false;
    end.then(() => settled = true);
    await delay(150);
    assert.equal(settled, false, "the end went through the silence");
    // …and healing must not leave it waiting for ever.
    relay.unsilenceAll();
    await assertEnds(end);
  },
);

relayTest(
  "relay: a silent connection that lost nothing pipes again when it heals",
  async ({ relay, client, server }, connection) => {
    connection.silence();
    await delay(50);
    relay.unsilenceAll();
    await client.write(new TextEncoder().encode("after"));
    assert.equal(await readText(server), "after");
    await server.write(new TextEncoder().encode("back"));
    assert.equal(await readText(client), "back");
  },
);

relayTest(
  "relay: bytes dropped while silent cut the connection when it heals",
  async ({ relay, client, server }, connection) => {
    connection.silence();
    await server.write(new TextEncoder().encode("lost"));
    const end = ended(client);
    await delay(150);
    relay.unsilenceAll();
    await assertEnds(end);
  },
);
