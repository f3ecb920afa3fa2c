// Copyright 2026 the handoff authors. MIT license.
// Hostile WebSocket frames and handshakes: junk, frames of other sessions,
// wrong types, binary data, a handshake that never completes. The session
// ignores what it cannot use, never crashes or hangs, and still delivers the
// completion.

import assert from "node:assert/strict";
import fc from "fast-check";
import type { SessionStatus } from "../../mod.ts";
import { rank } from "../../_wire.ts";
import type { SessionEvent } from "../../types.ts";
import { FakeFetch } from "../client/_fake_fetch.ts";
import {
  completedFrame,
  delay,
  fakeServerClient,
  ID,
  json,
  OTHER_ID,
  RejectionWatch,
  scriptedClient,
  ScriptedWebSocket,
  sessionJson,
  STAMP,
  startFakeServer,
  statusFrame,
  within,
} from "./_helpers.ts";

const STATUSES = [
  "pending",
  "opened",
  "action_started",
  "completed",
  "expired",
] as const;
const REST_ITEMS = [{
  download_id: "rest-item",
  content_type: "image/jpeg",
  filename: "rest.jpg",
}];

/** What `GET …/result` answers: the REST items once `done`, else pending. */
function resultAnswer(done: boolean): Response {
  return done
    ? json(200, { completed_at: STAMP, items: REST_ITEMS, status: "completed" })
    : json(202, { status: "pending" });
}

/** Whether a message is a frame the protocol allows, for this session. */
function validFor(data: unknown, id: string): Record<string, unknown> | null {
  if (typeof data !== "string") return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const o = value as Record<string, unknown>;
  if (o.type !== "status_update" && o.type !== "completed") return null;
  if (o.session_id !== id) return null;
  if (!(STATUSES as readonly unknown[]).includes(o.status)) return null;
  return o;
}

/** Items as the client reports them, when `data` is a valid items array. */
function itemsOf(data: unknown): unknown[] | undefined {
  if (data === null) return [];
  if (!Array.isArray(data)) return undefined;
  const out = [];
  for (const entry of data) {
    if (typeof entry !== "object" || entry === null) return undefined;
    const { download_id, content_type, filename } = entry as Record<
      string,
      unknown
    >;
    if (
      typeof download_id !== "string" || typeof content_type !== "string" ||
      typeof filename !== "string"
    ) return undefined;
    out.push({ downloadId: download_id, contentType: content_type, filename });
  }
  return out;
}

const anyStatus = fc.constantFrom<unknown>(
  ...STATUSES,
  "weird",
  "",
  null,
  7,
  "COMPLETED",
);
const anyData = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(REST_ITEMS),
  fc.array(
    fc.record({
      download_id: fc.oneof(fc.string(), fc.integer()),
      content_type: fc.oneof(fc.constant("image/png"), fc.integer()),
      filename: fc.string(),
    }, { requiredKeys: [] }),
    { maxLength: 3 },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
/** A frame shaped like the server's, with any field wrong or missing. */
const shapedFrame = fc.tuple(
  fc.record({
    type: fc.constantFrom<unknown>("status_update", "completed", "ping", null),
    session_id: fc.constantFrom<unknown>(ID, ID, OTHER_ID, "", 42),
    status: anyStatus,
    data: anyData,
    timestamp: fc.constantFrom<unknown>(STAMP, "yesterday", 12, null),
  }, { requiredKeys: [] }),
  fc.boolean(),
).map(([o, newline]) => JSON.stringify(o) + (newline ? "\n" : ""));
/** Anything a socket can deliver. */
const message = fc.oneof(
  { weight: 6, arbitrary: shapedFrame },
  { weight: 2, arbitrary: fc.string() },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(JSON.stringify) },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 16 }).map((b) => b.buffer),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      new Blob(["{}"]),
      null,
      undefined,
      42,
      statusFrame("opened") + statusFrame("action_started"), // two in one frame
      "\u0000".repeat(3),
    ),
  },
);

Deno.test("any sequence of frames is ignored or applied safely: statuses in order, completion only from this session's frames", async () => {
  using watch = new RejectionWatch();
  await fc.assert(
    fc.asyncProperty(
      fc.array(message, { maxLength: 12 }),
      async (script) => {
        ScriptedWebSocket.script = script;
        const valid = script.map((m) => validFor(m, ID)).filter((o) =>
          o !== null
        );
        const completing = valid.find((o) => o.status === "completed");
        // The server agrees with the frames: completed once a frame says so.
        const fake = new FakeFetch((call) => {
          if (call.method === "POST") return json(201, sessionJson());
          return resultAnswer(completing !== undefined);
        });
        const client = scriptedClient(fake.fetch);
        const session = await client.createSession({
          action: "photo",
          outputFormat: "jpg",
        });
        const events: SessionEvent[] = [];
        session.onEvent((event) => events.push(event));
        // Let the socket open and deliver the script, and any fetch follow.
        for (let i = 0; i < 5; i++) await delay(1);
        if (completing !== undefined) {
          // The result comes from the frame, or from /result when the
          // frame carries no usable data.
          await within(session.waitForResult(), 2_000, "the completion");
        }
        const statuses = events.map((e) => e.status);
        for (let i = 1; i < statuses.length; i++) {
          assert.ok(
            rank(statuses[i]!) > rank(statuses[i - 1]!),
            `statuses out of order: ${statuses.join(" → ")}`,
          );
        }
        for (const status of statuses) {
          assert.ok(
            status === "pending" ||
              valid.some((o) => o.status === status),
            `${status} was delivered without a frame saying so`,
          );
        }
        assert.equal(
          statuses.filter((s) => s === "completed").length,
          completing === undefined ? 0 : 1,
        );
        assert.ok(!statuses.includes("expired"));
        if (completing !== undefined) {
          const completed = events.at(-1);
          assert.equal(completed?.type, "completed");
          const fromFrame = valid
            .filter((o) => o.status === "completed" && o.type === "completed")
            .map((o) => itemsOf(o.data))
            .filter((items) => items !== undefined);
          const fromRest = itemsOf(REST_ITEMS);
          const result = completed?.type === "completed" &&
              completed.actionType !== "scan"
            ? completed.result
            : undefined;
          assert.ok(
            [...fromFrame, fromRest].some((items) =>
              JSON.stringify(items) === JSON.stringify(result)
            ),
            `unexpected result ${JSON.stringify(result)}`,
          );
        }
        await session.close();
        assert.equal(session.connection, "closed");
      },
    ),
    { numRuns: 150 },
  );
  ScriptedWebSocket.script = [];
  await watch.assertNone();
});

Deno.test("frames of another session never complete or advance this one", async () => {
  using watch = new RejectionWatch();
  ScriptedWebSocket.script = [
    statusFrame("pending"),
    statusFrame("opened", OTHER_ID),
    statusFrame("action_started", OTHER_ID),
    completedFrame(REST_ITEMS, OTHER_ID),
    statusFrame("completed", OTHER_ID),
    statusFrame("expired", OTHER_ID),
    completedFrame(REST_ITEMS, ID.toUpperCase()),
  ];
  const fake = new FakeFetch((call) =>
    call.method === "POST"
      ? json(201, sessionJson())
      : json(202, { status: "pending" })
  );
  const client = scriptedClient(fake.fetch);
  await using session = await client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  const statuses: SessionStatus[] = [];
  session.onEvent((event) => statuses.push(event.status));
  // The script is delivered in one go once the socket opens.
  for (let i = 0; i < 400 && statuses.length === 0; i++) await delay(5);
  await delay(10);
  assert.deepEqual(statuses, ["pending"]);
  assert.equal(session.status, "pending");
  assert.deepEqual(
    fake.calls.map((c) => c.method),
    ["POST"],
    "no frame of another session made the session fetch anything",
  );
  await session.close();
  ScriptedWebSocket.script = [];
  await watch.assertNone();
});

Deno.test("a completed frame with unusable data makes the session fetch the result instead", async () => {
  using watch = new RejectionWatch();
  const junk: unknown[] = [
    { not: "items" },
    [{ download_id: 1 }],
    "items",
    [null],
    { documents: [] }, // a scan result on a photo session
  ];
  for (const data of junk) {
    ScriptedWebSocket.script = [statusFrame("pending"), completedFrame(data)];
    const fake = new FakeFetch((call) =>
      call.method === "POST" ? json(201, sessionJson()) : resultAnswer(true)
    );
    const client = scriptedClient(fake.fetch);
    const session = await client.createSession({
      action: "photo",
      outputFormat: "jpg",
    });
    const items = await within(session.waitForResult(), 2_000, "the result");
    assert.deepEqual(items, [{
      downloadId: "rest-item",
      contentType: "image/jpeg",
      filename: "rest.jpg",
    }], `data ${JSON.stringify(data)}`);
    await session.close();
  }
  ScriptedWebSocket.script = [];
  await watch.assertNone();
});

Deno.test("a real socket sending junk, binary and oversized frames is survived, then the completion is delivered", async () => {
  using watch = new RejectionWatch();
  await using server = startFakeServer({
    upgrade: () => (socket) =>
      socket.addEventListener("open", () => {
        socket.send(statusFrame("pending"));
        socket.send(new Uint8Array([0xff, 0x00, 0x7b]));
        socket.send("{not json");
        socket.send("x".repeat(1024 * 1024));
        socket.send(JSON.stringify({ type: "completed", session_id: ID }));
        socket.send(statusFrame("opened", OTHER_ID));
        socket.send(statusFrame("opened") + statusFrame("action_started"));
        socket.send(statusFrame("action_started"));
        socket.send(completedFrame(REST_ITEMS));
      }),
  });
  const client = fakeServerClient(server);
  await using session = await client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  const statuses: SessionStatus[] = [];
  session.onEvent((event) => statuses.push(event.status));
  const items = await within(session.waitForResult(), 5_000, "the result");
  assert.equal(items[0]?.downloadId, "rest-item");
  assert.deepEqual(statuses, ["pending", "action_started", "completed"]);
  await session.close();
  await watch.assertNone();
});

Deno.test("a WebSocket handshake that never completes does not hide a completion", async () => {
  using watch = new RejectionWatch();
  let completed = false;
  await using server = startFakeServer({
    upgrade: () => "hang",
    result: () => resultAnswer(completed),
  });
  const client = fakeServerClient(server);
  await using session = await client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  await delay(50);
  completed = true;
  const items = await within(
    session.waitForResult(),
    5_000,
    "the result behind a hung handshake",
  );
  assert.equal(items[0]?.downloadId, "rest-item");
  await session.close();
  await watch.assertNone();
});

Deno.test("a socket that opens and never says anything does not hide a completion", async () => {
  using watch = new RejectionWatch();
  let completed = false;
  await using server = startFakeServer({
    upgrade: () => () => {},
    result: () => resultAnswer(completed),
  });
  const client = fakeServerClient(server);
  await using session = await client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  await delay(50);
  completed = true;
  const items = await within(session.waitForResult(), 5_000, "the result");
  assert.equal(items[0]?.downloadId, "rest-item");
  await session.close();
  await watch.assertNone();
});

Deno.test("upgrades refused with odd statuses and bodies make the session poll, not fail", async () => {
  using watch = new RejectionWatch();
  const answers = [
    new Response("<html>bad gateway</html>", {
      status: 502,
      headers: { "content-type": "text/html" },
    }),
    new Response(null, { status: 429 }),
    new Response("{", { status: 503 }),
    json(200, { hello: "not an upgrade" }),
    new Response("teapot", { status: 418 }),
  ];
  let completed = false;
  await using server = startFakeServer({
    upgrade: (n) => answers[n % answers.length]!.clone(),
    result: () => resultAnswer(completed),
  });
  const client = fakeServerClient(server);
  await using session = await client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  await delay(200);
  completed = true;
  const items = await within(session.waitForResult(), 5_000, "the result");
  assert.equal(items.length, 1);
  await session.close();
  await watch.assertNone();
});
