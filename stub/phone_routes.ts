// Copyright 2026 the handoff authors. MIT license.
// The phone side under /s/:id: pages, result submission, scan upload and
// finalization. No API key: the session id is the secret.

import { BodyTooLargeError, readBody } from "../_body.ts";
import { decodeGoBase64 } from "./base64.ts";
import { nowMicros } from "./clock.ts";
import type { AppContext } from "./context.ts";
import { htmlResponse, jsonError, jsonResponse, jsonText } from "./json.ts";
import {
  bindStringStruct,
  decodeGoJson,
  foldKey,
  type GoValue,
} from "./json_decode.ts";
import {
  multipartBoundary,
  MultipartError,
  type MultipartForm,
  parseMultipart,
} from "./multipart.ts";
import {
  actionPage,
  donePage,
  expiredPage,
  introPage,
  notFoundPage,
} from "./pages.ts";
import { imagesToPdf, textToPdf } from "./pdf.ts";
import type {
  ResultItem,
  ScanDocument,
  ScanPage,
  SessionRecord,
} from "./store.ts";
import { itemsJson, scanResultJson } from "./views.ts";
import { completedFrame, statusFrame } from "./ws.ts";

function broadcastStatus(
  ctx: AppContext,
  id: string,
  status: string,
): void {
  if (ctx.hub.has(id)) {
    ctx.hub.broadcast(id, statusFrame(id, status, nowMicros()));
  }
}

/** Show the action page; a pending or opened session becomes action_started. */
function renderAction(ctx: AppContext, session: SessionRecord): Response {
  if (session.status === "pending" || session.status === "opened") {
    session.status = "action_started";
    broadcastStatus(ctx, session.id, "action_started");
  }
  return htmlResponse(200, actionPage(session));
}

/** The page for a session that cannot show an action, if any. */
function terminalPage(
  ctx: AppContext,
  id: string,
): { page: Response } | { session: SessionRecord } {
  const found = ctx.store.lookup(id, nowMicros());
  if (found.state === "missing") {
    return { page: htmlResponse(404, notFoundPage()) };
  }
  if (found.state === "expired") {
    return { page: htmlResponse(410, expiredPage()) };
  }
  if (found.session.status === "completed") {
    return { page: htmlResponse(200, donePage()) };
  }
  return { session: found.session };
}

/** `GET /s/:id`. */
export function sessionPage(id: string, ctx: AppContext): Response {
  const found = terminalPage(ctx, id);
  if ("page" in found) return found.page;
  const session = found.session;
  if (session.status === "pending") {
    session.opened = true;
    session.status = "opened";
    broadcastStatus(ctx, id, "opened");
  }
  if (session.introText !== "") return htmlResponse(200, introPage(session));
  return renderAction(ctx, session);
}

/** `GET /s/:id/action`. */
export function sessionAction(id: string, ctx: AppContext): Response {
  const found = terminalPage(ctx, id);
  if ("page" in found) return found.page;
  return renderAction(ctx, found.session);
}

/**
 * The checks every phone POST starts with (and repeats after reading the
 * body, since the session may have changed meanwhile).
 */
function writableSession(
  ctx: AppContext,
  id: string,
): SessionRecord | Response {
  const found = ctx.store.lookup(id, nowMicros());
  if (found.state === "missing") return jsonError(404, "session not found");
  if (found.state === "expired") return jsonError(410, "session expired");
  if (found.session.status === "completed") {
    return jsonError(409, "session already completed");
  }
  return found.session;
}

interface SubmittedItem {
  contentType: string;
  filename: string;
  data: string;
}

/** Bind `{"items":[…]}` as gin does; `undefined` for any failure. */
function bindSubmit(body: Uint8Array): SubmittedItem[] | undefined {
  let value: GoValue;
  try {
    value = decodeGoJson(body);
  } catch {
    return undefined;
  }
  if (value.kind !== "object") return undefined; // null leaves items nil
  let items: SubmittedItem[] | undefined;
  for (const [key, member] of value.entries) {
    if (key !== "items" && foldKey(key) !== "items") continue;
    if (member.kind === "null") {
      items = undefined;
      continue;
    }
    if (member.kind !== "array") return undefined;
    items = [];
    for (const element of member.items) {
      const bound = bindStringStruct(element, "server.submitResultItem", [
        "content_type",
        "filename",
        "data",
      ]);
      if ("error" in bound) return undefined;
      items.push({
        contentType: bound.fields.content_type ?? "",
        filename: bound.fields.filename ?? "",
        data: bound.fields.data ?? "",
      });
    }
  }
  return items;
}

interface PreparedFile {
  data: Uint8Array;
  contentType: string;
  filename: string;
}

/** Decode an item and, for `pdf` sessions, convert images to PDF. */
async function prepareItem(
  item: SubmittedItem,
  outputFormat: string,
): Promise<PreparedFile | Response> {
  const data = decodeGoBase64(item.data);
  if (data === undefined) return jsonError(400, "invalid base64 data");
  if (outputFormat !== "pdf" || !item.contentType.startsWith("image/")) {
    return { data, contentType: item.contentType, filename: item.filename };
  }
  try {
    if (item.contentType.startsWith("image/svg")) {
      const name = item.filename.endsWith(".svg")
        ? item.filename.slice(0, -4)
        : item.filename;
      return {
        data: await textToPdf(new TextDecoder().decode(data)),
        contentType: "application/pdf",
        filename: name + ".pdf",
      };
    }
    const dot = item.filename.lastIndexOf(".");
    return {
      data: await imagesToPdf([data]),
      contentType: "application/pdf",
      filename: (dot >= 0 ? item.filename.slice(0, dot) : item.filename) +
        ".pdf",
    };
  } catch {
    return jsonError(500, "PDF conversion failed");
  }
}

/** `POST /s/:id/result`. */
export async function submitResult(
  req: Request,
  id: string,
  ctx: AppContext,
): Promise<Response> {
  const check = (): SessionRecord | Response => {
    const session = writableSession(ctx, id);
    if (session instanceof Response) return session;
    if (!session.opened) return jsonError(409, "session not yet opened");
    return session;
  };
  const before = check();
  if (before instanceof Response) return before;
  const submitted = bindSubmit(new Uint8Array(await req.arrayBuffer()));
  if (submitted === undefined) return jsonError(400, "invalid request body");
  const files: PreparedFile[] = [];
  for (const item of submitted) {
    const prepared = await prepareItem(item, before.outputFormat);
    if (prepared instanceof Response) return prepared;
    files.push(prepared);
  }
  const session = check();
  if (session instanceof Response) return session;
  const now = nowMicros();
  const items: ResultItem[] = files.map((file) => {
    const downloadId = crypto.randomUUID();
    ctx.store.putFile(
      downloadId,
      file.data,
      file.contentType,
      file.filename,
      session.resultTtlNs,
      now,
    );
    return {
      downloadId,
      contentType: file.contentType,
      filename: file.filename,
    };
  });
  session.status = "completed";
  session.completedAtUs = now;
  session.result = items;
  const json = itemsJson(items);
  if (ctx.hub.has(id)) ctx.hub.broadcast(id, completedFrame(id, json, now));
  return jsonText(200, `{"items":${json}}`);
}

/** Go's `strconv.Atoi` accepting only values >= 0; anything else is 0. */
function index(value: string | undefined): bigint {
  if (value === undefined || !/^[+-]?\d+$/.test(value)) return 0n;
  const n = BigInt(value);
  return n >= 0n && n < 1n << 63n ? n : 0n;
}

/** `r.FormValue`: the query string first, then the form's values. */
function formValue(
  req: Request,
  form: MultipartForm,
  name: string,
): string | undefined {
  const query = new URL(req.url).searchParams.get(name);
  if (query !== null) return query;
  return form.values.get(name)?.[0];
}

/** A scan session that still takes pages, or the error answer. */
function scanSession(ctx: AppContext, id: string): SessionRecord | Response {
  const session = writableSession(ctx, id);
  if (session instanceof Response) return session;
  if (session.actionType !== "scan") {
    return jsonError(400, "session is not a scan session");
  }
  return session;
}

/** `POST /s/:id/scan/upload`. */
export async function scanUpload(
  req: Request,
  id: string,
  ctx: AppContext,
): Promise<Response> {
  const before = scanSession(ctx, id);
  if (before instanceof Response) return before;
  let form: MultipartForm;
  try {
    const boundary = multipartBoundary(req.headers.get("content-type"));
    // Like Go's `http.MaxBytesReader`.
    const body = await readBody(req, ctx.config.scanUploadMaxBytes);
    form = parseMultipart(body, boundary);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return jsonError(413, "request body too large");
    }
    if (!(error instanceof MultipartError)) throw error;
    await req.body?.cancel().catch(() => {});
    return jsonError(400, `failed to parse multipart form: ${error.message}`);
  }
  const file = form.files.get("file")?.[0];
  if (file === undefined) return jsonError(400, "missing file field");
  const session = scanSession(ctx, id);
  if (session instanceof Response) return session;
  const documentIndex = session.documentMode === "single"
    ? 0n
    : index(formValue(req, form, "document_index"));
  const pageIndex = index(formValue(req, form, "page_index"));
  const pages = session.pages ??= [];
  if (pages.length >= ctx.config.scanMaxPages) {
    return jsonResponse(400, {
      current: pages.length,
      error: "page limit exceeded",
      limit: ctx.config.scanMaxPages,
    });
  }
  pages.push({
    documentIndex,
    pageIndex,
    data: file.data,
    contentType: file.contentType || "application/octet-stream",
  });
  return jsonResponse(200, {
    document_index: documentIndex,
    page_index: pageIndex,
    status: "page accepted",
  });
}

/** Pages grouped by document index (ascending), each sorted by page index. */
function groupPages(pages: readonly ScanPage[]): ScanPage[][] {
  const byDocument = new Map<bigint, ScanPage[]>();
  for (const page of pages) {
    const list = byDocument.get(page.documentIndex) ?? [];
    list.push(page);
    byDocument.set(page.documentIndex, list);
  }
  const order = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
  return [...byDocument.keys()].sort(order).map((key) =>
    (byDocument.get(key) ?? []).sort((a, b) => order(a.pageIndex, b.pageIndex))
  );
}

/** `POST /s/:id/scan/finalize`. */
export async function scanFinalize(
  id: string,
  ctx: AppContext,
): Promise<Response> {
  const before = scanSession(ctx, id);
  if (before instanceof Response) return before;
  const pages = before.pages ?? [];
  if (pages.length === 0) return jsonError(400, "no pages uploaded");
  const documents = groupPages(pages);
  let pdfs: Uint8Array[] | undefined;
  if (before.scanOutputFormat === "pdf") {
    pdfs = [];
    for (const doc of documents) {
      try {
        pdfs.push(await imagesToPdf(doc.map((page) => page.data)));
      } catch {
        return jsonError(500, "PDF assembly failed");
      }
    }
  }
  const session = scanSession(ctx, id);
  if (session instanceof Response) return session;
  const now = nowMicros();
  const store = (data: Uint8Array, contentType: string): string => {
    const downloadId = crypto.randomUUID();
    ctx.store.putFile(
      downloadId,
      data,
      contentType,
      "",
      session.resultTtlNs,
      now,
    );
    return downloadId;
  };
  const scanResult: ScanDocument[] = [];
  const scanFiles: string[][] = [];
  if (pdfs !== undefined) {
    for (const pdf of pdfs) {
      const downloadId = store(pdf, "application/pdf");
      scanResult.push({ pdfUrl: `/api/v1/downloads/${downloadId}` });
      scanFiles.push([downloadId]);
    }
  } else {
    for (const doc of documents) {
      const ids = doc.map((page) => store(page.data, page.contentType));
      scanResult.push({
        pages: doc.map((page, i) => ({
          url: `/api/v1/downloads/${ids[i]}`,
          contentType: page.contentType,
        })),
      });
      scanFiles.push(ids);
    }
  }
  session.status = "completed";
  session.completedAtUs = now;
  session.scanResult = scanResult;
  session.scanFiles = scanFiles;
  session.pages = undefined;
  if (ctx.hub.has(id)) {
    ctx.hub.broadcast(id, completedFrame(id, scanResultJson(scanResult), now));
  }
  return jsonText(200, '{"status":"completed"}');
}
