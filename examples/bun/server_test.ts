// Copyright 2026 the handoff authors. MIT license.
// The Bun example, bundled with esbuild and run by the pinned `bun` of
// tools/runtimes, against the stub server started here in Deno.

import assert from "node:assert/strict";
import {
  sampleJpeg,
  samplePng,
  startStubServer,
} from "@handoff/client/testing";
import {
  bundle,
  startServerProcess,
  tempDir,
  TOOLS,
  until,
} from "../_testing.ts";

Deno.test("the Bun example serves the photo app with Bun.serve and writes the photo with Bun.write", async () => {
  await using stub = await startStubServer();
  await using dir = await tempDir("bun_");
  await bundle(dir.path, { server: "examples/bun/server.ts" });
  await using bun = await startServerProcess(
    `${TOOLS}/node_modules/.bin/bun`,
    [`${dir.path}/server.mjs`],
    {
      HANDOFF_URL: stub.url,
      HANDOFF_API_KEY: stub.apiKey,
      PHOTO_DIR: `${dir.path}/photos`,
      PORT: "0",
    },
  );

  const created = await fetch(`${bun.url}/sessions`, {
    method: "POST",
    redirect: "manual",
  });
  await created.body?.cancel();
  assert.equal(created.status, 303);
  const id = created.headers.get("location")!.split("/").at(-1)!;
  assert.equal(stub.session(id)?.status, "pending");

  const page = await (await fetch(`${bun.url}/sessions/${id}`)).text();
  assert.match(page, /<img src="data:image\/png;base64,/);

  const photo = sampleJpeg();
  await stub.phone.open(id);
  await stub.phone.start(id);
  await stub.phone.submit(id, [{ contentType: "image/jpeg", data: photo }]);
  await until(async () => {
    const status = await fetch(`${bun.url}/sessions/${id}/status`);
    return (await status.json()).state === "stored";
  }, "Bun to store the photo");

  assert.deepEqual(await Deno.readFile(`${dir.path}/photos/${id}.jpg`), photo);
  const served = await fetch(`${bun.url}/photos/${id}`);
  assert.equal(served.headers.get("content-type"), "image/jpeg");
  assert.deepEqual(new Uint8Array(await served.arrayBuffer()), photo);
  // Bun's WebSocket took the key in the X-API-Key header.
  assert.deepEqual(stub.stats().upgradeAuth, { header: 1, query: 0 });

  // A PNG screenshot for this jpg session: stored as what it is, <id>.png.
  const second = await fetch(`${bun.url}/sessions`, {
    method: "POST",
    redirect: "manual",
  });
  await second.body?.cancel();
  const pngId = second.headers.get("location")!.split("/").at(-1)!;
  await stub.phone.open(pngId);
  await stub.phone.start(pngId);
  await stub.phone.submit(pngId, [{
    contentType: "image/png",
    data: samplePng(),
  }]);
  await until(async () => {
    const status = await fetch(`${bun.url}/sessions/${pngId}/status`);
    return (await status.json()).state === "stored";
  }, "Bun to store the PNG");
  assert.deepEqual(
    await Deno.readFile(`${dir.path}/photos/${pngId}.png`),
    samplePng(),
  );
  const png = await fetch(`${bun.url}/photos/${pngId}`);
  assert.equal(png.headers.get("content-type"), "image/png");
  await png.body?.cancel();

  assert.equal(await bun.stop("SIGTERM"), 0, bun.output());
});
