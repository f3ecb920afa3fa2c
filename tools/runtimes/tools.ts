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

/**
 * Whether every package of tools/runtimes/package.json is installed at its
 * pinned version (a checkout that pinned a new one needs `npm ci` again).
 */
async function upToDate(): Promise<boolean> {
  try {
    const manifest = JSON.parse(
      await Deno.readTextFile(`${TOOLS}/package.json`),
    ) as { dependencies: Record<string, string> };
    for (const [name, version] of Object.entries(manifest.dependencies)) {
      const installed = JSON.parse(
        await Deno.readTextFile(`${TOOLS}/node_modules/${name}/package.json`),
      ) as { version: string };
      if (installed.version !== version) return false;
    }
    return await Deno.stat(`${TOOLS}/node_modules/.bin/bun`).then(
      () => true,
      () => false,
    );
  } catch {
    return false;
  }
}

/**
 * `npm ci` in tools/runtimes, once per process, when its packages are
 * missing or not the pinned versions.
 */
export function installRuntimes(): Promise<void> {
  installed ??= (async () => {
    if (await upToDate()) return;
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
