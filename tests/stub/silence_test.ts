// Copyright 2026 the handoff authors. MIT license.
// The half-open fault: goSilent(), what reset() leaves silent, the client
// dropping a silent socket, and heal().

import assert from "node:assert/strict";
import { startStubServer, type StubServer } from "../../testing.ts";
import {
  assertAbnormalClose,
  createSession,
  delay,
  waitUntil,
  withStub,
} from "./_helpers.ts";
import { within } from "../hostile/_helpers.ts";

Deno.test("goSilent() makes open sockets silent without closing them; new sockets still get frames", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub, {
      action_type: "photo",
      output_format: "jpg",
      intro_text: "x",
    });
    const silent = await h.open(s.id);
    assert.equal((await silent.next()).status, "pending");
    await waitUntil(() => h.stub.stats().openWebSockets === 1);
    assert.equal(h.stub.faults.goSilent(), 1);
    const fresh = await h.open(s.id);
    assert.equal((await fresh.next()).status, "pending");
    await h.stub.phone.open(s.id);
    assert.equal((await fresh.next()).status, "opened");
    await silent.expectSilence(200);
    assert.equal(silent.socket.readyState, WebSocket.OPEN);
    assert.equal(silent.isClosed, false);
    await fresh.close();
    // The silent socket never hears its close frame echoed; the stub's
    // close() cuts it (withStub waits for its close event).
  });
});

Deno.test("goSilent({ future: true }) silences later sockets too, until reset(), which leaves them silent", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    assert.equal(h.stub.faults.goSilent({ future: true }), 0);
    const later = await h.open(s.id);
    await later.expectSilence(200);
    assert.equal(later.socket.readyState, WebSocket.OPEN);
    h.stub.faults.reset();
    const afterReset = await h.open(s.id);
    assert.equal((await afterReset.next()).status, "pending");
    // The socket silenced before the reset stays silent.
    await h.stub.phone.open(s.id);
    assert.equal((await afterReset.next()).status, "opened");
    await later.expectSilence(200);
    assert.equal(later.isClosed, false);
    await afterReset.close();
  });
});

Deno.test("heal() turns future silence off", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    h.stub.faults.goSilent({ future: true });
    h.stub.faults.heal();
    const ws = await h.open(s.id);
    assert.equal((await ws.next()).status, "pending");
    await ws.close();
  });
});

/** A WebSocket upgraded on raw TCP, so that a test can drop its connection. */
async function rawSocket(stub: StubServer, id: string): Promise<Deno.TcpConn> {
  const url = new URL(stub.url);
  const conn = await Deno.connect({
    hostname: url.hostname,
    port: Number(url.port),
  });
  const head = [
    `GET /api/v1/sessions/${id}/ws HTTP/1.1`,
    `Host: ${url.host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    `X-API-Key: ${stub.apiKey}`,
  ];
  await conn.write(new TextEncoder().encode(head.join("\r\n") + "\r\n\r\n"));
  const buffer = new Uint8Array(4096);
  let answer = "";
  while (!answer.includes("\r\n\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error("closed before the upgrade");
    answer += new TextDecoder().decode(buffer.subarray(0, n));
  }
  assert.match(answer, /^HTTP\/1\.1 101 /);
  return conn;
}

Deno.test("a silent socket stays silent after reset(), even when the server closes it", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const conn = await rawSocket(h.stub, s.id);
    let received = 0;
    let ended = false;
    const read = (async () => {
      const buffer = new Uint8Array(4096);
      for (;;) {
        const n = await conn.read(buffer).catch(() => null);
        if (n === null) break;
        received += n;
      }
      ended = true;
    })();
    try {
      await waitUntil(() => h.stub.stats().openWebSockets === 1);
      await delay(50); // the initial status frame passes
      assert.equal(h.stub.faults.goSilent(), 1);
      const before = received;
      h.stub.faults.reset();
      // Neither the close frame nor the end of the connection gets through.
      assert.equal(h.stub.faults.dropWebSockets({ closeFrame: true }), 1);
      await delay(200);
      assert.equal(received, before, "bytes went through the silence");
      assert.equal(ended, false, "the end went through the silence");
    } finally {
      conn.close();
      await read;
    }
  });
});

Deno.test("the client dropping a silent socket's TCP connection makes the stub forget it", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const conn = await rawSocket(h.stub, s.id);
    await waitUntil(() => h.stub.stats().openWebSockets === 1);
    assert.equal(h.stub.faults.goSilent(), 1);
    await delay(50);
    assert.equal(h.stub.stats().openWebSockets, 1);
    conn.close();
    await waitUntil(
      () => h.stub.stats().openWebSockets === 0,
      3_000,
      "the stub to forget the socket",
    );
  });
});

Deno.test("stats().openUpgradeConnections counts a socket's connection until the client drops it, even once the stub forgot the socket", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    assert.equal(h.stub.stats().openUpgradeConnections, 0);
    const conn = await rawSocket(h.stub, s.id);
    await waitUntil(() => h.stub.stats().openWebSockets === 1);
    assert.equal(h.stub.stats().openUpgradeConnections, 1);
    // Plain requests are not counted (their connections may stay open).
    const health = await fetch(`${h.stub.url}/api/v1/health`);
    await health.body?.cancel();
    assert.equal(h.stub.stats().openUpgradeConnections, 1);
    // Silent, then forgotten by the stub (its close frame is lost): only the
    // client can end the connection now.
    assert.equal(h.stub.faults.goSilent(), 1);
    assert.equal(h.stub.faults.dropWebSockets({ closeFrame: true }), 1);
    await delay(100);
    const stats = h.stub.stats();
    assert.equal(stats.openWebSockets, 0);
    assert.equal(stats.openUpgradeConnections, 1);
    conn.close();
    await waitUntil(
      () => h.stub.stats().openUpgradeConnections === 0,
      3_000,
      "the relay to see the connection closed",
    );
  });
});

Deno.test("stats().openUpgradeConnections is undefined without transportFaults, and counts refused upgrades", async () => {
  await using plain = await startStubServer({ transportFaults: false });
  assert.equal(plain.stats().openUpgradeConnections, undefined);
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const url = new URL(h.stub.url);
    const conn = await Deno.connect({
      hostname: url.hostname,
      port: Number(url.port),
    });
    try {
      h.stub.faults.refuseUpgrades(1);
      const head = [
        `GET /api/v1/sessions/${s.id}/ws HTTP/1.1`,
        `Host: ${url.host}`,
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        `X-API-Key: ${h.stub.apiKey}`,
      ];
      await conn.write(
        new TextEncoder().encode(head.join("\r\n") + "\r\n\r\n"),
      );
      const buffer = new Uint8Array(4096);
      const n = await conn.read(buffer);
      assert.match(
        new TextDecoder().decode(buffer.subarray(0, n ?? 0)),
        /^HTTP\/1\.1 503 /,
      );
      // The client keeps the connection of a refused upgrade: still counted.
      assert.equal(h.stub.stats().openUpgradeConnections, 1);
    } finally {
      conn.close();
    }
    await waitUntil(() => h.stub.stats().openUpgradeConnections === 0);
  });
});

Deno.test("heal() cuts a silent connection whose close frame was lost, from either side", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const fromServer = await h.open(s.id);
    const fromClient = await h.open(s.id);
    await fromServer.next();
    await fromClient.next();
    await waitUntil(() => h.stub.stats().openWebSockets === 2);
    assert.equal(h.stub.faults.goSilent(), 2);
    // The server's close frame goes into the silence (it forgets the socket
    // at once); the client's close frame does too.
    assert.equal(
      h.stub.faults.dropWebSockets({ closeFrame: true, code: 4000 }),
      2,
    );
    fromClient.socket.close();
    // reset() does not end the silence.
    h.stub.faults.reset();
    await delay(150);
    assert.equal(fromServer.socket.readyState, WebSocket.OPEN);
    assert.equal(fromClient.socket.readyState, WebSocket.CLOSING);
    assert.equal(fromServer.isClosed || fromClient.isClosed, false);
    // Without the cut both would wait for their close handshake for ever.
    h.stub.faults.heal();
    assertAbnormalClose(
      await within(fromServer.closed, 3_000, "the server-closed socket ends"),
    );
    // Deno reports a close it started, cut before the peer answered, as 1005
    // (no status received); a browser would say 1006.
    const { code } = await within(
      fromClient.closed,
      3_000,
      "the client-closed socket ends",
    );
    assert.ok([1005, 1006, 0].includes(code), `closed with ${code}`);
    assert.equal(fromClient.socket.readyState, WebSocket.CLOSED);
  });
});

Deno.test("heal() lets a silent connection that lost nothing talk again", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const ws = await h.open(s.id);
    assert.equal((await ws.next()).status, "pending");
    await waitUntil(() => h.stub.stats().openWebSockets === 1);
    assert.equal(h.stub.faults.goSilent(), 1);
    await delay(50);
    h.stub.faults.heal();
    await h.stub.phone.open(s.id);
    assert.equal((await ws.next()).status, "opened");
    assert.equal(ws.isClosed, false);
    await ws.close();
  });
});
