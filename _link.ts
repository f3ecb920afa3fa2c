// Copyright 2026 the handoff authors. MIT license.
// The link: a session's lifecycle as one state machine. Its WebSocket, how it
// reconnects, the liveness check that gives up on a silent socket, the fall
// back to polling, and the end. `#enter` is the only place the state changes;
// read it top to bottom for the whole lifecycle.

import {
  completedEnd,
  completedFrameEnd,
  type Delivery,
  type End,
  expiredEnd,
} from "./_delivery.ts";
import type { Transport } from "./_http.ts";
import { backoff, RetryTimer } from "./_retry.ts";
import type { SocketReleaser } from "./_release.ts";
import type { SocketFactory, SocketHandle, SocketListener } from "./_socket.ts";
import { type Reason, Sync, type SyncHost } from "./_sync.ts";
import type { Timers } from "./_timers.ts";
import { parseFrame, type ResultSnapshot } from "./_wire.ts";
import { type ApiError, SessionExpiredError } from "./errors.ts";
import type { ReconnectOptions } from "./options.ts";
import type {
  ConnectionState,
  LiveSessionInfo,
  SessionEvent,
} from "./types.ts";

/** What a session shares with its client. */
export interface SessionContext {
  readonly transport: Transport;
  readonly sockets: SocketFactory;
  /** Closes the sockets of sessions that ended by themselves, in bulk. */
  readonly releaser: SocketReleaser;
  readonly reconnect: Required<ReconnectOptions>;
  readonly pollIntervalMs: number;
  readonly livenessIntervalMs: number;
  /** A number in [0, 1) for the jitter of delays (`Math.random`). */
  readonly random: () => number;
  readonly onListenerError: (error: unknown, event: SessionEvent) => void;
}

/**
 * Where a session's link to the server is. Each state owns its timers:
 *
 * ```text
 *  backoff ──reconnect due──▶ handshaking ──open──▶ open
 *     ▲                           │                  │ lost (at once to
 *     └──────── lost, gave up ────┴──────────────────┘ handshaking if it
 *                                                      was stable)
 *  after attemptsBeforePolling failures in a row, `polling` takes the place
 *  of `backoff` and of `handshaking`, until a socket opens again;
 *  any state ──completed, expired, failed, close()──▶ ended
 * ```
 */
export type State =
  /** Waiting to (re)connect: the reconnect timer. */
  | { readonly kind: "backoff" }
  /** A socket is being opened: the liveness timer gives up on it. */
  | { readonly kind: "handshaking"; readonly socket: SocketHandle }
  /** A socket is open: the liveness timer takes a snapshot after a silence. */
  | {
    readonly kind: "open";
    readonly socket: SocketHandle;
    readonly openedAt: number;
  }
  /**
   * The socket failed `attemptsBeforePolling` times in a row: the poll
   * timer, and reconnecting goes on (a handshake in flight, with its
   * liveness timer, or the reconnect timer).
   */
  | { readonly kind: "polling"; readonly socket: SocketHandle | undefined }
  /**
   * Over: no timer or request is left; the socket is closed, or, when the
   * session ended by itself, waits in the client's releaser (`#waiting`).
   */
  | { readonly kind: "ended"; readonly end: End };

/** The session's lifecycle: the state, its transitions, and what feeds them. */
export class Link implements SyncHost {
  #state: State = { kind: "backoff" };
  readonly #ctx: SessionContext;
  readonly #timers: Timers;
  /** The socket of a session that ended by itself, until it is released. */
  #waiting: SocketHandle | undefined;
  #closing = false; // close() was called
  readonly #delivery: Delivery;
  readonly #sync: Sync;
  readonly #session: Pick<LiveSessionInfo, "id" | "actionType">;
  readonly #path: string;
  /** The failures in a row are its attempts; a stable socket resets it. */
  #reconnect: RetryTimer | undefined;
  readonly #liveness: RetryTimer;
  #livenessMs = 0; // the silence the current liveness round waits for
  #pending: Set<Promise<unknown>> | undefined;

  /**
   * @param info What the server said about the session.
   * @param remainingMs Milliseconds until the TTL runs out, by the local clock.
   */
  constructor(
    info: LiveSessionInfo,
    ctx: SessionContext,
    remainingMs: number,
    delivery: Delivery,
  ) {
    this.#ctx = ctx;
    this.#timers = ctx.transport.timers;
    this.#delivery = delivery;
    this.#session = info;
    this.#path = `/sessions/${encodeURIComponent(info.id)}`;
    const { livenessIntervalMs, random } = ctx;
    this.#liveness = new RetryTimer(
      this.#timers,
      () => this.#livenessMs = livenessIntervalMs * (0.8 + random() * 0.4),
      () => this.#livenessDue(),
    );
    this.#sync = new Sync({
      transport: ctx.transport,
      timers: this.#timers,
      random,
      reconnect: ctx.reconnect,
      pollIntervalMs: ctx.pollIntervalMs,
      path: this.#path,
      id: info.id,
      actionType: info.actionType,
      expiresAt: info.expiresAt,
      deadline: this.#timers.now() + remainingMs,
    }, this);
    if (info.status === "completed") {
      this.#enter({
        kind: "ended",
        end: completedEnd(
          info,
          info.completedAt ?? this.#timers.date(),
          info.result,
          info.scanResult,
        ),
      });
      return;
    }
    this.#sync.start();
    this.#connect();
  }

  /** End the session (idempotent); resolves once every resource is released. */
  close(): Promise<void> {
    // (A listener of the final event may call this before `#enter` has
    // handed the socket on: it must then close it at once.)
    this.#closing = true;
    this.#enter({ kind: "ended", end: { kind: "closed" } });
    if (this.#waiting !== undefined) {
      this.#ctx.releaser.now(this.#waiting);
      this.#waiting = undefined;
    }
    return this.#drained();
  }

  /**
   * The transition function: the only place the state changes. It stops
   * the timers the old state owned and arms those of the new one, tells the
   * listeners, and releases the old socket last (after the news is out).
   */
  #enter(next: State): void {
    const prev = this.#state;
    if (prev.kind === "ended") return; // the end is final: late news stops here
    this.#state = next;
    switch (next.kind) {
      case "backoff":
        this.#liveness.cancel();
        this.#reconnector().schedule();
        this.#sync.poll(false);
        break;
      case "handshaking":
        this.#reconnect?.cancel();
        this.#liveness.schedule();
        this.#sync.poll(false);
        break;
      case "open":
        // The handshake's liveness timer goes on: it measures the silence
        // since `heardAt` (cheaper than re-arming it on every open).
        this.#sync.heardAt = next.openedAt;
        this.#sync.poll(false);
        break;
      case "polling":
        if (next.socket === undefined) {
          this.#liveness.cancel();
          this.#reconnector().schedule();
        } else {
          this.#reconnect?.cancel();
          this.#liveness.schedule();
        }
        this.#sync.poll(true);
        break;
      case "ended":
        this.#reconnect?.cancel();
        this.#liveness.cancel();
        // Deliver first, release after: the final event, the waiters and
        // only then `closed` (see Delivery.finish).
        this.#delivery.finish(next.end);
        this.#sync.stop();
        break;
    }
    this.#delivery.connect(this.#connection());
    const socket = socketOf(prev);
    if (socket !== undefined && socket !== socketOf(next)) {
      if (
        next.kind === "ended" && next.end.kind !== "closed" && !this.#closing
      ) {
        // Ended by itself: the socket closes with others once the client
        // is quiet (_release.ts), unless close() asks for it first.
        this.#waiting = socket;
        this.#ctx.releaser.release(socket);
      } else {
        socket.close();
      }
      this.#track(socket.closed);
    }
  }

  /** What `Session.connection` says for the current state. */
  #connection(): ConnectionState {
    switch (this.#state.kind) {
      case "backoff":
      case "handshaking":
        return "connecting";
      case "open":
        return "websocket";
      case "polling":
        return this.#sync.reachable ? "polling" : "unreachable";
      case "ended":
        return "closed";
    }
  }

  // ---- the socket -------------------------------------------------------

  /** Open a socket (the reconnect timer is due, or a stable socket was lost). */
  #connect(): void {
    const socket = this.#ctx.sockets.open(
      this.#ctx.transport.url(`${this.#path}/ws`),
      this.#onSocket,
    );
    this.#enter(
      this.#state.kind === "polling"
        ? { kind: "polling", socket }
        : { kind: "handshaking", socket },
    );
  }

  /** Every socket's events; those of a socket already replaced are ignored. */
  readonly #onSocket: SocketListener = (socket, event, data) => {
    const state = this.#state;
    if (socketOf(state) !== socket) return;
    if (event === "message") this.#frame(data);
    else if (event === "open") {
      this.#enter({ kind: "open", socket, openedAt: this.#timers.now() });
    } else this.#lost(state);
  };

  #frame(data: unknown): void {
    const frame = parseFrame(data);
    if (frame === undefined || frame.sessionId !== this.#session.id) return;
    // Liveness only needs the time: re-arming a timer per frame costs more
    // than the rest of the frame's way to the listeners.
    this.#sync.heardAt = this.#timers.now();
    const timestamp = frame.timestamp ?? this.#timers.date();
    if (frame.status === "completed") {
      const end = frame.type === "completed"
        ? completedFrameEnd(this.#session, timestamp, frame.data)
        : undefined;
      if (end !== undefined) this.#enter({ kind: "ended", end });
      else this.#sync.fetchResult();
    } else if (frame.status === "expired") this.#sync.refresh("expiry");
    else this.#delivery.advance(frame.status, timestamp);
  }

  /**
   * The socket of `state` is gone, or given up. Reconnect: at once after a
   * socket that had been up for `stableAfterMs` (no failure), after a
   * backoff otherwise, polling meanwhile once the failures reach
   * `attemptsBeforePolling`. Reconnecting is not recovering: a snapshot
   * tells where the session is (and a 401/404/410 behind a failed handshake).
   */
  #lost(state: State): void {
    const { stableAfterMs, attemptsBeforePolling } = this.#ctx.reconnect;
    const stable = state.kind === "open" &&
      this.#timers.now() - state.openedAt >= stableAfterMs;
    this.#sync.refresh("reconnect");
    if (stable) {
      this.#reconnect?.reset();
      this.#connect();
    } else if (this.#reconnector().attempt + 1 >= attemptsBeforePolling) {
      this.#enter({ kind: "polling", socket: undefined });
    } else this.#enter({ kind: "backoff" });
  }

  /** The reconnect timer, made on the first failure (most sessions never fail). */
  #reconnector(): RetryTimer {
    const { initialDelayMs, maxDelayMs } = this.#ctx.reconnect;
    return this.#reconnect ??= new RetryTimer(
      this.#timers,
      (n) => backoff(n, initialDelayMs, maxDelayMs, this.#ctx.random),
      () => this.#connect(),
    );
  }

  /**
   * A handshake that has not finished in a liveness interval is given up; an
   * open socket silent for one takes a snapshot (which replaces it if it
   * shows the socket missed a status).
   */
  #livenessDue(): void {
    const state = this.#state;
    if (state.kind === "handshaking" || state.kind === "polling") {
      return this.#lost(state); // liveness runs in polling only during a handshake
    }
    if (state.kind !== "open") return;
    const quiet = this.#timers.now() - this.#sync.heardAt;
    // Heard from meanwhile: wait out the rest of the silence. Within a
    // millisecond of it counts as due (as in Timers), so a rest that
    // rounding leaves at 1e-13 ms cannot re-arm for ever.
    if (quiet < this.#livenessMs - 1) {
      return this.#liveness.schedule(this.#livenessMs - quiet);
    }
    this.#sync.refresh("liveness");
    this.#liveness.schedule();
  }

  // ---- what the sync learnt (SyncHost) ------------------------------------

  snapshot(snapshot: ResultSnapshot, reason: Reason): void {
    if (snapshot.status === "completed") {
      const end = completedEnd(
        this.#session,
        this.#timers.date(),
        snapshot.result,
        snapshot.scanResult,
      );
      return this.#enter({ kind: "ended", end });
    }
    const moved = this.#delivery.advance(snapshot.status, this.#timers.date());
    const state = this.#state;
    // The open socket missed a status: it is not delivering; replace it.
    if (moved && reason === "liveness" && state.kind === "open") {
      this.#lost(state);
    }
  }

  refused(error: ApiError | SessionExpiredError): void {
    this.#enter({
      kind: "ended",
      end: error instanceof SessionExpiredError
        ? expiredEnd(this.#session, this.#timers.date(), error)
        : { kind: "failed", error },
    });
  }

  expired(error: SessionExpiredError): void {
    this.#enter({
      kind: "ended",
      end: expiredEnd(this.#session, this.#timers.date(), error),
    });
  }

  reachability(): void {
    this.#delivery.connect(this.#connection());
  }

  track(promise: Promise<unknown>): void {
    this.#track(promise);
  }

  // ---- ends and resources -----------------------------------------------

  #track(promise: Promise<unknown>): void {
    const pending = this.#pending ??= new Set();
    const tracked = promise.catch(() => {}).finally(() =>
      pending.delete(tracked)
    );
    pending.add(tracked);
  }

  async #drained(): Promise<void> {
    // close() from a listener of the final event runs before `#enter` has
    // released the socket: let it finish first.
    await null;
    const pending = this.#pending;
    if (pending === undefined) return;
    while (pending.size > 0) await Promise.allSettled([...pending]);
  }
}

function socketOf(state: State): SocketHandle | undefined {
  return "socket" in state ? state.socket : undefined;
}
