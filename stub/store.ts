// Copyright 2026 the handoff authors. MIT license.
// Sessions and result files in memory. Expiry is computed on access from the
// stored deadlines (no timers); what has run out is purged lazily.

import type {
  StubActionType,
  StubFile,
  StubSessionSnapshot,
  StubSessionStatus,
} from "./types.ts";
import { dateOf } from "./clock.ts";

const HOUR_US = 3_600_000_000;
/** How long the real server keeps an expired session's tombstone: 24 h from creation. */
export const TOMBSTONE_US = 24 * HOUR_US;
/** go-cache's default expiry of the session cache, used for a TTL of zero. */
const SESSION_DEFAULT_US = 24 * HOUR_US;
/** go-cache's default expiry of the file cache, used for a result TTL of zero. */
const FILE_DEFAULT_US = 5 * 60 * 1_000_000;
const SWEEP_EVERY_US = 60 * 1_000_000;

/** A live status (what the record holds; `expired` is computed). */
export type LiveStatus = Exclude<StubSessionStatus, "expired">;

/** One result item as the API reports it. */
export interface ResultItem {
  readonly downloadId: string;
  readonly contentType: string;
  readonly filename: string;
}

/** A scan document in the result: one PDF, or the pages. */
export type ScanDocument =
  | { readonly pdfUrl: string }
  | { readonly pages: readonly { url: string; contentType: string }[] };

/** A scan page uploaded and not yet finalized. */
export interface ScanPage {
  readonly documentIndex: bigint;
  readonly pageIndex: bigint;
  readonly data: Uint8Array;
  readonly contentType: string;
}

/** A session as the stub holds it. */
export interface SessionRecord {
  readonly id: string;
  readonly actionType: StubActionType;
  status: LiveStatus;
  /** Set only by `GET /s/:id` on a pending session (the real server's `Opened`). */
  opened: boolean;
  readonly introText: string;
  /** `""` for scan sessions. */
  readonly outputFormat: string;
  readonly documentMode?: "single" | "multi";
  readonly scanOutputFormat?: "pdf" | "images";
  readonly sessionTtlNs: bigint;
  readonly resultTtlNs: bigint;
  readonly createdAtUs: number;
  /** When the session expires (`Infinity` for never). */
  expiresAtUs: number;
  completedAtUs?: number;
  /** Photo/signature result (also set if a scan session is completed through `/result`). */
  result?: readonly ResultItem[];
  scanResult?: readonly ScanDocument[];
  /** Download ids of the scan result, per document. */
  scanFiles?: readonly (readonly string[])[];
  /** Pages uploaded so far (scan sessions). */
  pages?: ScanPage[] | undefined;
}

/** A stored result file. */
interface FileRecord extends StubFile {
  expiresAtUs: number;
}

/** Where a session stands at a given time. */
export type Lookup =
  | { readonly state: "missing" }
  | { readonly state: "expired"; readonly session: SessionRecord }
  | { readonly state: "live"; readonly session: SessionRecord };

/** A duration in nanoseconds as a lifetime in microseconds (`Infinity` when negative). */
function lifetimeUs(ttlNs: bigint, zeroDefaultUs: number): number {
  if (ttlNs < 0n) return Infinity;
  if (ttlNs === 0n) return zeroDefaultUs;
  return Number(ttlNs / 1000n);
}

/** The in-memory store of one stub server. */
export class Store {
  #sessions = new Map<string, SessionRecord>();
  #files = new Map<string, FileRecord>();
  #nextSweepUs = 0;

  /** Add a new session; its deadline follows the real server's TTL rules. */
  add(
    record: Omit<SessionRecord, "expiresAtUs" | "status" | "opened">,
  ): SessionRecord {
    const session: SessionRecord = {
      ...record,
      status: "pending",
      opened: false,
      expiresAtUs: record.createdAtUs +
        lifetimeUs(record.sessionTtlNs, SESSION_DEFAULT_US),
    };
    this.#maybeSweep(record.createdAtUs);
    this.#sessions.set(session.id, session);
    return session;
  }

  /** Find a session and tell whether it is live, expired (tombstone) or missing. */
  lookup(id: string, nowUs: number): Lookup {
    const session = this.#sessions.get(id);
    if (session === undefined) return { state: "missing" };
    if (nowUs <= session.expiresAtUs) return { state: "live", session };
    if (nowUs <= session.createdAtUs + TOMBSTONE_US) {
      session.pages = undefined;
      return { state: "expired", session };
    }
    this.#sessions.delete(id);
    return { state: "missing" };
  }

  /** Store a result file that lives `ttlNs` from `nowUs`. */
  putFile(
    downloadId: string,
    data: Uint8Array,
    contentType: string,
    filename: string,
    ttlNs: bigint,
    nowUs: number,
  ): void {
    this.#maybeSweep(nowUs);
    this.#files.set(downloadId, {
      downloadId,
      data,
      contentType,
      filename,
      expiresAtUs: nowUs + lifetimeUs(ttlNs, FILE_DEFAULT_US),
    });
  }

  /** A file that has not expired, or `undefined`. */
  getFile(downloadId: string, nowUs: number): StubFile | undefined {
    const file = this.#files.get(downloadId);
    if (file === undefined) return undefined;
    if (nowUs > file.expiresAtUs) {
      this.#files.delete(downloadId);
      return undefined;
    }
    return file;
  }

  /** Make a session expire now (it becomes a tombstone). */
  expire(id: string, nowUs: number): void {
    const session = this.#sessions.get(id);
    if (session !== undefined && session.expiresAtUs >= nowUs) {
      session.expiresAtUs = nowUs - 1;
      session.pages = undefined;
    }
  }

  /** Make every file of a session's result expire now. */
  expireResult(id: string): void {
    const session = this.#sessions.get(id);
    if (session === undefined) return;
    for (const item of session.result ?? []) {
      this.#files.delete(item.downloadId);
    }
    for (const doc of session.scanFiles ?? []) {
      for (const downloadId of doc) this.#files.delete(downloadId);
    }
  }

  /** Forget everything. */
  clear(): void {
    this.#sessions.clear();
    this.#files.clear();
  }

  /** Every session that still answers (live or tombstone). */
  *records(
    nowUs: number,
  ): IterableIterator<Lookup & { state: "live" | "expired" }> {
    for (const id of [...this.#sessions.keys()]) {
      const found = this.lookup(id, nowUs);
      if (found.state !== "missing") yield found;
    }
  }

  /** A read-only view of a session for assertions. */
  snapshot(found: Lookup & { state: "live" | "expired" }): StubSessionSnapshot {
    const s = found.session;
    const file = (downloadId: string): StubFile => {
      const stored = this.#files.get(downloadId);
      return {
        downloadId,
        contentType: stored?.contentType ?? "",
        filename: stored?.filename ?? "",
        data: stored?.data ?? new Uint8Array(0),
      };
    };
    return {
      id: s.id,
      actionType: s.actionType,
      status: found.state === "expired" ? "expired" : s.status,
      outputFormat: s.outputFormat,
      ...(s.documentMode === undefined ? {} : { documentMode: s.documentMode }),
      ...(s.scanOutputFormat === undefined
        ? {}
        : { scanOutputFormat: s.scanOutputFormat }),
      introText: s.introText,
      createdAt: dateOf(s.createdAtUs),
      expiresAt: dateOf(s.expiresAtUs),
      ...(s.completedAtUs === undefined
        ? {}
        : { completedAt: dateOf(s.completedAtUs) }),
      items: (s.result ?? []).map((item) => ({
        ...file(item.downloadId),
        contentType: item.contentType,
        filename: item.filename,
      })),
      scanDocuments: (s.scanFiles ?? []).map((doc) => doc.map(file)),
    };
  }

  /** Drop tombstones and files that have run out, at most once a minute. */
  #maybeSweep(nowUs: number): void {
    if (nowUs < this.#nextSweepUs) return;
    this.#nextSweepUs = nowUs + SWEEP_EVERY_US;
    for (const id of [...this.#sessions.keys()]) this.lookup(id, nowUs);
    for (const [id, file] of this.#files) {
      if (nowUs > file.expiresAtUs) this.#files.delete(id);
    }
  }
}
