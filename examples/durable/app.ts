// Copyright 2026 the handoff authors. MIT license.
/**
 * A backend whose results survive its own restarts: every session it waits
 * for is recorded in Deno KV before its URL is shown, {@linkcode DurableApp.resume}
 * follows every recorded session again after a restart, and each result is
 * stored exactly once, however many instances follow the same session.
 *
 * @module
 */

import {
  type HandoffClient,
  NotFoundError,
  type ResultAction,
  type ResultItem,
  type Session,
  SessionClosedError,
  SessionExpiredError,
} from "@handoff/client";
import type { PendingSession, ResultFile, ResultStore } from "./store.ts";

/** Options of {@linkcode createDurableApp}. */
export interface DurableAppOptions {
  /** The client of your Handoff server. */
  client: HandoffClient;
  /** Where sessions and results are kept. */
  store: ResultStore;
  /** How long the person has. @default {"10m"} */
  sessionTtl?: string | number;
  /** Sessions looked up at once by {@linkcode DurableApp.resume}. @default {8} */
  resumeConcurrency?: number;
  /**
   * Told what happened to each session, one line each (`stored <id>`,
   * `duplicate <id>`, `expired <id>`, `lost <id>: …`, `failed <id>: …`).
   * @default {console.log}
   */
  log?: (line: string) => void;
}

/**
 * How following a session ended:
 *
 * - `stored`: this instance stored the result;
 * - `duplicate`: another instance had stored it, or stored it first;
 * - `expired`: the server says the session expired; the entry is removed;
 * - `lost`: the server no longer knows the session, or its files expired
 *   (`result_ttl`); the entry is removed;
 * - `failed`: another error (the server unreachable, KV failing); the entry
 *   stays for the next {@linkcode DurableApp.resume};
 * - `stopped`: the app was closed first; the entry stays.
 */
export type Outcome =
  | "stored"
  | "duplicate"
  | "expired"
  | "lost"
  | "failed"
  | "stopped";

/** The backend: a fetch handler, resuming, and closing. */
export interface DurableApp extends AsyncDisposable {
  /** Answers a request (pass it to `Deno.serve`). */
  fetch(request: Request): Promise<Response>;
  /**
   * Follow every session recorded in KV that this instance does not follow
   * yet, at most `resumeConcurrency` lookups at a time. Call it on start;
   * calling it again picks up what failed or what other instances recorded.
   *
   * @returns How many sessions it started following.
   */
  resume(): Promise<number>;
  /**
   * Stop following every session (they stay recorded and on the server) and
   * resolve when every background task has ended. Idempotent.
   */
  close(): Promise<void>;
}

const ID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const SESSION_PATH = new RegExp(`^/sessions/(${ID})$`);
const FILE_PATH = new RegExp(`^/sessions/(${ID})/files/(\\d{1,3})$`);

/**
 * Build the backend.
 *
 * | route                          | answer                                                             |
 * | ------------------------------ | ------------------------------------------------------------------ |
 * | `POST /sessions`               | `{ action? }` → `201 { id, url, expiresAt }`, recorded before the answer |
 * | `GET /sessions/:id`            | `{ id, state: "pending" }`, `{ id, state: "stored", files }`, or 404 |
 * | `GET /sessions/:id/files/:n`   | a stored file's bytes                                              |
 * | `GET /stats`                   | `{ following, stores, pending }`                                   |
 *
 * State is read from KV, so every instance answers the same.
 *
 * @param options The client, the store and the session's options.
 * @returns The app.
 * @throws {RangeError} A `resumeConcurrency` that is not a positive integer.
 */
export function createDurableApp(options: DurableAppOptions): DurableApp {
  const { client, store } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const concurrency = options.resumeConcurrency ?? 8;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new RangeError(
      `resumeConcurrency must be a positive integer, got ${concurrency}`,
    );
  }
  const following = new Map<string, Promise<Outcome>>();
  const stopping = new AbortController();
  const { signal } = stopping;

  /** Download every file of a result; the server keeps them `result_ttl`. */
  async function download(
    items: readonly ResultItem[],
  ): Promise<ResultFile[]> {
    const files: ResultFile[] = [];
    for (const item of items) {
      const { data, contentType } = await client.downloadFile(item.downloadId, {
        signal,
      });
      files.push({
        filename: item.filename,
        contentType: contentType || item.contentType,
        data,
      });
    }
    return files;
  }

  /**
   * On resume: one request tells expired, completed or still open, so a
   * session that completed while the backend was down needs no socket.
   */
  async function lookUp(
    record: PendingSession,
  ): Promise<readonly ResultItem[] | Session<ResultAction>> {
    const info = await client.getSession(record.id, { signal });
    if (info.status === "expired") {
      throw new SessionExpiredError(
        `Session ${record.id} expired while no one followed it.`,
        { cause: info, confirmed: true },
      );
    }
    if (info.status === "completed" && info.result !== undefined) {
      return info.result;
    }
    // Throws SessionExpiredError too, if it expired in between.
    return await client.attachSession(record.id, {
      actionType: record.actionType,
      signal,
    });
  }

  /** The result items: wait on the live session, or look it up first. */
  async function waitForItems(
    record: PendingSession,
    live: Session<ResultAction> | undefined,
    gate: Gate,
  ): Promise<readonly ResultItem[]> {
    const found = live ?? await gate(() => lookUp(record));
    if (!("waitForResult" in found)) return found;
    await using session = found;
    return await session.waitForResult({ signal });
  }

  async function follow(
    record: PendingSession,
    live: Session<ResultAction> | undefined,
    gate: Gate,
  ): Promise<Outcome> {
    const { id } = record;
    try {
      if ((await store.result(id)) !== undefined) {
        await live?.close();
        await store.removePending(id);
        log(`duplicate ${id} (already stored)`);
        return "duplicate";
      }
      const items = await waitForItems(record, live, gate);
      const files = await download(items);
      const outcome = await store.storeOnce(id, record.actionType, files);
      const bytes = files.reduce((sum, file) => sum + file.data.length, 0);
      log(
        outcome === "stored"
          ? `stored ${id} (${files.length} files, ${bytes} bytes)`
          : `duplicate ${id} (stored by another instance first)`,
      );
      return outcome;
    } catch (error) {
      await live?.close();
      if (signal.aborted || error instanceof SessionClosedError) {
        return "stopped";
      }
      if (error instanceof SessionExpiredError && error.confirmed) {
        return await forget(id, "expired", `expired ${id}`);
      }
      if (error instanceof NotFoundError) {
        // An unknown session (its tombstone is kept 24 h), or files past
        // result_ttl: nothing will ever come.
        return await forget(id, "lost", `lost ${id}: ${error.message}`);
      }
      // An unconfirmed expiry (the server was unreachable), a network error,
      // KV failing: keep the entry for the next resume().
      log(`failed ${id}: ${messageOf(error)}`);
      return "failed";
    }
  }

  /** Remove the entry of a session that will bring no result. */
  async function forget(
    id: string,
    outcome: "expired" | "lost",
    line: string,
  ): Promise<Outcome> {
    try {
      await store.removePending(id);
    } catch (error) {
      log(`failed ${id}: ${outcome}, but not removed: ${messageOf(error)}`);
      return "failed";
    }
    log(line);
    return outcome;
  }

  function start(
    record: PendingSession,
    live: Session<ResultAction> | undefined,
    gate: Gate = (task) => task(),
  ): Promise<Outcome> {
    const done = follow(record, live, gate).finally(() => {
      if (following.get(record.id) === done) following.delete(record.id);
    });
    following.set(record.id, done);
    return done;
  }

  async function create(request: Request): Promise<Response> {
    if (signal.aborted) return json(503, { error: "shutting down" });
    let body: { action?: unknown } = {};
    if (request.headers.get("content-type")?.includes("json")) {
      try {
        body = await request.json();
      } catch {
        return json(400, { error: "the body is not JSON" });
      }
    }
    const action = body?.action ?? "photo";
    if (action !== "photo" && action !== "signature") {
      return json(400, { error: 'action must be "photo" or "signature"' });
    }
    const session = action === "photo"
      ? await client.createSession({
        action,
        outputFormat: "jpg",
        sessionTtl: options.sessionTtl ?? "10m",
      }, { signal })
      : await client.createSession({
        action,
        outputFormat: "png",
        sessionTtl: options.sessionTtl ?? "10m",
      }, { signal });
    const record: PendingSession = {
      id: session.id,
      actionType: action,
      expiresAt: session.expiresAt.toISOString(),
    };
    try {
      // Recorded before anyone sees the URL: what is not recorded cannot be
      // resumed.
      await store.addPending(record);
    } catch (error) {
      await session.close();
      throw error;
    }
    start(record, session);
    return json(201, {
      id: session.id,
      url: session.url,
      expiresAt: record.expiresAt,
    });
  }

  async function status(id: string): Promise<Response> {
    const result = await store.result(id);
    if (result !== undefined) {
      return json(200, {
        id,
        state: "stored",
        storedBy: result.storedBy,
        files: result.files.map((file, index) => ({
          url: `/sessions/${id}/files/${index}`,
          filename: file.filename,
          contentType: file.contentType,
          size: file.size,
        })),
      });
    }
    if (await store.isPending(id)) return json(200, { id, state: "pending" });
    return json(404, { error: "no such session" });
  }

  async function handle(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === "/sessions") {
      if (request.method !== "POST") return json(405, { error: "use POST" });
      return await create(request);
    }
    if (request.method !== "GET") return json(405, { error: "use GET" });
    if (pathname === "/stats") {
      return json(200, {
        following: following.size,
        stores: Number(await store.storeCount()),
        pending: (await store.pending()).length,
      });
    }
    const session = SESSION_PATH.exec(pathname);
    if (session !== null) return await status(session[1]!);
    const file = FILE_PATH.exec(pathname);
    if (file !== null) {
      const stored = await store.file(file[1]!, Number(file[2]));
      if (stored === undefined) return json(404, { error: "no such file" });
      return new Response(stored.data.slice(), {
        headers: {
          "content-type": stored.contentType || "application/octet-stream",
        },
      });
    }
    return json(404, { error: "not found" });
  }

  async function resume(): Promise<number> {
    if (signal.aborted) return 0;
    const records = (await store.pending()).filter((record) =>
      !following.has(record.id) && !signal.aborted
    );
    // The lookups (a GET each, then a socket for the sessions still open)
    // go at most `concurrency` at a time, so a restart with many sessions
    // does not burst the server. Resolves once each is looked up: the
    // sessions still open are then followed over their sockets.
    const gate = limit(concurrency);
    const lookedUp = records.map((record) => {
      let ready!: () => void;
      const looked = new Promise<void>((resolve) => ready = resolve);
      start(record, undefined, (task) => gate(task).finally(ready))
        .finally(ready);
      return looked;
    });
    await Promise.all(lookedUp);
    return records.length;
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopping.abort(new Error("the app is shutting down"));
      await Promise.all(following.values());
    })();
    return closing;
  };

  return {
    async fetch(request) {
      try {
        return await handle(request);
      } catch (error) {
        log(
          `error ${request.method} ${new URL(request.url).pathname}: ${
            messageOf(error)
          }`,
        );
        return json(500, { error: "the request failed; see the log" });
      }
    },
    resume,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Runs a task now or once fewer than the limit are running. */
type Gate = <T>(task: () => Promise<T>) => Promise<T>;

/** A {@linkcode Gate} that lets at most `n` tasks run at once. */
function limit(n: number): Gate {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running < n) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      // The slot passes to the next task waiting, if any.
      const next = waiting.shift();
      if (next === undefined) running--;
      else next();
    }
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function json(status: number, body: unknown): Response {
  return Response.json(body, { status });
}
