// Copyright 2026 the handoff authors. MIT license.
/**
 * `deno task bench`: the micro-benchmarks (`deno bench bench/`), then the
 * load harness (`bench/load.ts`, each part in fresh processes, the stub in a
 * child process of its own), then one table of every figure with its floor,
 * ratio and target. The full run writes `bench/RESULTS.md`; `--quick` runs a
 * small configuration (for CI: it proves the harness works) and writes
 * nothing unless `--out` is given.
 *
 * Figures are printed, never asserted: the machine is shared and noisy, so
 * repeated figures are medians and their spread is shown.
 *
 * Flags: `--quick`, `--out <file>`, `--json <file>` (raw figures),
 * `--parts micro,latency,scale,create,download,qr,cold`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { median, spread } from "./_stats.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string" },
    json: { type: "string" },
    parts: { type: "string" },
  },
});
const quick = flags.quick === true;
const root = new URL("../", import.meta.url).pathname;
const parts = new Set(
  (flags.parts ?? "micro,latency,scale,create,download,qr,cold").split(","),
);
const out = flags.out ?? (quick ? undefined : `${root}bench/RESULTS.md`);

const decoder = new TextDecoder();

/** Run `deno <args>` in the repo; its stdout, or throw with its stderr. */
async function deno(
  args: string[],
  env: Record<string, string> = {},
): Promise<string> {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = decoder.decode(output.stdout);
  if (!output.success) {
    throw new Error(
      `deno ${args.join(" ")} failed (${output.code}):\n${
        decoder.decode(output.stderr).slice(-4000)
      }`,
    );
  }
  return stdout;
}

/** One part of the load harness in a fresh process. */
async function load<T>(
  part: string,
  params: Record<string, unknown>,
): Promise<T> {
  const stdout = await deno([
    "run",
    "-A", // reading /proc/self/status (peak RSS) needs every permission
    "--v8-flags=--expose-gc",
    "bench/load.ts",
    part,
    JSON.stringify(params),
  ]);
  const line = stdout.trim().split("\n").at(-1) ?? "";
  return (JSON.parse(line) as { result: T }).result;
}

function log(message: string): void {
  console.error(`bench: ${message}`);
}

// ---- figures ---------------------------------------------------------------

interface Row {
  section: string;
  figure: string;
  floor: string;
  value: string;
  ratio: string;
  target: string;
  met: "yes" | "no" | "—";
}

const rows: Row[] = [];
const raw: Record<string, unknown> = {};

const fmt = (x: number, digits = 1) =>
  Number.isFinite(x)
    ? x.toLocaleString("en-US", {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    })
    : "n/a";
const pm = (xs: number[]) => xs.length > 1 ? ` ±${fmt(spread(xs), 0)} %` : "";

function row(
  section: string,
  figure: string,
  floor: string,
  value: string,
  ratio: string,
  target: string,
  met: boolean | undefined,
): void {
  rows.push({
    section,
    figure,
    floor,
    value,
    ratio,
    target,
    met: met === undefined ? "—" : met ? "yes" : "no",
  });
}

// ---- micro-benchmarks ----------------------------------------------------------

interface BenchJson {
  benches: {
    group: string | null;
    name: string;
    results: {
      ok?: { avg: number; p75: number; p99: number; min: number; n: number };
    }[];
  }[];
}

const micro: { name: string; avg: number; p75: number; p99: number }[] = [];

async function runMicro(): Promise<void> {
  log("deno bench bench/ …");
  const json = JSON.parse(
    await deno(
      ["bench", "--json", "--allow-read", "--allow-env", "bench/"],
      quick ? { BENCH_QUICK: "1" } : {},
    ),
  ) as BenchJson;
  for (const bench of json.benches) {
    const ok = bench.results[0]?.ok;
    if (ok === undefined) continue;
    micro.push({ name: bench.name, avg: ok.avg, p75: ok.p75, p99: ok.p99 });
  }
  raw.micro = micro;
}

// ---- latency ------------------------------------------------------------------

interface LatencyFigures {
  p50: number[];
  p99: number[];
  n: number;
}

interface LatencyResult {
  clock: { echoRttUs: number; offsetUs: number };
  eventsPerRound: number;
  rounds: number;
  p50ByStatus: Record<string, number[]>;
  bare: LatencyFigures;
  parsed: LatencyFigures;
  typed: LatencyFigures;
  client: LatencyFigures;
}

async function runLatency(): Promise<void> {
  log("event latency …");
  const result = await load<LatencyResult>(
    "latency",
    quick ? { sessions: 20, rounds: 1 } : { sessions: 700, rounds: 5 },
  );
  raw.latency = result;
  const ratio = (a: number[], b: number[]) =>
    median(a.map((x, i) => x / b[i]!));
  for (const [p, limit] of [["p50", 1.05], ["p99", 1.2]] as const) {
    const bare = result.bare[p];
    const client = result.client[p];
    const r = ratio(client, bare);
    row(
      "event latency",
      `${p}, stub write → listener (${result.client.n} events, ${result.rounds} rounds); floor: onmessage`,
      `${fmt(median(bare), 0)} µs${pm(bare)}`,
      `${fmt(median(client), 0)} µs${pm(client)}`,
      `${fmt(r, 2)}×`,
      `≤ ${limit}×`,
      r <= limit,
    );
  }
  const bare = result.bare.p50;
  for (
    const [floor, what] of [
      [result.parsed.p50, "onmessage + JSON.parse (reads the frame, no more)"],
      [
        result.typed.p50,
        "onmessage + a copy of the library's frame parser (a validated frame with a Date, no session: what a typed event needs)",
      ],
    ] as const
  ) {
    row(
      "event latency",
      `p50; floor: ${what}; the floor's own ratio to onmessage in brackets`,
      `${fmt(median(floor), 0)} µs (${fmt(ratio(floor, bare), 2)}×)`,
      `${fmt(median(result.client.p50), 0)} µs`,
      `${fmt(ratio(result.client.p50, floor), 2)}×`,
      "—",
      undefined,
    );
  }
  const by = (key: string) => fmt(median(result.p50ByStatus[key] ?? []), 0);
  row(
    "event latency",
    "p50 by status: opened / action_started / completed",
    `${by("bare:opened")} / ${by("bare:action_started")} / ${
      by("bare:completed")
    } µs`,
    `${by("client:opened")} / ${by("client:action_started")} / ${
      by("client:completed")
    } µs`,
    "—",
    "—",
    undefined,
  );
}

// ---- scale --------------------------------------------------------------------

interface ScaleResult {
  mode: string;
  n: number;
  created: number;
  connected: number;
  completed: number;
  resolved: number;
  delivered: number;
  timeToLastMs: number;
  stubCompleteMs: number;
  rssPerSessionKb: number;
  heapPerSessionKb: number;
  rssMb: number;
  stubRssMb: number;
  errors: { message: string; times: number }[];
}

async function runScale(): Promise<void> {
  const sizes = quick ? [100] : [1_000, 5_000, 10_000];
  const results: ScaleResult[] = [];
  for (const n of sizes) {
    for (const mode of ["bare", "client"]) {
      log(`scale: ${n} sessions (${mode}) …`);
      results.push(await load<ScaleResult>("scale", { n, mode }));
    }
    const bare = results.at(-2)!;
    const client = results.at(-1)!;
    row(
      "scale",
      `${n.toLocaleString("en-US")} sessions: completions delivered`,
      `${bare.completed} / ${n}`,
      `${client.completed} / ${n} (${client.resolved} waiters resolved)`,
      `${fmt(client.delivered * 100, 1)} %`,
      "100 %",
      client.completed === n && client.resolved === n,
    );
    row(
      "scale",
      `${
        n.toLocaleString("en-US")
      } sessions: time to the last completion (stub busy ${
        fmt(client.stubCompleteMs, 0)
      } ms)`,
      `${fmt(bare.timeToLastMs, 0)} ms`,
      `${fmt(client.timeToLastMs, 0)} ms`,
      `${fmt(client.timeToLastMs / bare.timeToLastMs, 2)}×`,
      "—",
      undefined,
    );
    row(
      "scale",
      `${n.toLocaleString("en-US")} sessions: RSS per session (JS heap)`,
      `${fmt(bare.rssPerSessionKb)} KB (${fmt(bare.heapPerSessionKb)} KB)`,
      `${fmt(client.rssPerSessionKb)} KB (${fmt(client.heapPerSessionKb)} KB)`,
      `${fmt(client.rssPerSessionKb / bare.rssPerSessionKb, 2)}×`,
      "≤ 20 KB",
      n === 10_000 ? client.rssPerSessionKb <= 20 : undefined,
    );
  }
  if (!quick) {
    for (const mode of ["bare", "client"]) {
      log(`scale: 19,500 sessions (${mode}) …`);
      try {
        results.push(
          await load<ScaleResult>("scale", {
            n: 19_500,
            mode,
            timeoutMs: 120_000,
          }),
        );
      } catch (error) {
        // A crash: keep the line that says why (Deno prints a panic report).
        const text = String(error);
        const why =
          /panicked at [^\n]*\n[^\n]*(\n\s*left: \d+)?/.exec(text)?.[0] ??
            text.split("\n").find((l) => /error|Error/.test(l)) ?? text;
        results.push({
          mode,
          n: 19_500,
          errors: [{
            message: why.replace(/\s+/g, " ").slice(0, 300),
            times: 1,
          }],
        } as ScaleResult);
      }
    }
    const [bare, client] = results.slice(-2) as [ScaleResult, ScaleResult];
    const describe = (r: ScaleResult) =>
      r.completed === undefined
        ? `crashed: ${r.errors[0]?.message ?? "?"}`
        : `${r.completed} / ${r.n} delivered, ${r.created} created, ${r.connected} connected, ${
          fmt(r.rssPerSessionKb)
        } KB RSS each` +
          (r.errors.length
            ? `; first error ×${r.errors[0]!.times}: ${r.errors[0]!.message}`
            : "");
    row(
      "scale",
      "19,500 sessions (ulimit -n 20,000)",
      describe(bare),
      describe(client),
      "—",
      "report where it breaks",
      undefined,
    );
  }
  raw.scale = results;
}

// ---- create --------------------------------------------------------------------

interface CreateResult {
  total: number;
  inFlight: number;
  rounds: number;
  raw: number[];
  signal: number[];
  client: number[];
  info: number[];
  floorWithSocket: number[];
  clientWithSocket: number[];
  cpuUsPerCreate: {
    raw: number[];
    signal: number[];
    client: number[];
    info: number[];
    "floor-ws": number[];
    "client-ws": number[];
  };
  sequentialMs: {
    floorWithSocket: number;
    clientWithSocket: number;
    n: number;
  };
  connectionsAfterWarmup: { established: number; timeWait: number };
}

async function runCreate(): Promise<void> {
  log("create throughput …");
  const result = await load<CreateResult>(
    "create",
    quick
      ? { total: 200, rounds: 1, sequential: 30 }
      : { total: 1_500, rounds: 9, sequential: 600 },
  );
  raw.create = result;
  const rawRate = median(result.raw);
  const clientRate = median(result.client);
  const ratio = median(result.client.map((c, i) => result.raw[i]! / c));
  const { established, timeWait } = result.connectionsAfterWarmup;
  row(
    "create",
    `sessions/s at ${result.inFlight} in flight, REST only (${result.total} × ${result.rounds}; ${established} connections open, ${timeWait} in TIME_WAIT)`,
    `${fmt(rawRate, 0)}/s${pm(result.raw)}`,
    `${fmt(clientRate, 0)}/s${pm(result.client)}`,
    `${fmt(ratio, 2)}× the time`,
    "≤ 1.1×",
    ratio <= 1.1,
  );
  const cpu = result.cpuUsPerCreate;
  row(
    "create",
    "… CPU time of this process per create (steadier than wall time on a shared machine)",
    `${fmt(median(cpu.raw), 0)} µs${pm(cpu.raw)}`,
    `${fmt(median(cpu.client), 0)} µs${pm(cpu.client)}`,
    `${fmt(median(cpu.client.map((c, i) => c / cpu.raw[i]!)), 2)}×`,
    "—",
    undefined,
  );
  /** `mode` against `floor`, round by round: its time and its CPU. */
  const timeAndCpu = (
    mode: "client" | "signal" | "info",
    floor: "raw" | "signal",
  ) =>
    `${
      fmt(median(result[mode].map((c, i) => result[floor][i]! / c)), 2)
    }× the time; ${
      fmt(median(cpu[mode].map((c, i) => c / cpu[floor][i]!)), 2)
    }× CPU`;
  const signalRate = median(result.signal);
  row(
    "create",
    "… floor: fetch with an AbortSignal, the least a request that can be cancelled or time out costs (time; CPU)",
    `${fmt(signalRate, 0)}/s${pm(result.signal)}; ${
      fmt(median(cpu.signal), 0)
    } µs`,
    `${fmt(clientRate, 0)}/s; ${fmt(median(cpu.client), 0)} µs`,
    timeAndCpu("client", "signal"),
    "—",
    undefined,
  );
  row(
    "create",
    "… the signal alone: fetch with an AbortSignal against fetch without (time; CPU)",
    `${fmt(rawRate, 0)}/s; ${fmt(median(cpu.raw), 0)} µs`,
    `${fmt(signalRate, 0)}/s; ${fmt(median(cpu.signal), 0)} µs`,
    timeAndCpu("signal", "raw"),
    "—",
    undefined,
  );
  row(
    "create",
    `create only, \`createSession(…, { watch: false })\` (the request and its checks, no session), ${result.inFlight} in flight (time; CPU)`,
    `${fmt(rawRate, 0)}/s; ${fmt(median(cpu.raw), 0)} µs`,
    `${fmt(median(result.info), 0)}/s${pm(result.info)}; ${
      fmt(median(cpu.info), 0)
    } µs`,
    timeAndCpu("info", "raw"),
    "—",
    undefined,
  );
  const used = median(
    result.clientWithSocket.map((c, i) => result.floorWithSocket[i]! / c),
  );
  row(
    "create",
    `as used (its WebSocket opening in the background), ${result.inFlight} in flight; floor: fetch POST + json() + a bare new WebSocket(url, { headers }) to the session's /ws`,
    `${fmt(median(result.floorWithSocket), 0)}/s${pm(result.floorWithSocket)}`,
    `${fmt(median(result.clientWithSocket), 0)}/s${
      pm(result.clientWithSocket)
    }`,
    `${fmt(used, 2)}× the time`,
    "≤ 1.15×",
    used <= 1.15,
  );
  const usedCpu = median(
    cpu["client-ws"].map((c, i) => c / cpu["floor-ws"][i]!),
  );
  row(
    "create",
    "… CPU time of this process per create as used (until every socket is open)",
    `${fmt(median(cpu["floor-ws"]), 0)} µs${pm(cpu["floor-ws"])}`,
    `${fmt(median(cpu["client-ws"]), 0)} µs${pm(cpu["client-ws"])}`,
    `${fmt(usedCpu, 2)}×`,
    "≤ 1.2×",
    usedCpu <= 1.2,
  );
  const seq = result.sequentialMs;
  const seqRatio = seq.clientWithSocket / seq.floorWithSocket;
  row(
    "create",
    `as used, one at a time: p50 of the call (${seq.n} each, alternating blocks)`,
    `${fmt(seq.floorWithSocket, 3)} ms`,
    `${fmt(seq.clientWithSocket, 3)} ms`,
    `${fmt(seqRatio, 2)}×`,
    "≤ 1.2×",
    seqRatio <= 1.2,
  );
}

// ---- download --------------------------------------------------------------------

interface DownloadResult {
  mode: string;
  bytes: number;
  peakMb: number;
}

async function runDownload(): Promise<void> {
  const big = quick ? 2 * 1024 * 1024 : 20 * 1024 * 1024;
  const small = quick ? 512 * 1024 : 5 * 1024 * 1024;
  log(`download: throughput, ${big / 1024 / 1024} MB …`);
  const repeats = quick ? 1 : 25;
  const { mbPerSecond, cpuMs } = await load<{
    mbPerSecond: Record<string, number[]>;
    cpuMs: Record<string, number[]>;
  }>("download", { mode: "throughput", bytes: big, repeats });
  const peaks: Record<string, number> = {};
  for (
    const [mode, bytes] of [
      ["raw", big],
      ["file", big],
      ["raw-stream", big],
      ["stream", big],
      ["stream", small],
      ["file", small],
    ] as const
  ) {
    log(`download: peak memory, ${mode}, ${bytes / 1024 / 1024} MB …`);
    peaks[`${mode}:${bytes}`] =
      (await load<DownloadResult>("download", { mode, bytes })).peakMb;
  }
  raw.download = { mbPerSecond, cpuMs, peaks };
  const mb = fmt(big / 1024 / 1024, 0);
  const pair = (floorMode: string, mode: string, label: string) => {
    const floor = mbPerSecond[floorMode]!;
    const client = mbPerSecond[mode]!;
    // A download takes 10-40 ms here, and a round the other process or the
    // machine stalls can halve it: the best of the rounds is what each can
    // do; the median of the paired rounds is shown next to it.
    const best = Math.max(...client) / Math.max(...floor);
    const ratio = median(client.map((c, i) => c / floor[i]!));
    row(
      "download",
      `${mb} MB, ${label}: throughput, best of ${repeats} rounds (median) (peak memory)`,
      `${fmt(Math.max(...floor), 0)} MB/s (${fmt(median(floor), 0)}${
        pm(floor)
      }) (${fmt(peaks[`${floorMode}:${big}`]!)} MB)`,
      `${fmt(Math.max(...client), 0)} MB/s (${fmt(median(client), 0)}${
        pm(client)
      }) (${fmt(peaks[`${mode}:${big}`]!)} MB)`,
      `${fmt(best, 2)}× (median of paired rounds ${fmt(ratio, 2)}×)`,
      "≥ 0.9×",
      best >= 0.9,
    );
    const floorCpu = Math.min(...cpuMs[floorMode]!);
    const clientCpu = Math.min(...cpuMs[mode]!);
    row(
      "download",
      `… CPU time of this process per download, least of ${repeats} rounds (the work itself, without the collections that land on some rounds)`,
      `${fmt(floorCpu)} ms`,
      `${fmt(clientCpu)} ms`,
      `${fmt(clientCpu / floorCpu, 2)}×`,
      "—",
      undefined,
    );
  };
  pair("raw", "file", "downloadFile vs fetch().arrayBuffer()");
  pair("raw-stream", "stream", "downloadStream vs fetch() body stream");
  const s = peaks[`stream:${small}`]!;
  const b = peaks[`stream:${big}`]!;
  row(
    "download",
    `peak memory, ${
      fmt(small / 1024 / 1024, 1)
    } MB → ${mb} MB file (downloadFile for comparison: ${
      fmt(peaks[`file:${small}`]!)
    } → ${fmt(peaks[`file:${big}`]!)} MB)`,
    "—",
    `downloadStream: ${fmt(s)} → ${fmt(b)} MB`,
    `${fmt(b - s)} MB more for ${
      fmt((big - small) / 1024 / 1024, 1)
    } MB more data`,
    "independent of size",
    b - s < (big - small) / 1024 / 1024 / 4,
  );
}

// ---- qr --------------------------------------------------------------------------

interface QrFigures {
  firstInProcessMs?: number;
  renderP50Ms: number;
  renderP99Ms: number;
  cachedP50Ms: number;
  cachedP99Ms: number;
}

async function runQr(): Promise<void> {
  log("QR codes …");
  const runs: { png: QrFigures; svg: QrFigures }[] = [];
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    runs.push(await load("qr", { renders: quick ? 20 : 300 }));
  }
  raw.qr = runs;
  for (const format of ["png", "svg"] as const) {
    const p50 = runs.map((r) => r[format].renderP50Ms);
    const p99 = runs.map((r) => r[format].renderP99Ms);
    const cached = runs.map((r) => r[format].cachedP50Ms);
    row(
      "QR code",
      `${format.toUpperCase()}, render (a session's first call for these options): p50 (p99)`,
      "—",
      `${fmt(median(p50), 2)} ms${pm(p50)} (${fmt(median(p99), 2)} ms)`,
      "—",
      "p50 ≤ 1.5 ms",
      median(p50) <= 1.5,
    );
    row(
      "QR code",
      `${format.toUpperCase()}, cached (the same call again): p50`,
      "—",
      `${fmt(median(cached) * 1000, 1)} µs (no rendering: the stored promise)`,
      "—",
      "0",
      median(cached) < 0.05,
    );
  }
}

// ---- cold start ------------------------------------------------------------------

async function wall(args: string[]): Promise<number> {
  const start = performance.now();
  await deno(args);
  return performance.now() - start;
}

interface Phases {
  importMs: number;
  clientMs: number;
  requestMs: number;
}

/**
 * The library as one JavaScript module (`deno bundle`, `ws` and `qrcode`
 * left as imports), in `.tmp/bench_bundle/`: what a build step would give
 * against the TypeScript modules Deno loads from source.
 */
async function bundleLibrary(): Promise<string> {
  const dir = `${root}.tmp/bench_bundle/`;
  await deno([
    "bundle",
    "--quiet",
    "--platform=deno",
    "--external=ws",
    "--external=qrcode/*",
    `--outdir=${dir}`,
    "mod.ts",
  ]);
  return new URL("mod.js", `file://${dir}`).href;
}

/**
 * Fresh processes asking a stub (in a child process) for one session:
 * `bench/cold/bare_fetch.ts` (the floor), the same with a timeout, and
 * `bench/cold/client_first.ts` on the library's modules and on its bundle,
 * taking turns; their wall times, and the client's own phases.
 */
async function firstRequest(times: number): Promise<{
  bare: number[];
  bareTimeout: number[];
  client: number[];
  bundled: number[];
  bareRequestMs: number[];
  phases: Phases[];
  bundledPhases: Phases[];
}> {
  const { StubProcess } = await import("../tools/stub_process.ts");
  await using stub = await StubProcess.start({ transportFaults: false });
  const created = await fetch(`${stub.url}/api/v1/sessions`, {
    method: "POST",
    headers: { "X-API-Key": stub.apiKey, "Content-Type": "application/json" },
    body: JSON.stringify({ action_type: "photo", output_format: "jpg" }),
  });
  if (created.status !== 201) {
    throw new Error(
      `create answered ${created.status}: ${await created.text()}`,
    );
  }
  const { id } = await created.json() as { id: string };
  const env = {
    HANDOFF_URL: stub.url,
    HANDOFF_API_KEY: stub.apiKey,
    SESSION_ID: id,
  };
  const bundle = await bundleLibrary();
  const base = [
    "run",
    "--no-prompt",
    "--no-check",
    "--allow-net",
    "--allow-env",
    "--allow-read",
  ];
  const timed = async (script: string, module?: string) => {
    const start = performance.now();
    const out = await deno(
      [...base, script],
      module === undefined ? env : { ...env, CLIENT_MODULE: module },
    );
    return { ms: performance.now() - start, out: JSON.parse(out) };
  };
  const phases = (out: Record<string, number>): Phases => ({
    importMs: out.importDone! - out.start!,
    clientMs: out.clientDone! - out.importDone!,
    requestMs: out.requestDone! - out.clientDone!,
  });
  await timed("bench/cold/bare_fetch.ts"); // warm the module caches
  await timed("bench/cold/bare_fetch_timeout.ts");
  await timed("bench/cold/client_first.ts");
  await timed("bench/cold/client_first.ts", bundle);
  const result = {
    bare: [] as number[],
    bareTimeout: [] as number[],
    client: [] as number[],
    bundled: [] as number[],
    bareRequestMs: [] as number[],
    phases: [] as Phases[],
    bundledPhases: [] as Phases[],
  };
  for (let i = 0; i < times; i++) {
    const order = ["bare", "timeout", "client", "bundled"];
    for (let k = 0; k < order.length; k++) {
      const which = order[(i + k) % order.length];
      if (which === "timeout") {
        result.bareTimeout.push(
          (await timed("bench/cold/bare_fetch_timeout.ts")).ms,
        );
      } else if (which === "bare") {
        const { ms, out } = await timed("bench/cold/bare_fetch.ts");
        result.bare.push(ms);
        result.bareRequestMs.push(out.requestDone);
      } else if (which === "client") {
        const { ms, out } = await timed("bench/cold/client_first.ts");
        result.client.push(ms);
        result.phases.push(phases(out));
      } else {
        const { ms, out } = await timed("bench/cold/client_first.ts", bundle);
        result.bundled.push(ms);
        result.bundledPhases.push(phases(out));
      }
    }
  }
  return result;
}

async function runCold(): Promise<void> {
  log("cold start …");
  const times = quick ? 3 : 41;
  const empty: number[] = [];
  const withMod: number[] = [];
  const base = ["run", "--no-prompt", "--no-check"];
  await wall([...base, "bench/cold/empty.ts"]); // warm the module caches
  await wall([...base, "bench/cold/import_mod.ts"]);
  for (let i = 0; i < times; i++) {
    empty.push(await wall([...base, "bench/cold/empty.ts"]));
    withMod.push(await wall([...base, "bench/cold/import_mod.ts"]));
  }
  const probe = JSON.parse(
    await deno([
      ...base,
      "--import-map=bench/cold/qr_probe_map.json",
      "bench/cold/qr_probe.ts",
    ]),
  ) as {
    importMs: number;
    afterImport: boolean;
    afterSession: boolean;
    afterQr: boolean;
    firstQrMs: number;
  };
  const first = await firstRequest(quick ? 3 : 41);
  raw.cold = { empty, withMod, probe, first };
  // Runs of the same turn side by side: the median of their differences,
  // steadier than the difference of the medians when the machine drifts.
  const gap = (a: number[], b: number[]) => median(a.map((x, i) => x - b[i]!));
  const added = gap(withMod, empty);
  row(
    "cold start",
    `a fresh process importing mod.ts (${times} runs each; in-process import ${
      fmt(probe.importMs)
    } ms)`,
    `${fmt(median(empty), 1)} ms${pm(empty)} (empty script)`,
    `${fmt(median(withMod), 1)} ms${pm(withMod)}`,
    `+${fmt(added, 1)} ms (${fmt(median(withMod) / median(empty), 2)}×)`,
    "≤ +20 ms",
    added <= 20,
  );
  const wallAdded = gap(first.client, first.bare);
  const phase = (name: keyof Phases, of = first.phases) =>
    fmt(median(of.map((p) => p[name])), 1);
  row(
    "cold start",
    `a fresh process: import + client + first getSession, against one doing a bare fetch of the same session (${first.client.length} runs each, alternating; in the process: import ${
      phase("importMs")
    } ms, client ${phase("clientMs")} ms, first request ${
      phase("requestMs")
    } ms, against the bare fetch's ${
      fmt(median(first.bareRequestMs), 1)
    } ms from process start)`,
    `${fmt(median(first.bare), 1)} ms${pm(first.bare)}`,
    `${fmt(median(first.client), 1)} ms${pm(first.client)}`,
    `+${fmt(wallAdded, 1)} ms`,
    "≤ +5 ms",
    wallAdded <= 5,
  );
  row(
    "cold start",
    "… floor: the same bare fetch with a timeout (a setTimeout that aborts it, cleared on the answer; Deno 2.9 loads Node's timers on a process's first setTimeout, which the client's own timer avoids)",
    `${fmt(median(first.bareTimeout), 1)} ms${pm(first.bareTimeout)}`,
    `${fmt(median(first.client), 1)} ms`,
    `+${
      fmt(gap(first.client, first.bareTimeout), 1)
    } ms (the timeout itself: +${
      fmt(gap(first.bareTimeout, first.bare), 1)
    } ms)`,
    "—",
    undefined,
  );
  row(
    "cold start",
    `… the same script on the library bundled into one JavaScript module (\`deno bundle\`: what a build step would give; import ${
      phase("importMs", first.bundledPhases)
    } ms, client ${phase("clientMs", first.bundledPhases)} ms, first request ${
      phase("requestMs", first.bundledPhases)
    } ms)`,
    `${fmt(median(first.bare), 1)} ms`,
    `${fmt(median(first.bundled), 1)} ms${pm(first.bundled)}`,
    `+${fmt(gap(first.bundled, first.bare), 1)} ms`,
    "—",
    undefined,
  );
  row(
    "cold start",
    `npm:qrcode loaded? after import / after a session / after its first QR (${
      fmt(probe.firstQrMs, 1)
    } ms, loading included)`,
    "—",
    `${probe.afterImport ? "yes" : "no"} / ${
      probe.afterSession ? "yes" : "no"
    } / ${probe.afterQr ? "yes" : "no"}`,
    "—",
    "no / no / yes",
    !probe.afterImport && !probe.afterSession && probe.afterQr,
  );
}

// ---- run -------------------------------------------------------------------------

/**
 * The machine's CPU time so far, from `/proc/stat`: all of it, and what the
 * hypervisor took for other guests (steal), in ticks; undefined off Linux.
 */
function cpuTicks(): { total: number; steal: number } | undefined {
  try {
    const fields = Deno.readTextFileSync("/proc/stat").split("\n")[0]!
      .trim().split(/\s+/).slice(1).map(Number);
    return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
  } catch {
    return undefined;
  }
}

const loadAtStart = Deno.loadavg();
const ticksAtStart = cpuTicks();
const started = new Date();
const steps: [string, () => Promise<void>][] = [
  ["micro", runMicro],
  ["latency", runLatency],
  ["scale", runScale],
  ["create", runCreate],
  ["download", runDownload],
  ["qr", runQr],
  ["cold", runCold],
];
for (const [name, step] of steps) {
  if (parts.has(name)) await step();
}

function machine(): string {
  let cpu = "unknown CPU";
  let memory = "";
  try {
    cpu = /model name\s*:\s*(.*)/.exec(
      Deno.readTextFileSync("/proc/cpuinfo"),
    )?.[1] ?? cpu;
    const kb = Number(
      /MemTotal:\s*(\d+)/.exec(Deno.readTextFileSync("/proc/meminfo"))?.[1],
    );
    memory = `, ${fmt(kb / 1024 / 1024, 0)} GB RAM`;
  } catch {
    // not Linux
  }
  return `${cpu}, ${navigator.hardwareConcurrency} cores${memory}, ${Deno.build.os} ${Deno.build.arch}`;
}

/** The share of the machine's CPU time taken by other guests during the run. */
function steal(): string {
  const end = cpuTicks();
  if (ticksAtStart === undefined || end === undefined) return "";
  const total = end.total - ticksAtStart.total;
  if (total <= 0) return "";
  const share = (end.steal - ticksAtStart.steal) / total;
  return `; CPU stolen by other guests during the run ${fmt(share * 100, 1)} %`;
}

const cell = (s: string) => s.replaceAll("|", "\\|");
const lines: string[] = [];
lines.push(
  `# Benchmark results${
    quick ? " (quick configuration: proves the harness, not the figures)" : ""
  }`,
  "",
  "Written by `deno task bench` (`bench/main.ts`); see `bench/README.md` for how each figure is taken.",
  "",
  `- Machine: ${machine()}; load average at start ${
    loadAtStart.map((x) => fmt(x, 2)).join(" ")
  } (shared: other people run tests at the same time)${steal()}.`,
  `- Deno ${Deno.version.deno} (V8 ${Deno.version.v8}, TypeScript ${Deno.version.typescript}).`,
  `- Date: ${started.toISOString().replace(/\.\d+Z$/, "Z")}; took ${
    fmt((Date.now() - started.getTime()) / 60_000, 1)
  } min.`,
  "- Floor: the same work without the library, in the same run. Ratios are the library's cost relative to the floor; `±x %` is half the min–max range of the repeated runs whose median is shown.",
  "",
);
if (rows.length > 0) {
  lines.push(
    "| section | figure | floor | @handoff/client | ratio | target | met |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map((r) =>
      `| ${cell(r.section)} | ${cell(r.figure)} | ${cell(r.floor)} | ${
        cell(r.value)
      } | ${cell(r.ratio)} | ${cell(r.target)} | ${r.met} |`
    ),
    "",
  );
}
if (micro.length > 0) {
  const time = (ns: number) =>
    ns >= 1e6
      ? `${fmt(ns / 1e6, 2)} ms`
      : ns >= 1e3
      ? `${fmt(ns / 1e3, 2)} µs`
      : `${fmt(ns, 0)} ns`;
  lines.push(
    "## Micro-benchmarks (`deno bench bench/`)",
    "",
    "| benchmark | avg | p75 | p99 |",
    "| --- | --- | --- | --- |",
    ...micro.map((m) =>
      `| ${cell(m.name)} | ${time(m.avg)} | ${time(m.p75)} | ${time(m.p99)} |`
    ),
    "",
  );
}
const table = lines.join("\n");
console.log(table);
if (out !== undefined) {
  await Deno.writeTextFile(out, table);
  log(`wrote ${out}`);
}
if (flags.json !== undefined) {
  await Deno.writeTextFile(flags.json, JSON.stringify(raw, null, 2));
}
