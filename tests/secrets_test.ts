// Copyright 2026 the handoff authors. MIT license.
// The API key never leaks: not into an error (of any class, down its cause
// chain), not into a log line, not into a URL, not to another host, and not
// to the dashboard's browser.

import assert from "node:assert/strict";
import {
  ApiError,
  HandoffClient,
  type HandoffClientOptions,
  HandoffError,
  NetworkError,
  NotFoundError,
  ProtocolError,
  ServerError,
  SessionClosedError,
  SessionExpiredError,
  TimeoutError,
  UnauthorizedError,
  type WebSocketConstructor,
} from "../mod.ts";
import { startDashboard } from "../mock/dashboard.ts";
import { startStubServer } from "../testing.ts";
import { ErrorLog, FakeFetch, json } from "./client/_fake_fetch.ts";
import { REFUSED_PORT } from "./_port.ts";

/** A key distinctive enough that any leak is found by a substring search. */
const KEY = "hk_live_7f3a9c_SECRET_do_not_leak";
const CONSOLE = ["log", "info", "warn", "error", "debug", "trace"] as const;

/** Everything printed to the console while it runs. */
class ConsoleCapture implements Disposable {
  readonly lines: string[] = [];
  readonly #saved = CONSOLE.map((name) => [name, console[name]] as const);

  constructor() {
    for (const name of CONSOLE) {
      console[name] = (...args: unknown[]) => {
        this.lines.push(
          args.map((a) =>
            typeof a === "string" ? a : Deno.inspect(a, { depth: 10 })
          ).join(" "),
        );
      };
    }
  }

  [Symbol.dispose](): void {
    for (const [name, original] of this.#saved) console[name] = original;
  }
}

/** A fetch and WebSocket that record every URL the library asks for. */
class UrlLog {
  readonly urls: string[] = [];
  readonly fetch = (
    input: Request | URL | string,
    init?: RequestInit,
  ): Promise<Response> => {
    this.urls.push(input instanceof Request ? input.url : String(input));
    return fetch(input, init);
  };
  readonly WebSocket: WebSocketConstructor;

  constructor() {
    const urls = this.urls;
    this.WebSocket = class extends WebSocket {
      constructor(url: string | URL, init?: unknown) {
        urls.push(String(url));
        super(url, init as string);
      }
    } as unknown as WebSocketConstructor;
  }
}

function fast(): Partial<HandoffClientOptions> {
  return {
    retry: { maxRetries: 1, initialDelayMs: 5, maxDelayMs: 10 },
    reconnect: {
      initialDelayMs: 20,
      maxDelayMs: 50,
      attemptsBeforePolling: 2,
      stableAfterMs: 1_000,
    },
    pollIntervalMs: 50,
    livenessIntervalMs: 300,
    timeoutMs: 2_000,
  };
}

function assertNoKey(texts: readonly string[], what: string): void {
  for (const text of texts) {
    assert.ok(!text.includes(KEY), `the API key shows in ${what}: ${text}`);
  }
}

Deno.test("across a broad scenario run, the API key shows in no error, log line or URL", async () => {
  using output = new ConsoleCapture();
  const errors = new ErrorLog();
  const log = new UrlLog();
  const classes = new Set<string>();
  const expect = async <T>(
    action: Promise<unknown> | (() => unknown),
    type: abstract new (...args: never[]) => T,
  ) => {
    const error = await errors.catch(action);
    assert.ok(error instanceof type, `expected ${type.name}, got ${error}`);
    classes.add((error as Error).name);
  };

  await using server = await startStubServer({ apiKeys: [KEY] });
  const client = new HandoffClient({
    baseUrl: server.url,
    apiKey: KEY,
    fetch: log.fetch,
    WebSocket: log.WebSocket,
    ...fast(),
    // onListenerError left out: the default logs to the console.
  });

  // A photo, through a throwing listener, dropped sockets and 5xx bursts.
  {
    await using session = await client.createSession({
      action: "photo",
      outputFormat: "jpg",
    });
    session.onEvent(() => {
      throw new Error("a listener that throws");
    });
    server.faults.refuseUpgrades(3, 503);
    server.faults.dropWebSockets({ closeFrame: false });
    server.faults.failRequests("result", 2, 502);
    await server.phone.complete(session.id);
    const [item] = await session.waitForResult({
      signal: AbortSignal.timeout(10_000),
    });
    await client.downloadFile(item!.downloadId);
    const stream = await client.downloadStream(item!.downloadId);
    await stream.body.cancel();
  }
  // A scan downloaded by URL, through a restart.
  {
    await using scan = await client.createSession({
      action: "scan",
      documentMode: "multi",
      scanOutputFormat: "images",
    });
    await server.faults.restart({ keepState: true, downtimeMs: 50 });
    await server.phone.complete(scan.id);
    const { documents } = await scan.waitForScanResult({
      signal: AbortSignal.timeout(10_000),
    });
    const page = documents[0]?.format === "images"
      ? documents[0].pages[0]
      : undefined;
    await client.downloadFile(page!.url);
  }
  // Errors of every class the client throws.
  server.faults.failRequests("session", 2, 503); // the attempt and its retry
  await expect(client.getSession(crypto.randomUUID()), ServerError);
  await expect(
    client.getSession("00000000-0000-4000-8000-000000000000"),
    NotFoundError,
  );
  await expect(client.downloadFile("no-such-file"), NotFoundError);
  const badKey = new HandoffClient({
    baseUrl: server.url,
    apiKey: `${KEY}-wrong`,
    ...fast(),
  });
  await expect(
    badKey.createSession({ action: "photo", outputFormat: "png" }),
    UnauthorizedError,
  );
  await expect(badKey.downloadFile("x"), UnauthorizedError);
  server.faults.setLatency(300);
  await expect(client.health({ timeoutMs: 50 }), TimeoutError);
  server.faults.setLatency(0);
  {
    const short = await client.createSession({
      action: "signature",
      outputFormat: "svg",
      sessionTtl: "300ms",
    });
    await expect(short.waitForResult(), SessionExpiredError);
    await expect(client.attachSession(short.id), SessionExpiredError);
    await short.close();
  }
  {
    const closed = await client.createSession({
      action: "photo",
      outputFormat: "pdf",
    });
    const waiting = expect(closed.waitForResult(), SessionClosedError);
    await closed.close();
    await waiting;
  }
  {
    // A closed port.
    const nowhere = new HandoffClient({
      baseUrl: `http://127.0.0.1:${REFUSED_PORT}`,
      apiKey: KEY,
      ...fast(),
    });
    await expect(nowhere.health(), NetworkError);
  }
  {
    // Answers that echo the key back (a proxy, a debugging server).
    const echo = new FakeFetch((call, n) => {
      const seen = call.headers.get("x-api-key") ?? "";
      const answers = [
        () => json(400, { error: `bad key ${seen}` }),
        () => json(409, { error: `conflict for ${seen}` }),
        () => new Response(`<html>${seen}</html>`, { status: 200 }),
        () => json(418, `teapot ${seen}`),
        () => Promise.reject(new TypeError(`connection to ${seen} reset`)),
      ];
      return answers[n % answers.length]!();
    });
    const echoing = new HandoffClient({
      baseUrl: "http://handoff.test",
      apiKey: KEY,
      fetch: echo.fetch,
      retry: { maxRetries: 0 },
    });
    const id = "3f2b8a52-6c1d-4e2f-9a7b-0c1d2e3f4a5b";
    await expect(echoing.getSession(id), ApiError);
    await expect(echoing.getSession(id), ApiError);
    await expect(echoing.getSession(id), ProtocolError);
    await expect(echoing.getSession(id), ApiError);
    await expect(echoing.getSession(id), NetworkError);
  }
  {
    // The key in the query string where the WebSocket takes no headers:
    // the URL carries it by design, but no error or log does.
    const query = new HandoffClient({
      baseUrl: server.url,
      apiKey: KEY,
      webSocketAuth: "query",
      ...fast(),
    });
    await using session = await query.createSession({
      action: "photo",
      outputFormat: "png",
    });
    server.faults.refuseUpgrades(2, 401);
    server.faults.dropWebSockets({ closeFrame: true, code: 1011 });
    await server.phone.complete(session.id);
    await session.waitForResult({ signal: AbortSignal.timeout(10_000) });
  }

  for (const name of ["ServerError", "NotFoundError", "UnauthorizedError"]) {
    assert.ok(classes.has(name), `no ${name} was provoked`);
  }
  assert.ok(classes.size >= 9, `only ${[...classes].join(", ")}`);
  errors.assertClean(KEY);
  assert.ok(
    output.lines.some((line) => line.includes("a listener that throws")),
    "the throwing listener was not reported",
  );
  assertNoKey(output.lines, "a log line");
  assert.ok(log.urls.length > 10);
  assertNoKey(log.urls, "a URL");
  for (const error of errors.errors) {
    assert.ok(error instanceof HandoffError);
  }
});

Deno.test("download URLs on another host are refused without sending anything, and redirects are not followed", async () => {
  const fake = new FakeFetch(() => new Response("x"));
  const client = new HandoffClient({
    baseUrl: "https://handoff.example",
    apiKey: KEY,
    fetch: fake.fetch,
  });
  for (
    const url of [
      "https://evil.example/api/v1/downloads/abc",
      "//evil.example/api/v1/downloads/abc",
      "http://handoff.example/api/v1/downloads/abc", // another scheme
      "https://handoff.example:8443/api/v1/downloads/abc", // another port
      "https://handoff.example.evil.example/api/v1/downloads/abc",
    ]
  ) {
    await assert.rejects(client.downloadFile(url), TypeError, url);
    await assert.rejects(client.downloadStream(url), TypeError, url);
  }
  assert.equal(fake.calls.length, 0, "a request went out");

  // A download answered with a redirect to another server: the client does
  // not follow it, so the key never reaches that server.
  const seenElsewhere: string[] = [];
  await using evil = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      seenElsewhere.push(req.headers.get("x-api-key") ?? "(none)");
      return new Response("stolen");
    },
  );
  await using redirecting = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () =>
      new Response(null, {
        status: 302,
        headers: {
          location: `http://127.0.0.1:${evil.addr.port}/api/v1/downloads/x`,
        },
      }),
  );
  const real = new HandoffClient({
    baseUrl: `http://127.0.0.1:${redirecting.addr.port}`,
    apiKey: KEY,
    retry: { maxRetries: 0 },
  });
  const error = await real.downloadFile("x").catch((e: unknown) => e);
  assert.ok(error instanceof ApiError && error.status === 302);
  assert.ok(!String(error.message).includes(KEY));
  assert.deepEqual(seenElsewhere, []);
});

Deno.test("the dashboard binds 127.0.0.1 by default and never sends the key to the browser", async () => {
  using output = new ConsoleCapture();
  await using upstream = await startStubServer({ apiKeys: [KEY] });
  await using dashboard = await startDashboard({
    port: 0,
    handoffUrl: upstream.url,
    apiKey: KEY,
  });
  assert.equal(new URL(dashboard.url).hostname, "127.0.0.1");
  const seen: string[] = [];
  const get = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(new URL(path, dashboard.url), init);
    const text = await res.text();
    seen.push(text, ...[...res.headers].map(([k, v]) => `${k}: ${v}`));
    return { status: res.status, text };
  };
  for (const path of ["/", "/app.js", "/style.css", "/api/sessions"]) {
    assert.equal((await get(path)).status, 200, path);
  }
  // A session through its whole life, with its files.
  const created = await get("/api/sessions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ action: "photo", outputFormat: "jpg" }),
  });
  assert.equal(created.status, 201);
  const { id } = (JSON.parse(created.text) as { session: { id: string } })
    .session;
  await upstream.phone.complete(id);
  let downloadId: string | undefined;
  for (let i = 0; i < 200 && downloadId === undefined; i++) {
    const view = JSON.parse((await get(`/api/sessions/${id}`)).text) as {
      session: { result?: { downloadId: string }[] };
    };
    downloadId = view.session.result?.[0]?.downloadId;
    if (downloadId === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  assert.equal((await get(`/api/downloads/${downloadId}`)).status, 200);
  // The session's live events (the library's relay), as far as they have come.
  const events = await fetch(
    new URL(`/api/sessions/${id}/events`, dashboard.url),
  );
  assert.equal(events.status, 200);
  const reader = events.body!.getReader();
  const first = await reader.read();
  seen.push(new TextDecoder().decode(first.value));
  await reader.cancel();
  // Error answers, including ones about the Handoff server.
  upstream.faults.failRequests("create", 1, 500);
  const failed = await get("/api/sessions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ action: "photo", outputFormat: "jpg" }),
  });
  assert.ok(failed.status >= 500, failed.text);
  await get("/api/sessions/unknown");
  await get("/api/downloads/unknown");
  await get("/api/sessions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{",
  });
  assertNoKey(seen, "what the dashboard sent to the browser");
  assertNoKey(output.lines, "a log line of the dashboard");
});
