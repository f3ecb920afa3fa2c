// Copyright 2026 the handoff authors. MIT license.
// The invariants of the lifecycle model, checked on what one schedule left
// behind (see the module doc of lifecycle_model_test.ts for the list). Each
// failure names its invariant; the test prints it with the shrunk schedule.

import { isDeepStrictEqual } from "node:util";
import {
  NetworkError,
  NotFoundError,
  ServerError,
  SessionClosedError,
  SessionExpiredError,
  TimeoutError,
} from "../../../errors.ts";
import { EXPIRY_GRACE_MS } from "../../../_sync.ts";
import type { SessionEvent } from "../../../types.ts";
import { QUIET_TURNS } from "./clock.ts";
import type { Delivered, Resources, Run } from "./run.ts";
import type { RequestRecord, SocketRecord } from "./server.ts";
import { SESSION_ID } from "./server.ts";
import type { Config } from "./schedule.ts";

/** A broken invariant. */
export class Violation extends Error {
  override name = "Violation";
}

function fail(invariant: string, detail: string): never {
  throw new Violation(`${invariant}: ${detail}`);
}

const RANK: Record<string, number> = {
  pending: 0,
  opened: 1,
  action_started: 2,
  completed: 3,
  expired: 4,
};

/** The longest silence a liveness interval (±20 %) allows, with the 1 ms timers may fire early. */
export function livenessMax(c: Config): number {
  return c.livenessMs * 1.2 + 1;
}

/**
 * How long a healthy network needs to bring a completion to the client
 * from any state: a liveness round on a half-open socket (1.2 L), a request
 * hanging until its timeout, a reconnect or result backoff (at most
 * `maxDelayMs`), a poll interval, and a few latencies.
 */
export function margin(c: Config): number {
  return livenessMax(c) + c.timeoutMs + c.maxDelayMs + c.pollMs +
    6 * c.latency[1] + 100;
}

/** How a session ended. */
export type EndKind = "completed" | "expired" | "closed" | "failed";

/** How a schedule ended, and whether its completion had to reach the app (I1). */
export function summary(
  r: Run,
): { end: EndKind; confirmed: boolean; mustComplete: boolean } {
  const m = new Model(r);
  const at = r.server.statusLog.find((s) => s.status === "completed")?.at;
  return {
    end: m.endKind,
    confirmed: (r.waiters[1]?.error as { confirmed?: boolean })?.confirmed ??
      false,
    mustComplete: at !== undefined && m.mustComplete(at),
  };
}

/** Check every invariant; throws a {@linkcode Violation} on the first broken one. */
export function check(r: Run): void {
  const m = new Model(r);
  m.harness();
  m.listeners();
  m.statuses();
  m.endOrder();
  m.afterClose();
  m.completion();
  m.waiters();
  m.resources();
  m.expiry();
  m.endsInTime();
  m.reconnects();
  m.liveness();
  m.patience();
  m.connection();
  m.harnessMargin();
}

class Model {
  readonly r: Run;
  readonly c: Config;
  readonly T: number;
  readonly lat: number;
  readonly events: (Delivered & { event: SessionEvent })[];
  readonly final: (Delivered & { event: SessionEvent }) | undefined;
  readonly closedAt: Delivered | undefined;
  readonly endKind: EndKind;
  /** Sockets that were lost (not released at the end), with the failures in a row after each. */
  readonly losses: {
    readonly socket: SocketRecord;
    readonly at: number;
    readonly stable: boolean;
    readonly f: number;
  }[] = [];
  /** A `close()` by a step or a listener, before the session had ended. */
  readonly closedEarly: boolean;

  constructor(r: Run) {
    this.r = r;
    this.c = r.schedule.config;
    this.T = r.expiresAt;
    this.lat = this.c.latency[1];
    this.events = r.delivered.filter((d) => d.event !== undefined) as (
      & Delivered
      & { event: SessionEvent }
    )[];
    this.final = this.events.find((d) => d.event.type !== "status_update");
    this.closedAt = r.delivered.find((d) => d.state === "closed");
    const cc = r.closeCalled;
    this.closedEarly = cc !== undefined && cc.by !== "final" &&
      (this.closedAt === undefined || cc.order < this.closedAt.order);
    this.endKind = this.final?.event.type === "completed"
      ? "completed"
      : this.final?.event.type === "expired"
      ? "expired"
      : this.closedEarly ||
          (cc !== undefined && this.closedAt !== undefined &&
            cc.order < this.closedAt.order)
      ? "closed"
      : "failed";
    this.#lossModel();
  }

  // ---- I0: the harness ------------------------------------------------------

  harness(): void {
    const r = this.r;
    if (r.harnessErrors.length > 0) {
      fail("I0 harness", `unexpected errors: ${r.harnessErrors.map(String)}`);
    }
    if (!r.quietAtEnd) {
      fail("I0 harness", "something still moved after the final settle");
    }
  }

  /** The settling had room to spare (checked last: the other invariants say more). */
  harnessMargin(): void {
    const r = this.r;
    if (r.clock.maxGap > QUIET_TURNS / 2) {
      fail(
        "I0 harness",
        `a promise chain was quiet for ${r.clock.maxGap} turns before it moved again; QUIET_TURNS (${QUIET_TURNS}) needs a wider margin`,
      );
    }
  }

  // ---- I8: a throwing listener does not stop the others -------------------

  listeners(): void {
    const r = this.r;
    const b = this.events.map((d) => d.event);
    // A status A closed the session on does not reach B: it is after close().
    const a = r.aEvents.filter((e) =>
      e !== r.closeDuring || e.type !== "status_update"
    );
    if (a.length !== b.length || a.some((e, i) => e !== b[i])) {
      fail(
        "I8 listeners",
        `listener A saw [${a.map((e) => e.status)}], listener B [${
          b.map((e) => e.status)
        }]`,
      );
    }
    if (r.listenerErrors.length !== r.aThrew) {
      fail(
        "I8 listeners",
        `listener A threw ${r.aThrew} times, onListenerError heard ${r.listenerErrors.length}`,
      );
    }
    for (const { error, event } of r.listenerErrors) {
      if (error !== r.aError || !r.aEvents.includes(event)) {
        fail("I8 listeners", `onListenerError got ${String(error)}`);
      }
    }
  }

  // ---- I2: statuses forward, once each, never ahead of the server ---------

  statuses(): void {
    const { server } = this.r;
    let last = -1;
    for (const d of this.events) {
      const e = d.event;
      if (e.sessionId !== SESSION_ID) {
        fail("I2 statuses", `event of session ${e.sessionId}`);
      }
      const rank = RANK[e.status]!;
      if (rank <= last) {
        fail(
          "I2 statuses",
          `${e.status} at t=${d.at} after [${
            this.events.filter((x) => x.order < d.order).map((x) =>
              x.event.status
            )
          }]: a status went backwards or came twice`,
        );
      }
      last = rank;
      if (e.status === "expired") continue; // I7
      const reached = server.statusLog.find((s) => s.status === e.status);
      if (reached === undefined || reached.at > d.at) {
        fail(
          "I2 statuses",
          `${e.status} delivered at t=${d.at}, but the server ${
            reached ? `reached it only at t=${reached.at}` : "never had it"
          }`,
        );
      }
      if (e.type === "completed") {
        const expected = this.#expectedResult();
        const got = e.actionType === "scan" ? e.scanResult : e.result;
        if (!isDeepStrictEqual(got, expected)) {
          fail(
            "I2 statuses",
            `completed with ${JSON.stringify(got)}, the server has ${
              JSON.stringify(expected)
            }`,
          );
        }
      }
    }
    // A frame that reached the client's socket is delivered at that instant
    // (a bare `completed` needs the result fetched first).
    for (const s of server.sockets) {
      s.heard.forEach((at, i) => {
        const status = s.heardStatus[i]!;
        if (status === "completed" && s.heardBare.includes(at)) return;
        // Closed by then (perhaps by a listener of this very status): nothing
        // more is delivered.
        const closed = this.r.closeCalled;
        if (closed !== undefined && closed.at <= at) return;
        const best = Math.max(
          -1,
          ...this.events.filter((d) => d.at <= at).map((d) =>
            RANK[d.event.status]!
          ),
        );
        if (best < RANK[status]!) {
          fail(
            "I2 statuses",
            `socket #${s.id} got ${status} at t=${at}, not delivered then`,
          );
        }
      });
    }
    const finals = this.events.filter((d) => d.event.type !== "status_update");
    if (finals.length > 1) {
      fail("I2 statuses", `${finals.length} final events`);
    }
    if (this.final !== undefined && this.events.at(-1) !== this.final) {
      fail("I2 statuses", "an event came after the final one");
    }
  }

  // ---- I6: the final event before `closed`; `closed` last, once ---------

  endOrder(): void {
    const d = this.r.delivered;
    const closed = d.filter((x) => x.state === "closed");
    if (closed.length !== 1) {
      fail("I6 end order", `connection became closed ${closed.length} times`);
    }
    const at = d.indexOf(closed[0]!);
    const after = d.slice(at + 1);
    if (after.length > 0) {
      fail(
        "I6 end order",
        `delivered after connection closed: ${
          after.map((x) => x.event?.status ?? `connection ${x.state}`)
        }`,
      );
    }
    if (this.final !== undefined && this.final.order > closed[0]!.order) {
      fail(
        "I6 end order",
        `${this.final.event.type} reached the listeners after connection closed`,
      );
    }
  }

  /**
   * Whether `d` is the final event of a session that had already ended when
   * a listener of that event called `close()` (a no-op then): it still
   * reaches every listener.
   */
  #finalBeforeClose(d: Delivered): boolean {
    return d.event !== undefined && d.event === this.r.closeDuring &&
      d.event.type !== "status_update";
  }

  // ---- I5: nothing delivered after close() ---------------------------------

  afterClose(): void {
    for (const d of this.r.delivered) {
      if (!d.afterClose) continue;
      if (d.state === "closed") continue;
      if (this.#finalBeforeClose(d)) continue;
      fail(
        "I5 after close",
        `${
          d.event ? `event ${d.event.status}` : `connection ${d.state}`
        } delivered at t=${d.at} after close() at t=${this.r.closeCalled?.at}`,
      );
    }
  }

  // ---- I1: completed at most once; exactly once when it must be ------------

  completion(): void {
    const r = this.r;
    const completed = this.events.filter((d) => d.event.type === "completed");
    if (completed.length > 1) {
      fail("I1 completion", `completed delivered ${completed.length} times`);
    }
    this.#resultFetch(completed[0]?.order ?? Infinity);
    const at = r.server.statusLog.find((s) => s.status === "completed")?.at;
    if (at === undefined || !this.mustComplete(at)) return;
    const by = Math.max(at, r.healAt) + margin(this.c);
    if (completed.length === 0) {
      fail(
        "I1 completion",
        `the server completed at t=${at} (network healthy from t=${r.healAt}, expiry t=${this.T}, margin ${
          margin(this.c)
        } ms) but the session ended ${this.endKind} at t=${r.endAt}`,
      );
    }
    if (completed[0]!.at > by) {
      fail(
        "I1 completion",
        `completed delivered at t=${completed[0]!.at}, later than t=${by}`,
      );
    }
  }

  /**
   * A `completed` frame without data makes the session fetch the result,
   * retrying with backoff: a request at least every maxDelayMs + timeoutMs
   * (+ a latency) until the completion is delivered or the session ends.
   */
  #resultFetch(completedOrder: number): void {
    const r = this.r;
    const heard = r.server.sockets.flatMap((s) => s.heardBare)[0];
    if (heard === undefined) return;
    const completedAt = this.events.find((d) => d.order === completedOrder)
      ?.at;
    const until = Math.min(
      completedAt ?? Infinity,
      this.closedAt?.at ?? Infinity,
    );
    const bound = this.c.maxDelayMs + this.c.timeoutMs + this.lat + 2;
    let prev = heard;
    const sends = r.server.requests.map((q) => q.sentAt).filter((t) =>
      t >= heard && t <= until
    );
    for (const t of [...sends, until]) {
      if (t - prev > bound) {
        fail(
          "I1 completion",
          `the client heard completed without data at t=${heard}; no request for the result between t=${prev} and t=${t} (at most ${bound} ms apart)`,
        );
      }
      prev = t;
    }
  }

  /** The completion must reach the app: see the module doc of the test. */
  mustComplete(completedAt: number): boolean {
    const r = this.r;
    return completedAt < this.T && r.server.forgottenAt === undefined &&
      !(this.closedEarly && r.closeDuring?.type !== "completed") &&
      Math.max(completedAt, r.healAt) + margin(this.c) <= this.T;
  }

  // ---- I3: every waiter settles, with the end's outcome --------------------

  waiters(): void {
    const r = this.r;
    if (this.endKind === "failed" && r.server.forgottenAt === undefined) {
      fail(
        "I3 waiters",
        "the session failed, but the server never forgot it (no restart)",
      );
    }
    const events = this.events.map((d) => d.event);
    for (const [i, w] of r.waiters.entries()) {
      const what = `${w.kind} waiter #${i} (from t=${w.startAt})`;
      if (!w.settled) fail("I3 waiters", `${what} never settled`);
      if (w.kind === "result") {
        this.#outcome(what, w.ok!, w.ok ? w.value : w.error);
        continue;
      }
      const expected = w.afterEnd
        ? (this.final ? [this.final.event] : [])
        : events.filter((_, j) => this.events[j]!.order > w.startOrder);
      if (
        w.events.length !== expected.length ||
        w.events.some((e, j) => e !== expected[j])
      ) {
        fail(
          "I3 waiters",
          `${what} yielded [${w.events.map((e) => e.status)}], expected [${
            expected.map((e) => e.status)
          }]`,
        );
      }
      if (this.endKind === "failed") {
        if (w.ok || !(w.error instanceof NotFoundError)) {
          fail("I3 waiters", `${what} did not throw NotFoundError`);
        }
      } else if (!w.ok) {
        fail("I3 waiters", `${what} threw ${String(w.error)}`);
      }
    }
  }

  #outcome(what: string, ok: boolean, value: unknown): void {
    switch (this.endKind) {
      case "completed": {
        const expected = this.#expectedResult();
        if (!ok || !isDeepStrictEqual(value, expected)) {
          fail(
            "I3 waiters",
            `${what}: ${ok ? JSON.stringify(value) : String(value)}, expected ${
              JSON.stringify(expected)
            }`,
          );
        }
        return;
      }
      case "expired":
        if (ok || !(value instanceof SessionExpiredError)) {
          fail("I3 waiters", `${what}: ${String(value)}, expected expiry`);
        }
        return;
      case "closed":
        if (ok || !(value instanceof SessionClosedError)) {
          fail("I3 waiters", `${what}: ${String(value)}, expected closed`);
        }
        return;
      case "failed":
        if (
          ok || !(value instanceof NotFoundError) || value.status !== 404
        ) {
          fail("I3 waiters", `${what}: ${String(value)}, expected a 404`);
        }
    }
  }

  #expectedResult(): unknown {
    const data = this.r.server.completionData();
    if (this.c.action === "scan") {
      return {
        documents: (data as { documents: { pdf_url: string }[] }).documents
          .map((d) => ({ format: "pdf", pdfUrl: d.pdf_url })),
      };
    }
    return (data as {
      download_id: string;
      content_type: string;
      filename: string;
    }[]).map((i) => ({
      downloadId: i.download_id,
      contentType: i.content_type,
      filename: i.filename,
    }));
  }

  // ---- I4: resources --------------------------------------------------------

  resources(): void {
    const r = this.r;
    const none = (left: Resources | undefined, when: string) => {
      if (left === undefined) fail("I4 resources", `nothing measured ${when}`);
      if (
        left.timers !== 0 || left.hostTimers !== 0 || left.inFlight !== 0 ||
        left.sockets !== 0
      ) {
        fail("I4 resources", `${when}: ${JSON.stringify(left)} left`);
      }
    };
    if (r.closeResolved === undefined) {
      fail("I4 resources", "close() did not resolve within the close wait");
    }
    none(
      r.closeResolved.left,
      `when close() resolved (t=${r.closeResolved.at})`,
    );
    if (!this.closedEarly) {
      none(r.selfRelease, "2 s after the session ended by itself");
    }
    for (const s of r.server.sockets) {
      if (s.ws.readyState !== 3 || s.closeEventAt === undefined) {
        fail("I4 resources", `socket #${s.id} is still open`);
      }
    }
    if (r.server.inFlight.size > 0) {
      fail("I4 resources", `${r.server.inFlight.size} requests in flight`);
    }
  }

  // ---- I7: expiry -------------------------------------------------------

  expiry(): void {
    const r = this.r;
    if (this.final?.event.type !== "expired") return;
    const x = this.final.at;
    if (x < this.T) {
      fail("I7 expiry", `expired at t=${x}, before the server's t=${this.T}`);
    }
    const error = r.waiters[1]!.error; // the waiter made at construction
    if (!(error instanceof SessionExpiredError)) {
      fail("I7 expiry", `the waiter got ${String(error)}`);
    }
    if (error.status === 410) {
      if (!error.confirmed || r.server.answered410 === 0) {
        fail("I7 expiry", "status 410, but the server never answered 410");
      }
      return;
    }
    if (error.status !== undefined || error.confirmed) {
      fail(
        "I7 expiry",
        `status ${error.status}, confirmed ${error.confirmed}`,
      );
    }
    const heard = r.server.heardLog.filter((t) => t <= x).at(-1) ?? -Infinity;
    if (x - Math.max(heard, this.T) <= EXPIRY_GRACE_MS) {
      fail(
        "I7 expiry",
        `expired unconfirmed at t=${x}, but the server was heard at t=${heard} (expiry t=${this.T})`,
      );
    }
    if (r.healAt <= this.T) {
      fail(
        "I7 expiry",
        `expired unconfirmed at t=${x}, though the network was healthy from t=${r.healAt}`,
      );
    }
    // The cause is the last error, or says there was none.
    const order = this.final.order;
    const last = r.server.requests.filter((q) => q.settleOrder < order)
      .sort((a, b) => a.settleOrder - b.settleOrder).at(-1);
    const kind = last === undefined ? "none" : failureOf(last);
    const cause = error.cause;
    const ok = kind === "none" || kind === "success"
      ? typeof cause === "string"
      : kind === "network"
      ? cause instanceof NetworkError
      : kind === "timeout"
      ? cause instanceof TimeoutError
      : cause instanceof ServerError;
    if (!ok) {
      fail(
        "I7 expiry",
        `cause ${String(cause)}, but the last request ended ${kind}`,
      );
    }
  }

  // ---- I9: the session ends in time ----------------------------------------

  endsInTime(): void {
    const r = this.r;
    if (this.closedEarly) return;
    if (r.endAt === undefined) fail("I9 ends in time", "it never ended");
    const healthy = Math.max(this.T, r.healAt) + 5_000 + this.c.timeoutMs +
      4 * this.lat + 2;
    const unconfirmed = this.T + EXPIRY_GRACE_MS + 5_000 + this.lat + 2;
    const by = Math.min(healthy, unconfirmed);
    if (r.endAt > by) {
      fail(
        "I9 ends in time",
        `ended (${this.endKind}) at t=${r.endAt}, later than t=${by} (expiry t=${this.T}, healthy from t=${r.healAt})`,
      );
    }
  }

  // ---- I10: reconnects ------------------------------------------------------

  #lossModel(): void {
    const { stableAfterMs } = this.c;
    const sockets = this.r.server.sockets;
    let f = 0;
    for (const s of sockets) {
      const clientFirst = s.clientCloseOrder < s.closeEventOrder;
      const at = clientFirst ? s.clientCloseAt : s.closeEventAt;
      if (at === undefined) continue;
      // Released because the session ended (or close() was called): no loss.
      if (
        clientFirst && this.closedAt !== undefined && at >= this.closedAt.at
      ) {
        continue;
      }
      const stable = s.openAt !== undefined && at - s.openAt >= stableAfterMs;
      f = stable ? 0 : f + 1;
      this.losses.push({ socket: s, at, stable, f });
    }
  }

  /** Failures in a row as of time t. */
  #failuresAt(t: number): number {
    let f = 0;
    for (const l of this.losses) if (l.at <= t) f = l.f;
    return f;
  }

  reconnects(): void {
    const c = this.c;
    const sockets = this.r.server.sockets;
    const end = this.closedAt?.at ?? Infinity;
    for (const l of this.losses) {
      const next = sockets[l.socket.id + 1];
      const b = l.stable
        ? 0
        : Math.min(c.maxDelayMs, c.initialDelayMs * 2 ** (l.f - 1));
      const lo = l.stable ? 0 : 0.75 * b - 1;
      const hi = l.stable ? 0 : b + 1;
      if (next === undefined) {
        if (end > l.at + hi) {
          fail(
            "I10 reconnects",
            `socket #${l.socket.id} lost at t=${l.at}, no reconnect by t=${
              l.at + hi
            } (ended t=${end})`,
          );
        }
        continue;
      }
      const delay = next.ctorAt - l.at;
      if (delay < lo || delay > hi) {
        fail(
          "I10 reconnects",
          `socket #${l.socket.id} lost at t=${l.at} (${
            l.stable ? "stable" : `failure ${l.f} in a row`
          }); the next came after ${delay} ms, expected ${lo}–${hi}`,
        );
      }
    }
    // Reconnecting is recovering: every loss takes a snapshot, at once or
    // queued behind the request in flight.
    const requests = this.r.server.requests;
    for (const l of this.losses) {
      const inFlight = requests.filter((q) =>
        q.sentAt <= l.at && (q.settledAt ?? Infinity) >= l.at
      );
      const asked = requests.some((q) =>
        q.sentAt === l.at ||
        inFlight.some((o) => o !== q && o.settledAt === q.sentAt)
      ) || inFlight.some((o) => (o.settledAt ?? Infinity) >= end); // ended first
      if (!asked && end > l.at) {
        fail(
          "I10 reconnects",
          `socket #${l.socket.id} lost at t=${l.at}: no snapshot was taken`,
        );
      }
    }
    // Polling: after attemptsBeforePolling failures, until a socket opens.
    for (const l of this.losses) {
      if (l.f < c.attemptsBeforePolling) continue;
      const opened = sockets.find((s) =>
        s.id > l.socket.id && s.openAt !== undefined
      )?.openAt ?? Infinity;
      const until = Math.min(opened, end);
      const sends = this.r.server.requests.map((q) => q.sentAt).filter((t) =>
        t > l.at && t <= until
      );
      const bound = c.pollMs + c.timeoutMs + 2;
      let prev = l.at;
      for (const t of [...sends, until === Infinity ? prev : until]) {
        if (t - prev > bound) {
          fail(
            "I10 reconnects",
            `polling from t=${l.at} (failure ${l.f} in a row): no request between t=${prev} and t=${t}`,
          );
        }
        prev = t;
      }
    }
  }

  // ---- I11: liveness --------------------------------------------------------

  liveness(): void {
    const r = this.r;
    const max = livenessMax(this.c);
    const end = this.closedAt?.at ?? Infinity;
    const requests = r.server.requests;
    for (const s of r.server.sockets) {
      // A handshake is given up within a liveness interval.
      const settled = s.openAt ??
        Math.min(s.closeEventAt ?? Infinity, s.clientCloseAt ?? Infinity);
      if (settled - s.ctorAt > max && end > s.ctorAt + max) {
        fail(
          "I11 liveness",
          `socket #${s.id} made at t=${s.ctorAt} was neither open nor given up by t=${
            s.ctorAt + max
          }`,
        );
      }
      if (s.openAt === undefined) continue;
      // A silent open socket gets a snapshot within a liveness interval.
      const until = Math.min(
        s.clientCloseAt ?? Infinity,
        s.closeEventAt ?? Infinity,
        end,
      );
      const points = [
        s.openAt,
        ...s.heard,
        ...requests.map((q) => q.sentAt),
        ...requests.filter((q) => heardBy(q)).map((q) => q.settledAt!),
      ].filter((t) => t >= s.openAt! && t <= until).sort((a, b) => a - b);
      points.push(until);
      for (let i = 1; i < points.length; i++) {
        if (points[i]! - points[i - 1]! > max) {
          fail(
            "I11 liveness",
            `socket #${s.id} open from t=${s.openAt}: silent from t=${
              points[i - 1]
            } to t=${points[i]} without a snapshot`,
          );
        }
      }
    }
    // A snapshot that shows a status the open socket did not deliver replaces it.
    for (const d of this.events) {
      if (d.cause.kind !== "response" || d.event.type !== "status_update") {
        continue;
      }
      const q = d.cause.request;
      const s = r.server.sockets.find((s) =>
        s.openOrder < d.order && s.clientCloseOrder > d.order &&
        s.closeEventOrder > d.order
      );
      if (s === undefined || q.sentOrder < s.openOrder) continue;
      // Requests sent as another settled (a queued refresh, for any reason)
      // or at the TTL (the expiry check) are not liveness snapshots.
      if (q.sentAt >= this.T - 1) continue;
      if (requests.some((o) => o !== q && o.settledAt === q.sentAt)) continue;
      if (s.clientCloseAt !== d.at) {
        fail(
          "I11 liveness",
          `a snapshot (request #${q.id}, sent t=${q.sentAt}) showed ${d.event.status} at t=${d.at}, which socket #${s.id} had not delivered, and the socket was kept`,
        );
      }
    }
  }

  /**
   * A snapshot while a socket is open that is none of the others (queued
   * behind another, the expiry check, a result fetch) is a liveness one: it
   * comes only after 0.8 × the liveness interval of silence.
   */
  patience(): void {
    const r = this.r;
    const requests = r.server.requests;
    const min = this.c.livenessMs * 0.8 - 1;
    for (const q of requests) {
      const s = r.server.sockets.find((s) =>
        s.openOrder < q.sentOrder && s.clientCloseOrder > q.sentOrder &&
        s.closeEventOrder > q.sentOrder
      );
      if (s === undefined || q.sentAt >= this.T - 1) continue;
      if (requests.some((o) => o !== q && o.settledAt === q.sentAt)) continue;
      // After a bare `completed` the result is fetched with its own backoff.
      if (
        r.server.sockets.some((o) => o.heardBare.some((t) => t <= q.sentAt))
      ) {
        continue;
      }
      const heard = Math.max(
        s.openAt!,
        ...s.heard.filter((t) => t <= q.sentAt),
        ...requests.filter((o) => heardBy(o) && o.settleOrder < q.sentOrder)
          .map((o) => o.settledAt!),
      );
      if (q.sentAt - heard < min) {
        fail(
          "I11 liveness",
          `request #${q.id} at t=${q.sentAt} on socket #${s.id}, which was heard at t=${heard}: a liveness snapshot before ${min} ms of silence`,
        );
      }
    }
  }

  // ---- I12: the connection state tells the truth -------------------------

  connection(): void {
    const r = this.r;
    const requests = [...r.server.requests].sort((a, b) =>
      a.settleOrder - b.settleOrder
    );
    for (const d of r.delivered) {
      if (d.state === undefined) continue;
      if (d.state === "websocket") {
        const open = r.server.sockets.some((s) =>
          s.openOrder < d.order && s.clientCloseOrder > d.order &&
          s.closeEventOrder > d.order
        );
        if (!open) {
          fail("I12 connection", `websocket at t=${d.at} with no open socket`);
        }
      }
      if (d.state === "polling" || d.state === "unreachable") {
        const f = this.#failuresAt(d.at);
        if (f < this.c.attemptsBeforePolling) {
          fail(
            "I12 connection",
            `${d.state} at t=${d.at} after ${f} failed attempts in a row (polling after ${this.c.attemptsBeforePolling})`,
          );
        }
        const last = requests.filter((q) => q.settleOrder < d.order).at(-1);
        const failed = last !== undefined &&
          !["success"].includes(failureOf(last));
        if ((d.state === "unreachable") !== failed) {
          fail(
            "I12 connection",
            `${d.state} at t=${d.at}, but the last request ${
              last ? `ended ${failureOf(last)}` : "was none"
            }`,
          );
        }
      }
    }
  }
}

/** Whether the client heard the server in this request's answer. */
function heardBy(q: RequestRecord): boolean {
  return q.outcome === "answered" && q.status! < 500;
}

/** How a request ended, as the client sees it. */
function failureOf(
  q: RequestRecord,
): "success" | "network" | "timeout" | "server" | "released" {
  switch (q.outcome) {
    case "answered":
      return q.status! < 500 ? "success" : "server";
    case "refused":
    case "reset":
      return "network";
    case "aborted":
      return (q.abortReason as { name?: unknown })?.name === "TimeoutError"
        ? "timeout"
        : "released";
  }
  return "released";
}
