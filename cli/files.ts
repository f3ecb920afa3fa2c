// Copyright 2026 the handoff authors. MIT license.
// Result files on disk: their names, and opening them without overwriting.

import { join } from "node:path";
import type { ActionType, ResultItem, ScanResult } from "../mod.ts";

const EXTENSIONS: Readonly<Record<string, string>> = {
  "image/jpeg": "jpg",
  "image/jpg": "jpg",
  "image/pjpeg": "jpg",
  "image/png": "png",
  "image/svg+xml": "svg",
  "application/pdf": "pdf",
  "image/webp": "webp",
  "image/gif": "gif",
  "image/heic": "heic",
  "image/heif": "heif",
  "image/avif": "avif",
  "image/tiff": "tiff",
  "image/bmp": "bmp",
  "text/plain": "txt",
  "application/json": "json",
};

const SAFE_EXTENSION = /^[a-z0-9]{1,8}$/;

/**
 * The file extension of a content type (`image/jpeg` → `jpg`,
 * `image/svg+xml` → `svg`); for a type it does not know, the extension of
 * the name the phone gave, else `bin`. Never anything but `[a-z0-9]`.
 *
 * @param contentType The content type, parameters allowed (may be `""`).
 * @param filename The name the phone sent, if any.
 * @returns The extension, without the dot.
 *
 * @example Extensions of content types
 * ```ts
 * import { extensionFor } from "./files.ts";
 *
 * console.assert(extensionFor("image/svg+xml; charset=utf-8") === "svg");
 * console.assert(extensionFor("", "photo.PNG") === "png" && extensionFor("") === "bin");
 * ```
 */
export function extensionFor(contentType: string, filename?: string): string {
  const type = contentType.split(";", 1)[0]!.trim().toLowerCase();
  const known = EXTENSIONS[type];
  if (known !== undefined) return known;
  const fromName = filename?.match(/\.([^./\\]+)$/)?.[1]?.toLowerCase();
  if (fromName !== undefined && SAFE_EXTENSION.test(fromName)) return fromName;
  const subtype = type.match(/^[a-z]+\/([a-z0-9]+)$/)?.[1];
  if (subtype !== undefined && SAFE_EXTENSION.test(subtype)) return subtype;
  return "bin";
}

/**
 * One result file to download, and the name it is saved under.
 *
 * @example
 * ```ts
 * import type { DownloadTarget } from "./files.ts";
 *
 * const page: DownloadTarget = { source: "/api/v1/downloads/0b7e", base: "scan-1-page-2", contentType: "image/jpeg" };
 * ```
 */
export interface DownloadTarget {
  /** A download id or a scan URL, for `downloadStream`. */
  readonly source: string;
  /** The file name without extension: `photo`, `scan-1`, `scan-1-page-2`. */
  readonly base: string;
  /** The content type the result lists (the download's own wins). */
  readonly contentType: string;
  /** The name the phone gave, for an extension when the type is unknown. */
  readonly filename?: string;
}

/**
 * The files of a result, in order, each with the name it is saved under:
 * `photo`, `signature`, `scan-<document>` (PDF) or
 * `scan-<document>-page-<page>` (images), counted from 1.
 *
 * @param action The session's action.
 * @param result The items of a photo or signature, or a scan's documents.
 * @returns The downloads.
 *
 * @example Name the pages of a scan
 * ```ts
 * import { downloadTargets } from "./files.ts";
 *
 * const targets = downloadTargets("scan", {
 *   documents: [{ format: "images", pages: [
 *     { url: "/api/v1/downloads/a", contentType: "image/jpeg" },
 *     { url: "/api/v1/downloads/b", contentType: "image/jpeg" },
 *   ] }],
 * });
 * console.assert(targets.map((t) => t.base).join() === "scan-1-page-1,scan-1-page-2");
 * ```
 */
export function downloadTargets(
  action: ActionType,
  result: readonly ResultItem[] | ScanResult,
): DownloadTarget[] {
  if ("documents" in result) {
    return result.documents.flatMap((document, d): DownloadTarget[] =>
      document.format === "pdf"
        ? [{
          source: document.pdfUrl,
          base: `scan-${d + 1}`,
          contentType: "application/pdf",
        }]
        : document.pages.map((page, p) => ({
          source: page.url,
          base: `scan-${d + 1}-page-${p + 1}`,
          contentType: page.contentType,
        }))
    );
  }
  return result.map((item) => ({
    source: item.downloadId,
    base: action,
    contentType: item.contentType,
    filename: item.filename,
  }));
}

/**
 * A file created by {@linkcode createUniqueFile}.
 *
 * @example
 * ```ts
 * import type { CreatedFile } from "./files.ts";
 *
 * const write = async ({ file }: CreatedFile, bytes: Uint8Array) => {
 *   await file.write(bytes);
 *   file.close();
 * };
 * ```
 */
export interface CreatedFile {
  /** The path: `dir` joined with the name. */
  readonly path: string;
  /** The open file, for writing. */
  readonly file: Deno.FsFile;
}

/**
 * Create `<base>.<extension>` in `dir`, or `<base>-1.<extension>`,
 * `<base>-2.<extension>` … when it exists: an existing file is never
 * opened, let alone overwritten (`createNew`, so two runs racing for a name
 * cannot both get it).
 *
 * @param dir The directory.
 * @param base The name without extension.
 * @param extension The extension, without the dot.
 * @returns The path and the open file.
 * @throws {Deno.errors.NotFound} The directory does not exist.
 *
 * @example Save next to an existing file
 * ```ts ignore
 * import { createUniqueFile } from "./files.ts";
 *
 * const { path, file } = await createUniqueFile(".", "photo", "jpg"); // photo-1.jpg if photo.jpg exists
 * file.close();
 * ```
 */
export async function createUniqueFile(
  dir: string,
  base: string,
  extension: string,
): Promise<CreatedFile> {
  for (let n = 0;; n++) {
    const path = join(dir, `${n === 0 ? base : `${base}-${n}`}.${extension}`);
    try {
      const file = await Deno.open(path, { write: true, createNew: true });
      return { path, file };
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists) || n >= 9_999) {
        throw error;
      }
    }
  }
}
