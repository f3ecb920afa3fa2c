// Copyright 2026 the handoff authors. MIT license.
/**
 * A stateless Handoff handler for edge functions: no instance remembers
 * anything between requests, so any instance can answer any of them.
 *
 * - `POST {basePath}` creates a photo session and answers
 *   `201 { id, url, qr, expiresAt }`: show `qr` (a PNG data URL) to the user.
 * - `GET {basePath}/{id}?wait=ms` follows the session for at most `wait`
 *   milliseconds (never more than `maxWaitMs`, which you keep below the
 *   platform's request limit) and answers
 *   `{ id, status: "pending", step }` while the person is not done,
 *   `{ id, status: "completed", files: [{ url, contentType, filename }] }`,
 *   or `{ id, status: "expired" }`. `wait=0` only asks the server once.
 * - `GET {basePath}/{id}/files/{downloadId}` streams a result file of that
 *   session (the API key never leaves the function).
 *
 * Only web standards: the same file runs as a Supabase Edge Function (Deno)
 * and as a Cloudflare Worker.
 *
 * @module
 */

import {
  ApiError,
  HandoffClient,
  type HandoffClientOptions,
  NotFoundError,
  qrCode,
  type ResultItem,
  SessionExpiredError,
} from "@handoff/client";

/** Options of {@linkcode createHandoffHandler}. */
export interface HandoffHandlerOptions {
  /** The Handoff server's URL. */
  baseUrl: string;
  /** An API key of that server. */
  apiKey: string;
  /** The path the function answers under. @default {"/handoff"} */
  basePath?: string;
  /**
   * The longest a status request follows a session, in milliseconds. Keep it
   * well below the platform's limit on a request. @default {20000}
   */
  maxWaitMs?: number;
  /** How long a session lives. @default {"10m"} */
  sessionTtl?: string | number;
  /** Sent as `Access-Control-Allow-Origin`, for a front-end on another origin. */
  allowOrigin?: string;
  /**
   * Called with errors the caller gets a 502 for (the library's errors never
   * contain the API key). @default {console.error}
   */
  onError?: (error: unknown) => void;
  /** More client options (`fetch`, `timeoutMs`, …). */
  client?: Omit<HandoffClientOptions, "baseUrl" | "apiKey">;
}

/** What a status request answers. */
export type HandoffStatus =
  | {
    readonly id: string;
    readonly status: "pending";
    readonly step: "pending" | "opened" | "action_started";
  }
  | {
    readonly id: string;
    readonly status: "completed";
    readonly files: readonly {
      url: string;
      contentType: string;
      filename: string;
    }[];
  }
  | { readonly id: string; readonly status: "expired" };

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/**
 * Build the request handler.
 *
 * @param options The server, the key, and the limits.
 * @returns A `(request) => Promise<Response>` for `Deno.serve` or a Worker's `fetch`.
 */
export function createHandoffHandler(
  options: HandoffHandlerOptions,
): (request: Request) => Promise<Response> {
  const client = new HandoffClient({
    ...options.client,
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
  });
  const base = (options.basePath ?? "/handoff").replace(/\/$/, "");
  const maxWaitMs = options.maxWaitMs ?? 20_000;
  const onError = options.onError ??
    ((error: unknown) => console.error("handoff:", error));
  const route = new RegExp(
    `^${
      base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    }(?:/(${UUID})(?:/files/(${UUID}))?)?/?$`,
  );
  const cors: Record<string, string> = options.allowOrigin === undefined
    ? {}
    : {
      "access-control-allow-origin": options.allowOrigin,
      "access-control-allow-headers": "authorization, content-type",
      "access-control-allow-methods": "GET, POST, OPTIONS",
    };
  const json = (status: number, body: unknown): Response =>
    Response.json(body, { status, headers: cors });

  const links = (id: string, items: readonly ResultItem[]) =>
    items.map((item) => ({
      url: `${base}/${id}/files/${item.downloadId}`,
      contentType: item.contentType,
      filename: item.filename,
    }));

  async function create(): Promise<Response> {
    // Only created, not watched: no socket, no timer, so the function can
    // answer at once. The session lives on, on the server.
    const session = await client.createSession({
      action: "photo",
      outputFormat: "jpg",
      sessionTtl: options.sessionTtl ?? "10m",
    }, { watch: false });
    return json(201, {
      id: session.id,
      url: session.url,
      qr: await qrCode(session.url),
      expiresAt: session.expiresAt.toISOString(),
    });
  }

  async function status(id: string, waitMs: number): Promise<HandoffStatus> {
    if (waitMs <= 0) {
      // One request, no socket.
      const info = await client.getSession(id);
      if (info.status === "expired") return { id, status: "expired" };
      if (info.status === "completed") {
        return { id, status: "completed", files: links(id, info.result ?? []) };
      }
      return { id, status: "pending", step: info.status };
    }
    const session = await client.attachSession(id, { actionType: "photo" })
      .catch((error) => {
        if (error instanceof SessionExpiredError) return undefined;
        throw error;
      });
    if (session === undefined) return { id, status: "expired" };
    // Watched for this request only: closed when the scope ends.
    await using attached = session;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), waitMs);
    try {
      const items = await attached.waitForResult({ signal: deadline.signal });
      return { id, status: "completed", files: links(id, items) };
    } catch (error) {
      if (error instanceof SessionExpiredError) {
        return { id, status: "expired" };
      }
      if (!deadline.signal.aborted) throw error;
      const step = attached.status;
      return step === "pending" || step === "opened" ||
          step === "action_started"
        ? { id, status: "pending", step }
        : { id, status: "expired" };
    } finally {
      clearTimeout(timer);
    }
  }

  async function file(id: string, downloadId: string): Promise<Response> {
    // Only files of this session: any valid key may download any file, so
    // the function must not become a proxy for other sessions' files.
    const info = await client.getSession(id);
    const item = info.status === "completed"
      ? info.result?.find((item) => item.downloadId === downloadId)
      : undefined;
    if (item === undefined) return json(404, { error: "file not found" });
    const { body, contentType, contentLength } = await client.downloadStream(
      downloadId,
    );
    return new Response(body, {
      headers: {
        ...cors,
        "content-type": contentType || "application/octet-stream",
        ...(contentLength === undefined
          ? {}
          : { "content-length": String(contentLength) }),
      },
    });
  }

  return async (request) => {
    const url = new URL(request.url);
    const match = route.exec(url.pathname);
    if (match === null) return json(404, { error: "not found" });
    const [, id, downloadId] = match;
    if (request.method === "OPTIONS") {
      return new Response(null, { status: 204, headers: cors });
    }
    try {
      if (id === undefined) {
        if (request.method !== "POST") {
          return json(405, { error: "method not allowed" });
        }
        return await create();
      }
      if (request.method !== "GET") {
        return json(405, { error: "method not allowed" });
      }
      if (downloadId !== undefined) {
        return await file(id, downloadId);
      }
      const wait = Number(url.searchParams.get("wait") ?? maxWaitMs);
      const waitMs = Number.isFinite(wait)
        ? Math.min(Math.max(wait, 0), maxWaitMs)
        : maxWaitMs;
      return json(200, await status(id, waitMs));
    } catch (error) {
      if (error instanceof NotFoundError) {
        return json(404, {
          error: downloadId === undefined
            ? "session not found"
            : "file not found or expired",
        });
      }
      // The caller of this function needs no details.
      onError(error);
      return json(502, {
        error: error instanceof ApiError
          ? `the Handoff server answered ${error.status}`
          : "the Handoff server could not be reached",
      });
    }
  };
}
