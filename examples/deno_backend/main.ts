// Copyright 2026 the handoff authors. MIT license.
/**
 * Serve the photo app with `Deno.serve`, storing photos in a directory.
 *
 * ```sh
 * deno task stub &   # a local Handoff server; prints its URL and key
 * HANDOFF_URL=http://127.0.0.1:8080 HANDOFF_API_KEY=… \
 *   deno run --allow-net --allow-env --allow-read=photos --allow-write=photos main.ts
 * ```
 *
 * Environment: `HANDOFF_URL`, `HANDOFF_API_KEY` (required), `PHOTO_DIR`
 * (default `photos`), `HOST` (default `127.0.0.1`), `PORT` (default `8000`).
 * Ctrl-C stops waiting for open sessions and exits.
 *
 * @module
 */

import { HandoffClient } from "@handoff/client";
import {
  createApp,
  extensionFor,
  type PhotoStore,
  type StoredPhoto,
} from "./app.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A {@linkcode PhotoStore} that writes `<dir>/<session id><extension>`, the
 * extension from the photo's content type (`.jpg`, `.png`, `.heic`…: the
 * camera's format, whatever output format was asked for), and beside it
 * `<session id>.json` with the content type and the phone's file name.
 *
 * @param dir The directory; created on the first photo.
 * @returns The store.
 */
export function directoryStore(dir: string): PhotoStore {
  return {
    async put(photo) {
      await Deno.mkdir(dir, { recursive: true });
      const file = `${photo.sessionId}${extensionFor(photo.contentType)}`;
      await Deno.writeFile(`${dir}/${file}`, photo.data);
      await Deno.writeTextFile(
        `${dir}/${photo.sessionId}.json`,
        JSON.stringify({
          file,
          contentType: photo.contentType,
          filename: photo.filename,
        }),
      );
    },
    async get(sessionId): Promise<StoredPhoto | undefined> {
      if (!UUID.test(sessionId)) return undefined;
      let meta: { file: string; contentType: string; filename: string };
      try {
        meta = JSON.parse(
          await Deno.readTextFile(`${dir}/${sessionId}.json`),
        );
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return undefined;
        throw error;
      }
      return {
        sessionId,
        contentType: meta.contentType,
        filename: meta.filename,
        data: await Deno.readFile(`${dir}/${meta.file}`),
      };
    },
  };
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
  const client = new HandoffClient({ baseUrl, apiKey });
  await using app = createApp({
    client,
    store: directoryStore(Deno.env.get("PHOTO_DIR") ?? "photos"),
  });
  const shutdown = new AbortController();
  const onInterrupt = () => shutdown.abort();
  Deno.addSignalListener("SIGINT", onInterrupt);
  const server = Deno.serve({
    hostname: Deno.env.get("HOST") ?? "127.0.0.1",
    port: Number(Deno.env.get("PORT") ?? 8000),
    signal: shutdown.signal,
  }, app.fetch);
  await server.finished;
  Deno.removeSignalListener("SIGINT", onInterrupt);
  // `await using` closes the app here: open sessions stop being watched.
}
