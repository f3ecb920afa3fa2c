// Copyright 2026 the handoff authors. MIT license.
/**
 * `handoff`: collect a photo, a signature or a document scan from the
 * command line, without writing an app.
 *
 * ```sh
 * export HANDOFF_URL=https://handoff.example.com HANDOFF_API_KEY=…
 * deno run -A jsr:@handoff/client/cli photo --out ./photos
 * deno run -A jsr:@handoff/client/cli signature --stub   # no server needed
 * ```
 *
 * It creates a session, shows its QR code in the terminal (Unicode half
 * blocks, dark on light) with the link, keeps a status line up to date
 * (pending, opened, started, completed, and the time left), then saves the
 * result files into `--out`, named by their content type (`photo.jpg`,
 * `signature.svg`, `scan-1.pdf`, `scan-1-page-2.jpg`) and never over an
 * existing file. `--json` prints one JSON object per event on stdout for
 * scripts ({@linkcode CliEvent}), the human text then going to stderr.
 * The server comes from `HANDOFF_URL` and `HANDOFF_API_KEY` (`--url` and
 * `--api-key` win); the key is never printed. `--stub` runs the library's
 * stub server in the process instead, and the session is completed on its
 * phone page in a browser. `handoff --help` lists every flag
 * ({@linkcode USAGE}).
 *
 * Exit codes ({@linkcode EXIT_CODES}):
 *
 * | code | meaning                                                                  |
 * | ---- | ------------------------------------------------------------------------ |
 * | 0    | done: the files are saved                                                |
 * | 1    | another failure: a server error, an unexpected answer, a file not written |
 * | 2    | bad usage: an unknown flag, a bad value, no server URL or API key        |
 * | 3    | unauthorized: the server refused the API key                             |
 * | 4    | expired: the session expired before it was completed                     |
 * | 5    | network failure: the server could not be reached or did not answer      |
 * | 130  | interrupted (Ctrl+C): the session was closed                             |
 * | 143  | terminated (SIGTERM): the session was closed                             |
 *
 * @example Run it from a program and read its JSON events
 * ```ts ignore
 * const child = new Deno.Command(Deno.execPath(), {
 *   args: ["run", "-A", "jsr:@handoff/client/cli", "photo", "--json", "--out", "photos"],
 *   stdout: "piped",
 * }).spawn();
 * for await (const line of child.stdout.pipeThrough(new TextDecoderStream())) {
 *   console.log(line); // {"event":"created",…} {"event":"status",…} … {"event":"saved",…}
 * }
 * const { code } = await child.status; // 0, or one of EXIT_CODES
 * ```
 *
 * @module
 */

import { parseCli, UsageError } from "./cli/args.ts";
import type { CliEnv } from "./cli/env.ts";
import { redactor, secretsIn } from "./cli/redact.ts";
import { run } from "./cli/run.ts";
import { abortOnSignals } from "./cli/signals.ts";
import { textSink } from "./cli/sink.ts";
import { USAGE, USAGE_HINT } from "./cli/usage.ts";

export type { CliEnv } from "./cli/env.ts";
export type { CliEvent } from "./cli/events.ts";
export type { SavedFile } from "./cli/download.ts";
export { EXIT_CODES, type ExitReason } from "./cli/exit_codes.ts";
export { USAGE } from "./cli/usage.ts";

/**
 * Run the `handoff` command with `args` (what follows the program name),
 * writing to stdout and stderr, until the files are saved, the session
 * fails, or Ctrl+C closes it.
 *
 * @param args The command-line arguments, e.g. `["photo", "--out", "photos"]`.
 * @param env Where `HANDOFF_URL` and `HANDOFF_API_KEY` are read.
 * @returns The exit code: one of {@linkcode EXIT_CODES}.
 *
 * @example Print the help
 * ```ts
 * import { EXIT_CODES, main } from "@handoff/client/cli";
 *
 * console.assert(await main(["--help"]) === EXIT_CODES.ok);
 * console.assert(await main(["video"]) === EXIT_CODES.usage); // no such action
 * ```
 */
export async function main(
  args: readonly string[],
  env: CliEnv = Deno.env,
): Promise<number> {
  const redact = redactor(secretsIn(args, env));
  const stdout = textSink(Deno.stdout, redact);
  const stderr = textSink(Deno.stderr, redact);
  let parsed;
  try {
    parsed = parseCli(args, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr.write(`handoff: ${error.message}\n${USAGE_HINT}\n`);
    return 2;
  }
  if (parsed.help) {
    stdout.write(USAGE);
    return 0;
  }
  const controller = new AbortController();
  const stop = abortOnSignals(controller);
  try {
    return await run(parsed.config, { stdout, stderr }, controller.signal);
  } finally {
    stop();
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
