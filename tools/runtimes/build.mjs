// Bundle the runtime scenario for Node, Bun, workerd and edge-runtime.
// Usage: node build.mjs <outdir>
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const outdir = path.resolve(
  process.argv[2] ?? path.join(root, "tests/runtimes/dist"),
);
const common = {
  bundle: true,
  logLevel: "error",
  nodePaths: [path.join(here, "node_modules")],
  target: "es2022",
};
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
console.log(outdir);
