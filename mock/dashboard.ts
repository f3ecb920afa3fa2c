// Copyright 2026 the handoff authors. MIT license.
/**
 * The mock dashboard's HTTP server: the page, the session list and the
 * create form's endpoint, each session's live events (the library's relay,
 * `sessionEventResponse`, one `EventSource` per card), and the download
 * route that streams result files from the Handoff server to the browser
 * (and counts a PDF's pages for its preview). The API key stays on this
 * side: the browser only ever talks to the dashboard, and off loopback only
 * with the access token of its start-up URL (see `auth.ts`).
 *
 * @module
 */

import {
  HandoffClient,
  type HandoffClientOptions,
  sessionEventResponse,
} from "../mod.ts";
import { startStubServer, type StubServer } from "../testing.ts";
import {
  decodeSegment,
  hostForUrl,
  isLoopback,
  json,
  jsonError,
  PAGE_CSP,
  readJsonBody,
  upstreamError,
} from "./http.ts";
import { newToken, TOKEN_PARAM, tokenGate } from "./auth.ts";
import { FileRoutes } from "./files.ts";
import { Registry } from "./registry.ts";
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
  /**
   * Whether every request needs the access token (or its cookie): a random
   * token, in {@linkcode Dashboard.url}, that the browser trades for an
   * `HttpOnly`, `SameSite=Strict` cookie. Without it anyone who reaches the
   * dashboard could create sessions with the API key and download results.
   * @default {true when `hostname` is not a loopback address}
   */
  requireToken?: boolean;
  /** Port of the embedded stub; `0` picks a free one. @default {0} */
  stubPort?: number;
  /** Interval of the relay's keep-alive comment, in milliseconds. @default {15000} */
  keepAliveMs?: number;
  /** What the browser waits before it reconnects a dropped relay stream, in milliseconds. @default {2000} */
  retryMs?: number;
  /** Most sessions the dashboard holds at once. @default {50} */
  maxSessions?: number;
  /** Largest accepted JSON body, in bytes. @default {16384} */
  maxBodyBytes?: number;
  /** Largest PDF whose pages `GET /api/downloads/:id/pages` counts, in bytes. @default {33554432} */
  maxPdfBytes?: number;
  /**
   * Called for each relay request (`GET /api/sessions/:id/events`) with the
   * Last-Event-ID the browser sent and the `lastEventId` query, before it is
   * answered. For tests and logs.
   */
  onRelayRequest?: (
    request: {
      readonly sessionId: string;
      readonly header: string | null;
      readonly query: string | null;
    },
  ) => void;
  /** Tuning of the client (timeouts, polling, reconnects). */
  client?: Omit<HandoffClientOptions, "baseUrl" | "apiKey">;
  /** Closes the dashboard when aborted. */
  signal?: AbortSignal;
}

/** A running dashboard. */
export interface Dashboard extends AsyncDisposable {
  /**
   * The page's URL, e.g. `http://127.0.0.1:9090/`; with the access token
   * when one is required (`http://192.168.1.20:9090/?token=…`), so this is
   * the URL to open, and one to keep from logs.
   */
  readonly url: string;
  /** The access token, when one is required (see `requireToken`). */
  readonly token: string | undefined;
  /** The Handoff server the dashboard talks to. */
  readonly handoffUrl: string;
  /** The embedded stub, when no `handoffUrl` was given. */
  readonly stub: StubServer | undefined;
  /**
   * How many sessions the dashboard holds, and how many relay streams
   * (`GET /api/sessions/:id/events`) are open now, in all and per session.
   */
  stats(): {
    sessions: number;
    relays: number;
    relaysBySession: Record<string, number>;
  };
  /**
   * End every relay stream while keeping the sessions (the browsers
   * reconnect with `Last-Event-ID` and are replayed what they missed). For
   * tests.
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
  const maxPdfBytes = options.maxPdfBytes ?? 32 * 1024 * 1024;
  const requireToken = options.requireToken ?? !isLoopback(hostname);
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
    const start = (port: number) =>
      startStubServer({
        hostname: lan ? hostname : "127.0.0.1",
        port,
        transportFaults: false,
        ...(lan
          ? {
            baseUrl: `http://${hostForUrl(options.publicHostname!)}:${port}`,
          }
          : {}),
      });
    if (options.stubPort !== undefined || !lan) {
      stub = await start(options.stubPort ?? 0);
    } else {
      // On the network the stub's URLs carry its port, so the port is picked
      // before it listens; another process may take it in between: try again.
      for (let attempt = 1;; attempt++) {
        try {
          stub = await start(await freePort(hostname));
          break;
        } catch (error) {
          if (!(error instanceof Deno.errors.AddrInUse) || attempt === 5) {
            throw error;
          }
        }
      }
    }
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
  const mode = stub ? "stub" : "remote";
  const registry = new Registry({
    async filesExpireAt(session) {
      const info = await client.getSession(session.id, {
        signal: closing.signal,
      });
      return info.status !== "expired" && info.completedAt !== undefined
        ? new Date(info.completedAt.getTime() + info.resultTtlMs)
        : undefined;
    },
  });

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
    return json(201, { session: registry.add(session) });
  };

  const results = new FileRoutes({
    client,
    registry,
    handoffUrl,
    maxPdfBytes,
    signal: closing.signal,
  });

  // The open relay streams, by session id. `drop` ends them all for
  // disconnectStreams(); a fresh one serves the streams opened after.
  const relays = new Map<string, number>();
  let drop = new AbortController();
  const countRelay = (id: string, by: number): void => {
    const n = (relays.get(id) ?? 0) + by;
    if (n === 0) relays.delete(id);
    else relays.set(id, n);
  };

  const events = (
    req: Request,
    id: string,
    completed: Promise<void>,
  ): Response => {
    const header = req.headers.get("last-event-id");
    const query = new URL(req.url).searchParams.get("lastEventId");
    options.onRelayRequest?.({ sessionId: id, header, query });
    const session = registry.session(id);
    if (session === undefined) {
      return jsonError(404, "No such session on this dashboard");
    }
    // The browser went away, or the stream ended: the response is done.
    // This is the request's abort signal without the legacy `request.signal`
    // of Deno.serve, which also aborts after a complete response and warns
    // when it does.
    const gone = new AbortController();
    const response = sessionEventResponse(session, {
      request: req,
      // The header on EventSource's own reconnects; the query when the page
      // opens (or reopens by hand) a stream from a point it names.
      lastEventId: header ?? query,
      signal: AbortSignal.any([gone.signal, closing.signal, drop.signal]),
      qrCode: true,
      connection: true,
      downloadUrl: (file) =>
        `/api/downloads/${encodeURIComponent(file.downloadId)}`,
      ...(options.keepAliveMs !== undefined
        ? { keepAliveMs: options.keepAliveMs }
        : {}),
      retryMs,
    });
    if (response.body === null) return response; // 204: it has it all
    countRelay(id, 1);
    completed.catch(() => {}).finally(() => {
      gone.abort();
      countRelay(id, -1);
    });
    return response;
  };

  let server: Deno.HttpServer<Deno.NetAddr>;
  const token = requireToken ? newToken() : undefined;
  let gate: ReturnType<typeof tokenGate> | undefined;
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
      await req.body?.cancel();
      return jsonError(421, `Unexpected Host ${JSON.stringify(host)}`);
    }

    // On a network, nothing without the token: not the page, not a file.
    const refused = await gate?.(req, url);
    if (refused !== undefined) {
      await req.body?.cancel();
      return refused;
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

    if (path === "/api/sessions") {
      if (method === "GET") {
        return json(200, {
          mode,
          handoffUrl,
          serverTime: new Date().toISOString(),
          sessions: registry.views(),
        });
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
        const view = await registry.settled(id);
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
    const eventsMatch = /^\/api\/sessions\/([^/]+)\/events$/.exec(path);
    if (eventsMatch !== null) {
      if (method !== "GET") {
        await req.body?.cancel();
        return jsonError(405, "Method not allowed", {}, { allow: "GET" });
      }
      const id = decodeSegment(eventsMatch[1]!);
      return id === undefined
        ? jsonError(400, "Malformed session id")
        : events(req, id, info.completed);
    }
    const pagesMatch = /^\/api\/downloads\/([^/]+)\/pages$/.exec(path);
    if (pagesMatch !== null) {
      if (method !== "GET") {
        return jsonError(405, "Method not allowed", {}, { allow: "GET" });
      }
      return await results.pdfPages(pagesMatch[1]!);
    }
    const downloadMatch = /^\/api\/downloads\/([^/]+)$/.exec(path);
    if (downloadMatch !== null) {
      if (method !== "GET") {
        return jsonError(405, "Method not allowed", {}, { allow: "GET" });
      }
      return await results.download(
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

  // Set before the first request is handled (that runs after this returns).
  // One cookie per port: a browser sends a host's cookies to all its ports.
  if (token !== undefined) {
    gate = tokenGate(token, `handoff_dashboard_${server.addr.port}`);
  }

  const shownHost = isLoopback(hostname) || options.publicHostname === undefined
    ? (hostname === "0.0.0.0" || hostname === "::" ? "127.0.0.1" : hostname)
    : options.publicHostname;
  const url = `http://${hostForUrl(shownHost)}:${server.addr.port}/${
    token === undefined ? "" : `?${TOKEN_PARAM}=${token}`
  }`;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing.abort(new Error("The dashboard is closing"));
      options.signal?.removeEventListener("abort", onAbort);
      await registry.close();
      await server.shutdown();
      await stub?.close();
    })();
    return closed;
  };
  const onAbort = () => void close();
  options.signal?.addEventListener("abort", onAbort, { once: true });

  return {
    url,
    token,
    handoffUrl,
    stub,
    stats: () => ({
      sessions: registry.size,
      relays: [...relays.values()].reduce((a, b) => a + b, 0),
      relaysBySession: Object.fromEntries(relays),
    }),
    disconnectStreams: () => {
      const ended = [...relays.values()].reduce((a, b) => a + b, 0);
      drop.abort();
      drop = new AbortController();
      return ended;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
