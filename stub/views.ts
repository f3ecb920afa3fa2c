// Copyright 2026 the handoff authors. MIT license.
// The JSON shapes of the API, in the real server's field order.

import { formatTimestamp } from "./clock.ts";
import { goJson, RawJson } from "./json.ts";
import type { ResultItem, ScanDocument, SessionRecord } from "./store.ts";

/** The result items array: `[{"download_id","content_type","filename"}]`. */
export function itemsJson(items: readonly ResultItem[]): string {
  return goJson(
    items.map((item) => ({
      download_id: item.downloadId,
      content_type: item.contentType,
      filename: item.filename,
    })),
  );
}

/** The scan result object: `{"documents":[…]}`. */
export function scanResultJson(documents: readonly ScanDocument[]): string {
  return goJson({
    documents: documents.map((doc) =>
      "pdfUrl" in doc ? { pdf_url: doc.pdfUrl } : {
        pages: doc.pages.map((page) => ({
          url: page.url,
          content_type: page.contentType,
        })),
      }
    ),
  });
}

/** The Session object, with the real server's field order and omissions. */
export function sessionJson(session: SessionRecord, baseUrl: string): string {
  const result = session.result;
  return goJson({
    id: session.id,
    action_type: session.actionType,
    status: session.status,
    intro_text: session.introText === "" ? undefined : session.introText,
    output_format: session.outputFormat,
    session_ttl: session.sessionTtlNs,
    result_ttl: session.resultTtlNs,
    url: `${baseUrl}/s/${session.id}`,
    created_at: formatTimestamp(session.createdAtUs),
    completed_at: session.completedAtUs === undefined
      ? undefined
      : formatTimestamp(session.completedAtUs),
    result: result === undefined || result.length === 0
      ? undefined
      : new RawJson(itemsJson(result)),
    document_mode: session.documentMode,
    scan_output_format: session.scanOutputFormat,
    scan_result: session.scanResult === undefined
      ? undefined
      : new RawJson(scanResultJson(session.scanResult)),
  });
}

/** The body of `GET /sessions/:id/result` for a completed session. */
export function completedResultJson(session: SessionRecord): string {
  return goJson({
    completed_at: session.completedAtUs === undefined
      ? null
      : formatTimestamp(session.completedAtUs),
    items: session.result === undefined
      ? null
      : new RawJson(itemsJson(session.result)),
    scan_result: session.actionType === "scan" &&
        session.scanResult !== undefined
      ? new RawJson(scanResultJson(session.scanResult))
      : undefined,
    status: "completed",
  });
}
