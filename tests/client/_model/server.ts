// Copyright 2026 the handoff authors. MIT license.
// A Handoff server in memory for the lifecycle model, on the fake clock: one
// session's statuses and expiry, `GET …/result` as docs/PROTOCOL.md answers
// it, WebSockets with their frames, and the faults a schedule injects. It
// keeps a record of every request and socket, and of what the client could
// hear, for the invariants.

import type { Entry, FakeClock } from "./clock.ts";
import type { ActionType } from "../../../types.ts";

export const BASE = "http://handoff.test";
export const KEY = "sk_model_key";
export const SESSION_ID = "3f2b8a52-6c1d-4e2f-9a7b-0c1d2e3f4a5b";

/** The statuses a session goes through on the server (expiry is by time). */
export type ServerStatus =
  | "pending"
  | "opened"
  | "action_started"
  | "completed";

const RANK: Record<ServerStatus, number> = {
  pending: 0,
  opened: 1,
  action_started: 2,
  completed: 3,
};

/** What a callback on the fake clock was: events are attributed to it. */
export type Cause =
  | { readonly kind: "step"; readonly index: number }
  | { readonly kind: "client" }
  | { readonly kind: "response"; readonly request: RequestRecord }
  | { readonly kind: "server" };

/** One request the client sent, from the server's side. */
export interface RequestRecord {
  readonly id: number;
  readonly path: string;
  readonly sentAt: number;
  readonly sentOrder: number;
  settledAt: number | undefined;
  settleOrder: number;
  /** answered (a Response), refused (server down), reset (cut), aborted (by the client's signal). */
  outcome: "answered" | "refused" | "reset" | "aborted" | undefined;
  /** The HTTP status of an answer. */
  status: number | undefined;
  /** What the client's signal said when it aborted. */
  abortReason: unknown;
  /** A hang fault caught it: it is answered never. */
  hung: boolean;
  /** The status the server had when it answered. */
  answeredStatus: string | undefined;
  arrival: Entry | undefined;
  finish:
    | ((outcome: "answered" | "refused" | "reset", value: unknown) => void)
    | undefined;
}

/** One WebSocket the client opened, from both sides. */
export interface SocketRecord {
  readonly id: number;
  readonly ctorAt: number;
  readonly ctorOrder: number;
  readonly ws: SimSocket;
  /** Where its handshake went. */
  handshake:
    | "pending"
    | "open"
    | "refused"
    | "rejected"
    | "stalled"
    | "aborted";
  openAt: number | undefined;
  openOrder: number;
  /** When the client called `close()`. */
  clientCloseAt: number | undefined;
  clientCloseOrder: number;
  /** When the close event reached the client. */
  closeEventAt: number | undefined;
  closeEventOrder: number;
  closeCode: number | undefined;
  terminatedAt: number | undefined;
  /** Frames stop both ways and the client's close is never answered. */
  halfOpen: boolean;
  /** The server no longer has it (dropped, cut, forgotten). */
  serverGone: boolean;
  /** When a frame reached the client's listener. */
  readonly heard: number[];
  /** When a `completed` frame without data reached it (the client must fetch the result). */
  readonly heardBare: number[];
  /** The status of each frame in `heard`. */
  readonly heardStatus: ServerStatus[];
  /** Frames it should have had but lost (broadcast lost, half-open). */
  readonly lost: { readonly at: number; readonly status: string }[];
  lastFrameAt: number;
  readonly timers: Set<Entry>;
}

/** The faults a schedule can switch on. */
export interface Faults {
  refuse: number;
  stall: number;
  fail5xx: number;
  hang: number;
  lose: number;
  outageUntil: number;
}

interface Session {
  readonly id: string;
  readonly actionType: ActionType;
  readonly createdAt: number;
  readonly ttlMs: number;
  status: ServerStatus;
  completedAt: number | undefined;
  data: unknown; // items array, or the scan result object
  readonly sockets: Set<SocketRecord>;
}

/** A `WebSocket` of the simulated server (the class is made per server). */
export interface SimSocket extends EventTarget {
  readyState: number;
  readonly url: string;
  close(code?: number): void;
  terminate(): void;
  send(data: unknown): void;
}

/** The simulated server. */
export class SimServer {
  readonly clock: FakeClock;
  readonly faults: Faults = {
    refuse: 0,
    stall: 0,
    fail5xx: 0,
    hang: 0,
    lose: 0,
    outageUntil: -Infinity,
  };
  readonly requests: RequestRecord[] = [];
  readonly inFlight = new Set<RequestRecord>();
  readonly sockets: SocketRecord[] = [];
  /** Server-side status changes: when each status was reached. */
  readonly statusLog: { readonly at: number; readonly status: ServerStatus }[] =
    [];
  /** When the client last accepted word from the server (an answer below 500, an open, a frame). */
  lastHeard = -Infinity;
  /** Every time the client accepted word from the server. */
  readonly heardLog: number[] = [];
  /** 410 answers the client received. */
  answered410 = 0;
  /** When the server forgot the session (restart), if it did. */
  forgottenAt: number | undefined;
  /** What the running callback is (events are attributed to it). */
  cause: Cause = { kind: "server" };
  /** The `WebSocket` constructor to inject. */
  readonly WebSocket: new (url: string, init?: unknown) => SimSocket;

  readonly #latency: () => number;
  readonly #sessions = new Map<string, Session>();
  #downloads = 0;
  #completed: unknown;

  constructor(clock: FakeClock, latency: () => number) {
    this.clock = clock;
    this.#latency = latency;
    this.WebSocket = SimServer.#socketClass(this);
  }

  /** The `WebSocket` class of one server: its sockets report to it. */
  static #socketClass(
    server: SimServer,
  ): new (url: string, init?: unknown) => SimSocket {
    return class extends EventTarget implements SimSocket {
      readyState = 0;
      readonly url: string;
      readonly record: SocketRecord;
      constructor(url: string, init?: unknown) {
        super();
        this.url = url;
        this.record = server.#connect(this, url, init);
      }
      close(code = 1000): void {
        server.#clientClose(this.record, code);
      }
      terminate(): void {
        server.#terminate(this.record);
      }
      send(_data: unknown): void {
        server.clock.activity++;
      }
    };
  }

  /** Whether the server refuses connections now. */
  get down(): boolean {
    return this.clock.now < this.faults.outageUntil;
  }

  // ---- the session ------------------------------------------------------

  /** Create the session now, as `POST /sessions` would. */
  create(actionType: ActionType, ttlMs: number): void {
    this.#sessions.set(SESSION_ID, {
      id: SESSION_ID,
      actionType,
      createdAt: this.clock.now,
      ttlMs,
      status: "pending",
      completedAt: undefined,
      data: undefined,
      sockets: new Set(),
    });
    this.statusLog.push({ at: this.clock.now, status: "pending" });
  }

  /** The fake time at which the session expires on the server. */
  expiresAt(): number {
    const s = this.#session();
    return s === undefined ? Infinity : s.createdAt + s.ttlMs;
  }

  /** The server's status now, `expired` by time, `undefined` once forgotten. */
  status(): ServerStatus | "expired" | undefined {
    const s = this.#session();
    if (s === undefined) return undefined;
    return this.#expired(s) ? "expired" : s.status;
  }

  /** The completion's data (items or scan result), kept after a restart. */
  completionData(): unknown {
    return this.#completed;
  }

  /** The Session object, as `GET /sessions/:id` answers it for a live session. */
  sessionJson(): Record<string, unknown> {
    const s = this.#session()!;
    const o: Record<string, unknown> = {
      id: s.id,
      action_type: s.actionType,
      status: s.status,
      output_format: s.actionType === "photo"
        ? "jpg"
        : s.actionType === "signature"
        ? "svg"
        : "",
      session_ttl: s.ttlMs * 1e6,
      result_ttl: 300_000 * 1e6,
      url: `${BASE}/s/${s.id}`,
      created_at: this.#stamp(s.createdAt),
    };
    if (s.completedAt !== undefined) {
      o.completed_at = this.#stamp(s.completedAt);
      if (s.actionType !== "scan" && (s.data as unknown[]).length > 0) {
        o.result = s.data;
      }
    }
    if (s.actionType === "scan") {
      o.document_mode = "single";
      o.scan_output_format = "pdf";
      if (s.completedAt !== undefined) o.scan_result = s.data;
    }
    return o;
  }

  // ---- the phone ----------------------------------------------------------

  /**
   * The phone: `open` (GET /s/:id with intro text), `start` (the action page:
   * opened then action_started), `complete` (the whole flow, then the
   * result POST or the scan's finalize). Refused (no change) once expired,
   * completed or forgotten.
   */
  phone(action: "open" | "start" | "complete", items: number): void {
    const s = this.#session();
    if (s === undefined || this.#expired(s) || s.status === "completed") {
      return;
    }
    const target: ServerStatus = action === "open"
      ? "opened"
      : action === "start"
      ? "action_started"
      : "completed";
    for (const step of ["opened", "action_started"] as const) {
      if (RANK[step] <= RANK[s.status] || RANK[step] > RANK[target]) continue;
      s.status = step;
      this.statusLog.push({ at: this.clock.now, status: step });
      this.#broadcast(s, step, undefined);
    }
    if (target !== "completed") return;
    s.status = "completed";
    s.completedAt = this.clock.now;
    s.data = this.#completed = this.#completion(s.actionType, items);
    this.statusLog.push({ at: this.clock.now, status: "completed" });
    this.#broadcast(s, "completed", s.data);
  }

  #completion(actionType: ActionType, items: number): unknown {
    if (actionType === "scan") {
      return {
        documents: Array.from({ length: Math.max(1, items) }, () => ({
          pdf_url: `/api/v1/downloads/${this.#uuid()}`,
        })),
      };
    }
    const [contentType, filename] = actionType === "photo"
      ? ["image/jpeg", "photo.jpg"]
      : ["image/svg+xml", "signature.svg"];
    return Array.from({ length: items }, () => ({
      download_id: this.#uuid(),
      content_type: contentType,
      filename,
    }));
  }

  #uuid(): string {
    const n = (++this.#downloads).toString(16).padStart(12, "0");
    return `0b1c2d3e-4f5a-4b6c-8d7e-${n}`;
  }

  // ---- faults -----------------------------------------------------------

  /** Drop every live socket: with a close frame (1001) or without (1006). */
  drop(clean: boolean): void {
    for (const record of this.#live()) {
      if (record.halfOpen) continue; // nothing reaches it
      this.#cut(record, clean ? 1001 : 1006);
    }
  }

  /** The server is unreachable for `ms`: connections refused, sockets cut, hung requests reset. */
  outage(ms: number): void {
    this.faults.outageUntil = Math.max(
      this.faults.outageUntil,
      this.clock.now + ms,
    );
    this.#cutEverything();
  }

  /** Every open socket goes half-open: no frames, and the client's close is never answered. */
  halfOpen(): void {
    for (const record of this.#live()) {
      if (record.ws.readyState !== 1) continue;
      record.halfOpen = true;
      for (const timer of record.timers) this.clock.cancel(timer);
      record.timers.clear();
    }
  }

  /** The server restarts and forgets the session: sockets cut, then 404s. */
  restart(): void {
    this.#cutEverything();
    if (this.#sessions.delete(SESSION_ID)) this.forgottenAt = this.clock.now;
  }

  /** Clear the pending fault counters (an outage runs its course). */
  heal(): void {
    const f = this.faults;
    f.refuse =
      f.stall =
      f.fail5xx =
      f.hang =
      f.lose =
        0;
  }

  #cutEverything(): void {
    for (const record of this.#live()) {
      if (!record.halfOpen) this.#cut(record, 1006);
      else record.serverGone = true; // nothing reaches it either way
    }
    for (const request of this.inFlight) {
      if (request.hung) {
        this.#at(this.#latency(), () => request.finish?.("reset", undefined));
      }
    }
  }

  /** Sockets the server still has (open, or mid-handshake). */
  *#live(): Iterable<SocketRecord> {
    for (const record of this.sockets) {
      if (!record.serverGone && record.ws.readyState !== 3) yield record;
    }
  }

  // ---- HTTP ---------------------------------------------------------------

  /** The `fetch` to inject. */
  readonly fetch = (
    input: Request | URL | string,
    init?: RequestInit,
  ): Promise<Response> => {
    const clock = this.clock;
    clock.activity++;
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const url = input instanceof Request ? input.url : String(input);
    const request: RequestRecord = {
      id: this.requests.length,
      path: url.startsWith(BASE) ? url.slice(BASE.length) : url,
      sentAt: clock.now,
      sentOrder: clock.tick(),
      settledAt: undefined,
      settleOrder: Infinity,
      outcome: undefined,
      status: undefined,
      abortReason: undefined,
      hung: false,
      answeredStatus: undefined,
      arrival: undefined,
      finish: undefined,
    };
    this.requests.push(request);
    this.inFlight.add(request);
    const key = (init?.headers as Record<string, string> | undefined)
      ?.["X-API-Key"];
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => {
        clock.activity++;
        clock.cancel(request.arrival);
        request.finish = undefined;
        this.#settled(request, "aborted");
        request.abortReason = signal!.reason;
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      request.finish = (outcome, value) => {
        if (request.finish === undefined) return;
        request.finish = undefined;
        clock.activity++;
        signal?.removeEventListener("abort", onAbort);
        this.#settled(request, outcome);
        if (outcome === "answered") {
          const response = value as Response;
          request.status = response.status;
          if (response.status < 500) this.#heard();
          if (response.status === 410) this.answered410++;
          resolve(response);
        } else {
          reject(
            networkError(
              outcome === "refused"
                ? `error sending request for url (${url}): client error (Connect): tcp connect error: Connection refused (os error 111)`
                : `error sending request for url (${url}): connection closed before message completed`,
            ),
          );
        }
      };
      request.arrival = this.#at(
        this.#latency(),
        () => this.#arrive(request, key),
        { kind: "response", request },
      );
    });
  };

  #settled(request: RequestRecord, outcome: RequestRecord["outcome"]): void {
    request.settledAt = this.clock.now;
    request.settleOrder = this.clock.tick();
    request.outcome = outcome;
    this.inFlight.delete(request);
  }

  #arrive(request: RequestRecord, key: string | undefined): void {
    request.arrival = undefined;
    if (this.down) return request.finish?.("refused", undefined);
    if (this.faults.hang > 0) {
      this.faults.hang--;
      request.hung = true; // until the client aborts it (or a cut resets it)
      return;
    }
    if (this.faults.fail5xx > 0) {
      this.faults.fail5xx--;
      const status = [500, 502, 503][this.faults.fail5xx % 3]!;
      return request.finish?.(
        "answered",
        json(status, { error: "service unavailable" }),
      );
    }
    request.finish?.("answered", this.#route(request, key));
  }

  #route(request: RequestRecord, key: string | undefined): Response {
    if (key !== KEY) {
      return json(401, { error: key ? "invalid API key" : "missing API key" });
    }
    const match = /^\/api\/v1\/sessions\/([^/]+)\/result$/.exec(request.path);
    if (match === null) {
      return new Response("404 page not found", {
        status: 404,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
    const s = this.#sessions.get(decodeURIComponent(match[1]!));
    if (s === undefined) {
      request.answeredStatus = "unknown";
      return json(404, { error: "session not found" });
    }
    if (this.#expired(s)) {
      request.answeredStatus = "expired";
      return json(410, { error: "session expired" });
    }
    request.answeredStatus = s.status;
    if (s.status !== "completed") return json(202, { status: s.status });
    return json(
      200,
      s.actionType === "scan"
        ? {
          completed_at: this.#stamp(s.completedAt!),
          items: null,
          scan_result: s.data,
          status: "completed",
        }
        : {
          completed_at: this.#stamp(s.completedAt!),
          items: s.data,
          status: "completed",
        },
    );
  }

  // ---- WebSockets -----------------------------------------------------------

  #connect(ws: SimSocket, url: string, init: unknown): SocketRecord {
    this.clock.activity++;
    const record: SocketRecord = {
      id: this.sockets.length,
      ctorAt: this.clock.now,
      ctorOrder: this.clock.tick(),
      ws,
      handshake: "pending",
      openAt: undefined,
      openOrder: Infinity,
      clientCloseAt: undefined,
      clientCloseOrder: Infinity,
      closeEventAt: undefined,
      closeEventOrder: Infinity,
      closeCode: undefined,
      terminatedAt: undefined,
      halfOpen: false,
      serverGone: false,
      heard: [],
      heardBare: [],
      heardStatus: [],
      lost: [],
      lastFrameAt: -Infinity,
      timers: new Set(),
    };
    this.sockets.push(record);
    const key = (init as { headers?: Record<string, string> } | undefined)
      ?.headers?.["X-API-Key"];
    this.#socketTimer(record, this.#latency(), () => {
      if (record.ws.readyState !== 0) return;
      this.#handshake(record, url, key);
    });
    return record;
  }

  #handshake(record: SocketRecord, url: string, key: string | undefined) {
    const ws = record.ws;
    if (this.down || this.faults.refuse > 0) {
      if (!this.down) this.faults.refuse--;
      record.handshake = "refused";
      ws.readyState = 3;
      this.#dispatch(record, new Event("error"));
      return this.#closed(record, 1006);
    }
    if (this.faults.stall > 0) {
      this.faults.stall--;
      record.handshake = "stalled"; // until the client gives up on it
      return;
    }
    const match = /\/api\/v1\/sessions\/([^/]+)\/ws$/.exec(url);
    const s = match === null
      ? undefined
      : this.#sessions.get(decodeURIComponent(match[1]!));
    if (key !== KEY || s === undefined || this.#expired(s)) {
      // 401/404/410 before the upgrade
      record.handshake = "rejected";
      ws.readyState = 3;
      return this.#closed(record, 1006);
    }
    record.handshake = "open";
    record.openAt = this.clock.now;
    record.openOrder = this.clock.tick();
    ws.readyState = 1;
    s.sockets.add(record);
    this.#heard();
    this.#dispatch(record, new Event("open"));
    // The first frame is the current status; `completed` carries no data.
    this.#send(record, s.status, undefined, 0);
  }

  #broadcast(s: Session, status: ServerStatus, data: unknown): void {
    let newest: SocketRecord | undefined;
    for (const record of s.sockets) {
      if (!record.serverGone && !record.halfOpen) newest = record;
    }
    for (const record of s.sockets) {
      if (record.serverGone) continue;
      if (record === newest && this.faults.lose > 0) {
        this.faults.lose--;
        record.lost.push({ at: this.clock.now, status });
        continue;
      }
      this.#send(record, status, data, this.#latency());
    }
  }

  #send(
    record: SocketRecord,
    status: ServerStatus,
    data: unknown,
    latency: number,
  ): void {
    if (record.halfOpen || record.serverGone) {
      record.lost.push({ at: this.clock.now, status });
      return;
    }
    const frame: Record<string, unknown> = {
      type: data === undefined ? "status_update" : "completed",
      session_id: SESSION_ID,
      status,
    };
    if (data !== undefined) frame.data = data;
    frame.timestamp = this.#stamp(this.clock.now);
    const text = JSON.stringify(frame) + "\n";
    // Frames on one socket arrive in order.
    const at = Math.max(this.clock.now + latency, record.lastFrameAt);
    record.lastFrameAt = at;
    this.#socketTimer(record, at - this.clock.now, () => {
      if (record.ws.readyState !== 1) return;
      record.heard.push(this.clock.now);
      record.heardStatus.push(status);
      if (status === "completed" && data === undefined) {
        record.heardBare.push(this.clock.now);
      }
      this.#heard();
      this.#dispatch(record, new MessageEvent("message", { data: text }));
    });
  }

  /** The server closes it (a drop, a cut): the client hears the close after a latency. */
  #cut(record: SocketRecord, code: number): void {
    record.serverGone = true;
    for (const timer of record.timers) this.clock.cancel(timer);
    record.timers.clear();
    if (record.handshake === "pending") record.handshake = "refused"; // reset mid-handshake
    this.#socketTimer(record, this.#latency(), () => {
      if (record.ws.readyState === 3) return;
      record.ws.readyState = 3;
      this.#closed(record, code);
    });
  }

  #clientClose(record: SocketRecord, code: number): void {
    const ws = record.ws;
    this.clock.activity++;
    if (ws.readyState >= 2) return;
    const was = ws.readyState;
    ws.readyState = 2;
    record.clientCloseAt = this.clock.now;
    record.clientCloseOrder = this.clock.tick();
    if (was === 0) {
      // Abandoning a handshake is local: the connection is dropped.
      for (const timer of record.timers) this.clock.cancel(timer);
      record.timers.clear();
      if (record.handshake === "pending") record.handshake = "aborted";
      this.#socketTimer(record, 0, () => {
        ws.readyState = 3;
        this.#closed(record, 1006);
      });
      return;
    }
    if (record.halfOpen || record.serverGone) return; // never answered (a cut's close is on its way)
    this.#socketTimer(record, this.#latency(), () => {
      if (ws.readyState === 3) return;
      ws.readyState = 3;
      record.serverGone = true;
      this.#closed(record, code);
    });
  }

  #terminate(record: SocketRecord): void {
    const ws = record.ws;
    this.clock.activity++;
    if (ws.readyState === 3) return;
    ws.readyState = 3;
    record.terminatedAt = this.clock.now;
    record.serverGone = true;
    for (const timer of record.timers) this.clock.cancel(timer);
    record.timers.clear();
    this.#socketTimer(record, 0, () => this.#closed(record, 1006));
  }

  #closed(record: SocketRecord, code: number): void {
    record.closeEventAt = this.clock.now;
    record.closeEventOrder = this.clock.tick();
    record.closeCode = code;
    record.serverGone = true;
    for (const s of this.#sessions.values()) s.sockets.delete(record);
    this.#dispatch(
      record,
      new CloseEvent("close", { code, reason: "", wasClean: code !== 1006 }),
    );
  }

  #dispatch(record: SocketRecord, event: Event): void {
    this.clock.activity++;
    record.ws.dispatchEvent(event);
  }

  #socketTimer(record: SocketRecord, ms: number, fn: () => void): void {
    const entry: Entry = this.#at(ms, () => {
      record.timers.delete(entry);
      fn();
    }, { kind: "server" });
    record.timers.add(entry);
  }

  // ---- helpers ------------------------------------------------------------

  #at(ms: number, fn: () => void, cause: Cause = { kind: "server" }): Entry {
    return this.clock.schedule(ms, () => {
      this.cause = cause;
      fn();
    }, "server");
  }

  #heard(): void {
    this.lastHeard = this.clock.now;
    this.heardLog.push(this.clock.now);
  }

  #session(): Session | undefined {
    return this.#sessions.get(SESSION_ID);
  }

  #expired(s: Session): boolean {
    return this.clock.now >= s.createdAt + s.ttlMs;
  }

  #stamp(at: number): string {
    return new Date(this.clock.timeOrigin + at).toISOString();
  }
}

/**
 * A fetch failure as Deno reports it, without a captured stack: the client
 * scans each network error's stack for the API key, and formatting stacks
 * would be most of a schedule's time.
 */
function networkError(message: string): TypeError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new TypeError(message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function json(status: number, body: unknown): Response {
  const text = JSON.stringify(body);
  return new Response(text, {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-length": String(text.length),
    },
  });
}
