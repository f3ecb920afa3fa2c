// Bundle the runtime scenario for Node, Bun, workerd and edge-runtime.
// Usage: node build.mjs <outdir>
//        node build.mjs <outdir> <name>=<entry.ts> ...   (one ESM bundle per
//        entry, `<outdir>/<name>.mjs`: the examples' Bun server and Worker)
//        node build.mjs <outdir> --node <name>=<entry.ts> ...   (the same,
//        bundled for Node and Bun as cli.mjs is, with `ws`)
// `@handoff/client` resolves to this repository's sources, as it does in Deno;
// an `npm:<name>@<version>` specifier (how the Deno sources pin a package
// that deno.json does not map) to that package of tools/runtimes, which must
// be pinned there at the same version.
import * as esbuild from "esbuild";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const outdir = path.resolve(
  process.argv[2] ?? path.join(root, "tests/runtimes/dist"),
);
const forNode = process.argv[3] === "--node";
const entries = process.argv.slice(forNode ? 4 : 3);

/** `@handoff/client` and `@handoff/client/testing`: the package's own name. */
const selfReference = {
  name: "handoff-self-reference",
  setup(build) {
    build.onResolve({ filter: /^@handoff\/client(\/testing)?$/ }, (args) => ({
      path: path.join(
        root,
        args.path.endsWith("/testing") ? "testing.ts" : "mod.ts",
      ),
    }));
  },
};
/** `npm:<name>@<version>[/<path>]`: the same version from tools/runtimes. */
const npmSpecifiers = {
  name: "handoff-npm-specifiers",
  setup(build) {
    build.onResolve({ filter: /^npm:/ }, async (args) => {
      const match = /^npm:((?:@[^/@]+\/)?[^/@]+)@([^/]+)(\/.*)?$/.exec(
        args.path,
      );
      if (match === null) {
        return {
          errors: [{
            text: `${args.path}: pin an exact version (npm:<name>@<version>)`,
          }],
        };
      }
      const [, name, version, subpath = ""] = match;
      const manifest = path.join(here, "node_modules", name, "package.json");
      const installed = await readFile(manifest, "utf8").then(
        (text) => JSON.parse(text).version,
        () => undefined,
      );
      if (installed !== version) {
        return {
          errors: [{
            text: `${args.path}: tools/runtimes has ${name}@${
              installed ?? "(not installed)"
            }; pin ${name}@${version} in tools/runtimes/package.json (npm install --save-exact)`,
          }],
        };
      }
      return await build.resolve(name + subpath, {
        kind: args.kind,
        resolveDir: here,
      });
    });
  },
};
const common = {
  bundle: true,
  logLevel: "error",
  nodePaths: [path.join(here, "node_modules")],
  target: "es2022",
  plugins: [selfReference, npmSpecifiers],
};
/**
 * Workers and edge functions: the conditions their bundlers use, so `ws`
 * (loaded only where Node's sockets exist) resolves to its browser build,
 * which these runtimes never call.
 */
const edge = {
  ...common,
  platform: "neutral",
  mainFields: ["module", "main"],
  conditions: ["workerd", "worker", "browser"],
};
/** Node and Bun: `ws` is bundled, and its CommonJS gets a `require`. */
const node = {
  ...common,
  platform: "node",
  format: "esm",
  banner: {
    js:
      'import { createRequire as __handoffRequire } from "node:module"; const require = __handoffRequire(import.meta.url);',
  },
};

if (entries.length > 0) {
  await Promise.all(entries.map((pair) => {
    const at = pair.indexOf("=");
    if (at <= 0) throw new Error(`expected <name>=<entry.ts>, got ${pair}`);
    return esbuild.build({
      ...(forNode ? node : edge),
      entryPoints: [path.resolve(root, pair.slice(at + 1))],
      outfile: path.join(outdir, `${pair.slice(0, at)}.mjs`),
      format: "esm",
    });
  }));
} else {
  await Promise.all([
    esbuild.build({
      ...node,
      entryPoints: [path.join(root, "tests/runtimes/cli_entry.ts")],
      outfile: path.join(outdir, "cli.mjs"),
    }),
    esbuild.build({
      ...edge,
      entryPoints: [path.join(root, "tests/runtimes/worker_entry.ts")],
      outfile: path.join(outdir, "worker.mjs"),
      format: "esm",
    }),
    esbuild.build({
      ...edge,
      entryPoints: [path.join(root, "tests/runtimes/edge_entry.ts")],
      outfile: path.join(outdir, "edge.js"),
      format: "iife",
    }),
  ]);
}
console.log(outdir);
