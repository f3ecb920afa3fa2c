// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";
import {
  HandoffError,
  NotFoundError,
  type Session,
  SessionClosedError,
  SessionExpiredError,
  type SessionStatus,
} from "../../mod.ts";
import { rank } from "../../_wire.ts";
import { sampleJpeg } from "../../testing.ts";
import {
  fastClient,
  record,
  settle,
  setup,
  statuses,
  until,
} from "./_session_helpers.ts";

/** Every status at most once and in order. */
function assertInOrder(list: readonly string[]): void {
  for (let i = 1; i < list.length; i++) {
    assert.ok(
      rank(list[i] as SessionStatus) > rank(list[i - 1] as SessionStatus),
      `statuses out of order or repeated: ${list.join(" → ")}`,
    );
  }
}

Deno.test("a listener added right after createSession sees pending, then every status once, in order", async () => {
  await using env = await setup();
  const session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  const events = record(session);
  await until(() => events.length === 1, "the first snapshot");
  assert.deepEqual(events[0]?.type, "status_update");
  assert.equal(events[0]?.status, "pending");
  assert.equal(session.connection, "websocket");

  await env.server.phone.open(session.id); // no intro: opened + action_started
  const items = await env.server.phone.submit(session.id, [
    { contentType: "image/jpeg", filename: "id.jpg", data: sampleJpeg() },
  ]);
  const result = await session.waitForResult();
  assert.deepEqual(statuses(events), [
    "pending",
    "opened",
    "action_started",
    "completed",
  ]);
  assert.deepEqual(result, [{
    downloadId: items[0]!.downloadId,
    contentType: "image/jpeg",
    filename: "id.jpg",
  }]);
  const last = events.at(-1)!;
  assert.equal(last.type, "completed");
  assert.ok(last.timestamp instanceof Date);
  assert.equal(session.status, "completed");
  // A completed session releases its socket by itself.
  assert.equal(session.connection, "closed");
  await until(
    () => env.server.stats().openWebSockets === 0,
    "the socket to close",
  );
  await session.close();
});

Deno.test("a completion that lands while the socket is down is still delivered, once", async () => {
  await using env = await setup();
  const session = await env.client.createSession({
    action: "signature",
    outputFormat: "png",
  });
  const events = record(session);
  await until(() => events.length === 1, "the first snapshot");
  env.server.faults.refuseUpgrades(2);
  assert.equal(env.server.faults.dropWebSockets({ closeFrame: false }), 1);
  await env.server.phone.complete(session.id);
  const items = await session.waitForResult({
    signal: AbortSignal.timeout(5_000),
  });
  assert.equal(items.length, 1);
  assert.equal(items[0]?.contentType, "image/png");
  assert.equal(events.filter((e) => e.type === "completed").length, 1);
  assertInOrder(statuses(events));
  await session.close();
});

Deno.test("a completion seen only in a reconnect snapshot is fetched from /result, through 5xx answers", async () => {
  await using env = await setup();
  const session = await env.client.createSession({
    action: "photo",
    outputFormat: "png",
  });
  const events = record(session);
  await until(() => events.length === 1, "the first snapshot");
  // Complete while the socket is silent, then make /result fail a few times:
  // the new socket's first frame says "completed" without data.
  env.server.faults.goSilent();
  await env.server.phone.complete(session.id);
  env.server.faults.failRequests("result", 3, 503);
  env.server.faults.dropWebSockets({ closeFrame: false });
  const items = await session.waitForResult({
    signal: AbortSignal.timeout(5_000),
  });
  assert.equal(items.length, 1);
  assert.equal(events.filter((e) => e.type === "completed").length, 1);
  assertInOrder(statuses(events));
  await session.close();
});

Deno.test("refused upgrades make the session poll, and it returns to the WebSocket", async () => {
  await using env = await setup();
  env.server.faults.refuseUpgrades(4);
  const session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
    intro: "Hello",
  });
  const modes: string[] = [];
  session.onConnectionChange((state) => modes.push(state));
  const events = record(session);
  await until(() => session.connection === "polling", "polling");
  await env.server.phone.open(session.id); // intro: opened only
  await until(
    () => statuses(events).includes("opened"),
    "opened, seen by polling",
  );
  await until(() => session.connection === "websocket", "the WebSocket again");
  await env.server.phone.start(session.id);
  await until(
    () => statuses(events).includes("action_started"),
    "action_started over the socket",
  );
  await env.server.phone.complete(session.id);
  await session.waitForResult();
  assert.deepEqual(statuses(events), [
    "pending",
    "opened",
    "action_started",
    "completed",
  ]);
  assert.ok(modes.indexOf("polling") < modes.lastIndexOf("websocket"));
  assert.equal(modes.at(-1), "closed");
  await session.close();
});

Deno.test("expiry rejects all three waiters with SessionExpiredError and emits expired once", async () => {
  await using env = await setup();
  const session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
    sessionTtl: "600ms",
  });
  const events = record(session);
  const waiters = [1, 2, 3].map(() => settle(session.waitForResult()));
  const outcomes = await Promise.all(waiters);
  for (const outcome of outcomes) {
    assert.equal(outcome.ok, false);
    if (!outcome.ok) assert.ok(outcome.error instanceof SessionExpiredError);
  }
  assert.equal(session.status, "expired");
  assert.equal(events.filter((e) => e.type === "expired").length, 1);
  assert.equal(session.connection, "closed");
  // A waiter arriving after expiry rejects at once too.
  await assert.rejects(session.waitForResult(), SessionExpiredError);
  await session.close();
});

Deno.test("a server-side expiry is noticed by the liveness snapshot", async () => {
  await using env = await setup({ livenessIntervalMs: 100 });
  const session = await env.client.createSession({
    action: "scan",
    scanOutputFormat: "images",
  });
  const waiter = settle(session.waitForScanResult());
  await until(() => session.connection === "websocket", "the socket");
  env.server.expire(session.id); // no frame is sent on expiry
  const outcome = await waiter;
  assert.ok(!outcome.ok && outcome.error instanceof SessionExpiredError);
  await session.close();
});

Deno.test("a half-open socket does not hide a completion", async () => {
  await using env = await setup({ livenessIntervalMs: 150 });
  const session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  const events = record(session);
  await until(() => events.length === 1, "the first snapshot");
  assert.equal(env.server.faults.goSilent(), 1);
  await env.server.phone.complete(session.id);
  const items = await session.waitForResult({
    signal: AbortSignal.timeout(5_000),
  });
  assert.equal(items.length, 1);
  assert.equal(events.filter((e) => e.type === "completed").length, 1);
  await session.close();
});

Deno.test("the WebSocket carries the key in a header by default and in the query when asked", async () => {
  await using env = await setup();
  const a = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  await until(() => a.connection === "websocket", "a header socket");
  assert.deepEqual(env.server.stats().upgradeAuth, { header: 1, query: 0 });
  await a.close();

  const queryClient = fastClient(env.server, { webSocketAuth: "query" });
  const b = await queryClient.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  await until(() => b.connection === "websocket", "a query socket");
  assert.deepEqual(env.server.stats().upgradeAuth, { header: 1, query: 1 });
  await b.close();

  // A WebSocket that takes no headers (as in browsers) falls back to the query.
  class BrowserLikeWebSocket extends WebSocket {
    constructor(url: string, protocols?: unknown) {
      if (typeof protocols === "object" && protocols !== null) {
        throw new DOMException("invalid subprotocol", "SyntaxError");
      }
      super(url);
    }
  }
  const browserClient = fastClient(env.server, {
    WebSocket: BrowserLikeWebSocket,
  });
  const c = await browserClient.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  await until(() => c.connection === "websocket", "a fallback socket");
  assert.deepEqual(env.server.stats().upgradeAuth, { header: 1, query: 2 });
  await c.close();
});

Deno.test("a session that vanished from the server stops reconnecting and rejects with NotFoundError", async () => {
  await using env = await setup();
  const session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  const waiter = settle(session.waitForResult());
  await until(() => session.connection === "websocket", "the socket");
  await env.server.faults.restart({ keepState: false });
  const outcome = await waiter;
  assert.ok(!outcome.ok && outcome.error instanceof NotFoundError);
  assert.equal(session.connection, "closed");
  const upgrades = env.server.stats().requests.websocket;
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(env.server.stats().requests.websocket, upgrades);
  await session.close();
});

Deno.test("a restart with state kept is survived without losing the completion", async () => {
  await using env = await setup();
  const session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  const events = record(session);
  await until(() => events.length === 1, "the first snapshot");
  await env.server.faults.restart({ keepState: true, downtimeMs: 100 });
  await env.server.phone.complete(session.id);
  const items = await session.waitForResult({
    signal: AbortSignal.timeout(5_000),
  });
  assert.equal(items.length, 1);
  assert.equal(events.filter((e) => e.type === "completed").length, 1);
  await session.close();
});

Deno.test("waiters: many callers, late callers, aborted callers, and close()", async () => {
  await using env = await setup();
  const session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  const reason = new Error("caller gave up");
  const controller = new AbortController();
  const aborted = settle(session.waitForResult({ signal: controller.signal }));
  const many = Array.from({ length: 5 }, () => session.waitForResult());
  controller.abort(reason);
  const gaveUp = await aborted;
  assert.ok(!gaveUp.ok && gaveUp.error === reason);

  await env.server.phone.complete(session.id);
  const results = await Promise.all(many);
  for (const result of results) assert.deepEqual(result, results[0]);
  // After completion, a new waiter resolves at once.
  assert.deepEqual(await session.waitForResult(), results[0]);
  assert.deepEqual(session.result, results[0]);
  await session.close();

  const other = await env.client.createSession({
    action: "photo",
    outputFormat: "png",
  });
  const pending = settle(other.waitForResult());
  await other.close();
  await other.close(); // idempotent
  const closed = await pending;
  assert.ok(!closed.ok && closed.error instanceof SessionClosedError);
  assert.ok(closed.error instanceof HandoffError);
  await assert.rejects(other.waitForResult(), SessionClosedError);
});

Deno.test("a throwing listener does not stop delivery to the others", async () => {
  const reported: unknown[] = [];
  await using env = await setup({
    onListenerError: (error) => reported.push(error),
  });
  const session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  session.onEvent(() => {
    throw new Error("listener bug");
  });
  const events = record(session);
  await until(() => events.length === 1, "the first snapshot");
  await env.server.phone.complete(session.id);
  await session.waitForResult();
  assert.equal(events.at(-1)?.type, "completed");
  assert.equal(reported.length, events.length);
  assert.equal((reported[0] as Error).message, "listener bug");
  await session.close();
});

Deno.test("waitForScanResult() on a photo session and waitForResult() on a scan are clear errors", async () => {
  await using env = await setup();
  const photo = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  // Untyped (JavaScript) callers: the types forbid these calls.
  const untypedPhoto = photo as unknown as Session<"scan">;
  await assert.rejects(untypedPhoto.waitForScanResult(), {
    name: "TypeError",
    message: /photo session: use waitForResult\(\)/,
  });
  const scan = await env.client.createSession({ action: "scan" });
  const untypedScan = scan as unknown as Session<"photo">;
  await assert.rejects(untypedScan.waitForResult(), {
    name: "TypeError",
    message: /scan session: use waitForScanResult\(\)/,
  });
  await photo.close();
  await scan.close();
});

Deno.test("a multi-document scan in images mode delivers every page in order", async () => {
  await using env = await setup();
  const scan = await env.client.newSession()
    .withAction("scan")
    .withDocumentMode("multi")
    .withScanOutputFormat("images")
    .invoke();
  assert.equal(scan.documentMode, "multi");
  assert.equal(scan.scanOutputFormat, "images");
  await env.server.phone.open(scan.id);
  const page = sampleJpeg();
  await env.server.phone.uploadPage(scan.id, {
    data: page,
    documentIndex: 0,
    pageIndex: 1,
  });
  await env.server.phone.uploadPage(scan.id, {
    data: page,
    documentIndex: 0,
    pageIndex: 0,
  });
  await env.server.phone.uploadPage(scan.id, {
    data: page,
    documentIndex: 2,
    pageIndex: 0,
  });
  await env.server.phone.finalize(scan.id);
  const result = await scan.waitForScanResult();
  assert.equal(result.documents.length, 2);
  const [first, second] = result.documents;
  assert.ok(first?.format === "images" && second?.format === "images");
  assert.equal(first.pages.length, 2);
  assert.equal(second.pages.length, 1);
  const file = await env.client.downloadFile(first.pages[0]!.url);
  assert.deepEqual(file.data, page);
  assert.equal(file.contentType, "image/jpeg");
  await scan.close();
});

Deno.test("a scan in pdf mode delivers one PDF per document", async () => {
  await using env = await setup();
  const scan = await env.client.createSession({
    action: "scan",
    scanOutputFormat: "pdf",
  });
  await env.server.phone.complete(scan.id);
  const { documents } = await scan.waitForScanResult();
  assert.equal(documents.length, 1);
  const document = documents[0]!;
  assert.equal(document.format, "pdf");
  if (document.format !== "pdf") return;
  const stream = await env.client.downloadStream(document.pdfUrl);
  const bytes = new Uint8Array(await new Response(stream.body).arrayBuffer());
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 5)), "%PDF-");
  assert.equal(stream.contentType, "application/pdf");
  await scan.close();
});

Deno.test("events() yields each event and ends after completion; late callers get the final event", async () => {
  await using env = await setup();
  const session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  const seen: string[] = [];
  const done = (async () => {
    for await (const event of session.events()) seen.push(event.status);
  })();
  await until(() => seen.length === 1, "pending");
  await env.server.phone.complete(session.id);
  await done;
  assert.deepEqual(seen, ["pending", "opened", "action_started", "completed"]);
  const late: string[] = [];
  for await (const event of session.events()) late.push(event.type);
  assert.deepEqual(late, ["completed"]);
  await session.close();
});

Deno.test("events() ends when the session is closed and throws an aborted signal's reason", async () => {
  await using env = await setup();
  const session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  const controller = new AbortController();
  const reason = new Error("stop");
  const iteration = settle((async () => {
    for await (const _ of session.events({ signal: controller.signal })) {
      controller.abort(reason);
    }
  })());
  const outcome = await iteration;
  assert.ok(!outcome.ok && outcome.error === reason);
  const ended = (async () => {
    const seen: string[] = [];
    for await (const event of session.events()) seen.push(event.status);
    return seen;
  })();
  await session.close();
  assert.ok(Array.isArray(await ended));
});

Deno.test("attachSession() follows a session made elsewhere; a completed one resolves at once", async () => {
  await using env = await setup();
  const session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  const elsewhere = fastClient(env.server);
  const attached = await elsewhere.attachSession(session.id, {
    actionType: "photo",
  });
  assert.equal(attached.id, session.id);
  assert.equal(attached.url, session.url);
  assert.ok(
    Math.abs(attached.expiresAt.getTime() - session.expiresAt.getTime()) < 5,
  );
  await env.server.phone.complete(session.id);
  const [a, b] = await Promise.all([
    attached.waitForResult(),
    session.waitForResult(),
  ]);
  assert.deepEqual(a, b);
  await attached.close();
  await session.close();

  const late = await elsewhere.attachSession(session.id, {
    actionType: "photo",
  });
  assert.equal(late.status, "completed");
  assert.equal(late.connection, "closed");
  assert.deepEqual(await late.waitForResult(), a);
  await late.close();

  env.server.expire(session.id);
  await assert.rejects(
    elsewhere.attachSession(session.id),
    SessionExpiredError,
  );
});

Deno.test("qrCode() gives a PNG data URL by default, SVG on request, cached per options", async () => {
  await using env = await setup();
  const session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  const png = await session.qrCode();
  assert.match(png, /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
  const bytes = Uint8Array.from(
    atob(png.split(",")[1]!),
    (c) => c.charCodeAt(0),
  );
  // PNG width/height in the IHDR chunk: 256 × 256 by default.
  const view = new DataView(bytes.buffer);
  assert.equal(view.getUint32(16), 256);
  assert.equal(view.getUint32(20), 256);
  const svg = await session.qrCode({ format: "svg", size: 300 });
  assert.match(svg, /^<svg[^>]*width="300"/);
  assert.equal(session.qrCode(), session.qrCode());
  await assert.rejects(session.qrCode({ size: 3 }), RangeError);
  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    session.qrCode({ format: "gif" as any }),
    TypeError,
  );
  await session.close();
});

Deno.test("close() releases the socket and timers of a polling session", async () => {
  await using env = await setup();
  env.server.faults.refuseUpgrades(100);
  const session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  await until(() => session.connection === "polling", "polling");
  await session.close();
  assert.equal(session.connection, "closed");
  env.server.faults.reset();
  // The sanitizers fail this test if a timer or socket is left behind.
});

Deno.test("a stable socket replaced after a missed frame does not count as a failed attempt", async () => {
  await using env = await setup({
    livenessIntervalMs: 80,
    reconnect: {
      initialDelayMs: 20,
      maxDelayMs: 50,
      attemptsBeforePolling: 2,
      stableAfterMs: 40,
    },
  });
  const session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
    intro: "Hello",
  });
  const modes: string[] = [];
  session.onConnectionChange((state) => modes.push(state));
  const events = record(session);
  await until(() => events.length === 1, "the first snapshot");
  // Twice: the socket has been up a while, goes silent, and misses a status;
  // the liveness snapshot sees it and replaces the socket.
  for (
    const [step, status] of [["open", "opened"], [
      "start",
      "action_started",
    ]] as const
  ) {
    await new Promise((resolve) => setTimeout(resolve, 60));
    env.server.faults.goSilent();
    await env.server.phone[step](session.id);
    await until(() => session.status === status, status);
    await until(() => session.connection === "websocket", "a new socket");
  }
  assert.ok(!modes.includes("polling"), `went polling: ${modes.join(" → ")}`);
  assert.deepEqual(statuses(events), ["pending", "opened", "action_started"]);
  await session.close();
});
