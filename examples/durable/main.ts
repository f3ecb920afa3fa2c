// Copyright 2026 the handoff authors. MIT license.
/**
 * Run the durable backend as a process: Deno KV in a local SQLite file, every
 * recorded session resumed on start.
 *
 * ```sh
 * deno task stub &   # a local Handoff server; prints its URL and key
 * HANDOFF_URL=http://127.0.0.1:8080 HANDOFF_API_KEY=… KV_PATH=handoff.sqlite3 \
 *   deno run --unstable-kv --allow-net --allow-env --allow-read=. --allow-write=. \
 *   examples/durable/main.ts
 * ```
 *
 * Environment: `HANDOFF_URL`, `HANDOFF_API_KEY` (required); `KV_PATH` (the
 * SQLite file; default `handoff.sqlite3`; `""` for the default KV, which on
 * Deno Deploy is its distributed KV); `PORT` (default `8000`, `0` for a free
 * one); `HOST` (default `127.0.0.1`); `SESSION_TTL` (default `10m`);
 * `INSTANCE` (the name written into stored results; default a random UUID);
 * `RESUME_EVERY` (milliseconds; also resume every so often, to take over
 * the sessions of an instance that died while this one runs; default `0`,
 * only on start).
 *
 * Prints `Listening on <url>` once it serves, then `resumed <n> sessions`,
 * then one line per session that ends (see `app.ts`). SIGINT or SIGTERM stop
 * it cleanly; SIGKILL loses nothing either, as the next start resumes.
 *
 * @module
 */

import { HandoffClient } from "@handoff/client";
import { createDurableApp } from "./app.ts";
import { ResultStore } from "./store.ts";

if (import.meta.main) {
  const baseUrl = Deno.env.get("HANDOFF_URL");
  const apiKey = Deno.env.get("HANDOFF_API_KEY");
  if (!baseUrl || !apiKey) {
    console.error(
      "Set HANDOFF_URL and HANDOFF_API_KEY (`deno task stub` starts a local server).",
    );
    Deno.exit(2);
  }
  if (typeof Deno.openKv !== "function") {
    console.error("Deno KV is unstable in Deno 2: run with --unstable-kv.");
    Deno.exit(2);
  }
  const path = Deno.env.get("KV_PATH") ?? "handoff.sqlite3";
  using kv = await Deno.openKv(path === "" ? undefined : path);
  const instance = Deno.env.get("INSTANCE");
  const store = new ResultStore(kv, instance === undefined ? {} : { instance });
  const sessionTtl = Deno.env.get("SESSION_TTL");
  await using app = createDurableApp({
    client: new HandoffClient({ baseUrl, apiKey }),
    store,
    ...(sessionTtl === undefined ? {} : { sessionTtl }),
  });

  const shutdown = new AbortController();
  const stop = (): void => shutdown.abort();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, stop);
  }
  const server = Deno.serve({
    hostname: Deno.env.get("HOST") ?? "127.0.0.1",
    port: Number(Deno.env.get("PORT") ?? 8000),
    signal: shutdown.signal,
    onListen({ hostname, port }) {
      console.log(`Listening on http://${hostname}:${port}/`);
    },
  }, app.fetch);
  // New sessions are served while the recorded ones are looked up.
  console.log(`resumed ${await app.resume()} sessions`);
  const every = Number(Deno.env.get("RESUME_EVERY") ?? 0);
  const timer = every > 0
    ? setInterval(() => {
      app.resume().then(
        (picked) => picked > 0 && console.log(`resumed ${picked} sessions`),
        (error) => console.error("resume failed:", error),
      );
    }, every)
    : undefined;
  await server.finished;
  clearInterval(timer);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.removeSignalListener(signal, stop);
  }
  // `await using` closes the app (the sessions stay recorded), then the KV.
}
