// Copyright 2026 the handoff authors. MIT license.
// Validating session options and building the `POST /sessions` body.

import {
  GoDurationError,
  millisToGoDuration,
  parseGoDuration,
} from "./_duration.ts";
import {
  ACTION_TYPES,
  PHOTO_FORMATS,
  SCAN_DOCUMENT_MODES,
  SCAN_OUTPUT_FORMATS,
  SIGNATURE_FORMATS,
} from "./formats.ts";
import type { CreateSessionOptions, Duration } from "./types.ts";

/** Go's `time.Duration` is an int64 of nanoseconds. */
const MAX_GO_DURATION_NS = 2n ** 63n - 1n;

/** `"a", "b" or "c"`. */
function choices(values: readonly string[]): string {
  const quoted = values.map((v) => `"${v}"`);
  return quoted.length < 2
    ? quoted.join("")
    : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
}

/** Whether `value` is one of `values`. */
function isOneOf(value: unknown, values: readonly string[]): value is string {
  return typeof value === "string" && values.includes(value);
}

/** A TTL as the Go duration string to send; refuses zero, negatives and junk. */
function ttl(value: Duration | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(
        `${name} must be positive: got ${value} ms (the server would take zero as 24 h and a negative TTL as never expiring)`,
      );
    }
    const text = millisToGoDuration(value);
    if (text === "0s") {
      throw new RangeError(`${name} must be at least 1 ns: got ${value} ms`);
    }
    if (BigInt(Math.round(value * 1e6)) > MAX_GO_DURATION_NS) {
      throw new RangeError(
        `${name} must be at most 2562047h47m16.854775807s (Go's longest duration): got ${value} ms`,
      );
    }
    return text;
  }
  if (typeof value !== "string") {
    throw new TypeError(
      `${name} must be a Go duration string like "30m" or a number of milliseconds, got ${typeof value}`,
    );
  }
  let ns: bigint;
  try {
    ns = parseGoDuration(value);
  } catch (error) {
    if (!(error instanceof GoDurationError)) throw error;
    throw new TypeError(
      `${name} must be a Go duration like "30m", "1h30m" or "90s" (units ns us ms s m h), got ${
        JSON.stringify(value)
      } (${error.message})`,
      { cause: error },
    );
  }
  if (ns <= 0n) {
    throw new RangeError(
      `${name} must be positive, got ${
        JSON.stringify(value)
      } (the server would take zero as 24 h and a negative TTL as never expiring)`,
    );
  }
  return value;
}

export function sessionId(id: unknown): string {
  if (typeof id !== "string" || id.length === 0 || id.length > 200) {
    throw new TypeError(
      `A session id must be a non-empty string, got ${
        typeof id === "string" ? JSON.stringify(id) : typeof id
      }`,
    );
  }
  return id;
}

/** The JSON body of `POST /sessions` for validated options. */
export function createRequestBody(options: CreateSessionOptions): string {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("createSession() takes an options object");
  }
  const body: Record<string, string> = {};
  const action = options.action as unknown;
  if (action === "photo" || action === "signature") {
    const o = options as { outputFormat?: unknown };
    const allowed: readonly string[] = action === "photo"
      ? PHOTO_FORMATS
      : SIGNATURE_FORMATS;
    if (!isOneOf(o.outputFormat, allowed)) {
      throw new TypeError(
        `A ${action} session takes outputFormat ${
          allowed.map((f) => `"${f}"`).join(", ")
        }; got ${JSON.stringify(o.outputFormat)}`,
      );
    }
    body.action_type = action;
    body.output_format = o.outputFormat;
  } else if (action === "scan") {
    const o = options as { documentMode?: unknown; scanOutputFormat?: unknown };
    body.action_type = action;
    if (o.scanOutputFormat !== undefined) {
      if (!isOneOf(o.scanOutputFormat, SCAN_OUTPUT_FORMATS)) {
        throw new TypeError(
          `A scan session takes scanOutputFormat ${
            choices(SCAN_OUTPUT_FORMATS)
          }; got ${JSON.stringify(o.scanOutputFormat)}`,
        );
      }
      body.output_format = o.scanOutputFormat;
    }
    if (o.documentMode !== undefined) {
      if (!isOneOf(o.documentMode, SCAN_DOCUMENT_MODES)) {
        throw new TypeError(
          `A scan session takes documentMode ${
            choices(SCAN_DOCUMENT_MODES)
          }; got ${JSON.stringify(o.documentMode)}`,
        );
      }
      body.document_mode = o.documentMode;
    }
  } else {
    throw new TypeError(
      `action must be ${choices(ACTION_TYPES)}; got ${JSON.stringify(action)}`,
    );
  }
  if (options.intro !== undefined) {
    if (typeof options.intro !== "string") {
      throw new TypeError(
        `intro must be a string, got ${typeof options.intro}`,
      );
    }
    if (options.intro !== "") body.intro_text = options.intro;
  }
  const sessionTtl = ttl(options.sessionTtl, "sessionTtl");
  if (sessionTtl !== undefined) body.session_ttl = sessionTtl;
  const resultTtl = ttl(options.resultTtl, "resultTtl");
  if (resultTtl !== undefined) body.result_ttl = resultTtl;
  return JSON.stringify(body);
}
