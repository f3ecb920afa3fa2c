// Run the scenario inside Cloudflare's workerd through miniflare.
// Usage: node run_worker.mjs <bundle dir> <input json>
import { Miniflare } from "miniflare";
import { readFile } from "node:fs/promises";
import path from "node:path";

const [dir, input] = process.argv.slice(2);
const mf = new Miniflare({
  modules: true,
  script: await readFile(path.join(dir, "worker.mjs"), "utf8"),
  compatibilityDate: "2026-01-01",
});
try {
  const response = await mf.dispatchFetch("http://worker/", {
    method: "POST",
    body: input,
  });
  console.log(await response.text());
} finally {
  await mf.dispose();
}
