// Copyright 2026 the handoff authors. MIT license.
// What the client sends and how it reads the answers: first against a fake
// fetch (exact requests), then against the stub server (real HTTP).

import assert from "node:assert/strict";
import {
  type CreateSessionOptions,
  HandoffClient,
  type LiveSessionInfo,
  NotFoundError,
  ServerError,
  type Session,
  UnauthorizedError,
} from "../../mod.ts";
import {
  samplePng,
  startStubServer,
  type StubServer,
  type StubServerOptions,
} from "../../testing.ts";
import {
  BASE,
  type Call,
  created,
  ErrorLog,
  fakeClient,
  FakeFetch,
  FakeWebSocket,
  ID,
  json,
  KEY,
  sessionJson,
} from "./_fake_fetch.ts";

const log = new ErrorLog();

function assertKeyInHeaderOnly(call: Call): void {
  assert.equal(call.headers.get("x-api-key"), KEY, `no key on ${call.url}`);
  assert.ok(!call.url.includes(KEY), `the key is in the URL ${call.url}`);
  assert.ok(!call.url.includes("api_key"), `api_key in the URL ${call.url}`);
}

/** Answers by route, as the real server would for a pending photo session. */
function server(call: Call): Response {
  const path = new URL(call.url).pathname;
  if (call.method === "POST" && path === "/api/v1/sessions") return created();
  if (path === `/api/v1/sessions/${ID}`) return json(200, sessionJson());
  if (path.startsWith("/api/v1/downloads/")) {
    return new Response(new Uint8Array([1, 2, 3]), {
      headers: { "content-type": "image/png", "content-length": "3" },
    });
  }
  if (path === "/api/v1/health") return json(200, { status: "ok" });
  if (path === "/api/v1/version") {
    return json(200, { commit: "b392bf9", version: "1.2.3" });
  }
  return new Response("404 page not found", { status: 404 });
}

// ---- requests ---------------------------------------------------------------

Deno.test("REST calls carry the API key in the X-API-Key header and never in the URL", async () => {
  const fake = new FakeFetch(server);
  const client = fakeClient(fake);
  const session = await client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  await session.close();
  await client.getSession(ID);
  await client.downloadFile("d0wnl0ad");
  const stream = await client.downloadStream("/api/v1/downloads/d0wnl0ad");
  await stream.body.cancel();
  assert.equal(fake.calls.length, 4);
  for (const call of fake.calls) assertKeyInHeaderOnly(call);
  // The session's WebSocket takes the key in a header too.
  const socket = FakeWebSocket.opened.at(-1)!;
  assert.equal(socket.url, `ws://handoff.test/api/v1/sessions/${ID}/ws`);
  assert.deepEqual(socket.init, { headers: { "X-API-Key": KEY } });
});

Deno.test("health() and version() send no API key", async () => {
  const fake = new FakeFetch(server);
  const client = fakeClient(fake);
  assert.deepEqual(await client.health(), { status: "ok" });
  assert.deepEqual(await client.version(), {
    version: "1.2.3",
    commit: "b392bf9",
  });
  assert.deepEqual(fake.calls.map((c) => [c.method, c.url]), [
    ["GET", `${BASE}/api/v1/health`],
    ["GET", `${BASE}/api/v1/version`],
  ]);
  for (const call of fake.calls) {
    assert.equal(call.headers.get("x-api-key"), null);
    assert.ok(!call.url.includes(KEY));
  }
});

Deno.test("createSession() posts a snake_case JSON body", async () => {
  const cases: [CreateSessionOptions, unknown][] = [
    [
      {
        action: "photo",
        outputFormat: "jpg",
        intro: "A photo of your ID, please",
        sessionTtl: "10m",
        resultTtl: "90s",
      },
      {
        action_type: "photo",
        output_format: "jpg",
        intro_text: "A photo of your ID, please",
        session_ttl: "10m",
        result_ttl: "90s",
      },
    ],
    [
      { action: "signature", outputFormat: "svg" },
      { action_type: "signature", output_format: "svg" },
    ],
    [
      { action: "scan", documentMode: "multi", scanOutputFormat: "images" },
      { action_type: "scan", output_format: "images", document_mode: "multi" },
    ],
    [{ action: "scan" }, { action_type: "scan" }],
  ];
  for (const [options, expected] of cases) {
    const fake = new FakeFetch(() => created());
    await (await fakeClient(fake).createSession(options)).close();
    const call = fake.only;
    assert.equal(call.method, "POST");
    assert.equal(call.url, `${BASE}/api/v1/sessions`);
    assert.match(call.headers.get("content-type") ?? "", /^application\/json/);
    assert.deepEqual(JSON.parse(call.body!), expected);
  }
});

Deno.test("createSession() returns a session built from the server's answer", async () => {
  const fake = new FakeFetch(() =>
    created({
      action_type: "signature",
      output_format: "svg",
      intro_text: "Sign here",
    })
  );
  const session: Session = await fakeClient(fake).createSession({
    action: "signature",
    outputFormat: "svg",
    intro: "Sign here",
  });
  try {
    assert.equal(session.id, ID);
    assert.equal(session.url, `${BASE}/s/${ID}`);
    assert.equal(session.actionType, "signature");
    assert.equal(session.outputFormat, "svg");
    assert.equal(session.introText, "Sign here");
    assert.equal(session.status, "pending");
    assert.equal(
      session.createdAt.toISOString(),
      "2026-11-22T02:07:46.877Z",
    );
    assert.equal(session.expiresAt.toISOString(), "2026-11-22T02:37:46.877Z");
  } finally {
    await session.close();
  }
});

Deno.test("getSession() returns the expired tombstone as a value, not an error", async () => {
  const fake = new FakeFetch(() => json(200, { id: ID, status: "expired" }));
  const info = await fakeClient(fake).getSession(ID);
  assert.deepEqual(info, { id: ID, status: "expired" });
  assert.equal(fake.only.url, `${BASE}/api/v1/sessions/${ID}`);
  assert.equal(fake.only.method, "GET");
});

Deno.test("getSession() maps a Session to camelCase with Dates and millisecond durations", async () => {
  const fake = new FakeFetch(() =>
    json(
      200,
      sessionJson({
        status: "completed",
        intro_text: "Hi <you> & co",
        session_ttl: 1_800_000_000_000,
        result_ttl: 1_500_000_000,
        created_at: "2026-11-22T03:07:46.87742371+01:00",
        completed_at: "2026-11-22T02:10:00Z",
        result: [{
          download_id: "dl-1",
          content_type: "image/jpeg",
          filename: "photo.jpg",
        }],
      }),
    )
  );
  const info = await fakeClient(fake).getSession(ID);
  const expected: LiveSessionInfo = {
    id: ID,
    status: "completed",
    actionType: "photo",
    outputFormat: "jpg",
    introText: "Hi <you> & co",
    url: `${BASE}/s/${ID}`,
    createdAt: new Date("2026-11-22T02:07:46.877Z"),
    expiresAt: new Date("2026-11-22T02:37:46.877Z"),
    completedAt: new Date("2026-11-22T02:10:00Z"),
    sessionTtlMs: 1_800_000,
    resultTtlMs: 1_500,
    result: [{
      downloadId: "dl-1",
      contentType: "image/jpeg",
      filename: "photo.jpg",
    }],
  };
  assert.deepEqual(info, expected);
  assert.equal(
    info.expiresAt.getTime(),
    info.createdAt.getTime() + info.sessionTtlMs,
  );
});

Deno.test("getSession() reads a scan session's mode, format and documents", async () => {
  const fake = new FakeFetch(() =>
    json(
      200,
      sessionJson({
        action_type: "scan",
        status: "completed",
        output_format: "",
        session_ttl: 90_000_000_000,
        created_at: "2026-11-22T02:07:46Z",
        completed_at: "2026-11-22T02:08:00.5Z",
        document_mode: "multi",
        scan_output_format: "images",
        scan_result: {
          documents: [{
            pages: [
              { url: "/api/v1/downloads/p1", content_type: "image/jpeg" },
              { url: "/api/v1/downloads/p2", content_type: "image/png" },
            ],
          }, { pdf_url: "/api/v1/downloads/doc2" }],
        },
      }),
    )
  );
  const info = await fakeClient(fake).getSession(ID);
  assert.ok(info.status === "completed");
  assert.equal(info.actionType, "scan");
  assert.equal(info.documentMode, "multi");
  assert.equal(info.scanOutputFormat, "images");
  assert.equal(info.outputFormat, undefined);
  assert.equal(info.sessionTtlMs, 90_000);
  assert.equal(info.expiresAt.toISOString(), "2026-11-22T02:09:16.000Z");
  assert.deepEqual(info.scanResult, {
    documents: [{
      format: "images",
      pages: [
        { url: "/api/v1/downloads/p1", contentType: "image/jpeg" },
        { url: "/api/v1/downloads/p2", contentType: "image/png" },
      ],
    }, { format: "pdf", pdfUrl: "/api/v1/downloads/doc2" }],
  });
});

Deno.test("getSession() escapes the id into the path and refuses an empty one", async () => {
  const fake = new FakeFetch(() => json(404, { error: "session not found" }));
  const client = fakeClient(fake);
  const error = await log.catch(client.getSession("a/b?c#d"));
  assert.ok(error instanceof NotFoundError);
  assert.equal(fake.only.url, `${BASE}/api/v1/sessions/a%2Fb%3Fc%23d`);
  const empty = await log.catch(client.getSession(""));
  assert.ok(empty instanceof TypeError);
  assert.equal(fake.calls.length, 1);
});

Deno.test("downloadFile() takes a download id, a relative URL, or an absolute URL on the same server", async () => {
  const fake = new FakeFetch(server);
  const client = fakeClient(fake);
  for (
    const idOrUrl of [
      "d0wnl0ad",
      "/api/v1/downloads/d0wnl0ad",
      `${BASE}/api/v1/downloads/d0wnl0ad`,
    ]
  ) {
    const file = await client.downloadFile(idOrUrl);
    assert.deepEqual(file.data, new Uint8Array([1, 2, 3]));
    assert.equal(file.contentType, "image/png");
  }
  assert.deepEqual(
    fake.calls.map((c) => c.url),
    Array(3).fill(`${BASE}/api/v1/downloads/d0wnl0ad`),
  );
});

Deno.test("downloads go below the base URL's path prefix", async () => {
  const fake = new FakeFetch(() => new Response(new Uint8Array([1])));
  const client = fakeClient(fake, { baseUrl: `${BASE}/prefix/` });
  await client.downloadFile("d1");
  await client.downloadFile("/api/v1/downloads/d2");
  assert.deepEqual(fake.calls.map((c) => c.url), [
    `${BASE}/prefix/api/v1/downloads/d1`,
    `${BASE}/prefix/api/v1/downloads/d2`,
  ]);
});

Deno.test("a download URL on another server is refused without sending anything", async () => {
  const fake = new FakeFetch(server);
  const client = fakeClient(fake);
  for (
    const url of [
      "http://evil.test/api/v1/downloads/d0wnl0ad",
      "//evil.test/api/v1/downloads/d0wnl0ad",
      "https://handoff.test/api/v1/downloads/d0wnl0ad",
      "http://handoff.test:8080/api/v1/downloads/d0wnl0ad",
    ]
  ) {
    const error = await log.catch(client.downloadFile(url));
    assert.ok(error instanceof TypeError, `${url}: ${error}`);
    assert.match((error as Error).message, /Refusing to download/);
    const streamError = await log.catch(client.downloadStream(url));
    assert.ok(streamError instanceof TypeError, `${url}: ${streamError}`);
  }
  for (const bad of ["", "/api/v1/sessions/x", "/api/v1/downloads/x?y=1"]) {
    assert.ok(await log.catch(client.downloadFile(bad)) instanceof TypeError);
  }
  assert.equal(fake.calls.length, 0);
});

Deno.test("downloadStream() returns the body as a stream with its content type and length", async () => {
  const bytes = new Uint8Array(70_000).map((_, i) => i % 251);
  const fake = new FakeFetch(() =>
    new Response(bytes, {
      headers: {
        "content-type": "application/pdf",
        "content-length": String(bytes.length),
      },
    })
  );
  const download = await fakeClient(fake).downloadStream("doc");
  assert.ok(download.body instanceof ReadableStream);
  assert.equal(download.contentType, "application/pdf");
  assert.equal(download.contentLength, bytes.length);
  const received = new Uint8Array(
    await new Response(download.body).arrayBuffer(),
  );
  assert.deepEqual(received, bytes);
});

Deno.test("downloadStream() leaves out the length when the server sends none", async () => {
  const fake = new FakeFetch(() =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array([9, 8]));
          controller.close();
        },
      }),
      { headers: { "content-type": "" } },
    )
  );
  const download = await fakeClient(fake).downloadStream("x");
  assert.equal(download.contentType, "");
  assert.equal("contentLength" in download, false);
  assert.deepEqual(
    new Uint8Array(await new Response(download.body).arrayBuffer()),
    new Uint8Array([9, 8]),
  );
});

// ---- against the stub server -----------------------------------------------

const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

/** Run `body` with a stub that accepts {@linkcode KEY} and a client of it. */
async function withStub(
  body: (server: StubServer, client: HandoffClient) => Promise<void>,
  options: StubServerOptions = {},
): Promise<void> {
  const server = await startStubServer({ apiKeys: [KEY], ...options });
  try {
    const client = new HandoffClient({
      baseUrl: server.url,
      apiKey: KEY,
      retry: { initialDelayMs: 1, maxDelayMs: 5 },
    });
    await body(server, client);
  } finally {
    await server.close();
  }
}

Deno.test("health() and version() answer from the stub", async () => {
  await withStub(async (_server, client) => {
    assert.deepEqual(await client.health(), { status: "ok" });
    assert.deepEqual(await client.version(), {
      version: "1.2.3",
      commit: "b392bf9",
    });
  }, { version: { version: "1.2.3", commit: "b392bf9" } });
});

Deno.test("each action can be created on the stub and read back with getSession()", async () => {
  await withStub(async (server, client) => {
    const cases: [CreateSessionOptions, Partial<LiveSessionInfo>][] = [
      [
        {
          action: "photo",
          outputFormat: "jpg",
          intro: "Your ID, <please>",
          sessionTtl: "10m",
          resultTtl: 90_000,
        },
        {
          actionType: "photo",
          outputFormat: "jpg",
          introText: "Your ID, <please>",
          sessionTtlMs: 600_000,
          resultTtlMs: 90_000,
        },
      ],
      [
        { action: "signature", outputFormat: "svg" },
        {
          actionType: "signature",
          outputFormat: "svg",
          sessionTtlMs: 1_800_000,
          resultTtlMs: 300_000,
        },
      ],
      [
        { action: "scan", documentMode: "multi", scanOutputFormat: "images" },
        {
          actionType: "scan",
          documentMode: "multi",
          scanOutputFormat: "images",
        },
      ],
      [
        { action: "scan" },
        { actionType: "scan", documentMode: "single", scanOutputFormat: "pdf" },
      ],
    ];
    for (const [options, expected] of cases) {
      const session = await client.createSession(options);
      try {
        const info = await client.getSession(session.id);
        assert.ok(info.status === "pending", `status ${info.status}`);
        for (const [key, value] of Object.entries(expected)) {
          assert.deepEqual(info[key as keyof LiveSessionInfo], value, key);
        }
        assert.equal(info.id, session.id);
        assert.equal(info.url, `${server.baseUrl}/s/${session.id}`);
        assert.equal(info.url, session.url);
        assert.equal(
          info.expiresAt.getTime(),
          info.createdAt.getTime() + info.sessionTtlMs,
        );
        const held = server.session(session.id);
        assert.equal(held?.actionType, options.action);
        assert.equal(held?.expiresAt.getTime(), info.expiresAt.getTime());
      } finally {
        await session.close();
      }
    }
    assert.equal(server.sessions().length, cases.length);
  });
});

Deno.test("getSession() returns the stub's expired tombstone as a value", async () => {
  await withStub(async (server, client) => {
    const session = await client.createSession({ action: "scan" });
    await session.close();
    server.expire(session.id);
    assert.deepEqual(await client.getSession(session.id), {
      id: session.id,
      status: "expired",
    });
  });
});

Deno.test("a key the stub does not accept gives UnauthorizedError", async () => {
  await withStub(async (server, client) => {
    const wrong = new HandoffClient({
      baseUrl: server.url,
      apiKey: "sk_test_WRONG_987",
    });
    const created = await log.catch(wrong.createSession({ action: "scan" }));
    assert.ok(created instanceof UnauthorizedError, `got ${created}`);
    assert.equal(created.serverMessage, "invalid API key");
    assert.ok(!created.message.includes("sk_test_WRONG_987"));
    assert.equal(server.sessions().length, 0);
    const session = await client.createSession({ action: "scan" });
    await session.close();
    const read = await log.catch(wrong.getSession(session.id));
    assert.ok(read instanceof UnauthorizedError, `got ${read}`);
    assert.equal(server.stats().requests.session, 1, "a 401 is not retried");
    // health needs no key
    assert.deepEqual(await wrong.health(), { status: "ok" });
  });
});

Deno.test("an unknown session or download id gives NotFoundError", async () => {
  await withStub(async (_server, client) => {
    for (const id of [UNKNOWN_ID, "not-a-uuid"]) {
      const error = await log.catch(client.getSession(id));
      assert.ok(error instanceof NotFoundError, `got ${error}`);
      assert.equal(error.serverMessage, "session not found");
    }
    const download = await log.catch(client.downloadFile(UNKNOWN_ID));
    assert.ok(download instanceof NotFoundError, `got ${download}`);
    assert.equal(download.serverMessage, "file not found or expired");
  });
});

Deno.test("a GET the stub fails twice with 503 is retried and succeeds", async () => {
  await withStub(async (server, client) => {
    const session = await client.createSession({
      action: "photo",
      outputFormat: "png",
    });
    await session.close();
    server.faults.failRequests("session", 2, 503);
    const info = await client.getSession(session.id);
    assert.equal(info.id, session.id);
    assert.equal(server.stats().requests.session, 3);
  });
});

Deno.test("a create the stub fails with 500 is a ServerError, not retried, and no session is made twice", async () => {
  await withStub(async (server, client) => {
    server.faults.failRequests("create", 1, 500);
    const error = await log.catch(client.createSession({ action: "scan" }));
    assert.ok(error instanceof ServerError, `got ${error}`);
    assert.equal(error.status, 500);
    assert.equal(error.serverMessage, "injected fault");
    assert.equal(server.stats().requests.create, 1);
    // The caller retries by hand: exactly one session exists.
    const session = await client.createSession({ action: "scan" });
    await session.close();
    assert.equal(server.stats().requests.create, 2);
    assert.equal(server.sessions().length, 1);
    assert.equal(server.sessions()[0]?.id, session.id);
  });
});

Deno.test("a submitted photo downloads byte for byte, by id and as a stream", async () => {
  await withStub(async (server, client) => {
    const session = await client.createSession({
      action: "photo",
      outputFormat: "png",
    });
    try {
      await server.phone.open(session.id);
      await server.phone.start(session.id);
      const [item] = await server.phone.submit(session.id, [
        { contentType: "image/png", filename: "s.png", data: samplePng() },
      ]);
      const info = await client.getSession(session.id);
      assert.ok(info.status === "completed");
      assert.deepEqual(info.result, [item]);
      const file = await client.downloadFile(item!.downloadId);
      assert.deepEqual(file.data, samplePng());
      assert.equal(file.contentType, "image/png");
      const stream = await client.downloadStream(item!.downloadId);
      assert.equal(stream.contentType, "image/png");
      const streamed = new Uint8Array(
        await new Response(stream.body).arrayBuffer(),
      );
      assert.deepEqual(streamed, samplePng());
      if (stream.contentLength !== undefined) {
        assert.equal(stream.contentLength, samplePng().length);
      }
    } finally {
      await session.close();
    }
  });
});

Deno.test("scan pages download through the relative URLs of the result", async () => {
  await withStub(async (server, client) => {
    const session = await client.createSession({
      action: "scan",
      scanOutputFormat: "images",
    });
    try {
      await server.phone.open(session.id);
      await server.phone.uploadPage(session.id, {
        data: samplePng(),
        contentType: "image/png",
      });
      await server.phone.finalize(session.id);
      const info = await client.getSession(session.id);
      assert.ok(info.status === "completed");
      const page = info.scanResult?.documents[0];
      assert.ok(page?.format === "images");
      const url = page.pages[0]!.url;
      assert.match(url, /^\/api\/v1\/downloads\//);
      const file = await client.downloadFile(url);
      assert.deepEqual(file.data, samplePng());
      assert.equal(file.contentType, "image/png");
      const absolute = await client.downloadFile(`${server.url}${url}`);
      assert.deepEqual(absolute.data, samplePng());
    } finally {
      await session.close();
    }
  });
});

Deno.test("no error in this file shows the API key, and every library error has a cause", () => {
  log.assertClean();
});
