// Copyright 2026 the handoff authors. MIT license.
// Keeps the API key out of everything the command prints.

import { type CliEnv, readEnv } from "./env.ts";

/** Secrets shorter than this are not searched for (they would mangle text). */
const MIN_SECRET_LENGTH = 4;

/**
 * Every API key the command may have been given, found before the arguments
 * are parsed (so that even a usage error cannot print one): the value of
 * `HANDOFF_API_KEY`, and of each `--api-key KEY` or `--api-key=KEY`.
 *
 * @param args The command-line arguments.
 * @param env The environment.
 * @returns The secrets, longest first.
 *
 * @example Keys from the environment and the flags
 * ```ts
 * import { secretsIn } from "./redact.ts";
 *
 * const env = { get: (name: string) => name === "HANDOFF_API_KEY" ? "from-env" : undefined };
 * console.assert(secretsIn(["photo", "--api-key=from-flag"], env).join() === "from-flag,from-env");
 * ```
 */
export function secretsIn(args: readonly string[], env: CliEnv): string[] {
  const found = new Set<string>();
  const fromEnv = readEnv(env, "HANDOFF_API_KEY");
  if (fromEnv) found.add(fromEnv);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") break;
    if (arg === "--api-key" && i + 1 < args.length) found.add(args[i + 1]!);
    else if (arg.startsWith("--api-key=")) found.add(arg.slice(10));
  }
  return [...found]
    .filter((secret) => secret.trim().length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
}

/**
 * A function that replaces every secret in a text with `[redacted]`.
 *
 * @param secrets The secrets (from {@linkcode secretsIn}).
 * @returns The redacting function (the identity when there is none).
 *
 * @example Hide a key
 * ```ts
 * import { redactor } from "./redact.ts";
 *
 * const redact = redactor(["s3cret-key"]);
 * console.assert(redact("key s3cret-key refused") === "key [redacted] refused");
 * ```
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  if (secrets.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const secret of secrets) {
      out = out.replaceAll(secret, "[redacted]");
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) out = out.replaceAll(encoded, "[redacted]");
    }
    return out;
  };
}
