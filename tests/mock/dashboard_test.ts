// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";
import { HandoffClient, type RelayCompletedData } from "../../mod.ts";
import { sampleJpeg, samplePng, startStubServer } from "../../testing.ts";
import { type Dashboard, startDashboard } from "../../mock/dashboard.ts";
import { contentDisposition } from "../../mock/http.ts";
import {
  call,
  createSession,
  eventually,
  FAST_CLIENT,
  post,
  RelayStream,
  statuses,
} from "./_helpers.ts";

const JSON_TYPE = "application/json; charset=utf-8";

/** Follow a session's relay until it completes; its `completed` data. */
async function completed(
  dashboard: Dashboard,
  id: string,
): Promise<RelayCompletedData> {
  const stream = await RelayStream.open(dashboard, id);
  try {
    return (await stream.event("completed")).data;
  } finally {
    await stream.close();
  }
}

Deno.test("the page is served with a strict CSP, and the API key reaches the browser nowhere", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const apiKey = dashboard.stub!.apiKey;
  const seen: string[] = [];
  for (
    const [path, type] of [
      ["/", "text/html; charset=utf-8"],
      ["/app.js", "text/javascript; charset=utf-8"],
      ["/style.css", "text/css; charset=utf-8"],
    ]
  ) {
    const reply = await call(dashboard, path!);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get("content-type"), type);
    assert.equal(reply.headers.get("x-content-type-options"), "nosniff");
    const csp = reply.headers.get("content-security-policy")!;
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /img-src 'self' data:/);
    assert.match(csp, /frame-ancestors 'none'/);
    seen.push(reply.text);
  }
  const created = await post(dashboard, "/api/sessions", {
    action: "photo",
    outputFormat: "jpg",
  });
  seen.push(created.text);
  const { id } = created.json.session;
  await dashboard.stub!.phone.complete(id);
  // The whole relay stream of the session, to its end.
  const relay = await fetch(
    new URL(`/api/sessions/${id}/events`, dashboard.url),
  );
  const relayed = await relay.text();
  assert.match(relayed, /^event: completed$/m);
  seen.push(relayed, ...[...relay.headers].map(String));
  seen.push((await call(dashboard, "/api/sessions")).text);
  seen.push((await call(dashboard, `/api/sessions/${id}`)).text);
  for (const text of seen) assert.equal(text.includes(apiKey), false);
});

Deno.test("a session created through the dashboard relays its statuses in order, its connection and its files, then ends", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const stub = dashboard.stub!;
  const list = await call(dashboard, "/api/sessions");
  assert.equal(list.json.mode, "stub");
  assert.equal(list.json.handoffUrl, stub.url);
  assert.ok(!Number.isNaN(Date.parse(list.json.serverTime)));
  assert.deepEqual(list.json.sessions, []);

  const created = await createSession(dashboard, {
    action: "photo",
    outputFormat: "jpg",
    intro: "<script>alert(1)</script>",
    sessionTtl: "10m",
  });
  assert.equal(created.actionType, "photo");
  assert.equal(created.outputFormat, "jpg");
  assert.equal(created.introText, "<script>alert(1)</script>");
  assert.equal(created.url, `${stub.baseUrl}/s/${created.id}`);
  assert.equal(created.status, "pending");
  assert.equal(
    Date.parse(created.expiresAt) - Date.parse(created.createdAt),
    600_000,
  );
  const id = created.id;
  assert.deepEqual(
    (await call(dashboard, "/api/sessions")).json.sessions.map((
      s: { id: string },
    ) => s.id),
    [id],
  );

  const stream = await RelayStream.open(dashboard, id);
  const response = await stream.next();
  assert.equal(response.event, "session");
  assert.equal(response.id, undefined);
  assert.equal(response.data.url, created.url);
  assert.equal(response.data.introText, "<script>alert(1)</script>");
  assert.match(response.data.qrCode, /^data:image\/png;base64,/);
  await stream.until(
    (e) => e.event === "connection" && e.data.state === "websocket",
    "websocket",
  );
  assert.equal(dashboard.stats().relays, 1);
  assert.deepEqual(dashboard.stats().relaysBySession, { [id]: 1 });

  await stub.phone.open(id);
  await stream.status("opened");
  await stub.phone.start(id);
  await stream.status("action_started");
  await stub.phone.submit(id, [{
    contentType: "image/jpeg",
    filename: "id card.jpg",
    data: sampleJpeg(),
  }]);
  const done = await stream.event("completed");
  assert.deepEqual(await stream.rest(), [], "the stream ends after completed");
  assert.deepEqual(statuses(stream.events), [
    ["status", `${id}:0`, "pending"],
    ["status", `${id}:1`, "opened"],
    ["status", `${id}:2`, "action_started"],
    ["completed", `${id}:3`, "completed"],
  ]);
  const [file] = done.data.result;
  assert.equal(done.data.result.length, 1);
  assert.equal(file.contentType, "image/jpeg");
  assert.equal(file.filename, "id card.jpg");
  assert.equal(file.href, `/api/downloads/${file.downloadId}`);
  await eventually(() => dashboard.stats().relays === 0, "the relay ended");

  // The browser's reconnect after the final event is told to stop.
  const again = await fetch(
    new URL(`/api/sessions/${id}/events`, dashboard.url),
    {
      headers: { "last-event-id": `${id}:3` },
    },
  );
  assert.equal(again.status, 204);
  await again.body?.cancel();

  // The view tells when the files expire (the stub's default result TTL is
  // 5 minutes).
  const view = (await call(dashboard, `/api/sessions/${id}`)).json.session;
  assert.equal(view.status, "completed");
  assert.equal(view.result[0].filename, "id_card.jpg");
  const completedAt = stub.session(id)!.completedAt!.getTime();
  assert.equal(Date.parse(view.filesExpireAt) - completedAt, 300_000);

  const download = await call(dashboard, file.href);
  assert.equal(download.status, 200);
  assert.equal(download.headers.get("content-type"), "image/jpeg");
  assert.equal(download.headers.get("content-disposition"), "inline");
  assert.equal(download.headers.get("x-content-type-options"), "nosniff");
  assert.deepEqual(download.bytes, stub.session(id)!.items[0]!.data);
  const attachment = await call(dashboard, `${file.href}?download=1`);
  assert.equal(
    attachment.headers.get("content-disposition"),
    `attachment; filename="id_card.jpg"; filename*=UTF-8''id_card.jpg`,
  );
});

Deno.test("a multi-document scan in images mode relays every page, each downloadable", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const stub = dashboard.stub!;
  const { id } = await createSession(dashboard, {
    action: "scan",
    documentMode: "multi",
    scanOutputFormat: "images",
  });
  const stream = await RelayStream.open(dashboard, id);
  const session = await stream.event("session");
  assert.equal(session.data.documentMode, "multi");
  assert.equal(session.data.scanOutputFormat, "images");
  await stub.phone.open(id);
  const pages = [
    { documentIndex: 0, pageIndex: 0, data: sampleJpeg() },
    {
      documentIndex: 0,
      pageIndex: 1,
      data: samplePng(),
      contentType: "image/png",
    },
    { documentIndex: 1, pageIndex: 0, data: sampleJpeg() },
  ];
  for (const page of pages) await stub.phone.uploadPage(id, page);
  await stub.phone.finalize(id);
  const { data } = await stream.event("completed");
  await stream.close();
  assert.deepEqual(
    data.documents.map((
      d: { format: string; pages: { contentType: string }[] },
    ) => [d.format, d.pages.map((p) => p.contentType)]),
    [["images", ["image/jpeg", "image/png"]], ["images", ["image/jpeg"]]],
  );
  const png = data.documents[0].pages[1];
  const reply = await call(dashboard, png.href);
  assert.equal(reply.status, 200);
  assert.equal(reply.headers.get("content-type"), "image/png");
  assert.match(
    reply.headers.get("content-disposition")!,
    /^inline$/,
  );
  assert.deepEqual(reply.bytes, samplePng());
  const saved = await call(dashboard, `${png.href}?download=1`);
  assert.match(
    saved.headers.get("content-disposition")!,
    /^attachment; filename="scan-[0-9a-f]{8}-document-1-page-2\.png"/,
  );
});

Deno.test("the download route serves only the downloads of the dashboard's own sessions", async () => {
  await using stub = await startStubServer();
  await using dashboard = await startDashboard({
    port: 0,
    handoffUrl: stub.url,
    apiKey: stub.apiKey,
  });
  assert.equal(dashboard.stub, undefined);
  const mine = await createSession(dashboard, {
    action: "photo",
    outputFormat: "png",
  });
  await stub.phone.complete(mine.id);
  const myFile = (await completed(dashboard, mine.id)).result![0]!;

  // A session made by someone else on the same Handoff server.
  const other = new HandoffClient({ baseUrl: stub.url, apiKey: stub.apiKey });
  await using theirs = await other.createSession({
    action: "photo",
    outputFormat: "png",
  });
  await stub.phone.complete(theirs.id);
  const [theirFile] = await theirs.waitForResult();

  const before = stub.stats().requests.download;
  for (const id of [theirFile!.downloadId, "not-a-download", "..%2F..%2Fapi"]) {
    const reply = await call(dashboard, `/api/downloads/${id}`);
    assert.equal(reply.status, 404, id);
    assert.equal(reply.headers.get("content-type"), JSON_TYPE);
    assert.equal(
      reply.json.error,
      "No such download among this dashboard's sessions",
    );
  }
  assert.equal(stub.stats().requests.download, before, "nothing was fetched");
  // Nor is a relay of a session it does not hold.
  const relay = await call(dashboard, `/api/sessions/${theirs.id}/events`);
  assert.equal(relay.status, 404);
  assert.equal(relay.json.error, "No such session on this dashboard");

  assert.equal((await call(dashboard, myFile.href!)).status, 200);
  assert.equal(stub.stats().requests.download, before + 1);
});

Deno.test("a download whose result TTL ran out answers 404 with a clear message", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const { id } = await createSession(dashboard, {
    action: "photo",
    outputFormat: "jpg",
  });
  await dashboard.stub!.phone.complete(id);
  const [file] = (await completed(dashboard, id)).result!;
  dashboard.stub!.expireResult(id);
  const reply = await call(dashboard, file!.href!);
  assert.equal(reply.status, 404);
  assert.match(reply.json.error, /result TTL ran out/);
});

Deno.test("SVG and unknown files are served sandboxed, and unknown types only as attachments", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const stub = dashboard.stub!;
  const { id } = await createSession(dashboard, {
    action: "signature",
    outputFormat: "svg",
  });
  await stub.phone.open(id);
  await stub.phone.start(id);
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
  await stub.phone.submit(id, [
    {
      contentType: "image/svg+xml",
      filename: "signature.svg",
      data: new TextEncoder().encode(svg),
    },
    {
      contentType: "text/html",
      filename: "evil.html",
      data: new TextEncoder().encode("<script>alert(1)</script>"),
    },
  ]);
  const [svgFile, htmlFile] = (await completed(dashboard, id)).result!;

  const inline = await call(dashboard, svgFile!.href!);
  assert.equal(inline.headers.get("content-type"), "image/svg+xml");
  assert.equal(inline.headers.get("content-disposition"), "inline");
  assert.match(inline.headers.get("content-security-policy")!, /^sandbox;/);
  assert.equal(inline.text, svg);
  const saved = await call(dashboard, `${svgFile!.href}?download=1`);
  assert.equal(
    saved.headers.get("content-disposition"),
    `attachment; filename="signature.svg"; filename*=UTF-8''signature.svg`,
  );

  const html = await call(dashboard, htmlFile!.href!);
  assert.equal(html.headers.get("content-type"), "text/html");
  assert.equal(
    html.headers.get("content-disposition"),
    `attachment; filename="evil.html"; filename*=UTF-8''evil.html`,
  );
  assert.match(html.headers.get("content-security-policy")!, /^sandbox;/);
});

Deno.test("an expired session's relay says so and ends", async () => {
  await using dashboard = await startDashboard({
    port: 0,
    client: FAST_CLIENT,
  });
  const stub = dashboard.stub!;
  const { id } = await createSession(dashboard, { action: "scan" });
  const stream = await RelayStream.open(dashboard, id);
  await stream.until(
    (e) => e.event === "connection" && e.data.state === "websocket",
    "websocket",
  );
  stub.expire(id);
  stub.faults.dropWebSockets({ closeFrame: true }); // the client asks again, and hears it
  const expired = await stream.event("expired");
  assert.equal(expired.id, `${id}:4`);
  assert.deepEqual(await stream.rest(), []);
  assert.equal(
    (await call(dashboard, `/api/sessions/${id}`)).json.session.status,
    "expired",
  );
  const again = await fetch(
    new URL(`/api/sessions/${id}/events`, dashboard.url),
    {
      headers: { "last-event-id": `${id}:4` },
    },
  );
  assert.equal(again.status, 204);
  await again.body?.cancel();
});

Deno.test("a session the Handoff server forgot relays an error, without the API key", async () => {
  await using dashboard = await startDashboard({
    port: 0,
    client: FAST_CLIENT,
  });
  const stub = dashboard.stub!;
  const { id } = await createSession(dashboard, { action: "scan" });
  const stream = await RelayStream.open(dashboard, id);
  await stream.until(
    (e) => e.event === "connection" && e.data.state === "websocket",
    "websocket",
  );
  await stub.faults.restart({ keepState: false });
  const error = await stream.event("error");
  assert.equal(error.id, `${id}:error`); // a browser that got it is told to stop
  assert.equal(error.data.name, "NotFoundError");
  assert.equal(error.data.sessionId, id);
  assert.deepEqual(await stream.rest(), []);
  for (const event of stream.events) {
    assert.equal(JSON.stringify(event).includes(stub.apiKey), false);
  }
});

Deno.test("bad create requests get a 4xx with a clear JSON message", async () => {
  await using dashboard = await startDashboard({ port: 0, maxBodyBytes: 1024 });

  const invalid = await post(dashboard, "/api/sessions", {
    action: "photo",
    outputFormat: "svg",
    sessionTtl: "soon",
  });
  assert.equal(invalid.status, 400);
  assert.equal(invalid.headers.get("content-type"), JSON_TYPE);
  assert.equal(invalid.json.error, "The session options are not valid");
  assert.deepEqual(
    invalid.json.errors.map((e: { field: string }) => e.field).sort(),
    ["outputFormat", "sessionTtl"],
  );

  const notJson = await call(dashboard, "/api/sessions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"action": "photo",',
  });
  assert.equal(notJson.status, 400);
  assert.match(notJson.json.error, /^The body is not valid JSON/);

  const notUtf8 = await call(dashboard, "/api/sessions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: new Uint8Array([0x22, 0xff, 0x22]),
  });
  assert.equal(notUtf8.status, 400);
  assert.equal(notUtf8.json.error, "The body is not valid UTF-8");

  const form = await call(dashboard, "/api/sessions", {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: "action=photo",
  });
  assert.equal(form.status, 415);
  assert.match(form.json.error, /Content-Type: application\/json/);

  // A declared length over the limit is refused unread.
  const big = await post(dashboard, "/api/sessions", {
    action: "scan",
    intro: "x".repeat(2000),
  });
  assert.equal(big.status, 413);
  assert.equal(big.json.error, "The body is larger than 1024 bytes");

  // A chunked body (no Content-Length) is cut off at the limit...
  const chunks = new Blob(['{"intro":"', "y".repeat(4000), '"}']).stream();
  const chunked = await call(dashboard, "/api/sessions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: chunks,
  });
  assert.equal(chunked.status, 413);
  assert.equal(chunked.json.error, "The body is larger than 1024 bytes");

  // ... and one within it is read.
  const small = await call(dashboard, "/api/sessions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: new Blob(['{"action":', '"scan"}']).stream(),
  });
  assert.equal(small.status, 201, small.text);
  assert.equal(small.json.session.actionType, "scan");

  const crossSite = await post(
    dashboard,
    "/api/sessions",
    { action: "scan" },
    { origin: "https://evil.example" },
  );
  assert.equal(crossSite.status, 403);
  assert.equal(crossSite.json.error, "Cross-origin requests are refused");

  const put = await call(dashboard, "/api/sessions", { method: "PUT" });
  assert.equal(put.status, 405);
  assert.equal(put.headers.get("allow"), "GET, POST");
  const postEvents = await call(
    dashboard,
    `/api/sessions/${small.json.session.id}/events`,
    { method: "POST" },
  );
  assert.equal(postEvents.status, 405);
  assert.equal(postEvents.headers.get("allow"), "GET");

  const unknown = await call(dashboard, "/api/nothing");
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error, "No route GET /api/nothing");
  assert.equal((await call(dashboard, "/api/events")).status, 404);

  assert.equal(dashboard.stats().sessions, 1);
});

Deno.test("a request for another host name is refused (DNS rebinding)", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const status = async (host: string): Promise<string> => {
    const { hostname, port } = new URL(dashboard.url);
    using conn = await Deno.connect({ hostname, port: Number(port) });
    await conn.write(
      new TextEncoder().encode(
        `GET /api/sessions HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      ),
    );
    const text = await new Response(conn.readable).text();
    return text.slice(0, text.indexOf("\r\n"));
  };
  assert.equal(
    await status("evil.example"),
    "HTTP/1.1 421 Misdirected Request",
  );
  assert.equal(
    await status(`localhost:${new URL(dashboard.url).port}`),
    "HTTP/1.1 200 OK",
  );
});

Deno.test("a relay stream resumed with Last-Event-ID replays only what it missed", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const stub = dashboard.stub!;
  const { id } = await createSession(dashboard, {
    action: "photo",
    outputFormat: "jpg",
  });
  const first = await RelayStream.open(dashboard, id);
  await first.until((e) => e.event === "status", "the current status");
  await first.until(
    (e) => e.event === "connection" && e.data.state === "websocket",
    "websocket",
  );
  await first.close();
  assert.deepEqual(statuses(first.events), [["status", `${id}:0`, "pending"]]);

  await stub.phone.open(id); // missed while away
  await stub.phone.start(id);
  await eventually(
    () =>
      (dashboard.stats().sessions === 1) &&
      stub.session(id)!.status === "action_started",
    "the phone started",
  );

  const second = await RelayStream.open(dashboard, id, {
    lastEventId: `${id}:0`,
  });
  await second.status("action_started");
  await second.close();
  assert.deepEqual(statuses(second.events), [
    ["status", `${id}:1`, "opened"],
    ["status", `${id}:2`, "action_started"],
  ]);

  // The page's first stream names its point in the query; a reconnect's
  // header wins over it.
  const fromQuery = await RelayStream.open(dashboard, id, {
    query: `?lastEventId=${id}:1`,
  });
  await fromQuery.status("action_started");
  await fromQuery.close();
  assert.deepEqual(statuses(fromQuery.events), [
    ["status", `${id}:2`, "action_started"],
  ]);
  const headerWins = await RelayStream.open(dashboard, id, {
    query: `?lastEventId=${id}:0`,
    lastEventId: `${id}:2`,
  });
  await headerWins.event("connection");
  await headerWins.close();
  assert.deepEqual(statuses(headerWins.events), []);

  // An id of another session starts afresh: the current status only.
  const fresh = await RelayStream.open(dashboard, id, {
    lastEventId: "someone-else:1",
  });
  await fresh.until((e) => e.event === "status", "the current status");
  await fresh.close();
  assert.deepEqual(statuses(fresh.events), [
    ["status", `${id}:2`, "action_started"],
  ]);
});

Deno.test("a relay stream ends on the server when its browser goes away", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const { id } = await createSession(dashboard, { action: "scan" });
  const streams = [
    await RelayStream.open(dashboard, id),
    await RelayStream.open(dashboard, id),
  ];
  for (const stream of streams) await stream.event("session");
  assert.deepEqual(dashboard.stats().relaysBySession, { [id]: 2 });
  await streams[0]!.close();
  await eventually(
    () => dashboard.stats().relays === 1,
    "the first relay ended",
  );
  await streams[1]!.close();
  await eventually(
    () => dashboard.stats().relays === 0,
    "the second relay ended",
  );
  assert.deepEqual(dashboard.stats().relaysBySession, {});
  assert.equal(dashboard.stats().sessions, 1, "the session goes on");
});

Deno.test("disconnectStreams() ends every relay stream, and each resumes where it was", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const { id } = await createSession(dashboard, { action: "scan" });
  const stream = await RelayStream.open(dashboard, id);
  await stream.until((e) => e.event === "status", "the current status");
  assert.equal(dashboard.disconnectStreams(), 1);
  assert.deepEqual(statuses(await stream.rest()), []);
  await eventually(() => dashboard.stats().relays === 0, "the relay ended");
  // The session hears "opened" only over its socket: before the socket is
  // open it learns the status from a snapshot, which can be past it.
  await eventually(
    () => dashboard.stub!.stats().openWebSockets === 1,
    "the session's socket is open",
  );
  await dashboard.stub!.phone.open(id);
  const resumed = await RelayStream.open(dashboard, id, {
    lastEventId: stream.events.findLast((e) => e.id !== undefined)!.id!,
  });
  await resumed.until((e) => e.event === "status", "a status");
  await resumed.close();
  assert.deepEqual(statuses(resumed.events), [["status", `${id}:1`, "opened"]]);
});

Deno.test("an idle relay stream gets keep-alive comments", async () => {
  await using dashboard = await startDashboard({
    port: 0,
    keepAliveMs: 20,
    retryMs: 300,
  });
  const { id } = await createSession(dashboard, { action: "scan" });
  const stream = await RelayStream.open(dashboard, id);
  assert.equal((await stream.reader.next()).retry, 300);
  for (;;) {
    const message = await stream.reader.next();
    if (message.comment !== undefined) {
      assert.equal(message.comment, "keep-alive");
      break;
    }
  }
  await stream.close();
});

Deno.test("removing a session closes it, ends its relay streams and frees its downloads", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const { id } = await createSession(dashboard, {
    action: "photo",
    outputFormat: "jpg",
    intro: "the phone stops at the intro",
  });
  const stream = await RelayStream.open(dashboard, id);
  await stream.event("session");
  await dashboard.stub!.phone.open(id);
  await stream.status("opened");
  const removed = await call(dashboard, `/api/sessions/${id}`, {
    method: "DELETE",
  });
  assert.equal(removed.status, 204);
  assert.deepEqual(await stream.rest(), [], "ended with no more events");
  await eventually(() => dashboard.stats().relays === 0, "the relay ended");
  assert.equal(dashboard.stats().sessions, 0);
  assert.equal((await call(dashboard, `/api/sessions/${id}`)).status, 404);
  assert.equal(
    (await call(dashboard, `/api/sessions/${id}/events`)).status,
    404,
  );
  assert.equal(
    (await call(dashboard, `/api/sessions/${id}`, { method: "DELETE" })).status,
    404,
  );
});

Deno.test("removing a completed session frees its downloads", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const { id } = await createSession(dashboard, {
    action: "photo",
    outputFormat: "jpg",
  });
  await dashboard.stub!.phone.complete(id);
  const [file] = (await completed(dashboard, id)).result!;
  assert.equal((await call(dashboard, file!.href!)).status, 200);
  await call(dashboard, `/api/sessions/${id}`, { method: "DELETE" });
  assert.equal((await call(dashboard, file!.href!)).status, 404);
});

Deno.test("the dashboard refuses new sessions past its limit", async () => {
  await using dashboard = await startDashboard({ port: 0, maxSessions: 1 });
  await createSession(dashboard, { action: "scan" });
  const reply = await post(dashboard, "/api/sessions", { action: "scan" });
  assert.equal(reply.status, 409);
  assert.match(reply.json.error, /remove some first/);
});

Deno.test("a Handoff server that refuses the key gives a clear 502", async () => {
  await using stub = await startStubServer();
  await using dashboard = await startDashboard({
    port: 0,
    handoffUrl: stub.url,
    apiKey: "wrong-key",
  });
  const reply = await post(dashboard, "/api/sessions", { action: "scan" });
  assert.equal(reply.status, 502);
  assert.equal(
    reply.json.error,
    "The Handoff server answered 401: invalid API key",
  );
  assert.equal(reply.text.includes("wrong-key"), false);
});

Deno.test("a handoffUrl without an API key is refused", async () => {
  await assert.rejects(
    () => startDashboard({ port: 0, handoffUrl: "http://127.0.0.1:1" }),
    TypeError,
  );
});

Deno.test("closing the dashboard ends the relay streams and closes the sessions and the stub", async () => {
  const dashboard = await startDashboard({ port: 0 });
  const stub = dashboard.stub!;
  const { id } = await createSession(dashboard, { action: "scan" });
  const stream = await RelayStream.open(dashboard, id);
  await stream.until(
    (e) => e.event === "connection" && e.data.state === "websocket",
    "websocket",
  );
  assert.equal(stub.stats().openWebSockets, 1);
  await dashboard.close();
  await dashboard.close();
  await stream.rest();
  await stream.close();
  assert.equal(dashboard.stats().relays, 0);
  await assert.rejects(() => fetch(dashboard.url));
  await assert.rejects(() => fetch(stub.url));
});

Deno.test("a phone's file name cannot break or inject a Content-Disposition header", () => {
  const value = contentDisposition('evil"\r\nSet-Cookie: x=1;ü.jpg');
  assert.ok(!/[\r\n]/.test(value));
  new Headers({ "content-disposition": value }); // would throw if invalid
  assert.equal(
    value,
    `attachment; filename="evil___Set-Cookie: x=1;_.jpg"; filename*=UTF-8''evil%22%0D%0ASet-Cookie%3A%20x%3D1%3B%C3%BC.jpg`,
  );
  assert.equal(
    contentDisposition(""),
    `attachment; filename="download"; filename*=UTF-8''download`,
  );
});

Deno.test("the pages route counts a PDF's pages and gives its first page's size, and refuses what is not a PDF of its own", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const phone = dashboard.stub!.phone;
  const scan = await createSession(dashboard, {
    action: "scan",
    documentMode: "single",
    scanOutputFormat: "pdf",
  });
  await phone.open(scan.id);
  await phone.start(scan.id);
  for (const [pageIndex, data] of [sampleJpeg(), samplePng()].entries()) {
    await phone.uploadPage(scan.id, { data, documentIndex: 0, pageIndex });
  }
  await phone.finalize(scan.id);
  const done = await completed(dashboard, scan.id);
  const document = done.documents![0]!;
  assert.equal(document.format, "pdf");
  const pdf = document.format === "pdf" ? document.file : undefined;
  const pages = await call(
    dashboard,
    `/api/downloads/${pdf!.downloadId}/pages`,
  );
  assert.equal(pages.status, 200, pages.text);
  assert.equal(pages.json.pages, 2);
  assert.ok(pages.json.width > 0 && pages.json.height > 0);

  const photo = await createSession(dashboard, {
    action: "photo",
    outputFormat: "jpg",
  });
  await phone.complete(photo.id);
  const jpeg = (await completed(dashboard, photo.id)).result![0]!;
  const notPdf = await call(
    dashboard,
    `/api/downloads/${jpeg.downloadId}/pages`,
  );
  assert.equal(notPdf.status, 415);
  assert.equal(notPdf.json.error, "The file is not a PDF");
  const foreign = await call(
    dashboard,
    `/api/downloads/${crypto.randomUUID()}/pages`,
  );
  assert.equal(foreign.status, 404);
  const post = await call(
    dashboard,
    `/api/downloads/${jpeg.downloadId}/pages`,
    {
      method: "POST",
    },
  );
  assert.equal(post.status, 405);
});
