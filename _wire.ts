// Copyright 2026 the handoff authors. MIT license.
// Reading the server's JSON into the public types. A JSON body that does
// not match docs/PROTOCOL.md becomes a ProtocolError here (a body that is not
// JSON, or an unexpected status, is _http.ts's to refuse).

import { ProtocolError } from "./errors.ts";
import {
  ACTION_TYPES,
  PHOTO_FORMATS,
  SCAN_DOCUMENT_MODES,
  SCAN_OUTPUT_FORMATS,
  SIGNATURE_FORMATS,
} from "./formats.ts";
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

/** Every status, in order: a status is news only when it comes later. */
const STATUSES: readonly SessionStatus[] = [
  "pending",
  "opened",
  "action_started",
  "completed",
  "expired",
];
/** The output formats of photos and signatures (a format may be in both). */
const OUTPUT_FORMATS: readonly OutputFormat[] = [
  ...PHOTO_FORMATS,
  ...SIGNATURE_FORMATS,
];

/**
 * Order of statuses: a status is news only when its rank is higher; -1 for
 * a string that is no status.
 */
export function rank(status: string): number {
  return (STATUSES as readonly string[]).indexOf(status);
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
 * `value.replace(/(\.\d{3})\d+/, "$1")` without a regular expression. The
 * first `.` followed by four or more digits keeps three of them.
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

/** The number written by `length` ASCII digits at `at`, or -1. */
function digits(value: string, at: number, length: number): number {
  let n = 0;
  for (let i = at; i < at + length; i++) {
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1; // NaN (past the end) fails both tests
    n = n * 10 + c;
  }
  return n;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Milliseconds since the epoch of the exact shape the server sends,
 * `YYYY-MM-DDTHH:MM:SS[.fraction]` then `Z` or `±HH:MM`, with every field in
 * range; `undefined` for anything else (left to `Date`). Arithmetic only: in
 * the cold code a frame runs through, `Date`'s string parser costs several
 * microseconds. The fraction is truncated to milliseconds, as `Date` does
 * with the three digits `trimFraction` leaves it.
 */
function rfc3339Millis(value: string): number | undefined {
  const length = value.length;
  if (
    length < 20 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45 ||
    value.charCodeAt(10) !== 84 || value.charCodeAt(13) !== 58 ||
    value.charCodeAt(16) !== 58
  ) return undefined;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  if (
    year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 ||
    hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 ||
    day > DAYS_IN_MONTH[month - 1]! + (month === 2 && leap(year) ? 1 : 0)
  ) return undefined;
  let at = 19;
  let millis = 0;
  if (value.charCodeAt(at) === 46) { // "."
    const start = ++at;
    while (at < length) {
      const c = value.charCodeAt(at) - 48;
      if (c < 0 || c > 9) break;
      if (at - start < 3) millis = millis * 10 + c;
      at++;
    }
    if (at === start) return undefined;
    for (let i = at - start; i < 3; i++) millis *= 10;
  }
  let offset = 0;
  const sign = value.charCodeAt(at);
  if (sign === 90 && at + 1 === length) { // "Z"
    offset = 0;
  } else if ((sign === 43 || sign === 45) && at + 6 === length) { // "+" "-"
    const hours = digits(value, at + 1, 2);
    const minutes = digits(value, at + 4, 2);
    if (
      value.charCodeAt(at + 3) !== 58 || hours < 0 || hours > 23 ||
      minutes < 0 || minutes > 59
    ) return undefined;
    offset = (sign === 43 ? 1 : -1) * (hours * 60 + minutes) * 60_000;
  } else return undefined;
  return daysFromCivil(year, month, day) * 86_400_000 +
    ((hour * 60 + minute) * 60 + second) * 1000 + millis - offset;
}

function leap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) +
    day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) -
    Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** An RFC 3339 timestamp with up to nine fractional digits. */
export function parseTimestamp(value: unknown, what: string): Date {
  if (typeof value === "string") {
    const millis = rfc3339Millis(value);
    if (millis !== undefined) return new Date(millis);
    // Any other shape `Date` reads. It handles at most millisecond
    // precision on some engines.
    const date = new Date(trimFraction(value));
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
function parseStatus(value: unknown, what: string): SessionStatus {
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
    ACTION_TYPES,
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
      SCAN_DOCUMENT_MODES,
      "document_mode",
      what,
    );
    const format = optionalString(o, "scan_output_format", what) ?? "pdf";
    info.scanOutputFormat = oneOf<ScanOutputFormat>(
      format,
      SCAN_OUTPUT_FORMATS,
      "scan_output_format",
      what,
    );
    if (o.scan_result !== undefined && o.scan_result !== null) {
      info.scanResult = parseScanResult(o.scan_result, what);
    }
  } else {
    info.outputFormat = oneOf(
      string(o, "output_format", what),
      OUTPUT_FORMATS,
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
  /** When the server sent it; `undefined` when the frame's timestamp is unreadable. */
  readonly timestamp: Date | undefined;
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
  if (rank(o.status) < 0) return undefined;
  let timestamp: Date | undefined;
  try {
    timestamp = parseTimestamp(o.timestamp, "frame");
  } catch {
    timestamp = undefined; // the session stamps it with its own clock
  }
  // One object shape, no spread: this runs for every frame.
  return {
    type: o.type,
    sessionId: o.session_id,
    status: o.status as SessionStatus,
    data: o.data,
    timestamp,
  };
}
