// Copyright 2026 the handoff authors. MIT license.
// Hostile REST answers: invalid JSON, wrong types, missing fields, unknown
// statuses, unexpected status codes, bodies that never end, Content-Types
// that lie, fetches that fail in odd ways. Every call ends in a well-formed
// value or a typed HandoffError: never a crash, a hang, or an unhandled
// rejection.

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  HandoffError,
  ProtocolError,
  type Session,
  type SessionInfo,
} from "../../mod.ts";
import { FakeFetch } from "../client/_fake_fetch.ts";
import {
  ID,
  json,
  OTHER_ID,
  RejectionWatch,
  scriptedClient,
  sessionJson,
  STAMP,
  within,
} from "./_helpers.ts";

const ACTIONS = ["photo", "signature", "scan"];
const STATUSES = ["pending", "opened", "action_started", "completed"];

/** Values that are wrong in interesting ways for any field. */
const oddValue = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    "",
    0,
    -1,
    1.5,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER,
    9.3e18,
    true,
    [],
    {},
    "9999-99-99T99:99:99Z",
    "2026-11-22",
    "expired",
    "photo",
    "\u0000",
    "__proto__",
  ),
  fc.string({ maxLength: 12 }),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
);

/** A JSON object like `base` with some fields replaced or removed. */
function mutated(base: Record<string, unknown>) {
  const keys = Object.keys(base);
  return fc.record({
    drop: fc.subarray(keys, { maxLength: Math.min(3, keys.length) }),
    change: fc.dictionary(fc.constantFrom(...keys), oddValue, {
      maxKeys: 3,
    }),
    extra: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), {
      maxKeys: 2,
    }),
  }).map(({ drop, change, extra }) => {
    const out: Record<string, unknown> = { ...extra, ...base, ...change };
    for (const key of drop) delete out[key];
    return out;
  });
}

const sessionBodies = fc.oneof(
  fc.constantFrom(...ACTIONS).chain((action) =>
    mutated(sessionJson({
      action_type: action,
      ...(action === "scan"
        ? {
          output_format: "",
          document_mode: "multi",
          scan_output_format: "images",
        }
        : {}),
    }))
  ),
  fc.constantFrom(...STATUSES).chain((status) =>
    mutated(sessionJson({
      status,
      ...(status === "completed"
        ? {
          completed_at: STAMP,
          result: [{
            download_id: "d",
            content_type: "image/jpeg",
            filename: "a.jpg",
          }],
        }
        : {}),
    }))
  ),
  mutated({ id: ID, status: "expired" }),
);
const resultBodies = fc.oneof(
  mutated({ status: "pending" }),
  mutated({
    completed_at: STAMP,
    items: [{ download_id: "d", content_type: "image/png", filename: "x" }],
    status: "completed",
  }),
  mutated({
    completed_at: STAMP,
    items: null,
    scan_result: { documents: [{ pdf_url: "/api/v1/downloads/p" }] },
    status: "completed",
  }),
);

/** A body: JSON of a plausible shape, any JSON, or text that is not JSON. */
const bodies = fc.oneof(
  { weight: 4, arbitrary: sessionBodies.map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: resultBodies.map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "",
      "{",
      "null",
      "<html><body>502 Bad Gateway</body></html>",
      '{"error":"session not found"}',
      '{"error":42}',
      "\ufeff{}",
      '{"status":"ok"}',
      '{"commit":"c","version":"v"}',
    ),
  },
  { weight: 1, arbitrary: fc.string() },
);

const STATUS_CODES = [
  200,
  200,
  201,
  202,
  203,
  204,
  206,
  299,
  300,
  301,
  304,
  307,
  400,
  401,
  403,
  404,
  405,
  409,
  410,
  413,
  418,
  429,
  500,
  502,
  503,
  504,
  599,
];
const NULL_BODY = new Set([204, 205, 304]);

/** One answer of the hostile server. */
const answers = fc.record({
  status: fc.oneof(
    fc.constantFrom(...STATUS_CODES),
    fc.integer({ min: 200, max: 599 }),
  ),
  body: bodies,
  contentType: fc.constantFrom(
    "application/json; charset=utf-8",
    "application/json",
    "text/html",
    "text/plain",
    "image/png",
    "",
  ),
  retryAfter: fc.option(
    fc.constantFrom("0", "-1", "abc", "1e9", "Thu, 01 Jan 1970 00:00:00 GMT"),
  ),
  fail: fc.constantFrom<"none" | "throw" | "body">(
    "none",
    "none",
    "none",
    "none",
    "throw",
    "body",
  ),
  thrown: fc.constantFrom<unknown>(
    new TypeError("error sending request: connection reset"),
    new DOMException("weird", "NetworkError"),
    Object.assign(new Error("refused"), { code: "ECONNREFUSED" }),
    "a string",
    undefined,
    null,
    { message: 42 },
  ),
});

type Answer = typeof answers extends fc.Arbitrary<infer T> ? T : never;

function respond(answer: Answer): Response {
  if (answer.fail === "throw") throw answer.thrown;
  const headers: Record<string, string> = {};
  if (answer.contentType !== "") headers["content-type"] = answer.contentType;
  if (answer.retryAfter !== null) headers["retry-after"] = answer.retryAfter;
  if (NULL_BODY.has(answer.status)) {
    return new Response(null, { status: answer.status, headers });
  }
  if (answer.fail === "body") {
    // The body breaks off halfway.
    const bytes = new TextEncoder().encode(answer.body);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, bytes.length >> 1));
        controller.error(new TypeError("connection reset while reading"));
      },
    });
    return new Response(body, { status: answer.status, headers });
  }
  return new Response(answer.body, { status: answer.status, headers });
}

function validDate(d: unknown): boolean {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

/** A SessionInfo the client returned is well-formed. */
function assertSessionInfo(info: SessionInfo, id: string): void {
  assert.equal(typeof info.id, "string");
  assert.equal(info.id, id, "the answer of another session was accepted");
  if (info.status === "expired") return;
  assert.ok(ACTIONS.includes(info.actionType));
  assert.ok(STATUSES.includes(info.status));
  assert.equal(typeof info.url, "string");
  assert.ok(validDate(info.createdAt), "createdAt is not a valid date");
  assert.ok(validDate(info.expiresAt), "expiresAt is not a valid date");
  assert.ok(Number.isFinite(info.sessionTtlMs));
  assert.ok(Number.isFinite(info.resultTtlMs));
  if (info.completedAt !== undefined) assert.ok(validDate(info.completedAt));
  for (const item of info.result ?? []) {
    assert.equal(typeof item.downloadId, "string");
    assert.equal(typeof item.contentType, "string");
    assert.equal(typeof item.filename, "string");
  }
}

function assertSession(session: Session): void {
  assert.equal(session.id, ID, "the answer of another session was accepted");
  assert.ok(validDate(session.createdAt));
  assert.ok(validDate(session.expiresAt), "expiresAt is not a valid date");
  assert.ok(ACTIONS.includes(session.actionType));
}

/** Every operation a caller can make that reads a server answer. */
const OPERATIONS = [
  "create",
  "get",
  "attach",
  "download",
  "stream",
  "health",
  "version",
] as const;

Deno.test("any answer to any call ends in a well-formed value or a HandoffError, never a crash, hang or unhandled rejection", async () => {
  using watch = new RejectionWatch();
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...OPERATIONS),
      fc.array(answers, { minLength: 1, maxLength: 4 }),
      async (operation, script) => {
        const fake = new FakeFetch((_call, n) =>
          respond(script[Math.min(n, script.length - 1)]!)
        );
        const client = scriptedClient(fake.fetch);
        let outcome: unknown;
        try {
          const run = async () => {
            switch (operation) {
              case "create": {
                const session = await client.createSession({
                  action: "photo",
                  outputFormat: "jpg",
                });
                try {
                  assertSession(session);
                } finally {
                  await session.close();
                }
                return;
              }
              case "attach": {
                const session = await client.attachSession(ID);
                try {
                  assertSession(session);
                } finally {
                  await session.close();
                }
                return;
              }
              case "get":
                assertSessionInfo(await client.getSession(ID), ID);
                return;
              case "download": {
                const file = await client.downloadFile("d1");
                assert.ok(file.data instanceof Uint8Array);
                assert.equal(typeof file.contentType, "string");
                return;
              }
              case "stream": {
                const file = await client.downloadStream("d1");
                assert.equal(typeof file.contentType, "string");
                await new Response(file.body).arrayBuffer();
                return;
              }
              case "health":
                assert.equal(typeof (await client.health()).status, "string");
                return;
              case "version": {
                const v = await client.version();
                assert.equal(typeof v.version, "string");
                assert.equal(typeof v.commit, "string");
                return;
              }
            }
          };
          await within(run(), 5_000, operation);
        } catch (error) {
          outcome = error;
        }
        if (outcome instanceof assert.AssertionError) throw outcome;
        if (outcome !== undefined) {
          assert.ok(
            outcome instanceof HandoffError,
            `${operation} threw ${
              outcome instanceof Error ? outcome.name : typeof outcome
            }: ${String(outcome)}`,
          );
          assert.notEqual(outcome.cause, undefined);
        }
      },
    ),
    { numRuns: 400 },
  );
  await watch.assertNone();
});

Deno.test("the answer of another session to getSession() or attachSession() is a ProtocolError", async () => {
  using watch = new RejectionWatch();
  const fake = new FakeFetch(() => json(200, sessionJson({ id: OTHER_ID })));
  const client = scriptedClient(fake.fetch);
  await assert.rejects(client.getSession(ID), ProtocolError);
  await assert.rejects(client.attachSession(ID), ProtocolError);
  const tombstone = new FakeFetch(() =>
    json(200, { id: OTHER_ID, status: "expired" })
  );
  await assert.rejects(
    scriptedClient(tombstone.fetch).getSession(ID),
    ProtocolError,
  );
  await watch.assertNone();
});

Deno.test("a TTL that no server can send (beyond int64 nanoseconds, or not a whole number) is a ProtocolError, not an invalid date", async () => {
  using watch = new RejectionWatch();
  for (const ttl of [1e308, 9.3e18, -1e300, 1.5, Number.MAX_VALUE]) {
    const fake = new FakeFetch(() =>
      json(200, sessionJson({ session_ttl: ttl }))
    );
    const client = scriptedClient(fake.fetch);
    await assert.rejects(
      client.getSession(ID),
      ProtocolError,
      `session_ttl ${ttl}`,
    );
  }
  await watch.assertNone();
});

Deno.test("a body that never ends is cut off at 4 MiB with a ProtocolError, for answers and for errors", async () => {
  using watch = new RejectionWatch();
  const endless = (status: number) => {
    let pulls = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(chunk);
      },
    });
    return {
      response: new Response(body, {
        status,
        headers: { "content-type": "application/json" },
      }),
      pulls: () => pulls,
    };
  };
  for (const status of [200, 404, 500]) {
    const stream = endless(status);
    const fake = new FakeFetch(() => stream.response);
    const client = scriptedClient(fake.fetch, {
      retry: { maxRetries: 0 },
    });
    const error = await within(
      client.getSession(ID).then(() => undefined, (e: unknown) => e),
      5_000,
      "an endless body",
    );
    if (status === 200) assert.ok(error instanceof ProtocolError);
    else assert.ok(error instanceof HandoffError);
    assert.ok(stream.pulls() < 200, "the client kept reading");
  }
  await watch.assertNone();
});

Deno.test("a Content-Type that lies does not matter: JSON is read as JSON, anything else is a ProtocolError", async () => {
  using watch = new RejectionWatch();
  const answers = [
    new Response(JSON.stringify(sessionJson()), {
      headers: { "content-type": "image/png" },
    }),
    new Response(JSON.stringify(sessionJson()), {
      headers: { "content-type": "text/html" },
    }),
  ];
  for (const response of answers) {
    const client = scriptedClient(new FakeFetch(() => response.clone()).fetch);
    assertSessionInfo(await client.getSession(ID), ID);
  }
  const html = new Response("<html>ok</html>", {
    headers: { "content-type": "application/json; charset=utf-8" },
  });
  await assert.rejects(
    scriptedClient(new FakeFetch(() => html.clone()).fetch).getSession(ID),
    ProtocolError,
  );
  await watch.assertNone();
});
