// Run the scenario inside Vercel's edge-runtime.
// Usage: node run_edge.mjs <bundle dir> <input json>
import { EdgeRuntime, runServer } from "edge-runtime";
import { readFile } from "node:fs/promises";
import path from "node:path";

const [dir, input] = process.argv.slice(2);
const runtime = new EdgeRuntime({
  initialCode: await readFile(path.join(dir, "edge.js"), "utf8"),
});
const server = await runServer({ runtime, host: "127.0.0.1", port: 0 });
try {
  const response = await fetch(server.url, { method: "POST", body: input });
  console.log(await response.text());
} finally {
  // close() waits for idle keep-alive sockets; the answer is printed already.
  process.exit(0);
}
