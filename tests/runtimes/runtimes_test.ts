// Copyright 2026 the handoff authors. MIT license.
// The same scenario in every runtime the library claims, against the stub
// server started here in Deno. The runtimes come from npm (tools/runtimes,
// installed on first use with `npm ci`).

import assert from "node:assert/strict";
import { encodeBase64 } from "../../_base64.ts";
import { sampleJpeg, startStubServer, type StubServer } from "../../testing.ts";
import { runScenario, type ScenarioReport } from "./scenario.ts";
import {
  installRuntimes,
  run,
  TOOLS as tools,
} from "../../tools/runtimes/tools.ts";

const root = new URL("../../", import.meta.url).pathname;
const dist = `${root}tests/runtimes/dist`;

let prepared: Promise<void> | undefined;

/** Install the pinned runtimes (once) and bundle the scenario. */
function prepare(): Promise<void> {
  prepared ??= (async () => {
    await installRuntimes();
    const build = await run("node", [`${tools}/build.mjs`, dist]);
    assert.equal(build.code, 0, `bundling failed:\n${build.stderr}`);
  })();
  return prepared;
}

function input(server: StubServer): string {
  return JSON.stringify({
    baseUrl: server.url,
    apiKey: server.apiKey,
    jpegBase64: encodeBase64(sampleJpeg()),
  });
}

async function runIn(
  command: string,
  args: string[],
): Promise<ScenarioReport> {
  const result = await run(command, args);
  const line = result.stdout.trim().split("\n").at(-1) ?? "";
  let parsed: { ok: boolean; report?: ScenarioReport; error?: string };
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error(
      `${command} printed no report (exit ${result.code}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  assert.ok(parsed.ok, `the scenario failed in ${command}: ${parsed.error}`);
  return parsed.report!;
}

function assertReport(report: ScenarioReport, qr = true): void {
  assert.deepEqual(report.statuses, [
    "pending",
    "opened",
    "action_started",
    "completed",
  ]);
  assert.deepEqual(report.connections, ["websocket", "closed"]);
  assert.equal(report.itemCount, 1);
  assert.equal(report.bytesEqual, true);
  assert.equal(report.contentType, "image/jpeg");
  if (qr) assert.equal(report.qr, "data:image/png;base64,");
  assert.equal(report.infoStatus, "completed");
  assert.equal(report.unauthorized, "UnauthorizedError");
  assert.equal(report.closed, "closed");
  assert.deepEqual(report.relay, RELAY);
}

/**
 * What the relay sends, read with eventsource-parser: the same in every
 * runtime (see RelayReport in scenario.ts for how each figure is written).
 */
const RELAY: ScenarioReport["relay"] = {
  response: "200 text/event-stream; charset=utf-8",
  head: ["retry 2000", "session (no id)"],
  session: {
    id: "<session.id>",
    url: "<session.url>",
    actionType: "photo",
    outputFormat: "jpg",
    createdAt: "<session.createdAt>",
    expiresAt: "<session.expiresAt>",
    status: "pending",
    qrCode: "<svg",
  },
  // Statuses in order with their ids, one completed, then the end.
  events: [
    "status :0 pending",
    "status :1 opened",
    "status :2 action_started",
    "completed :3",
    "end",
  ],
  completed: {
    sessionId: "<session.id>",
    status: "completed",
    actionType: "photo",
    result: [{
      downloadId: "<downloadId>",
      contentType: "image/jpeg",
      filename: "photo.jpg",
      href: "</files/downloadId>",
    }],
  },
  leaks: [],
  parseErrors: [],
  // Reconnected with the id of pending: what it missed, once, in order.
  replay: [
    "200",
    "status :1 opened",
    "status :2 action_started",
    "completed :3",
    "end",
  ],
  lateReplay: ["200", "completed :3", "end"],
  // After the final event: 204, which stops an EventSource.
  spent: "204 no body",
  cancelled: [
    "session (no id)",
    "status :0 pending",
    ": keep-alive",
    "cancelled",
    "end",
  ],
  aborted: ["session (no id)", "status :0 pending", "aborted", "end"],
};

Deno.test("Deno: the scenario passes with the key in the WebSocket header", async () => {
  await using server = await startStubServer();
  assertReport(await runScenario(JSON.parse(input(server))));
  assert.deepEqual(server.stats().upgradeAuth, { header: 1, query: 0 });
});

Deno.test("Bun: the scenario passes with the key in the WebSocket header", async () => {
  await prepare();
  await using server = await startStubServer();
  assertReport(
    await runIn(`${tools}/node_modules/.bin/bun`, [
      `${dist}/cli.mjs`,
      input(server),
    ]),
  );
  assert.deepEqual(server.stats().upgradeAuth, { header: 1, query: 0 });
});

Deno.test("Node: the bundle passes with --experimental-websocket", async () => {
  await prepare();
  await using server = await startStubServer();
  const major = Number(
    (await run("node", ["--version"])).stdout.slice(1).split(".")[0],
  );
  const flags = major < 22 ? ["--experimental-websocket"] : [];
  assertReport(
    await runIn("node", [...flags, `${dist}/cli.mjs`, input(server)]),
  );
  assert.deepEqual(server.stats().upgradeAuth, { header: 1, query: 0 });
});

Deno.test("Cloudflare workerd (miniflare): the scenario passes through the fetch upgrade", async () => {
  await prepare();
  await using server = await startStubServer();
  assertReport(
    await runIn("node", [`${tools}/run_worker.mjs`, dist, input(server)]),
  );
  // The fetch upgrade carries the key in the X-API-Key header.
  assert.deepEqual(server.stats().upgradeAuth, { header: 1, query: 0 });
});

Deno.test("Vercel edge-runtime: the scenario passes", async () => {
  await prepare();
  await using server = await startStubServer();
  assertReport(
    await runIn("node", [`${tools}/run_edge.mjs`, dist, input(server)]),
  );
  assert.deepEqual(server.stats().upgradeAuth, { header: 1, query: 0 });
});
