// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";
import { HandoffClient } from "../../mod.ts";
import { sampleJpeg, samplePng, startStubServer } from "../../testing.ts";
import { startDashboard } from "../../mock/dashboard.ts";
import {
  call,
  createSession,
  EventStream,
  eventually,
  post,
} from "./_helpers.ts";

const JSON_TYPE = "application/json; charset=utf-8";

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
  const created = await createSession(dashboard, {
    action: "photo",
    outputFormat: "jpg",
  });
  await dashboard.stub!.phone.complete(created.id);
  const stream = await EventStream.open(dashboard);
  const snapshot = await stream.next();
  seen.push(snapshot.data);
  seen.push((await call(dashboard, "/api/sessions")).text);
  await stream.close();
  for (const text of seen) assert.equal(text.includes(apiKey), false);
});

Deno.test("a session created through the dashboard streams its progress and result", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const stub = dashboard.stub!;
  const stream = await EventStream.open(dashboard);
  const snapshot = await stream.next();
  assert.equal(snapshot.event, "snapshot");
  assert.equal(snapshot.id, stream.lastEventId);
  const meta = JSON.parse(snapshot.data);
  assert.equal(meta.mode, "stub");
  assert.equal(meta.handoffUrl, stub.url);
  assert.deepEqual(meta.sessions, []);

  const created = await createSession(dashboard, {
    action: "photo",
    outputFormat: "jpg",
    intro: "<script>alert(1)</script>",
    sessionTtl: "10m",
  });
  assert.equal(created.actionType, "photo");
  assert.equal(created.outputFormat, "jpg");
  assert.equal(created.introText, "<script>alert(1)</script>");
  assert.match(created.qrCode!, /^data:image\/png;base64,/);
  assert.equal(created.url, `${stub.baseUrl}/s/${created.id}`);
  assert.equal(
    Date.parse(created.expiresAt) - Date.parse(created.createdAt),
    600_000,
  );

  const id = created.id;
  await stream.waitFor(id, (v) => v.connection === "websocket");
  await stub.phone.open(id);
  await stream.waitFor(id, (v) => v.status === "opened");
  await stub.phone.start(id);
  await stream.waitFor(id, (v) => v.status === "action_started");
  await stub.phone.submit(id, [{
    contentType: "image/jpeg",
    filename: "id card.jpg",
    data: sampleJpeg(),
  }]);
  const done = await stream.waitFor(id, (v) => v.filesExpireAt !== undefined);
  assert.equal(done.status, "completed");
  assert.deepEqual(
    done.timeline.filter((e) => e.kind === "status").map((e) =>
      e.kind === "status" && e.status
    ),
    ["pending", "opened", "action_started", "completed"],
  );
  assert.ok(
    done.timeline.some((e) =>
      e.kind === "connection" && e.connection === "websocket"
    ),
  );
  assert.equal(done.result!.length, 1);
  const file = done.result![0]!;
  assert.equal(file.contentType, "image/jpeg");
  assert.equal(file.filename, "id_card.jpg");
  // The stub's default result TTL is 5 minutes.
  const completedAt = stub.session(id)!.completedAt!.getTime();
  assert.equal(Date.parse(done.filesExpireAt!) - completedAt, 300_000);

  const download = await call(dashboard, `/api/downloads/${file.downloadId}`);
  assert.equal(download.status, 200);
  assert.equal(download.headers.get("content-type"), "image/jpeg");
  assert.equal(download.headers.get("content-disposition"), "inline");
  assert.equal(download.headers.get("x-content-type-options"), "nosniff");
  assert.deepEqual(download.bytes, stub.session(id)!.items[0]!.data);

  const attachment = await call(
    dashboard,
    `/api/downloads/${file.downloadId}?download=1`,
  );
  assert.equal(
    attachment.headers.get("content-disposition"),
    `attachment; filename="id_card.jpg"; filename*=UTF-8''id_card.jpg`,
  );
  await stream.close();
});

Deno.test("a multi-document scan in images mode lists every page, each downloadable", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const stub = dashboard.stub!;
  const stream = await EventStream.open(dashboard);
  const { id } = await createSession(dashboard, {
    action: "scan",
    documentMode: "multi",
    scanOutputFormat: "images",
  });
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
  const view = await stream.waitFor(id, (v) => v.documents !== undefined);
  assert.equal(view.documentMode, "multi");
  assert.equal(view.scanOutputFormat, "images");
  assert.deepEqual(
    view.documents!.map((d) => [d.format, d.files.map((f) => f.contentType)]),
    [["images", ["image/jpeg", "image/png"]], ["images", ["image/jpeg"]]],
  );
  const png = view.documents![0]!.files[1]!;
  assert.match(png.filename, /^scan-[0-9a-f]{8}-document-1-page-2\.png$/);
  const reply = await call(dashboard, `/api/downloads/${png.downloadId}`);
  assert.equal(reply.status, 200);
  assert.equal(reply.headers.get("content-type"), "image/png");
  assert.deepEqual(reply.bytes, samplePng());
  await stream.close();
});

Deno.test("the download route serves only the downloads of the dashboard's own sessions", async () => {
  await using stub = await startStubServer();
  await using dashboard = await startDashboard({
    port: 0,
    handoffUrl: stub.url,
    apiKey: stub.apiKey,
  });
  assert.equal(dashboard.stub, undefined);
  const stream = await EventStream.open(dashboard);
  const mine = await createSession(dashboard, {
    action: "photo",
    outputFormat: "png",
  });
  await stub.phone.complete(mine.id);
  const view = await stream.waitFor(mine.id, (v) => v.result !== undefined);
  const myFile = view.result![0]!.downloadId;
  await stream.close();

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

  assert.equal((await call(dashboard, `/api/downloads/${myFile}`)).status, 200);
  assert.equal(stub.stats().requests.download, before + 1);
});

Deno.test("a download whose result TTL ran out answers 404 with a clear message", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const stream = await EventStream.open(dashboard);
  const { id } = await createSession(dashboard, {
    action: "photo",
    outputFormat: "jpg",
  });
  await dashboard.stub!.phone.complete(id);
  const view = await stream.waitFor(id, (v) => v.result !== undefined);
  dashboard.stub!.expireResult(id);
  const reply = await call(
    dashboard,
    `/api/downloads/${view.result![0]!.downloadId}`,
  );
  assert.equal(reply.status, 404);
  assert.match(reply.json.error, /result TTL ran out/);
  await stream.close();
});

Deno.test("SVG and unknown files are served sandboxed, and unknown types only as attachments", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const stub = dashboard.stub!;
  const stream = await EventStream.open(dashboard);
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
  const view = await stream.waitFor(id, (v) => v.result !== undefined);
  const [svgFile, htmlFile] = view.result!;

  const inline = await call(dashboard, `/api/downloads/${svgFile!.downloadId}`);
  assert.equal(inline.headers.get("content-type"), "image/svg+xml");
  assert.equal(inline.headers.get("content-disposition"), "inline");
  assert.match(inline.headers.get("content-security-policy")!, /^sandbox;/);
  assert.equal(inline.text, svg);
  const saved = await call(
    dashboard,
    `/api/downloads/${svgFile!.downloadId}?download=1`,
  );
  assert.equal(
    saved.headers.get("content-disposition"),
    `attachment; filename="signature.svg"; filename*=UTF-8''signature.svg`,
  );

  const html = await call(dashboard, `/api/downloads/${htmlFile!.downloadId}`);
  assert.equal(html.headers.get("content-type"), "text/html");
  assert.equal(
    html.headers.get("content-disposition"),
    `attachment; filename="evil.html"; filename*=UTF-8''evil.html`,
  );
  assert.match(html.headers.get("content-security-policy")!, /^sandbox;/);
  await stream.close();
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

  const form = await call(dashboard, "/api/sessions", {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: "action=photo",
  });
  assert.equal(form.status, 415);
  assert.match(form.json.error, /Content-Type: application\/json/);

  const big = await post(dashboard, "/api/sessions", {
    action: "scan",
    intro: "x".repeat(2000),
  });
  assert.equal(big.status, 413);
  assert.equal(big.json.error, "The body is larger than 1024 bytes");

  // A chunked body (no Content-Length) is cut off at the limit too.
  const chunks = new Blob(['{"intro":"', "y".repeat(4000), '"}']).stream();
  const chunked = await call(dashboard, "/api/sessions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: chunks,
  });
  assert.equal(chunked.status, 413);

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

  const unknown = await call(dashboard, "/api/nothing");
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error, "No route GET /api/nothing");

  assert.equal(dashboard.stats().sessions, 0);
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

Deno.test("a stream resumed with Last-Event-ID replays only what it missed", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const first = await EventStream.open(dashboard);
  const { id } = await createSession(dashboard, {
    action: "photo",
    outputFormat: "jpg",
    intro: "hello",
  });
  await first.waitFor(id, (v) => v.connection === "websocket" && !!v.qrCode);
  const seen = first.lastEventId!;
  await first.close();

  await dashboard.stub!.phone.open(id); // missed while away

  const second = await EventStream.open(dashboard, seen);
  const replayed = await second.next();
  assert.equal(replayed.event, "session");
  assert.equal(JSON.parse(replayed.data).status, "opened");
  await second.close();

  // An id the dashboard cannot resume from gets a fresh snapshot.
  const third = await EventStream.open(dashboard, "0abc.1");
  const snapshot = await third.next();
  assert.equal(snapshot.event, "snapshot");
  assert.equal(JSON.parse(snapshot.data).sessions[0].status, "opened");
  await third.close();
});

Deno.test("a reconnect after the replay buffer moved on gets a snapshot", async () => {
  await using dashboard = await startDashboard({
    port: 0,
    replayBufferSize: 1,
  });
  const first = await EventStream.open(dashboard);
  await first.next();
  const seen = first.lastEventId!;
  await first.close();
  await createSession(dashboard, { action: "scan" });
  await createSession(dashboard, { action: "scan" });
  const second = await EventStream.open(dashboard, seen);
  const message = await second.next();
  assert.equal(message.event, "snapshot");
  assert.equal(JSON.parse(message.data).sessions.length, 2);
  await second.close();
});

Deno.test("a stream's subscription is removed when its browser goes away", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const streams = [
    await EventStream.open(dashboard),
    await EventStream.open(dashboard),
  ];
  for (const stream of streams) await stream.next();
  assert.equal(dashboard.stats().subscribers, 2);
  for (const stream of streams) await stream.close();
  await eventually(
    () => dashboard.stats().subscribers === 0,
    "the subscriptions are removed",
  );
});

Deno.test("an idle stream gets keep-alive comments", async () => {
  await using dashboard = await startDashboard({ port: 0, keepAliveMs: 20 });
  const stream = await EventStream.open(dashboard);
  const retry = await stream.reader.next();
  assert.equal(retry.retry, 2000);
  assert.equal((await stream.reader.next()).event, "snapshot");
  assert.equal((await stream.reader.next()).comment, "keep-alive");
  await stream.close();
});

Deno.test("removing a session closes it and frees its downloads", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  const stream = await EventStream.open(dashboard);
  const { id } = await createSession(dashboard, {
    action: "photo",
    outputFormat: "jpg",
  });
  await dashboard.stub!.phone.complete(id);
  const view = await stream.waitFor(id, (v) => v.result !== undefined);
  const removed = await call(dashboard, `/api/sessions/${id}`, {
    method: "DELETE",
  });
  assert.equal(removed.status, 204);
  let message;
  do message = await stream.next(); while (message.event !== "removed");
  assert.deepEqual(JSON.parse(message.data), { id });
  assert.equal(stream.views.has(id), false);
  assert.equal(dashboard.stats().sessions, 0);
  assert.equal(
    (await call(dashboard, `/api/downloads/${view.result![0]!.downloadId}`))
      .status,
    404,
  );
  assert.equal((await call(dashboard, `/api/sessions/${id}`)).status, 404);
  assert.equal(
    (await call(dashboard, `/api/sessions/${id}`, { method: "DELETE" })).status,
    404,
  );
  await stream.close();
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

Deno.test("closing the dashboard ends the streams and closes the sessions and the stub", async () => {
  const dashboard = await startDashboard({ port: 0 });
  const stub = dashboard.stub!;
  const stream = await EventStream.open(dashboard);
  const { id } = await createSession(dashboard, { action: "scan" });
  await stream.waitFor(id, (v) => v.connection === "websocket");
  assert.equal(stub.stats().openWebSockets, 1);
  await dashboard.close();
  await dashboard.close();
  assert.equal(await stream.reader.ended(), true);
  await stream.close();
  await assert.rejects(() => fetch(dashboard.url));
  await assert.rejects(() => fetch(stub.url));
});

Deno.test("a phone's file name cannot break or inject a Content-Disposition header", async () => {
  const { contentDisposition } = await import("../../mock/dashboard.ts");
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
