// Copyright 2026 the handoff authors. MIT license.
// Delivery: the one-way funnel from what the session learns to what the app
// sees. Statuses only move forward, the end comes once, and the listeners,
// the waiters and the connection state hear of it in that order.

import { parseItems, parseScanResult, rank } from "./_wire.ts";
import {
  type HandoffError,
  SessionClosedError,
  type SessionExpiredError,
} from "./errors.ts";
import type {
  ActionType,
  CompletedEvent,
  ConnectionState,
  ExpiredEvent,
  OpenStatus,
  ResultItem,
  ScanResult,
  SessionEvent,
  SessionStatus,
} from "./types.ts";

/** How a session ended. */
export type End =
  | { readonly kind: "completed"; readonly event: CompletedEvent }
  | {
    readonly kind: "expired";
    readonly event: ExpiredEvent;
    readonly error: SessionExpiredError;
  }
  | { readonly kind: "failed"; readonly error: HandoffError }
  | { readonly kind: "closed" };

/** Which session an end is of. */
interface Of {
  readonly id: string;
  readonly actionType: ActionType;
}

/** A completion: the items of a photo or signature, the documents of a scan. */
export function completedEnd(
  session: Of,
  timestamp: Date,
  result?: readonly ResultItem[],
  scanResult?: ScanResult,
): End {
  // Object literals, not spreads: this is on the way to the listeners.
  return {
    kind: "completed",
    event: session.actionType === "scan"
      ? {
        type: "completed",
        sessionId: session.id,
        status: "completed",
        timestamp,
        actionType: "scan",
        scanResult: scanResult ?? { documents: [] },
      }
      : {
        type: "completed",
        sessionId: session.id,
        status: "completed",
        timestamp,
        actionType: session.actionType,
        result: result ?? [],
      },
  };
}

/**
 * The completion a `completed` frame's `data` carries, or `undefined` when
 * it carries none or nothing usable (the result is fetched then).
 */
export function completedFrameEnd(
  session: Of,
  timestamp: Date,
  data: unknown,
): End | undefined {
  if (data === undefined) return undefined;
  try {
    return session.actionType === "scan"
      ? completedEnd(
        session,
        timestamp,
        undefined,
        parseScanResult(data, "completed frame"),
      )
      : completedEnd(session, timestamp, parseItems(data, "completed frame"));
  } catch {
    return undefined;
  }
}

/** An expiry, and the error its waiters get. */
export function expiredEnd(
  session: Of,
  timestamp: Date,
  error: SessionExpiredError,
): End {
  return {
    kind: "expired",
    error,
    event: {
      type: "expired",
      sessionId: session.id,
      status: "expired",
      timestamp,
    },
  };
}

/**
 * One session's listeners, waiters and what they have been told. Nothing
 * here runs a timer or sends a request: it is told, and tells.
 */
export class Delivery {
  /** The latest status delivered (`completed`/`expired` at the end). */
  status: SessionStatus;
  /** How the session hears from the server, as last told to listeners. */
  connection: ConnectionState = "connecting";
  /** How the session ended; set once. */
  end: End | undefined;

  readonly #id: string;
  readonly #onListenerError: (error: unknown, event: SessionEvent) => void;
  #delivered = false; // the first snapshot went out
  // What most sessions never use is made on first use: a client watching
  // 10,000 sessions pays for every field in memory and on every create.
  #listeners: Set<(event: SessionEvent) => void> | undefined;
  #connectionListeners: Set<(state: ConnectionState) => void> | undefined;
  #endListeners: Set<() => void> | undefined;
  #outcome: Promise<CompletedEvent> | undefined;
  #settle:
    | { resolve(event: CompletedEvent): void; reject(error: unknown): void }
    | undefined;
  #closedError: SessionClosedError | undefined;
  #history: SessionEvent[] | undefined;

  constructor(
    id: string,
    status: SessionStatus,
    onListenerError: (error: unknown, event: SessionEvent) => void,
  ) {
    this.#id = id;
    this.status = status;
    this.#onListenerError = onListenerError;
  }

  /** Add an event listener; returns its remover. */
  onEvent(listener: (event: SessionEvent) => void): () => void {
    const entry = (event: SessionEvent) => listener(event);
    const listeners = this.#listeners ??= new Set();
    listeners.add(entry);
    return () => listeners.delete(entry);
  }

  /** Add a connection listener; returns its remover. */
  onConnection(listener: (state: ConnectionState) => void): () => void {
    const entry = (state: ConnectionState) => listener(state);
    const listeners = this.#connectionListeners ??= new Set();
    listeners.add(entry);
    return () => listeners.delete(entry);
  }

  /** Call `notify` once the session has ended (and on every later end notice). */
  onEnd(notify: () => void): () => void {
    const listeners = this.#endListeners ??= new Set();
    listeners.add(notify);
    return () => listeners.delete(notify);
  }

  /**
   * Deliver an open status: the first snapshot always (so a listener added
   * right after creation sees `pending`), later ones only when they move
   * forward. Returns whether it was news.
   */
  advance(status: OpenStatus, timestamp: Date): boolean {
    if (this.end !== undefined) return false;
    if (this.#delivered && rank(status) <= rank(this.status)) return false;
    this.#delivered = true;
    this.status = status;
    this.#emit({
      type: "status_update",
      sessionId: this.#id,
      status,
      timestamp,
    });
    return true;
  }

  /** Tell listeners how the session hears from the server now. */
  connect(state: ConnectionState): void {
    if (this.connection === state || this.connection === "closed") return;
    this.connection = state;
    const listeners = this.#connectionListeners;
    if (listeners === undefined || listeners.size === 0) return;
    for (const listener of [...listeners]) {
      // A listener that changed the state (close()) has told everyone the
      // newer one: the rest must not hear the older one after it.
      if (this.connection !== state) return;
      try {
        listener(state);
      } catch {
        // see #call
      }
    }
  }

  /**
   * The end, once: the final event goes to the listeners first, then the
   * waiters settle, then iterators wake, and only then does the connection
   * become `closed`, so nobody sees the session released before it told
   * them how it ended. `emit: false` for a session that was over before
   * anyone could listen (attached after completion).
   */
  finish(end: End, emit = true): void {
    if (this.end !== undefined) return;
    this.end = end;
    if (end.kind === "completed" || end.kind === "expired") {
      this.status = end.event.status;
      this.#delivered = true;
      if (emit) this.#emit(end.event);
    }
    const settle = this.#settle;
    this.#settle = undefined;
    if (settle !== undefined) {
      if (end.kind === "completed") settle.resolve(end.event);
      else settle.reject(this.#errorOf(end));
    }
    if (this.#endListeners !== undefined) {
      for (const notify of [...this.#endListeners]) notify();
    }
    this.connect("closed");
  }

  /**
   * The events delivered since the first call (kept from then on, for a
   * relay to replay what a reconnecting browser missed; most sessions never
   * pay for it).
   */
  history(): readonly SessionEvent[] {
    return this.#history ??= [];
  }

  /** The completion, for any number of waiters; rejects if the session ends otherwise. */
  outcome(): Promise<CompletedEvent> {
    if (this.#outcome !== undefined) return this.#outcome;
    const end = this.end;
    if (end === undefined) {
      this.#outcome = new Promise<CompletedEvent>((resolve, reject) => {
        this.#settle = { resolve, reject };
      });
    } else if (end.kind === "completed") {
      this.#outcome = Promise.resolve(end.event);
    } else this.#outcome = Promise.reject(this.#errorOf(end));
    this.#outcome.catch(() => {}); // rejections are for waiters only
    return this.#outcome;
  }

  /** The error waiters get; a closed session's is made once, when first needed. */
  #errorOf(end: Exclude<End, { kind: "completed" }>): HandoffError {
    if (end.kind !== "closed") return end.error;
    return this.#closedError ??= new SessionClosedError(
      `Session ${this.#id} was closed before it completed.`,
      { cause: "Session.close() was called" },
    );
  }

  #emit(event: SessionEvent): void {
    this.#history?.push(event);
    const listeners = this.#listeners;
    if (listeners === undefined || listeners.size === 0) return;
    // One listener (the usual case) needs no copy of the set; one added
    // while it runs waits for the next event either way.
    if (listeners.size === 1) {
      return this.#call(listeners.values().next().value!, event);
    }
    for (const listener of [...listeners]) {
      // Closed by an earlier listener: nothing more is delivered (the final
      // event of a session that had already ended still goes to everyone).
      if (this.end?.kind === "closed") return;
      this.#call(listener, event);
    }
  }

  #call(listener: (event: SessionEvent) => void, event: SessionEvent): void {
    try {
      listener(event);
    } catch (error) {
      try {
        this.#onListenerError(error, event);
      } catch {
        // an error reporter that throws must not break delivery either
      }
    }
  }
}
