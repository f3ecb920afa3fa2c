// Copyright 2026 the handoff authors. MIT license.
// Hostile requests to the stub server: malformed bodies, oversize uploads,
// unknown ids, path tricks, wrong methods, missing or wrong keys. It answers
// like the real server (a 4xx with its usual body, never a 5xx), and keeps
// answering afterwards.

import assert from "node:assert/strict";
import fc from "fast-check";
import { sampleJpeg, startStubServer, type StubServer } from "../../testing.ts";

const JSON_TYPE = "application/json; charset=utf-8";

/** Create a session on the stub over HTTP. */
async function create(
  server: StubServer,
  body: Record<string, string>,
): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/sessions`, {
    method: "POST",
    headers: { "X-API-Key": server.apiKey },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { id: string }).id;
}

/** The stub still answers health and runs a whole session. */
async function assertHealthy(server: StubServer): Promise<void> {
  const health = await fetch(`${server.url}/api/v1/health`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: "ok" });
  const id = await create(server, {
    action_type: "photo",
    output_format: "jpg",
  });
  await server.phone.complete(id);
  const result = await fetch(`${server.url}/api/v1/sessions/${id}/result`, {
    headers: { "X-API-Key": server.apiKey },
  });
  assert.equal(result.status, 200);
  const { status } = await result.json() as { status: string };
  assert.equal(status, "completed");
}

/** Read an answer and check it is one the real server could give. */
async function assertWellFormed(
  res: Response,
  what: string,
): Promise<void> {
  const text = await res.text();
  assert.ok(res.status < 500, `${what} answered ${res.status}: ${text}`);
  const type = res.headers.get("content-type") ?? "";
  if (type === JSON_TYPE) {
    const body = JSON.parse(text) as Record<string, unknown>;
    assert.equal(typeof body, "object", `${what}: ${text}`);
    if (res.status >= 400) {
      assert.equal(typeof body.error, "string", `${what}: ${text}`);
    }
  } else if (
    res.status === 404 && !text.startsWith("<") && !what.startsWith("HEAD")
  ) {
    assert.equal(text, "404 page not found", what);
  }
}

const PATHS = [
  "/api/v1/sessions",
  "/api/v1/sessions/",
  "/api/v1/sessions/{id}",
  "/api/v1/sessions/{id}/result",
  "/api/v1/sessions/{id}/ws",
  "/api/v1/downloads/{id}",
  "/api/v1/health",
  "/api/v1/version",
  "/api/v2/sessions",
  "/s/{id}",
  "/s/{id}/action",
  "/s/{id}/result",
  "/s/{id}/scan/upload",
  "/s/{id}/scan/finalize",
  "/{id}",
];
const TRICKS = [
  "..%2f..%2fetc%2fpasswd",
  "%2e%2e",
  "%00",
  "%ZZ",
  "..;",
  "00000000-0000-4000-8000-000000000000",
  "x".repeat(2048),
  "%E2%80%AE",
  "{{id}}",
  "*",
];

Deno.test("any method, path, id, key and body gets an answer the real server could give, and the stub keeps going", async () => {
  await using server = await startStubServer({
    transportFaults: false,
    scanUploadMaxBytes: 4096,
  });
  const live = await create(server, {
    action_type: "photo",
    output_format: "jpg",
  });
  const scan = await create(server, { action_type: "scan" });
  const expired = await create(server, {
    action_type: "signature",
    output_format: "svg",
  });
  server.expire(expired);
  await server.phone.open(live);
  await server.phone.open(scan);
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(
        "GET",
        "POST",
        "PUT",
        "DELETE",
        "PATCH",
        "OPTIONS",
        "HEAD",
      ),
      fc.constantFrom(...PATHS),
      fc.oneof(
        fc.constantFrom(live, scan, expired, ...TRICKS),
        fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
        fc.uuid(),
      ),
      fc.constantFrom<"valid" | "wrong" | "none" | "query">(
        "valid",
        "wrong",
        "none",
        "query",
      ),
      fc.oneof(
        fc.constant(undefined),
        fc.string(),
        fc.jsonValue().map((v) => JSON.stringify(v)),
        fc.constantFrom(
          "{",
          '{"items":null}',
          '{"items":[{"content_type":"image/jpeg","data":"!!!"}]}',
          '{"action_type":"photo","output_format":"jpg","session_ttl":300}',
          '{"action_type":"scan","session_ttl":"-1h"}',
        ),
        fc.uint8Array({ maxLength: 64 }),
      ),
      async (method, template, id, key, body) => {
        const path = template.replace("{id}", id);
        const url = new URL(`${server.url}${path}`);
        const headers: Record<string, string> = {};
        if (key === "valid") headers["X-API-Key"] = server.apiKey;
        if (key === "wrong") headers["X-API-Key"] = "wrong";
        if (key === "query") url.searchParams.set("api_key", server.apiKey);
        const res = await fetch(url, {
          method,
          headers,
          redirect: "manual",
          ...(body !== undefined && method !== "GET" && method !== "HEAD"
            ? { body: body as BodyInit }
            : {}),
        });
        await assertWellFormed(res, `${method} ${path}`);
      },
    ),
    { numRuns: 400 },
  );
  await assertHealthy(server);
});

Deno.test("malformed create bodies answer 400 with Go's messages, never a 5xx", async () => {
  await using server = await startStubServer({ transportFaults: false });
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.string(),
        fc.jsonValue().map((v) => JSON.stringify(v)),
        fc.record({
          action_type: fc.oneof(fc.string(), fc.jsonValue()),
          output_format: fc.oneof(fc.string(), fc.jsonValue()),
          session_ttl: fc.oneof(fc.string(), fc.jsonValue()),
          document_mode: fc.oneof(fc.string(), fc.jsonValue()),
        }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
        fc.uint8Array({ maxLength: 128 }),
      ),
      async (body) => {
        const res = await fetch(`${server.url}/api/v1/sessions`, {
          method: "POST",
          headers: { "X-API-Key": server.apiKey },
          body: body as BodyInit,
        });
        const text = await res.text();
        assert.ok(
          res.status === 201 || res.status === 400,
          `${res.status}: ${text}`,
        );
        assert.equal(res.headers.get("content-type"), JSON_TYPE);
        const parsed = JSON.parse(text) as Record<string, unknown>;
        if (res.status === 400) {
          assert.equal(typeof parsed.error, "string");
          assert.ok(
            /^(invalid request body: |unknown action type |invalid session_ttl: |invalid result_ttl: |output_format is required|invalid output format |unknown scan )/
              .test(parsed.error as string),
            parsed.error as string,
          );
        }
      },
    ),
    { numRuns: 300 },
  );
  await assertHealthy(server);
});

Deno.test("an oversize scan upload answers 413 request body too large and changes nothing", async () => {
  await using server = await startStubServer({
    transportFaults: false,
    scanUploadMaxBytes: 2048,
  });
  const id = await create(server, { action_type: "scan" });
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(64 * 1024)]), "page.jpg");
  const res = await fetch(`${server.url}/s/${id}/scan/upload`, {
    method: "POST",
    body: form,
  });
  assert.equal(res.status, 413);
  assert.deepEqual(await res.json(), { error: "request body too large" });
  assert.equal(server.session(id)?.status, "pending");
  // A page within the limit is still accepted, and the session completes.
  const small = new FormData();
  small.append("file", new Blob([sampleJpeg()]), "page.jpg");
  const ok = await fetch(`${server.url}/s/${id}/scan/upload`, {
    method: "POST",
    body: small,
  });
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
  await server.phone.finalize(id);
  assert.equal(server.session(id)?.status, "completed");
  await assertHealthy(server);
});

Deno.test("malformed phone bodies answer 400 and leave the session as it was", async () => {
  await using server = await startStubServer({ transportFaults: false });
  const photo = await create(server, {
    action_type: "photo",
    output_format: "jpg",
  });
  const scan = await create(server, { action_type: "scan" });
  await server.phone.open(photo);
  await server.phone.open(scan);
  const bodies: [string, BodyInit, string][] = [
    [photo, "{", "invalid request body"],
    [photo, "{}", "invalid request body"],
    [photo, '{"items":null}', "invalid request body"],
    [
      photo,
      '{"items":[{"content_type":"image/jpeg","data":"data:image/jpeg;base64,AAAA"}]}',
      "invalid base64 data",
    ],
  ];
  for (const [id, body, error] of bodies) {
    const res = await fetch(`${server.url}/s/${id}/result`, {
      method: "POST",
      body,
    });
    assert.equal(res.status, 400, String(body));
    assert.deepEqual(await res.json(), { error });
  }
  const multipart = await fetch(`${server.url}/s/${scan}/scan/upload`, {
    method: "POST",
    headers: { "content-type": "multipart/form-data; boundary=x" },
    body: "--x\r\nnot a part",
  });
  assert.equal(multipart.status, 400);
  const { error } = await multipart.json() as { error: string };
  assert.match(error, /^failed to parse multipart form: /);
  const noFile = new FormData();
  noFile.append("page_index", "1");
  const missing = await fetch(`${server.url}/s/${scan}/scan/upload`, {
    method: "POST",
    body: noFile,
  });
  assert.equal(missing.status, 400);
  assert.deepEqual(await missing.json(), { error: "missing file field" });
  assert.equal(server.session(photo)?.status, "action_started");
  assert.equal(server.session(scan)?.status, "action_started");
  await assertHealthy(server);
});

Deno.test("unknown ids and wrong methods answer 404 like gin, for every route", async () => {
  await using server = await startStubServer({ transportFaults: false });
  const unknown = "00000000-0000-4000-8000-000000000000";
  const key = { "X-API-Key": server.apiKey };
  const expectJson404 = async (path: string, error: string) => {
    const res = await fetch(`${server.url}${path}`, { headers: key });
    assert.equal(res.status, 404, path);
    assert.deepEqual(await res.json(), { error }, path);
  };
  await expectJson404(`/api/v1/sessions/${unknown}`, "session not found");
  await expectJson404(`/api/v1/sessions/not-a-uuid`, "session not found");
  await expectJson404(
    `/api/v1/sessions/${unknown}/result`,
    "session not found",
  );
  await expectJson404(
    `/api/v1/downloads/${unknown}`,
    "file not found or expired",
  );
  for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]) {
    for (
      const path of [
        "/api/v1/sessions",
        `/api/v1/sessions/${unknown}`,
        "/api/v1/health",
      ]
    ) {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: key,
      });
      assert.equal(res.status, 404, `${method} ${path}`);
      const text = await res.text();
      if (method !== "HEAD") assert.equal(text, "404 page not found");
    }
  }
  await assertHealthy(server);
});
