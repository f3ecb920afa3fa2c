// Copyright 2026 the handoff authors. MIT license.
/**
 * The load harness: the stub server runs in a child process
 * (`tools/stub_process.ts`), so client and server do not share an event
 * loop. Each part runs in a fresh process of its own:
 *
 * `deno run -A bench/load.ts <part> '<params JSON>'` prints one JSON line
 * with the part's figures. Parts: `latency`, `scale`, `create`, `download`,
 * `qr`. `bench/main.ts` runs them all and writes the table.
 *
 * Figures are printed, never asserted: this machine is shared and noisy.
 *
 * @module
 */

import process from "node:process";
import { HandoffClient, type WebSocketConstructor } from "../mod.ts";
import type { Session } from "../session.ts";
import { StubProcess } from "../tools/stub_process.ts";
import {
  collect,
  percentile,
  procMemory,
  resetPeak,
  wallNow,
} from "./_stats.ts";

type Params = Record<string, number | string | boolean>;

function num(params: Params, name: string, fallback: number): number {
  const value = params[name];
  return typeof value === "number" ? value : fallback;
}

/** Run `fn` over `items`, `concurrency` at a time. */
async function pool<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Resolve when `predicate` holds (checked every 2 ms), or after `ms`. */
async function until(predicate: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!predicate()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return true;
}

/** Every order of `items`. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [
      item,
      ...rest,
    ])
  );
}

async function rawCreate(
  stub: StubProcess,
  body: string,
  signal?: AbortSignal,
): Promise<{ id: string }> {
  const response = await fetch(`${stub.url}/api/v1/sessions`, {
    method: "POST",
    headers: { "X-API-Key": stub.apiKey, "Content-Type": "application/json" },
    body,
    ...(signal ? { signal } : {}),
  });
  if (response.status !== 201) {
    throw new Error(`create answered ${response.status}`);
  }
  return await response.json() as { id: string };
}

// ---- latency ---------------------------------------------------------------

/**
 * Time from the stub handing a frame to its socket (stamped in the child by
 * `stampSends`) to the listener being called here, both on
 * `performance.timeOrigin + performance.now()`. Events are fired one at a
 * time (each waits for the previous delivery), so this is latency, not
 * queueing. The modes take turns event by event, in all their orders.
 */
async function latency(params: Params): Promise<unknown> {
  const sessions = num(params, "sessions", 700);
  const rounds = num(params, "rounds", 3);
  await using stub = await StubProcess.start(
    { transportFaults: false },
    [],
    { stampSends: true },
  );
  const client = new HandoffClient({ baseUrl: stub.url, apiKey: stub.apiKey });

  // The two clocks: an echo over stdin/stdout, offset of the fastest sample.
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 200; i++) {
    const t0 = wallNow();
    const child = await stub.call<number>("bench.now");
    const t1 = wallNow();
    if (t1 - t0 < best.rtt) {
      best = { rtt: t1 - t0, offset: child - (t0 + t1) / 2 };
    }
  }

  const body = JSON.stringify({
    action_type: "photo",
    output_format: "jpg",
    intro_text: "latency", // so opening sends `opened` alone
  });
  const item = [{
    contentType: "image/jpeg",
    filename: "photo.jpg",
    data: new Uint8Array(64),
  }];

  // The typed floor parses with a copy of the library's frame parser (a
  // second instance of the module): sharing the client's own code would warm
  // it for the client between its frames.
  const { parseFrame } = await import("../_wire.ts?typed-floor") as {
    parseFrame: typeof import("../_wire.ts").parseFrame;
  };

  /**
   * `bare`: `onmessage` stamps at once (the floor); `parsed`: `onmessage`
   * stamps after `JSON.parse` (the least any consumer of a bare socket does);
   * `typed`: `onmessage` stamps after turning the frame into a validated,
   * typed frame with a `Date` (what a typed event needs, without a session);
   * `client`: the session's listener stamps.
   */
  type Mode = "bare" | "parsed" | "typed" | "client";
  const MODES: readonly Mode[] = ["bare", "parsed", "typed", "client"];
  const ORDERS = permutations(MODES);
  const byStatus: Record<string, number[]> = {};
  /**
   * One round: `sessions` sockets or sessions of each mode open side by
   * side; events rotate between the modes one by one, so all see the same
   * machine load.
   */
  const runRound = async (): Promise<Record<Mode, number[]>> => {
    const received = new Map<string, number>();
    let wake: (() => void) | undefined;
    let waitingFor = "";
    const note = (key: string, at: number) => {
      received.set(key, at);
      if (key === waitingFor) wake?.();
    };
    const ids: Record<Mode, string[]> = {
      bare: [],
      parsed: [],
      typed: [],
      client: [],
    };
    const sockets: WebSocket[] = [];
    const floorSockets = new Map<string, WebSocket>();
    const live: Session<"photo">[] = [];
    const open = (id: string) =>
      new WebSocket(
        `${stub.url.replace(/^http/, "ws")}/api/v1/sessions/${id}/ws`,
        { headers: { "X-API-Key": stub.apiKey } },
      );
    type Wire = { session_id: string; status: string };
    for (let i = 0; i < sessions; i++) {
      const bare = open((await rawCreate(stub, body)).id);
      bare.onmessage = (e) => {
        const at = wallNow();
        const frame = JSON.parse(e.data as string) as Wire;
        note(`${frame.session_id}:${frame.status}`, at);
      };
      const parsed = open((await rawCreate(stub, body)).id);
      parsed.onmessage = (e) => {
        const frame = JSON.parse(e.data as string) as Wire;
        note(`${frame.session_id}:${frame.status}`, wallNow());
      };
      const typed = open((await rawCreate(stub, body)).id);
      typed.onmessage = (e) => {
        const frame = parseFrame(e.data);
        if (frame !== undefined) {
          note(`${frame.sessionId}:${frame.status}`, wallNow());
        }
      };
      sockets.push(bare, parsed, typed);
      for (const ws of [bare, parsed, typed]) {
        floorSockets.set(new URL(ws.url).pathname.split("/")[4]!, ws);
      }
      ids.bare.push(new URL(bare.url).pathname.split("/")[4]!);
      ids.parsed.push(new URL(parsed.url).pathname.split("/")[4]!);
      ids.typed.push(new URL(typed.url).pathname.split("/")[4]!);
      const session = await client.createSession({
        action: "photo",
        outputFormat: "jpg",
        intro: "latency",
      });
      ids.client.push(session.id);
      session.onEvent((event) => {
        const at = wallNow();
        note(`${event.sessionId}:${event.status}`, at);
      });
      live.push(session);
    }
    const all = MODES.flatMap((mode) => ids[mode]);
    await until(() => all.every((id) => received.has(`${id}:pending`)), 60_000);
    await stub.call("bench.sendTimes"); // forget the connect frames
    const keys: Record<Mode, string[]> = {
      bare: [],
      parsed: [],
      typed: [],
      client: [],
    };
    const fire = async (
      mode: Mode,
      key: string,
      call: () => Promise<unknown>,
    ) => {
      waitingFor = key;
      const delivered = new Promise<void>((resolve) => {
        wake = resolve;
        if (received.has(key)) resolve();
      });
      await call();
      await delivered;
      keys[mode].push(key);
    };
    /**
     * After a completion, close that socket (the server never does; the
     * client closes its own by itself) and wait until it is gone, so that
     * the work of closing it does not land on the next event measured.
     */
    const settle = async (mode: Mode, id: string) => {
      if (mode === "client") {
        await live.find((session) => session.id === id)?.close();
        return;
      }
      const ws = floorSockets.get(id)!;
      const closed = new Promise((resolve) =>
        ws.addEventListener("close", resolve, { once: true })
      );
      ws.close();
      await closed;
    };
    const steps: [string, (id: string) => Promise<unknown>][] = [
      ["opened", (id) => stub.call("phone.open", id)],
      ["action_started", (id) => stub.call("phone.start", id)],
      ["completed", (id) => stub.call("phone.submit", id, item)],
    ];
    // Each step fires the modes in the next of all their orders: a mode
    // comes after each other mode equally often, so whatever one mode leaves
    // behind does not always land on the same mode's next event.
    let order = 0;
    for (let i = 0; i < sessions; i++) {
      for (const [status, call] of steps) {
        const modes = ORDERS[order++ % ORDERS.length]!;
        for (const mode of modes) {
          const id = ids[mode][i]!;
          await fire(mode, `${id}:${status}`, () => call(id));
          if (status === "completed") await settle(mode, id);
        }
      }
    }
    const sent = new Map(
      await stub.call<[string, number][]>("bench.sendTimes"),
    );
    for (const ws of sockets) ws.close();
    await Promise.all(live.map((s) => s.close()));
    await until(() => sockets.every((ws) => ws.readyState === 3), 10_000);
    const latencies = (mode: Mode, status = "") =>
      keys[mode].flatMap((key) => {
        const at = received.get(key);
        const from = sent.get(key);
        return at === undefined || from === undefined || !key.endsWith(status)
          ? []
          : [at - from];
      });
    for (const mode of MODES) {
      for (const [status] of steps) {
        (byStatus[`${mode}:${status}`] ??= []).push(
          percentile(latencies(mode, `:${status}`), 50) * 1000,
        );
      }
    }
    return {
      bare: latencies("bare"),
      parsed: latencies("parsed"),
      typed: latencies("typed"),
      client: latencies("client"),
    };
  };

  const figures = Object.fromEntries(
    MODES.map((
      mode,
    ) => [mode, { p50: [] as number[], p99: [] as number[], n: 0 }]),
  ) as Record<Mode, { p50: number[]; p99: number[]; n: number }>;
  await runRound(); // warm-up, not counted
  for (const key of Object.keys(byStatus)) byStatus[key] = [];
  for (let r = 0; r < rounds; r++) {
    const samples = await runRound();
    for (const mode of MODES) {
      figures[mode].p50.push(percentile(samples[mode], 50) * 1000);
      figures[mode].p99.push(percentile(samples[mode], 99) * 1000);
      figures[mode].n += samples[mode].length;
    }
  }
  return {
    clock: { echoRttUs: best.rtt * 1000, offsetUs: best.offset * 1000 },
    eventsPerRound: sessions * 3,
    p50ByStatus: byStatus,
    rounds,
    ...figures,
  };
}

// ---- scale -----------------------------------------------------------------

/**
 * N sessions watched at once by this process; the stub completes them all.
 * `mode: "bare"` is the floor: raw `fetch` to create, a bare `WebSocket` per
 * session, counting `completed` frames in `onmessage`.
 */
async function scale(params: Params): Promise<unknown> {
  const n = num(params, "n", 1000);
  const bare = params.mode === "bare";
  const timeoutMs = num(params, "timeoutMs", 120_000);
  await using stub = await StubProcess.start(
    { transportFaults: false },
    ["--max-old-space-size=8192"],
  );
  const client = new HandoffClient({
    baseUrl: stub.url,
    apiKey: stub.apiKey,
    timeoutMs: 120_000,
  });
  await client.health();
  const body = JSON.stringify({ action_type: "photo", output_format: "jpg" });
  await rawCreate(stub, body);
  collect();
  const before = { ...Deno.memoryUsage(), proc: procMemory() };

  const ids: string[] = [];
  const sessions: Session<"photo">[] = [];
  const sockets: WebSocket[] = [];
  let connected = 0;
  let completed = 0;
  let lastCompletion = 0;
  const errors = new Map<string, number>();
  const noteError = (error: unknown) => {
    const text = error instanceof Error
      ? `${error.name}: ${error.message}`.slice(0, 160)
      : String(error);
    errors.set(text, (errors.get(text) ?? 0) + 1);
  };
  const createStart = performance.now();
  const progress = Deno.env.get("SCALE_DEBUG") === undefined
    ? undefined
    : setInterval(() => {
      let fds = -1;
      try {
        fds = [...Deno.readDirSync("/proc/self/fd")].length;
      } catch {
        // at the limit
      }
      console.error(
        JSON.stringify({ created: ids.length, connected, completed, fds }),
      );
    }, 1_000);
  await pool(Array.from({ length: n }), 64, async () => {
    try {
      if (bare) {
        const { id } = await rawCreate(stub, body);
        const ws = new WebSocket(
          `${stub.url.replace(/^http/, "ws")}/api/v1/sessions/${id}/ws`,
          { headers: { "X-API-Key": stub.apiKey } },
        );
        let first = true;
        ws.onmessage = (e) => {
          if (first) {
            first = false;
            connected++;
          }
          if ((e.data as string).startsWith('{"type":"completed"')) {
            completed++;
            lastCompletion = performance.now();
          }
        };
        ws.onerror = (e) => noteError((e as ErrorEvent).message);
        ids.push(id);
        sockets.push(ws);
        return;
      }
      const session = await client.createSession({
        action: "photo",
        outputFormat: "jpg",
      });
      let first = true;
      session.onEvent((event) => {
        if (first) {
          first = false;
          connected++;
        }
        if (event.type === "completed") {
          completed++;
          lastCompletion = performance.now();
        }
      });
      ids.push(session.id);
      sessions.push(session);
    } catch (error) {
      noteError(error);
    }
  });
  const createMs = performance.now() - createStart;
  const allConnected = await until(
    () => connected >= ids.length,
    Math.max(30_000, n * 5),
  );
  const connectMs = performance.now() - createStart;
  collect();
  await new Promise((resolve) => setTimeout(resolve, 200));
  collect();
  const after = { ...Deno.memoryUsage(), proc: procMemory() };
  const stubMemory = await stub.call<{ rss: number }>("bench.memory");
  const stubStats = await stub.call<
    { upgrades: number; requests: Record<string, number> }
  >("stats");
  const modes = {
    websocket: 0,
    polling: 0,
    unreachable: 0,
    connecting: 0,
    closed: 0,
  };
  for (const s of sessions) modes[s.connection]++;

  const completeCpu = process.cpuUsage();
  const completeStart = performance.now();
  const stubRun = await stub.call<{ ms: number; failed: number }>(
    "bench.completeMany",
    ids,
    16,
  );
  await until(() => completed >= ids.length, timeoutMs);
  const deliverCpu = process.cpuUsage(completeCpu);
  const timeToLastMs = completed > 0 ? lastCompletion - completeStart : NaN;
  const results = await Promise.allSettled(
    sessions.map((s) =>
      s.waitForResult({ signal: AbortSignal.timeout(1_000) })
    ),
  );
  const resolved = bare
    ? completed
    : results.filter((r) => r.status === "fulfilled").length;
  await Promise.all(sessions.map((s) => s.close()));
  for (const ws of sockets) ws.close();
  await until(() => sockets.every((ws) => ws.readyState === 3), 10_000);
  clearInterval(progress);
  const count = Math.max(1, ids.length);
  return {
    mode: bare ? "bare" : "client",
    n,
    created: ids.length,
    connected,
    allConnected,
    modes,
    completed,
    resolved,
    delivered: completed / n,
    createMs,
    connectMs,
    timeToLastMs,
    deliverCpuMs: (deliverCpu.user + deliverCpu.system) / 1000,
    stubCompleteMs: stubRun.ms,
    stubFailed: stubRun.failed,
    rssPerSessionKb: (after.proc.rssKb - before.proc.rssKb) / count,
    heapPerSessionKb: (after.heapUsed - before.heapUsed) / 1024 / count,
    rssMb: after.proc.rssKb / 1024,
    stubRssMb: stubMemory.rss / 1024 / 1024,
    upgrades: stubStats.upgrades,
    resultRequests: stubStats.requests.result ?? 0,
    errors: [...errors].map(([message, times]) => ({ message, times })),
  };
}

// ---- create ------------------------------------------------------------------

/** A `WebSocket` that never connects, so only the REST request is compared. */
class IdleWebSocket extends EventTarget {
  readyState = 0;
  close(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    queueMicrotask(() =>
      this.dispatchEvent(new CloseEvent("close", { code: 1000 }))
    );
  }
  send(): void {}
}

/** Connections from this process to `port`, by TCP state, from /proc/net/tcp. */
function connectionsTo(
  port: number,
): { established: number; timeWait: number } {
  let established = 0;
  let timeWait = 0;
  try {
    const hex = port.toString(16).toUpperCase().padStart(4, "0");
    for (const line of Deno.readTextFileSync("/proc/net/tcp").split("\n")) {
      const cols = line.trim().split(/\s+/);
      if (cols[2]?.endsWith(`:${hex}`)) {
        if (cols[3] === "01") established++;
        if (cols[3] === "06") timeWait++;
      }
    }
  } catch {
    // not Linux
  }
  return { established, timeWait };
}

/** A bare WebSocket to a session's `/ws`, as the floor of "create as used". */
function bareSocket(stub: StubProcess, id: string): WebSocket {
  const url = `${stub.url.replace(/^http/, "ws")}/api/v1/sessions/${id}/ws`;
  return new WebSocket(url, { headers: { "X-API-Key": stub.apiKey } });
}

/**
 * Sessions created per second at `inFlight` concurrent requests, CPU time
 * per create, and one create at a time (p50 of each call's time).
 *
 * Modes: `raw`: `fetch` + `json()` (the REST-only floor); `signal`: the same
 * with an `AbortSignal` (what any request that can be cancelled or timed out
 * costs); `client`: `createSession` on a socket that never connects;
 * `info`: `createSession(…, { watch: false })`, the request alone (no
 * session, no socket);
 * `floor-ws`: `raw`, then a bare `new WebSocket(url, { headers })` to the
 * session's `/ws`, resolved when the REST answer is parsed (the socket opens
 * in the background): the floor of creating a session as used;
 * `client-ws`: `createSession` as used (its socket opens in the background).
 * Wall time stops when every create has resolved; CPU time also covers the
 * sockets' opening (the run waits until every socket is open), then they
 * are closed outside both.
 */
async function create(params: Params): Promise<unknown> {
  const total = num(params, "total", 3000);
  const inFlight = num(params, "inFlight", 64);
  const rounds = num(params, "rounds", 3);
  const sequential = num(params, "sequential", 300);
  await using stub = await StubProcess.start({ transportFaults: false });
  const port = Number(new URL(stub.url).port);
  const body = JSON.stringify({ action_type: "photo", output_format: "jpg" });
  const rest = new HandoffClient({
    baseUrl: stub.url,
    apiKey: stub.apiKey,
    WebSocket: IdleWebSocket as unknown as WebSocketConstructor,
  });
  const full = new HandoffClient({ baseUrl: stub.url, apiKey: stub.apiKey });
  const items = Array.from({ length: total });

  type Mode = "raw" | "signal" | "client" | "info" | "floor-ws" | "client-ws";
  const MODES: readonly Mode[] = [
    "raw",
    "signal",
    "client",
    "info",
    "floor-ws",
    "client-ws",
  ];
  const empty = () => ({
    raw: [],
    signal: [],
    client: [],
    info: [],
    "floor-ws": [],
    "client-ws": [],
  });
  const cpu: Record<Mode, number[]> = empty();
  const perSecond: Record<Mode, number[]> = empty();

  /** One create of `mode`; what to wait for and close afterwards. */
  const once = async (
    mode: Mode,
    sockets: WebSocket[],
    sessions: Session<"photo">[],
  ): Promise<void> => {
    switch (mode) {
      case "raw":
        await rawCreate(stub, body);
        return;
      case "signal":
        await rawCreate(stub, body, new AbortController().signal);
        return;
      case "floor-ws": {
        const { id } = await rawCreate(stub, body);
        sockets.push(bareSocket(stub, id));
        return;
      }
      case "info":
        await rest.createSession(
          { action: "photo", outputFormat: "jpg" },
          { watch: false },
        );
        return;
      default:
        sessions.push(
          await (mode === "client" ? rest : full).createSession({
            action: "photo",
            outputFormat: "jpg",
          }),
        );
    }
  };
  const settle = async (sockets: WebSocket[], sessions: Session[]) => {
    await until(
      () =>
        sockets.every((ws) => ws.readyState !== WebSocket.CONNECTING) &&
        sessions.every((s) => s.connection !== "connecting"),
      30_000,
    );
  };
  const release = async (sockets: WebSocket[], sessions: Session[]) => {
    await Promise.all([
      ...sockets.map((ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.addEventListener("close", () => resolve(), { once: true });
          ws.close();
        })
      ),
      ...sessions.map((s) => s.close()),
    ]);
  };
  const run = async (mode: Mode) => {
    const sockets: WebSocket[] = [];
    const sessions: Session<"photo">[] = [];
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    await pool(items, inFlight, () => once(mode, sockets, sessions));
    const ms = performance.now() - start;
    // (the idle socket of `client` never opens: nothing to wait for)
    if (mode !== "client") await settle(sockets, sessions);
    const used = process.cpuUsage(cpuStart);
    cpu[mode].push((used.user + used.system) / total);
    await release(sockets, sessions);
    return (total / ms) * 1000;
  };
  /** Each call's time, one create at a time. */
  const oneAtATime = async (mode: "floor-ws" | "client-ws", count: number) => {
    const sockets: WebSocket[] = [];
    const sessions: Session<"photo">[] = [];
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      await once(mode, sockets, sessions);
      times.push(performance.now() - start);
      await settle(sockets, sessions); // the next starts on a quiet process
    }
    await release(sockets, sessions);
    return times;
  };

  for (const mode of MODES) await run(mode); // warm-up: connections, JIT
  for (const mode of MODES) cpu[mode].length = 0;
  const connections = connectionsTo(port);
  for (let r = 0; r < rounds; r++) {
    // Each mode takes each place in the order as often as the others.
    for (let k = 0; k < MODES.length; k++) {
      const mode = MODES[(r + k) % MODES.length]!;
      perSecond[mode].push(await run(mode));
    }
  }
  // One at a time, the two alternating in six blocks each.
  const seq = { "floor-ws": [] as number[], "client-ws": [] as number[] };
  const block = Math.max(1, Math.ceil(sequential / 6));
  for (let done = 0; done < sequential; done += block) {
    const order = ["floor-ws", "client-ws"] as const;
    for (
      const mode of done % (2 * block) === 0 ? order : [...order].reverse()
    ) {
      seq[mode].push(...await oneAtATime(mode, block));
    }
  }
  return {
    total,
    inFlight,
    rounds,
    raw: perSecond.raw,
    signal: perSecond.signal,
    client: perSecond.client,
    info: perSecond.info,
    floorWithSocket: perSecond["floor-ws"],
    clientWithSocket: perSecond["client-ws"],
    cpuUsPerCreate: cpu,
    sequentialMs: {
      floorWithSocket: percentile(seq["floor-ws"], 50),
      clientWithSocket: percentile(seq["client-ws"], 50),
      n: seq["floor-ws"].length,
    },
    connectionsAfterWarmup: connections,
  };
}

// ---- download ------------------------------------------------------------------

/**
 * `mode` `raw`, `file`, `raw-stream` or `stream`, in a fresh process: one
 * download, measuring peak memory (VmHWM over the RSS before it). Mode
 * `throughput`: all four modes in turn, `repeats` rounds, so floor and client
 * see the same machine load; MB/s of each.
 */
async function download(params: Params): Promise<unknown> {
  const bytes = num(params, "bytes", 20 * 1024 * 1024);
  const repeats = num(params, "repeats", 5);
  const mode = String(params.mode ?? "raw");
  await using stub = await StubProcess.start(
    { transportFaults: false },
    ["--max-old-space-size=4096"],
  );
  const setup = new HandoffClient({ baseUrl: stub.url, apiKey: stub.apiKey });
  const session = await setup.createSession({
    action: "photo",
    outputFormat: "png",
  });
  const [item] = await stub.call<{ downloadId: string }[]>(
    "bench.submitGenerated",
    session.id,
    bytes,
    "image/png",
  );
  await session.close();
  const downloadId = item!.downloadId;
  const client = new HandoffClient({ baseUrl: stub.url, apiKey: stub.apiKey });
  const url = `${stub.url}/api/v1/downloads/${downloadId}`;
  const headers = { "X-API-Key": stub.apiKey };

  // While measuring memory, streamed chunks already consumed are collected
  // every MB (for floor and client alike): otherwise V8 collects them lazily
  // and the peak shows garbage, not what the reader holds.
  let collectEvery = 0;
  const consume = async (body: ReadableStream<Uint8Array>) => {
    let size = 0;
    let next = collectEvery;
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (collectEvery > 0 && size >= next) {
        collect();
        next += collectEvery;
      }
    }
    return size;
  };
  const once = async (mode: string): Promise<number> => {
    switch (mode) {
      case "raw": {
        const response = await fetch(url, { headers });
        return (await response.arrayBuffer()).byteLength;
      }
      case "raw-stream":
        return await consume((await fetch(url, { headers })).body!);
      case "file":
        return (await client.downloadFile(downloadId)).data.byteLength;
      case "stream":
        return await consume((await client.downloadStream(downloadId)).body);
    }
    throw new Error(`unknown mode ${mode}`);
  };

  // Warm the connection and the code path on a tiny request.
  await (await fetch(`${stub.url}/api/v1/health`)).body?.cancel();
  await client.health();
  collect();
  if (mode === "throughput") {
    const modes = ["raw", "file", "raw-stream", "stream"];
    const mbPerSecond: Record<string, number[]> = {};
    // CPU time of this process per download: its minimum over the rounds is
    // the work itself, without the collections that land on some rounds.
    const cpuMs: Record<string, number[]> = {};
    for (const m of modes) await once(m); // warm-up
    for (let i = 0; i < repeats; i++) {
      // Each mode takes each place in the order as often as the others.
      for (let k = 0; k < modes.length; k++) {
        const m = modes[(i + k) % modes.length]!;
        const cpuStart = process.cpuUsage();
        const start = performance.now();
        await once(m);
        const ms = performance.now() - start;
        const used = process.cpuUsage(cpuStart);
        (mbPerSecond[m] ??= []).push(bytes / 1024 / 1024 / (ms / 1000));
        (cpuMs[m] ??= []).push((used.user + used.system) / 1000);
      }
    }
    return { mode, bytes, mbPerSecond, cpuMs };
  }
  const peakResettable = resetPeak();
  const base = procMemory();
  collectEvery = 1024 * 1024;
  const size = await once(mode);
  const peak = procMemory();
  return {
    mode,
    bytes,
    size,
    peakMb: peakResettable ? (peak.hwmKb - base.rssKb) / 1024 : NaN,
  };
}

// ---- qr --------------------------------------------------------------------------

/**
 * QR codes in a fresh process: the first call (loads `qrcode`), the render
 * path (a new session each time, so no cache), and the cached path.
 */
async function qr(params: Params): Promise<unknown> {
  const renders = num(params, "renders", 300);
  const { fakeClient, openSession } = await import("./_fake.ts");
  const client = fakeClient();
  const results: Record<string, unknown> = {};
  for (const format of ["png", "svg"] as const) {
    const { session } = await openSession(client);
    let start = performance.now();
    await session.qrCode({ format });
    const first = performance.now() - start;
    const render: number[] = [];
    const sessions: Session[] = [session];
    for (let i = 0; i < renders; i++) {
      const { session: fresh } = await openSession(client);
      sessions.push(fresh);
      start = performance.now();
      await fresh.qrCode({ format });
      render.push(performance.now() - start);
    }
    const cached: number[] = [];
    for (let i = 0; i < renders; i++) {
      start = performance.now();
      await session.qrCode({ format });
      cached.push(performance.now() - start);
    }
    await Promise.all(sessions.map((s) => s.close()));
    results[format] = {
      firstInProcessMs: format === "png" ? first : undefined,
      renderP50Ms: percentile(render, 50),
      renderP99Ms: percentile(render, 99),
      cachedP50Ms: percentile(cached, 50),
      cachedP99Ms: percentile(cached, 99),
    };
  }
  return results;
}

const PARTS: Record<string, (params: Params) => Promise<unknown>> = {
  latency,
  scale,
  create,
  download,
  qr,
};

if (import.meta.main) {
  const [part = "", json = "{}"] = Deno.args;
  const run = PARTS[part];
  if (run === undefined) {
    console.error(`usage: load.ts <${Object.keys(PARTS).join("|")}> [params]`);
    Deno.exit(2);
  }
  const result = await run(JSON.parse(json) as Params);
  console.log(JSON.stringify({ part, result }));
}
