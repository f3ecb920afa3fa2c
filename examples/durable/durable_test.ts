// Copyright 2026 the handoff authors. MIT license.
// The durable backend as a real process on a real KV file: killed with
// SIGKILL while sessions are pending, the phone completes them meanwhile,
// and the restarted backend stores each result once; two instances on the
// same KV store each result once between them; expired and lost sessions are
// removed. The backend gets --unstable-kv; this test process does not need it.

import assert from "node:assert/strict";
import { startStubServer, type StubServer } from "@handoff/client/testing";
import {
  type ServerProcess,
  startServerProcess,
  tempDir,
  until,
} from "../_testing.ts";
import type { KvReport } from "./inspect.ts";

const ID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const OUTCOME = new RegExp(
  `^(stored|duplicate|expired|lost|failed) (${ID})`,
  "gm",
);

/** Start `main.ts` on a free port and wait until it has resumed. */
async function startBackend(
  stub: StubServer,
  dir: string,
  env: Record<string, string> = {},
): Promise<ServerProcess & { readonly resumed: number }> {
  const child = await startServerProcess(Deno.execPath(), [
    "run",
    "--unstable-kv",
    "--allow-net=127.0.0.1",
    "--allow-env",
    `--allow-read=${dir}`,
    `--allow-write=${dir}`,
    "examples/durable/main.ts",
  ], {
    HANDOFF_URL: stub.url,
    HANDOFF_API_KEY: stub.apiKey,
    KV_PATH: `${dir}/handoff.sqlite3`,
    PORT: "0",
    ...env,
  });
  let resumed = -1;
  await until(() => {
    const match = /^resumed (\d+) sessions$/m.exec(child.output());
    if (match !== null) resumed = Number(match[1]);
    return match !== null;
  }, "the backend to resume");
  return Object.assign(child, { resumed });
}

/** What a backend logged for each session: id → outcomes. */
function outcomes(child: ServerProcess): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  for (const [, outcome, id] of child.output().matchAll(OUTCOME)) {
    seen.set(id!, [...seen.get(id!) ?? [], outcome!]);
  }
  return seen;
}

async function createSession(
  backend: ServerProcess,
  action: "photo" | "signature" = "photo",
): Promise<string> {
  const response = await fetch(`${backend.url}/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ action }),
  });
  assert.equal(response.status, 201);
  const { id } = await response.json();
  return id;
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  return await response.json();
}

/** The KV file read by `inspect.ts`, in its own process, once backends stopped. */
async function inspect(dir: string): Promise<KvReport> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--unstable-kv",
      `--allow-read=${dir}`,
      `--allow-write=${dir}`,
      "examples/durable/inspect.ts",
      `${dir}/handoff.sqlite3`,
    ],
    cwd: new URL("../../", import.meta.url),
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  assert.equal(code, 0, decoder.decode(stderr));
  return JSON.parse(decoder.decode(stdout));
}

/** Random bytes; `crypto.getRandomValues` fills at most 64 KiB a call. */
function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 65_536) {
    crypto.getRandomValues(bytes.subarray(i, i + 65_536));
  }
  return bytes;
}

Deno.test("a result completed while the backend was killed is stored once after its restart", async () => {
  await using stub = await startStubServer();
  await using dir = await tempDir("durable_");
  const first = await startBackend(stub, dir.path);
  assert.equal(first.resumed, 0);
  const photo = await createSession(first);
  const signature = await createSession(first, "signature");
  const large = await createSession(first); // 600 KiB: more than one commit
  assert.deepEqual(await getJson(`${first.url}/sessions/${photo}`), {
    id: photo,
    state: "pending",
  });

  assert.equal(await first.stop("SIGKILL"), 137);
  const upgrades = stub.stats().upgrades;
  // The person finishes on the phone while no backend is running.
  await stub.phone.complete(photo);
  await stub.phone.complete(signature);
  const bytes = randomBytes(600 * 1024 + 123);
  await stub.phone.open(large);
  await stub.phone.start(large);
  await stub.phone.submit(large, [
    { contentType: "image/jpeg", filename: "large.jpg", data: bytes },
  ]);

  await using second = await startBackend(stub, dir.path);
  assert.equal(second.resumed, 3);
  await until(
    () => outcomes(second).size === 3,
    "the three results to be stored",
  );
  for (const id of [photo, signature, large]) {
    assert.deepEqual(outcomes(second).get(id), ["stored"], second.output());
  }
  // Stored from completed snapshots: no WebSocket was needed.
  assert.equal(stub.stats().upgrades, upgrades);

  const status = await getJson(`${second.url}/sessions/${large}`);
  assert.equal(status.state, "stored");
  assert.deepEqual(status.files, [{
    url: `/sessions/${large}/files/0`,
    filename: "large.jpg",
    contentType: "image/jpeg",
    size: bytes.length,
  }]);
  for (
    const [id, expected] of [[large, bytes], [photo], [signature]] as const
  ) {
    const served = await fetch(`${second.url}/sessions/${id}/files/0`);
    const data = new Uint8Array(await served.arrayBuffer());
    assert.deepEqual(data, expected ?? stub.session(id)!.items[0]!.data);
    assert.equal(
      served.headers.get("content-type"),
      id === signature ? "image/png" : "image/jpeg",
    );
  }
  assert.deepEqual(await getJson(`${second.url}/stats`), {
    following: 0,
    stores: 3,
    pending: 0,
  });
  assert.equal(await second.stop("SIGTERM"), 0, second.output());

  // A third start finds nothing to resume and stores nothing again.
  const third = await startBackend(stub, dir.path);
  assert.equal(third.resumed, 0);
  assert.equal(await third.stop("SIGTERM"), 0, third.output());

  const report = await inspect(dir.path);
  assert.deepEqual(report.pending, []);
  assert.equal(report.stores, 3);
  assert.deepEqual(
    Object.keys(report.results).sort(),
    [photo, signature, large].sort(),
  );
  assert.deepEqual(report.chunks[large], {
    [report.results[large]!.attempt]: 10,
  });
  assert.deepEqual(report.chunks[photo], {
    [report.results[photo]!.attempt]: 1,
  });
});

Deno.test("two backends resuming the same sessions at once store each result once", async () => {
  await using stub = await startStubServer();
  await using dir = await tempDir("durable_");
  const first = await startBackend(stub, dir.path);
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) ids.push(await createSession(first));
  assert.equal(await first.stop("SIGKILL"), 137);

  // Half complete while no backend runs (both find them completed), half
  // once both follow them (both hear the completion at the same moment).
  const before = ids.slice(0, 3);
  const after = ids.slice(3);
  for (const id of before) await stub.phone.complete(id);
  const [a, b] = await Promise.all([
    startBackend(stub, dir.path, { INSTANCE: "a" }),
    startBackend(stub, dir.path, { INSTANCE: "b" }),
  ]);
  await using _a = a;
  await using _b = b;
  for (const id of after) await stub.phone.complete(id);

  // Each follows what was still pending when it looked (the other may have
  // stored some already), and ends each of those once.
  await until(
    () => outcomes(a).size === a.resumed && outcomes(b).size === b.resumed,
    "both backends to end every session they followed",
  ).catch((error) => {
    throw new Error(`${error.message}\n${a.output()}\n${b.output()}`);
  });
  for (const id of ids) {
    const all = [...outcomes(a).get(id) ?? [], ...outcomes(b).get(id) ?? []];
    assert.equal(
      all.filter((outcome) => outcome === "stored").length,
      1,
      `${id} stored once:\n${a.output()}\n${b.output()}`,
    );
    assert.ok(
      all.every((outcome) => outcome === "stored" || outcome === "duplicate"),
    );
  }
  // The sessions completed after both looked were followed by both.
  for (const id of after) {
    assert.equal(outcomes(a).get(id)?.length, 1);
    assert.equal(outcomes(b).get(id)?.length, 1);
  }
  assert.equal((await getJson(`${a.url}/stats`)).stores, 6);
  assert.equal(await a.stop("SIGTERM"), 0, a.output());
  assert.equal(await b.stop("SIGTERM"), 0, b.output());

  const report = await inspect(dir.path);
  assert.equal(report.stores, 6);
  assert.deepEqual(report.pending, []);
  for (const id of ids) {
    const result = report.results[id]!;
    const winner = outcomes(a).get(id)?.[0] === "stored" ? "a" : "b";
    assert.equal(result.storedBy, winner);
    // The loser's chunks are gone: only the stored attempt's are left.
    assert.deepEqual(report.chunks[id], { [result.attempt]: 1 });
  }
});

Deno.test("expired and lost sessions are removed, on resume and while followed", async () => {
  await using stub = await startStubServer();
  await using dir = await tempDir("durable_");
  const env = { SESSION_TTL: "5s" };
  const first = await startBackend(stub, dir.path, env);
  const expired = await createSession(first);
  const lost = await createSession(first);
  const later = await createSession(first);
  assert.equal(await first.stop("SIGKILL"), 137);

  stub.expire(expired); // the server says "expired" on resume
  await stub.phone.complete(lost);
  stub.expireResult(lost); // completed, but its files are past result_ttl

  await using second = await startBackend(stub, dir.path, env);
  assert.equal(second.resumed, 3);
  await until(() => outcomes(second).size === 2, "the first two to be removed");
  assert.deepEqual(outcomes(second).get(expired), ["expired"]);
  assert.deepEqual(outcomes(second).get(lost), ["lost"]);
  assert.deepEqual(await getJson(`${second.url}/sessions/${later}`), {
    id: later,
    state: "pending",
  });
  // `later` runs out of time while followed: SessionExpiredError.
  await until(
    () => outcomes(second).has(later),
    "the followed session to expire",
    20_000,
  );
  assert.deepEqual(outcomes(second).get(later), ["expired"]);
  const gone = await fetch(`${second.url}/sessions/${later}`);
  await gone.body?.cancel();
  assert.equal(gone.status, 404);
  assert.deepEqual(await getJson(`${second.url}/stats`), {
    following: 0,
    stores: 0,
    pending: 0,
  });
  assert.equal(await second.stop("SIGTERM"), 0, second.output());
});

Deno.test("a backend that resumes every so often takes over the sessions of one that died", async () => {
  await using stub = await startStubServer();
  await using dir = await tempDir("durable_");
  await using survivor = await startBackend(stub, dir.path, {
    INSTANCE: "survivor",
    RESUME_EVERY: "100",
  });
  const doomed = await startBackend(stub, dir.path, { INSTANCE: "doomed" });
  const id = await createSession(doomed);
  // The survivor picks the session up on its next round, and follows it.
  await until(
    () => /^resumed 1 sessions$/m.test(survivor.output()),
    "the survivor to resume the session",
  );
  assert.equal(await doomed.stop("SIGKILL"), 137);
  await stub.phone.complete(id);
  await until(() => outcomes(survivor).has(id), "the survivor to store it");
  assert.deepEqual(outcomes(survivor).get(id), ["stored"]);
  const status = await getJson(`${survivor.url}/sessions/${id}`);
  assert.equal(status.storedBy, "survivor");
  assert.equal(await survivor.stop("SIGTERM"), 0, survivor.output());
});

Deno.test("the durable backend answers 400, 404 and 405 where it should", async () => {
  await using stub = await startStubServer();
  await using dir = await tempDir("durable_");
  await using backend = await startBackend(stub, dir.path);
  for (
    const [method, path, body, status] of [
      ["POST", "/sessions", '{"action":"scan"}', 400],
      ["POST", "/sessions", "{not json", 400],
      ["GET", "/sessions", undefined, 405],
      ["DELETE", "/stats", undefined, 405],
      ["GET", "/nope", undefined, 404],
      ["GET", "/sessions/00000000-0000-4000-8000-000000000000", undefined, 404],
      [
        "GET",
        "/sessions/00000000-0000-4000-8000-000000000000/files/0",
        undefined,
        404,
      ],
    ] as const
  ) {
    const response = await fetch(`${backend.url}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body, headers: { "content-type": "application/json" } }),
    });
    await response.body?.cancel();
    assert.equal(response.status, status, `${method} ${path}`);
  }
  assert.equal(stub.sessions().length, 0);
  assert.equal(await backend.stop("SIGTERM"), 0, backend.output());
});
