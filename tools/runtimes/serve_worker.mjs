// Serve a module worker from workerd through miniflare, on 127.0.0.1 and a
// free port, until stdin closes or SIGTERM/SIGINT arrives.
// Usage: node serve_worker.mjs <worker.mjs> <bindings json>
// Prints `Listening on <url>` once the worker answers.
import { Miniflare } from "miniflare";
import { readFile } from "node:fs/promises";

const [script, bindings] = process.argv.slice(2);
const mf = new Miniflare({
  modules: true,
  script: await readFile(script, "utf8"),
  scriptPath: script,
  compatibilityDate: "2026-01-01",
  bindings: JSON.parse(bindings ?? "{}"),
  host: "127.0.0.1",
  port: 0,
});
const url = await mf.ready;
console.log(`Listening on ${url.href}`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await mf.dispose();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.resume();
