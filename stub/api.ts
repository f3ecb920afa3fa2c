// Copyright 2026 the handoff authors. MIT license.
// The REST API under /api/v1 and the WebSocket endpoint.

import { GoDurationError, goQuote, parseGoDuration } from "../_duration.ts";
import { nowMicros } from "./clock.ts";
import type { AppContext, RequestInfo } from "./context.ts";
import { goBody, goJson, jsonError, jsonResponse, jsonText } from "./json.ts";
import {
  bindStringStruct,
  decodeGoJson,
  GoJsonSyntaxError,
  type GoValue,
} from "./json_decode.ts";
import { completedResultJson, sessionJson } from "./views.ts";
import { statusFrame } from "./ws.ts";
import type { StubActionType } from "./types.ts";

/** The `X-API-Key` check of the protected routes (header only). */
export function checkApiKey(
  req: Request,
  ctx: AppContext,
): Response | undefined {
  const key = req.headers.get("x-api-key") ?? "";
  if (key === "") return jsonError(401, "missing API key");
  if (!ctx.config.apiKeys.includes(key)) {
    return jsonError(401, "invalid API key");
  }
  return undefined;
}

const CREATE_FIELDS = [
  "action_type",
  "intro_text",
  "output_format",
  "document_mode",
  "session_ttl",
  "result_ttl",
] as const;

const REQUIRED_ACTION_TYPE =
  "invalid request body: Key: 'createSessionRequest.ActionType' Error:Field validation for 'ActionType' failed on the 'required' tag";

function parseTtl(
  name: string,
  value: string | undefined,
  fallback: bigint,
): bigint | Response {
  if (value === undefined || value === "") return fallback;
  try {
    return parseGoDuration(value);
  } catch (error) {
    if (error instanceof GoDurationError) {
      return jsonError(400, `invalid ${name}: ${error.message}`);
    }
    throw error;
  }
}

/** `POST /api/v1/sessions`. */
export async function createSession(
  req: Request,
  ctx: AppContext,
): Promise<Response> {
  const denied = checkApiKey(req, ctx);
  if (denied !== undefined) return denied;
  let value: GoValue;
  try {
    value = decodeGoJson(new Uint8Array(await req.arrayBuffer()));
  } catch (error) {
    if (error instanceof GoJsonSyntaxError) {
      return jsonError(400, `invalid request body: ${error.message}`);
    }
    throw error;
  }
  const bound = bindStringStruct(
    value,
    "server.createSessionRequest",
    CREATE_FIELDS,
  );
  if ("error" in bound) {
    return jsonError(400, `invalid request body: ${bound.error}`);
  }
  const fields = bound.fields;
  const actionType = fields.action_type ?? "";
  if (actionType === "") return jsonError(400, REQUIRED_ACTION_TYPE);
  if (!["photo", "signature", "scan"].includes(actionType)) {
    return jsonError(
      400,
      `unknown action type ${
        goQuote(actionType)
      }: must be 'photo', 'signature', or 'scan'`,
    );
  }
  const sessionTtlNs = parseTtl(
    "session_ttl",
    fields.session_ttl,
    ctx.config.sessionTtlNs,
  );
  if (sessionTtlNs instanceof Response) return sessionTtlNs;
  const resultTtlNs = parseTtl(
    "result_ttl",
    fields.result_ttl,
    ctx.config.resultTtlNs,
  );
  if (resultTtlNs instanceof Response) return resultTtlNs;

  const common = {
    id: crypto.randomUUID(),
    actionType: actionType as StubActionType,
    introText: fields.intro_text ?? "",
    sessionTtlNs,
    resultTtlNs,
  };
  const format = fields.output_format ?? "";
  let record;
  if (actionType === "scan") {
    const mode = fields.document_mode || "single";
    if (mode !== "single" && mode !== "multi") {
      return jsonError(
        400,
        `unknown scan document mode ${
          goQuote(mode)
        }: must be 'single' or 'multi'`,
      );
    }
    const scanFormat = format || "pdf";
    if (scanFormat !== "pdf" && scanFormat !== "images") {
      return jsonError(
        400,
        `unknown scan output format ${
          goQuote(scanFormat)
        }: must be 'pdf' or 'images'`,
      );
    }
    record = ctx.store.add({
      ...common,
      outputFormat: "",
      documentMode: mode,
      scanOutputFormat: scanFormat,
      createdAtUs: nowMicros(),
    });
  } else {
    if (format === "") return jsonError(400, "output_format is required");
    const allowed = actionType === "photo"
      ? ["jpg", "png", "pdf"]
      : ["svg", "png", "pdf"];
    if (!allowed.includes(format)) {
      return jsonError(
        400,
        `invalid output format ${
          goQuote(format)
        } for action type '${actionType}': must be '${allowed[0]}', '${
          allowed[1]
        }', or '${allowed[2]}'`,
      );
    }
    record = ctx.store.add({
      ...common,
      outputFormat: format,
      createdAtUs: nowMicros(),
    });
  }
  return jsonText(201, sessionJson(record, ctx.config.baseUrl));
}

/** `GET /api/v1/sessions/:id`. */
export function getSession(
  req: Request,
  id: string,
  ctx: AppContext,
): Response {
  const denied = checkApiKey(req, ctx);
  if (denied !== undefined) return denied;
  const found = ctx.store.lookup(id, nowMicros());
  switch (found.state) {
    case "missing":
      return jsonError(404, "session not found");
    case "expired":
      return jsonResponse(200, { id, status: "expired" });
    case "live":
      return jsonText(200, sessionJson(found.session, ctx.config.baseUrl));
  }
}

/** `GET /api/v1/sessions/:id/result`. */
export function getResult(
  req: Request,
  id: string,
  ctx: AppContext,
): Response {
  const denied = checkApiKey(req, ctx);
  if (denied !== undefined) return denied;
  const found = ctx.store.lookup(id, nowMicros());
  if (found.state === "missing") return jsonError(404, "session not found");
  if (found.state === "expired") return jsonError(410, "session expired");
  const session = found.session;
  if (session.status === "completed") {
    return jsonText(200, completedResultJson(session));
  }
  return jsonResponse(202, { status: session.status });
}

/** `GET /api/v1/downloads/:download_id`. */
export function download(
  req: Request,
  downloadId: string,
  ctx: AppContext,
): Response {
  const denied = checkApiKey(req, ctx);
  if (denied !== undefined) return denied;
  const file = ctx.store.getFile(downloadId, nowMicros());
  if (file === undefined) return jsonError(404, "file not found or expired");
  return new Response(goBody(file.data), {
    status: 200,
    headers: {
      "content-type": file.contentType,
      "content-disposition": "attachment",
    },
  });
}

/** `GET /api/v1/health`. */
export function health(): Response {
  return jsonText(200, '{"status":"ok"}');
}

/** `GET /api/v1/version`. */
export function version(ctx: AppContext): Response {
  return jsonText(
    200,
    goJson({
      commit: ctx.config.version.commit,
      version: ctx.config.version.version,
    }),
  );
}

function hasToken(req: Request, header: string, token: string): boolean {
  return (req.headers.get(header) ?? "").split(",").some((t) =>
    t.trim().toLowerCase() === token
  );
}

function isValidChallengeKey(key: string | null): boolean {
  if (key === null || !/^[A-Za-z0-9+/]{22}==$/.test(key.trim())) return false;
  return true;
}

/** What gorilla/websocket answers to a request that is not a valid handshake. */
function badHandshake(): Response {
  return new Response(new TextEncoder().encode("Bad Request\n"), {
    status: 400,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "sec-websocket-version": "13",
      "x-content-type-options": "nosniff",
    },
  });
}

/** `GET /api/v1/sessions/:id/ws`. */
export function websocket(
  req: Request,
  id: string,
  ctx: AppContext,
  info: RequestInfo,
): Response {
  let key = req.headers.get("x-api-key") ?? "";
  let via: "header" | "query" = "header";
  if (key === "") {
    key = new URL(req.url).searchParams.get("api_key") ?? "";
    via = "query";
  }
  if (key === "") return jsonError(401, "missing API key");
  if (!ctx.config.apiKeys.includes(key)) {
    return jsonError(401, "invalid API key");
  }
  const found = ctx.store.lookup(id, nowMicros());
  if (found.state === "missing") return jsonError(404, "session not found");
  if (found.state === "expired") return jsonError(410, "session expired");
  if (
    !hasToken(req, "connection", "upgrade") ||
    !hasToken(req, "upgrade", "websocket") ||
    !hasToken(req, "sec-websocket-version", "13") ||
    !isValidChallengeKey(req.headers.get("sec-websocket-key"))
  ) {
    return badHandshake();
  }
  let upgraded: { socket: WebSocket; response: Response };
  try {
    upgraded = Deno.upgradeWebSocket(req, { idleTimeout: 0 });
  } catch {
    return badHandshake();
  }
  ctx.stats.upgrades++;
  ctx.stats.upgradeAuth[via]++;
  ctx.onUpgrade(info.remotePort);
  const { socket, response } = upgraded;
  const initialStatus = found.session.status;
  socket.onopen = () => {
    const now = nowMicros();
    const current = ctx.store.lookup(id, now);
    const status = current.state === "missing"
      ? initialStatus
      : current.session.status;
    try {
      socket.send(statusFrame(id, status, now));
    } catch {
      return;
    }
    ctx.hub.add({ socket, sessionId: id, remotePort: info.remotePort ?? 0 });
  };
  socket.onclose = () => ctx.hub.remove(socket);
  socket.onerror = () => ctx.hub.remove(socket);
  return response;
}
