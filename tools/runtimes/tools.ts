// Copyright 2026 the handoff authors. MIT license.
// The pinned runtimes and bundler of tools/runtimes (Bun, Node tooling,
// miniflare, edge-runtime, esbuild), for the tests that run code outside
// Deno: installed with `npm ci` on first use.

import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url).pathname;

/** The folder of the pinned runtimes. */
export const TOOLS: string = `${root}tools/runtimes`;

/** Run a command to completion; its output as text. */
export async function run(
  command: string,
  args: string[],
  cwd: string = root,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(command, {
    args,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

let installed: Promise<void> | undefined;

/** `npm ci` in tools/runtimes, once per process, when its packages are missing. */
export function installRuntimes(): Promise<void> {
  installed ??= (async () => {
    const present = await Deno.stat(`${TOOLS}/node_modules/.bin/bun`).then(
      () => true,
      () => false,
    );
    if (present) return;
    const npm = await run(
      "npm",
      ["ci", "--no-audit", "--no-fund", "--loglevel=error"],
      TOOLS,
    );
    assert.equal(
      npm.code,
      0,
      `npm ci in tools/runtimes failed:\n${npm.stderr}`,
    );
  })();
  return installed;
}
