// Copyright 2026 the handoff authors. MIT license.
// Streaming one result file to disk, with its progress.

import type { HandoffClient } from "../mod.ts";
import {
  createUniqueFile,
  type DownloadTarget,
  extensionFor,
} from "./files.ts";

/**
 * A result file saved to disk, as the `saved` event of `--json` lists it.
 *
 * @example Read the files a run saved
 * ```ts
 * import type { SavedFile } from "@handoff/client/cli";
 *
 * const files: SavedFile[] = [{ path: "photos/photo.jpg", contentType: "image/jpeg", bytes: 630 }];
 * const images = files.filter((file) => file.contentType.startsWith("image/"));
 * console.assert(images.length === 1);
 * ```
 */
export interface SavedFile {
  /** Where it was written. */
  readonly path: string;
  /** Its content type, as the server sent it. */
  readonly contentType: string;
  /** Its size in bytes. */
  readonly bytes: number;
}

/**
 * How a download is going: bytes so far, and the total when known.
 *
 * @example
 * ```ts
 * import type { DownloadProgress } from "./download.ts";
 *
 * const percent = ({ bytes, total }: DownloadProgress) =>
 *   total ? Math.floor((bytes / total) * 100) : undefined;
 * console.assert(percent({ path: "photo.jpg", bytes: 315, total: 630 }) === 50);
 * ```
 */
export interface DownloadProgress {
  /** The file being written. */
  readonly path: string;
  /** Bytes written so far. */
  readonly bytes: number;
  /** The size the server announced, if it did. */
  readonly total?: number;
}

/**
 * Options of {@linkcode saveDownload}.
 *
 * @example
 * ```ts
 * import type { SaveOptions } from "./download.ts";
 *
 * const options: SaveOptions = {
 *   signal: AbortSignal.timeout(60_000),
 *   onProgress: ({ path, bytes }) => console.log(path, bytes),
 * };
 * ```
 */
export interface SaveOptions {
  /** Cancels the download; the partial file is removed. */
  readonly signal?: AbortSignal;
  /** Called when the file is created and after each chunk written. */
  readonly onProgress?: (progress: DownloadProgress) => void;
}

/**
 * Download one result file into `dir`, streamed (memory does not grow with
 * the file), under a name of its content type that no existing file has.
 * When the download or a write fails, the partial file is removed.
 *
 * @param client The client to download with.
 * @param target What to download and its name.
 * @param dir The directory (it must exist).
 * @param options `signal`, `onProgress`.
 * @returns The saved file.
 *
 * @example Save a photo the stub phone sent
 * ```ts
 * import { HandoffClient } from "../mod.ts";
 * import { startStubServer } from "../testing.ts";
 * import { saveDownload } from "./download.ts";
 *
 * await using server = await startStubServer();
 * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
 * await using session = await client.createSession({ action: "photo", outputFormat: "jpg" });
 * await server.phone.complete(session.id);
 * const [item] = await session.waitForResult();
 * await Deno.mkdir(".tmp", { recursive: true });
 * const dir = await Deno.makeTempDir({ dir: ".tmp" });
 * const saved = await saveDownload(client, { source: item!.downloadId, base: "photo", contentType: item!.contentType }, dir);
 * console.assert(saved.path.endsWith("photo.jpg") && saved.bytes > 0);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveDownload(
  client: HandoffClient,
  target: DownloadTarget,
  dir: string,
  options: SaveOptions = {},
): Promise<SavedFile> {
  const { signal, onProgress } = options;
  const download = await client.downloadStream(
    target.source,
    signal !== undefined ? { signal } : {},
  );
  const contentType = download.contentType || target.contentType;
  let created;
  try {
    created = await createUniqueFile(
      dir,
      target.base,
      extensionFor(contentType, target.filename),
    );
  } catch (error) {
    await download.body.cancel().catch(() => {});
    throw error;
  }
  const { path, file } = created;
  const total = download.contentLength;
  const progress = (bytes: number): void =>
    onProgress?.({ path, bytes, ...(total !== undefined ? { total } : {}) });
  let bytes = 0;
  try {
    progress(0);
    for await (const chunk of download.body) {
      let rest = chunk;
      while (rest.length > 0) rest = rest.subarray(await file.write(rest));
      bytes += chunk.length;
      progress(bytes);
    }
    file.close();
  } catch (error) {
    try {
      file.close();
    } catch {
      // already closed
    }
    await Deno.remove(path).catch(() => {});
    throw error;
  }
  return { path, contentType, bytes };
}
