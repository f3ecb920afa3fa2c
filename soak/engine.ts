// Copyright 2026 the handoff authors. MIT license.
/**
 * The soak: many sessions through their whole lifecycle against the stub in
 * a child process, with faults injected at random, and every session checked
 * against what the stub recorded.
 *
 * @module
 */

import {
  type AnySession,
  HandoffClient,
  type HandoffClientOptions,
  NetworkError,
  ServerError,
  SessionClosedError,
  SessionExpiredError,
  TimeoutError,
} from "../mod.ts";
import { sampleJpeg, samplePng } from "../testing.ts";
import type {
  CreateSessionOptions,
  ResultItem,
  ScanResult,
  SessionEvent,
  SessionStatus,
} from "../types.ts";
import { StubProcess, StubProcessError } from "../tools/stub_process.ts";
import { FaultInjector } from "./faults.ts";
import { Random } from "./random.ts";
import { type Fate, type RunSettings, Tally } from "./report.ts";

/** A completion this close to expiry may be seen as either (if the server agrees). */
const RACE_MARGIN_MS = 2_000;
/** Every waiter must settle within the session's TTL plus this. */
const WAIT_BOUND_MS = 30_000;
/** Memory is sampled this often. */
const SAMPLE_EVERY_MS = 2_000;

/** The client tuning of the soak: the defaults scaled down about tenfold. */
export const SOAK_CLIENT: Omit<HandoffClientOptions, "baseUrl" | "apiKey"> = {
  timeoutMs: 4_000,
  retry: { maxRetries: 3, initialDelayMs: 50, maxDelayMs: 500 },
  reconnect: {
    initialDelayMs: 100,
    maxDelayMs: 1_000,
    attemptsBeforePolling: 3,
    stableAfterMs: 1_500,
  },
  pollIntervalMs: 250,
  livenessIntervalMs: 1_500,
};

/** A stub snapshot as it crosses the process boundary (dates as strings). */
interface WireFile {
  downloadId: string;
  contentType: string;
  filename: string;
  data: Uint8Array;
}
interface WireSnapshot {
  id: string;
  status: SessionStatus;
  expiresAt: string;
  completedAt?: string;
  items: WireFile[];
  scanDocuments: WireFile[][];
}

interface Upload {
  contentType: string;
  filename: string;
  data: Uint8Array;
}
interface Page {
  data: Uint8Array;
  contentType: string;
  filename: string;
  documentIndex?: number;
  pageIndex?: number;
}

/** One session's scenario. */
interface Plan {
  fate: Fate;
  options: CreateSessionOptions;
  scan: boolean;
  intro: boolean;
  ttlMs: number;
  phoneDelayMs: number;
  items: Upload[];
  pages: Page[];
  dropBeforeCompletion: boolean;
  listeners: number;
  throwingListener: boolean;
  unsubscribeOne: boolean;
  waiters: number;
  abortWaiterAfterMs: number | undefined;
  iterate: boolean;
  attach: "none" | "early" | "after-completion";
  compareDownloads: boolean;
}

const SVG = new TextEncoder().encode(
  '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><path d="M0 0L8 8"/></svg>',
);
const NAMES = [
  "photo.jpg",
  "ID card <front> & back.jpg",
  "Ünïcödé 写真.png",
  'quote"d.jpeg',
  "x",
];

function image(r: Random): Upload {
  return r.chance(0.5)
    ? { contentType: "image/jpeg", filename: r.pick(NAMES), data: sampleJpeg() }
    : { contentType: "image/png", filename: r.pick(NAMES), data: samplePng() };
}

function makePlan(r: Random, downloadSample: number): Plan {
  const fate = r.weighted<Fate>([
    ["complete", 45],
    ["complete-then-expire", 9],
    ["expire-pending", 8],
    ["expire-during", 10],
    ["expire-server-side", 8],
    ["complete-near-expiry", 9],
    ["close-early", 11],
  ]);
  const action = r.weighted(
    [["photo", 40], ["signature", 25], [
      "scan",
      35,
    ]] as const,
  );
  const ttlMs = {
    "complete": r.int(10_000, 20_000),
    "complete-then-expire": r.int(3_500, 6_000),
    "expire-pending": r.int(2_000, 4_000),
    "expire-during": r.int(2_000, 5_000),
    "expire-server-side": 20_000,
    "complete-near-expiry": r.int(2_000, 4_000),
    "close-early": 20_000,
  }[fate];
  const intro = r.chance(0.4);
  const common = {
    sessionTtl: `${(ttlMs / 1000).toFixed(1)}s`,
    resultTtl: "2m",
    ...(intro
      ? { intro: r.pick(["Hello", 'A photo of your <ID> & "card"', "📷 ü"]) }
      : {}),
  };
  let options: CreateSessionOptions;
  const items: Upload[] = [];
  const pages: Page[] = [];
  if (action === "photo") {
    const outputFormat = r.pick(["jpg", "png", "pdf"] as const);
    options = { action, outputFormat, ...common };
    const n = r.chance(0.05) ? 0 : r.int(1, 3);
    for (let i = 0; i < n; i++) {
      if (outputFormat !== "pdf" && r.chance(0.15)) {
        items.push({
          contentType: r.pick(["", "application/octet-stream"]),
          filename: "blob",
          data: sampleJpeg(),
        });
      } else items.push(image(r));
    }
  } else if (action === "signature") {
    const outputFormat = r.pick(["svg", "png", "pdf"] as const);
    options = { action, outputFormat, ...common };
    items.push(
      outputFormat === "png"
        ? {
          contentType: "image/png",
          filename: "signature.png",
          data: samplePng(),
        }
        : {
          contentType: "image/svg+xml",
          filename: "signature.svg",
          data: SVG.slice(),
        },
    );
  } else {
    const documentMode = r.pick(["single", "multi", undefined] as const);
    const scanOutputFormat = r.pick(["pdf", "images", undefined] as const);
    options = {
      action,
      ...(documentMode ? { documentMode } : {}),
      ...(scanOutputFormat ? { scanOutputFormat } : {}),
      ...common,
    };
    const documents = documentMode === "multi"
      ? [0, 1, 2].filter(() => r.chance(0.6))
      : [0];
    if (documents.length === 0) documents.push(r.int(0, 2));
    for (const documentIndex of documents) {
      const count = r.int(1, 3);
      const order = [...Array(count).keys()];
      if (r.chance(0.3)) order.reverse();
      for (const pageIndex of order) {
        const png = r.chance(0.3);
        pages.push({
          data: png ? samplePng() : sampleJpeg(),
          contentType: png ? "image/png" : "image/jpeg",
          filename: png ? "page.png" : "page.jpg",
          ...(documentMode === "multi" ? { documentIndex } : {}),
          pageIndex,
        });
      }
    }
  }
  const completes = fate === "complete" || fate === "complete-then-expire" ||
    fate === "complete-near-expiry";
  return {
    fate,
    options,
    scan: action === "scan",
    intro,
    ttlMs,
    phoneDelayMs: fate === "complete" && r.chance(0.15)
      ? 0
      : r.int(50, fate === "complete" ? 1_500 : 800),
    items,
    pages,
    dropBeforeCompletion: completes && r.chance(0.12),
    listeners: r.int(1, 3),
    throwingListener: r.chance(0.2),
    unsubscribeOne: r.chance(0.2),
    waiters: r.int(1, 3),
    abortWaiterAfterMs: r.chance(0.25) ? r.int(0, 2_000) : undefined,
    iterate: r.chance(0.3),
    attach: r.weighted(
      [["none", 70], ["early", 20], [
        "after-completion",
        10,
      ]] as const,
    ),
    compareDownloads: r.next() < downloadSample,
  };
}

type Settled =
  | { ok: true; value: ResultItem[] | ScanResult }
  | { ok: false; error: unknown };

interface ListenerLog {
  statuses: SessionStatus[];
  off: boolean;
  afterOff: number;
}

interface WaiterLog {
  reason: unknown;
  outcome: Settled | undefined;
  promise: Promise<void>;
}

/** One Session object under watch: its listeners, waiters and iterator. */
class Observer {
  readonly role: "creator" | "attached";
  readonly session: AnySession;
  readonly scan: boolean;
  readonly listeners: ListenerLog[] = [];
  readonly waiters: WaiterLog[] = [];
  iterator: Promise<{ statuses: SessionStatus[]; error?: unknown }> | undefined;
  /** Date.now() when the session emitted completed or expired. */
  endAt: number | undefined;
  /** The session had already ended when it was handed over. */
  readonly endedAtStart: boolean;
  closedByCaller = false;
  /** The last connection changes, for the report of a problem. */
  readonly connections: string[] = [];
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    role: "creator" | "attached",
    session: AnySession,
    plan: Plan,
    r: Random,
    tally: Tally,
  ) {
    this.role = role;
    this.session = session;
    this.scan = plan.scan;
    this.endedAtStart = session.status === "completed" ||
      session.status === "expired";
    const born = Date.now();
    session.onEvent((event) => {
      if (event.type !== "status_update") this.endAt = Date.now();
      this.#note(`${event.status}@${Date.now() - born}`);
    });
    session.onConnectionChange((state) =>
      this.#note(`${state}@${Date.now() - born}`)
    );
    const listeners = role === "creator" ? plan.listeners : r.int(1, 2);
    for (let i = 0; i < listeners; i++) {
      const throws = i === 0 && plan.throwingListener;
      const log: ListenerLog = { statuses: [], off: false, afterOff: 0 };
      const unsubscribe = plan.unsubscribeOne && i === listeners - 1 &&
        listeners > 1;
      const off = session.onEvent((event: SessionEvent) => {
        if (log.off) log.afterOff++;
        log.statuses.push(event.status);
        if (unsubscribe && log.statuses.length === 1) {
          log.off = true;
          off();
        }
        if (throws) throw new Error("a listener that throws on purpose");
      });
      this.listeners.push(log);
      tally.listeners++;
      if (throws) tally.throwingListeners++;
    }
    const waiters = role === "creator" ? plan.waiters : r.int(1, 2);
    for (let i = 0; i < waiters; i++) this.#wait(undefined, tally);
    if (role === "creator" && plan.abortWaiterAfterMs !== undefined) {
      const controller = new AbortController();
      const reason = new Error("the caller gave up");
      this.#wait(controller.signal, tally, reason);
      tally.abortedWaiters++;
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        controller.abort(reason);
      }, plan.abortWaiterAfterMs);
      this.#timers.add(timer);
    }
    if (plan.iterate && role === "creator") {
      tally.iterators++;
      this.iterator = (async () => {
        const statuses: SessionStatus[] = [];
        try {
          for await (const event of session.events()) {
            statuses.push(event.status);
          }
          return { statuses };
        } catch (error) {
          return { statuses, error };
        }
      })();
    }
  }

  #note(text: string): void {
    this.connections.push(text);
    if (this.connections.length > 24) this.connections.shift();
  }

  #wait(signal: AbortSignal | undefined, tally: Tally, reason?: unknown): void {
    const options = signal ? { signal } : {};
    const log: WaiterLog = {
      reason,
      outcome: undefined,
      promise: Promise.resolve(),
    };
    const session = this.session;
    const wait: Promise<ResultItem[] | ScanResult> =
      session.actionType === "scan"
        ? session.waitForScanResult(options)
        : session.waitForResult(options);
    log.promise = wait.then(
      (value) => {
        log.outcome = { ok: true, value };
      },
      (error: unknown) => {
        log.outcome = { ok: false, error };
      },
    );
    this.waiters.push(log);
    tally.waiters++;
  }

  /** Everything this observer waits for, settled. */
  settled(): Promise<unknown> {
    return Promise.all([
      ...this.waiters.map((w) => w.promise),
      this.iterator ?? Promise.resolve(),
    ]);
  }

  /** Cancel the abort timers that have not fired. */
  dispose(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  /** How the session ended, by its first plain waiter. */
  get outcome(): "completed" | "expired" | "closed" | "failed" | "hung" {
    const o = this.waiters[0]?.outcome;
    if (o === undefined) return "hung";
    if (o.ok) return "completed";
    if (o.error instanceof SessionExpiredError) return "expired";
    if (o.error instanceof SessionClosedError) return "closed";
    return "failed";
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Resolve with `promise`, or `"timeout"` after `ms` (its timer is cleared). */
async function within<T>(
  promise: Promise<T>,
  ms: number,
): Promise<T | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), Math.max(0, ms));
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function transient(error: unknown): boolean {
  return error instanceof ServerError || error instanceof NetworkError ||
    error instanceof TimeoutError;
}

function describe(error: unknown): string {
  return error instanceof Error
    ? `${error.name}: ${error.message}`
    : String(error);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The statuses in the order a session goes through them (any may be
 * skipped): what the listeners must see, written down here rather than
 * taken from the client, which it checks.
 */
const STATUS_ORDER: readonly SessionStatus[] = [
  "pending",
  "opened",
  "action_started",
  "completed",
  "expired",
];

/** What the stub counts of the clients' sockets (see `StubStats`). */
interface SocketStats {
  /** Upgrade requests received. */
  readonly requests: { readonly websocket: number };
  /** Sockets the stub tracks as open. */
  readonly openWebSockets: number;
  /** Connections of upgrade requests the clients have not closed. */
  readonly openUpgradeConnections?: number;
}

/** The shared state of one run. */
interface Run {
  readonly stub: StubProcess;
  readonly creator: HandoffClient;
  readonly attacher: HandoffClient;
  readonly injector: FaultInjector;
  readonly tally: Tally;
  readonly random: Random;
  readonly settings: RunSettings;
}

/** The phone's part up to the action page. */
async function phoneOpen(run: Run, plan: Plan, id: string): Promise<void> {
  await run.stub.call("phone.open", id);
  if (plan.intro) await run.stub.call("phone.start", id);
}

/** The phone completes the session; false when the server said it expired. */
async function phoneComplete(
  run: Run,
  plan: Plan,
  id: string,
  session: AnySession | undefined,
): Promise<boolean> {
  try {
    await phoneOpen(run, plan, id);
    if (plan.scan) {
      for (const page of plan.pages) {
        await run.stub.call("phone.uploadPage", id, page);
      }
    }
    if (plan.dropBeforeCompletion) await run.injector.dropBeforeCompletion();
    if (session !== undefined && session.connection !== "websocket") {
      run.tally.completionsWhileDisconnected++;
    } else if (plan.dropBeforeCompletion) {
      run.tally.completionsWhileDisconnected++;
    }
    if (plan.scan) await run.stub.call("phone.finalize", id);
    else await run.stub.call("phone.submit", id, plan.items);
    return true;
  } catch (error) {
    if (error instanceof StubProcessError && error.status === 410) return false;
    throw error;
  }
}

async function withRetries<T>(
  run: Run,
  what: "create" | "attach" | "download",
  action: () => Promise<T>,
): Promise<T> {
  for (let attempt = 0;; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (!transient(error) || attempt >= 8) throw error;
      if (what === "create") run.tally.createRetries++;
      else if (what === "attach") run.tally.attachRetries++;
      else run.tally.downloadRetries++;
      await sleep(Math.min(2_000, 100 * 2 ** attempt));
    }
  }
}

async function attach(
  run: Run,
  plan: Plan,
  r: Random,
  id: string,
): Promise<Observer | "expired"> {
  try {
    const session = await withRetries(
      run,
      "attach",
      () => run.attacher.attachSession(id),
    );
    const observer = new Observer("attached", session, plan, r, run.tally);
    run.tally.attached++;
    if (observer.endedAtStart) run.tally.attachedAfterEnd++;
    return observer;
  } catch (error) {
    if (error instanceof SessionExpiredError) return "expired";
    throw error;
  }
}

/** Drive one session through its scenario and check it. */
async function runOne(run: Run, index: number): Promise<void> {
  const { tally, stub } = run;
  const r = run.random.fork(index);
  const plan = makePlan(r, run.settings.downloadSample);
  tally.sessions++;
  tally.fates[plan.fate]++;
  let session: AnySession;
  try {
    session = await withRetries(
      run,
      "create",
      () => run.creator.createSession(plan.options),
    );
  } catch (error) {
    tally.createFailed++;
    tally.problem(`session ${index}: creation failed: ${describe(error)}`);
    return;
  }
  tally.created++;
  const startedAt = Date.now();
  const id = session.id;
  const observers: Observer[] = [
    new Observer("creator", session, plan, r, tally),
  ];
  const creator = observers[0]!;
  const side: Promise<void>[] = [];
  let attachRefused = 0;
  const attachNow = async () => {
    const got = await attach(run, plan, r, id);
    if (got === "expired") attachRefused = Date.now();
    else observers.push(got);
  };
  if (plan.attach === "early") {
    side.push(sleep(r.int(0, 600)).then(attachNow));
  }

  switch (plan.fate) {
    case "complete":
    case "complete-then-expire":
      await sleep(plan.phoneDelayMs);
      await phoneComplete(run, plan, id, session);
      break;
    case "complete-near-expiry": {
      await sleep(plan.ttlMs / 3);
      await phoneOpen(run, plan, id).catch(() => {});
      const expiresAt = session.expiresAt.getTime();
      await sleep(expiresAt - r.int(0, 700) - Date.now());
      await phoneComplete(run, plan, id, session);
      break;
    }
    case "expire-pending":
      break;
    case "expire-during":
      await sleep(plan.phoneDelayMs);
      await phoneOpen(run, plan, id);
      if (plan.scan && plan.pages[0]) {
        await run.stub.call("phone.uploadPage", id, plan.pages[0]);
      }
      break;
    case "expire-server-side":
      await sleep(plan.phoneDelayMs);
      if (r.chance(0.5)) await phoneOpen(run, plan, id);
      await sleep(r.int(200, 1_500));
      await stub.call("expire", id);
      tally.faults["expire-server-side"]++;
      break;
    case "close-early": {
      await sleep(plan.phoneDelayMs);
      if (r.chance(0.5)) await phoneOpen(run, plan, id);
      await sleep(r.int(0, 800));
      await Promise.all(side); // an early attach is in place first
      creator.closedByCaller = true;
      await session.close();
      // The server's session goes on: another client's session completes.
      if (observers.length > 1 || r.chance(0.5)) {
        await phoneComplete(run, plan, id, undefined);
      }
      break;
    }
  }

  // Every waiter settles within the bound.
  const deadline = startedAt + plan.ttlMs + WAIT_BOUND_MS;
  await within(Promise.all(side), deadline - Date.now());
  if (plan.attach === "after-completion") {
    await within(creator.settled(), deadline - Date.now());
    if (creator.outcome === "completed") await attachNow();
  }
  const all = Promise.all(observers.map((o) => o.settled()));
  if ((await within(all, deadline - Date.now())) === "timeout") {
    for (const o of observers) {
      const hung = o.waiters.filter((w) => w.outcome === undefined).length;
      if (hung > 0) {
        tally.hungWaiters += hung;
        tally.problem(
          `session ${index} (${plan.fate}, ${plan.options.action}, ${o.role}): ${hung} waiter(s) not settled within TTL + 30 s; status ${o.session.status}, connection ${o.session.connection}`,
        );
      }
    }
  }

  const snapshot = await stub.call<WireSnapshot>("session", id);
  for (const o of observers) {
    check(run, plan, index, o, snapshot, attachRefused);
  }
  if (plan.compareDownloads) {
    await compareDownloads(run, index, observers, snapshot);
  }
  if (plan.fate === "complete-then-expire" && creator.outcome === "completed") {
    await lateCheck(run, plan, index, creator, snapshot);
  }

  for (const o of observers) {
    const before = performance.now();
    await o.session.close();
    const took = performance.now() - before;
    tally.close.add(took);
    if (took > 1_000) tally.slowCloses++;
    o.dispose();
    await o.settled();
    await checkIterator(run, plan, index, o);
    if (o.session.connection !== "closed") {
      tally.problem(
        `session ${index} (${o.role}): connection ${o.session.connection} after close()`,
      );
    }
    for (const l of o.listeners) {
      if (l.afterOff > 0) {
        tally.duplicated++;
        tally.problem(
          `session ${index} (${o.role}): a listener got ${l.afterOff} event(s) after unsubscribing`,
        );
      }
    }
  }
}

/** Check one session object against the stub's record. */
function check(
  run: Run,
  plan: Plan,
  index: number,
  o: Observer,
  snapshot: WireSnapshot,
  attachRefusedAt: number,
): void {
  const { tally } = run;
  const label =
    `session ${index} (${plan.fate}, ${plan.options.action}, ${o.role})`;
  const outcome = o.outcome;
  const expiresAt = Date.parse(snapshot.expiresAt);
  const completedAt = snapshot.completedAt === undefined
    ? undefined
    : Date.parse(snapshot.completedAt);
  if (outcome !== "hung") {
    tally.ends[outcome === "failed" ? "failed" : outcome]++;
  }
  if (attachRefusedAt > 0 && attachRefusedAt < expiresAt) {
    tally.wrongOutcome++;
    tally.problem(
      `${label}: attach refused as expired before the server's expiry`,
    );
  }

  // The outcome against the server's record.
  let expected: "completed" | "expired" | "closed" | "either";
  if (o.closedByCaller) expected = "closed";
  else if (completedAt !== undefined) {
    const margin = expiresAt - completedAt;
    if (margin < RACE_MARGIN_MS) {
      expected = "either";
      if (o.role === "creator") {
        tally.races++;
        if (outcome === "completed") tally.racesCompleted++;
      }
    } else expected = "completed";
  } else expected = "expired";

  if (outcome === "hung") {
    // counted already
  } else if (expected === "either") {
    if (outcome !== "completed" && outcome !== "expired") {
      tally.wrongOutcome++;
      tally.problem(`${label}: ended ${outcome} in a completion/expiry race`);
    }
  } else if (outcome !== expected) {
    if (expected === "completed") {
      tally.lost++;
      tally.problem(
        `${label}: LOST: the server completed it ${
          expiresAt - completedAt!
        } ms before expiry, the client ended ${outcome} (${
          describe(
            o.waiters[0]?.outcome && !o.waiters[0].outcome.ok
              ? o.waiters[0].outcome.error
              : "",
          )
        }); history ${o.connections.join(" ")}`,
      );
    } else if (outcome === "completed") {
      tally.phantom++;
      tally.problem(`${label}: completed, but the server never completed it`);
    } else {
      tally.wrongOutcome++;
      tally.problem(
        `${label}: ended ${outcome}, expected ${expected} (${
          describe(
            o.waiters[0]?.outcome && !o.waiters[0].outcome.ok
              ? o.waiters[0].outcome.error
              : "",
          )
        })`,
      );
    }
  }
  if (outcome === "expired") {
    if (snapshot.status !== "expired") {
      tally.wrongOutcome++;
      tally.problem(
        `${label}: expired, but the server says ${snapshot.status}`,
      );
    } else if (o.endAt !== undefined) {
      if (o.endAt + 5 < expiresAt) {
        tally.wrongOutcome++;
        tally.problem(
          `${label}: expired ${expiresAt - o.endAt} ms before the server did`,
        );
      }
      tally.expiry.add(o.endAt - expiresAt);
    }
  }
  if (
    outcome === "completed" && completedAt !== undefined &&
    o.endAt !== undefined && !o.endedAtStart
  ) tally.deliver.add(o.endAt - completedAt);

  // The items against the server's record.
  if (outcome === "completed") {
    const value = (o.waiters[0]!.outcome as { value: unknown }).value;
    const want = o.scan
      ? {
        documents: snapshot.scanDocuments.map((files) =>
          files.length === 1 && !files[0]!.contentType.startsWith("image/")
            ? { pdf: files[0]!.downloadId }
            : { pages: files.map((f) => [f.downloadId, f.contentType]) }
        ),
      }
      : snapshot.items.map((f) => [f.downloadId, f.contentType, f.filename]);
    const got = o.scan
      ? {
        documents: (value as ScanResult).documents.map((d) =>
          d.format === "pdf" ? { pdf: d.pdfUrl.split("/").pop() } : {
            pages: d.pages.map((p) => [p.url.split("/").pop(), p.contentType]),
          }
        ),
      }
      : (value as ResultItem[]).map((
        i,
      ) => [i.downloadId, i.contentType, i.filename]);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      tally.wrongItems++;
      tally.problem(
        `${label}: items differ from the server's: ${JSON.stringify(got)} vs ${
          JSON.stringify(want)
        }`,
      );
    }
    for (const w of o.waiters.slice(1)) {
      const other = w.outcome;
      if (other?.ok && JSON.stringify(other.value) !== JSON.stringify(value)) {
        tally.wrongItems++;
        tally.problem(`${label}: two waiters got different results`);
      }
    }
  }

  // Every waiter: the session's outcome, or its own abort reason.
  for (const w of o.waiters) {
    const got = w.outcome;
    if (got === undefined) continue;
    if (!got.ok && w.reason !== undefined && got.error === w.reason) continue;
    const same = outcome === "completed"
      ? got.ok
      : !got.ok && (outcome === "expired"
        ? got.error instanceof SessionExpiredError
        : outcome === "closed"
        ? got.error instanceof SessionClosedError
        : true);
    if (!same) {
      tally.wrongOutcome++;
      tally.problem(
        `${label}: a waiter got ${
          got.ok ? "a result" : describe(got.error)
        } while the session ended ${outcome}`,
      );
    }
  }

  // Every listener: statuses in order, each once, one final event.
  const terminal = outcome === "completed" || outcome === "expired";
  for (const l of o.listeners) {
    const s = l.statuses;
    for (let i = 1; i < s.length; i++) {
      const a = STATUS_ORDER.indexOf(s[i - 1]!);
      const b = STATUS_ORDER.indexOf(s[i]!);
      if (b === a) {
        tally.duplicated++;
        tally.problem(`${label}: a listener saw ${s.join(" → ")}`);
        break;
      }
      if (b < a) {
        tally.outOfOrder++;
        tally.problem(`${label}: a listener saw ${s.join(" → ")}`);
        break;
      }
    }
    if (l.off) continue;
    const finals = s.filter((x) => x === "completed" || x === "expired");
    const want = terminal && !o.endedAtStart ? 1 : 0;
    if (finals.length > want) {
      tally.duplicated++;
      tally.problem(`${label}: a listener saw ${s.join(" → ")}`);
    } else if (finals.length < want) {
      if (outcome === "completed") tally.lost++;
      else tally.wrongOutcome++;
      tally.problem(
        `${label}: a listener saw ${s.join(" → ")}, without ${outcome}`,
      );
    } else if (want === 1 && finals[0] !== outcome) {
      tally.wrongOutcome++;
      tally.problem(`${label}: a listener saw ${s.join(" → ")} (${outcome})`);
    }
  }
}

/** The `events()` iterator ended with the session's final event, or without one. */
async function checkIterator(
  run: Run,
  plan: Plan,
  index: number,
  o: Observer,
): Promise<void> {
  if (o.iterator === undefined) return;
  const outcome = o.outcome;
  const terminal = outcome === "completed" || outcome === "expired";
  const { statuses, error } = await o.iterator;
  const last = statuses.at(-1);
  const ok = error === undefined &&
    (terminal ? last === outcome : last !== "completed" && last !== "expired");
  if (!ok) {
    run.tally.wrongOutcome++;
    run.tally.problem(
      `session ${index} (${plan.fate}, ${o.role}): events() gave ${
        statuses.join(" → ")
      }${error ? ` and threw ${describe(error)}` : ""} (${outcome})`,
    );
  }
}

/** Download the result with the client and compare with the stub's bytes. */
async function compareDownloads(
  run: Run,
  index: number,
  observers: readonly Observer[],
  snapshot: WireSnapshot,
): Promise<void> {
  const o = observers.find((x) => x.outcome === "completed");
  if (o === undefined) return;
  const value = (o.waiters[0]!.outcome as { value: unknown }).value;
  const refs: string[] = o.scan
    ? (value as ScanResult).documents.flatMap((d) =>
      d.format === "pdf" ? [d.pdfUrl] : d.pages.map((p) => p.url)
    )
    : (value as ResultItem[]).map((i) => i.downloadId);
  const files = o.scan ? snapshot.scanDocuments.flat() : snapshot.items;
  for (const [i, ref] of refs.entries()) {
    const want = files[i];
    const got = await withRetries(
      run,
      "download",
      () => run.creator.downloadFile(ref),
    );
    run.tally.downloads++;
    run.tally.downloadBytes += got.data.byteLength;
    if (
      want === undefined || !sameBytes(got.data, want.data) ||
      got.contentType !== want.contentType
    ) {
      run.tally.downloadMismatches++;
      run.tally.problem(
        `session ${index}: download ${ref} differs from the stub's file (${got.data.byteLength} bytes ${
          JSON.stringify(got.contentType)
        } vs ${want?.data.byteLength} bytes ${
          JSON.stringify(want?.contentType)
        })`,
      );
    }
  }
}

/** A completed session outlives its TTL: it stays completed. */
async function lateCheck(
  run: Run,
  plan: Plan,
  index: number,
  o: Observer,
  snapshot: WireSnapshot,
): Promise<void> {
  const label = `session ${index} (${plan.fate})`;
  await sleep(Date.parse(snapshot.expiresAt) + 300 - Date.now());
  run.tally.lateChecks++;
  if (o.session.status !== "completed") {
    run.tally.wrongOutcome++;
    run.tally.problem(`${label}: status ${o.session.status} after expiry`);
  }
  if (o.listeners.some((l) => l.statuses.includes("expired"))) {
    run.tally.duplicated++;
    run.tally.problem(`${label}: expired emitted after completed`);
  }
  const late = await within(
    (o.session.actionType === "scan"
      ? o.session.waitForScanResult()
      : o.session.waitForResult())
      .then((value) => JSON.stringify(value)),
    1_000,
  ).catch((error: unknown) => `rejected: ${describe(error)}`);
  const first = JSON.stringify(
    (o.waiters[0]!.outcome as { value: unknown }).value,
  );
  if (late !== first) {
    run.tally.wrongOutcome++;
    run.tally.problem(`${label}: a late waiter got ${late}`);
  }
  const attached = await withRetries(
    run,
    "attach",
    () => run.attacher.attachSession(o.session.id),
  ).then(
    async (s) => {
      await s.close();
      return "attached";
    },
    (error: unknown) =>
      error instanceof SessionExpiredError ? "expired" : describe(error),
  );
  if (attached !== "expired") {
    run.tally.wrongOutcome++;
    run.tally.problem(`${label}: attaching after expiry gave ${attached}`);
  }
}

/** The stub process's resident set (0 when it cannot tell). */
async function stubRss(stub: StubProcess): Promise<number> {
  try {
    return (await stub.call<{ rss: number }>("bench.memory")).rss;
  } catch {
    return 0;
  }
}

async function sampleMemory(
  tally: Tally,
  stub: StubProcess,
  done: number,
): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = Deno.memoryUsage();
  tally.memory.add({
    at: performance.now() - tally.startedAt,
    done,
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    stubRss: await stubRss(stub),
  });
}

/**
 * Run the soak and return its figures. Everything it opens is closed before
 * it returns.
 *
 * @param settings How many sessions, how many at a time, the seed, the fault rate.
 * @param log Progress lines.
 * @returns The tally.
 */
export async function runSoak(
  settings: RunSettings,
  log: (line: string) => void = console.log,
): Promise<Tally> {
  const tally = new Tally(Math.ceil(settings.sessions * 0.2));
  const onUnhandled = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    tally.unhandledRejections++;
    tally.problem(`unhandled rejection: ${describe(event.reason)}`);
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  const stub = await StubProcess.start({ sessionTtl: "30s", resultTtl: "2m" });
  try {
    // The client's default socket (its own on Deno, which drops a half-open
    // connection; Deno's web `WebSocket` would keep every socket abandoned
    // on a stalled path for ever), counted by the stub at the TCP level.
    const options = {
      baseUrl: stub.url,
      apiKey: stub.apiKey,
      onListenerError: () => tally.listenerErrorsReported++,
    };
    const random = new Random(settings.seed);
    const run: Run = {
      stub,
      creator: new HandoffClient({ ...SOAK_CLIENT, ...options }),
      attacher: new HandoffClient({
        ...SOAK_CLIENT,
        ...options,
        reconnect: { ...SOAK_CLIENT.reconnect, attemptsBeforePolling: 1 },
        pollIntervalMs: 400,
      }),
      injector: new FaultInjector(
        stub,
        tally,
        random.fork(-1),
        settings.faultEveryMs,
        settings.concurrency,
      ),
      tally,
      random,
      settings,
    };

    let next = 0;
    let done = 0;
    let sampling = true;
    let wakeSampler: (() => void) | undefined;
    let samplerTimer: ReturnType<typeof setTimeout> | undefined;
    const sampler = (async () => {
      while (sampling) {
        await sampleMemory(tally, stub, done);
        await new Promise<void>((resolve) => {
          wakeSampler = resolve;
          samplerTimer = setTimeout(resolve, SAMPLE_EVERY_MS);
        });
      }
    })();
    const step = Math.max(1, Math.floor(settings.sessions / 10));
    run.injector.start();
    const workers = Array.from(
      { length: Math.min(settings.concurrency, settings.sessions) },
      async () => {
        while (next < settings.sessions) {
          const index = next++;
          try {
            await runOne(run, index);
          } catch (error) {
            tally.problem(
              `session ${index}: the driver failed: ${describe(error)}`,
            );
          }
          done++;
          if (done % step === 0) {
            const faults = Object.values(tally.faults).reduce((a, b) => a + b);
            const heap = tally.memory.last?.heapUsed ?? 0;
            log(
              `soak: ${done}/${settings.sessions} sessions, ${faults} faults, ${tally.problemCount} problems, heap ${
                (heap / 1024 / 1024).toFixed(1)
              } MB, ${
                ((performance.now() - tally.startedAt) / 1000).toFixed(0)
              } s`,
            );
          }
        }
      },
    );
    await Promise.all(workers);
    await run.injector.stop();
    sampling = false;
    clearTimeout(samplerTimer);
    wakeSampler?.();
    await sampler;

    // Nothing left open: every client socket closed, the stub holds none.
    const settle = async (predicate: () => Promise<boolean> | boolean) => {
      for (let i = 0; i < 100 && !(await predicate()); i++) await sleep(100);
    };
    // A client socket not closed keeps its TCP connection open: the stub's
    // relay sees it even where the stub no longer tracks the socket.
    let sockets = await stub.call<SocketStats>("stats");
    await settle(async () => {
      sockets = await stub.call<SocketStats>("stats");
      return sockets.openUpgradeConnections === 0;
    });
    tally.socketsOpened = sockets.requests.websocket;
    if (sockets.openUpgradeConnections === undefined) {
      tally.problem("the stub counts no connections: its relay is off");
    }
    tally.socketsLeaked = sockets.openUpgradeConnections ?? 0;
    if (tally.socketsLeaked > 0) {
      tally.problem(
        `${tally.socketsLeaked} client WebSocket connections never closed`,
      );
    }
    let stubOpen = 0;
    await settle(async () => {
      stubOpen = (await stub.call<SocketStats>("stats")).openWebSockets;
      return stubOpen === 0;
    });
    tally.stubSocketsLeft = stubOpen;
    await sampleMemory(tally, stub, done);
    if (!tally.memory.flat) {
      tally.problem("the client's heap grew over the run");
    }
  } finally {
    tally.durationMs = performance.now() - tally.startedAt;
    await stub.close();
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
  return tally;
}
