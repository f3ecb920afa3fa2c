// Copyright 2026 the handoff authors. MIT license.
// The stateless edge handler: directly, as the Supabase function (Deno.serve
// in a child process) and as the Cloudflare Worker (workerd via miniflare),
// against the stub server started here. Every request may go to a fresh
// instance: nothing is shared between them but the session id.

import assert from "node:assert/strict";
import { ServerError } from "@handoff/client";
import {
  sampleJpeg,
  startStubServer,
  type StubServer,
} from "@handoff/client/testing";
import {
  bundle,
  startServerProcess,
  tempDir,
  TOOLS,
  until,
} from "../_testing.ts";
import {
  createHandoffHandler,
  type HandoffStatus,
} from "./supabase/functions/_shared/handoff.ts";

const UNKNOWN = "00000000-0000-4000-8000-000000000000";

/** A fresh instance of the function, as a platform would start one. */
function instance(
  stub: StubServer,
): (request: Request) => Promise<Response> {
  return createHandoffHandler({
    baseUrl: stub.url,
    apiKey: stub.apiKey,
    maxWaitMs: 5_000,
    allowOrigin: "https://app.example",
  });
}

async function call(
  handle: (request: Request) => Promise<Response>,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: unknown }> {
  const response = await handle(new Request(`https://edge${path}`, init));
  return { status: response.status, body: await response.json() };
}

Deno.test("request 1 creates the session and answers its id, URL and QR code", async () => {
  await using stub = await startStubServer();
  const { status, body } = await call(instance(stub), "/handoff", {
    method: "POST",
  });
  assert.equal(status, 201);
  const { id, url, qr, expiresAt } = body as Record<string, string>;
  assert.equal(url, `${stub.baseUrl}/s/${id}`);
  assert.match(qr!, /^data:image\/png;base64,/);
  assert.equal(expiresAt, stub.session(id!)?.expiresAt.toISOString());
  assert.equal(stub.session(id!)?.status, "pending");
  // The first request watched the session only while it ran.
  assert.equal(stub.stats().openWebSockets, 0);
});

Deno.test("request 2 answers pending with the step reached when its deadline comes first", async () => {
  await using stub = await startStubServer();
  const { body } = await call(instance(stub), "/handoff", { method: "POST" });
  const { id } = body as { id: string };

  assert.deepEqual(
    (await call(instance(stub), `/handoff/${id}?wait=0`)).body,
    { id, status: "pending", step: "pending" },
  );
  await stub.phone.open(id); // no intro text: opened, then action_started
  assert.deepEqual(
    (await call(instance(stub), `/handoff/${id}?wait=200`)).body,
    { id, status: "pending", step: "action_started" },
  );
  assert.equal(stub.stats().openWebSockets, 0);
});

Deno.test("request 2 answers completed with links the function serves", async () => {
  await using stub = await startStubServer();
  const { body } = await call(instance(stub), "/handoff", { method: "POST" });
  const { id } = body as { id: string };
  const handle = instance(stub);

  // The person finishes while request 2 is waiting.
  const waiting = call(handle, `/handoff/${id}?wait=5000`);
  await until(() => stub.stats().openWebSockets === 1, "request 2 to attach");
  await stub.phone.complete(id);
  const answer = await waiting;
  assert.equal(answer.status, 200);
  const [item] = stub.session(id)!.items;
  assert.deepEqual(answer.body, {
    id,
    status: "completed",
    files: [{
      url: `/handoff/${id}/files/${item!.downloadId}`,
      contentType: "image/jpeg",
      filename: "photo.jpg",
    }],
  });

  // The link, from yet another instance: streamed through, no key needed.
  const file = await instance(stub)(
    new Request(`https://edge/handoff/${id}/files/${item!.downloadId}`),
  );
  assert.equal(file.headers.get("content-type"), "image/jpeg");
  assert.equal(
    file.headers.get("access-control-allow-origin"),
    "https://app.example",
  );
  assert.deepEqual(new Uint8Array(await file.arrayBuffer()), sampleJpeg());

  // Without waiting, the same answer from one GET.
  assert.deepEqual(
    (await call(instance(stub), `/handoff/${id}?wait=0`)).body,
    answer.body,
  );
});

Deno.test("request 2 answers expired once the session is gone, waiting or not", async () => {
  await using stub = await startStubServer();
  const { body } = await call(instance(stub), "/handoff", { method: "POST" });
  const { id } = body as { id: string };
  stub.expire(id);
  for (const wait of [0, 1000]) {
    assert.deepEqual(
      await call(instance(stub), `/handoff/${id}?wait=${wait}`),
      { status: 200, body: { id, status: "expired" } },
    );
  }
});

Deno.test("the handler refuses unknown sessions, other sessions' files and wrong methods", async () => {
  await using stub = await startStubServer();
  const handle = instance(stub);
  const mine = (await call(handle, "/handoff", { method: "POST" })).body as {
    id: string;
  };
  const other = (await call(handle, "/handoff", { method: "POST" })).body as {
    id: string;
  };
  await stub.phone.complete(other.id);
  const foreign = stub.session(other.id)!.items[0]!.downloadId;

  assert.deepEqual(await call(handle, `/handoff/${UNKNOWN}?wait=0`), {
    status: 404,
    body: { error: "session not found" },
  });
  assert.deepEqual(
    await call(handle, `/handoff/${mine.id}/files/${foreign}`),
    { status: 404, body: { error: "file not found" } },
  );
  assert.deepEqual(
    await call(handle, `/handoff/${mine.id}/files/..%2F..%2Fsecret`),
    { status: 404, body: { error: "not found" } },
  );
  assert.equal((await call(handle, "/handoff")).status, 405);
  assert.equal(
    (await call(handle, `/handoff/${mine.id}`, { method: "DELETE" })).status,
    405,
  );
  assert.equal((await call(handle, "/elsewhere")).status, 404);
  const preflight = await handle(
    new Request("https://edge/handoff", { method: "OPTIONS" }),
  );
  assert.equal(preflight.status, 204);
  assert.equal(
    preflight.headers.get("access-control-allow-methods"),
    "GET, POST, OPTIONS",
  );
});

Deno.test("a Handoff server that fails answers 502 without details", async () => {
  await using stub = await startStubServer();
  stub.faults.failRequests("create", 1, 503);
  const errors: unknown[] = [];
  const handle = createHandoffHandler({
    baseUrl: stub.url,
    apiKey: stub.apiKey,
    onError: (error) => errors.push(error),
  });
  assert.deepEqual(await call(handle, "/handoff", { method: "POST" }), {
    status: 502,
    body: { error: "the Handoff server answered 503" },
  });
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof ServerError);
  assert.ok(!String(errors[0]).includes(stub.apiKey));
});

/** The stateless flow over HTTP, against a function served elsewhere. */
async function exercise(origin: string, stub: StubServer): Promise<void> {
  const created = await fetch(`${origin}/handoff`, { method: "POST" });
  assert.equal(created.status, 201);
  const { id, url, qr } = await created.json();
  assert.equal(url, `${stub.baseUrl}/s/${id}`);
  assert.match(qr, /^data:image\/png;base64,/);

  const pending = await fetch(`${origin}/handoff/${id}?wait=0`);
  assert.deepEqual(await pending.json(), {
    id,
    status: "pending",
    step: "pending",
  });

  // The person finishes while a request follows the session: the news
  // reaches the handler over the session's WebSocket.
  const upgrades = stub.stats().upgrades;
  const waiting = fetch(`${origin}/handoff/${id}?wait=5000`);
  await until(
    () => stub.stats().openWebSockets === 1 && stub.stats().upgrades > upgrades,
    "the waiting request's WebSocket",
  );
  await stub.phone.complete(id);
  const done = await waiting;
  const answer = await done.json() as HandoffStatus;
  assert.equal(answer.status, "completed");
  const link = answer.status === "completed" ? answer.files[0]!.url : "";
  const file = await fetch(`${origin}${link}`);
  assert.equal(file.headers.get("content-type"), "image/jpeg");
  assert.deepEqual(new Uint8Array(await file.arrayBuffer()), sampleJpeg());

  stub.expire(id);
  const expired = await fetch(`${origin}/handoff/${id}`);
  assert.deepEqual(await expired.json(), { id, status: "expired" });
}

Deno.test("the Supabase Edge Function serves the handler with Deno.serve", async () => {
  await using stub = await startStubServer();
  await using fn = await startServerProcess(Deno.execPath(), [
    "run",
    "--allow-net=127.0.0.1",
    "--allow-env",
    "examples/edge_stateless/supabase/functions/handoff/index.ts",
  ], {
    HANDOFF_URL: stub.url,
    HANDOFF_API_KEY: stub.apiKey,
    DENO_SERVE_ADDRESS: "tcp:127.0.0.1:0",
  });
  await exercise(fn.url, stub);
});

Deno.test("the Cloudflare Worker runs the handler in workerd (miniflare) with its bindings", async () => {
  await using stub = await startStubServer();
  await using dir = await tempDir("worker_");
  await bundle(dir.path, { worker: "examples/edge_stateless/worker/index.ts" });
  await using worker = await startServerProcess("node", [
    `${TOOLS}/serve_worker.mjs`,
    `${dir.path}/worker.mjs`,
    JSON.stringify({ HANDOFF_URL: stub.url, HANDOFF_API_KEY: stub.apiKey }),
  ]);
  await exercise(worker.url, stub);
  // The Worker's WebSocket went through the fetch upgrade, key in the header.
  assert.equal(stub.stats().upgradeAuth.query, 0);
  assert.ok(stub.stats().upgradeAuth.header >= 1);
  assert.equal(await worker.stop("stdin"), 0, worker.output());
});
