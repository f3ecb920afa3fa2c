// Copyright 2026 the handoff authors. MIT license.
// The per-session WebSocket: handshake rules, frames, their order, closing.

import assert from "node:assert/strict";
import { sampleJpeg } from "../../testing.ts";
import {
  api,
  assertAbnormalClose,
  assertError,
  createSession,
  delay,
  getResult,
  JSON_TYPE,
  rawUpgrade,
  TIMESTAMP_RE,
  TS,
  UNKNOWN_ID,
  UUID,
  withStub,
} from "./_helpers.ts";

function statusFrameRe(id: string, status: string): RegExp {
  return new RegExp(
    `^\\{"type":"status_update","session_id":"${id}","status":"${status}","timestamp":"${TS}"\\}\\n$`,
  );
}

Deno.test("a new socket first receives one status_update with the current status", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const ws = await h.open(s.id);
    const frame = await ws.next();
    assert.match(frame.raw, statusFrameRe(s.id, "pending"));
    assert.equal(frame.type, "status_update");
    assert.equal(frame.session_id, s.id);
    assert.equal(frame.status, "pending");
    assert.equal("data" in frame, false);
    assert.match(frame.timestamp, TIMESTAMP_RE);
    await ws.expectSilence(100);
    await ws.close();
  });
});

Deno.test("a socket connected while opened or action_started first receives that status", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub, {
      action_type: "photo",
      output_format: "jpg",
      intro_text: "Hi",
    });
    await h.stub.phone.open(s.id);
    const a = await h.open(s.id);
    assert.match((await a.next()).raw, statusFrameRe(s.id, "opened"));
    await h.stub.phone.start(s.id);
    assert.match((await a.next()).raw, statusFrameRe(s.id, "action_started"));
    const b = await h.open(s.id);
    assert.match((await b.next()).raw, statusFrameRe(s.id, "action_started"));
    await a.close();
    await b.close();
  });
});

Deno.test("opening the page without intro text sends opened then action_started", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const ws = await h.open(s.id);
    assert.equal((await ws.next()).status, "pending");
    const res = await api(h.stub, `/s/${s.id}`, { key: null });
    assert.equal(res.status, 200);
    const opened = await ws.next();
    assert.match(opened.raw, statusFrameRe(s.id, "opened"));
    const started = await ws.next();
    assert.match(started.raw, statusFrameRe(s.id, "action_started"));
    assert.ok(Date.parse(started.timestamp) >= Date.parse(opened.timestamp));
    await ws.close();
  });
});

Deno.test("with intro text, action_started only follows GET /s/:id/action", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub, {
      action_type: "signature",
      output_format: "svg",
      intro_text: "Please sign",
    });
    const ws = await h.open(s.id);
    assert.equal((await ws.next()).status, "pending");
    await h.stub.phone.open(s.id);
    assert.match((await ws.next()).raw, statusFrameRe(s.id, "opened"));
    await ws.expectSilence(150);
    const res = await api(h.stub, `/s/${s.id}/action`, { key: null });
    assert.equal(res.status, 200);
    assert.match((await ws.next()).raw, statusFrameRe(s.id, "action_started"));
    await ws.close();
  });
});

Deno.test("completing a photo session sends completed with the items array as data", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const ws = await h.open(s.id);
    await ws.next();
    await h.stub.phone.open(s.id);
    await ws.next();
    await ws.next();
    const items = await h.stub.phone.submit(s.id, [
      { contentType: "image/jpeg", filename: "a.jpg", data: sampleJpeg() },
      { contentType: "image/png", filename: "b.png", data: sampleJpeg() },
    ]);
    const frame = await ws.next();
    const [a, b] = items;
    assert.match(
      frame.raw,
      new RegExp(
        `^\\{"type":"completed","session_id":"${s.id}","status":"completed","data":\\[\\{"download_id":"${
          a!.downloadId
        }","content_type":"image/jpeg","filename":"a.jpg"\\},\\{"download_id":"${
          b!.downloadId
        }","content_type":"image/png","filename":"b.png"\\}\\],"timestamp":"${TS}"\\}\\n$`,
      ),
    );
    await ws.close();
  });
});

Deno.test("completing with no items sends completed with data []", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    await h.stub.phone.open(s.id);
    const ws = await h.open(s.id);
    assert.equal((await ws.next()).status, "action_started");
    await h.stub.phone.submit(s.id, []);
    const frame = await ws.next();
    assert.match(
      frame.raw,
      new RegExp(
        `^\\{"type":"completed","session_id":"${s.id}","status":"completed","data":\\[\\],"timestamp":"${TS}"\\}\\n$`,
      ),
    );
    await ws.close();
  });
});

Deno.test("completing a scan session sends the scan result object as data", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub, { action_type: "scan" });
    const ws = await h.open(s.id);
    await ws.next();
    await h.stub.phone.open(s.id);
    await ws.next();
    await ws.next();
    await h.stub.phone.uploadPage(s.id, { data: sampleJpeg() });
    await h.stub.phone.finalize(s.id);
    const frame = await ws.next();
    assert.match(
      frame.raw,
      new RegExp(
        `^\\{"type":"completed","session_id":"${s.id}","status":"completed","data":\\{"documents":\\[\\{"pdf_url":"/api/v1/downloads/${UUID}"\\}\\]\\},"timestamp":"${TS}"\\}\\n$`,
      ),
    );
    const result = await getResult(h.stub, s.id);
    assert.deepEqual(frame.data, result.json.scan_result);
    await ws.close();
  });
});

Deno.test("a socket connected after completion gets status_update completed without data, and nothing else", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    await h.stub.phone.complete(s.id);
    const ws = await h.open(s.id);
    const frame = await ws.next();
    assert.match(frame.raw, statusFrameRe(s.id, "completed"));
    assert.equal("data" in frame, false);
    await ws.expectSilence(150);
    await ws.close();
  });
});

Deno.test("the server does not close the socket after completion", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const ws = await h.open(s.id);
    await ws.next();
    await h.stub.phone.complete(s.id);
    let frame = await ws.next();
    while (frame.type !== "completed") frame = await ws.next();
    await delay(200);
    assert.equal(ws.socket.readyState, WebSocket.OPEN);
    assert.equal(ws.isClosed, false);
    await ws.close();
  });
});

Deno.test("every socket of a session receives its broadcasts, other sessions' sockets do not", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub, {
      action_type: "photo",
      output_format: "jpg",
      intro_text: "x",
    });
    const other = await createSession(h.stub);
    const a = await h.open(s.id);
    const b = await h.open(s.id);
    const c = await h.open(other.id);
    await a.next();
    await b.next();
    await c.next();
    await h.stub.phone.open(s.id);
    assert.equal((await a.next()).status, "opened");
    assert.equal((await b.next()).status, "opened");
    await c.expectSilence(100);
    await Promise.all([a.close(), b.close(), c.close()]);
  });
});

Deno.test("client messages are ignored and do not close the socket", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub, {
      action_type: "photo",
      output_format: "jpg",
      intro_text: "x",
    });
    const ws = await h.open(s.id);
    await ws.next();
    ws.socket.send("hello");
    ws.socket.send(JSON.stringify({ type: "status_update", status: "x" }));
    ws.socket.send(new Uint8Array([1, 2, 3]));
    await h.stub.phone.open(s.id);
    assert.equal((await ws.next()).status, "opened");
    assert.equal(ws.socket.readyState, WebSocket.OPEN);
    assert.equal(h.stub.session(s.id)?.status, "opened");
    await ws.close();
  });
});

Deno.test("a client close code is echoed back", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const a = await h.open(s.id);
    await a.next();
    const info = await a.close(4001, "bye");
    assert.equal(info.code, 4001);
    assert.equal(info.wasClean, true);
    const b = await h.open(s.id);
    await b.next();
    assert.equal((await b.close(1000)).code, 1000);
  });
});

Deno.test("no subprotocol is negotiated: the 101 answer never selects one", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const raw = await rawUpgrade(h.stub, s.id, {
      extra: ["Sec-WebSocket-Protocol: chat, superchat"],
    });
    assert.equal(raw.status, 101);
    assert.equal(raw.headers.has("sec-websocket-protocol"), false);
    // A browser fails such a handshake; Deno's client is lenient and opens
    // with an empty protocol, which shows the server selected none.
    const ws = h.ws(s.id, { protocols: ["chat"] });
    if (await ws.opened) {
      assert.equal(ws.socket.protocol, "");
      await ws.close();
    } else {
      assertAbnormalClose(await ws.closed);
    }
  });
});

Deno.test("no compression is negotiated and any Origin is accepted", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const raw = await rawUpgrade(h.stub, s.id, {
      extra: [
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
        "Origin: https://evil.example",
      ],
    });
    assert.equal(raw.status, 101);
    assert.equal(raw.headers.has("sec-websocket-extensions"), false);
    const ws = await h.open(s.id, {
      headers: { Origin: "https://somewhere.else.example" },
    });
    assert.equal((await ws.next()).status, "pending");
    await ws.close();
  });
});

Deno.test("upgrade rejections are plain HTTP with JSON bodies: 401 before 404 and 410", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const gone = await createSession(h.stub);
    h.stub.expire(gone.id);

    const missing = await rawUpgrade(h.stub, s.id, { key: null });
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get("content-type"), JSON_TYPE);
    assert.equal(missing.text, `{"error":"missing API key"}`);

    const empty = await rawUpgrade(h.stub, s.id, { key: "" });
    assert.equal(empty.status, 401);
    assert.equal(empty.text, `{"error":"missing API key"}`);

    const invalid = await rawUpgrade(h.stub, s.id, { key: "wrong" });
    assert.equal(invalid.status, 401);
    assert.equal(invalid.text, `{"error":"invalid API key"}`);

    const unknownNoKey = await rawUpgrade(h.stub, UNKNOWN_ID, { key: null });
    assert.equal(unknownNoKey.status, 401);
    assert.equal(unknownNoKey.text, `{"error":"missing API key"}`);

    const goneBadKey = await rawUpgrade(h.stub, gone.id, { key: "wrong" });
    assert.equal(goneBadKey.status, 401);
    assert.equal(goneBadKey.text, `{"error":"invalid API key"}`);

    const unknown = await rawUpgrade(h.stub, UNKNOWN_ID);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get("content-type"), JSON_TYPE);
    assert.equal(unknown.text, `{"error":"session not found"}`);

    const notUuid = await rawUpgrade(h.stub, "nope");
    assert.equal(notUuid.status, 404);
    assert.equal(notUuid.text, `{"error":"session not found"}`);

    const expired = await rawUpgrade(h.stub, gone.id);
    assert.equal(expired.status, 410);
    assert.equal(expired.headers.get("content-type"), JSON_TYPE);
    assert.equal(expired.text, `{"error":"session expired"}`);
  });
});

Deno.test("a WebSocket that is refused never opens and closes with 1006", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    for (const [id, key] of [[s.id, "wrong"], [UNKNOWN_ID, h.stub.apiKey]]) {
      const ws = h.ws(id!, { key: key! });
      assert.equal(await ws.opened, false);
      assertAbnormalClose(await ws.closed);
    }
    assert.equal(h.stub.stats().upgrades, 0);
  });
});

Deno.test("a non-upgrade request to /ws with a valid key answers 400 text/plain", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const reply = await api(h.stub, `/api/v1/sessions/${s.id}/ws`);
    assert.equal(reply.status, 400);
    assert.match(reply.headers.get("content-type") ?? "", /^text\/plain/);
    const raw = await rawUpgrade(h.stub, s.id, { upgrade: false });
    assert.equal(raw.status, 400);
    // The key and session checks still come first for plain requests.
    assertError(
      await api(h.stub, `/api/v1/sessions/${s.id}/ws`, { key: null }),
      401,
      "missing API key",
    );
    assertError(
      await api(h.stub, `/api/v1/sessions/${UNKNOWN_ID}/ws`),
      404,
      "session not found",
    );
  });
});

Deno.test("the api_key query parameter is used when the header is absent or empty", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const viaQuery = await h.open(s.id, { key: null, query: h.stub.apiKey });
    assert.equal((await viaQuery.next()).status, "pending");
    const emptyHeader = await h.open(s.id, { key: "", query: h.stub.apiKey });
    assert.equal((await emptyHeader.next()).status, "pending");
    await viaQuery.close();
    await emptyHeader.close();
    const raw = await rawUpgrade(h.stub, s.id, {
      key: null,
      query: h.stub.apiKey,
    });
    assert.equal(raw.status, 101);
    const wrongQuery = await rawUpgrade(h.stub, s.id, {
      key: null,
      query: "wrong",
    });
    assert.equal(wrongQuery.status, 401);
    assert.equal(wrongQuery.text, `{"error":"invalid API key"}`);
  });
});

Deno.test("a present X-API-Key header wins over the query parameter even when wrong", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const raw = await rawUpgrade(h.stub, s.id, {
      key: "wrong",
      query: h.stub.apiKey,
    });
    assert.equal(raw.status, 401);
    assert.equal(raw.text, `{"error":"invalid API key"}`);
    const ws = h.ws(s.id, { key: "wrong", query: h.stub.apiKey });
    assert.equal(await ws.opened, false);
    await ws.closed;
    const good = await rawUpgrade(h.stub, s.id, { query: "wrong" });
    assert.equal(good.status, 101);
  });
});

Deno.test("each of several API keys opens a socket", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const a = await h.open(s.id, { key: "k1" });
    const b = await h.open(s.id, { key: null, query: "k2" });
    assert.equal((await a.next()).status, "pending");
    assert.equal((await b.next()).status, "pending");
    await a.close();
    await b.close();
  }, { apiKeys: ["k1", "k2"] });
});

Deno.test("frames, results and sessions escape <, > and & in file names", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    await h.stub.phone.open(s.id);
    const ws = await h.open(s.id);
    await ws.next();
    await h.stub.phone.submit(s.id, [
      { contentType: "image/jpeg", filename: "<a>&b.jpg", data: sampleJpeg() },
    ]);
    const escaped = String.raw`"filename":"\u003ca\u003e\u0026b.jpg"`;
    const frame = await ws.next();
    assert.ok(frame.raw.includes(escaped), frame.raw);
    assert.ok((await getResult(h.stub, s.id)).text.includes(escaped));
    const session = await api(h.stub, `/api/v1/sessions/${s.id}`);
    assert.ok(session.text.includes(escaped), session.text);
    await ws.close();
  });
});

Deno.test("a frame's timestamp is its send time, not the time of the status change", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    await h.stub.phone.complete(s.id);
    const completedAt = Date.parse(
      (await getResult(h.stub, s.id)).json.completed_at,
    );
    await delay(30);
    const before = Date.now();
    const ws = await h.open(s.id);
    const frame = await ws.next();
    assert.equal(frame.status, "completed");
    const sent = Date.parse(frame.timestamp);
    assert.ok(sent >= before - 1, `${frame.timestamp} is before the connect`);
    assert.ok(sent > completedAt);
    await ws.close();
  });
});
