// Copyright 2026 the handoff authors. MIT license.
// The environment the command reads: HANDOFF_URL and HANDOFF_API_KEY.

/**
 * Where the command reads its environment: `Deno.env`, or a stand-in.
 *
 * @example An environment of your own
 * ```ts
 * import type { CliEnv } from "@handoff/client/cli";
 *
 * const env: CliEnv = new Map([["HANDOFF_URL", "https://handoff.example.com"]]);
 * console.assert(env.get("HANDOFF_URL")?.startsWith("https://"));
 * ```
 */
export interface CliEnv {
  /** The value of a variable, or `undefined` when it is not set. */
  get(name: string): string | undefined;
}

/**
 * A variable of the environment, `undefined` when it is not set, is empty,
 * or may not be read (no `--allow-env` for it).
 *
 * @param env The environment.
 * @param name The variable.
 * @returns Its value.
 *
 * @example An empty variable is not set
 * ```ts
 * import { readEnv } from "./env.ts";
 *
 * console.assert(readEnv({ get: () => "" }, "HANDOFF_URL") === undefined);
 * ```
 */
export function readEnv(env: CliEnv, name: string): string | undefined {
  try {
    return env.get(name) || undefined;
  } catch {
    return undefined; // Deno.errors.NotCapable: not allowed to read it
  }
}
