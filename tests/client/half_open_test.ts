// Copyright 2026 the handoff authors. MIT license.
/**
 * Half-open sockets, the way a user feels them: 200 sessions whose
 * WebSockets go half-open (the stub's `goSilent()`: no byte and no FIN ever
 * comes back) and are abandoned by the client, half replaced by the liveness
 * check after a missed status and half closed with `close()`. The process's
 * TCP connections to the stub must be back where they started within the
 * close wait (2 s, when an unanswered close drops the connection) + 1 s and
 * a small margin.
 *
 * The stub runs in a process of its own (`tools/stub_process.ts`), so only
 * the client's connections are counted: in Deno the test's own process
 * (`tests/client/_half_open.ts` says how: `/proc/<pid>/fd` matched with
 * `/proc/<pid>/net/tcp` by inode, REST requests with `Connection: close`); in
 * Bun and Node a bundle of the same scenario (`_half_open_entry.ts`, built
 * like the runtime tests' `cli.mjs`, with `ws`) counts its own process and
 * prints a report; its calls to the stub come over its stdout and are
 * answered on its stdin.
 *
 * Node: `node` from PATH (with `--experimental-websocket` below 22), and
 * also the Node at `HANDOFF_NODE` when that is set. Linux only (`/proc`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { StubProcess } from "../../tools/stub_process.ts";
import {
  installRuntimes,
  run,
  TOOLS as tools,
} from "../../tools/runtimes/tools.ts";
import {
  countSockets,
  type HalfOpenInput,
  type HalfOpenReport,
  runHalfOpen,
  type SocketCount,
} from "./_half_open.ts";

const root = new URL("../../", import.meta.url).pathname;
const bundle = `${root}tests/runtimes/dist/half_open.mjs`;

const SESSIONS = 200;
/** `CLOSE_WAIT_MS` of `_socket.ts`, + 1 s, + a margin for a loaded machine. */
const DRAIN_BOUND_MS = 2_000 + 1_000 + 500;

function input(stub: StubProcess): HalfOpenInput {
  return {
    baseUrl: stub.url,
    apiKey: stub.apiKey,
    sessions: SESSIONS,
    livenessIntervalMs: 300,
    drainBoundMs: DRAIN_BOUND_MS,
  };
}

function assertReport(report: HalfOpenReport): void {
  const line = JSON.stringify(report);
  console.log(line);
  assert.ok(report.silenced >= SESSIONS, `not all went half-open: ${line}`);
  // The count sees the sockets: every session's WebSocket was counted.
  assert.ok(
    report.open.toStub >= report.before.toStub + SESSIONS,
    `the open WebSockets were not all counted: ${line}`,
  );
  assert.equal(report.replaced, SESSIONS / 2, line);
  assert.equal(
    report.after.toStub,
    report.before.toStub,
    `${
      report.after.toStub - report.before.toStub
    } TCP connections to the stub still open ${DRAIN_BOUND_MS} ms after the last close: ${line}`,
  );
  // Nor any other TCP socket (Unix sockets are the runtime's own business).
  assert.ok(report.after.tcp <= report.before.tcp, line);
  assert.equal(report.stubOpen, 0, `the stub still holds sockets: ${line}`);
  assert.ok(report.closesSettled, `close() did not settle: ${line}`);
}

/**
 * This process's count. Deno reads `/proc` only with `--allow-all`, so a
 * shell reads this process's entries (its pipes are no sockets).
 */
async function countDeno(port: number): Promise<SocketCount> {
  const proc = `/proc/${Deno.pid}`;
  const { stdout } = await new Deno.Command("sh", {
    args: [
      "-c",
      `readlink ${proc}/fd/*; echo ===; cat ${proc}/net/tcp ${proc}/net/tcp6`,
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  const [links = "", tables = ""] = new TextDecoder().decode(stdout).split(
    "===\n",
  );
  return countSockets(links.split("\n"), [tables], port);
}

let prepared: Promise<void> | undefined;

/** Install the pinned runtimes (once) and bundle the scenario for Node and Bun. */
function prepare(): Promise<void> {
  prepared ??= (async () => {
    await installRuntimes();
    const build = await run("node", [
      `${tools}/build.mjs`,
      `${root}tests/runtimes/dist`,
      "--node",
      "half_open=tests/client/_half_open_entry.ts",
    ]);
    assert.equal(build.code, 0, `bundling failed:\n${build.stderr}`);
  })();
  return prepared;
}

/** Run the bundle in `command`, relaying its calls to `stub`; its report. */
async function runIn(
  stub: StubProcess,
  command: string,
  args: string[],
): Promise<HalfOpenReport> {
  const child = new Deno.Command(command, {
    args: [...args, bundle, JSON.stringify(input(stub))],
    cwd: root,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  // A child that hangs is stopped (the test then fails: no report).
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const stdin = child.stdin.getWriter();
  const encoder = new TextEncoder();
  const stderr = new Response(child.stderr).text();
  let last: { report?: HalfOpenReport; error?: string } | undefined;
  const answers: Promise<void>[] = [];
  let buffer = "";
  for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
    buffer += text;
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      const message = JSON.parse(line);
      if (typeof message.call !== "number") {
        last = message;
        continue;
      }
      answers.push(
        stub.call(message.method, ...message.args).then(
          (result) => ({ id: message.call, result: result ?? null }),
          (error: Error) => ({ id: message.call, error: String(error) }),
        ).then((reply) =>
          stdin.write(encoder.encode(JSON.stringify(reply) + "\n"))
        ).catch(() => {}),
      );
    }
  }
  await Promise.all(answers);
  await stdin.close().catch(() => {});
  const { code } = await child.status;
  clearTimeout(timer);
  const errors = await stderr;
  if (last?.report === undefined) {
    throw new Error(
      `${command} gave no report (exit ${code}): ${last?.error}\n${errors}`,
    );
  }
  return last.report;
}

/** The major version of a Node binary. */
async function nodeMajor(node: string): Promise<number> {
  const { stdout } = await run(node, ["--version"]);
  return Number(stdout.trim().slice(1).split(".")[0]);
}

async function inNode(node: string): Promise<HalfOpenReport> {
  await prepare();
  const flags = (await nodeMajor(node)) < 22
    ? ["--experimental-websocket"]
    : [];
  await using stub = await StubProcess.start();
  return await runIn(stub, node, flags);
}

/** The counts come from `/proc`. */
const ignore = Deno.build.os !== "linux";

Deno.test({
  name:
    "Deno: 200 half-open sockets abandoned by the client leave no TCP connection open",
  ignore,
}, async () => {
  await using stub = await StubProcess.start();
  assertReport(
    await runHalfOpen(
      input(stub),
      (method, ...args) => stub.call(method, ...args),
      countDeno,
    ),
  );
});

Deno.test({
  name:
    "Bun: 200 half-open sockets abandoned by the client leave no TCP connection open",
  ignore,
}, async () => {
  await prepare();
  await using stub = await StubProcess.start();
  assertReport(await runIn(stub, `${tools}/node_modules/.bin/bun`, []));
});

Deno.test({
  name:
    "Node: 200 half-open sockets abandoned by the client leave no TCP connection open",
  ignore,
}, async () => {
  assertReport(await inNode("node"));
});

const otherNode = Deno.env.get("HANDOFF_NODE");
Deno.test({
  name: `Node at HANDOFF_NODE (${
    otherNode ?? "not set"
  }): 200 half-open sockets leave no TCP connection open`,
  ignore: ignore || otherNode === undefined,
  fn: async () => assertReport(await inNode(otherNode!)),
});
