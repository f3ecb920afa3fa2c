// Copyright 2026 the handoff authors. MIT license.
// Arguments are checked before anything is sent.

import assert from "node:assert/strict";
import { type CreateSessionOptions, HandoffClient } from "../../mod.ts";
import { parseGoDuration } from "../../_duration.ts";
import {
  BASE,
  created,
  ErrorLog,
  fakeClient,
  FakeFetch,
  KEY,
} from "./_fake_fetch.ts";

const log = new ErrorLog();

/** Expect `action` to fail with `type` and a message containing every `parts`. */
async function refuses(
  action: Promise<unknown> | (() => unknown),
  type: typeof TypeError | typeof RangeError,
  ...parts: string[]
): Promise<void> {
  const error = await log.catch(action);
  assert.ok(error instanceof type, `expected ${type.name}, got ${error}`);
  assert.equal((error as Error).constructor, type);
  for (const part of parts) {
    assert.ok(
      (error as Error).message.includes(part),
      `message ${JSON.stringify((error as Error).message)} lacks ${
        JSON.stringify(part)
      }`,
    );
  }
}

/** The parsed body of the only request. */
function sentBody(fake: FakeFetch): Record<string, unknown> {
  return JSON.parse(fake.only.body ?? "null");
}

Deno.test("the client refuses a base URL that is not an absolute http(s) URL", async () => {
  const fake = new FakeFetch();
  const make = (baseUrl: string) => () =>
    new HandoffClient({ baseUrl, apiKey: KEY, fetch: fake.fetch });
  await refuses(make("not a url"), TypeError, "not a url");
  await refuses(make("/api/v1"), TypeError, "/api/v1");
  await refuses(make("ftp://handoff.test"), TypeError, "ftp:");
  await refuses(make("ws://handoff.test"), TypeError, "ws:");
  await refuses(make("http://handoff.test/?tenant=a"), TypeError, "query");
  await refuses(make("http://handoff.test/#top"), TypeError, "fragment");
  await refuses(make("http://user:pw@handoff.test/"), TypeError, "credentials");
  assert.equal(fake.calls.length, 0);
});

Deno.test("a base URL with credentials is refused without repeating them", async () => {
  const error = await log.catch(() =>
    new HandoffClient({
      baseUrl: `https://u:${KEY}@handoff.test`,
      apiKey: KEY,
      fetch: new FakeFetch().fetch,
    })
  );
  assert.ok(error instanceof TypeError);
  assert.ok(!error.message.includes(KEY));
});

Deno.test("a trailing slash and a path prefix in the base URL are kept as a prefix of /api/v1", async () => {
  const cases: [string | URL, string][] = [
    ["http://h", "http://h/api/v1/health"],
    ["http://h/", "http://h/api/v1/health"],
    ["https://h:8443", "https://h:8443/api/v1/health"],
    ["http://h/prefix", "http://h/prefix/api/v1/health"],
    ["http://h/prefix/", "http://h/prefix/api/v1/health"],
    [new URL("http://h/prefix/"), "http://h/prefix/api/v1/health"],
  ];
  for (const [baseUrl, expected] of cases) {
    const fake = new FakeFetch();
    await fakeClient(fake, { baseUrl }).health();
    assert.equal(fake.only.url, expected, `baseUrl ${baseUrl}`);
  }
  const fake = new FakeFetch(() => created());
  const session = await fakeClient(fake, { baseUrl: "http://h/prefix/" })
    .createSession({ action: "photo", outputFormat: "jpg" });
  await session.close();
  assert.equal(fake.only.url, "http://h/prefix/api/v1/sessions");
});

Deno.test("the client refuses an empty or blank API key", async () => {
  const fetch = new FakeFetch().fetch;
  for (const apiKey of ["", " ", "\t \n", undefined, 42]) {
    await refuses(
      () =>
        new HandoffClient({
          baseUrl: BASE,
          apiKey: apiKey as unknown as string,
          fetch,
        }),
      TypeError,
      "apiKey",
    );
  }
});

Deno.test("impossible action and format combinations are refused before any request, naming the bad value", async () => {
  const fake = new FakeFetch(() => created());
  const client = fakeClient(fake);
  const bad = (options: unknown) =>
    client.createSession(options as CreateSessionOptions);
  await refuses(
    bad({ action: "photo", outputFormat: "svg" }),
    TypeError,
    '"svg"',
    "photo",
  );
  await refuses(
    bad({ action: "signature", outputFormat: "jpg" }),
    TypeError,
    '"jpg"',
    "signature",
  );
  await refuses(bad({ action: "photo" }), TypeError, "photo", "outputFormat");
  await refuses(
    bad({ action: "photo", outputFormat: "JPG" }),
    TypeError,
    '"JPG"',
  );
  await refuses(
    bad({ action: "scan", scanOutputFormat: "jpg" }),
    TypeError,
    '"jpg"',
    "scanOutputFormat",
  );
  await refuses(
    bad({ action: "scan", documentMode: "double" }),
    TypeError,
    '"double"',
    "documentMode",
  );
  await refuses(
    bad({ action: "video", outputFormat: "jpg" }),
    TypeError,
    '"video"',
  );
  await refuses(bad({}), TypeError, "action");
  await refuses(bad(null), TypeError);
  await refuses(
    bad({ action: "photo", outputFormat: "jpg", intro: 5 }),
    TypeError,
    "intro",
  );
  assert.equal(fake.calls.length, 0);
});

Deno.test("impossible action and format combinations do not compile", async () => {
  const fake = new FakeFetch(() => created());
  const client = fakeClient(fake);
  // Each line below is a type error (deno check proves it) and, forced
  // through, a TypeError at run time.
  await refuses(
    // @ts-expect-error: a photo session has no svg output
    client.createSession({ action: "photo", outputFormat: "svg" }),
    TypeError,
  );
  await refuses(
    // @ts-expect-error: a signature session has no jpg output
    client.createSession({ action: "signature", outputFormat: "jpg" }),
    TypeError,
  );
  await refuses(
    // @ts-expect-error: photo and signature sessions need an output format
    client.createSession({ action: "signature" }),
    TypeError,
  );
  const photo = client.newSession().withAction("photo");
  const signature = client.newSession().withAction("signature");
  // @ts-expect-error: a photo session has no svg output
  await refuses(photo.withOutputFormat("svg").invoke(), TypeError);
  // @ts-expect-error: a signature session has no jpg output
  await refuses(signature.withOutputFormat("jpg").invoke(), TypeError);
  const scan = client.newSession().withAction("scan");
  // @ts-expect-error: a scan session is single or multi
  await refuses(scan.withDocumentMode("double").invoke(), TypeError);
  assert.equal(fake.calls.length, 0);
});

Deno.test("TTL strings must follow Go's duration grammar, and the error quotes Go", async () => {
  const fake = new FakeFetch(() => created());
  const client = fakeClient(fake);
  const cases: [string, string][] = [
    ["abc", 'time: invalid duration "abc"'],
    ["5", 'time: missing unit in duration "5"'],
    ["1d", 'time: unknown unit "d" in duration "1d"'],
    ["", 'time: invalid duration ""'],
    ["30 m", 'time: unknown unit " m" in duration "30 m"'],
  ];
  for (const [ttl, goMessage] of cases) {
    await refuses(
      client.createSession({
        action: "photo",
        outputFormat: "jpg",
        sessionTtl: ttl,
      }),
      TypeError,
      "sessionTtl",
      goMessage,
    );
    await refuses(
      client.createSession({ action: "scan", resultTtl: ttl }),
      TypeError,
      "resultTtl",
      goMessage,
    );
  }
  await refuses(
    client.createSession({
      action: "scan",
      sessionTtl: true as unknown as string,
    }),
    TypeError,
    "sessionTtl",
  );
  assert.equal(fake.calls.length, 0);
});

Deno.test("a TTL of zero or below is refused with a RangeError before any request", async () => {
  const fake = new FakeFetch(() => created());
  const client = fakeClient(fake);
  for (const ttl of ["0s", "0", "-5m", "-1ns", 0, -1, -0.5, NaN, -Infinity]) {
    await refuses(
      client.createSession({
        action: "photo",
        outputFormat: "png",
        sessionTtl: ttl,
      }),
      RangeError,
      "sessionTtl",
    );
    await refuses(
      client.createSession({
        action: "signature",
        outputFormat: "svg",
        resultTtl: ttl,
      }),
      RangeError,
      "resultTtl",
    );
  }
  assert.equal(fake.calls.length, 0);
});

Deno.test("a TTL too small to express in nanoseconds is never sent as zero", async () => {
  const fake = new FakeFetch(() => created());
  const client = fakeClient(fake);
  try {
    const session = await client.createSession({
      action: "photo",
      outputFormat: "jpg",
      sessionTtl: 1e-7,
    });
    await session.close();
  } catch (error) {
    log.errors.push(error);
    assert.ok(error instanceof RangeError, `got ${error}`);
  }
  for (const call of fake.calls) {
    const ttl = JSON.parse(call.body ?? "{}").session_ttl;
    assert.ok(
      parseGoDuration(ttl) > 0n,
      `sent session_ttl ${JSON.stringify(ttl)}, which the server takes as 24 h`,
    );
  }
});

Deno.test("TTLs given in milliseconds are sent as Go durations", async () => {
  const fake = new FakeFetch(() => created());
  const session = await fakeClient(fake).createSession({
    action: "photo",
    outputFormat: "jpg",
    sessionTtl: 90_000,
    resultTtl: 1_500,
  });
  await session.close();
  const body = sentBody(fake);
  assert.equal(body.session_ttl, "1m30s");
  assert.equal(body.result_ttl, "1.5s");
});

Deno.test("TTL strings are sent as given", async () => {
  const fake = new FakeFetch(() => created());
  const session = await fakeClient(fake).createSession({
    action: "scan",
    sessionTtl: "1h30m",
    resultTtl: "1.5µs",
  });
  await session.close();
  const body = sentBody(fake);
  assert.equal(body.session_ttl, "1h30m");
  assert.equal(body.result_ttl, "1.5µs");
});

Deno.test("timeouts, intervals and retry counts out of range are refused with a RangeError", async () => {
  const fetch = new FakeFetch().fetch;
  const make = (options: Record<string, unknown>) => () =>
    new HandoffClient({ baseUrl: BASE, apiKey: KEY, fetch, ...options });
  for (const bad of [0, -1, -0.5, NaN]) {
    await refuses(make({ timeoutMs: bad }), RangeError, "timeoutMs");
    await refuses(make({ pollIntervalMs: bad }), RangeError, "pollIntervalMs");
    await refuses(
      make({ retry: { initialDelayMs: bad } }),
      RangeError,
      "retry.initialDelayMs",
    );
    await refuses(
      make({ retry: { maxDelayMs: bad } }),
      RangeError,
      "retry.maxDelayMs",
    );
  }
  for (const bad of [-1, 1.5, NaN]) {
    await refuses(
      make({ retry: { maxRetries: bad } }),
      RangeError,
      "retry.maxRetries",
    );
  }
  // In range: no error.
  make({ timeoutMs: 1, pollIntervalMs: 1, retry: { maxRetries: 0 } })();
});

Deno.test("a per-request timeoutMs of zero or below is refused before any request", async () => {
  const fake = new FakeFetch();
  const client = fakeClient(fake);
  for (const timeoutMs of [0, -1]) {
    await refuses(client.health({ timeoutMs }), RangeError, "timeoutMs");
    await refuses(
      client.getSession("3f2b8a52", { timeoutMs }),
      RangeError,
      "timeoutMs",
    );
  }
  assert.equal(fake.calls.length, 0);
});

Deno.test("the builder refuses a missing action or a missing format before any request", async () => {
  const fake = new FakeFetch(() => created());
  const client = fakeClient(fake);
  await refuses(client.newSession().invoke(), TypeError, "withAction");
  await refuses(
    client.newSession().withIntro("hi").withSessionTtl("5m").invoke(),
    TypeError,
    "withAction",
  );
  await refuses(
    client.newSession().withAction("photo").invoke(),
    TypeError,
    "photo",
    "withOutputFormat",
  );
  await refuses(
    client.newSession().withAction("signature").withIntro("Sign").invoke(),
    TypeError,
    "signature",
    "withOutputFormat",
  );
  await refuses(
    client.newSession().withAction("scan").withSessionTtl("-1m").invoke(),
    RangeError,
    "sessionTtl",
  );
  assert.equal(fake.calls.length, 0);
});

Deno.test("the builder sends the same body as the options object", async () => {
  const cases: [
    CreateSessionOptions,
    (client: HandoffClient) => Promise<{ close(): Promise<void> }>,
  ][] = [
    [
      {
        action: "photo",
        outputFormat: "png",
        intro: "Your ID, please",
        sessionTtl: "10m",
        resultTtl: 60_000,
      },
      (c) =>
        c.newSession().withAction("photo").withOutputFormat("png")
          .withIntro("Your ID, please").withSessionTtl("10m")
          .withResultTtl(60_000).invoke(),
    ],
    [
      { action: "signature", outputFormat: "svg" },
      (c) =>
        c.newSession().withAction("signature").withOutputFormat("svg").invoke(),
    ],
    [
      {
        action: "scan",
        documentMode: "multi",
        scanOutputFormat: "images",
        sessionTtl: 300_000,
      },
      (c) =>
        c.newSession().withAction("scan").withDocumentMode("multi")
          .withScanOutputFormat("images").withSessionTtl(300_000).invoke(),
    ],
    [{ action: "scan" }, (c) => c.newSession().withAction("scan").invoke()],
  ];
  for (const [options, build] of cases) {
    const viaOptions = new FakeFetch(() => created());
    await (await fakeClient(viaOptions).createSession(options)).close();
    const viaBuilder = new FakeFetch(() => created());
    await (await build(fakeClient(viaBuilder))).close();
    assert.deepEqual(sentBody(viaBuilder), sentBody(viaOptions));
    assert.equal(viaBuilder.only.body, viaOptions.only.body);
  }
});

Deno.test("a builder can be reused: each with… returns a new builder", async () => {
  const fake = new FakeFetch(() => created());
  const client = fakeClient(fake);
  const base = client.newSession().withAction("photo").withOutputFormat("jpg");
  await (await base.withIntro("first").invoke()).close();
  await (await base.invoke()).close();
  assert.equal(fake.calls.length, 2);
  assert.equal(JSON.parse(fake.calls[0]!.body!).intro_text, "first");
  assert.equal(JSON.parse(fake.calls[1]!.body!).intro_text, undefined);
});

Deno.test("no error in this file shows the API key, and every library error has a cause", () => {
  log.assertClean();
});
