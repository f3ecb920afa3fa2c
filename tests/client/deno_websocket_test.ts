// Copyright 2026 the handoff authors. MIT license.
// The WebSocket client on Deno's TCP: against Deno's own WebSocket server, and
// against a raw TCP peer for what a server can do wrong.

import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeBase64 } from "../../_base64.ts";
import { DenoWebSocket } from "../../_deno_websocket.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const encoder = new TextEncoder();

/** Every event of a socket, as text. */
function watch(ws: DenoWebSocket) {
  const events: string[] = [];
  const messages: unknown[] = [];
  let closed!: (event: CloseEvent) => void;
  const close = new Promise<CloseEvent>((resolve) => closed = resolve);
  let opened!: () => void;
  const open = new Promise<void>((resolve) => opened = resolve);
  ws.addEventListener("open", () => {
    events.push("open");
    opened();
  });
  ws.addEventListener("message", (e) => {
    events.push("message");
    messages.push((e as MessageEvent).data);
  });
  ws.addEventListener("error", () => events.push("error"));
  ws.addEventListener("close", (e) => {
    const event = e as CloseEvent;
    events.push(`close ${event.code}${event.wasClean ? " clean" : ""}`);
    closed(event);
  });
  return { events, messages, open, close };
}

Deno.test("against Deno's server: headers, text of every length class, send, and a close from either side", async () => {
  const seen: string[] = [];
  const ac = new AbortController();
  let serverSocket!: WebSocket;
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: ac.signal,
    onListen() {},
  }, (req) => {
    seen.push(req.headers.get("x-api-key") ?? "");
    const { socket, response } = Deno.upgradeWebSocket(req);
    serverSocket = socket;
    socket.onopen = () => {
      for (const n of [5, 200, 70_000]) socket.send("x".repeat(n));
    };
    socket.onmessage = (e) => seen.push(String(e.data));
    socket.onclose = (e) => seen.push(`server saw ${e.code}`);
    return response;
  });
  const url = `ws://127.0.0.1:${server.addr.port}/api/v1/sessions/x/ws?a=1`;

  const a = new DenoWebSocket(url, { headers: { "X-API-Key": "k1" } });
  const wa = watch(a);
  await wa.open;
  a.send("hello");
  while (wa.messages.length < 3) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(wa.messages.map((m) => (m as string).length), [
    5,
    200,
    70_000,
  ]);
  a.close(1000);
  assert.equal((await wa.close).code, 1000);
  assert.deepEqual(wa.events.slice(-1), ["close 1000 clean"]);

  const b = new DenoWebSocket(url);
  const wb = watch(b);
  await wb.open;
  serverSocket.close(4001, "bye");
  const event = await wb.close;
  assert.equal(event.code, 4001);
  assert.equal(event.reason, "bye");
  assert.ok(event.wasClean);
  ac.abort();
  await server.finished;
  assert.deepEqual(seen.slice(0, 2), ["k1", "hello"]);
  assert.ok(seen.includes("server saw 1000"));
});

/** What the raw peer does once a client has connected and sent its head. */
type Script = (
  conn: Deno.Conn,
  key: string,
  frames: () => Promise<{ op: number; payload: Uint8Array }>,
) => Promise<void>;

/** A TCP peer that plays a script: no WebSocket library on this side. */
function rawPeer(script: Script): { url: string; done: Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const done = (async () => {
    const conn = await listener.accept();
    listener.close();
    let pending = new Uint8Array(0);
    const more = async () => {
      const chunk = new Uint8Array(65_536);
      const n = await conn.read(chunk);
      if (n === null) throw new Error("eof");
      const next = new Uint8Array(pending.length + n);
      next.set(pending);
      next.set(chunk.subarray(0, n), pending.length);
      pending = next;
    };
    let head = "";
    for (;;) {
      head = new TextDecoder().decode(pending);
      const end = head.indexOf("\r\n\r\n");
      if (end >= 0) {
        pending = pending.slice(end + 4);
        break;
      }
      await more();
    }
    const key = /sec-websocket-key: (.*)\r\n/i.exec(head)![1]!;
    /** The next frame the client sent, unmasked; fails after 2 s without one. */
    const frames = () => within(nextFrame(), 2_000, "a frame from the client");
    const nextFrame = async () => {
      for (;;) {
        if (pending.length >= 6) {
          const length = pending[1]! & 0x7f; // the client sends small frames only
          if (pending.length >= 6 + length) {
            const mask = pending.subarray(2, 6);
            const payload = pending.slice(6, 6 + length).map((b, i) =>
              b ^ mask[i & 3]!
            );
            const op = pending[0]! & 0x0f;
            pending = pending.slice(6 + length);
            return { op, payload };
          }
        }
        await more();
      }
    };
    try {
      await script(conn, key, frames);
    } finally {
      try {
        conn.close();
      } catch {
        // closed by the script
      }
    }
  })();
  return {
    url: `ws://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`,
    done,
  };
}

/** `promise`, or a rejection after `ms`. */
async function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no ${what} within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function accept(key: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-1",
    encoder.encode(key + GUID),
  );
  return encodeBase64(new Uint8Array(digest));
}

async function upgrade(
  conn: Deno.Conn,
  key: string,
  extra = "",
): Promise<void> {
  await conn.write(encoder.encode(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${await accept(
      key,
    )}\r\n${extra}\r\n`,
  ));
}

/** A server frame (unmasked). */
function frame(op: number, payload: Uint8Array, fin = true): Uint8Array {
  const n = payload.length;
  const extra = n < 126 ? 0 : n < 65_536 ? 2 : 8;
  const out = new Uint8Array(2 + extra + n);
  out[0] = (fin ? 0x80 : 0) | op;
  if (extra === 0) out[1] = n;
  else if (extra === 2) {
    out[1] = 126;
    out[2] = n >> 8;
    out[3] = n & 0xff;
  } else {
    out[1] = 127;
    new DataView(out.buffer).setUint32(6, n);
  }
  out.set(payload, 2 + extra);
  return out;
}

const text = (s: string) => encoder.encode(s);
const code = (payload: Uint8Array) => (payload[0]! << 8) | payload[1]!;

Deno.test("a fragmented message is delivered whole, and a ping between its fragments is answered with a pong", async () => {
  const peer = rawPeer(async (conn, key, frames) => {
    await upgrade(conn, key);
    await conn.write(frame(1, text("hel"), false));
    await conn.write(frame(9, text("are you there")));
    await conn.write(frame(0, text("lo "), false));
    await conn.write(frame(0, text("wörld"), true));
    const pong = await frames();
    assert.equal(pong.op, 10);
    assert.equal(new TextDecoder().decode(pong.payload), "are you there");
    await conn.write(frame(8, new Uint8Array([0x03, 0xe8])));
    const echo = await frames();
    assert.equal(echo.op, 8);
    assert.equal(code(echo.payload), 1000);
  });
  const ws = new DenoWebSocket(peer.url);
  const w = watch(ws);
  await w.close;
  await peer.done;
  assert.deepEqual(w.messages, ["hello wörld"]);
  assert.deepEqual(w.events, ["open", "message", "close 1000 clean"]);
});

for (
  const [what, bytes, expected] of [
    ["a masked frame", new Uint8Array([0x81, 0x81, 1, 2, 3, 4, 5]), 1002],
    ["reserved bits", new Uint8Array([0xc1, 0x01, 0x61]), 1002],
    ["text that is not UTF-8", frame(1, new Uint8Array([0xc3, 0x28])), 1007],
    [
      "a frame over 4 MiB",
      new Uint8Array([0x82, 127, 0, 0, 0, 0, 0, 0x50, 0, 0]),
      1009,
    ],
    ["a continuation with nothing to continue", frame(0, text("x")), 1002],
    ["a fragmented ping", frame(9, text("x"), false), 1002],
    ["an unknown opcode", frame(3, text("x")), 1002],
  ] as const
) {
  Deno.test(`${what} from the server fails the connection with ${expected}`, async () => {
    const peer = rawPeer(async (conn, key, frames) => {
      await upgrade(conn, key);
      await conn.write(bytes);
      const close = await frames();
      assert.equal(close.op, 8);
      assert.equal(code(close.payload), expected);
    });
    const w = watch(new DenoWebSocket(peer.url));
    await w.close;
    await peer.done;
    assert.deepEqual(w.events, ["open", "error", "close 1006"]);
  });
}

for (
  const [what, answer] of [
    ["a refused upgrade", async (conn: Deno.Conn) => {
      await conn.write(
        text("HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\n{}"),
      );
    }],
    ["a wrong accept key", async (conn: Deno.Conn) => {
      await upgrade(conn, "not the key");
    }],
    ["an extension nobody asked for", async (conn: Deno.Conn, key: string) => {
      await upgrade(
        conn,
        key,
        "Sec-WebSocket-Extensions: permessage-deflate\r\n",
      );
    }],
    ["a connection closed in the handshake", async () => {}],
  ] as const
) {
  Deno.test(`${what} never opens: error, then close 1006`, async () => {
    const peer = rawPeer((conn, key) => answer(conn, key));
    const w = watch(new DenoWebSocket(peer.url));
    await w.close;
    await peer.done;
    assert.deepEqual(w.events, ["error", "close 1006"]);
  });
}

Deno.test("terminate() drops a silent connection at once; close() while connecting gives it up", async () => {
  let eof!: () => void;
  const sawEof = new Promise<void>((resolve) => eof = resolve);
  const peer = rawPeer(async (conn, key) => {
    await upgrade(conn, key);
    // Silent from here on: never answers the close frame.
    const buffer = new Uint8Array(1024);
    while (await conn.read(buffer).catch(() => null) !== null) { /* drain */ }
    eof();
  });
  const ws = new DenoWebSocket(peer.url);
  const w = watch(ws);
  await w.open;
  ws.close();
  assert.equal(ws.readyState, 2);
  ws.terminate();
  assert.equal((await w.close).code, 1006);
  await sawEof;
  await peer.done;

  const mute = rawPeer(async (conn) => {
    await conn.read(new Uint8Array(1024)); // the head, never answered
    await conn.read(new Uint8Array(1024)).catch(() => null);
  });
  const early = new DenoWebSocket(mute.url);
  const we = watch(early);
  await new Promise((r) => setTimeout(r, 20));
  early.close();
  assert.equal((await we.close).code, 1006);
  assert.ok(!we.events.includes("open"));
  await mute.done;
});

Deno.test("a server gone without a close frame is an error and close 1006", async () => {
  const peer = rawPeer(async (conn, key) => {
    await upgrade(conn, key);
    await conn.write(frame(1, text("last words")));
  });
  const w = watch(new DenoWebSocket(peer.url));
  await w.close;
  await peer.done;
  assert.deepEqual(w.events, ["open", "message", "error", "close 1006"]);
});

Deno.test("any messages, in any fragments, in any TCP chunks, arrive whole and in order", async () => {
  const message = fc.oneof(
    fc.string({ unit: "grapheme", maxLength: 40 }),
    fc.string({ minLength: 126, maxLength: 300 }),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(message, fc.integer({ min: 1, max: 4 })), {
        minLength: 1,
        maxLength: 6,
      }),
      fc.integer({ min: 1, max: 64 }),
      async (messages, chunk) => {
        const wire: number[] = [];
        for (const [body, parts] of messages) {
          const bytes = text(body);
          const size = Math.ceil(bytes.length / parts) || 1;
          for (
            let at = 0, first = true;
            first || at < bytes.length;
            first = false
          ) {
            const part = bytes.subarray(at, at + size);
            at += size;
            wire.push(...frame(first ? 1 : 0, part, at >= bytes.length));
          }
        }
        wire.push(...frame(8, new Uint8Array([0x03, 0xe8])));
        const all = new Uint8Array(wire);
        const peer = rawPeer(async (conn, key, frames) => {
          await upgrade(conn, key);
          for (let at = 0; at < all.length; at += chunk) {
            await conn.write(all.subarray(at, at + chunk));
          }
          assert.equal((await frames()).op, 8);
        });
        const w = watch(new DenoWebSocket(peer.url));
        await w.close;
        await peer.done;
        assert.deepEqual(w.messages, messages.map(([body]) => body));
        assert.equal(w.events.at(-1), "close 1000 clean");
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("wss: the handshake and frames go over TLS (a process that trusts the test certificate)", async () => {
  const fixtures = new URL("./fixtures/", import.meta.url);
  const ac = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: ac.signal,
    cert: await Deno.readTextFile(new URL("localhost.pem", fixtures)),
    key: await Deno.readTextFile(new URL("localhost.key", fixtures)),
    onListen() {},
  }, (req) => {
    const key = req.headers.get("x-api-key") ?? "";
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.onopen = () => socket.send(key);
    return response;
  });
  const client = `
    import { DenoWebSocket } from ${
    JSON.stringify(new URL("../../_deno_websocket.ts", import.meta.url).href)
  };
    const ws = new DenoWebSocket("wss://localhost:${server.addr.port}/ws", { headers: { "X-API-Key": "over tls" } });
    ws.addEventListener("message", (e) => { console.log(e.data); ws.close(); });
    ws.addEventListener("close", (e) => console.log("close", e.code));
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "--cert",
      new URL("ca.pem", fixtures).pathname,
      client,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  ac.abort();
  await server.finished;
  const stdout = new TextDecoder().decode(output.stdout);
  assert.equal(
    stdout,
    "over tls\nclose 1000\n",
    new TextDecoder().decode(output.stderr),
  );
});

Deno.test("with a receiver, messages go only to it, and open, error and close are still dispatched", async () => {
  const peer = rawPeer(async (conn, key) => {
    await upgrade(conn, key);
    await conn.write(frame(1, text("to the receiver")));
  });
  const ws = new DenoWebSocket(peer.url);
  const got: string[] = [];
  ws.receiver = {
    opened: () => got.push("opened"),
    data: (data) => got.push(`data ${data}`),
    gone: () => got.push("gone"),
  };
  const w = watch(ws);
  await w.close;
  await peer.done;
  assert.deepEqual(got, ["opened", "data to the receiver", "gone"]);
  assert.deepEqual(w.events, ["open", "error", "close 1006"]);
});
