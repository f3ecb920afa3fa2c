// Bundle the runtime scenario for Node, Bun, workerd and edge-runtime.
// Usage: node build.mjs <outdir>
//        node build.mjs <outdir> <name>=<entry.ts> ...   (one ESM bundle per
//        entry, `<outdir>/<name>.mjs`: the examples' Bun server and Worker)
// `@handoff/client` resolves to this repository's sources, as it does in Deno.
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const outdir = path.resolve(
  process.argv[2] ?? path.join(root, "tests/runtimes/dist"),
);
const entries = process.argv.slice(3);

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
const common = {
  bundle: true,
  logLevel: "error",
  nodePaths: [path.join(here, "node_modules")],
  target: "es2022",
  plugins: [selfReference],
};

if (entries.length > 0) {
  await Promise.all(entries.map((pair) => {
    const at = pair.indexOf("=");
    if (at <= 0) throw new Error(`expected <name>=<entry.ts>, got ${pair}`);
    return esbuild.build({
      ...common,
      entryPoints: [path.resolve(root, pair.slice(at + 1))],
      outfile: path.join(outdir, `${pair.slice(0, at)}.mjs`),
      format: "esm",
      platform: "neutral",
      mainFields: ["module", "main"],
    });
  }));
} else {
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: [path.join(root, "tests/runtimes/cli_entry.ts")],
      outfile: path.join(outdir, "cli.mjs"),
      format: "esm",
      platform: "neutral",
      mainFields: ["module", "main"],
    }),
    esbuild.build({
      ...common,
      entryPoints: [path.join(root, "tests/runtimes/worker_entry.ts")],
      outfile: path.join(outdir, "worker.mjs"),
      format: "esm",
      platform: "neutral",
      mainFields: ["module", "main"],
    }),
    esbuild.build({
      ...common,
      entryPoints: [path.join(root, "tests/runtimes/edge_entry.ts")],
      outfile: path.join(outdir, "edge.js"),
      format: "iife",
      platform: "neutral",
      mainFields: ["module", "main"],
    }),
  ]);
}
console.log(outdir);
