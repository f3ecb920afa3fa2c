// Copyright 2026 the handoff authors. MIT license.
// Runs one schedule: a session on the fake clock against the simulated
// server, the steps, then a healed network until the session has ended,
// then close(); everything the app could see is recorded for the invariants.

import { sessionContext } from "../../../client.ts";
import { type AnySession, newSession } from "../../../session.ts";
import { resolveOptions } from "../../../_options.ts";
import { parseSessionInfo } from "../../../_wire.ts";
import type { SessionContext } from "../../../_link.ts";
import type { TimerHost } from "../../../_timers.ts";
import { CLOSE_WAIT_MS } from "../../../_socket.ts";
import { QUIET_MS } from "../../../_release.ts";
import type { WebSocketConstructor } from "../../../options.ts";
import type {
  ConnectionState,
  LiveSessionInfo,
  SessionEvent,
} from "../../../types.ts";
import { FakeClock, QUIET_TURNS, seeded } from "./clock.ts";
import { BASE, type Cause, KEY, SimServer } from "./server.ts";
import type { Action, Schedule } from "./schedule.ts";

/** The steps that are faults (the network is healthy once they stop). */
const FAULTS = new Set<Action["kind"]>([
  "drop",
  "refuse",
  "stall",
  "fail5xx",
  "hang",
  "outage",
  "halfOpen",
  "restart",
  "lose",
]);

/** How long the last fault's counters (refuse n, 5xx n, …) stay armed. */
export const HEAL_AFTER_MS = 3_000;

/** Something the app was told: an event (to listener B) or a connection change. */
export interface Delivered {
  readonly order: number;
  readonly at: number;
  readonly cause: Cause;
  readonly event: SessionEvent | undefined;
  readonly state: ConnectionState | undefined;
  /** `close()` had been called when it was delivered. */
  readonly afterClose: boolean;
}

/** A `waitForResult()` / `waitForScanResult()` call or an `events()` iterator. */
export interface Waiter {
  readonly kind: "result" | "events";
  readonly startOrder: number;
  readonly startAt: number;
  /** Delivered when it started (an index into `Run.delivered`). */
  readonly startIndex: number;
  /** The session had ended when it started. */
  readonly afterEnd: boolean;
  settled: boolean;
  ok: boolean | undefined;
  value: unknown;
  error: unknown;
  readonly events: SessionEvent[];
}

/** What is left of a session's resources at one moment. */
export interface Resources {
  /** Deadlines on the client's `Timers` heap. */
  readonly timers: number;
  /** Client callbacks on the fake clock's queue. */
  readonly hostTimers: number;
  /** Requests not settled. */
  readonly inFlight: number;
  /** Sockets whose close event has not reached the client. */
  readonly sockets: number;
}

/** Everything one schedule left behind. */
export interface Run {
  readonly schedule: Schedule;
  readonly clock: FakeClock;
  readonly server: SimServer;
  readonly ctx: SessionContext;
  readonly session: AnySession;
  /** The server's expiry time (fake ms). */
  readonly expiresAt: number;
  readonly attachAt: number;
  /** Listener B's events and the connection changes, in order. */
  readonly delivered: Delivered[];
  /** Listener A's events (it may throw and close). */
  readonly aEvents: SessionEvent[];
  aThrew: number;
  readonly aError: Error;
  readonly listenerErrors: {
    readonly error: unknown;
    readonly event: SessionEvent;
  }[];
  readonly waiters: Waiter[];
  /** When and by whom `close()` was first called. */
  closeCalled: {
    readonly at: number;
    readonly order: number;
    readonly by: "step" | "listener" | "final";
  } | undefined;
  /** The event a listener was handling when it called `close()`. */
  closeDuring: SessionEvent | undefined;
  /** The connection state a connection listener was handling when it called `close()`. */
  closeDuringState: ConnectionState | undefined;
  /** When `close()` resolved, and what was left then. */
  closeResolved: { readonly at: number; readonly left: Resources } | undefined;
  /** When the connection became `closed`. */
  endAt: number | undefined;
  /** What was left CLOSE_WAIT_MS (+ latency) after an end the session reached by itself. */
  selfRelease: Resources | undefined;
  /** When the network was healthy for good (faults off, outage over). */
  healAt: number;
  /** Whether a long flush at the end saw nothing move (the settling was complete). */
  quietAtEnd: boolean;
  /** A thrown error the harness caught where it should not be. */
  readonly harnessErrors: unknown[];
}

/** Run one schedule to its end. */
export async function run(schedule: Schedule): Promise<Run> {
  const c = schedule.config;
  const clock = new FakeClock();
  const latencies = seeded(c.seed);
  const [latMin, latMax] = c.latency;
  const server = new SimServer(
    clock,
    () => latMin + Math.floor(latencies() * (latMax - latMin + 1)),
  );
  const CLIENT: Cause = { kind: "client" };
  const host: TimerHost = {
    now: clock.host.now,
    timeOrigin: clock.timeOrigin,
    setTimeout: (fn, ms) =>
      clock.host.setTimeout(() => {
        server.cause = CLIENT;
        fn();
      }, ms),
    clearTimeout: (handle) => clock.host.clearTimeout(handle),
  };

  server.create(c.action, c.ttlMs);
  for (const action of c.prelude) {
    await clock.advance(10);
    server.phone(action, 0);
  }
  if (c.prelude.length > 0) await clock.advance(5);
  const attachAt = clock.now;
  const info = parseSessionInfo(
    server.sessionJson(),
    "model",
  ) as LiveSessionInfo;

  const listenerErrors: Run["listenerErrors"] = [];
  const ctx = sessionContext(
    resolveOptions({
      baseUrl: BASE,
      fetch: server.fetch,
      apiKey: KEY,
      WebSocket: server.WebSocket as unknown as WebSocketConstructor,
      timeoutMs: c.timeoutMs,
      retry: { maxRetries: 0 },
      reconnect: {
        initialDelayMs: c.initialDelayMs,
        maxDelayMs: c.maxDelayMs,
        attemptsBeforePolling: c.attemptsBeforePolling,
        stableAfterMs: c.stableAfterMs,
      },
      pollIntervalMs: c.pollMs,
      livenessIntervalMs: c.livenessMs,
      onListenerError: (error, event) => {
        clock.activity++;
        listenerErrors.push({ error, event });
      },
    }),
    host,
    seeded(c.seed ^ 0x5eed5),
  );
  const expiresAt = c.ttlMs; // created at 0
  const session = newSession(info, ctx, expiresAt - attachAt);

  const r: Run = {
    schedule,
    clock,
    server,
    ctx,
    session,
    expiresAt,
    attachAt,
    delivered: [],
    aEvents: [],
    aThrew: 0,
    aError: new Error("listener A throws on purpose"),
    listenerErrors,
    waiters: [],
    closeCalled: undefined,
    closeDuring: undefined,
    closeDuringState: undefined,
    closeResolved: undefined,
    endAt: undefined,
    selfRelease: undefined,
    healAt: 0,
    quietAtEnd: false,
    harnessErrors: [],
  };

  // A session that ended by itself hands its socket to the client's
  // releaser, which closes it once no other session ended for QUIET_MS (one
  // session here), and then the close handshake has CLOSE_WAIT_MS.
  const release = QUIET_MS + CLOSE_WAIT_MS + 2 * latMax + 10;
  const resources = (): Resources => ({
    timers: ctx.transport.timers.size,
    hostTimers: clock.pending("client"),
    inFlight: server.inFlight.size,
    sockets: server.sockets.filter((s) => s.closeEventAt === undefined).length,
  });

  const close = (by: "step" | "listener" | "final") => {
    if (r.closeCalled === undefined) {
      r.closeCalled = { at: clock.now, order: clock.tick(), by };
      session.close().then(
        () => {
          clock.activity++;
          r.closeResolved = { at: clock.now, left: resources() };
        },
        (error) => r.harnessErrors.push(error),
      );
    } else {
      // idempotent: the same promise
      session.close().catch((error) => r.harnessErrors.push(error));
    }
  };

  // Listener A: records, may close the session, may throw.
  session.onEvent((event) => {
    clock.activity++;
    r.aEvents.push(event);
    if (event.status === c.closesOn && r.closeCalled === undefined) {
      r.closeDuring = event;
      close("listener");
    }
    const final = event.type !== "status_update";
    if (
      c.throws === "always" || (c.throws === "status" && !final) ||
      (c.throws === "final" && final)
    ) {
      r.aThrew++;
      throw r.aError;
    }
  });
  // Listener B: records every event, with what caused it.
  session.onEvent((event) => {
    r.delivered.push({
      order: clock.tick(),
      at: clock.now,
      cause: server.cause,
      event,
      state: undefined,
      afterClose: r.closeCalled !== undefined,
    });
  });
  // Connection listener A: may close the session.
  session.onConnectionChange((state) => {
    clock.activity++;
    if (c.closesOn === `connection:${state}` && r.closeCalled === undefined) {
      r.closeDuringState = state;
      close("listener");
    }
  });
  session.onConnectionChange((state) => {
    r.delivered.push({
      order: clock.tick(),
      at: clock.now,
      cause: server.cause,
      event: undefined,
      state,
      afterClose: r.closeCalled !== undefined,
    });
    if (state !== "closed") return;
    r.endAt = clock.now;
    if (r.closeCalled === undefined) {
      // It ended by itself: it must release everything within the quiet
      // time and the close wait.
      clock.schedule(release, () => r.selfRelease = resources(), "server");
    }
  });

  const wait = (kind: "result" | "events") => {
    const w: Waiter = {
      kind,
      startOrder: clock.tick(),
      startAt: clock.now,
      startIndex: r.delivered.length,
      afterEnd: session.connection === "closed",
      settled: false,
      ok: undefined,
      value: undefined,
      error: undefined,
      events: [],
    };
    r.waiters.push(w);
    const done = (ok: boolean, value: unknown) => {
      clock.activity++;
      w.settled = true;
      w.ok = ok;
      if (ok) w.value = value;
      else w.error = value;
    };
    if (kind === "result") {
      const p: Promise<unknown> = session.actionType === "scan"
        ? session.waitForScanResult()
        : session.waitForResult();
      p.then((v) => done(true, v), (e) => done(false, e));
    } else {
      (async () => {
        for await (const event of session.events()) {
          clock.activity++;
          w.events.push(event);
        }
      })().then(() => done(true, undefined), (e) => done(false, e));
    }
  };
  wait("events");
  wait("result");

  const apply = (a: Action) => {
    switch (a.kind) {
      case "open":
      case "start":
        return server.phone(a.kind, 0);
      case "complete":
        return server.phone("complete", a.items);
      case "drop":
        return server.drop(a.clean);
      case "refuse":
      case "stall":
      case "fail5xx":
      case "hang":
        server.faults[a.kind] += a.n;
        return;
      case "lose":
        server.faults.lose += 1;
        return;
      case "outage":
        return server.outage(a.ms);
      case "halfOpen":
        return server.halfOpen();
      case "restart":
        return server.restart();
      case "wait":
        return wait("result");
      case "iterate":
        return wait("events");
      case "close":
        return close("step");
    }
  };

  // Faults stop HEAL_AFTER_MS after the last fault step: counters not used
  // up by then are cleared, and an outage runs its course.
  const lastFault = schedule.steps.findLastIndex((step) =>
    FAULTS.has(step.action.kind)
  );
  let healed = lastFault < 0;
  const heal = () => {
    server.heal();
    r.healAt = Math.max(clock.now, server.faults.outageUntil);
    healed = true;
  };
  if (healed) r.healAt = attachAt;

  await clock.settle();
  for (const [index, step] of schedule.steps.entries()) {
    await clock.advance(step.dt);
    server.cause = { kind: "step", index };
    apply(step.action);
    if (index === lastFault) clock.schedule(HEAL_AFTER_MS, heal, "server");
    await clock.settle();
  }
  if (!healed) await clock.advance(HEAL_AFTER_MS);

  // The network is healthy (once an outage is over): the session must end.
  const limit = Math.max(expiresAt, r.healAt) + 45_000;
  while (session.connection !== "closed" && clock.now < limit) {
    await clock.advance(1_000);
  }
  close("final");
  await clock.advance(release);

  // A long flush: if anything still moves, the settling was not complete.
  const mark = clock.activity;
  for (let i = 0; i < QUIET_TURNS * 8; i++) await null;
  r.quietAtEnd = clock.activity === mark;
  return r;
}
