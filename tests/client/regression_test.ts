// Copyright 2026 the handoff authors. MIT license.
// Regression tests of the bugs the soak and the hostile-input tests found
// (issue #7). Each names the bug it pins down.

import assert from "node:assert/strict";
import {
  HandoffClient,
  NetworkError,
  NotFoundError,
  ProtocolError,
  SessionClosedError,
} from "../../mod.ts";
import { parseGoDuration } from "../../_duration.ts";
import {
  fakeClient,
  FakeFetch,
  ID,
  json as wireJson,
  KEY,
  sessionJson,
} from "./_fake_fetch.ts";

const STAMP = "2026-11-22T02:07:46.87742371Z";

function json(status: number, body: unknown): Response {
  return Response.json(body, { status });
}

/**
 * A Handoff server on loopback whose WebSocket upgrades never get an answer,
 * and whose `/result` says what `completed()` tells.
 */
function hangingUpgrades(completed: () => boolean) {
  const release = new AbortController();
  let upgrades = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const path = new URL(req.url).pathname;
      await req.body?.cancel();
      if (req.method === "POST") return json(201, sessionJson());
      if (path.endsWith("/ws")) {
        upgrades++;
        await new Promise((resolve) =>
          release.signal.addEventListener("abort", resolve, { once: true })
        );
        return json(503, { error: "service unavailable" });
      }
      return completed()
        ? json(200, {
          completed_at: STAMP,
          items: [{
            download_id: "d1",
            content_type: "image/jpeg",
            filename: "a.jpg",
          }],
          status: "completed",
        })
        : json(202, { status: "pending" });
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    get upgrades() {
      return upgrades;
    },
    async [Symbol.asyncDispose]() {
      release.abort();
      await server.shutdown();
    },
  };
}

Deno.test("bug 1: a WebSocket handshake that never completes is given up after a liveness interval, so a completion is still delivered", async () => {
  let done = false;
  await using server = hangingUpgrades(() => done);
  const client = new HandoffClient({
    baseUrl: server.url,
    apiKey: KEY,
    livenessIntervalMs: 200,
    reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
    pollIntervalMs: 50,
  });
  await using session = await client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  assert.equal(session.id, ID);
  done = true; // the phone completes while the handshake hangs
  const items = await session.waitForResult({
    signal: AbortSignal.timeout(5_000),
  });
  assert.deepEqual(items.map((i) => i.downloadId), ["d1"]);
  assert.ok(server.upgrades >= 1);
});

Deno.test("bug 2: a fetch that rejects without a reason gives a NetworkError that still has a cause", async () => {
  const fake = new FakeFetch(() => Promise.reject(undefined));
  const client = fakeClient(fake, { retry: { maxRetries: 0 } });
  const error = await client.health().catch((e: unknown) => e);
  assert.ok(error instanceof NetworkError);
  assert.notEqual(error.cause, undefined);
});

Deno.test("bug 3: getSession() and attachSession() refuse the answer of another session with a ProtocolError", async () => {
  const other = "9d0c1b2a-3e4f-4a5b-8c7d-6e5f4a3b2c1d";
  const fake = new FakeFetch(() => wireJson(200, sessionJson({ id: other })));
  const client = fakeClient(fake);
  await assert.rejects(client.getSession(ID), ProtocolError);
  await assert.rejects(client.attachSession(ID), ProtocolError);
  const tombstone = new FakeFetch(() =>
    wireJson(200, { id: other, status: "expired" })
  );
  await assert.rejects(fakeClient(tombstone).getSession(ID), ProtocolError);
});

Deno.test("bug 4: a session TTL beyond Go's int64 nanoseconds, or not whole, is a ProtocolError rather than an invalid expiresAt", async () => {
  for (const ttl of [1e308, 9.3e18, 1.5]) {
    const fake = new FakeFetch(() =>
      wireJson(200, sessionJson({ session_ttl: ttl }))
    );
    await assert.rejects(
      fakeClient(fake).getSession(ID),
      ProtocolError,
      `session_ttl ${ttl}`,
    );
  }
  // The largest TTL Go can send still gives a valid date.
  const fake = new FakeFetch(() =>
    wireJson(200, sessionJson({ session_ttl: 9223372036854775807 }))
  );
  const info = await fakeClient(fake).getSession(ID);
  assert.ok(info.status !== "expired");
  assert.ok(!Number.isNaN(info.expiresAt.getTime()));
});

Deno.test("bug 5: a streamed download that breaks off errors with a NetworkError, and cancelling it afterwards does not throw", async () => {
  const broken = () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array([1, 2, 3]));
          controller.error(new TypeError("connection reset"));
        },
      }),
      { headers: { "content-type": "image/jpeg" } },
    );
  const client = fakeClient(new FakeFetch(broken));
  const read = await client.downloadStream("d1");
  await assert.rejects(new Response(read.body).arrayBuffer(), NetworkError);
  const cancelled = await client.downloadStream("d1");
  await cancelled.body.cancel(); // the caller changed its mind
  // A 404 is still a NotFoundError before any body is handed over.
  const gone = fakeClient(
    new FakeFetch(() => wireJson(404, { error: "file not found or expired" })),
  );
  await assert.rejects(gone.downloadStream("d1"), NotFoundError);
});

Deno.test("bug 6: client options of the wrong type, and durations a timer cannot hold, are refused instead of misbehaving", () => {
  const base = { baseUrl: "http://handoff.test", apiKey: KEY };
  const wrongType: Record<string, unknown> = {
    WebSocket: 42,
    onListenerError: "log",
    retry: 3,
    reconnect: true,
  };
  for (const [key, value] of Object.entries(wrongType)) {
    assert.throws(
      () => new HandoffClient({ ...base, [key]: value } as never),
      TypeError,
      key,
    );
  }
  // Past 2^31 - 1 ms a timer fires after 1 ms: a request would time out at
  // once, and polling would hammer the server.
  for (
    const options of [
      { timeoutMs: 3e9 },
      { pollIntervalMs: 1e12 },
      { livenessIntervalMs: 2 ** 31 },
      { reconnect: { maxDelayMs: 1e10 } },
      { retry: { maxDelayMs: 1e10 } },
    ]
  ) {
    assert.throws(
      () => new HandoffClient({ ...base, ...options }),
      RangeError,
      JSON.stringify(options),
    );
  }
});

Deno.test("bug 6: a per-request timeout a timer cannot hold is refused before any request", async () => {
  const fake = new FakeFetch();
  await assert.rejects(
    fakeClient(fake).health({ timeoutMs: 2 ** 31 }),
    RangeError,
  );
  assert.equal(fake.calls.length, 0);
});

Deno.test("bug 7: a TTL in milliseconds beyond Go's longest duration is refused instead of sent", async () => {
  const fake = new FakeFetch(() => wireJson(201, sessionJson()));
  const client = fakeClient(fake);
  for (const resultTtl of [9223372036854.775, 1e15]) {
    await assert.rejects(
      client.createSession({
        action: "photo",
        outputFormat: "jpg",
        resultTtl,
      }),
      RangeError,
    );
  }
  assert.equal(fake.calls.length, 0);
  // The longest duration Go takes is still sent.
  const session = await client.createSession({
    action: "photo",
    outputFormat: "jpg",
    sessionTtl: 9223372036854,
  });
  await session.close();
  const sent = parseGoDuration(JSON.parse(fake.only.body!).session_ttl);
  assert.ok(sent > 0n && sent <= 2n ** 63n - 1n);
});

Deno.test("bug 8: session methods refuse arguments of the wrong type, and a null signal means no signal everywhere", async () => {
  const fake = new FakeFetch(() => wireJson(201, sessionJson()));
  await using session = await fakeClient(fake).createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  assert.throws(() => session.onConnectionChange(42 as never), TypeError);
  for (const options of [42, "svg", null, []]) {
    await assert.rejects(session.qrCode(options as never), TypeError);
  }
  // null is "no signal" (as in fetch): waiting goes on until close().
  const waiting = session.waitForResult({ signal: null } as never);
  await session.close();
  await assert.rejects(waiting, SessionClosedError);
});

Deno.test("a Session answer without created_at is a ProtocolError that still has a cause", async () => {
  const id = ID;
  const client = new HandoffClient({
    baseUrl: "http://handoff.test",
    apiKey: "key-123456",
    fetch: () =>
      Promise.resolve(
        Response.json({
          id,
          action_type: "photo",
          status: "pending",
          output_format: "jpg",
          session_ttl: 1_800_000_000_000,
          result_ttl: 300_000_000_000,
          url: `http://handoff.test/s/${id}`,
        }),
      ),
  });
  const error = await client.getSession(id).catch((e: unknown) => e);
  assert.ok(error instanceof ProtocolError, `got ${error}`);
  assert.notEqual(error.cause, undefined);
});
