// Copyright 2026 the handoff authors. MIT license.
/**
 * The dashboard's file routes: a result file streamed from the Handoff
 * server (`/api/downloads/:id`), and a PDF's page count and first-page size
 * for its preview (`/api/downloads/:id/pages`). Both serve only the files of
 * the dashboard's own sessions.
 *
 * @module
 */

import { type HandoffClient, NotFoundError } from "../mod.ts";
import { PDFDocument } from "pdf-lib";
import {
  decodeSegment,
  downloadHeaders,
  json,
  jsonError,
  upstreamError,
} from "./http.ts";
import type { OwnedDownload, Registry } from "./registry.ts";

/** What the file routes need from the dashboard. */
export interface FileRoutesOptions {
  /** The client that downloads from the Handoff server. */
  readonly client: HandoffClient;
  /** Which downloads belong to the dashboard's sessions. */
  readonly registry: Pick<Registry, "download">;
  /** The Handoff server, for error messages. */
  readonly handoffUrl: string;
  /** The largest PDF read for its page count, in bytes. */
  readonly maxPdfBytes: number;
  /** Aborted when the dashboard closes. */
  readonly signal: AbortSignal;
}

/** A download of one of the dashboard's files, or the answer to send instead. */
type Opened =
  | {
    readonly ok: true;
    readonly file: Awaited<ReturnType<HandoffClient["downloadStream"]>>;
    readonly owned: OwnedDownload;
  }
  | { readonly ok: false; readonly response: Response };

/**
 * The file routes.
 *
 * @example
 * ```ts ignore
 * const routes = new FileRoutes({ client, registry, handoffUrl, maxPdfBytes: 1 << 25, signal });
 * const response = await routes.download("9f2c", false);
 * ```
 */
export class FileRoutes {
  readonly #o: FileRoutesOptions;

  /**
   * Make the routes.
   *
   * @param options The client, the registry, limits and the closing signal.
   */
  constructor(options: FileRoutesOptions) {
    this.#o = options;
  }

  /**
   * Stream a file; a browser that goes away cancels the body, which cancels
   * the download from the Handoff server.
   *
   * @param rawId The download id as it is in the path.
   * @param asAttachment Whether to ask the browser to save it.
   * @returns The file, or a JSON error.
   */
  async download(rawId: string, asAttachment: boolean): Promise<Response> {
    const opened = await this.#open(rawId);
    if (!opened.ok) return opened.response;
    const { file, owned } = opened;
    const headers = downloadHeaders(
      file.contentType.trim() || owned.contentType.trim(),
      owned.filename,
      asAttachment,
      file.contentLength,
    );
    return new Response(file.body, { headers });
  }

  /**
   * A PDF's page count and the size of its first page (in points, as shown:
   * a page turned by 90° is as wide as it is tall), for its preview.
   *
   * @param rawId The download id as it is in the path.
   * @returns `{ pages, width?, height? }`, or a JSON error (415 not a PDF,
   *   413 too large, 422 unreadable).
   */
  async pdfPages(rawId: string): Promise<Response> {
    const { maxPdfBytes } = this.#o;
    const opened = await this.#open(rawId);
    if (!opened.ok) return opened.response;
    const { file, owned } = opened;
    const type = (file.contentType || owned.contentType).split(";")[0]!
      .trim().toLowerCase();
    if (type !== "application/pdf") {
      await file.body.cancel();
      return jsonError(415, "The file is not a PDF");
    }
    const tooLarge = `The PDF is larger than ${maxPdfBytes} bytes`;
    if ((file.contentLength ?? 0) > maxPdfBytes) {
      await file.body.cancel();
      return jsonError(413, tooLarge);
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await new Response(file.body).arrayBuffer());
    } catch (error) {
      return upstreamError(error, this.#o.handoffUrl);
    }
    if (bytes.byteLength > maxPdfBytes) return jsonError(413, tooLarge);
    try {
      const pdf = await PDFDocument.load(bytes, {
        ignoreEncryption: true,
        updateMetadata: false,
      });
      const first = pdf.getPageCount() > 0 ? pdf.getPage(0) : undefined;
      const size = first?.getSize();
      const turned = first !== undefined &&
        Math.abs(first.getRotation().angle) % 180 === 90;
      return json(200, {
        pages: pdf.getPageCount(),
        ...(size === undefined ? {} : {
          width: turned ? size.height : size.width,
          height: turned ? size.width : size.height,
        }),
      });
    } catch {
      return jsonError(422, "The file is not a PDF that can be read");
    }
  }

  /** Look the id up among the dashboard's files and start its download. */
  async #open(rawId: string): Promise<Opened> {
    const id = decodeSegment(rawId);
    if (id === undefined) {
      return { ok: false, response: jsonError(400, "Malformed download id") };
    }
    const owned = this.#o.registry.download(id);
    if (owned === undefined) {
      return {
        ok: false,
        response: jsonError(
          404,
          "No such download among this dashboard's sessions",
        ),
      };
    }
    try {
      const file = await this.#o.client.downloadStream(id, {
        signal: this.#o.signal,
      });
      return { ok: true, file, owned };
    } catch (error) {
      return {
        ok: false,
        response: error instanceof NotFoundError
          ? jsonError(
            404,
            "The file is gone from the Handoff server (its result TTL ran out)",
          )
          : upstreamError(error, this.#o.handoffUrl),
      };
    }
  }
}
