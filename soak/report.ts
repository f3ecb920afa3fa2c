// Copyright 2026 the handoff authors. MIT license.
/**
 * The soak's figures: counters, latency histograms and memory samples of
 * fixed size (so the soak's own memory stays flat), and the summary table
 * printed at the end and written to `docs/RELIABILITY.md`.
 *
 * @module
 */

/** The faults the soak injects, by kind. */
export const FAULT_KINDS = [
  "drop-close-frame",
  "drop-no-close-frame",
  "drop-before-completion",
  "refuse-upgrades",
  "5xx-result",
  "5xx-create",
  "5xx-download",
  "5xx-session",
  "latency",
  "half-open",
  "restart",
  "expire-server-side",
] as const;

/** One kind of injected fault. */
export type FaultKind = typeof FAULT_KINDS[number];

/** What the phone (or the caller) does with a session. */
export const FATES = [
  "complete",
  "complete-then-expire",
  "expire-pending",
  "expire-during",
  "expire-server-side",
  "complete-near-expiry",
  "close-early",
] as const;

/** One session scenario. */
export type Fate = typeof FATES[number];

/** Latencies in buckets of 25 ms up to 60 s (the rest in the last bucket). */
export class Histogram {
  static readonly BUCKET_MS = 25;
  readonly #counts = new Uint32Array(2_401);
  #n = 0;
  #max = 0;

  /** Add one latency. */
  add(ms: number): void {
    const value = Math.max(0, ms);
    const bucket = Math.min(
      this.#counts.length - 1,
      Math.floor(value / Histogram.BUCKET_MS),
    );
    this.#counts[bucket]!++;
    this.#n++;
    this.#max = Math.max(this.#max, value);
  }

  /** How many were added. */
  get count(): number {
    return this.#n;
  }

  /** The largest value added. */
  get max(): number {
    return this.#max;
  }

  /** The upper bound of the bucket holding quantile `q` (0–1). */
  quantile(q: number): number {
    if (this.#n === 0) return 0;
    const rank = Math.ceil(q * this.#n);
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) {
        return Math.min(this.#max, (i + 1) * Histogram.BUCKET_MS);
      }
    }
    return this.#max;
  }

  /** `p50 / p99 / max`, in milliseconds or seconds. */
  describe(): string {
    if (this.#n === 0) return "–";
    return [this.quantile(0.5), this.quantile(0.99), this.#max].map(ms)
      .join(" / ");
  }
}

/** A duration for humans. */
export function ms(value: number): string {
  return value >= 10_000
    ? `${(value / 1000).toFixed(1)} s`
    : `${Math.round(value)} ms`;
}

/** Bytes for humans. */
export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** One memory sample. */
export interface MemorySample {
  /** Milliseconds since the start. */
  readonly at: number;
  /** Sessions finished so far. */
  readonly done: number;
  /** The soak process (client side): resident set. */
  readonly rss: number;
  /** The soak process: V8 heap in use (after a full GC when `--expose-gc`). */
  readonly heapUsed: number;
  /** The stub's process resident set (0 when unknown). */
  readonly stubRss: number;
}

/** Memory over the run: the first, last and peak samples, and a few in between. */
export class MemoryTrack {
  #first: MemorySample | undefined;
  #warm: MemorySample | undefined;
  #last: MemorySample | undefined;
  #peakRss = 0;
  #peakHeap = 0;
  #peakStubRss = 0;
  #count = 0;
  readonly #warmAfter: number;

  /**
   * @param warmAfter Sessions done before the warm-up sample is taken.
   */
  constructor(warmAfter: number) {
    this.#warmAfter = warmAfter;
  }

  /** Record one sample. */
  add(sample: MemorySample): void {
    this.#count++;
    this.#first ??= sample;
    if (this.#warm === undefined && sample.done >= this.#warmAfter) {
      this.#warm = sample;
    }
    this.#last = sample;
    this.#peakRss = Math.max(this.#peakRss, sample.rss);
    this.#peakHeap = Math.max(this.#peakHeap, sample.heapUsed);
    this.#peakStubRss = Math.max(this.#peakStubRss, sample.stubRss);
  }

  /** How many samples were taken. */
  get count(): number {
    return this.#count;
  }

  /** The first sample. */
  get first(): MemorySample | undefined {
    return this.#first;
  }

  /** The sample taken once warm-up was over. */
  get warm(): MemorySample | undefined {
    return this.#warm ?? this.#first;
  }

  /** The last sample. */
  get last(): MemorySample | undefined {
    return this.#last;
  }

  /** Peaks over the run. */
  get peak(): { rss: number; heapUsed: number; stubRss: number } {
    return {
      rss: this.#peakRss,
      heapUsed: this.#peakHeap,
      stubRss: this.#peakStubRss,
    };
  }

  /**
   * Whether the client side's heap is flat: the last (post-GC, all sessions
   * closed) heap is not above the warm-up heap by more than 16 MB or 25 %.
   */
  get flat(): boolean {
    const warm = this.warm;
    const last = this.#last;
    if (warm === undefined || last === undefined) return true;
    const slack = Math.max(16 * 1024 * 1024, warm.heapUsed * 0.25);
    return last.heapUsed <= warm.heapUsed + slack;
  }
}

/** Everything the soak counts. */
export class Tally {
  readonly startedAt = performance.now();
  sessions = 0;
  created = 0;
  createRetries = 0;
  createFailed = 0;
  readonly fates: Record<Fate, number> = Object.fromEntries(
    FATES.map((fate) => [fate, 0]),
  ) as Record<Fate, number>;
  readonly faults: Record<FaultKind, number> = Object.fromEntries(
    FAULT_KINDS.map((kind) => [kind, 0]),
  ) as Record<FaultKind, number>;
  /** Session objects (the creator's and attached ones) by how they ended. */
  readonly ends = { completed: 0, expired: 0, closed: 0, failed: 0 };
  attached = 0;
  attachedAfterEnd = 0;
  attachRetries = 0;
  completionsWhileDisconnected = 0;
  /** Completions the server recorded within the race margin of expiry. */
  races = 0;
  racesCompleted = 0;
  /** A completion the server recorded that a session object did not deliver. */
  lost = 0;
  /** A completion delivered that the server never recorded. */
  phantom = 0;
  /** A status or a `completed` delivered twice to one listener. */
  duplicated = 0;
  outOfOrder = 0;
  wrongItems = 0;
  wrongOutcome = 0;
  waiters = 0;
  hungWaiters = 0;
  abortedWaiters = 0;
  listeners = 0;
  throwingListeners = 0;
  listenerErrorsReported = 0;
  iterators = 0;
  downloads = 0;
  downloadBytes = 0;
  downloadMismatches = 0;
  downloadRetries = 0;
  lateChecks = 0;
  unhandledRejections = 0;
  socketsOpened = 0;
  socketsLeaked = 0;
  stubSocketsLeft = 0;
  slowCloses = 0;
  readonly deliver = new Histogram();
  readonly expiry = new Histogram();
  readonly close = new Histogram();
  readonly problems: string[] = [];
  #problemCount = 0;
  memory: MemoryTrack;
  durationMs = 0;

  /** @param warmAfter Sessions done before the memory warm-up sample. */
  constructor(warmAfter: number) {
    this.memory = new MemoryTrack(warmAfter);
  }

  /** Note a problem (the first 40 are kept verbatim). */
  problem(text: string): void {
    this.#problemCount++;
    if (this.problems.length < 40) this.problems.push(text);
  }

  /** How many problems were noted in all. */
  get problemCount(): number {
    return this.#problemCount;
  }

  /** Whether the run found nothing wrong. */
  get clean(): boolean {
    return this.lost === 0 && this.phantom === 0 && this.duplicated === 0 &&
      this.outOfOrder === 0 && this.wrongItems === 0 &&
      this.wrongOutcome === 0 && this.hungWaiters === 0 &&
      this.downloadMismatches === 0 && this.unhandledRejections === 0 &&
      this.socketsLeaked === 0 && this.stubSocketsLeft === 0 &&
      this.#problemCount === 0 && this.memory.flat;
  }
}

/** What the run was asked to do. */
export interface RunSettings {
  readonly sessions: number;
  readonly concurrency: number;
  readonly seed: number;
  readonly faultEveryMs: number;
  readonly downloadSample: number;
}

function row(cells: readonly (string | number)[]): string {
  return `| ${cells.join(" | ")} |`;
}

/** The summary as Markdown tables. */
export function summaryMarkdown(tally: Tally, settings: RunSettings): string {
  const m = tally.memory;
  const first = m.first;
  const warm = m.warm;
  const last = m.last;
  const totalFaults = Object.values(tally.faults).reduce((a, b) => a + b, 0);
  const lines = [
    row(["figure", "value"]),
    row(["---", "---"]),
    row([
      "sessions",
      `${tally.sessions} (created ${tally.created}; creations retried by the caller after an injected 5xx or a restart: ${tally.createRetries}; given up: ${tally.createFailed})`,
    ]),
    row([
      "scenarios",
      Object.entries(tally.fates).map(([fate, n]) => `${fate} ${n}`).join(
        ", ",
      ),
    ]),
    row([
      "session objects",
      `${
        tally.ends.completed + tally.ends.expired + tally.ends.closed +
        tally.ends.failed
      } (${tally.attached} attached from a second client, ${tally.attachedAfterEnd} of them after completion)`,
    ]),
    row([
      "ended completed / expired / closed by the caller / failed",
      `${tally.ends.completed} / ${tally.ends.expired} / ${tally.ends.closed} / ${tally.ends.failed}`,
    ]),
    row([
      "faults injected",
      `${totalFaults} (by kind below)`,
    ]),
    row([
      "completions delivered",
      `${tally.ends.completed} (${tally.completionsWhileDisconnected} landed while the socket was down)`,
    ]),
    row([
      "completions near expiry (either outcome accepted if the server agrees)",
      `${tally.races} (${tally.racesCompleted} delivered)`,
    ]),
    row(["**lost** completions", `**${tally.lost}**`]),
    row(["**phantom** completions", `**${tally.phantom}**`]),
    row(["**duplicated** events", `**${tally.duplicated}**`]),
    row(["statuses out of order", tally.outOfOrder]),
    row([
      "wrong items or wrong outcome",
      tally.wrongItems + tally.wrongOutcome,
    ]),
    row([
      "waiters (aborted by their caller)",
      `${tally.waiters} (${tally.abortedWaiters})`,
    ]),
    row([
      "**hung** waiters (not settled within TTL + 30 s)",
      `**${tally.hungWaiters}**`,
    ]),
    row([
      "listeners (throwing on purpose) / event iterators",
      `${tally.listeners} (${tally.throwingListeners}, ${tally.listenerErrorsReported} errors reported) / ${tally.iterators}`,
    ]),
    row([
      "downloads compared byte for byte",
      `${tally.downloads} files, ${
        mb(tally.downloadBytes)
      }, ${tally.downloadMismatches} mismatches (caller retries after 5xx bursts: ${tally.downloadRetries})`,
    ]),
    row(["checks after expiry of a completed session", tally.lateChecks]),
    row(["unhandled rejections", tally.unhandledRejections]),
    row([
      "**leaked resources** (client socket connections not closed / stub sockets left open)",
      `**${tally.socketsLeaked} / ${tally.stubSocketsLeft}** of ${tally.socketsOpened} upgrade requests; op and resource sanitizers: see the run's verdict`,
    ]),
    row([
      "completion → delivered (p50 / p99 / max)",
      tally.deliver.describe(),
    ]),
    row([
      "expiry → noticed (p50 / p99 / max)",
      tally.expiry.describe(),
    ]),
    row([
      "close() (p50 / p99 / max)",
      `${tally.close.describe()} (${tally.slowCloses} waited for a half-open socket)`,
    ]),
    row([
      "client heap after GC: first / warm / last / peak",
      first && warm && last
        ? `${mb(first.heapUsed)} / ${mb(warm.heapUsed)} / ${
          mb(last.heapUsed)
        } / ${mb(m.peak.heapUsed)} (${m.flat ? "flat" : "**growing**"})`
        : "–",
    ]),
    row([
      "client RSS: first / last / peak",
      first && last
        ? `${mb(first.rss)} / ${mb(last.rss)} / ${mb(m.peak.rss)}`
        : "–",
    ]),
    row([
      "stub process RSS: first / last / peak (keeps every session's tombstone)",
      first && last && m.peak.stubRss > 0
        ? `${mb(first.stubRss)} / ${mb(last.stubRss)} / ${mb(m.peak.stubRss)}`
        : "–",
    ]),
    row(["memory samples", m.count]),
    row([
      "settings",
      `concurrency ${settings.concurrency}, seed ${settings.seed}, a fault every ~${settings.faultEveryMs} ms, downloads compared for ${
        Math.round(settings.downloadSample * 100)
      } % of sessions`,
    ]),
    row(["duration", ms(tally.durationMs)]),
    row(["verdict", tally.clean ? "**clean**" : "**problems found**"]),
    "",
    row(["fault", "injected"]),
    row(["---", "---"]),
    ...Object.entries(tally.faults).map(([kind, n]) => row([kind, n])),
  ];
  if (tally.problems.length > 0) {
    lines.push(
      "",
      `Problems (${tally.problemCount}, first ${tally.problems.length}):`,
      "",
      ...tally.problems.map((p) => `- ${p}`),
    );
  }
  return lines.join("\n");
}

const DOC_HEAD = `# Reliability

The promise of this library is that a backend never loses a photo, a signature
or a scan, never hangs, and never leaks its key. This page holds the figures
of the soak that checks it (\`deno task soak\`, \`soak/\`); the hostile-input
and secrets tests are in \`tests/hostile/\` and \`tests/secrets_test.ts\`.

## What the soak does

- The stub Handoff server runs in a child process (\`tools/stub_process.ts\`);
  the soak drives it over its controls: the phone, fault injection, expiry,
  snapshots and stats.
- Sessions of every action (photo jpg/png/pdf, signature svg/png/pdf, scan
  single/multi in pdf/images mode, with and without intro text) go through
  their whole lifecycle, a bounded number at a time, each in one of these
  scenarios: completed; completed and then outliving its TTL; expired while
  pending; expired while opened or started; expired on the server before
  the client's TTL (\`expire()\`); completed a moment before expiry (either
  outcome is accepted when the server agrees); closed early by the caller
  (a second client's session on it goes on).
- Faults are injected at random all along: WebSockets dropped with and
  without a close frame, upgrades refused for a while, 5xx bursts on
  \`/result\`, \`/sessions\`, \`/sessions/:id\` and downloads, added latency,
  half-open sockets (silent until the client drops them), restarts with
  state kept, and completions landing right after every socket was dropped.
- Each session has several listeners (one of them throwing on purpose,
  some unsubscribing midway), several waiters (some aborted by their
  caller), sometimes an \`events()\` iterator, and sometimes a second
  client attached to it (before or after completion).
- For every session object it checks: it ends \`completed\` with the items
  the stub recorded (ids, content types, file names; downloads compared byte
  for byte for a sample) or \`expired\` as the stub says; each listener saw
  each status at most once, in order, and \`completed\`/\`expired\` exactly
  once; every waiter settled with the right value or error within TTL + 30 s;
  a completed session stays completed after its TTL. Over the run: no
  unhandled rejection, every client WebSocket closed and the stub holding no
  socket at the end, and the whole run executes inside \`deno test\` with the
  op and resource sanitizers on, so a leaked timer, request or socket fails
  it. Memory is sampled every 2 s (heap after a full GC, RSS of both
  processes).
- \`deno task soak\` is the CI-sized run (300 sessions, under two minutes; it
  runs in \`.ci/run\`); \`deno task soak --sessions 10000\` (100 at a time) is
  the long run. Both write their section below.
`;

const MARK = (name: string, end = false) =>
  `<!-- soak:${name}${end ? ":end" : ""} -->`;

/**
 * Replace (or add) this run's section of `docs/RELIABILITY.md`, keeping the
 * other run's section and the notes.
 */
export function updateDoc(
  existing: string | undefined,
  section: "ci" | "long",
  body: string,
): string {
  const sections: Record<"ci" | "long", string> = {
    ci: "_not run yet_",
    long: "_not run yet_",
  };
  let notes = "";
  if (existing !== undefined) {
    for (const name of ["ci", "long"] as const) {
      const start = existing.indexOf(MARK(name));
      const end = existing.indexOf(MARK(name, true));
      if (start >= 0 && end > start) {
        sections[name] = existing.slice(start + MARK(name).length, end).trim();
      }
    }
    const at = existing.indexOf(MARK("notes"));
    if (at >= 0) notes = existing.slice(at + MARK("notes").length).trim();
  }
  sections[section] = body.trim();
  return [
    DOC_HEAD,
    "## CI-sized run",
    "",
    MARK("ci"),
    sections.ci,
    MARK("ci", true),
    "",
    "## Long run: 10,000 sessions",
    "",
    MARK("long"),
    sections.long,
    MARK("long", true),
    "",
    MARK("notes"),
    notes,
    "",
  ].join("\n");
}
