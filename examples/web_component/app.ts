// Copyright 2026 the handoff authors. MIT license.
/**
 * A web app whose page shows a photo session with the `<handoff-session>`
 * element: a form creates the session, the session's page holds one tag,
 * `<handoff-session src="/sessions/<id>/events">`, and the element does the
 * rest (QR code, link, live status, time left, the photo when it arrives).
 *
 * Four routes do the work:
 *
 * - `POST /sessions` creates a session with the {@linkcode HandoffClient}
 *   and keeps the `Session` in a `Map` (the API key stays here);
 * - `GET /sessions/:id/events` is the relay:
 *   `sessionEventResponse(session, { request, qrCode: true, downloadUrl })`;
 * - `GET /sessions/:id/files/:downloadId` streams a result file, for the
 *   links the relay hands out (and only those);
 * - `GET /element.js` serves the element as the browser runs it (the app is
 *   given that script: `main.ts` bundles `element.ts` with `deno bundle` when
 *   it starts).
 *
 * The handler is web-standard only (`Request` in, `Response` out), and the
 * page works under a strict Content-Security-Policy: no inline script or
 * style. The app counts the relay streams it has open, to show that a page
 * that removes the element (or goes away) ends its stream.
 *
 * @module
 */

import {
  type HandoffClient,
  type Session,
  sessionEventResponse,
} from "@handoff/client";

/** Options of {@linkcode createApp}. */
export interface AppOptions {
  /** The client of your Handoff server (it holds the API key). */
  client: HandoffClient;
  /** The `<handoff-session>` element as browser JavaScript (see `main.ts`). */
  elementScript: string;
  /** How long the person has to take the photo. @default {"10m"} */
  sessionTtl?: string | number;
  /** How long a browser waits before reconnecting to the relay. @default {2000} */
  retryMs?: number;
}

/** A relay request the app received. */
export interface RelayRequest {
  /** The session it asked about. */
  readonly sessionId: string;
  /** Its `Last-Event-ID` header (a reconnecting `EventSource` sends one). */
  readonly lastEventId: string | null;
}

/** The app: a fetch handler, and what its tests look at. */
export interface App extends AsyncDisposable {
  /** Answers a request (pass it to `Deno.serve`). */
  fetch(request: Request): Promise<Response>;
  /** How many relay streams are open right now. */
  readonly openStreams: number;
  /** The relay requests so far, in order. */
  readonly relayRequests: readonly RelayRequest[];
  /** The sessions the app created, by id. */
  readonly sessions: ReadonlyMap<string, Session>;
  /**
   * Ends every open relay stream, as a proxy or a network change would: the
   * browsers reconnect (with `Last-Event-ID`).
   */
  dropStreams(): void;
  /** Ends the streams and closes every session. Idempotent. */
  close(): Promise<void>;
}

const SESSION_PAGE = /^\/sessions\/([0-9a-f-]{36})$/;
const EVENTS = /^\/sessions\/([0-9a-f-]{36})\/events$/;
const FILE = /^\/sessions\/([0-9a-f-]{36})\/files\/([^/]+)$/;

/** No inline script or style, no other origin. */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

const STYLE =
  `body { font: 16px/1.4 system-ui, sans-serif; margin: 0 auto; padding: 16px; max-width: 480px; }
@media (prefers-color-scheme: dark) { body { background: #17191e; color: #e8eaef; } }
handoff-session { --handoff-accent: #0a7d5a; }
@media (prefers-color-scheme: dark) { handoff-session { --handoff-accent: #6fe0b8; } }
`;

/** On expiry, offer another session (the element says it expired). */
const PAGE_SCRIPT = `const element = document.querySelector("handoff-session");
const again = document.getElementById("again");
for (const type of ["handoff-expired", "handoff-error"]) {
  element?.addEventListener(type, () => { if (again) again.hidden = false; });
}
`;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function text(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}

function page(title: string, body: string): Response {
  return new Response(
    `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/style.css">
<h1>${escape(title)}</h1>
${body}
`,
    {
      headers: {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": CSP,
        "cache-control": "no-store",
      },
    },
  );
}

function asset(body: string, type: string): Response {
  return new Response(body, {
    headers: { "content-type": `${type}; charset=utf-8` },
  });
}

/**
 * A stream that says when it ends: read to the end, or cancelled by the
 * server because the browser went away.
 */
function counted(
  body: ReadableStream<Uint8Array>,
  onEnd: () => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          end();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        end();
        controller.error(error);
      }
    },
    async cancel(reason) {
      end();
      await reader.cancel(reason);
    },
  });
}

/**
 * Build the app.
 *
 * @param options The Handoff client, the element's script, the session TTL.
 * @returns The app; `fetch` is its request handler.
 */
export function createApp(options: AppOptions): App {
  const { client, elementScript } = options;
  const sessions = new Map<string, Session>();
  /** download id → session id, for the links the relay handed out. */
  const files = new Map<string, string>();
  const streams = new Set<AbortController>();
  const relayRequests: RelayRequest[] = [];
  let closed = false;

  async function create(): Promise<Response> {
    if (closed) return text(503, "The app is shutting down.");
    const session = await client.createSession({
      action: "photo",
      outputFormat: "jpg",
      sessionTtl: options.sessionTtl ?? "10m",
    });
    sessions.set(session.id, session);
    return new Response(null, {
      status: 303,
      headers: { location: `/sessions/${session.id}` },
    });
  }

  function relay(session: Session, request: Request): Response {
    relayRequests.push({
      sessionId: session.id,
      lastEventId: request.headers.get("last-event-id"),
    });
    const stop = new AbortController();
    const response = sessionEventResponse(session, {
      request,
      signal: stop.signal,
      qrCode: true,
      ...(options.retryMs !== undefined ? { retryMs: options.retryMs } : {}),
      downloadUrl: (file) => {
        files.set(file.downloadId, file.sessionId);
        return `/sessions/${file.sessionId}/files/${
          encodeURIComponent(file.downloadId)
        }`;
      },
    });
    if (response.body === null) return response; // 204: nothing more to say
    streams.add(stop);
    return new Response(
      counted(response.body, () => streams.delete(stop)),
      { status: response.status, headers: response.headers },
    );
  }

  async function download(sessionId: string, downloadId: string) {
    if (files.get(downloadId) !== sessionId) return text(404, "No such file");
    const file = await client.downloadStream(downloadId);
    return new Response(file.body, {
      headers: {
        "content-type": file.contentType,
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
      },
    });
  }

  async function handle(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    const get = request.method === "GET" || request.method === "HEAD";
    if (pathname === "/" && get) {
      return page(
        "A photo from your phone",
        `<form method="post" action="/sessions"><button>Take a photo with my phone</button></form>`,
      );
    }
    if (pathname === "/sessions" && request.method === "POST") {
      return await create();
    }
    if (pathname === "/element.js" && get) {
      return asset(elementScript, "text/javascript");
    }
    if (pathname === "/page.js" && get) {
      return asset(PAGE_SCRIPT, "text/javascript");
    }
    if (pathname === "/style.css" && get) return asset(STYLE, "text/css");
    let match = SESSION_PAGE.exec(pathname);
    if (match !== null && get) {
      if (!sessions.has(match[1]!)) return text(404, "No such session");
      const src = `/sessions/${match[1]!}/events`;
      return page(
        "A photo from your phone",
        `<handoff-session src="${
          escape(src)
        }" text-done="Thank you: the photo is here">
</handoff-session>
<p id="again" hidden><a href="/">Start again</a></p>
<script type="module" src="/element.js"></script>
<script type="module" src="/page.js"></script>`,
      );
    }
    match = EVENTS.exec(pathname);
    if (match !== null && get) {
      const session = sessions.get(match[1]!);
      if (session === undefined) return text(404, "No such session");
      return relay(session, request);
    }
    match = FILE.exec(pathname);
    if (match !== null && get) {
      return await download(match[1]!, decodeURIComponent(match[2]!));
    }
    return text(404, "Not found");
  }

  const app: App = {
    async fetch(request) {
      try {
        return await handle(request);
      } catch (error) {
        console.error("request failed:", error);
        return text(500, "Something went wrong.");
      }
    },
    get openStreams() {
      return streams.size;
    },
    relayRequests,
    sessions,
    dropStreams() {
      for (const stop of streams) stop.abort();
    },
    async close() {
      if (closed) return;
      closed = true;
      app.dropStreams();
      await Promise.all([...sessions.values()].map((s) => s.close()));
    },
    [Symbol.asyncDispose]() {
      return app.close();
    },
  };
  return app;
}
