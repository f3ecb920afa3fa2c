// Copyright 2026 the handoff authors. MIT license.
// The REST API of the stub: create, get, result, download, auth, conventions.

import assert from "node:assert/strict";
import { sampleJpeg } from "../../testing.ts";
import {
  api,
  assertError,
  assertJson,
  bytesOf,
  completedPhoto,
  createSession,
  download,
  getResult,
  getSession,
  JSON_TYPE,
  rawRequest,
  re,
  TIMESTAMP_RE,
  TS,
  UNKNOWN_ID,
  UUID,
  UUID_RE,
  withStub,
} from "./_helpers.ts";

const BASE_KEYS = [
  "id",
  "action_type",
  "status",
  "output_format",
  "session_ttl",
  "result_ttl",
  "url",
  "created_at",
];

Deno.test("POST /api/v1/sessions answers 201 with a photo Session in field order", async () => {
  await withStub(async ({ stub }) => {
    const reply = await api(stub, "/api/v1/sessions", {
      body: { action_type: "photo", output_format: "jpg" },
    });
    assert.equal(reply.status, 201);
    assert.equal(reply.headers.get("content-type"), JSON_TYPE);
    const s = reply.json;
    assert.deepEqual(Object.keys(s), BASE_KEYS);
    assert.match(s.id, UUID_RE);
    assert.equal(s.action_type, "photo");
    assert.equal(s.status, "pending");
    assert.equal(s.output_format, "jpg");
    assert.equal(s.session_ttl, 1800000000000);
    assert.equal(s.result_ttl, 300000000000);
    assert.equal(s.url, `${stub.baseUrl}/s/${s.id}`);
    assert.match(s.created_at, TIMESTAMP_RE);
    assert.match(
      reply.text,
      new RegExp(
        `^\\{"id":"${UUID}","action_type":"photo","status":"pending","output_format":"jpg","session_ttl":1800000000000,"result_ttl":300000000000,"url":"${
          re(stub.baseUrl)
        }/s/${UUID}","created_at":"${TS}"\\}$`,
      ),
    );
  });
});

Deno.test("every session gets a fresh UUID and a creation time close to now", async () => {
  await withStub(async ({ stub }) => {
    const before = Date.now();
    const a = await createSession(stub);
    const b = await createSession(stub);
    assert.notEqual(a.id, b.id);
    const created = Date.parse(a.created_at);
    assert.ok(created >= before - 5000 && created <= Date.now() + 5000);
  });
});

Deno.test("the session url uses the baseUrl option", async () => {
  await withStub(async ({ stub }) => {
    assert.equal(stub.baseUrl, "https://handoff.example.com");
    const s = await createSession(stub);
    assert.equal(s.url, `https://handoff.example.com/s/${s.id}`);
  }, { baseUrl: "https://handoff.example.com" });
});

Deno.test("intro_text is present only when non-empty and <, >, & are escaped as \\u003c, \\u003e, \\u0026", async () => {
  await withStub(async ({ stub }) => {
    const reply = await api(stub, "/api/v1/sessions", {
      body: {
        action_type: "signature",
        output_format: "svg",
        intro_text: "<b>Tom & Jerry</b>",
      },
    });
    assert.equal(reply.status, 201);
    assert.ok(
      reply.text.includes(
        String
          .raw`"status":"pending","intro_text":"\u003cb\u003eTom \u0026 Jerry\u003c/b\u003e","output_format":"svg"`,
      ),
      reply.text,
    );
    assert.deepEqual(Object.keys(reply.json), [
      "id",
      "action_type",
      "status",
      "intro_text",
      ...BASE_KEYS.slice(3),
    ]);
    assert.equal(reply.json.intro_text, "<b>Tom & Jerry</b>");

    const empty = await createSession(stub, {
      action_type: "photo",
      output_format: "png",
      intro_text: "",
    });
    assert.deepEqual(Object.keys(empty), BASE_KEYS);
  });
});

Deno.test('a scan session has output_format "" and defaults to single mode and pdf output', async () => {
  await withStub(async ({ stub }) => {
    const reply = await api(stub, "/api/v1/sessions", {
      body: { action_type: "scan" },
    });
    assert.equal(reply.status, 201);
    assert.deepEqual(Object.keys(reply.json), [
      ...BASE_KEYS,
      "document_mode",
      "scan_output_format",
    ]);
    assert.ok(reply.text.includes(`"output_format":""`), reply.text);
    assert.ok(
      reply.text.endsWith(
        `,"document_mode":"single","scan_output_format":"pdf"}`,
      ),
      reply.text,
    );
  });
});

Deno.test("a scan session reports output_format images as scan_output_format and multi mode", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub, {
      action_type: "scan",
      output_format: "images",
      document_mode: "multi",
    });
    assert.equal(s.output_format, "");
    assert.equal(s.document_mode, "multi");
    assert.equal(s.scan_output_format, "images");
  });
});

Deno.test("document_mode on a photo or signature session is ignored", async () => {
  await withStub(async ({ stub }) => {
    const photo = await createSession(stub, {
      action_type: "photo",
      output_format: "jpg",
      document_mode: "double",
    });
    assert.deepEqual(Object.keys(photo), BASE_KEYS);
    const sig = await createSession(stub, {
      action_type: "signature",
      output_format: "png",
      document_mode: "multi",
    });
    assert.deepEqual(Object.keys(sig), BASE_KEYS);
  });
});

Deno.test("request TTLs are Go duration strings and come back as integer nanoseconds", async () => {
  await withStub(async ({ stub }) => {
    const cases: [string, string, number, number][] = [
      ["1h30m", "90s", 5400000000000, 90000000000],
      ["30m", "1.5s", 1800000000000, 1500000000],
      ["2h", "250ms", 7200000000000, 250000000],
      ["45m", "1500us", 2700000000000, 1500000],
      ["1h", "3µs", 3600000000000, 3000],
      ["10m", "42ns", 600000000000, 42],
    ];
    for (const [sessionTtl, resultTtl, sNs, rNs] of cases) {
      const reply = await api(stub, "/api/v1/sessions", {
        body: {
          action_type: "photo",
          output_format: "jpg",
          session_ttl: sessionTtl,
          result_ttl: resultTtl,
        },
      });
      assert.equal(reply.status, 201, reply.text);
      assert.ok(
        reply.text.includes(`"session_ttl":${sNs},"result_ttl":${rNs},`),
        `${sessionTtl}/${resultTtl}: ${reply.text}`,
      );
    }
  });
});

Deno.test("the server's default TTLs come from the sessionTtl and resultTtl options", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub);
    assert.equal(s.session_ttl, 600000000000);
    assert.equal(s.result_ttl, 2000000000);
  }, { sessionTtl: "10m", resultTtl: 2000 });
});

Deno.test("the create body is parsed as JSON whatever its Content-Type, and unknown fields are ignored", async () => {
  await withStub(async ({ stub }) => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded"]) {
      const reply = await api(stub, "/api/v1/sessions", {
        body: JSON.stringify({
          action_type: "photo",
          output_format: "png",
          colour: "blue",
          nested: { a: [1, 2] },
        }),
        headers: { "content-type": type },
      });
      assert.equal(reply.status, 201, reply.text);
      assert.deepEqual(Object.keys(reply.json), BASE_KEYS);
    }
    const none = await api(stub, "/api/v1/sessions", {
      body: new TextEncoder().encode(
        JSON.stringify({ action_type: "scan" }),
      ),
    });
    assert.equal(none.status, 201, none.text);
  });
});

Deno.test("GET /api/v1/sessions/:id returns the live session through every status", async () => {
  await withStub(async ({ stub }) => {
    const created = await createSession(stub, {
      action_type: "photo",
      output_format: "jpg",
      intro_text: "Hello",
    });
    const pending = await getSession(stub, created.id);
    assertJson(pending, 200, JSON.stringify(created));

    await stub.phone.open(created.id);
    const opened = await getSession(stub, created.id);
    assert.equal(opened.status, 200);
    assert.equal(opened.json.status, "opened");
    assert.equal(opened.text, JSON.stringify({ ...created, status: "opened" }));

    await stub.phone.start(created.id);
    const started = await getSession(stub, created.id);
    assert.equal(started.json.status, "action_started");

    const items = await stub.phone.submit(created.id, [{
      contentType: "image/jpeg",
      filename: "photo.jpg",
      data: sampleJpeg(),
    }]);
    const done = await getSession(stub, created.id);
    assert.equal(done.status, 200);
    assert.equal(done.headers.get("content-type"), JSON_TYPE);
    assert.deepEqual(Object.keys(done.json), [
      "id",
      "action_type",
      "status",
      "intro_text",
      ...BASE_KEYS.slice(3),
      "completed_at",
      "result",
    ]);
    assert.equal(done.json.status, "completed");
    assert.match(done.json.completed_at, TIMESTAMP_RE);
    assert.equal(items.length, 1);
    const first = items[0]!;
    assert.ok(
      done.text.endsWith(
        `,"result":[{"download_id":"${first.downloadId}","content_type":"image/jpeg","filename":"photo.jpg"}]}`,
      ),
      done.text,
    );
  });
});

Deno.test("a session completed with no items has completed_at and no result field", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub);
    await stub.phone.open(s.id);
    await stub.phone.submit(s.id, []);
    const done = await getSession(stub, s.id);
    assert.deepEqual(Object.keys(done.json), [...BASE_KEYS, "completed_at"]);
    const result = await getResult(stub, s.id);
    assert.equal(result.status, 200);
    assert.match(
      result.text,
      new RegExp(
        `^\\{"completed_at":"${TS}","items":\\[\\],"status":"completed"\\}$`,
      ),
    );
  });
});

Deno.test("GET /api/v1/sessions/:id answers 404 session not found for an unknown id or a non-UUID", async () => {
  await withStub(async ({ stub }) => {
    assertError(await getSession(stub, UNKNOWN_ID), 404, "session not found");
    assertError(await getSession(stub, "not-a-uuid"), 404, "session not found");
  });
});

Deno.test("GET result answers 202 with the status while pending, opened and action_started", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub, {
      action_type: "photo",
      output_format: "jpg",
      intro_text: "hi",
    });
    assertJson(await getResult(stub, s.id), 202, `{"status":"pending"}`);
    await stub.phone.open(s.id);
    assertJson(await getResult(stub, s.id), 202, `{"status":"opened"}`);
    await stub.phone.start(s.id);
    assertJson(
      await getResult(stub, s.id),
      202,
      `{"status":"action_started"}`,
    );
  });
});

Deno.test("GET result of a completed photo session answers 200 with alphabetical keys and the items", async () => {
  await withStub(async ({ stub }) => {
    const { id, items } = await completedPhoto(stub);
    const reply = await getResult(stub, id);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get("content-type"), JSON_TYPE);
    assert.match(
      reply.text,
      new RegExp(
        `^\\{"completed_at":"${TS}","items":\\[\\{"download_id":"${
          items[0]!.downloadId
        }","content_type":"image/jpeg","filename":"photo.jpg"\\}\\],"status":"completed"\\}$`,
      ),
    );
    const session = await getSession(stub, id);
    assert.equal(reply.json.completed_at, session.json.completed_at);
  });
});

Deno.test("GET result of a completed scan session has items null and the scan_result", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub, { action_type: "scan" });
    await stub.phone.open(s.id);
    await stub.phone.uploadPage(s.id, { data: sampleJpeg() });
    await stub.phone.finalize(s.id);
    const reply = await getResult(stub, s.id);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get("content-type"), JSON_TYPE);
    assert.match(
      reply.text,
      new RegExp(
        `^\\{"completed_at":"${TS}","items":null,"scan_result":\\{"documents":\\[\\{"pdf_url":"/api/v1/downloads/${UUID}"\\}\\]\\},"status":"completed"\\}$`,
      ),
    );
    const session = await getSession(stub, s.id);
    assert.deepEqual(Object.keys(session.json), [
      ...BASE_KEYS,
      "completed_at",
      "document_mode",
      "scan_output_format",
      "scan_result",
    ]);
    assert.deepEqual(session.json.scan_result, reply.json.scan_result);
  });
});

Deno.test("GET result answers 404 session not found for an unknown session", async () => {
  await withStub(async ({ stub }) => {
    assertError(await getResult(stub, UNKNOWN_ID), 404, "session not found");
    assertError(await getResult(stub, "nope"), 404, "session not found");
  });
});

Deno.test("a download answers the raw bytes, the sent content type and Content-Disposition: attachment, repeatedly", async () => {
  await withStub(async ({ stub }) => {
    const data = sampleJpeg();
    const { items } = await completedPhoto(stub, undefined, [
      { contentType: "image/jpeg", filename: "photo.jpg", data },
    ]);
    for (let i = 0; i < 2; i++) {
      const reply = await download(stub, items[0]!.downloadId);
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get("content-type"), "image/jpeg");
      assert.equal(reply.headers.get("content-disposition"), "attachment");
      assert.deepEqual(reply.bytes, data);
    }
  });
});

Deno.test("a file sent without a content type downloads with a literally empty Content-Type", async () => {
  await withStub(async ({ stub }) => {
    const data = bytesOf(100, 3);
    const { items } = await completedPhoto(stub, undefined, [
      { contentType: "", filename: "x.bin", data },
    ]);
    assert.equal(items[0]!.contentType, "");
    const reply = await download(stub, items[0]!.downloadId);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get("content-type"), "");
    assert.deepEqual(reply.bytes, data);
  });
});

Deno.test("a download of an unknown id answers 404 file not found or expired", async () => {
  await withStub(async ({ stub }) => {
    assertError(
      await download(stub, UNKNOWN_ID),
      404,
      "file not found or expired",
    );
    assertError(
      await download(stub, "garbage"),
      404,
      "file not found or expired",
    );
  });
});

Deno.test("several API keys are accepted and any valid key may download any file", async () => {
  await withStub(async ({ stub }) => {
    assert.equal(stub.apiKey, "first-key");
    assert.deepEqual([...stub.apiKeys], ["first-key", "second-key"]);
    const s = await createSession(stub, undefined, "first-key");
    const viaSecond = await api(stub, `/api/v1/sessions/${s.id}`, {
      key: "second-key",
    });
    assert.equal(viaSecond.status, 200);
    await stub.phone.open(s.id);
    const [item] = await stub.phone.submit(s.id, [{
      contentType: "image/jpeg",
      filename: "photo.jpg",
      data: sampleJpeg(),
    }]);
    const dl = await download(stub, item!.downloadId, "second-key");
    assert.equal(dl.status, 200);
    const other = await createSession(stub, undefined, "second-key");
    assert.match(other.id, UUID_RE);
  }, { apiKeys: ["first-key", "second-key"] });
});

Deno.test("the API routes answer 401 missing API key without a key, with an empty one, a query key or a Bearer token", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub);
    const { items } = await completedPhoto(stub);
    const routes: [string, string, unknown][] = [
      ["POST", "/api/v1/sessions", {
        action_type: "photo",
        output_format: "jpg",
      }],
      ["GET", `/api/v1/sessions/${s.id}`, undefined],
      ["GET", `/api/v1/sessions/${s.id}/result`, undefined],
      ["GET", `/api/v1/downloads/${items[0]!.downloadId}`, undefined],
    ];
    for (const [method, path, body] of routes) {
      const variants: {
        key: string | null;
        suffix: string;
        h?: Record<string, string>;
      }[] = [
        { key: null, suffix: "" },
        { key: "", suffix: "" },
        {
          key: null,
          suffix: `${path.includes("?") ? "&" : "?"}api_key=${stub.apiKey}`,
        },
        {
          key: null,
          suffix: "",
          h: { authorization: `Bearer ${stub.apiKey}` },
        },
      ];
      for (const v of variants) {
        const reply = await api(stub, path + v.suffix, {
          method,
          key: v.key,
          ...(body === undefined ? {} : { body }),
          ...(v.h === undefined ? {} : { headers: v.h }),
        });
        assertError(reply, 401, "missing API key");
      }
      const wrong = await api(stub, path, {
        method,
        key: "wrong-key",
        ...(body === undefined ? {} : { body }),
      });
      assertError(wrong, 401, "invalid API key");
    }
  });
});

Deno.test("auth is checked before the create body is read", async () => {
  await withStub(async ({ stub }) => {
    assertError(
      await api(stub, "/api/v1/sessions", { key: null, body: "{not json" }),
      401,
      "missing API key",
    );
    assertError(
      await api(stub, "/api/v1/sessions", { key: "bad", body: "" }),
      401,
      "invalid API key",
    );
    assertError(
      await api(stub, `/api/v1/sessions/${UNKNOWN_ID}`, { key: "bad" }),
      401,
      "invalid API key",
    );
  });
});

Deno.test("health and version answer without auth", async () => {
  await withStub(async ({ stub }) => {
    assertJson(
      await api(stub, "/api/v1/health", { key: null }),
      200,
      `{"status":"ok"}`,
    );
    assertJson(
      await api(stub, "/api/v1/health", { key: "wrong" }),
      200,
      `{"status":"ok"}`,
    );
    assertJson(
      await api(stub, "/api/v1/version", { key: null }),
      200,
      `{"commit":"stub","version":"stub"}`,
    );
  });
});

Deno.test("version reports the version option with keys in alphabetical order", async () => {
  await withStub(async ({ stub }) => {
    assertJson(
      await api(stub, "/api/v1/version", { key: null }),
      200,
      `{"commit":"abc1234","version":"v9.9.9"}`,
    );
  }, { version: { version: "v9.9.9", commit: "abc1234" } });
});

Deno.test("POST /api/v1/sessions/ with a trailing slash answers 307 to /api/v1/sessions", async () => {
  await withStub(async ({ stub }) => {
    const reply = await api(stub, "/api/v1/sessions/", {
      body: { action_type: "photo", output_format: "jpg" },
      redirect: "manual",
    });
    assert.equal(reply.status, 307);
    const location = reply.headers.get("location");
    assert.ok(location !== null);
    assert.equal(new URL(location, stub.url).pathname, "/api/v1/sessions");
    assert.equal(stub.sessions().length, 0);
  });
});

Deno.test("unknown routes answer 404 text/plain 404 page not found", async () => {
  await withStub(async ({ stub }) => {
    const cases: [string, string][] = [
      ["GET", "/"],
      ["GET", "/api/v1"],
      ["GET", "/api/v1/nope"],
      ["GET", "/api/v2/health"],
      ["GET", "/api/v1/sessions"],
      ["DELETE", `/api/v1/sessions/${UNKNOWN_ID}`],
      ["PUT", "/api/v1/sessions"],
      ["GET", "/api/v1/downloads"],
      ["POST", "/api/v1/health"],
    ];
    for (const [method, path] of cases) {
      const reply = await api(stub, path, { method });
      assert.equal(reply.status, 404, `${method} ${path}`);
      assert.match(reply.headers.get("content-type") ?? "", /^text\/plain/);
      assert.equal(reply.text, "404 page not found", `${method} ${path}`);
    }
  });
});

Deno.test("OPTIONS and HEAD answer 404 and no CORS headers are ever sent", async () => {
  await withStub(async ({ stub }) => {
    const options = await api(stub, "/api/v1/sessions", {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
      },
    });
    assert.equal(options.status, 404);
    assert.match(options.headers.get("content-type") ?? "", /^text\/plain/);
    assert.equal(options.text, "404 page not found");
    assert.equal(options.headers.get("access-control-allow-origin"), null);

    for (const path of ["/api/v1/health", `/api/v1/sessions/${UNKNOWN_ID}`]) {
      const head = await api(stub, path, { method: "HEAD" });
      assert.equal(head.status, 404, `HEAD ${path}`);
    }

    const withOrigin = await api(stub, "/api/v1/health", {
      headers: { origin: "https://app.example" },
    });
    assert.equal(withOrigin.status, 200);
    for (const [name] of withOrigin.headers) {
      assert.ok(!name.startsWith("access-control-"), name);
    }
  });
});

Deno.test("bodies over 2 KB are sent chunked without Content-Length, small ones with it", async () => {
  await withStub(async ({ stub }) => {
    const big = bytesOf(8192, 11);
    const { items } = await completedPhoto(stub, undefined, [
      { contentType: "application/octet-stream", filename: "b.bin", data: big },
    ]);
    const dl = await download(stub, items[0]!.downloadId);
    assert.equal(dl.status, 200);
    assert.equal(dl.headers.get("content-length"), null);
    assert.deepEqual(dl.bytes, big);

    const host = new URL(stub.url).host;
    const raw = await rawRequest(stub, [
      `GET /api/v1/downloads/${items[0]!.downloadId} HTTP/1.1`,
      `Host: ${host}`,
      `X-API-Key: ${stub.apiKey}`,
      "Connection: close",
    ]);
    assert.equal(raw.status, 200);
    assert.ok(raw.chunked, raw.head);
    assert.equal(raw.headers.has("content-length"), false);
    assert.deepEqual(raw.body, big);

    const longIntro = await createSession(stub, {
      action_type: "photo",
      output_format: "jpg",
      intro_text: "x".repeat(3000),
    });
    const session = await getSession(stub, longIntro.id);
    assert.equal(session.status, 200);
    assert.equal(session.headers.get("content-length"), null);

    const health = await api(stub, "/api/v1/health");
    assert.equal(
      health.headers.get("content-length"),
      String(health.bytes.length),
    );
  });
});

Deno.test("download responses keep working for a small file with Content-Length", async () => {
  await withStub(async ({ stub }) => {
    const small = bytesOf(100, 5);
    const { items } = await completedPhoto(stub, undefined, [
      { contentType: "image/png", filename: "s.png", data: small },
    ]);
    const dl = await download(stub, items[0]!.downloadId);
    assert.equal(dl.headers.get("content-length"), "100");
    assert.equal(dl.headers.get("content-type"), "image/png");
  });
});
