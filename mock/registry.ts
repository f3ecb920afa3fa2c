// Copyright 2026 the handoff authors. MIT license.
/**
 * The sessions of one dashboard: what the page shows of each (status,
 * timeline, connection mode, result), the download ids they own, and the
 * live-update feed: subscribers, event ids and a bounded replay buffer so a
 * reconnecting `EventSource` resumes where it left off.
 *
 * @module
 */

import { SessionClosedError, SessionExpiredError } from "../mod.ts";
import type {
  ConnectionState,
  ResultItem,
  ScanResult,
  Session,
  SessionEvent,
  SessionStatus,
} from "../mod.ts";
import type { SseMessage } from "./sse.ts";

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
  | "onConnectionChange"
  | "events"
  | "close"
>;

/** One line of a session's timeline. */
export type TimelineEntry =
  | {
    readonly kind: "status";
    readonly status: SessionStatus;
    readonly at: string;
  }
  | {
    readonly kind: "connection";
    readonly connection: ConnectionState;
    readonly at: string;
  };

/** A result file, as the page sees it. */
export interface FileView {
  /** The id of the dashboard's download route. */
  readonly downloadId: string;
  /** The content type the phone sent (may be `""`). */
  readonly contentType: string;
  /** The file name to save it under. */
  readonly filename: string;
}

/** A scanned document, as the page sees it: one PDF, or its pages. */
export interface DocumentView {
  /** `pdf`: `files` holds the PDF; `images`: the pages in order. */
  readonly format: "pdf" | "images";
  /** The files. */
  readonly files: readonly FileView[];
}

/** Everything the page shows of one session (sent as JSON). */
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
  readonly status: SessionStatus;
  readonly connection: ConnectionState;
  readonly timeline: readonly TimelineEntry[];
  /** A `data:image/png;base64,…` URL of the session URL. */
  readonly qrCode?: string;
  /** The files of a completed photo or signature session. */
  readonly result?: readonly FileView[];
  /** The documents of a completed scan session. */
  readonly documents?: readonly DocumentView[];
  /** ISO 8601: when the result files stop being downloadable. */
  readonly filesExpireAt?: string;
  /** Why the session stopped, when it failed (not completed, expired or closed). */
  readonly error?: string;
}

/** A download id the dashboard owns, and how to serve it. */
export interface OwnedDownload {
  readonly sessionId: string;
  readonly contentType: string;
  readonly filename: string;
}

/** Receives the feed of one page. */
export interface Subscriber {
  /** Called with each new message. */
  send(message: SseMessage): void;
  /** Called once when the registry closes. */
  end(): void;
}

/** Options of {@linkcode Registry}. */
export interface RegistryOptions {
  /** How many messages are kept for replay. @default {256} */
  readonly bufferSize?: number;
  /** Tells this registry's event ids from those of an earlier run. @default {random} */
  readonly epoch?: string;
  /** Extra fields of every snapshot (the dashboard's mode, …). */
  readonly meta?: Readonly<Record<string, unknown>>;
  /** The clock. @default {() => new Date()} */
  readonly now?: () => Date;
}

const MAX_TIMELINE = 50;
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

/** A change to a view. */
type Patch = { -readonly [K in keyof SessionView]?: SessionView[K] };

interface Entry {
  readonly session: TrackedSession;
  view: SessionView;
  readonly off: (() => void)[];
  readonly downloads: string[];
}

/**
 * The sessions of a dashboard and the feed of their changes.
 *
 * Every change is published as one message: `session` (the whole
 * {@linkcode SessionView}) or `removed` (`{ id }`). Each message has an id
 * `<epoch>.<sequence>`; {@linkcode Registry.subscribe} replays the messages
 * after a `Last-Event-ID` while they are in the buffer, and sends a
 * `snapshot` of every session otherwise.
 */
export class Registry {
  readonly #entries = new Map<string, Entry>();
  readonly #downloads = new Map<string, OwnedDownload>();
  readonly #subscribers = new Set<Subscriber>();
  readonly #buffer: { seq: number; message: SseMessage }[] = [];
  readonly #bufferSize: number;
  readonly #epoch: string;
  readonly #meta: Readonly<Record<string, unknown>>;
  readonly #now: () => Date;
  #seq = 0;
  #closed = false;

  /**
   * Makes an empty registry.
   *
   * @param options Buffer size, epoch, snapshot metadata, clock.
   */
  constructor(options: RegistryOptions = {}) {
    const size = options.bufferSize ?? 256;
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new RangeError(
        `bufferSize must be a whole number ≥ 0, got ${size}`,
      );
    }
    this.#bufferSize = size;
    this.#epoch = options.epoch ?? crypto.randomUUID().slice(0, 8);
    if (!/^[A-Za-z0-9]+$/.test(this.#epoch)) {
      throw new TypeError(
        `epoch must be letters and digits, got ${JSON.stringify(this.#epoch)}`,
      );
    }
    this.#meta = options.meta ?? {};
    this.#now = options.now ?? (() => new Date());
  }

  /** How many sessions the registry holds. */
  get size(): number {
    return this.#entries.size;
  }

  /** How many pages are subscribed. */
  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** The id of the latest message (`<epoch>.<sequence>`). */
  get lastEventId(): string {
    return `${this.#epoch}.${this.#seq}`;
  }

  /**
   * Start tracking a session: follow its events and connection, and publish
   * it.
   *
   * @param session The session, just created.
   * @returns Its view.
   * @throws {TypeError} The registry is closed, or already has the session.
   */
  add(session: TrackedSession): SessionView {
    if (this.#closed) throw new TypeError("The registry is closed");
    if (this.#entries.has(session.id)) {
      throw new TypeError(`Session ${session.id} is already tracked`);
    }
    const view: SessionView = {
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
      timeline: [{
        kind: "status",
        status: session.status,
        at: session.createdAt.toISOString(),
      }],
    };
    const entry: Entry = { session, view, off: [], downloads: [] };
    this.#entries.set(session.id, entry);
    entry.off.push(
      session.onEvent((event) => this.#onEvent(entry, event)),
      session.onConnectionChange((state) => this.#onConnection(entry, state)),
    );
    this.#watchFailure(entry);
    this.#publishSession(entry);
    return entry.view;
  }

  /**
   * Attach the QR code of a session.
   *
   * @param id The session id.
   * @param qrCode A `data:image/png;base64,…` URL.
   */
  setQrCode(id: string, qrCode: string): void {
    this.#update(id, { qrCode });
  }

  /**
   * Tell when a session's result files stop being downloadable.
   *
   * @param id The session id.
   * @param at The time.
   */
  setFilesExpireAt(id: string, at: Date): void {
    this.#update(id, { filesExpireAt: at.toISOString() });
  }

  /**
   * The view of one session.
   *
   * @param id The session id.
   * @returns The view, or `undefined`.
   */
  get(id: string): SessionView | undefined {
    return this.#entries.get(id)?.view;
  }

  /**
   * Every session, oldest first.
   *
   * @returns The views.
   */
  views(): SessionView[] {
    return [...this.#entries.values()].map((entry) => entry.view);
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
   * Stop tracking a session: forget it and its downloads, close it, and
   * publish `removed`.
   *
   * @param id The session id.
   * @returns Whether the session was tracked.
   */
  async remove(id: string): Promise<boolean> {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    this.#forget(entry);
    this.#publish({ event: "removed", data: JSON.stringify({ id }) });
    await entry.session.close();
    return true;
  }

  /**
   * Subscribe a page to the feed. Its first messages are the ones it missed
   * after `lastEventId` when they are all still buffered, or else a
   * `snapshot` of every session; then every new message.
   *
   * @param lastEventId The `Last-Event-ID` the browser sent, or `null`.
   * @param subscriber Receives the new messages.
   * @returns The first messages, and the function that unsubscribes.
   */
  subscribe(
    lastEventId: string | null,
    subscriber: Subscriber,
  ): { initial: SseMessage[]; unsubscribe: () => void } {
    if (this.#closed) {
      subscriber.end();
      return { initial: [], unsubscribe: () => {} };
    }
    const replay = this.#replay(lastEventId);
    this.#subscribers.add(subscriber);
    return {
      initial: replay ?? [this.snapshot()],
      unsubscribe: () => {
        this.#subscribers.delete(subscriber);
      },
    };
  }

  /**
   * A `snapshot` message: every session, the metadata and the server time.
   *
   * @returns The message, with the latest event id.
   */
  snapshot(): SseMessage {
    return {
      id: this.lastEventId,
      event: "snapshot",
      data: JSON.stringify({
        ...this.#meta,
        serverTime: this.#now().toISOString(),
        sessions: this.views(),
      }),
    };
  }

  /**
   * End every subscription (their browsers reconnect and get a snapshot)
   * while keeping the sessions.
   *
   * @returns How many subscriptions ended.
   */
  disconnectAll(): number {
    const subscribers = [...this.#subscribers];
    this.#subscribers.clear();
    for (const subscriber of subscribers) subscriber.end();
    return subscribers.length;
  }

  /**
   * Close every session and end every subscription. Idempotent.
   *
   * @returns Settles once every session is closed.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.disconnectAll();
    const entries = [...this.#entries.values()];
    for (const entry of entries) this.#forget(entry);
    await Promise.allSettled(entries.map((entry) => entry.session.close()));
  }

  #replay(lastEventId: string | null): SseMessage[] | undefined {
    if (lastEventId === null) return undefined;
    const match = /^([A-Za-z0-9]+)\.(\d{1,15})$/.exec(lastEventId.trim());
    if (match === null || match[1] !== this.#epoch) return undefined;
    const seq = Number(match[2]);
    if (seq > this.#seq) return undefined;
    const oldest = this.#buffer[0]?.seq ?? this.#seq + 1;
    if (seq < oldest - 1) return undefined; // some are gone
    return this.#buffer.filter((item) => item.seq > seq).map((item) =>
      item.message
    );
  }

  #forget(entry: Entry): void {
    for (const off of entry.off) off();
    entry.off.length = 0;
    for (const id of entry.downloads) this.#downloads.delete(id);
    this.#entries.delete(entry.session.id);
  }

  #update(id: string, patch: Patch): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    entry.view = { ...entry.view, ...patch };
    this.#publishSession(entry);
  }

  #timeline(entry: Entry, line: TimelineEntry): readonly TimelineEntry[] {
    const timeline = [...entry.view.timeline, line];
    return timeline.length > MAX_TIMELINE
      ? [timeline[0]!, ...timeline.slice(-(MAX_TIMELINE - 1))]
      : timeline;
  }

  #onEvent(entry: Entry, event: SessionEvent): void {
    const last = entry.view.status;
    const at = event.timestamp.toISOString();
    let patch: Patch = { status: event.status };
    if (event.status !== last) {
      patch.timeline = this.#timeline(entry, {
        kind: "status",
        status: event.status,
        at,
      });
    }
    if (event.type === "completed") {
      patch = {
        ...patch,
        ...(event.actionType === "scan"
          ? { documents: this.#ownScan(entry, event.scanResult) }
          : { result: this.#ownItems(entry, event.result) }),
      };
    }
    if (patch.timeline === undefined && event.type === "status_update") return;
    entry.view = { ...entry.view, ...patch };
    this.#publishSession(entry);
  }

  #onConnection(entry: Entry, state: ConnectionState): void {
    const patch: Patch = { connection: state };
    if (state === "websocket" || state === "polling") {
      patch.timeline = this.#timeline(entry, {
        kind: "connection",
        connection: state,
        at: this.#now().toISOString(),
      });
    }
    entry.view = { ...entry.view, ...patch };
    this.#publishSession(entry);
  }

  #watchFailure(entry: Entry): void {
    const { session } = entry;
    const outcome = (async () => {
      for await (const _ of session.events()) {
        // the events themselves come through onEvent; this only hears a failure
      }
    })();
    outcome.catch((error: unknown) => {
      if (
        error instanceof SessionExpiredError ||
        error instanceof SessionClosedError ||
        this.#entries.get(session.id) !== entry
      ) return;
      const message = error instanceof Error ? error.message : String(error);
      this.#update(session.id, { error: message });
    });
  }

  #own(entry: Entry, file: FileView): FileView {
    this.#downloads.set(file.downloadId, {
      sessionId: entry.session.id,
      contentType: file.contentType,
      filename: file.filename,
    });
    entry.downloads.push(file.downloadId);
    return file;
  }

  #ownItems(entry: Entry, items: readonly ResultItem[]): FileView[] {
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

  #ownScan(entry: Entry, scan: ScanResult): DocumentView[] {
    const short = entry.session.id.slice(0, 8);
    const documents: DocumentView[] = [];
    scan.documents.forEach((document, d) => {
      if (document.format === "pdf") {
        const id = downloadIdOf(document.pdfUrl);
        documents.push({
          format: "pdf",
          files: id === undefined ? [] : [this.#own(entry, {
            downloadId: id,
            contentType: "application/pdf",
            filename: `scan-${short}-document-${d + 1}.pdf`,
          })],
        });
      } else {
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
        documents.push({ format: "images", files });
      }
    });
    return documents;
  }

  #publishSession(entry: Entry): void {
    this.#publish({ event: "session", data: JSON.stringify(entry.view) });
  }

  #publish(message: Omit<SseMessage, "id">): void {
    const seq = ++this.#seq;
    const full: SseMessage = { ...message, id: `${this.#epoch}.${seq}` };
    this.#buffer.push({ seq, message: full });
    while (this.#buffer.length > this.#bufferSize) this.#buffer.shift();
    for (const subscriber of [...this.#subscribers]) {
      try {
        subscriber.send(full);
      } catch {
        // a broken stream must not stop the others: drop it
        this.#subscribers.delete(subscriber);
        subscriber.end();
      }
    }
  }
}
