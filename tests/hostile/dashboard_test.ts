// Copyright 2026 the handoff authors. MIT license.
// Hostile requests to the mock dashboard: bad JSON, oversize bodies, unknown
// session ids, download ids of other sessions, path tricks, foreign hosts and
// origins. Each is refused with a 4xx, and nothing else is affected.

import assert from "node:assert/strict";
import fc from "fast-check";
import { type Dashboard, startDashboard } from "../../mock/dashboard.ts";

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

async function call(
  dashboard: Dashboard,
  path: string,
  init: RequestInit = {},
): Promise<Reply> {
  const res = await fetch(new URL(path, dashboard.url), {
    redirect: "manual",
    ...init,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

function post(
  dashboard: Dashboard,
  path: string,
  body: BodyInit,
  headers: Record<string, string> = { "content-type": "application/json" },
): Promise<Reply> {
  return call(dashboard, path, { method: "POST", headers, body });
}

interface View {
  id: string;
  status: string;
  result?: { downloadId: string }[];
}

/** Create a photo session through the dashboard and complete it. */
async function completedSession(dashboard: Dashboard): Promise<View> {
  const created = await post(
    dashboard,
    "/api/sessions",
    JSON.stringify({ action: "photo", outputFormat: "jpg" }),
  );
  assert.equal(created.status, 201, created.text);
  const { id } = (created.json as { session: View }).session;
  await dashboard.stub!.phone.complete(id);
  for (let i = 0; i < 200; i++) {
    const view = (await call(dashboard, `/api/sessions/${id}`)).json as {
      session: View;
    };
    if (view.session.result?.length) return view.session;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the dashboard never saw the completion");
}

/** The dashboard's sessions, as the page would list them. */
async function sessionIds(dashboard: Dashboard): Promise<string[]> {
  const list = await call(dashboard, "/api/sessions");
  assert.equal(list.status, 200);
  return (list.json as { sessions: View[] }).sessions.map((s) => s.id).sort();
}

function assertRefused(reply: Reply, what: string): void {
  assert.ok(
    reply.status >= 400 && reply.status < 500,
    `${what} answered ${reply.status}: ${reply.text.slice(0, 200)}`,
  );
}

Deno.test("bad JSON, wrong content types and invalid forms are refused with a 4xx and create nothing", async () => {
  await using dashboard = await startDashboard({ port: 0, maxBodyBytes: 4096 });
  const before = await sessionIds(dashboard);
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        fc.record({
          action: fc.oneof(fc.string(), fc.jsonValue()),
          outputFormat: fc.oneof(fc.string(), fc.jsonValue()),
          sessionTtl: fc.oneof(fc.string(), fc.jsonValue()),
          intro: fc.oneof(fc.string(), fc.jsonValue()),
        }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
        fc.uint8Array({ maxLength: 64 }),
      ),
      fc.constantFrom(
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "application/x-www-form-urlencoded",
        "",
      ),
      async (body, type) => {
        const reply = await post(
          dashboard,
          "/api/sessions",
          body as BodyInit,
          type === "" ? {} : { "content-type": type },
        );
        if (reply.status === 201) {
          // A valid form among the random ones: it made a session.
          const { id } = (reply.json as { session: View }).session;
          const removed = await call(dashboard, `/api/sessions/${id}`, {
            method: "DELETE",
          });
          assert.equal(removed.status, 204);
          return;
        }
        assertRefused(reply, "POST /api/sessions");
        assert.equal(
          typeof (reply.json as { error?: unknown })?.error,
          "string",
        );
      },
    ),
    { numRuns: 150 },
  );
  assert.deepEqual(await sessionIds(dashboard), before);
});

Deno.test("oversize bodies are refused with 413, with or without a Content-Length", async () => {
  await using dashboard = await startDashboard({ port: 0, maxBodyBytes: 1024 });
  const big = JSON.stringify({
    action: "photo",
    outputFormat: "jpg",
    intro: "x".repeat(4096),
  });
  const declared = await post(dashboard, "/api/sessions", big);
  assert.equal(declared.status, 413);
  const bytes = new TextEncoder().encode(big);
  const chunked = await post(
    dashboard,
    "/api/sessions",
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 256) {
          controller.enqueue(bytes.subarray(i, i + 256));
        }
        controller.close();
      },
    }),
  );
  assert.equal(chunked.status, 413);
  assert.deepEqual(await sessionIds(dashboard), []);
});

const TRICKS = [
  "..%2F..%2Fetc%2Fpasswd",
  "%2e%2e",
  "%00",
  "x".repeat(4096),
  "00000000-0000-4000-8000-000000000000",
  "%2Fapi%2Fv1%2Fsessions",
  "__proto__",
  "constructor",
];

Deno.test("unknown session ids and path tricks in ids are refused with a 4xx, and the dashboard's sessions are untouched", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const mine = await completedSession(dashboard);
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.constantFrom(...TRICKS),
        fc.uuid(),
        fc.string({ minLength: 1, maxLength: 60 }).map(encodeURIComponent),
      ),
      fc.constantFrom("GET", "DELETE", "PUT", "POST"),
      fc.constantFrom("/api/sessions/", "/api/downloads/"),
      async (id, method, prefix) => {
        fc.pre(id !== mine.id);
        const reply = await call(dashboard, `${prefix}${id}`, { method });
        assertRefused(reply, `${method} ${prefix}${id.slice(0, 40)}`);
      },
    ),
    { numRuns: 200 },
  );
  assert.deepEqual(await sessionIds(dashboard), [mine.id]);
  const download = await call(
    dashboard,
    `/api/downloads/${mine.result![0]!.downloadId}`,
  );
  assert.equal(download.status, 200);
});

Deno.test("a malformed percent-encoding in an id is refused with a 4xx, not a 500", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  for (const id of ["%", "%ZZ", "%E0%A4%A"]) {
    for (const method of ["GET", "DELETE"]) {
      const reply = await call(dashboard, `/api/sessions/${id}`, { method });
      assertRefused(reply, `${method} /api/sessions/${id}`);
    }
    assertRefused(
      await call(dashboard, `/api/downloads/${id}`),
      `GET /api/downloads/${id}`,
    );
  }
});

Deno.test("a download id of a session the dashboard does not hold is refused without asking the Handoff server", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const stub = dashboard.stub!;
  // A session made on the same Handoff server by someone else.
  const res = await fetch(`${stub.url}/api/v1/sessions`, {
    method: "POST",
    headers: { "X-API-Key": stub.apiKey },
    body: JSON.stringify({ action_type: "photo", output_format: "jpg" }),
  });
  assert.equal(res.status, 201);
  const { id } = await res.json() as { id: string };
  await stub.phone.open(id);
  const [item] = await stub.phone.submit(id, [
    { contentType: "image/jpeg", filename: "other.jpg", data: "AAAA" },
  ]);
  const downloadsBefore = stub.stats().requests.download;
  const reply = await call(dashboard, `/api/downloads/${item!.downloadId}`);
  assert.equal(reply.status, 404);
  assert.equal(stub.stats().requests.download, downloadsBefore);
  // The other session's id is not the dashboard's either.
  assert.equal((await call(dashboard, `/api/sessions/${id}`)).status, 404);
});

/** The status of a raw HTTP/1.1 request, for headers fetch will not send. */
async function rawStatus(dashboard: Dashboard, head: string): Promise<number> {
  const { hostname, port } = new URL(dashboard.url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(new TextEncoder().encode(head));
    const buffer = new Uint8Array(1024);
    const n = await conn.read(buffer);
    const line = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(line)?.[1] ?? 0);
  } finally {
    conn.close();
  }
}

Deno.test("foreign Host headers and cross-origin writes are refused", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const rebinding = await rawStatus(
    dashboard,
    "GET /api/sessions HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
  );
  assert.ok(
    rebinding >= 400 && rebinding < 500,
    `a foreign Host: ${rebinding}`,
  );
  const crossOrigin = await post(
    dashboard,
    "/api/sessions",
    JSON.stringify({ action: "photo", outputFormat: "jpg" }),
    { "content-type": "application/json", origin: "https://evil.example" },
  );
  assertRefused(crossOrigin, "a cross-origin POST");
  assert.deepEqual(await sessionIds(dashboard), []);
});

Deno.test("on a dashboard that needs a token, no made-up token, cookie or header gets in, and none makes it fail", async () => {
  await using dashboard = await startDashboard({
    port: 0,
    requireToken: true,
  });
  const name = `handoff_dashboard_${new URL(dashboard.url).port}`;
  const token = dashboard.token!;
  await fc.assert(
    fc.asyncProperty(
      fc.string({ maxLength: 80 }).filter((s) => s !== token),
      fc.constantFrom("query", "cookie", "bearer", "cookies"),
      async (guess, where) => {
        const path = where === "query"
          ? `/api/sessions?token=${encodeURIComponent(guess)}`
          : "/api/sessions";
        const headers: Record<string, string> = {};
        const value = guess.replace(/[^\x21-\x7e]/g, "");
        if (value === token) return;
        if (where === "cookie") headers.cookie = `${name}=${value}`;
        if (where === "cookies") {
          headers.cookie = `${value}; ${name}=${value}; other=${token}`;
        }
        if (where === "bearer") headers.authorization = `Bearer ${value}`;
        const reply = await call(dashboard, path, { headers });
        assert.equal(reply.status, 401, `${where} ${JSON.stringify(guess)}`);
        assert.equal(reply.text, "");
      },
    ),
    { numRuns: 150 },
  );
  assert.equal((await call(dashboard, "/")).status, 401);
  assert.equal(
    (await call(dashboard, "/", { headers: { cookie: `${name}=${token}` } }))
      .status,
    200,
  );
});
