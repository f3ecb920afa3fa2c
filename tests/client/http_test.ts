// Copyright 2026 the handoff authors. MIT license.
// Retries, timeouts and cancellation of REST requests, against a fake fetch
// (and once against a real closed port).

import assert from "node:assert/strict";
import {
  type ApiError,
  BadRequestError,
  ConflictError,
  HandoffClient,
  HandoffError,
  NetworkError,
  NotFoundError,
  ServerError,
  SessionExpiredError,
  TimeoutError,
  UnauthorizedError,
} from "../../mod.ts";
import {
  type Call,
  created,
  ErrorLog,
  fakeClient,
  FakeFetch,
  hang,
  ID,
  json,
  KEY,
  sessionJson,
} from "./_fake_fetch.ts";
import { REFUSED_PORT } from "../_port.ts";

const log = new ErrorLog();

/** Settle `promise` within `ms`, or fail: a guard against waits that should not happen. */
async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`still pending after ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

const unavailable = () => json(503, { error: "service unavailable" });

/** What Deno's fetch throws when nothing listens on the port. */
function refusedLikeDeno(): TypeError {
  return new TypeError("fetch failed", {
    cause: new Error(
      "error sending request for url (http://handoff.test/api/v1/sessions): client error (Connect): tcp connect error: Connection refused (os error 111)",
    ),
  });
}

/** What Node's (undici's) fetch throws when nothing listens on the port. */
function refusedLikeNode(): TypeError {
  const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), {
    code: "ECONNREFUSED",
  });
  return new TypeError("fetch failed", { cause });
}

// ---- retries ----------------------------------------------------------------

Deno.test("a GET is retried on a network error, three times by default, then fails with NetworkError", async () => {
  const failure = new TypeError("error sending request: connection reset");
  const fake = new FakeFetch(() => {
    throw failure;
  });
  const error = await log.catch(fakeClient(fake).getSession(ID));
  assert.ok(error instanceof NetworkError, `got ${error}`);
  assert.ok(error instanceof HandoffError);
  assert.equal(error.cause, failure);
  assert.equal(fake.calls.length, 4);
  for (const call of fake.calls) {
    assert.equal(call.url, `http://handoff.test/api/v1/sessions/${ID}`);
  }
});

Deno.test("a GET is retried on 5xx, three times by default, then fails with ServerError", async () => {
  const statuses = [500, 502, 503, 504];
  const fake = new FakeFetch((_call, n) =>
    json(statuses[n] ?? 599, { error: "injected fault" })
  );
  const error = await log.catch(fakeClient(fake).getSession(ID));
  assert.ok(error instanceof ServerError, `got ${error}`);
  assert.equal(error.status, 504);
  assert.equal(error.serverMessage, "injected fault");
  assert.equal(fake.calls.length, 4);
});

Deno.test("a GET that fails twice and then succeeds resolves", async () => {
  const fake = new FakeFetch((_call, n) => {
    if (n === 0) throw new TypeError("connection reset");
    if (n === 1) return unavailable();
    return json(200, sessionJson());
  });
  const info = await fakeClient(fake).getSession(ID);
  assert.equal(info.id, ID);
  assert.equal(fake.calls.length, 3);
});

Deno.test("health, version and downloads are retried like any GET", async () => {
  const fake = new FakeFetch((call, n) => {
    if (n % 2 === 0) return unavailable();
    if (call.url.endsWith("/health")) return json(200, { status: "ok" });
    if (call.url.endsWith("/version")) {
      return json(200, { commit: "c", version: "v" });
    }
    return new Response(new Uint8Array([7]));
  });
  const client = fakeClient(fake);
  await client.health();
  await client.version();
  assert.deepEqual((await client.downloadFile("d")).data, new Uint8Array([7]));
  assert.equal(fake.calls.length, 6);
});

Deno.test("retry.maxRetries sets the number of retries, and 0 turns them off", async () => {
  for (const [maxRetries, attempts] of [[0, 1], [1, 2], [5, 6]] as const) {
    const down = new FakeFetch(() => {
      throw new TypeError("network down");
    });
    const client = fakeClient(down, {
      retry: { maxRetries, initialDelayMs: 1, maxDelayMs: 2 },
    });
    assert.ok(await log.catch(client.health()) instanceof NetworkError);
    assert.equal(down.calls.length, attempts);

    const failing = new FakeFetch(unavailable);
    const other = fakeClient(failing, {
      retry: { maxRetries, initialDelayMs: 1, maxDelayMs: 2 },
    });
    assert.ok(await log.catch(other.getSession(ID)) instanceof ServerError);
    assert.equal(failing.calls.length, attempts);
  }
});

Deno.test("4xx answers are never retried", async () => {
  const cases: [number, new (...args: never[]) => Error][] = [
    [400, BadRequestError],
    [401, UnauthorizedError],
    [404, NotFoundError],
    [409, ConflictError],
    [410, SessionExpiredError],
  ];
  for (const [status, type] of cases) {
    const fake = new FakeFetch(() => json(status, { error: "nope" }));
    const error = await log.catch(fakeClient(fake).getSession(ID));
    assert.ok(error instanceof type, `${status}: got ${error}`);
    assert.equal(fake.calls.length, 1, `${status} was retried`);
  }
  for (const status of [408, 418, 429]) {
    const fake = new FakeFetch(() =>
      json(status, { error: "nope" }, { "retry-after": "0" })
    );
    const error = await log.catch(fakeClient(fake).health());
    assert.equal((error as ApiError).status, status);
    assert.equal(fake.calls.length, 1, `${status} was retried`);
  }
});

Deno.test("Retry-After: 0 is honoured instead of a long backoff", async () => {
  const fake = new FakeFetch((_call, n) =>
    n === 0
      ? json(503, { error: "busy" }, { "retry-after": "0" })
      : json(200, { status: "ok" })
  );
  const client = fakeClient(fake, {
    retry: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
  });
  assert.deepEqual(await within(5_000, client.health()), { status: "ok" });
  assert.equal(fake.calls.length, 2);
});

Deno.test("an absurd or malformed Retry-After is ignored in favour of the backoff", async () => {
  for (
    const value of [
      "99999",
      "61",
      "-1",
      "soon",
      "Wed, 21 Oct 2099 07:28:00 GMT",
    ]
  ) {
    const fake = new FakeFetch((_call, n) =>
      n === 0
        ? json(503, { error: "busy" }, { "retry-after": value })
        : json(200, { status: "ok" })
    );
    const client = fakeClient(fake);
    assert.deepEqual(await within(5_000, client.health()), { status: "ok" });
    assert.equal(fake.calls.length, 2, `Retry-After: ${value}`);
  }
});

Deno.test("POST /sessions is not retried on 5xx, even with Retry-After", async () => {
  const fake = new FakeFetch(() =>
    json(503, { error: "busy" }, { "retry-after": "0" })
  );
  const error = await log.catch(
    fakeClient(fake).createSession({ action: "photo", outputFormat: "jpg" }),
  );
  assert.ok(error instanceof ServerError, `got ${error}`);
  assert.equal(error.status, 503);
  assert.equal(fake.calls.length, 1);
});

Deno.test("POST /sessions is not retried on a network error that may have reached the server", async () => {
  for (
    const failure of [
      new TypeError("error sending request: connection reset by peer"),
      new TypeError("fetch failed", { cause: new Error("socket hang up") }),
    ]
  ) {
    const fake = new FakeFetch(() => {
      throw failure;
    });
    const error = await log.catch(
      fakeClient(fake).createSession({ action: "scan" }),
    );
    assert.ok(error instanceof NetworkError, `got ${error}`);
    assert.equal(error.cause, failure);
    assert.equal(fake.calls.length, 1);
  }
});

Deno.test("POST /sessions is not retried after a timeout", async () => {
  const fake = new FakeFetch(hang);
  const error = await log.catch(
    fakeClient(fake, { timeoutMs: 20 }).createSession({ action: "scan" }),
  );
  assert.ok(error instanceof TimeoutError, `got ${error}`);
  assert.equal(fake.calls.length, 1);
});

Deno.test("POST /sessions is retried when the connection was refused", async () => {
  for (const refused of [refusedLikeDeno, refusedLikeNode]) {
    const fake = new FakeFetch((_call, n) => {
      if (n < 2) throw refused();
      return created();
    });
    const session = await fakeClient(fake).createSession({
      action: "photo",
      outputFormat: "jpg",
    });
    await session.close();
    assert.equal(session.id, ID);
    assert.equal(fake.calls.length, 3);
    const bodies = new Set(fake.calls.map((c) => c.body));
    assert.equal(bodies.size, 1, "every attempt sends the same body");

    const always = new FakeFetch(() => {
      throw refused();
    });
    const error = await log.catch(
      fakeClient(always).createSession({ action: "scan" }),
    );
    assert.ok(error instanceof NetworkError, `got ${error}`);
    assert.equal(always.calls.length, 4);
  }
});

Deno.test("against a closed port, createSession() fails with NetworkError after 4 attempts", async () => {
  const port = REFUSED_PORT;
  const calls: string[] = [];
  const client = new HandoffClient({
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey: KEY,
    fetch: (input, init) => {
      calls.push(String(input));
      return fetch(input, init);
    },
    retry: { initialDelayMs: 1, maxDelayMs: 5 },
  });
  const error = await log.catch(
    client.createSession({ action: "photo", outputFormat: "png" }),
  );
  assert.ok(error instanceof NetworkError, `got ${error}`);
  assert.ok(error.cause !== undefined);
  assert.equal(calls.length, 4);
  assert.ok(
    calls.every((url) => url === `http://127.0.0.1:${port}/api/v1/sessions`),
  );
  assert.ok(await log.catch(client.health()) instanceof NetworkError);
  assert.equal(calls.length, 8);
});

// ---- timeouts ---------------------------------------------------------------

Deno.test("a request with no answer within timeoutMs fails with TimeoutError, not an AbortError", async () => {
  const fake = new FakeFetch(hang);
  const client = fakeClient(fake, { timeoutMs: 50, retry: { maxRetries: 0 } });
  const error = await log.catch(client.getSession(ID));
  assert.ok(error instanceof TimeoutError, `got ${error}`);
  assert.ok(error instanceof HandoffError);
  assert.ok(!(error instanceof DOMException));
  assert.equal(error.name, "TimeoutError");
  assert.equal(error.cause, 50);
  assert.equal(error.attempts, 1);
  assert.match(
    error.message,
    /timed out: no answer within 50 ms \(timeoutMs\)/,
  );
  assert.equal(fake.calls.length, 1);
  assert.equal(fake.only.signal?.aborted, true);
});

Deno.test("a GET that times out is retried, and its TimeoutError counts the attempts", async () => {
  const fake = new FakeFetch(hang);
  const client = fakeClient(fake, { timeoutMs: 10 });
  const error = await log.catch(client.health());
  assert.ok(error instanceof TimeoutError, `got ${error}`);
  assert.equal(fake.calls.length, 4);
  assert.equal(error.attempts, 4);
  assert.ok(error.elapsedMs >= 40, `elapsedMs ${error.elapsedMs}`);
  assert.match(
    error.message,
    /^GET \/api\/v1\/health timed out: 4 attempts over \d+ ms, each limited to 10 ms \(timeoutMs\)\./,
  );
});

Deno.test("a per-request timeoutMs overrides the client's", async () => {
  const fake = new FakeFetch(hang);
  const client = fakeClient(fake, {
    timeoutMs: 60_000,
    retry: { maxRetries: 0 },
  });
  const error = await log.catch(
    within(5_000, client.getSession(ID, { timeoutMs: 30 })),
  );
  assert.ok(error instanceof TimeoutError, `got ${error}`);
  assert.equal(error.cause, 30);
});

Deno.test("the timeout also covers reading the body", async () => {
  const fake = new FakeFetch((call) =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"id":'));
          call.signal?.addEventListener(
            "abort",
            () => controller.error(call.signal?.reason),
          );
        },
      }),
      { headers: { "content-type": "application/json; charset=utf-8" } },
    )
  );
  const client = fakeClient(fake, { timeoutMs: 50, retry: { maxRetries: 0 } });
  const error = await log.catch(within(5_000, client.getSession(ID)));
  assert.ok(error instanceof TimeoutError, `got ${error}`);
});

// ---- cancellation -----------------------------------------------------------

Deno.test("aborting the caller's signal mid-request rejects with exactly signal.reason", async () => {
  const reasons: unknown[] = [
    undefined, // the default: a DOMException named AbortError
    { why: "the user left" },
    new Error("shutting down"),
    "plain string",
  ];
  for (const reason of reasons) {
    const controller = new AbortController();
    const fake = new FakeFetch((call) => {
      queueMicrotask(() => controller.abort(reason));
      return hang(call);
    });
    const client = fakeClient(fake, { timeoutMs: 60_000 });
    const error = await log.catch(
      within(5_000, client.getSession(ID, { signal: controller.signal })),
    );
    assert.equal(error, controller.signal.reason);
    if (reason === undefined) {
      assert.ok(error instanceof DOMException && error.name === "AbortError");
    }
    assert.equal(fake.calls.length, 1, "an abort is not retried");
  }
});

Deno.test("aborting mid-request rejects createSession() with the reason too", async () => {
  const controller = new AbortController();
  const reason = { why: "cancelled" };
  const fake = new FakeFetch((call) => {
    queueMicrotask(() => controller.abort(reason));
    return hang(call);
  });
  const error = await log.catch(
    fakeClient(fake).createSession({ action: "scan" }, {
      signal: controller.signal,
    }),
  );
  assert.equal(error, reason);
});

Deno.test("an already-aborted signal rejects with its reason without calling fetch", async () => {
  const fake = new FakeFetch(() => created());
  const client = fakeClient(fake);
  const reason = { why: "too late" };
  const signal = AbortSignal.abort(reason);
  const calls: (() => Promise<unknown>)[] = [
    () => client.health({ signal }),
    () => client.version({ signal }),
    () => client.getSession(ID, { signal }),
    () => client.createSession({ action: "scan" }, { signal }),
    () => client.newSession().withAction("scan").invoke({ signal }),
    () => client.downloadFile("d", { signal }),
    () => client.downloadStream("d", { signal }),
  ];
  for (const call of calls) assert.equal(await log.catch(call), reason);
  assert.equal(fake.calls.length, 0);
});

Deno.test("an abort during the backoff wait rejects promptly", async () => {
  const controller = new AbortController();
  const reason = new Error("stop waiting");
  const fake = new FakeFetch(() => {
    setTimeout(() => controller.abort(reason), 20);
    return unavailable();
  });
  const client = fakeClient(fake, {
    retry: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
  });
  const error = await log.catch(
    within(5_000, client.getSession(ID, { signal: controller.signal })),
  );
  assert.equal(error, reason);
  assert.equal(fake.calls.length, 1);
});

Deno.test("the caller's signal also cancels the body of a downloadStream()", async () => {
  const controller = new AbortController();
  const reason = { why: "user left" };
  const fake = new FakeFetch((call: Call) =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(stream) {
          stream.enqueue(new Uint8Array([1]));
          call.signal?.addEventListener(
            "abort",
            () => stream.error(call.signal?.reason),
          );
        },
      }),
    )
  );
  const client = fakeClient(fake, { timeoutMs: 20 });
  const download = await client.downloadStream("d", {
    signal: controller.signal,
  });
  const reader = download.body.getReader();
  assert.deepEqual((await reader.read()).value, new Uint8Array([1]));
  // The per-attempt timeout (20 ms) covers the headers only: the body
  // outlives it.
  await new Promise((resolve) => setTimeout(resolve, 40));
  controller.abort(reason);
  const error = await log.catch(reader.read());
  assert.equal(error, reason);
});

Deno.test("no error in this file shows the API key, and every library error has a cause", () => {
  log.assertClean();
});
