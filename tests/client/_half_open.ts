// Copyright 2026 the handoff authors. MIT license.
/**
 * The scenario of `half_open_test.ts`, in any runtime (Deno in the test's own
 * process; Bun and Node from a bundle): many sessions whose sockets go
 * half-open and are abandoned by the client, and this process's TCP
 * connections to the stub counted before, while open and after.
 *
 * How the connections are counted: the `socket:[inode]` links in
 * `/proc/<pid>/fd` are the process's sockets; `/proc/<pid>/net/tcp` (and
 * `tcp6`) gives each socket's addresses by inode, so the connections to the
 * stub are the sockets of the process whose remote port is the stub's (Bun
 * and Node read `/proc/self`; Deno allows `/proc` only with `--allow-all`,
 * so its test has a shell read them). The client's REST requests go
 * through a `fetch` that asks for `Connection: close` and lets no request be
 * dropped half-way (see `closingFetch`), so no idle keep-alive connection
 * stays in the count: once the sessions are closed, every connection to the
 * stub still open is a WebSocket the client has not let go of. The report
 * also has the TCP state of those connections and the process's sockets of
 * any kind.
 *
 * @module
 */

import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { HandoffClient, type Session } from "../../mod.ts";

/** What the scenario is run with. */
export interface HalfOpenInput {
  baseUrl: string;
  apiKey: string;
  /** How many sessions. */
  sessions: number;
  /** The client's `livenessIntervalMs`. */
  livenessIntervalMs: number;
  /** How long the count may take to come back after the last close. */
  drainBoundMs: number;
}

/** The stub's controls (`StubProcess.call`, or a relay of it). */
export type StubCall = (method: string, ...args: unknown[]) => Promise<unknown>;

/** Counts this process's sockets now (see {@linkcode countSockets}). */
export type Counter = (port: number) => SocketCount | Promise<SocketCount>;

/** The sockets of a process at one moment. */
export interface SocketCount {
  /** Every socket (`socket:[…]` in `/proc/<pid>/fd`), Unix sockets included. */
  sockets: number;
  /** The TCP sockets among them. */
  tcp: number;
  /** The TCP connections to the stub's port among those. */
  toStub: number;
  /** How many of those are in each TCP state (`ESTABLISHED`, `CLOSE_WAIT`, …). */
  states: Record<string, number>;
}

/** The names of the states in `/proc/net/tcp`. */
const TCP_STATES: Record<string, string> = {
  "01": "ESTABLISHED",
  "02": "SYN_SENT",
  "03": "SYN_RECV",
  "04": "FIN_WAIT1",
  "05": "FIN_WAIT2",
  "06": "TIME_WAIT",
  "07": "CLOSE",
  "08": "CLOSE_WAIT",
  "09": "LAST_ACK",
  "0A": "LISTEN",
  "0B": "CLOSING",
};

/** What the scenario saw. */
export interface HalfOpenReport {
  runtime: string;
  before: SocketCount;
  /** Once every session had its WebSocket (before the fault). */
  open: SocketCount;
  /** The sockets `goSilent()` silenced. */
  silenced: number;
  /** Sessions whose silent socket the liveness check replaced. */
  replaced: number;
  /** Sessions closed while their socket was silent. */
  closedSilent: number;
  /** At the end of the bounded wait after the last close. */
  after: SocketCount;
  /** Milliseconds from the last close until the count was back (or `null`). */
  drainMs: number | null;
  /** Whether every `close()` settled within the bound. */
  closesSettled: boolean;
  /** Once every `close()` settled (or 2 s more) and the stub forgot its sockets (or 1 s more). */
  end: SocketCount;
  /** WebSockets the stub still had open at the end. */
  stubOpen: number;
  /** Milliseconds of each step. */
  timings: Record<string, number>;
}

/**
 * Count the sockets among `links` (the targets of a process's
 * `/proc/<pid>/fd` entries), and the TCP connections to `port` among them
 * by their inodes in `tables` (the text of its `/proc/<pid>/net/tcp` and
 * `tcp6`).
 */
export function countSockets(
  links: readonly string[],
  tables: readonly string[],
  port: number,
): SocketCount {
  const inodes = new Set<string>();
  for (const link of links) {
    const match = /^socket:\[(\d+)\]$/.exec(link.trim());
    if (match) inodes.add(match[1]!);
  }
  let tcp = 0;
  let toStub = 0;
  const states: Record<string, number> = {};
  for (const table of tables) {
    for (const line of table.split("\n")) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const columns = line.trim().split(/\s+/);
      if (columns.length < 10 || !inodes.has(columns[9]!)) continue;
      tcp++;
      if (parseInt(columns[2]!.split(":")[1]!, 16) !== port) continue;
      toStub++;
      const state = TCP_STATES[columns[3]!] ?? columns[3]!;
      states[state] = (states[state] ?? 0) + 1;
    }
  }
  return { sockets: inodes.size, tcp, toStub, states };
}

/** This process's count, from `/proc/self` (Bun and Node; Deno forbids it). */
export function countOwnSockets(port: number): SocketCount {
  const links: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      links.push(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // closed meanwhile (the fd of the directory listing itself)
    }
  }
  const tables = ["/proc/self/net/tcp", "/proc/self/net/tcp6"].map((path) => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return "";
    }
  });
  return countSockets(links, tables, port);
}

function runtimeName(): string {
  const g = globalThis as {
    Deno?: { version: { deno: string } };
    Bun?: { version: string };
    process?: { version: string };
  };
  if (g.Deno) return `Deno ${g.Deno.version.deno}`;
  if (g.Bun) return `Bun ${g.Bun.version}`;
  return `Node ${g.process?.version}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `check` every 20 ms, for at most `ms`; whether it held. */
async function until(
  check: () => boolean | Promise<boolean>,
  ms: number,
): Promise<boolean> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) return false;
    await sleep(20);
  }
  return true;
}

/** Poll `check` like {@linkcode until}; throw when it did not hold. */
async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms: number,
): Promise<void> {
  if (!(await until(check, ms))) throw new Error(`timed out: ${what}`);
}

/** Whether `promise` settled within `ms` (its timer cleared either way). */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise.then(() => true, () => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `fetch` with every connection closed after its answer, and no connection
 * left unused: an abort rejects at once, but the request itself runs to its
 * end (its body is then discarded). Node's `fetch` keeps a connection it
 * opened for a request aborted before it was sent, idle, for its keep-alive
 * time (4 s), and under load `close()` aborts requests in that state.
 */
const closingFetch = (
  input: Request | URL | string,
  init: RequestInit = {},
): Promise<Response> => {
  const { signal, ...rest } = init;
  const headers = new Headers(rest.headers);
  headers.set("Connection", "close");
  const response = fetch(input, { ...rest, headers });
  if (!signal) return response;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason);
      response.then((r) => r.body?.cancel(), () => {});
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    response.then((r) => {
      signal.removeEventListener("abort", onAbort);
      resolve(r);
    }, (error) => {
      signal.removeEventListener("abort", onAbort);
      reject(error);
    });
  });
};

/** Run `fn` over `items`, `concurrency` at a time. */
async function each<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/**
 * Create `sessions` photo sessions, wait for all their WebSockets, silence
 * them all (`goSilent()`), then make the client abandon each silent socket:
 * the first half by a status they miss (the phone opens the session; the
 * liveness snapshot sees it and replaces the socket), the second half by
 * `close()`. Then close every session and count the connections to the
 * stub until they are back where they started, at most `drainBoundMs`.
 */
export async function runHalfOpen(
  input: HalfOpenInput,
  stub: StubCall,
  count: Counter = countOwnSockets,
): Promise<HalfOpenReport> {
  const port = Number(new URL(input.baseUrl).port);
  const timings: Record<string, number> = {};
  let mark = Date.now();
  const step = (name: string) => {
    const now = Date.now();
    timings[name] = now - mark;
    mark = now;
  };
  const stubOpen = async () =>
    ((await stub("stats")) as { openWebSockets: number }).openWebSockets;

  const before = await count(port);
  const client = new HandoffClient({
    baseUrl: input.baseUrl,
    apiKey: input.apiKey,
    fetch: closingFetch,
    livenessIntervalMs: input.livenessIntervalMs,
    reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
  });
  const sessions: Session[] = [];
  try {
    await each(
      Array.from({ length: input.sessions }, (_, i) => i),
      20,
      async () => {
        sessions.push(
          await client.createSession({ action: "photo", outputFormat: "jpg" }),
        );
      },
    );
    step("create");
    await waitFor(
      async () =>
        sessions.every((s) => s.connection === "websocket") &&
        (await stubOpen()) === input.sessions,
      "every session's WebSocket open",
      20_000,
    );
    step("connect");
    const open = await count(port);
    const silenced = (await stub("faults.goSilent")) as number;
    step("silence");

    const half = Math.floor(sessions.length / 2);
    const missing = sessions.slice(0, half);
    const closing = sessions.slice(half);
    // No intro: the phone's open sends opened and action_started, both lost
    // in the silence; the liveness snapshot finds them and replaces the socket.
    await each(missing, 10, async (s) => void await stub("phone.open", s.id));
    await waitFor(
      () =>
        missing.every((s) =>
          s.status === "action_started" && s.connection === "websocket"
        ),
      "every silent socket replaced after a missed status",
      20_000,
    );
    step("replace");

    const closes = [...closing, ...missing].map((s) => s.close());
    const closedAt = Date.now();
    let after: SocketCount;
    let drainMs: number | null = null;
    for (;;) {
      after = await count(port);
      if (after.toStub <= before.toStub) {
        drainMs = Date.now() - closedAt;
        break;
      }
      if (Date.now() - closedAt > input.drainBoundMs) break;
      await sleep(25);
    }
    step("drain");
    const closesSettled = await within(Promise.all(closes), 2_000);
    await until(async () => (await stubOpen()) === 0, 1_000);
    step("settle");
    return {
      runtime: runtimeName(),
      before,
      open,
      silenced,
      replaced: missing.filter((s) => s.status === "action_started").length,
      closedSilent: closing.length,
      after,
      drainMs,
      closesSettled,
      end: await count(port),
      stubOpen: await stubOpen(),
      timings,
    };
  } finally {
    // Whatever happened, nothing of the client is left running (a bounded
    // wait: the old client's close() may wait for a socket for ever).
    await within(Promise.all(sessions.map((s) => s.close())), 3_000);
  }
}
