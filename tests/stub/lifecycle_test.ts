// Copyright 2026 the handoff authors. MIT license.
// Starting and stopping the stub: options, close(), asyncDispose, signal,
// snapshots, samples, and nothing happening at import.

import assert from "node:assert/strict";
import { PDFDocument } from "pdf-lib";
import {
  sampleJpeg,
  samplePng,
  startStubServer,
  StubPhoneError,
} from "../../testing.ts";
import {
  api,
  assertAbnormalClose,
  createSession,
  delay,
  UUID_RE,
  waitUntil,
  withStub,
  WsClient,
} from "./_helpers.ts";
import { onFreePort } from "../_port.ts";

const ROOT = new URL("../../", import.meta.url);

async function refused(url: string): Promise<boolean> {
  try {
    const res = await fetch(url + "/api/v1/health");
    await res.body?.cancel();
    return false;
  } catch {
    return true;
  }
}

Deno.test("startStubServer() listens on 127.0.0.1, a free port, with a random key", async () => {
  const a = await startStubServer();
  const b = await startStubServer();
  try {
    assert.match(a.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(b.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(a.url, b.url);
    assert.equal(a.baseUrl, a.url);
    assert.ok(a.apiKey.length > 0);
    assert.notEqual(a.apiKey, b.apiKey);
    assert.deepEqual([...a.apiKeys], [a.apiKey]);
    const health = await api(a, "/api/v1/health");
    assert.equal(health.status, 200);
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("the port option is used", async () => {
  const [port, stub] = await onFreePort(async (port) =>
    [port, await startStubServer({ port, hostname: "127.0.0.1" })] as const
  );
  try {
    assert.equal(stub.url, `http://127.0.0.1:${port}`);
    assert.equal((await api(stub, "/api/v1/health")).status, 200);
  } finally {
    await stub.close();
  }
});

Deno.test("close() stops the server and is idempotent", async () => {
  const stub = await startStubServer();
  const url = stub.url;
  assert.equal((await api(stub, "/api/v1/health")).status, 200);
  await stub.close();
  await stub.close();
  await Promise.all([stub.close(), stub.close()]);
  assert.ok(await refused(url));
});

Deno.test("await using closes the server at the end of the block", async () => {
  let url = "";
  {
    await using stub = await startStubServer();
    url = stub.url;
    assert.equal((await api(stub, "/api/v1/health")).status, 200);
  }
  assert.ok(await refused(url));
});

Deno.test("aborting the signal stops the server", async () => {
  const controller = new AbortController();
  const stub = await startStubServer({ signal: controller.signal });
  const url = stub.url;
  assert.equal((await api(stub, "/api/v1/health")).status, 200);
  controller.abort();
  await waitUntil(() => refused(url), 5000, "the server to stop");
  await stub.close();
});

Deno.test("close() cuts open WebSockets: clients see 1006", async () => {
  const stub = await startStubServer();
  const s = await createSession(stub);
  const ws = WsClient.connect(stub, s.id);
  try {
    assert.equal(await ws.opened, true);
    assert.equal((await ws.next()).status, "pending");
  } finally {
    await stub.close();
  }
  assertAbnormalClose(await ws.closed);
});

Deno.test("close() settles a request held by injected latency and cancels its timer", async () => {
  const stub = await startStubServer();
  stub.faults.setLatency(10_000);
  const inFlight = fetch(stub.url + "/api/v1/health").then(
    async (res) => {
      await res.body?.cancel();
      return "answered";
    },
    () => "failed",
  );
  await delay(100);
  await stub.close();
  const outcome = await inFlight;
  assert.ok(outcome === "answered" || outcome === "failed");
});

Deno.test("transportFaults: false still serves HTTP and WebSockets", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub, {
      action_type: "photo",
      output_format: "jpg",
    });
    const ws = await h.open(s.id);
    assert.equal((await ws.next()).status, "pending");
    await h.stub.phone.open(s.id);
    assert.equal((await ws.next()).status, "opened");
    assert.equal(h.stub.faults.dropWebSockets({ closeFrame: true }), 1);
    assert.equal((await ws.closed).code, 1001);
  }, { transportFaults: false });
});

Deno.test("session() and sessions() give snapshots of what the stub holds", async () => {
  await withStub(async ({ stub }) => {
    assert.equal(stub.session("nope"), undefined);
    const photo = await createSession(stub, {
      action_type: "photo",
      output_format: "png",
      intro_text: "Hello",
      session_ttl: "10m",
    });
    const scan = await createSession(stub, {
      action_type: "scan",
      output_format: "images",
      document_mode: "multi",
    });
    assert.deepEqual(
      stub.sessions().map((s) => s.id).sort(),
      [photo.id, scan.id].sort(),
    );
    const p = stub.session(photo.id);
    assert.ok(p !== undefined);
    assert.equal(p.actionType, "photo");
    assert.equal(p.status, "pending");
    assert.equal(p.outputFormat, "png");
    assert.equal(p.introText, "Hello");
    assert.equal(p.documentMode, undefined);
    assert.equal(p.createdAt.getTime(), Date.parse(photo.created_at));
    assert.equal(p.expiresAt.getTime() - p.createdAt.getTime(), 600_000);
    assert.equal(p.completedAt, undefined);
    assert.deepEqual(p.items, []);
    assert.deepEqual(p.scanDocuments, []);
    const c = stub.session(scan.id);
    assert.equal(c?.outputFormat, "");
    assert.equal(c?.documentMode, "multi");
    assert.equal(c?.scanOutputFormat, "images");

    await stub.phone.open(photo.id);
    await stub.phone.start(photo.id);
    const data = samplePng();
    const [item] = await stub.phone.submit(photo.id, [
      { contentType: "image/png", filename: "p.png", data },
    ]);
    const done = stub.session(photo.id);
    assert.equal(done?.status, "completed");
    assert.ok(done?.completedAt instanceof Date);
    assert.equal(done?.items.length, 1);
    assert.equal(done?.items[0]?.downloadId, item!.downloadId);
    assert.match(item!.downloadId, UUID_RE);
    assert.equal(done?.items[0]?.contentType, "image/png");
    assert.equal(done?.items[0]?.filename, "p.png");
    assert.deepEqual(done?.items[0]?.data, data);
  });
});

Deno.test("StubPhone.complete() completes every kind of session", async () => {
  await withStub(async ({ stub }) => {
    for (
      const body of [
        { action_type: "photo", output_format: "jpg" },
        { action_type: "photo", output_format: "pdf", intro_text: "x" },
        { action_type: "signature", output_format: "svg" },
        { action_type: "signature", output_format: "pdf" },
        { action_type: "scan" },
        { action_type: "scan", output_format: "images", intro_text: "y" },
      ]
    ) {
      const s = await createSession(stub, body);
      await stub.phone.complete(s.id);
      const result = await api(stub, `/api/v1/sessions/${s.id}/result`);
      assert.equal(result.status, 200, JSON.stringify(body));
    }
  });
});

Deno.test("StubPhone methods reject with StubPhoneError carrying the status and body", async () => {
  await withStub(async ({ stub }) => {
    await assert.rejects(
      () => stub.phone.open("00000000-0000-4000-8000-000000000000"),
      (e: unknown) => e instanceof StubPhoneError && e.status === 404,
    );
    await assert.rejects(
      () => stub.phone.finalize("00000000-0000-4000-8000-000000000000"),
      (e: unknown) =>
        e instanceof StubPhoneError && e.status === 404 &&
        e.body === `{"error":"session not found"}`,
    );
    const err = new StubPhoneError(409, "x");
    assert.equal(err.name, "StubPhoneError");
    assert.equal(err.status, 409);
    assert.equal(err.body, "x");
    assert.ok(err instanceof Error);
  });
});

Deno.test("samplePng() and sampleJpeg() return fresh copies of images pdf-lib can embed", async () => {
  const png = samplePng();
  const jpeg = sampleJpeg();
  assert.deepEqual(
    [...png.subarray(0, 8)],
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  );
  assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  png[0] = 0;
  jpeg[0] = 0;
  assert.equal(samplePng()[0], 0x89);
  assert.equal(sampleJpeg()[0], 0xff);
  const doc = await PDFDocument.create();
  await doc.embedPng(samplePng());
  await doc.embedJpg(sampleJpeg());
});

async function runQuietly(args: string[]): Promise<
  { code: number; stdout: string; stderr: string }
> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, 20_000);
  try {
    const out = await child.output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("importing testing.ts does nothing: no network, no timers, no output", async () => {
  // Run with no permissions: network at import would fail, a timer or a
  // listener would keep the process alive (and be killed).
  const { code, stdout, stderr } = await runQuietly([
    "run",
    "--no-prompt",
    "--no-check",
    "testing.ts",
  ]);
  assert.equal(code, 0, stderr);
  assert.equal(stdout, "");
});

Deno.test("importing stub/cli.ts without running it as main does nothing", async () => {
  const { code, stdout, stderr } = await runQuietly([
    "eval",
    "--no-check",
    `await import("./stub/cli.ts"); console.log("imported");`,
  ]);
  assert.equal(code, 0, stderr);
  assert.equal(stdout, "imported\n");
});
