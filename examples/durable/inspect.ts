// Copyright 2026 the handoff authors. MIT license.
/**
 * Print what the durable backend keeps in a KV file, as one JSON object:
 * the pending sessions, the stored results, the store counter and the chunks
 * per session and attempt (only the stored attempt's should be left).
 *
 * ```sh
 * deno run --unstable-kv --allow-read=. --allow-write=. \
 *   examples/durable/inspect.ts handoff.sqlite3
 * ```
 *
 * @module
 */

import {
  type PendingSession,
  ResultStore,
  type StoredResult,
} from "./store.ts";

/** What {@linkcode inspectKv} reports. */
export interface KvReport {
  /** The sessions still recorded as pending. */
  readonly pending: readonly PendingSession[];
  /** The manifests of the stored results, by session id. */
  readonly results: Readonly<Record<string, StoredResult>>;
  /** How many results were stored, all instances together. */
  readonly stores: number;
  /** Session id → attempt id → number of chunks kept. */
  readonly chunks: Readonly<Record<string, Record<string, number>>>;
}

/**
 * Read the backend's records from an open KV.
 *
 * @param kv The KV.
 * @returns The report.
 */
export async function inspectKv(kv: Deno.Kv): Promise<KvReport> {
  const store = new ResultStore(kv, { instance: "inspect" });
  const chunks = await store.chunkCounts();
  const results: Record<string, StoredResult> = {};
  for await (
    const entry of kv.list<StoredResult>({ prefix: ["handoff", "results"] })
  ) results[entry.value.id] = entry.value;
  return {
    pending: await store.pending(),
    results,
    stores: Number(await store.storeCount()),
    chunks,
  };
}

if (import.meta.main) {
  const path = Deno.args[0];
  if (path === undefined) {
    console.error("usage: inspect.ts <kv file>");
    Deno.exit(2);
  }
  using kv = await Deno.openKv(path);
  console.log(JSON.stringify(await inspectKv(kv), null, 2));
}
