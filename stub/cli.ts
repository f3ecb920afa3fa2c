// Copyright 2026 the handoff authors. MIT license.
// `deno task stub`: run the stub Handoff server from the command line.

import { parseArgs } from "node:util";
import { GoDurationError, parseGoDuration } from "../_duration.ts";
import { startStubServer } from "./server.ts";
import type { StubServerOptions } from "./types.ts";

const HELP = `Usage: deno task stub [options]

Runs a stub Handoff server in memory, answering like the real one.

Options:
  --port <n>         Port to listen on (env PORT, default 8080; 0 picks one)
  --hostname <host>  Interface to listen on (default 127.0.0.1)
  --api-key <key>    An accepted API key; repeat for several
                     (env API_KEYS, comma-separated; default: a random key,
                     printed at start)
  --help             Show this help

Environment:
  PORT, API_KEYS, BASE_URL, SESSION_TTL (default 30m), RESULT_TTL (default 5m),
  SCAN_UPLOAD_MAX_BYTES (default 20971520), SCAN_MAX_PAGES (default 50)

Stop it with Ctrl-C.
`;

/** Where the CLI writes, and what stops it (for tests). */
export interface CliIo {
  /** Standard output. @default {console.log} */
  stdout?: (line: string) => void;
  /** Standard error. @default {console.error} */
  stderr?: (line: string) => void;
  /** Stops the server when aborted, like SIGINT. */
  signal?: AbortSignal;
}

class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

function integer(
  name: string,
  value: string,
  min: number,
  max: number,
): number {
  if (!/^\d+$/.test(value.trim())) {
    throw new UsageError(
      `${name} must be an integer, got ${JSON.stringify(value)}`,
    );
  }
  const n = Number(value.trim());
  if (n < min || n > max) {
    throw new UsageError(`${name} must be from ${min} to ${max}, got ${n}`);
  }
  return n;
}

function duration(name: string, value: string): string {
  try {
    parseGoDuration(value);
  } catch (error) {
    if (error instanceof GoDurationError) {
      throw new UsageError(`${name}: ${error.message}`);
    }
    throw error;
  }
  return value;
}

function parseOptions(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { help: true } | { help: false; options: StubServerOptions } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        port: { type: "string" },
        hostname: { type: "string" },
        "api-key": { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(
      error instanceof Error ? error.message : String(error),
    );
  }
  if (values.help === true) return { help: true };
  const options: StubServerOptions = {};
  const get = (key: string): string | undefined => {
    const value = env[key];
    return value === undefined || value.trim() === "" ? undefined : value;
  };
  const port = values.port ?? get("PORT");
  options.port = port === undefined
    ? 8080
    : integer(values.port === undefined ? "PORT" : "--port", port, 0, 65535);
  if (values.hostname !== undefined) {
    if (values.hostname === "") throw new UsageError("--hostname is empty");
    options.hostname = values.hostname;
  }
  const flagKeys = values["api-key"] ?? [];
  if (flagKeys.some((key) => key === "")) {
    throw new UsageError("--api-key must not be empty");
  }
  const envKeys = (get("API_KEYS") ?? "").split(",").map((key) => key.trim())
    .filter((key) => key !== "");
  const keys = flagKeys.length > 0 ? flagKeys : envKeys;
  if (keys.length > 0) options.apiKeys = keys;
  const baseUrl = get("BASE_URL");
  if (baseUrl !== undefined) {
    try {
      new URL(baseUrl);
    } catch {
      throw new UsageError(
        `BASE_URL must be an absolute URL, got ${JSON.stringify(baseUrl)}`,
      );
    }
    options.baseUrl = baseUrl;
  }
  const sessionTtl = get("SESSION_TTL");
  if (sessionTtl !== undefined) {
    options.sessionTtl = duration("SESSION_TTL", sessionTtl);
  }
  const resultTtl = get("RESULT_TTL");
  if (resultTtl !== undefined) {
    options.resultTtl = duration("RESULT_TTL", resultTtl);
  }
  const maxBytes = get("SCAN_UPLOAD_MAX_BYTES");
  if (maxBytes !== undefined) {
    options.scanUploadMaxBytes = integer(
      "SCAN_UPLOAD_MAX_BYTES",
      maxBytes,
      1,
      Number.MAX_SAFE_INTEGER,
    );
  }
  const maxPages = get("SCAN_MAX_PAGES");
  if (maxPages !== undefined) {
    options.scanMaxPages = integer(
      "SCAN_MAX_PAGES",
      maxPages,
      1,
      Number.MAX_SAFE_INTEGER,
    );
  }
  return { help: false, options };
}

/** Resolve when SIGINT or SIGTERM arrives (or `signal` aborts); then clean up. */
function stopRequested(signal: AbortSignal | undefined): {
  stopped: Promise<void>;
  dispose: () => void;
} {
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const added: Deno.Signal[] = [];
  for (const name of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(name, stop);
      added.push(name);
    } catch {
      // not supported on this platform (SIGTERM on Windows)
    }
  }
  signal?.addEventListener("abort", stop, { once: true });
  if (signal?.aborted) stop();
  return {
    stopped,
    dispose: () => {
      for (const name of added) Deno.removeSignalListener(name, stop);
      signal?.removeEventListener("abort", stop);
    },
  };
}

/**
 * Run the stub server CLI until SIGINT/SIGTERM (or `io.signal`).
 *
 * @param args Command-line arguments (`--port`, `--hostname`, `--api-key`, `--help`).
 * @param env Environment variables (`PORT`, `API_KEYS`, `BASE_URL`,
 * `SESSION_TTL`, `RESULT_TTL`, `SCAN_UPLOAD_MAX_BYTES`, `SCAN_MAX_PAGES`).
 * @param io Output functions and a stop signal, for tests.
 * @returns The exit code: 0 after a clean stop or `--help`, 2 for bad usage,
 * 1 when the server cannot start.
 */
export async function main(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: CliIo = {},
): Promise<number> {
  const stdout = io.stdout ?? ((line: string) => console.log(line));
  const stderr = io.stderr ?? ((line: string) => console.error(line));
  let parsed;
  try {
    parsed = parseOptions(args, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr(`error: ${error.message}\nRun with --help for usage.`);
    return 2;
  }
  if (parsed.help) {
    stdout(HELP.trimEnd());
    return 0;
  }
  const generatedKey = parsed.options.apiKeys === undefined;
  let stub;
  try {
    stub = await startStubServer(parsed.options);
  } catch (error) {
    stderr(
      `error: cannot start the stub server: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
    return 1;
  }
  const { stopped, dispose } = stopRequested(io.signal);
  try {
    stdout(`Handoff stub listening on ${stub.url}`);
    if (generatedKey) stdout(`API key: ${stub.apiKey}`);
    await stopped;
  } finally {
    dispose();
    await stub.close();
  }
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args, Deno.env.toObject()));
}
