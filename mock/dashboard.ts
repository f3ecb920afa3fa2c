// Copyright 2026 the handoff authors. MIT license.
/**
 * The mock dashboard's HTTP server: the page, the create form's endpoint,
 * the live-update stream (Server-Sent Events), and the download route that
 * streams result files from the Handoff server to the browser. The API key
 * stays on this side: the browser only ever talks to the dashboard.
 *
 * @module
 */

import {
  ApiError,
  HandoffClient,
  type HandoffClientOptions,
  NetworkError,
  NotFoundError,
  TimeoutError,
} from "../mod.ts";
import { startStubServer, type StubServer } from "../testing.ts";
import { Registry, type SessionView } from "./registry.ts";
import { formatSseMessage, sseResponse } from "./sse.ts";
import { validateCreateForm } from "./validate.ts";

/** Options of {@linkcode startDashboard}. */
export interface DashboardOptions {
  /** Interface to listen on. @default {"127.0.0.1"} */
  hostname?: string;
  /** Port to listen on; `0` picks a free one. @default {9090} */
  port?: number;
  /**
   * The Handoff server to talk to. Without it, the dashboard starts the stub
   * Handoff server in the same process.
   */
  handoffUrl?: string;
  /** The API key of `handoffUrl` (required with it). Never sent to the browser. */
  apiKey?: string;
  /**
   * The address phones use to reach this machine (a LAN address), when
   * `hostname` is not a loopback address: the embedded stub then listens on
   * `hostname` too, and its session URLs use this address.
   */
  publicHostname?: string;
  /** Port of the embedded stub; `0` picks a free one. @default {0} */
  stubPort?: number;
  /** Interval of the SSE keep-alive comment, in milliseconds. @default {15000} */
  keepAliveMs?: number;
  /** What the browser waits before it reconnects a dropped stream, in milliseconds. @default {2000} */
  retryMs?: number;
  /** Messages kept for replay to reconnecting browsers. @default {256} */
  replayBufferSize?: number;
  /** Most sessions the dashboard holds at once. @default {50} */
  maxSessions?: number;
  /** Largest accepted JSON body, in bytes. @default {16384} */
  maxBodyBytes?: number;
  /** Tuning of the client (timeouts, polling, reconnects). */
  client?: Omit<HandoffClientOptions, "baseUrl" | "apiKey">;
  /** Closes the dashboard when aborted. */
  signal?: AbortSignal;
}

/** A running dashboard. */
export interface Dashboard extends AsyncDisposable {
  /** The page's URL, e.g. `http://127.0.0.1:9090/`. */
  readonly url: string;
  /** The Handoff server the dashboard talks to. */
  readonly handoffUrl: string;
  /** The embedded stub, when no `handoffUrl` was given. */
  readonly stub: StubServer | undefined;
  /** How many sessions and live-update subscribers the dashboard has now. */
  stats(): { sessions: number; subscribers: number };
  /**
   * End every live-update stream while keeping the sessions (the browsers
   * reconnect with `Last-Event-ID` and catch up). For tests.
   *
   * @returns How many streams ended.
   */
  disconnectStreams(): number;
  /** Close every session, the streams, the server and the embedded stub. Idempotent. */
  close(): Promise<void>;
}

interface StaticFile {
  readonly body: string;
  readonly type: string;
}

const STATIC_FILES: readonly [string, string, string][] = [
  ["/", "index.html", "text/html; charset=utf-8"],
  ["/app.js", "app.js", "text/javascript; charset=utf-8"],
  ["/style.css", "style.css", "text/css; charset=utf-8"],
];

const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * `attachment` with the phone's file name: an ASCII fallback with quotes,
 * backslashes and control characters replaced, and the exact name in
 * RFC 5987 form, so no name can break or inject a header.
 */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, "_") || "download";
  return `attachment; filename="${ascii}"; filename*=UTF-8''${
    encodeURIComponent(filename || "download")
  }`;
}

/** A path segment, decoded; `undefined` when its percent-encoding is malformed. */
function decodeSegment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** Types a browser may show inline; every other type is only downloaded. */
const INLINE_TYPES = new Set([
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/webp",
  "image/svg+xml",
  "application/pdf",
]);

const LOOPBACK_NAMES = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_NAMES.has(hostname) || hostname.startsWith("127.");
}

function hostForUrl(hostname: string): string {
  return hostname.includes(":") && !hostname.startsWith("[")
    ? `[${hostname}]`
    : hostname;
}

/** A JSON error answer: `{ "error": message, ...extra }`. */
export function jsonError(
  status: number,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  return json(status, { error: message, ...extra }, headers);
}

function json(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      ...headers,
    },
  });
}

/**
 * Read a JSON body of at most `limit` bytes.
 *
 * @param req The request.
 * @param limit The largest body accepted, in bytes.
 * @returns The parsed value, or the 4xx answer to send.
 */
export async function readJsonBody(
  req: Request,
  limit: number,
): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim()
    .toLowerCase();
  if (type !== "application/json") {
    await req.body?.cancel();
    return {
      ok: false,
      response: jsonError(
        415,
        "Send the body as JSON with Content-Type: application/json",
      ),
    };
  }
  const tooLarge = () => ({
    ok: false as const,
    response: jsonError(413, `The body is larger than ${limit} bytes`),
  });
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await req.body?.cancel();
    return tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (req.body !== null) {
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel();
        return tooLarge();
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return {
      ok: false,
      response: jsonError(400, "The body is not valid UTF-8"),
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return {
      ok: false,
      response: jsonError(
        400,
        `The body is not valid JSON: ${
          error instanceof Error ? error.message : String(error)
        }`,
      ),
    };
  }
}

/** The answer for an error of the client talking to the Handoff server. */
function upstreamError(error: unknown, handoffUrl: string): Response {
  if (error instanceof TypeError || error instanceof RangeError) {
    return jsonError(400, error.message);
  }
  if (error instanceof ApiError) {
    return jsonError(
      502,
      `The Handoff server answered ${error.status}: ${error.serverMessage}`,
    );
  }
  if (error instanceof TimeoutError) {
    return jsonError(504, `The Handoff server did not answer in time`);
  }
  if (error instanceof NetworkError) {
    return jsonError(502, `Cannot reach the Handoff server at ${handoffUrl}`);
  }
  return jsonError(
    500,
    `Unexpected error: ${error instanceof Error ? error.message : error}`,
  );
}

async function freePort(hostname: string): Promise<number> {
  const listener = Deno.listen({ hostname, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  await Promise.resolve();
  return port;
}

/**
 * Start the dashboard: the embedded stub (without `handoffUrl`), the client
 * and the HTTP server.
 *
 * @param options Where to listen, which Handoff server, and tuning.
 * @returns The running dashboard; close it, or `await using` it.
 * @throws {TypeError} A `handoffUrl` without `apiKey`, or a bad URL.
 * @throws {Deno.errors.AddrInUse} The port is taken.
 *
 * @example
 * ```ts ignore
 * import { startDashboard } from "./dashboard.ts";
 * await using dashboard = await startDashboard({ port: 0 });
 * console.log(`open ${dashboard.url}`);
 * ```
 */
export async function startDashboard(
  options: DashboardOptions = {},
): Promise<Dashboard> {
  options.signal?.throwIfAborted();
  const hostname = options.hostname ?? "127.0.0.1";
  const port = options.port ?? 9090;
  const maxSessions = options.maxSessions ?? 50;
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024;
  const retryMs = options.retryMs ?? 2_000;
  if (options.handoffUrl !== undefined && !options.apiKey) {
    throw new TypeError(
      "An API key is needed to talk to the Handoff server at handoffUrl: set HANDOFF_API_KEY or pass --api-key",
    );
  }

  const files = new Map<string, StaticFile>();
  for (const [route, name, type] of STATIC_FILES) {
    files.set(route, {
      body: await Deno.readTextFile(
        new URL(`./static/${name}`, import.meta.url),
      ),
      type,
    });
  }

  let stub: StubServer | undefined;
  let handoffUrl: string;
  let apiKey: string;
  if (options.handoffUrl !== undefined) {
    handoffUrl = options.handoffUrl;
    apiKey = options.apiKey!;
  } else {
    const lan = options.publicHostname !== undefined && !isLoopback(hostname);
    const stubPort = options.stubPort ??
      (lan ? await freePort(hostname) : 0);
    stub = await startStubServer({
      hostname: lan ? hostname : "127.0.0.1",
      port: stubPort,
      transportFaults: false,
      ...(lan
        ? {
          baseUrl: `http://${hostForUrl(options.publicHostname!)}:${stubPort}`,
        }
        : {}),
    });
    handoffUrl = stub.url;
    apiKey = stub.apiKey;
  }

  let client: HandoffClient;
  try {
    client = new HandoffClient({
      ...options.client,
      baseUrl: handoffUrl,
      apiKey,
    });
  } catch (error) {
    await stub?.close();
    throw error;
  }

  const closing = new AbortController();
  const pending = new Set<Promise<unknown>>();
  const track = (promise: Promise<unknown>): void => {
    const tracked = promise.catch(() => {}).finally(() =>
      pending.delete(tracked)
    );
    pending.add(tracked);
  };
  const registry = new Registry({
    ...(options.replayBufferSize !== undefined
      ? { bufferSize: options.replayBufferSize }
      : {}),
    meta: { mode: stub ? "stub" : "remote", handoffUrl },
  });

  const noteFilesExpiry = (id: string): void => {
    track((async () => {
      const info = await client.getSession(id, { signal: closing.signal });
      if (info.status !== "expired" && info.completedAt !== undefined) {
        registry.setFilesExpireAt(
          id,
          new Date(info.completedAt.getTime() + info.resultTtlMs),
        );
      }
    })());
  };

  const createSession = async (req: Request): Promise<Response> => {
    const body = await readJsonBody(req, maxBodyBytes);
    if (!body.ok) return body.response;
    const checked = validateCreateForm(body.value);
    if (!checked.ok) {
      return jsonError(400, "The session options are not valid", {
        errors: checked.errors,
      });
    }
    if (registry.size >= maxSessions) {
      return jsonError(
        409,
        `The dashboard holds ${maxSessions} sessions already: remove some first`,
      );
    }
    let session;
    try {
      session = await client.createSession(checked.options, {
        signal: closing.signal,
      });
    } catch (error) {
      if (closing.signal.aborted) {
        return jsonError(503, "The dashboard is shutting down");
      }
      return upstreamError(error, handoffUrl);
    }
    if (closing.signal.aborted) {
      await session.close();
      return jsonError(503, "The dashboard is shutting down");
    }
    const id = session.id;
    registry.add(session);
    session.onEvent((event) => {
      if (event.type === "completed") noteFilesExpiry(id);
    });
    try {
      registry.setQrCode(id, await session.qrCode());
    } catch (error) {
      console.error(`mock: no QR code for session ${id}:`, error);
    }
    return json(201, { session: registry.get(id) as SessionView });
  };

  const download = async (
    rawId: string,
    asAttachment: boolean,
  ): Promise<Response> => {
    const id = decodeSegment(rawId);
    if (id === undefined) return jsonError(400, "Malformed download id");
    const owned = registry.download(id);
    if (owned === undefined) {
      return jsonError(404, "No such download among this dashboard's sessions");
    }
    let file;
    try {
      // A browser that goes away cancels the body, which cancels the
      // download from the Handoff server.
      file = await client.downloadStream(id, { signal: closing.signal });
    } catch (error) {
      if (error instanceof NotFoundError) {
        return jsonError(
          404,
          "The file is gone from the Handoff server (its result TTL ran out)",
        );
      }
      return upstreamError(error, handoffUrl);
    }
    const type = file.contentType.trim() || owned.contentType.trim() ||
      "application/octet-stream";
    const essence = type.split(";")[0]!.trim().toLowerCase();
    const inline = INLINE_TYPES.has(essence) && !asAttachment;
    const headers: Record<string, string> = {
      "content-type": type,
      "content-disposition": inline
        ? "inline"
        : contentDisposition(owned.filename),
      "cache-control": "private, max-age=3600",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      // Anything but a PDF (which needs the browser's viewer) is shown
      // sandboxed: an SVG or an HTML file from a phone cannot run script
      // on the dashboard's origin.
      "content-security-policy": essence === "application/pdf"
        ? "frame-ancestors 'self'"
        : "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'",
    };
    if (file.contentLength !== undefined) {
      headers["content-length"] = String(file.contentLength);
    }
    return new Response(file.body, { headers });
  };

  const events = (req: Request, completed: Promise<void>): Response => {
    const url = new URL(req.url);
    const lastEventId = req.headers.get("last-event-id") ??
      url.searchParams.get("lastEventId");
    // The browser went away: the response ends (Deno also cancels the
    // stream). This is the request's abort signal without the legacy
    // `request.signal` of Deno.serve, which warns when read.
    const gone = new AbortController();
    completed.catch(() => {}).finally(() => gone.abort());
    return sseResponse({
      signal: AbortSignal.any([gone.signal, closing.signal]),
      ...(options.keepAliveMs !== undefined
        ? { keepAliveMs: options.keepAliveMs }
        : {}),
      start(send, end) {
        send(formatSseMessage({ retry: retryMs }));
        const { initial, unsubscribe } = registry.subscribe(lastEventId, {
          send: (message) => send(formatSseMessage(message)),
          end,
        });
        for (const message of initial) send(formatSseMessage(message));
        return unsubscribe;
      },
    });
  };

  let server: Deno.HttpServer<Deno.NetAddr>;
  const handler = async (
    req: Request,
    info: Deno.ServeHandlerInfo,
  ): Promise<Response> => {
    const url = new URL(req.url);
    const path = url.pathname;
    const method = req.method;

    // Refuse other host names on a loopback dashboard (DNS rebinding).
    const host = req.headers.get("host") ?? "";
    const hostName = host.replace(/:\d+$/, "");
    if (isLoopback(hostname) && !isLoopback(hostName)) {
      return jsonError(421, `Unexpected Host ${JSON.stringify(host)}`);
    }

    const file = files.get(path);
    if (file !== undefined) {
      if (method !== "GET" && method !== "HEAD") {
        return jsonError(405, "Method not allowed", {}, { allow: "GET, HEAD" });
      }
      return new Response(method === "HEAD" ? null : file.body, {
        headers: {
          "content-type": file.type,
          "cache-control": "no-cache",
          "content-security-policy": PAGE_CSP,
          "x-content-type-options": "nosniff",
          "x-frame-options": "DENY",
          "referrer-policy": "no-referrer",
        },
      });
    }
    if (!path.startsWith("/api/")) {
      return new Response("Not found\n", {
        status: 404,
        headers: {
          "content-type": "text/plain; charset=utf-8",
          "x-content-type-options": "nosniff",
        },
      });
    }

    // State changes only from the dashboard's own pages.
    if (method !== "GET" && method !== "HEAD") {
      const origin = req.headers.get("origin");
      if (origin !== null) {
        let sameOrigin = false;
        try {
          sameOrigin = new URL(origin).host === host;
        } catch {
          // a malformed Origin is not ours
        }
        if (!sameOrigin) {
          await req.body?.cancel();
          return jsonError(403, "Cross-origin requests are refused");
        }
      }
    }

    if (path === "/api/events") {
      if (method !== "GET") {
        return jsonError(405, "Method not allowed", {}, { allow: "GET" });
      }
      return events(req, info.completed);
    }
    if (path === "/api/sessions") {
      if (method === "GET") {
        return json(200, { sessions: registry.views() });
      }
      if (method === "POST") return await createSession(req);
      await req.body?.cancel();
      return jsonError(405, "Method not allowed", {}, { allow: "GET, POST" });
    }
    const sessionMatch = /^\/api\/sessions\/([^/]+)$/.exec(path);
    if (sessionMatch !== null) {
      const id = decodeSegment(sessionMatch[1]!);
      if (id === undefined) {
        await req.body?.cancel();
        return jsonError(400, "Malformed session id");
      }
      if (method === "GET") {
        const view = registry.get(id);
        return view === undefined
          ? jsonError(404, "No such session on this dashboard")
          : json(200, { session: view });
      }
      if (method === "DELETE") {
        await req.body?.cancel();
        return await registry.remove(id)
          ? new Response(null, { status: 204 })
          : jsonError(404, "No such session on this dashboard");
      }
      await req.body?.cancel();
      return jsonError(405, "Method not allowed", {}, {
        allow: "GET, DELETE",
      });
    }
    const downloadMatch = /^\/api\/downloads\/([^/]+)$/.exec(path);
    if (downloadMatch !== null) {
      if (method !== "GET") {
        return jsonError(405, "Method not allowed", {}, { allow: "GET" });
      }
      return await download(
        downloadMatch[1]!,
        url.searchParams.get("download") === "1",
      );
    }
    await req.body?.cancel();
    return jsonError(404, `No route ${method} ${path}`);
  };

  try {
    server = Deno.serve({
      hostname,
      port,
      onListen() {},
      onError(error) {
        console.error("mock: request failed:", error);
        return jsonError(500, "Internal error");
      },
    }, handler);
  } catch (error) {
    await stub?.close();
    if (error instanceof Deno.errors.AddrInUse) {
      throw new Deno.errors.AddrInUse(
        `Port ${port} on ${hostname} is in use: pass --port (or MOCK_PORT) to pick another`,
        { cause: error },
      );
    }
    throw error;
  }

  const shownHost = isLoopback(hostname) || options.publicHostname === undefined
    ? (hostname === "0.0.0.0" || hostname === "::" ? "127.0.0.1" : hostname)
    : options.publicHostname;
  const url = `http://${hostForUrl(shownHost)}:${server.addr.port}/`;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing.abort(new Error("The dashboard is closing"));
      options.signal?.removeEventListener("abort", onAbort);
      await registry.close();
      while (pending.size > 0) await Promise.allSettled([...pending]);
      await server.shutdown();
      await stub?.close();
    })();
    return closed;
  };
  const onAbort = () => void close();
  options.signal?.addEventListener("abort", onAbort, { once: true });

  return {
    url,
    handoffUrl,
    stub,
    stats: () => ({
      sessions: registry.size,
      subscribers: registry.subscriberCount,
    }),
    disconnectStreams: () => registry.disconnectAll(),
    close,
    [Symbol.asyncDispose]: close,
  };
}
