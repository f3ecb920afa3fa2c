// Copyright 2026 the handoff authors. MIT license.
// Reading the command line: flags, environment, and their checks.

import { parseArgs } from "node:util";
import {
  ACTION_TYPES,
  type ActionType,
  type CreateSessionOptions,
  parseDuration,
  PHOTO_FORMATS,
  SCAN_DOCUMENT_MODES,
  SCAN_OUTPUT_FORMATS,
  SIGNATURE_FORMATS,
} from "../mod.ts";
import { type CliEnv, readEnv } from "./env.ts";

/**
 * A mistake on the command line: exit code 2. The message says what was
 * wrong and the value seen (never the API key).
 *
 * @example A mistake on the command line
 * ```ts
 * import { UsageError } from "./args.ts";
 *
 * const error = new UsageError("--out must not be empty");
 * console.assert(error.name === "UsageError");
 * ```
 */
export class UsageError extends Error {
  /**
   * Makes the error.
   *
   * @param message What was wrong, and the value seen.
   * @param options `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

/**
 * Which Handoff server the command talks to: a real one, or the embedded
 * stub (`--stub`).
 *
 * @example A server of your own
 * ```ts
 * import type { ServerChoice } from "./args.ts";
 *
 * const server: ServerChoice = { kind: "remote", url: "https://handoff.example.com", apiKey: "k3y!" };
 * ```
 */
export type ServerChoice =
  | { readonly kind: "remote"; readonly url: string; readonly apiKey: string }
  | { readonly kind: "stub" };

/**
 * What the command line asks for.
 *
 * @example A photo saved into ./photos, with the embedded stub
 * ```ts
 * import type { CliConfig } from "./args.ts";
 *
 * const config: CliConfig = {
 *   session: { action: "photo", outputFormat: "jpg" },
 *   server: { kind: "stub" },
 *   outDir: "photos",
 *   json: false,
 * };
 * ```
 */
export interface CliConfig {
  /** The session to create. */
  readonly session: CreateSessionOptions;
  /** The server. */
  readonly server: ServerChoice;
  /** Where the files go. */
  readonly outDir: string;
  /** One JSON object per event on stdout. */
  readonly json: boolean;
}

/**
 * What {@linkcode parseCli} found: help, or a run.
 *
 * @example
 * ```ts
 * import type { ParsedCli } from "./args.ts";
 *
 * const help: ParsedCli = { help: true };
 * ```
 */
export type ParsedCli =
  | { readonly help: true }
  | { readonly help: false; readonly config: CliConfig };

const OPTIONS = {
  format: { type: "string" },
  "document-mode": { type: "string" },
  intro: { type: "string" },
  ttl: { type: "string" },
  "result-ttl": { type: "string" },
  out: { type: "string" },
  json: { type: "boolean" },
  stub: { type: "boolean" },
  url: { type: "string" },
  "api-key": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Read the command line and the environment (`HANDOFF_URL`,
 * `HANDOFF_API_KEY`; flags win), checking every value with the library's own
 * lists before anything is sent.
 *
 * @param args The arguments after the program name.
 * @param env The environment.
 * @returns Help, or what to run.
 * @throws {UsageError} A mistake on the command line.
 *
 * @example Read a signature request
 * ```ts
 * import { parseCli } from "./args.ts";
 *
 * const env = new Map([["HANDOFF_URL", "https://handoff.example.com"], ["HANDOFF_API_KEY", "k3y!"]]);
 * const parsed = parseCli(["signature", "--format", "png", "--ttl", "10m"], env);
 * console.assert(!parsed.help && parsed.config.session.action === "signature");
 * ```
 */
export function parseCli(args: readonly string[], env: CliEnv): ParsedCli {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: OPTIONS,
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    // node:util's messages name the flag, never its value.
    throw new UsageError(
      error instanceof Error ? error.message : String(error),
      { cause: error },
    );
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };

  if (positionals.length === 0) {
    throw new UsageError(
      "Say what to collect: handoff photo, handoff signature or handoff scan.",
    );
  }
  if (positionals.length > 1) {
    // Not echoed: a stray argument may be a key pasted in the wrong place.
    throw new UsageError(
      `handoff takes one action (photo, signature or scan), got ${positionals.length} arguments.`,
    );
  }
  const action = positionals[0]!;
  if (!isOneOf(ACTION_TYPES, action)) {
    throw new UsageError(
      `Unknown action ${JSON.stringify(action)}: use photo, signature or scan.`,
    );
  }

  const session = sessionOptions(action, values);
  const outDir = values.out ?? ".";
  if (outDir === "") throw new UsageError("--out must not be empty.");
  return {
    help: false,
    config: {
      session,
      server: serverChoice(values, env),
      outDir,
      json: values.json ?? false,
    },
  };
}

interface FlagValues {
  readonly format?: string | undefined;
  readonly "document-mode"?: string | undefined;
  readonly intro?: string | undefined;
  readonly ttl?: string | undefined;
  readonly "result-ttl"?: string | undefined;
  readonly stub?: boolean | undefined;
  readonly url?: string | undefined;
  readonly "api-key"?: string | undefined;
}

function sessionOptions(
  action: ActionType,
  values: FlagValues,
): CreateSessionOptions {
  const common = {
    ...(values.intro !== undefined && values.intro !== ""
      ? { intro: values.intro }
      : {}),
    ...(values.ttl !== undefined
      ? { sessionTtl: duration("--ttl", values.ttl) }
      : {}),
    ...(values["result-ttl"] !== undefined
      ? { resultTtl: duration("--result-ttl", values["result-ttl"]) }
      : {}),
  };
  const format = values.format;
  const mode = values["document-mode"];
  if (action !== "scan" && mode !== undefined) {
    throw new UsageError(
      `--document-mode is for scans only, not for a ${action}.`,
    );
  }
  switch (action) {
    case "photo":
      return {
        action,
        outputFormat: oneOf("--format", "a photo", PHOTO_FORMATS, format),
        ...common,
      };
    case "signature":
      return {
        action,
        outputFormat: oneOf(
          "--format",
          "a signature",
          SIGNATURE_FORMATS,
          format,
        ),
        ...common,
      };
    case "scan":
      return {
        action,
        scanOutputFormat: oneOf(
          "--format",
          "a scan",
          SCAN_OUTPUT_FORMATS,
          format,
        ),
        documentMode: oneOf(
          "--document-mode",
          "a scan",
          SCAN_DOCUMENT_MODES,
          mode,
        ),
        ...common,
      };
  }
}

function serverChoice(values: FlagValues, env: CliEnv): ServerChoice {
  if (values.stub) {
    if (values.url !== undefined || values["api-key"] !== undefined) {
      throw new UsageError(
        "--stub runs its own server: leave out --url and --api-key.",
      );
    }
    return { kind: "stub" };
  }
  const url = values.url ?? readEnv(env, "HANDOFF_URL");
  if (url === undefined || url === "") {
    throw new UsageError(
      "No Handoff server: set HANDOFF_URL or pass --url (or try --stub).",
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new UsageError(
      `The server URL must be an absolute http(s) URL, got ${
        JSON.stringify(withoutCredentials(url))
      }.`,
      { cause: error },
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new UsageError(
      `The server URL must be an http or https URL, got ${
        JSON.stringify(withoutCredentials(url))
      }.`,
    );
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw new UsageError(
      "The server URL must not carry a user name or password: the API key goes in HANDOFF_API_KEY.",
    );
  }
  const apiKey = values["api-key"] ?? readEnv(env, "HANDOFF_API_KEY");
  if (apiKey === undefined || apiKey.trim() === "") {
    throw new UsageError(
      `No API key for ${parsed.origin}: set HANDOFF_API_KEY or pass --api-key.`,
    );
  }
  return { kind: "remote", url, apiKey };
}

/** A Go duration the server accepts as a TTL: it must be positive. */
function duration(flag: string, text: string): string {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    throw new UsageError(
      `${flag}: ${
        error instanceof Error ? error.message : error
      } (use 90s, 10m, 1h30m…).`,
      { cause: error },
    );
  }
  if (!(ms >= 1)) {
    throw new UsageError(
      `${flag} must be at least 1ms, got ${JSON.stringify(text)}.`,
    );
  }
  return text;
}

/** The flag's value if it is in the list, else the first of the list. */
function oneOf<const T extends string>(
  flag: string,
  what: string,
  list: readonly T[],
  value: string | undefined,
): T {
  if (value === undefined) return list[0]!;
  if (isOneOf(list, value)) return value;
  throw new UsageError(
    `${flag} for ${what} must be ${
      list.join(", ").replace(/, ([^,]*)$/, " or $1")
    }, got ${JSON.stringify(value)}.`,
  );
}

function isOneOf<const T extends string>(
  list: readonly T[],
  value: string,
): value is T {
  return (list as readonly string[]).includes(value);
}

/** A URL as it may be shown: without a user name or password. */
function withoutCredentials(url: string): string {
  return url.replace(/\/\/[^/\s@]*@/, "//");
}
