// Copyright 2026 the handoff authors. MIT license.
// Reading the server's JSON into the public types. Anything that does not
// match PROTOCOL.md becomes a ProtocolError here, and nowhere else.

import { ProtocolError } from "./errors.ts";
import type {
  ActionType,
  LiveSessionInfo,
  OpenStatus,
  OutputFormat,
  ResultItem,
  ScanDocument,
  ScanDocumentMode,
  ScanOutputFormat,
  ScanResult,
  SessionInfo,
  SessionStatus,
} from "./types.ts";

type Json = Record<string, unknown>;

const STATUSES: readonly SessionStatus[] = [
  "pending",
  "opened",
  "action_started",
  "completed",
  "expired",
];
const ACTIONS: readonly ActionType[] = ["photo", "signature", "scan"];
const FORMATS: readonly OutputFormat[] = ["jpg", "png", "pdf", "svg"];

/** Order of statuses: a status is news only when its rank is higher. */
export function rank(status: SessionStatus): number {
  return STATUSES.indexOf(status);
}

function fail(what: string, problem: string, value: unknown): never {
  throw new ProtocolError(
    `${what} answered ${problem}; the server does not speak Handoff protocol v1 as this client expects.`,
    // A missing field is `undefined`: say so, so that `cause` is always set.
    { cause: value === undefined ? `${problem} (missing)` : value },
  );
}

function object(value: unknown, what: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(what, "something that is not a JSON object", value);
  }
  return value as Json;
}

function string(o: Json, key: string, what: string): string {
  const value = o[key];
  if (typeof value !== "string") fail(what, `no string "${key}"`, o);
  return value;
}

function optionalString(o: Json, key: string, what: string) {
  return o[key] === undefined || o[key] === null
    ? undefined
    : string(o, key, what);
}

function oneOf<T extends string>(
  value: string,
  allowed: readonly T[],
  key: string,
  what: string,
): T {
  if (!(allowed as readonly string[]).includes(value)) {
    fail(what, `an unknown ${key} ${JSON.stringify(value)}`, value);
  }
  return value as T;
}

/**
 * `value.replace(/(\.\d{3})\d+/, "$1")` without a regular expression: this
 * runs for every frame, usually in cold code, where a regular expression
 * costs several microseconds. The first `.` followed by four or more digits
 * keeps three of them.
 */
function trimFraction(value: string): string {
  for (
    let dot = value.indexOf(".");
    dot >= 0;
    dot = value.indexOf(".", dot + 1)
  ) {
    let end = dot + 1;
    while (end < value.length) {
      const c = value.charCodeAt(end);
      if (c < 48 || c > 57) break;
      end++;
    }
    if (end - dot > 4) return value.slice(0, dot + 4) + value.slice(end);
  }
  return value;
}

/** `/^\d{4}-\d\d-\d\dT/.test(value)`, without a regular expression. */
function startsWithDate(value: string): boolean {
  if (value.length < 11) return false;
  for (let i = 0; i < 10; i++) {
    const c = value.charCodeAt(i);
    if (i === 4 || i === 7 ? c !== 45 : c < 48 || c > 57) return false;
  }
  return value.charCodeAt(10) === 84; // "T"
}

/** An RFC 3339 timestamp with up to nine fractional digits. */
export function parseTimestamp(value: unknown, what: string): Date {
  if (typeof value === "string") {
    // Date.parse handles at most millisecond precision on some engines.
    const trimmed = trimFraction(value);
    const date = new Date(trimmed);
    if (!Number.isNaN(date.getTime()) && startsWithDate(value)) return date;
  }
  return fail(what, "an invalid timestamp", value);
}

/** Go's `time.Duration` is an int64 of nanoseconds. */
const INT64_LIMIT = 2 ** 63;

function duration(o: Json, key: string, what: string): number {
  const value = o[key];
  if (typeof value !== "number" || !Number.isFinite(value)) {
    fail(what, `no number "${key}"`, o);
  }
  if (!Number.isInteger(value) || Math.abs(value) > INT64_LIMIT) {
    fail(what, `a "${key}" that is not a whole number of nanoseconds`, o);
  }
  return value / 1e6; // nanoseconds → milliseconds
}

/** A session status from the wire. */
export function parseStatus(value: unknown, what: string): SessionStatus {
  if (typeof value !== "string") {
    return fail(what, "no status", { status: value ?? null });
  }
  return oneOf(value, STATUSES, "status", what);
}

/** The `items` array of a photo/signature result. */
export function parseItems(value: unknown, what: string): ResultItem[] {
  if (value === null) return [];
  if (!Array.isArray(value)) {
    return fail(what, "items that are not an array", value);
  }
  return value.map((entry) => {
    const o = object(entry, what);
    return {
      downloadId: string(o, "download_id", what),
      contentType: string(o, "content_type", what),
      filename: string(o, "filename", what),
    };
  });
}

/** A scan result object `{"documents":[…]}`. */
export function parseScanResult(value: unknown, what: string): ScanResult {
  const o = object(value, what);
  if (!Array.isArray(o.documents)) {
    return fail(what, "a scan result without documents", value);
  }
  const documents = o.documents.map((entry): ScanDocument => {
    const d = object(entry, what);
    if (typeof d.pdf_url === "string") {
      return { format: "pdf", pdfUrl: d.pdf_url };
    }
    if (!Array.isArray(d.pages)) {
      return fail(what, "a scan document with neither pdf_url nor pages", d);
    }
    return {
      format: "images",
      pages: d.pages.map((page) => {
        const p = object(page, what);
        return {
          url: string(p, "url", what),
          contentType: string(p, "content_type", what),
        };
      }),
    };
  });
  return { documents };
}

/** The Session object, or the expired tombstone. */
export function parseSessionInfo(value: unknown, what: string): SessionInfo {
  const o = object(value, what);
  const id = string(o, "id", what);
  const status = parseStatus(o.status, what);
  if (status === "expired") return { id, status };
  const actionType = oneOf(
    string(o, "action_type", what),
    ACTIONS,
    "action_type",
    what,
  );
  const createdAt = parseTimestamp(o.created_at, what);
  const sessionTtlMs = duration(o, "session_ttl", what);
  const info: {
    -readonly [K in keyof LiveSessionInfo]: LiveSessionInfo[K];
  } = {
    id,
    status,
    actionType,
    url: string(o, "url", what),
    createdAt,
    expiresAt: new Date(createdAt.getTime() + sessionTtlMs),
    sessionTtlMs,
    resultTtlMs: duration(o, "result_ttl", what),
  };
  const intro = optionalString(o, "intro_text", what);
  if (intro) info.introText = intro;
  if (o.completed_at !== undefined) {
    info.completedAt = parseTimestamp(o.completed_at, what);
  }
  if (actionType === "scan") {
    const mode = optionalString(o, "document_mode", what) ?? "single";
    info.documentMode = oneOf<ScanDocumentMode>(
      mode,
      ["single", "multi"],
      "document_mode",
      what,
    );
    const format = optionalString(o, "scan_output_format", what) ?? "pdf";
    info.scanOutputFormat = oneOf<ScanOutputFormat>(
      format,
      ["pdf", "images"],
      "scan_output_format",
      what,
    );
    if (o.scan_result !== undefined && o.scan_result !== null) {
      info.scanResult = parseScanResult(o.scan_result, what);
    }
  } else {
    info.outputFormat = oneOf(
      string(o, "output_format", what),
      FORMATS,
      "output_format",
      what,
    );
    if (status === "completed") info.result = parseItems(o.result ?? [], what);
  }
  return info;
}

/** What `GET /sessions/:id/result` says. */
export type ResultSnapshot =
  | { readonly status: OpenStatus }
  | {
    readonly status: "completed";
    readonly result?: ResultItem[];
    readonly scanResult?: ScanResult;
  };

/** Read a `200`/`202` answer of `GET /sessions/:id/result`. */
export function parseResultSnapshot(
  httpStatus: number,
  value: unknown,
  actionType: ActionType,
  what: string,
): ResultSnapshot {
  const o = object(value, what);
  const status = parseStatus(o.status, what);
  if (httpStatus === 202) {
    if (status === "completed" || status === "expired") {
      return fail(what, `202 with status ${status}`, value);
    }
    return { status };
  }
  if (status !== "completed") {
    return fail(what, `200 with status ${status}`, value);
  }
  if (actionType === "scan") {
    return {
      status,
      scanResult: parseScanResult(o.scan_result, what),
    };
  }
  return { status, result: parseItems(o.items, what) };
}

/** A WebSocket frame. */
export interface Frame {
  readonly type: "status_update" | "completed";
  readonly sessionId: string;
  readonly status: SessionStatus;
  readonly data?: unknown;
  readonly timestamp: Date;
}

/** Parse one frame; `undefined` for anything that is not a valid frame. */
export function parseFrame(text: unknown): Frame | undefined {
  if (typeof text !== "string") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const o = value as Json;
  if (o.type !== "status_update" && o.type !== "completed") return undefined;
  if (typeof o.session_id !== "string" || typeof o.status !== "string") {
    return undefined;
  }
  if (!(STATUSES as readonly string[]).includes(o.status)) return undefined;
  let timestamp: Date;
  try {
    timestamp = parseTimestamp(o.timestamp, "frame");
  } catch {
    timestamp = new Date();
  }
  return {
    type: o.type,
    sessionId: o.session_id,
    status: o.status as SessionStatus,
    ...(o.data !== undefined ? { data: o.data } : {}),
    timestamp,
  };
}
