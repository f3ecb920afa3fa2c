// Copyright 2026 the handoff authors. MIT license.
// Routing like gin's: exact methods, `:param` segments, 404 text for the
// rest, and the trailing-slash redirect.

import * as api from "./api.ts";
import type { AppContext, RequestInfo } from "./context.ts";
import { notFoundText } from "./json.ts";
import * as phone from "./phone_routes.ts";
import type { StubRoute } from "./types.ts";

/** What a request is counted as in the stats. */
export type RouteName = StubRoute | "phone" | "other";

type Endpoint =
  | "health"
  | "version"
  | "create"
  | "session"
  | "result"
  | "websocket"
  | "download"
  | "page"
  | "action"
  | "submit"
  | "upload"
  | "finalize";

interface Match {
  readonly endpoint: Endpoint;
  readonly id: string;
}

/** Match a method and a decoded path against the real server's routes. */
function match(method: string, path: string): Match | undefined {
  const s = path.split("/");
  if (s[0] !== "") return undefined;
  const id = (i: number): string | undefined => {
    const value = s[i];
    return value === undefined || value === "" ? undefined : value;
  };
  const at = (endpoint: Endpoint, i = -1): Match | undefined => {
    if (i < 0) return { endpoint, id: "" };
    const value = id(i);
    return value === undefined ? undefined : { endpoint, id: value };
  };
  if (s[1] === "api" && s[2] === "v1") {
    const rest = s.slice(3);
    if (method === "GET") {
      if (rest.length === 1 && rest[0] === "health") return at("health");
      if (rest.length === 1 && rest[0] === "version") return at("version");
      if (rest[0] === "sessions") {
        if (rest.length === 2) return at("session", 4);
        if (rest.length === 3 && rest[2] === "result") return at("result", 4);
        if (rest.length === 3 && rest[2] === "ws") return at("websocket", 4);
      }
      if (rest[0] === "downloads" && rest.length === 2) {
        return at("download", 4);
      }
    }
    if (method === "POST" && rest.length === 1 && rest[0] === "sessions") {
      return at("create");
    }
    return undefined;
  }
  if (s[1] === "s") {
    if (method === "GET") {
      if (s.length === 3) return at("page", 2);
      if (s.length === 4 && s[3] === "action") return at("action", 2);
    }
    if (method === "POST") {
      if (s.length === 4 && s[3] === "result") return at("submit", 2);
      if (s.length === 5 && s[3] === "scan") {
        if (s[4] === "upload") return at("upload", 2);
        if (s[4] === "finalize") return at("finalize", 2);
      }
    }
  }
  return undefined;
}

const ROUTE_OF: Readonly<Record<Endpoint, RouteName>> = {
  health: "health",
  version: "version",
  create: "create",
  session: "session",
  result: "result",
  websocket: "websocket",
  download: "download",
  page: "phone",
  action: "phone",
  submit: "phone",
  upload: "phone",
  finalize: "phone",
};

/** The decoded path of a request URL (Go routes on the decoded path). */
function decodedPath(url: URL): string {
  try {
    return decodeURIComponent(url.pathname);
  } catch {
    return url.pathname;
  }
}

/** The stats route of a request. */
export function routeOf(req: Request): RouteName {
  const path = decodedPath(new URL(req.url));
  const found = match(req.method, path);
  if (found !== undefined) return ROUTE_OF[found.endpoint];
  return path.startsWith("/s/") ? "phone" : "other";
}

// Go's htmlEscape in http.Redirect.
const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&#34;",
  "'": "&#39;",
};

/** gin's trailing-slash redirect (301 for GET, 307 otherwise). */
function redirect(req: Request, url: URL, path: string): Response | undefined {
  if (path.length <= 1 || !path.endsWith("/")) return undefined;
  if (match(req.method, path.slice(0, -1)) === undefined) return undefined;
  const location = url.pathname.slice(0, -1) + url.search;
  if (req.method !== "GET") {
    return new Response(null, { status: 307, headers: { location } });
  }
  const href = location.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
  return new Response(
    new TextEncoder().encode(`<a href="${href}">Moved Permanently</a>.\n\n`),
    {
      status: 301,
      headers: { location, "content-type": "text/html; charset=utf-8" },
    },
  );
}

/**
 * Answer a request exactly like the real server (no faults, no counting).
 * This is the one code path of both network requests and {@linkcode StubPhone}
 * calls.
 */
export async function handle(
  req: Request,
  ctx: AppContext,
  info: RequestInfo,
): Promise<Response> {
  const url = new URL(req.url);
  const path = decodedPath(url);
  const found = match(req.method, path);
  if (found === undefined) return redirect(req, url, path) ?? notFoundText();
  const { id } = found;
  switch (found.endpoint) {
    case "health":
      return api.health();
    case "version":
      return api.version(ctx);
    case "create":
      return await api.createSession(req, ctx);
    case "session":
      return api.getSession(req, id, ctx);
    case "result":
      return api.getResult(req, id, ctx);
    case "websocket":
      return api.websocket(req, id, ctx, info);
    case "download":
      return api.download(req, id, ctx);
    case "page":
      return phone.sessionPage(id, ctx);
    case "action":
      return phone.sessionAction(id, ctx);
    case "submit":
      return await phone.submitResult(req, id, ctx);
    case "upload":
      return await phone.scanUpload(req, id, ctx);
    case "finalize":
      return await phone.scanFinalize(id, ctx);
  }
}
