// Copyright 2026 the handoff authors. MIT license.
// Sync: what a session learns from the REST API, and when it asks.
// Snapshots of `GET …/result`, one request at a time; polling while the
// WebSocket cannot be had; fetching the result of a completion the socket
// announced without its data; and expiry, which the server never announces.

import { readJson, type Transport } from "./_http.ts";
import { backoff, RetryTimer } from "./_retry.ts";
import type { Timers } from "./_timers.ts";
import { parseResultSnapshot, type ResultSnapshot } from "./_wire.ts";
import { ApiError, SessionExpiredError } from "./errors.ts";
import type { ReconnectOptions } from "./options.ts";
import type { ActionType } from "./types.ts";

/** Why a snapshot is taken. */
export type Reason = "reconnect" | "liveness" | "poll" | "expiry" | "result";

/** After the deadline, re-check after 250 ms, doubling up to 5 s. */
const EXPIRY_RECHECK_MS = 250;
const EXPIRY_RECHECK_MAX_MS = 5_000;
/** Past the deadline by this much with no word from the server: expired. */
export const EXPIRY_GRACE_MS = 30_000;
/**
 * Why a stopped sync aborts its requests. Nobody sees it (their answers are
 * ignored); a constant, because `abort()` without a reason builds a
 * DOMException with a stack trace.
 */
const RELEASED = "the session has finished";

/** What the sync needs to know of its session and its client. */
export interface SyncOptions {
  readonly transport: Transport;
  readonly timers: Timers;
  readonly random: () => number;
  readonly reconnect: Required<ReconnectOptions>;
  readonly pollIntervalMs: number;
  /** `/sessions/<id>` */
  readonly path: string;
  readonly id: string;
  readonly actionType: ActionType;
  readonly expiresAt: Date;
  /** The clock reading at which the TTL runs out. */
  readonly deadline: number;
}

/** Whom the sync tells what it learnt. */
export interface SyncHost {
  /** The server answered a snapshot. */
  snapshot(snapshot: ResultSnapshot, reason: Reason): void;
  /**
   * The server refused for good: a `410` (a {@linkcode SessionExpiredError})
   * or another 4xx (401, 404: reconnecting cannot help).
   */
  refused(error: ApiError | SessionExpiredError): void;
  /** Whether the server can be reached changed (see {@linkcode Sync.reachable}). */
  reachability(): void;
  /** The TTL ran out and the server has not been heard from since: expire without its word. */
  expired(error: SessionExpiredError): void;
  /** Keep track of work `close()` waits for. */
  track(promise: Promise<unknown>): void;
}

/** One session's snapshots, polling, result fetching and expiry. */
export class Sync {
  /**
   * When the server was last heard from, on any channel: a socket opening
   * or a frame (the link sets it) or an answer here. The liveness check and
   * the expiry grace both measure from it.
   */
  heardAt: number;
  /** Whether the latest snapshot was answered (so the server can be reached). */
  reachable = true;
  /** The latest snapshot's failure, if the latest one failed. */
  lastError: unknown;

  readonly #o: SyncOptions;
  readonly #host: SyncHost;
  // Most sessions never poll or miss a result: those timers are made on use.
  #poll: RetryTimer | undefined;
  #result: RetryTimer | undefined;
  readonly #expiry: RetryTimer;
  #wantResult = false; // completed is known, its result is not yet
  #inFlight = false;
  #again: Reason | undefined;
  #aborter: AbortController | undefined; // made on the first request
  #stopped = false;

  constructor(options: SyncOptions, host: SyncHost) {
    this.#o = options;
    this.#host = host;
    const { timers } = options;
    this.heardAt = timers.now();
    this.#expiry = new RetryTimer(
      timers,
      (n) =>
        n === 0
          ? options.deadline - timers.now()
          : Math.min(EXPIRY_RECHECK_MS * 2 ** (n - 1), EXPIRY_RECHECK_MAX_MS),
      () => this.#expiryDue(),
    );
  }

  /** Arm the expiry timer (at the deadline). */
  start(): void {
    this.#expiry.schedule();
  }

  /** Poll every `pollIntervalMs` while `on`. */
  poll(on: boolean): void {
    if (!on) return this.#poll?.cancel();
    if (this.#stopped) return;
    const { timers, pollIntervalMs } = this.#o;
    const poll = this.#poll ??= new RetryTimer(
      timers,
      () => pollIntervalMs,
      () => {
        this.refresh("poll");
        poll.schedule();
      },
    );
    if (!poll.pending) poll.schedule();
  }

  /** The socket said `completed` without the result: fetch it, retrying until it comes. */
  fetchResult(): void {
    this.#wantResult = true;
    this.refresh("result");
  }

  /**
   * Take a snapshot from `GET …/result` and hand it to the host. One request
   * at a time; a call while one is in flight runs once more after it.
   */
  refresh(reason: Reason): void {
    if (this.#stopped) return;
    if (this.#inFlight) {
      this.#again = reason;
      return;
    }
    this.#inFlight = true;
    this.#host.track(
      this.#snapshot().then(
        (snapshot) => this.#answered(snapshot, reason),
        (error: unknown) => this.#failed(error),
      ).finally(() => {
        this.#inFlight = false;
        const again = this.#again;
        this.#again = undefined;
        if (again !== undefined) this.refresh(again);
      }),
    );
  }

  /** Stop every timer and abort the request in flight; nothing is told after this. */
  stop(): void {
    this.#stopped = true;
    this.#poll?.cancel();
    this.#result?.cancel();
    this.#expiry.cancel();
    this.#again = undefined;
    this.#aborter?.abort(RELEASED);
  }

  async #snapshot(): Promise<ResultSnapshot> {
    const { transport, path, actionType } = this.#o;
    const what = `GET /api/v1${path}/result`;
    return await transport.send(
      {
        method: "GET",
        path: `${path}/result`,
        accept: [200, 202],
        retry: "idempotent",
        maxRetries: 0, // the callers' timers are the retry
        signal: (this.#aborter ??= new AbortController()).signal,
      },
      async (response) =>
        parseResultSnapshot(
          response.status,
          await readJson(response, what),
          actionType,
          what,
        ),
    );
  }

  #answered(snapshot: ResultSnapshot, reason: Reason): void {
    if (this.#stopped) return;
    this.heardAt = this.#o.timers.now();
    this.#result?.reset();
    if (snapshot.status === "completed") this.#wantResult = false;
    this.#setReachable(true, undefined);
    this.#host.snapshot(snapshot, reason);
  }

  #failed(error: unknown): void {
    if (this.#stopped) return;
    if (
      error instanceof SessionExpiredError ||
      (error instanceof ApiError && error.status < 500)
    ) {
      this.heardAt = this.#o.timers.now();
      this.#setReachable(true, undefined);
      return this.#host.refused(error);
    }
    // Network, 5xx, timeout, protocol: the timers try again, and a known
    // completion does not wait for the next poll. The retry is armed before
    // the host hears of it: a listener may close the session there, and
    // stop() must find every timer.
    if (this.#wantResult) this.#resultTimer().schedule();
    this.#setReachable(false, error);
  }

  /** Retries fetching a known completion's result, with backoff. */
  #resultTimer(): RetryTimer {
    const { timers, random, reconnect: { initialDelayMs, maxDelayMs } } =
      this.#o;
    return this.#result ??= new RetryTimer(
      timers,
      (n) => backoff(n, initialDelayMs, maxDelayMs, random),
      () => this.refresh("result"),
    );
  }

  /** Note whether the server answered; the host hears of a change last. */
  #setReachable(reachable: boolean, error: unknown): void {
    this.lastError = error;
    if (this.reachable === reachable) return;
    this.reachable = reachable;
    this.#host.reachability();
  }

  #expiryDue(): void {
    const { timers, deadline } = this.#o;
    if (timers.now() - Math.max(this.heardAt, deadline) > EXPIRY_GRACE_MS) {
      return this.#host.expired(this.#unconfirmed());
    }
    this.refresh("expiry");
    this.#expiry.schedule();
  }

  /** The error of an expiry the server could not be asked to confirm. */
  #unconfirmed(): SessionExpiredError {
    const { id, expiresAt } = this.#o;
    const last = this.lastError;
    const why = last instanceof Error ? ` (last error: ${last.message})` : "";
    return new SessionExpiredError(
      `Session ${id} reached its expiry (${expiresAt.toISOString()}), and the server could not be reached to confirm it${why}. It may still be live on the server: check the network, then attach to it again or create a new one.`,
      {
        cause: last ??
          `no answer from the server in the ${EXPIRY_GRACE_MS} ms after the expiry`,
        confirmed: false,
      },
    );
  }
}
