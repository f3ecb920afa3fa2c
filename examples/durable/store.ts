// Copyright 2026 the handoff authors. MIT license.
/**
 * What the durable backend keeps in Deno KV: the sessions it still waits for,
 * and each result, stored exactly once however many instances try.
 *
 * Keys, under a prefix (`["handoff"]` by default):
 *
 * | key                                          | value                                                 |
 * | -------------------------------------------- | ----------------------------------------------------- |
 * | `pending, <id>`                              | {@linkcode PendingSession}: a session still to follow |
 * | `results, <id>`                              | {@linkcode StoredResult}: the result's manifest       |
 * | `chunks, <id>, <attempt>, <file>, <n>`       | up to 64 KiB of a file's bytes                        |
 * | `stores`                                     | a `Deno.KvU64`: how many results were stored          |
 *
 * A file is cut into 64 KiB chunks (KV's largest value). The manifest names
 * the attempt whose chunks are the result; it is written with
 * `check({ key, versionstamp: null })`, so of two instances storing the same
 * result only the first commit lands, and the other deletes its chunks.
 *
 * @module
 */

import type { ResultAction } from "@handoff/client";

/** A session the backend waits for, as recorded before its QR code is shown. */
export interface PendingSession {
  /** The session id. */
  readonly id: string;
  /** Its action: passed to `attachSession` on resume. */
  readonly actionType: ResultAction;
  /** When the session expires (ISO 8601). */
  readonly expiresAt: string;
}

/** One stored file, as the manifest lists it. */
export interface StoredFileInfo {
  /** The file name the phone gave. */
  readonly filename: string;
  /** Its content type. */
  readonly contentType: string;
  /** Its size in bytes. */
  readonly size: number;
  /** How many chunks hold it. */
  readonly chunks: number;
}

/** A result's manifest: written once, by the instance that stored it. */
export interface StoredResult {
  /** The session id. */
  readonly id: string;
  /** The session's action. */
  readonly actionType: ResultAction;
  /** When it was stored (ISO 8601). */
  readonly storedAt: string;
  /** The instance that stored it. */
  readonly storedBy: string;
  /** The attempt whose chunks hold the bytes. */
  readonly attempt: string;
  /** The files, in result order. */
  readonly files: readonly StoredFileInfo[];
}

/** A downloaded file handed to {@linkcode ResultStore.storeOnce}. */
export interface ResultFile {
  /** The file name the phone gave. */
  readonly filename: string;
  /** Its content type. */
  readonly contentType: string;
  /** The bytes. */
  readonly data: Uint8Array;
}

/** A stored file read back. */
export interface StoredFile extends StoredFileInfo {
  /** The bytes. */
  readonly data: Uint8Array;
}

/**
 * What {@linkcode ResultStore.storeOnce} did: `stored` (this call wrote the
 * result) or `duplicate` (another call had, or won the race; nothing of this
 * one is left).
 */
export type StoreOutcome = "stored" | "duplicate";

/** Options of {@linkcode ResultStore}. */
export interface ResultStoreOptions {
  /** The key prefix. @default {["handoff"]} */
  prefix?: Deno.KvKey;
  /** Names this instance in the manifests it writes. @default {a random UUID} */
  instance?: string;
  /**
   * How long a pending entry outlives its session's expiry before KV drops
   * it by itself, in milliseconds: a safety net for entries no instance
   * resumes. A session past its expiry cannot be followed (the server says
   * `expired`, completed or not). @default {3600000}
   */
  pendingGraceMs?: number;
}

/** KV's largest value (65,536 bytes). */
export const CHUNK_BYTES = 64 * 1024;
/**
 * Chunks per atomic commit: 8 × 64 KiB = 512 KiB, under KV's 800 KiB limit on
 * the mutations of one commit, with room for the manifest.
 */
const CHUNKS_PER_COMMIT = 8;
/** Deletes per atomic commit, under KV's 1,000 mutations per commit. */
const DELETES_PER_COMMIT = 500;

/**
 * The backend's KV records: pending sessions and results stored exactly once.
 *
 * @example
 * ```ts ignore
 * const store = new ResultStore(await Deno.openKv("handoff.sqlite3"));
 * await store.addPending({ id, actionType: "photo", expiresAt });
 * const outcome = await store.storeOnce(id, "photo", files); // "stored" or "duplicate"
 * ```
 */
export class ResultStore {
  readonly #kv: Deno.Kv;
  readonly #prefix: Deno.KvKey;
  readonly #graceMs: number;
  /** Names this instance in the manifests it writes. */
  readonly instance: string;

  /**
   * Wrap an open KV.
   *
   * @param kv The KV (`await Deno.openKv(path)`); the caller closes it.
   * @param options The key prefix, the instance name, the pending grace.
   * @throws {RangeError} A negative or non-finite `pendingGraceMs`.
   */
  constructor(kv: Deno.Kv, options: ResultStoreOptions = {}) {
    const graceMs = options.pendingGraceMs ?? 3_600_000;
    if (!Number.isFinite(graceMs) || graceMs < 0) {
      throw new RangeError(
        `pendingGraceMs must be a finite number ≥ 0, got ${graceMs}`,
      );
    }
    this.#kv = kv;
    this.#prefix = options.prefix ?? ["handoff"];
    this.#graceMs = graceMs;
    this.instance = options.instance ?? crypto.randomUUID();
  }

  #key(...parts: Deno.KvKeyPart[]): Deno.KvKey {
    return [...this.#prefix, ...parts];
  }

  /**
   * Record a session to follow. Call it before the person sees the QR code:
   * what is not recorded cannot be resumed.
   *
   * @param session The id, action and expiry.
   */
  async addPending(session: PendingSession): Promise<void> {
    const left = Date.parse(session.expiresAt) - Date.now();
    await unlocked(() =>
      this.#kv.set(this.#key("pending", session.id), session, {
        expireIn: Math.max(0, left) + this.#graceMs,
      })
    );
  }

  /**
   * Every recorded session, in id order.
   *
   * @returns The pending sessions.
   */
  async pending(): Promise<PendingSession[]> {
    const entries = await this.#list<PendingSession>(this.#key("pending"));
    return entries.map((entry) => entry.value);
  }

  /**
   * Whether a session is still recorded as pending.
   *
   * @param id The session id.
   * @returns `true` while it waits for its result.
   */
  async isPending(id: string): Promise<boolean> {
    const entry = await unlocked(() => this.#kv.get(this.#key("pending", id)));
    return entry.versionstamp !== null;
  }

  /**
   * Forget a session that will bring no result (expired, unknown to the
   * server, its files gone). Only the pending entry goes: an instance that
   * has the files already may still store them.
   *
   * @param id The session id.
   */
  async removePending(id: string): Promise<void> {
    await unlocked(() => this.#kv.delete(this.#key("pending", id)));
  }

  /**
   * Store a session's result unless it is stored already, and forget the
   * pending entry, in one commit guarded by
   * `check({ key: results/<id>, versionstamp: null })`: of any number of
   * calls for the same session, in any number of processes, exactly one
   * returns `"stored"`.
   *
   * The last 512 KiB of chunks go in that commit; a result larger than
   * that has its first chunks written in earlier commits, under this call's
   * own attempt id, which only the manifest makes part of the result. A call
   * that loses the race deletes its chunks, and the winner deletes those of
   * attempts a crash interrupted.
   *
   * @param id The session id.
   * @param actionType The session's action.
   * @param files The downloaded files, in result order.
   * @returns `"stored"`, or `"duplicate"` when the result was stored already.
   */
  async storeOnce(
    id: string,
    actionType: ResultAction,
    files: readonly ResultFile[],
  ): Promise<StoreOutcome> {
    const resultKey = this.#key("results", id);
    const pendingKey = this.#key("pending", id);
    if ((await this.result(id)) !== undefined) {
      await this.removePending(id);
      return "duplicate";
    }
    const attempt = crypto.randomUUID();
    const chunks: { key: Deno.KvKey; data: Uint8Array }[] = [];
    const infos = files.map((file, index): StoredFileInfo => {
      const count = Math.max(1, Math.ceil(file.data.length / CHUNK_BYTES));
      for (let n = 0; n < count; n++) {
        chunks.push({
          key: this.#key("chunks", id, attempt, index, n),
          data: file.data.subarray(n * CHUNK_BYTES, (n + 1) * CHUNK_BYTES),
        });
      }
      return {
        filename: file.filename,
        contentType: file.contentType,
        size: file.data.length,
        chunks: count,
      };
    });

    // Everything but the last batch goes first: invisible until a manifest
    // names this attempt.
    const last = chunks.splice(
      Math.max(0, chunks.length - CHUNKS_PER_COMMIT),
    );
    for (let i = 0; i < chunks.length; i += CHUNKS_PER_COMMIT) {
      const batch = chunks.slice(i, i + CHUNKS_PER_COMMIT);
      await unlocked(() => {
        const op = this.#kv.atomic();
        for (const chunk of batch) op.set(chunk.key, chunk.data);
        return op.commit();
      });
    }

    const manifest: StoredResult = {
      id,
      actionType,
      storedAt: new Date().toISOString(),
      storedBy: this.instance,
      attempt,
      files: infos,
    };
    const { ok } = await unlocked(() => {
      const op = this.#kv.atomic()
        .check({ key: resultKey, versionstamp: null })
        .set(resultKey, manifest)
        .delete(pendingKey)
        .sum(this.#key("stores"), 1n);
      for (const chunk of last) op.set(chunk.key, chunk.data);
      return op.commit();
    });
    if (!ok && (await this.result(id))?.attempt === attempt) {
      // The commit landed but its answer was lost, and the retry's check
      // failed on this very manifest.
      return "stored";
    }
    if (!ok) {
      // Another instance stored it first: drop what this one staged.
      await this.#deleteChunks(id, (other) => other === attempt);
      await this.removePending(id);
      return "duplicate";
    }
    // Chunks of attempts a crash interrupted earlier are orphans now.
    await this.#deleteChunks(id, (other) => other !== attempt);
    return "stored";
  }

  /**
   * A stored result's manifest.
   *
   * @param id The session id.
   * @returns The manifest, or `undefined` when nothing is stored.
   */
  async result(id: string): Promise<StoredResult | undefined> {
    const entry = await unlocked(() =>
      this.#kv.get<StoredResult>(this.#key("results", id))
    );
    return entry.value ?? undefined;
  }

  /**
   * One stored file, read back from its chunks.
   *
   * @param id The session id.
   * @param index The file's index in the result.
   * @returns The file, or `undefined` when there is none.
   * @throws {Error} The chunks do not add up to the file's size.
   */
  async file(id: string, index: number): Promise<StoredFile | undefined> {
    const result = await this.result(id);
    const info = result?.files[index];
    if (result === undefined || info === undefined) return undefined;
    const chunks = await this.#list<Uint8Array>(
      this.#key("chunks", id, result.attempt, index),
    );
    const data = new Uint8Array(info.size);
    let offset = 0;
    for (const chunk of chunks) {
      if (offset + chunk.value.length > data.length) break;
      data.set(chunk.value, offset);
      offset += chunk.value.length;
    }
    if (offset !== info.size || chunks.length !== info.chunks) {
      throw new Error(
        `session ${id}, file ${index}: ${chunks.length} chunks in KV, ${info.chunks} expected`,
      );
    }
    return { ...info, data };
  }

  /**
   * How many results were stored, all instances together (a counter bumped
   * in the storing commit).
   *
   * @returns The count.
   */
  async storeCount(): Promise<bigint> {
    const entry = await unlocked(() =>
      this.#kv.get<Deno.KvU64>(this.#key("stores"))
    );
    return entry.value?.value ?? 0n;
  }

  /**
   * How many chunks are kept per session and attempt: once nothing is in
   * flight, only the stored attempts' should be left.
   *
   * @returns Session id → attempt id → number of chunks.
   */
  async chunkCounts(): Promise<Record<string, Record<string, number>>> {
    const counts: Record<string, Record<string, number>> = {};
    const depth = this.#prefix.length;
    for (const entry of await this.#list(this.#key("chunks"))) {
      const id = String(entry.key[depth + 1]);
      const attempt = String(entry.key[depth + 2]);
      const perId = counts[id] ??= {};
      perId[attempt] = (perId[attempt] ?? 0) + 1;
    }
    return counts;
  }

  /** Every entry under a prefix, read again from the start if KV was locked. */
  #list<T>(prefix: Deno.KvKey): Promise<Deno.KvEntry<T>[]> {
    return unlocked(async () => {
      const entries: Deno.KvEntry<T>[] = [];
      for await (const entry of this.#kv.list<T>({ prefix })) {
        entries.push(entry);
      }
      return entries;
    });
  }

  async #deleteChunks(
    id: string,
    which: (attempt: string) => boolean,
  ): Promise<void> {
    const depth = this.#prefix.length + 2; // prefix, "chunks", id, attempt
    const keys = (await this.#list(this.#key("chunks", id)))
      .filter((entry) => which(String(entry.key[depth])))
      .map((entry) => entry.key);
    for (let i = 0; i < keys.length; i += DELETES_PER_COMMIT) {
      const batch = keys.slice(i, i + DELETES_PER_COMMIT);
      await unlocked(() => {
        const op = this.#kv.atomic();
        for (const key of batch) op.delete(key);
        return op.commit();
      });
    }
  }
}

/** How many times {@linkcode unlocked} tries again: ~20 s in all. */
const LOCK_RETRIES = 100;

/**
 * Run a KV operation, again while SQLite says `database is locked`.
 *
 * Deno's KV on a local SQLite file does not wait for a lock: when another
 * process (a second instance on the same file) is writing, the operation
 * fails at once with a `TypeError`. Nothing of it was applied, so it is
 * tried again after a short, jittered pause. Deno Deploy's KV never says
 * so; other errors are thrown as they are.
 */
async function unlocked<T>(op: () => Promise<T>): Promise<T> {
  for (let attempt = 0;; attempt++) {
    try {
      return await op();
    } catch (error) {
      const locked = error instanceof TypeError &&
        error.message.includes("database is locked");
      if (!locked || attempt >= LOCK_RETRIES) throw error;
      const ms = Math.min(250, 2 ** attempt) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
  }
}
