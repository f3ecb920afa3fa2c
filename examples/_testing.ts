// Copyright 2026 the handoff authors. MIT license.
// Helpers of the examples' tests (not part of any example): a scratch
// directory the `test` task may write to, child processes that serve HTTP,
// and the pinned runtimes of tools/runtimes (Bun, miniflare, esbuild).

import assert from "node:assert/strict";
import { installRuntimes, run, TOOLS } from "../tools/runtimes/tools.ts";

const root = new URL("../", import.meta.url).pathname;

export { TOOLS };

/**
 * A fresh directory under `.tmp/` in the repository: the `test` task grants
 * `--allow-write=.tmp` and nothing wider. Removed when disposed.
 */
export async function tempDir(
  prefix: string,
): Promise<AsyncDisposable & { readonly path: string }> {
  await Deno.mkdir(`${root}.tmp`, { recursive: true });
  const path = await Deno.makeTempDir({ dir: `${root}.tmp`, prefix });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true });
    },
  };
}

/**
 * Bundle entries with tools/runtimes/build.mjs (esbuild; `@handoff/client`
 * resolves to this repository) into `outdir/<name>.mjs`.
 *
 * @param outdir Where the bundles go.
 * @param entries Bundle name → entry file relative to the repository root.
 */
export async function bundle(
  outdir: string,
  entries: Record<string, string>,
): Promise<void> {
  await installRuntimes();
  const build = await run("node", [
    `${TOOLS}/build.mjs`,
    outdir,
    ...Object.entries(entries).map(([name, entry]) => `${name}=${entry}`),
  ]);
  assert.equal(build.code, 0, `bundling failed:\n${build.stderr}`);
}

/** A child process that serves HTTP. */
export interface ServerProcess extends AsyncDisposable {
  /**
   * The URL from its `Listening on <url>` line (or what the `ready` pattern
   * captured), without a trailing slash.
   */
  readonly url: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /**
   * Send `signal` (or close its stdin when `"stdin"`), wait for it to exit,
   * and return its exit code.
   */
  stop(signal?: Deno.Signal | "stdin"): Promise<number>;
}

/**
 * Start a child process and wait for its `Listening on <url>` line.
 *
 * @param command The program.
 * @param args Its arguments.
 * @param env Extra environment variables.
 * @param ready A line that says the process is ready; group 1 is the URL.
 * @returns The running process; dispose of it (SIGTERM) when done.
 */
export async function startServerProcess(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  ready: RegExp = /Listening on (https?:\/\/\S+)/,
): Promise<ServerProcess> {
  const child = new Deno.Command(command, {
    args,
    cwd: root,
    env: { NO_COLOR: "1", ...env },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let printed = "";
  let listening!: (url: string) => void;
  const url = new Promise<string>((resolve) => listening = resolve);
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    let line = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      printed += chunk;
      line += chunk;
      const lines = line.split("\n");
      line = lines.pop()!;
      for (const l of lines) {
        const match = ready.exec(l);
        if (match) listening(match[1]!.replace(/\/$/, ""));
      }
    }
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  const stdin = child.stdin.getWriter();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });

  let stopped: Promise<number> | undefined;
  const stop = (signal: Deno.Signal | "stdin" = "SIGTERM"): Promise<number> => {
    stopped ??= (async () => {
      if (signal === "stdin") await stdin.close().catch(() => {});
      else if (!exited) {
        try {
          child.kill(signal);
        } catch {
          // it exited meanwhile
        }
      }
      const { code } = await status;
      await stdin.close().catch(() => {});
      await drained;
      return code;
    })();
    return stopped;
  };

  const early = status.then(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), 60_000);
  });
  const found = await Promise.race([url, early, timeout]);
  clearTimeout(timer);
  if (typeof found !== "string") {
    await stop();
    throw new Error(
      `${command} ${
        found === null
          ? "did not listen within 60 s"
          : "exited before listening"
      }:\n${printed}`,
    );
  }
  return {
    url: found,
    output: () => printed,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
}

/** Poll `check` every 20 ms until it returns true (for at most `ms`). */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 10_000,
): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
