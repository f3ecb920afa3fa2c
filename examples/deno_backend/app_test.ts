// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";
import { HandoffClient } from "@handoff/client";
import {
  sampleJpeg,
  samplePng,
  startStubServer,
} from "@handoff/client/testing";
import { startServerProcess, tempDir, until } from "../_testing.ts";
import { createApp, extensionFor, memoryStore } from "./app.ts";
import { directoryStore } from "./main.ts";

/** Serve `fetch` on loopback for the length of a test. */
function serve(
  fetch: (request: Request) => Promise<Response>,
): Deno.HttpServer<Deno.NetAddr> & { readonly origin: string } {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    fetch,
  );
  return Object.assign(server, {
    origin: `http://127.0.0.1:${server.addr.port}`,
  });
}

/** POST /sessions as the browser's form does; the id from the redirect. */
async function startSession(origin: string): Promise<string> {
  const response = await fetch(`${origin}/sessions`, {
    method: "POST",
    redirect: "manual",
  });
  await response.body?.cancel();
  assert.equal(response.status, 303);
  const location = response.headers.get("location") ?? "";
  const match = /^\/sessions\/([0-9a-f-]{36})$/.exec(location);
  assert.ok(match, `unexpected redirect to ${location}`);
  return match[1]!;
}

Deno.test("the Deno backend shows the session's QR code and stores the photo the phone sends", async () => {
  await using stub = await startStubServer();
  const client = new HandoffClient({ baseUrl: stub.url, apiKey: stub.apiKey });
  const store = memoryStore();
  await using app = createApp({ client, store });
  await using server = serve(app.fetch);

  const home = await fetch(`${server.origin}/`);
  assert.match(await home.text(), /<form method="post" action="\/sessions">/);

  const id = await startSession(server.origin);
  const page = await (await fetch(`${server.origin}/sessions/${id}`)).text();
  assert.match(page, /<img src="data:image\/png;base64,[A-Za-z0-9+/=]+"/);
  assert.ok(
    page.includes(`${stub.baseUrl}/s/${id}`),
    "the page links the session URL",
  );
  assert.equal(stub.session(id)?.introText, "A photo, please");

  // The person scans the code and takes the photo (the page sends it as
  // image/jpeg photo.jpg).
  const photo = sampleJpeg();
  await stub.phone.open(id);
  await stub.phone.start(id);
  await stub.phone.submit(id, [{ contentType: "image/jpeg", data: photo }]);

  assert.equal(await app.settled(id), "stored");
  assert.deepEqual(store.photos.get(id)?.data, photo);
  assert.equal(store.photos.get(id)?.filename, "photo.jpg");
  assert.deepEqual(
    await (await fetch(`${server.origin}/sessions/${id}/status`)).json(),
    { id, state: "stored", photo: `/photos/${id}` },
  );
  const served = await fetch(`${server.origin}/photos/${id}`);
  assert.equal(served.headers.get("content-type"), "image/jpeg");
  assert.deepEqual(new Uint8Array(await served.arrayBuffer()), photo);
  assert.match(
    await (await fetch(`${server.origin}/sessions/${id}`)).text(),
    /the photo is stored/,
  );
});

Deno.test("extensionFor goes by the content type", () => {
  for (
    const [type, extension] of [
      ["image/jpeg", ".jpg"],
      ["image/png", ".png"],
      ["image/heic", ".heic"],
      ["IMAGE/PNG; charset=binary", ".png"],
      ["application/pdf", ".pdf"],
      ["", ".bin"],
      ["application/x-unknown", ".bin"],
    ] as const
  ) {
    assert.equal(extensionFor(type), extension, type);
  }
});

Deno.test("directoryStore names the file by its content type: a PNG screenshot for a jpg session is <id>.png", async () => {
  await using stub = await startStubServer();
  await using dir = await tempDir("deno_backend_");
  const client = new HandoffClient({ baseUrl: stub.url, apiKey: stub.apiKey });
  const store = directoryStore(dir.path);
  await using app = createApp({ client, store });
  await using server = serve(app.fetch);
  const id = await startSession(server.origin);
  assert.equal(stub.session(id)?.outputFormat, "jpg");

  // What the real page sends for a PNG: its bytes, image/png, photo.png.
  await stub.phone.open(id);
  await stub.phone.start(id);
  await stub.phone.submit(id, [{
    contentType: "image/png",
    data: samplePng(),
  }]);
  assert.equal(await app.settled(id), "stored");

  assert.deepEqual(await Deno.readFile(`${dir.path}/${id}.png`), samplePng());
  assert.deepEqual(
    JSON.parse(await Deno.readTextFile(`${dir.path}/${id}.json`)),
    { file: `${id}.png`, contentType: "image/png", filename: "photo.png" },
  );
  const served = await fetch(`${server.origin}/photos/${id}`);
  assert.equal(served.headers.get("content-type"), "image/png");
  assert.deepEqual(new Uint8Array(await served.arrayBuffer()), samplePng());
});

Deno.test("the Deno backend reports a session that expired before any photo", async () => {
  await using stub = await startStubServer();
  const client = new HandoffClient({ baseUrl: stub.url, apiKey: stub.apiKey });
  const store = memoryStore();
  await using app = createApp({ client, store, sessionTtl: "300ms" });
  await using server = serve(app.fetch);

  const id = await startSession(server.origin);
  assert.equal(await app.settled(id), "expired");
  assert.equal(store.photos.size, 0);
  assert.match(
    await (await fetch(`${server.origin}/sessions/${id}`)).text(),
    /expired before a photo arrived/,
  );
  const missing = await fetch(`${server.origin}/photos/${id}`);
  await missing.body?.cancel();
  assert.equal(missing.status, 404);
});

Deno.test("closing the Deno backend stops waiting and leaves the sessions on the server", async () => {
  await using stub = await startStubServer();
  const client = new HandoffClient({ baseUrl: stub.url, apiKey: stub.apiKey });
  const app = createApp({ client, store: memoryStore() });
  {
    await using server = serve(app.fetch);
    const id = await startSession(server.origin);
    await app.close();
    assert.equal(await app.settled(id), "stopped");
    assert.equal(stub.session(id)?.status, "pending");
    const refused = await fetch(`${server.origin}/sessions`, {
      method: "POST",
    });
    await refused.body?.cancel();
    assert.equal(refused.status, 503);
  }
  await app.close(); // idempotent
});

Deno.test("the Deno backend answers 404 and 405 where it should", async () => {
  await using stub = await startStubServer();
  const client = new HandoffClient({ baseUrl: stub.url, apiKey: stub.apiKey });
  await using app = createApp({ client, store: memoryStore() });
  for (
    const [method, path, status] of [
      ["GET", "/nope", 404],
      ["GET", "/sessions", 405],
      ["POST", "/", 405],
      ["GET", "/sessions/00000000-0000-4000-8000-000000000000", 404],
      ["GET", "/photos/00000000-0000-4000-8000-000000000000", 404],
    ] as const
  ) {
    const response = await app.fetch(
      new Request(`http://app${path}`, { method }),
    );
    await response.body?.cancel();
    assert.equal(response.status, status, `${method} ${path}`);
  }
  assert.equal(stub.sessions().length, 0);
});

Deno.test("main.ts serves the app with Deno.serve, writes the photo to PHOTO_DIR and exits on Ctrl-C", async () => {
  await using stub = await startStubServer();
  await using dir = await tempDir("deno_backend_");
  await using child = await startServerProcess(Deno.execPath(), [
    "run",
    "--allow-net=127.0.0.1",
    "--allow-env",
    `--allow-read=${dir.path}`,
    `--allow-write=${dir.path}`,
    "examples/deno_backend/main.ts",
  ], {
    HANDOFF_URL: stub.url,
    HANDOFF_API_KEY: stub.apiKey,
    PHOTO_DIR: dir.path,
    PORT: "0",
  });

  const id = await startSession(child.url);
  await stub.phone.complete(id);
  await until(async () => {
    const status = await fetch(`${child.url}/sessions/${id}/status`);
    const { state } = await status.json();
    assert.ok(
      ["pending", "opened", "action_started", "stored"].includes(state),
      state,
    );
    return state === "stored";
  }, "the photo to be stored");
  const photo = await fetch(`${child.url}/photos/${id}`);
  const bytes = new Uint8Array(await photo.arrayBuffer());
  assert.deepEqual(await Deno.readFile(`${dir.path}/${id}.jpg`), bytes);
  assert.deepEqual(
    JSON.parse(await Deno.readTextFile(`${dir.path}/${id}.json`)),
    { file: `${id}.jpg`, contentType: "image/jpeg", filename: "photo.jpg" },
  );

  assert.equal(await child.stop("SIGINT"), 0, child.output());
});
