// Copyright 2026 the handoff authors. MIT license.
/**
 * The sessions of one dashboard: each {@linkcode Session} by id (for its
 * relay route), the download ids they own (for the download route), what the
 * session list shows of each, and closing them all on shutdown.
 *
 * What a session says after it is listed (statuses, connection, files,
 * expiry, failure) reaches the page through the library's relay
 * (`sessionEventResponse`), not through here.
 *
 * @module
 */

import type { ResultItem, ScanResult, Session, SessionEvent } from "../mod.ts";

/** What the registry needs of a session (a {@linkcode Session} has it all). */
export type TrackedSession = Pick<
  Session,
  | "id"
  | "url"
  | "actionType"
  | "outputFormat"
  | "documentMode"
  | "scanOutputFormat"
  | "introText"
  | "createdAt"
  | "expiresAt"
  | "status"
  | "connection"
  | "onEvent"
  | "close"
>;

/** A result file the dashboard serves. */
export interface FileView {
  /** The id of the dashboard's download route. */
  readonly downloadId: string;
  /** The content type the phone sent (may be `""`). */
  readonly contentType: string;
  /** The file name to save it under. */
  readonly filename: string;
}

/** A scanned document: one PDF, or its pages. */
export interface DocumentView {
  /** `pdf`: `files` holds the PDF; `images`: the pages in order. */
  readonly format: "pdf" | "images";
  /** The files. */
  readonly files: readonly FileView[];
}

/** A session as the list routes answer it (JSON). */
export interface SessionView {
  readonly id: string;
  readonly url: string;
  readonly actionType: string;
  readonly outputFormat?: string;
  readonly documentMode?: string;
  readonly scanOutputFormat?: string;
  readonly introText?: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601. */
  readonly expiresAt: string;
  /** The status now. */
  readonly status: string;
  /** How the dashboard hears from the Handoff server now. */
  readonly connection: string;
  /** The files of a completed photo or signature session. */
  readonly result?: readonly FileView[];
  /** The documents of a completed scan session. */
  readonly documents?: readonly DocumentView[];
  /** ISO 8601: when the result files stop being downloadable, once known. */
  readonly filesExpireAt?: string;
}

/** A download id the dashboard owns, and how to serve it. */
export interface OwnedDownload {
  readonly sessionId: string;
  readonly contentType: string;
  readonly filename: string;
}

/** Options of {@linkcode Registry}. */
export interface RegistryOptions<S extends TrackedSession> {
  /**
   * Called once when a session completes: when its result files stop being
   * downloadable (the dashboard asks the Handoff server).
   * @default {never known}
   */
  readonly filesExpireAt?: (session: S) => Promise<Date | undefined>;
}

const DOWNLOAD_PATH = /\/api\/v1\/downloads\/([^/?#]+)$/;

/**
 * The download id in a scan result URL (`/api/v1/downloads/<id>`), or
 * `undefined` when the URL is not a download URL.
 *
 * @param url A relative or absolute download URL.
 * @returns The id.
 */
export function downloadIdOf(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url, "http://relative.invalid").pathname;
  } catch {
    return undefined;
  }
  const match = DOWNLOAD_PATH.exec(path);
  if (match === null) return undefined;
  try {
    const id = decodeURIComponent(match[1]!);
    return id === "" || id.includes("/") ? undefined : id;
  } catch {
    return undefined;
  }
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/svg+xml": "svg",
  "image/webp": "webp",
  "image/gif": "gif",
  "image/heic": "heic",
  "application/pdf": "pdf",
};

function extensionOf(contentType: string): string {
  return EXTENSIONS[contentType.split(";")[0]!.trim().toLowerCase()] ?? "bin";
}

/** A file name safe for `Content-Disposition`: ASCII letters, digits, `._-`. */
export function safeFilename(name: string, fallback: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "")
    .slice(0, 100);
  return cleaned === "" ? fallback : cleaned;
}

interface Entry<S> {
  readonly session: S;
  readonly off: () => void;
  readonly downloads: string[];
  result?: readonly FileView[];
  documents?: readonly DocumentView[];
  filesExpireAt?: string;
  /** The files-expiry lookup, while it runs. */
  lookup?: Promise<void>;
}

/** The sessions of a dashboard, by id, and the downloads they own. */
export class Registry<S extends TrackedSession = Session> {
  readonly #entries = new Map<string, Entry<S>>();
  readonly #downloads = new Map<string, OwnedDownload>();
  readonly #lookups = new Set<Promise<void>>();
  readonly #filesExpireAt: RegistryOptions<S>["filesExpireAt"];
  #closed = false;

  /**
   * Makes an empty registry.
   *
   * @param options How to learn when result files expire.
   */
  constructor(options: RegistryOptions<S> = {}) {
    this.#filesExpireAt = options.filesExpireAt;
  }

  /** How many sessions the registry holds. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Start tracking a session: own its result files once it completes.
   *
   * @param session The session, just created.
   * @returns Its view.
   * @throws {TypeError} The registry is closed, or already has the session.
   */
  add(session: S): SessionView {
    if (this.#closed) throw new TypeError("The registry is closed");
    if (this.#entries.has(session.id)) {
      throw new TypeError(`Session ${session.id} is already tracked`);
    }
    const entry: Entry<S> = {
      session,
      downloads: [],
      off: session.onEvent((event) => this.#onEvent(entry, event)),
    };
    this.#entries.set(session.id, entry);
    return this.#view(entry);
  }

  /**
   * The session with this id.
   *
   * @param id The session id.
   * @returns The session, or `undefined`.
   */
  session(id: string): S | undefined {
    return this.#entries.get(id)?.session;
  }

  /**
   * The view of one session.
   *
   * @param id The session id.
   * @returns The view, or `undefined`.
   */
  get(id: string): SessionView | undefined {
    const entry = this.#entries.get(id);
    return entry === undefined ? undefined : this.#view(entry);
  }

  /**
   * The view of one session once its files-expiry lookup (if one runs) is
   * done, so a page that heard `completed` learns `filesExpireAt`.
   *
   * @param id The session id.
   * @returns The view, or `undefined`.
   */
  async settled(id: string): Promise<SessionView | undefined> {
    await this.#entries.get(id)?.lookup;
    return this.get(id);
  }

  /**
   * Every session, oldest first.
   *
   * @returns The views.
   */
  views(): SessionView[] {
    return [...this.#entries.values()].map((entry) => this.#view(entry));
  }

  /**
   * The download with this id, if one of this registry's sessions owns it.
   *
   * @param downloadId A download id.
   * @returns How to serve it, or `undefined`.
   */
  download(downloadId: string): OwnedDownload | undefined {
    return this.#downloads.get(downloadId);
  }

  /**
   * Stop tracking a session: forget it and its downloads, and close it
   * (which also ends its relay streams).
   *
   * @param id The session id.
   * @returns Whether the session was tracked.
   */
  async remove(id: string): Promise<boolean> {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    this.#forget(entry);
    await entry.session.close();
    return true;
  }

  /**
   * Close every session and wait for the lookups. Idempotent.
   *
   * @returns Settles once every session is closed.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const entries = [...this.#entries.values()];
    for (const entry of entries) this.#forget(entry);
    await Promise.allSettled(entries.map((entry) => entry.session.close()));
    while (this.#lookups.size > 0) {
      await Promise.allSettled([...this.#lookups]);
    }
  }

  #view(entry: Entry<S>): SessionView {
    const { session } = entry;
    return {
      id: session.id,
      url: session.url,
      actionType: session.actionType,
      ...(session.outputFormat ? { outputFormat: session.outputFormat } : {}),
      ...(session.documentMode ? { documentMode: session.documentMode } : {}),
      ...(session.scanOutputFormat
        ? { scanOutputFormat: session.scanOutputFormat }
        : {}),
      ...(session.introText ? { introText: session.introText } : {}),
      createdAt: session.createdAt.toISOString(),
      expiresAt: session.expiresAt.toISOString(),
      status: session.status,
      connection: session.connection,
      ...(entry.result ? { result: entry.result } : {}),
      ...(entry.documents ? { documents: entry.documents } : {}),
      ...(entry.filesExpireAt ? { filesExpireAt: entry.filesExpireAt } : {}),
    };
  }

  #forget(entry: Entry<S>): void {
    entry.off();
    for (const id of entry.downloads) this.#downloads.delete(id);
    this.#entries.delete(entry.session.id);
  }

  #onEvent(entry: Entry<S>, event: SessionEvent): void {
    if (event.type !== "completed") return;
    if (event.actionType === "scan") {
      entry.documents = this.#ownScan(entry, event.scanResult);
    } else entry.result = this.#ownItems(entry, event.result);
    const lookup = this.#filesExpireAt?.(entry.session);
    if (lookup === undefined) return;
    const done: Promise<void> = lookup.then((at) => {
      if (at !== undefined) entry.filesExpireAt = at.toISOString();
    }).catch(() => {}).finally(() => {
      this.#lookups.delete(done);
      delete entry.lookup;
    });
    entry.lookup = done;
    this.#lookups.add(done);
  }

  #own(entry: Entry<S>, file: FileView): FileView {
    this.#downloads.set(file.downloadId, {
      sessionId: entry.session.id,
      contentType: file.contentType,
      filename: file.filename,
    });
    entry.downloads.push(file.downloadId);
    return file;
  }

  #ownItems(entry: Entry<S>, items: readonly ResultItem[]): FileView[] {
    const short = entry.session.id.slice(0, 8);
    return items.map((item, i) =>
      this.#own(entry, {
        downloadId: item.downloadId,
        contentType: item.contentType,
        filename: safeFilename(
          item.filename,
          `${entry.session.actionType}-${short}-${i + 1}.${
            extensionOf(item.contentType)
          }`,
        ),
      })
    );
  }

  #ownScan(entry: Entry<S>, scan: ScanResult): DocumentView[] {
    const short = entry.session.id.slice(0, 8);
    return scan.documents.map((document, d): DocumentView => {
      if (document.format === "pdf") {
        const id = downloadIdOf(document.pdfUrl);
        return {
          format: "pdf",
          files: id === undefined ? [] : [this.#own(entry, {
            downloadId: id,
            contentType: "application/pdf",
            filename: `scan-${short}-document-${d + 1}.pdf`,
          })],
        };
      }
      const files: FileView[] = [];
      document.pages.forEach((page, p) => {
        const id = downloadIdOf(page.url);
        if (id === undefined) return;
        files.push(this.#own(entry, {
          downloadId: id,
          contentType: page.contentType,
          filename: `scan-${short}-document-${d + 1}-page-${p + 1}.${
            extensionOf(page.contentType)
          }`,
        }));
      });
      return { format: "images", files };
    });
  }
}
