// Copyright 2026 the handoff authors. MIT license.
/**
 * The photo app of `../deno_backend/app.ts`, served by `Bun.serve`, storing
 * photos in a directory with `Bun.write`.
 *
 * ```sh
 * bunx jsr add @handoff/client
 * HANDOFF_URL=http://127.0.0.1:8080 HANDOFF_API_KEY=… bun run server.ts
 * ```
 *
 * Environment: `HANDOFF_URL`, `HANDOFF_API_KEY` (required), `PHOTO_DIR`
 * (default `photos`), `HOST` (default `127.0.0.1`), `PORT` (default `3000`).
 *
 * @module
 */

import { HandoffClient } from "@handoff/client";
import {
  createApp,
  extensionFor,
  type PhotoStore,
} from "../deno_backend/app.ts";

// The few Bun APIs used here. In a Bun project, delete these declarations and
// `bun add -d @types/bun` instead; they are here so that this repository's
// `deno check` covers the file.
interface BunServer {
  readonly url: URL;
  stop(closeActiveConnections?: boolean): Promise<void>;
}
interface BunFile {
  exists(): Promise<boolean>;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
}
declare const Bun: {
  readonly env: Record<string, string | undefined>;
  serve(options: {
    hostname: string;
    port: number;
    fetch: (request: Request) => Promise<Response>;
  }): BunServer;
  write(path: string, data: Uint8Array | string): Promise<number>;
  file(path: string): BunFile;
};
declare const process: {
  on(signal: "SIGINT" | "SIGTERM", listener: () => void): void;
  exit(code?: number): never;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A store that writes `<dir>/<session id><extension>` (the extension from the
 * photo's content type: the camera's format, whatever output format was
 * asked for) and `<session id>.json` (the content type and the phone's file
 * name). `Bun.write` creates `dir`.
 *
 * @param dir The directory.
 * @returns The store.
 */
export function bunDirectoryStore(dir: string): PhotoStore {
  return {
    async put(photo) {
      const file = `${photo.sessionId}${extensionFor(photo.contentType)}`;
      await Bun.write(`${dir}/${file}`, photo.data);
      await Bun.write(
        `${dir}/${photo.sessionId}.json`,
        JSON.stringify({
          file,
          contentType: photo.contentType,
          filename: photo.filename,
        }),
      );
    },
    async get(sessionId) {
      if (!UUID.test(sessionId)) return undefined;
      const meta = Bun.file(`${dir}/${sessionId}.json`);
      if (!(await meta.exists())) return undefined;
      const { file, contentType, filename } = JSON.parse(await meta.text());
      const data = await Bun.file(`${dir}/${file}`).arrayBuffer();
      return { sessionId, contentType, filename, data: new Uint8Array(data) };
    },
  };
}

/** Start the app from the environment; it stops on SIGINT or SIGTERM. */
export function main(): void {
  const baseUrl = Bun.env.HANDOFF_URL;
  const apiKey = Bun.env.HANDOFF_API_KEY;
  if (!baseUrl || !apiKey) {
    console.error("Set HANDOFF_URL and HANDOFF_API_KEY.");
    process.exit(2);
  }
  const app = createApp({
    client: new HandoffClient({ baseUrl, apiKey }),
    store: bunDirectoryStore(Bun.env.PHOTO_DIR ?? "photos"),
  });
  const server = Bun.serve({
    hostname: Bun.env.HOST ?? "127.0.0.1",
    port: Number(Bun.env.PORT ?? 3000),
    fetch: app.fetch,
  });
  console.log(`Listening on ${server.url.href}`);
  const stop = async () => {
    await server.stop();
    await app.close(); // stop watching open sessions
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (import.meta.main) main();
