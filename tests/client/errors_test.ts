// Copyright 2026 the handoff authors. MIT license.
// The error classes, how answers map to them, what counts as off-protocol,
// and that no error ever shows the API key.

import assert from "node:assert/strict";
import {
  ApiError,
  apiErrorFrom,
  BadRequestError,
  ConflictError,
  HandoffError,
  NetworkError,
  NotFoundError,
  ProtocolError,
  ServerError,
  SessionExpiredError,
  TimeoutError,
  UnauthorizedError,
} from "../../mod.ts";
import {
  BASE,
  ErrorLog,
  fakeClient,
  FakeFetch,
  hang,
  ID,
  json,
  KEY,
  sessionJson,
} from "./_fake_fetch.ts";

const log = new ErrorLog();

// ---- the classes ------------------------------------------------------------

Deno.test("apiErrorFrom() picks the class of each status, with status, serverMessage and cause", () => {
  const cases: [number, new (...args: never[]) => ApiError, string, RegExp][] =
    [
      [400, BadRequestError, "BadRequestError", /check the arguments/],
      [401, UnauthorizedError, "UnauthorizedError", /apiKey/],
      [404, NotFoundError, "NotFoundError", /unknown|expired/],
      [409, ConflictError, "ConflictError", /./],
      [500, ServerError, "ServerError", /try again/],
      [503, ServerError, "ServerError", /try again/],
    ];
  for (const [status, type, name, advice] of cases) {
    const body = { error: `message of ${status}` };
    const error = apiErrorFrom(status, body, "GET /api/v1/sessions/x");
    log.errors.push(error);
    assert.equal(error.constructor, type, `${status}`);
    assert.ok(error instanceof ApiError);
    assert.ok(error instanceof HandoffError);
    assert.ok(error instanceof Error);
    assert.equal(error.name, name);
    assert.equal(error.status, status);
    assert.equal(error.serverMessage, `message of ${status}`);
    assert.equal(error.cause, body);
    assert.match(error.message, /^GET \/api\/v1\/sessions\/x failed with /);
    assert.ok(error.message.includes(`${status}`));
    assert.ok(error.message.includes(`message of ${status}`));
    assert.match(error.message, advice);
  }
});

Deno.test("apiErrorFrom() makes a 410 a SessionExpiredError the server confirmed, which is no ApiError", () => {
  const body = { error: "session expired" };
  const error = apiErrorFrom(410, body, "GET /api/v1/sessions/x/result");
  log.errors.push(error);
  assert.equal(error.constructor, SessionExpiredError);
  assert.ok(!(error instanceof ApiError));
  assert.ok(error instanceof HandoffError);
  assert.equal(error.name, "SessionExpiredError");
  assert.equal(error.status, 410);
  assert.equal(error.serverMessage, "session expired");
  assert.equal((error as SessionExpiredError).confirmed, true);
  assert.equal(error.cause, body);
  assert.match(
    error.message,
    /^GET \/api\/v1\/sessions\/x\/result failed with 410: session expired\..*create a new one/,
  );
});

Deno.test("a SessionExpiredError made without an answer has no status and is not confirmed", () => {
  const cause = new TypeError("connection refused");
  const error = new SessionExpiredError("could not reach the server", {
    cause,
  });
  assert.equal(error.status, undefined);
  assert.equal(error.serverMessage, undefined);
  assert.equal(error.confirmed, false);
  assert.equal(error.cause, cause);
});

Deno.test("apiErrorFrom() makes a plain ApiError for a status without a class", () => {
  for (const status of [418, 429, 302]) {
    const error = apiErrorFrom(status, "I'm a teapot\n", "GET /api/v1/health");
    log.errors.push(error);
    assert.equal(error.constructor, ApiError);
    assert.equal(error.name, "ApiError");
    assert.equal(error.status, status);
    assert.equal(error.serverMessage, "I'm a teapot");
    assert.equal(error.cause, "I'm a teapot\n");
  }
});

Deno.test("apiErrorFrom() copes with bodies that carry no message", () => {
  const noMessage = apiErrorFrom(500, { current: 3 }, "GET /x");
  const empty = apiErrorFrom(502, "", "GET /x");
  const long = apiErrorFrom(400, "x".repeat(1000), "GET /x");
  log.errors.push(noMessage, empty, long);
  assert.equal(noMessage.serverMessage, "(no message)");
  assert.equal(empty.serverMessage, "(no body)");
  assert.ok(long.serverMessage!.length <= 201);
  assert.ok(long.message.length < 600);
});

Deno.test("every error class is a HandoffError with its own name and a cause", () => {
  const cause = new Error("root");
  const errors: [HandoffError, string][] = [
    [new NetworkError("n", { cause }), "NetworkError"],
    [new TimeoutError("t", { cause }), "TimeoutError"],
    [new ProtocolError("p", { cause }), "ProtocolError"],
    [new HandoffError("h", { cause }), "HandoffError"],
  ];
  for (const [error, name] of errors) {
    log.errors.push(error);
    assert.ok(error instanceof HandoffError);
    assert.equal(error.name, name);
    assert.equal(error.cause, cause);
  }
});

// ---- errors from answers ----------------------------------------------------

Deno.test("an error answer becomes the matching class with the server's message", async () => {
  const fake = new FakeFetch(() => json(404, { error: "session not found" }));
  const error = await log.catch(fakeClient(fake).getSession(ID));
  assert.ok(error instanceof NotFoundError, `got ${error}`);
  assert.equal(error.status, 404);
  assert.equal(error.serverMessage, "session not found");
  assert.deepEqual(error.cause, { error: "session not found" });
  assert.ok(error.message.includes(`GET /api/v1/sessions/${ID}`));
  assert.ok(error.message.includes("session not found"));
});

Deno.test("a text error answer keeps its text as the server's message", async () => {
  const fake = new FakeFetch(() =>
    new Response("404 page not found", {
      status: 404,
      headers: { "content-type": "text/plain; charset=utf-8" },
    })
  );
  const error = await log.catch(fakeClient(fake).downloadFile("d"));
  assert.ok(error instanceof NotFoundError, `got ${error}`);
  assert.equal(error.serverMessage, "404 page not found");
  assert.equal(error.cause, "404 page not found");
});

Deno.test("a success status the protocol does not use there is a ProtocolError", async () => {
  // POST /sessions answers 201; a 200 (or 204) is off-protocol, not a failure
  // "with 200" of the server.
  for (const status of [200, 204]) {
    const fake = new FakeFetch(() =>
      status === 204
        ? new Response(null, { status })
        : json(status, sessionJson())
    );
    const error = await log.catch(
      fakeClient(fake).createSession({ action: "photo", outputFormat: "jpg" }),
    );
    assert.ok(error instanceof ProtocolError, `${status}: got ${error}`);
    assert.equal(fake.calls.length, 1);
  }
});

// ---- off-protocol answers ---------------------------------------------------

Deno.test("answers that break the protocol are ProtocolErrors, not retried", async () => {
  const bad: [string, string][] = [
    ["invalid JSON", '{"id":'],
    ["an empty body", ""],
    ["HTML", "<html>proxy error</html>"],
    ["a JSON array", "[]"],
    ["JSON null", "null"],
    [
      "a session without id",
      JSON.stringify({ ...sessionJson(), id: undefined }),
    ],
    ["a number id", JSON.stringify(sessionJson({ id: 42 }))],
    ["an unknown status", JSON.stringify(sessionJson({ status: "finished" }))],
    [
      "a missing status",
      JSON.stringify({ ...sessionJson(), status: undefined }),
    ],
    [
      "an unknown action",
      JSON.stringify(sessionJson({ action_type: "video" })),
    ],
    ["a string TTL", JSON.stringify(sessionJson({ session_ttl: "30m" }))],
    ["a numeric timestamp", JSON.stringify(sessionJson({ created_at: 1 }))],
    [
      "a bad timestamp",
      JSON.stringify(sessionJson({ created_at: "yesterday" })),
    ],
    ["a missing url", JSON.stringify({ ...sessionJson(), url: undefined })],
    [
      "a result that is no array",
      JSON.stringify(sessionJson({ status: "completed", result: {} })),
    ],
    [
      "an item without download_id",
      JSON.stringify(
        sessionJson({
          status: "completed",
          result: [{ content_type: "image/jpeg", filename: "a" }],
        }),
      ),
    ],
  ];
  const problems: string[] = [];
  for (const [what, body] of bad) {
    const fake = new FakeFetch(() =>
      new Response(body, {
        headers: { "content-type": "application/json; charset=utf-8" },
      })
    );
    const error = await log.catch(fakeClient(fake).getSession(ID));
    if (!(error instanceof ProtocolError)) problems.push(`${what}: ${error}`);
    else if (error.cause === undefined) problems.push(`${what}: no cause`);
    if (fake.calls.length !== 1) problems.push(`${what}: retried`);
  }
  assert.deepEqual(problems, []);
});

Deno.test("invalid JSON gives a ProtocolError whose cause is the parse error", async () => {
  const fake = new FakeFetch(() => new Response("{", { status: 201 }));
  const error = await log.catch(
    fakeClient(fake).createSession({ action: "scan" }),
  );
  assert.ok(error instanceof ProtocolError, `got ${error}`);
  assert.ok(error.cause instanceof SyntaxError);
  assert.match(error.message, /POST \/api\/v1\/sessions/);
});

Deno.test("health() and version() answers without their fields are ProtocolErrors", async () => {
  for (
    const [path, body] of [
      ["health", '"ok"'],
      ["health", '{"status":1}'],
      ["version", '{"version":"1"}'],
      ["version", "[]"],
    ] as const
  ) {
    const fake = new FakeFetch(() => new Response(body));
    const client = fakeClient(fake);
    const error = await log.catch(
      path === "health" ? client.health() : client.version(),
    );
    assert.ok(error instanceof ProtocolError, `${path} ${body}: got ${error}`);
  }
});

/** A body that does not end before 16 MiB, counting what was read and whether it was cancelled. */
function endlessBody(): {
  body: ReadableStream<Uint8Array>;
  read: () => number;
  cancelled: () => boolean;
} {
  const chunk = new TextEncoder().encode(`{"id":"${"x".repeat(65_000)}`);
  let read = 0;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      // Ends after 16 MiB, so that a client without a limit fails the
      // assertions below instead of hanging.
      if (read >= 16 * 1024 * 1024) return controller.close();
      read += chunk.byteLength;
      controller.enqueue(chunk.slice());
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { body, read: () => read, cancelled: () => cancelled };
}

Deno.test("a JSON body over 4 MiB is a ProtocolError, and the client stops reading it", async () => {
  const endless = endlessBody();
  const fake = new FakeFetch(() => new Response(endless.body));
  const error = await log.catch(fakeClient(fake).getSession(ID));
  assert.ok(error instanceof ProtocolError, `got ${error}`);
  assert.ok(error.cause !== undefined);
  assert.ok(
    endless.read() <= 4 * 1024 * 1024 + 3 * 65_100,
    `read ${endless.read()} bytes`,
  );
  assert.ok(endless.cancelled(), "the body was not cancelled");
  assert.equal(fake.calls.length, 1);
});

Deno.test("an error answer with an endless body is cut off too", async () => {
  const endless = endlessBody();
  const fake = new FakeFetch(() => new Response(endless.body, { status: 500 }));
  const client = fakeClient(fake, { retry: { maxRetries: 0 } });
  const error = await log.catch(client.getSession(ID));
  assert.ok(error instanceof ServerError, `got ${error}`);
  assert.ok(endless.read() <= 4 * 1024 * 1024 + 3 * 65_100);
  assert.ok(endless.cancelled(), "the body was not cancelled");
});

// ---- the API key ------------------------------------------------------------

Deno.test("a fetch error that shows the URL does not show the key", async () => {
  const fake = new FakeFetch((call) => {
    throw new TypeError(`error sending request for url (${call.url})`);
  });
  const error = await log.catch(
    fakeClient(fake, { retry: { maxRetries: 0 } }).getSession(ID),
  );
  assert.ok(error instanceof NetworkError, `got ${error}`);
  assert.ok(error.message.includes(`${BASE}/api/v1/sessions/${ID}`));
  assert.ok(!error.message.includes(KEY));
});

Deno.test("a fetch error that shows the key is redacted in NetworkError.message", async () => {
  const fake = new FakeFetch((call) => {
    const header = call.headers.get("x-api-key");
    throw new TypeError(`invalid header value: x-api-key: ${header}`);
  });
  const error = await log.catch(
    fakeClient(fake, { retry: { maxRetries: 0 } }).getSession(ID),
  );
  assert.ok(error instanceof NetworkError, `got ${error}`);
  assert.ok(!error.message.includes(KEY), error.message);
  assert.ok(!(error.stack ?? "").includes(KEY));
  assert.match(error.message, /invalid header value/);
});

Deno.test("a fetch error that shows the key keeps it out of the error's cause", async () => {
  const fake = new FakeFetch((call) => {
    const header = call.headers.get("x-api-key");
    throw new TypeError("fetch failed", {
      cause: new Error(`proxy refused key ${header}`),
    });
  });
  const error = await log.catch(
    fakeClient(fake, { retry: { maxRetries: 0 } }).createSession({
      action: "scan",
    }),
  );
  assert.ok(error instanceof NetworkError, `got ${error}`);
  const inspected = Deno.inspect(error, { depth: 10 });
  assert.ok(!inspected.includes(KEY), inspected);
});

Deno.test("an error answer that echoes the key does not show it", async () => {
  const fake = new FakeFetch((call) =>
    json(401, {
      error: `invalid API key ${call.headers.get("x-api-key")}`,
    })
  );
  const error = await log.catch(fakeClient(fake).getSession(ID));
  assert.ok(error instanceof UnauthorizedError, `got ${error}`);
  assert.ok(!error.message.includes(KEY), error.message);
  assert.ok(!error.serverMessage.includes(KEY), error.serverMessage);
  assert.ok(!JSON.stringify(error.cause).includes(KEY));
});

Deno.test("timeouts and refused connections do not show the key", async () => {
  const timeout = await log.catch(
    fakeClient(new FakeFetch(hang), {
      timeoutMs: 5,
      retry: { maxRetries: 0 },
    }).health(),
  );
  assert.ok(timeout instanceof TimeoutError);
  const refused = await log.catch(
    fakeClient(
      new FakeFetch(() => {
        throw new TypeError("fetch failed", {
          cause: Object.assign(new Error("connect ECONNREFUSED"), {
            code: "ECONNREFUSED",
          }),
        });
      }),
    ).createSession({ action: "photo", outputFormat: "pdf" }),
  );
  assert.ok(refused instanceof NetworkError);
});

Deno.test("no error in this file shows the API key, and every library error has a cause", () => {
  log.assertClean();
});
