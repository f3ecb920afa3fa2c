// Copyright 2026 the handoff authors. MIT license.
/**
 * Serve the `<handoff-session>` example with `Deno.serve`.
 *
 * ```sh
 * deno task stub &   # a local Handoff server; prints its URL and key
 * HANDOFF_URL=http://127.0.0.1:8080 HANDOFF_API_KEY=… \
 *   deno run --allow-net --allow-env --allow-read --allow-run main.ts
 * ```
 *
 * Environment: `HANDOFF_URL`, `HANDOFF_API_KEY` (required), `HOST` (default
 * `127.0.0.1`), `PORT` (default `8000`).
 *
 * The element is TypeScript; the browser needs JavaScript. Rather than a
 * build step (or a hand-kept copy), the app runs `deno bundle` once when it
 * starts ({@linkcode bundleElement}: Deno's bundler, esbuild underneath,
 * strips the types) and serves the result as `/element.js`. An app with its
 * own bundler (Vite, esbuild…) just writes `import "@handoff/client/element"`
 * in its page's code instead.
 *
 * @module
 */

import { HandoffClient } from "@handoff/client";
import { createApp } from "./app.ts";

/** The element's source in this repository. */
const ELEMENT = new URL("../../element.ts", import.meta.url);

/**
 * The `<handoff-session>` element as one browser ES module, made by
 * `deno bundle --platform browser` (needs `--allow-run` and read access to
 * the file).
 *
 * @param entry The element's module. @default {this repository's element.ts}
 * @returns The JavaScript.
 * @throws {Error} The bundler failed, with its output.
 */
export async function bundleElement(entry: URL = ELEMENT): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--format",
      "esm",
      entry.protocol === "file:"
        ? decodeURIComponent(entry.pathname)
        : entry.href,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  if (code !== 0) {
    throw new Error(
      `deno bundle failed (exit ${code}):\n${new TextDecoder().decode(stderr)}`,
    );
  }
  return new TextDecoder().decode(stdout);
}

if (import.meta.main) {
  const baseUrl = Deno.env.get("HANDOFF_URL");
  const apiKey = Deno.env.get("HANDOFF_API_KEY");
  if (!baseUrl || !apiKey) {
    console.error(
      "Set HANDOFF_URL and HANDOFF_API_KEY (`deno task stub` starts a local server).",
    );
    Deno.exit(2);
  }
  await using app = createApp({
    client: new HandoffClient({ baseUrl, apiKey }),
    elementScript: await bundleElement(),
  });
  const shutdown = new AbortController();
  const onInterrupt = () => {
    app.dropStreams(); // the server waits for open responses to end
    shutdown.abort();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  const server = Deno.serve({
    hostname: Deno.env.get("HOST") ?? "127.0.0.1",
    port: Number(Deno.env.get("PORT") ?? 8000),
    signal: shutdown.signal,
  }, app.fetch);
  await server.finished;
  Deno.removeSignalListener("SIGINT", onInterrupt);
}
