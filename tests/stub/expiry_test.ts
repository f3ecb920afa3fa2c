// Copyright 2026 the handoff authors. MIT license.
// Session TTL and result TTL expiring for real (short TTLs), the tombstone,
// stub.expire()/expireResult(), and the zero/negative TTL quirk.

import assert from "node:assert/strict";
import { sampleJpeg } from "../../testing.ts";
import {
  assertError,
  assertHtml,
  assertJson,
  completedPhoto,
  createSession,
  download,
  getResult,
  getSession,
  phone,
  rawUpgrade,
  waitUntil,
  withStub,
} from "./_helpers.ts";

Deno.test("a session expires at created_at + session_ttl: tombstone 200, result 410, socket 410, page 410, and no frame", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub, {
      action_type: "photo",
      output_format: "jpg",
      session_ttl: "1s",
    });
    assert.equal(s.session_ttl, 1000000000);
    const snap = h.stub.session(s.id);
    assert.ok(snap !== undefined);
    assert.equal(snap.expiresAt.getTime() - snap.createdAt.getTime(), 1000);
    const ws = await h.open(s.id);
    assert.equal((await ws.next()).status, "pending");

    await waitUntil(
      async () => {
        const reply = await getSession(h.stub, s.id);
        return reply.json?.status === "expired";
      },
      5000,
      "the session to expire",
    );

    assertJson(
      await getSession(h.stub, s.id),
      200,
      `{"id":"${s.id}","status":"expired"}`,
    );
    assertError(await getResult(h.stub, s.id), 410, "session expired");
    const up = await rawUpgrade(h.stub, s.id);
    assert.equal(up.status, 410);
    assert.equal(up.text, `{"error":"session expired"}`);
    assertHtml(await phone(h.stub, `/s/${s.id}`), 410);
    assert.equal(h.stub.session(s.id)?.status, "expired");

    // Nothing is sent on expiry and the socket stays open.
    await ws.expectSilence(200);
    assert.equal(ws.socket.readyState, WebSocket.OPEN);
    await ws.close();
  });
});

Deno.test("a completed session expires too: result 410 while its files still download", async () => {
  await withStub(async ({ stub }) => {
    const { id, items } = await completedPhoto(stub, {
      action_type: "photo",
      output_format: "jpg",
      session_ttl: "1s",
      result_ttl: "1m",
    });
    assert.equal((await getResult(stub, id)).status, 200);
    await waitUntil(
      async () => (await getResult(stub, id)).status === 410,
      5000,
      "the result to answer 410",
    );
    assertError(await getResult(stub, id), 410, "session expired");
    assertJson(
      await getSession(stub, id),
      200,
      `{"id":"${id}","status":"expired"}`,
    );
    const dl = await download(stub, items[0]!.downloadId);
    assert.equal(dl.status, 200);
  });
});

Deno.test("result_ttl expires the files: downloads 404 while the result still lists their ids", async () => {
  await withStub(async ({ stub }) => {
    const { id, items } = await completedPhoto(stub, {
      action_type: "photo",
      output_format: "jpg",
      result_ttl: "1s",
    });
    const downloadId = items[0]!.downloadId;
    assert.equal((await download(stub, downloadId)).status, 200);
    await waitUntil(
      async () => (await download(stub, downloadId)).status === 404,
      5000,
      "the file to expire",
    );
    assertError(
      await download(stub, downloadId),
      404,
      "file not found or expired",
    );
    const result = await getResult(stub, id);
    assert.equal(result.status, 200);
    assert.equal(result.json.items[0].download_id, downloadId);
    assert.equal((await getSession(stub, id)).json.status, "completed");
  });
});

Deno.test("the server's default sessionTtl applies when the request names none", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub);
    assert.equal(s.session_ttl, 1000000000);
    await waitUntil(
      async () => (await getSession(stub, s.id)).json?.status === "expired",
      5000,
      "the session to expire",
    );
  }, { sessionTtl: "1s" });
});

Deno.test("stub.expire() makes a tombstone now without a frame or a close", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    await h.stub.phone.open(s.id);
    const ws = await h.open(s.id);
    assert.equal((await ws.next()).status, "action_started");
    h.stub.expire(s.id);
    assertJson(
      await getSession(h.stub, s.id),
      200,
      `{"id":"${s.id}","status":"expired"}`,
    );
    assertError(await getResult(h.stub, s.id), 410, "session expired");
    assert.equal(h.stub.session(s.id)?.status, "expired");
    await ws.expectSilence(200);
    assert.equal(ws.socket.readyState, WebSocket.OPEN);
    // The tombstone stays.
    assert.equal((await getSession(h.stub, s.id)).json.status, "expired");
    await ws.close();
  });
});

Deno.test("stub.expire() on a completed session keeps its files downloadable", async () => {
  await withStub(async ({ stub }) => {
    const { id, items } = await completedPhoto(stub);
    stub.expire(id);
    assertError(await getResult(stub, id), 410, "session expired");
    assert.equal((await download(stub, items[0]!.downloadId)).status, 200);
  });
});

Deno.test("stub.expireResult() makes the files 404 now while the result still lists them", async () => {
  await withStub(async ({ stub }) => {
    const { id, items } = await completedPhoto(stub);
    stub.expireResult(id);
    assertError(
      await download(stub, items[0]!.downloadId),
      404,
      "file not found or expired",
    );
    const result = await getResult(stub, id);
    assert.equal(result.status, 200);
    assert.equal(result.json.items[0].download_id, items[0]!.downloadId);
  });
});

Deno.test("quirk: a zero session_ttl is accepted and the session lives 24 h", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub, {
      action_type: "photo",
      output_format: "jpg",
      session_ttl: "0s",
    });
    assert.equal(s.session_ttl, 0);
    const got = await getSession(stub, s.id);
    assert.equal(got.json.status, "pending");
    const snap = stub.session(s.id);
    assert.ok(snap !== undefined);
    assert.equal(snap.status, "pending");
    assert.equal(
      snap.expiresAt.getTime() - snap.createdAt.getTime(),
      24 * 3600 * 1000,
    );
    await stub.phone.complete(s.id);
    assert.equal((await getResult(stub, s.id)).status, 200);
  });
});

Deno.test("quirk: a negative session_ttl is accepted and the session never expires", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub, {
      action_type: "photo",
      output_format: "jpg",
      session_ttl: "-1s",
    });
    assert.equal(s.session_ttl, -1000000000);
    assert.equal((await getSession(stub, s.id)).json.status, "pending");
    assert.equal(stub.session(s.id)?.status, "pending");
    await stub.phone.open(s.id);
    const [item] = await stub.phone.submit(s.id, [
      { contentType: "image/jpeg", filename: "p.jpg", data: sampleJpeg() },
    ]);
    assert.equal((await getSession(stub, s.id)).json.status, "completed");
    assert.equal((await download(stub, item!.downloadId)).status, 200);
  });
});

Deno.test("quirk: a zero or negative result_ttl is accepted and the files still download", async () => {
  await withStub(async ({ stub }) => {
    for (const [ttl, ns] of [["0s", 0], ["-5m", -300000000000]] as const) {
      const { id, items } = await completedPhoto(stub, {
        action_type: "photo",
        output_format: "jpg",
        result_ttl: ttl,
      });
      assert.equal((await getSession(stub, id)).json.result_ttl, ns);
      const dl = await download(stub, items[0]!.downloadId);
      assert.equal(dl.status, 200, `result_ttl ${ttl}`);
    }
  });
});
