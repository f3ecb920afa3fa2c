// Copyright 2026 the handoff authors. MIT license.
/**
 * A small web app that asks for a photo from the visitor's phone: a page with
 * a button creates a photo session, the next page shows its QR code, and the
 * photo is stored as soon as the person has taken it.
 *
 * The app is a plain `(Request) => Promise<Response>` handler built on web
 * standards only, so the same file serves under `Deno.serve` (`main.ts`) and
 * `Bun.serve` (`../bun/server.ts`). Where photos go is up to the
 * {@linkcode PhotoStore} you pass in.
 *
 * @module
 */

import {
  type HandoffClient,
  type Session,
  SessionClosedError,
  SessionExpiredError,
} from "@handoff/client";

/** A photo the person took, as the app stores it. */
export interface StoredPhoto {
  /** The session the photo came from. */
  readonly sessionId: string;
  /** Its content type, e.g. `"image/jpeg"`. */
  readonly contentType: string;
  /** The file name the phone gave. */
  readonly filename: string;
  /** The bytes. */
  readonly data: Uint8Array;
}

/** Where the app keeps photos: a directory, a bucket, a database. */
export interface PhotoStore {
  /** Keep a photo (replacing one of the same session). */
  put(photo: StoredPhoto): Promise<void>;
  /** The photo of a session, if it was stored. */
  get(sessionId: string): Promise<StoredPhoto | undefined>;
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  "image/jpeg": ".jpg",
  "image/png": ".png",
  "image/heic": ".heic",
  "image/heif": ".heif",
  "image/webp": ".webp",
  "image/gif": ".gif",
  "image/avif": ".avif",
  "image/svg+xml": ".svg",
  "application/pdf": ".pdf",
};

/**
 * The file extension for a stored file, from its content type. The phone
 * sends the camera's own format whatever the session's output format (only
 * `pdf` is converted, by the server), so go by the content type, never by
 * the output format asked for or the file name.
 *
 * @param contentType e.g. `"image/jpeg"` or `"image/png"`.
 * @returns e.g. `".jpg"`; `".bin"` for a type it does not know.
 */
export function extensionFor(contentType: string): string {
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  return EXTENSIONS[type] ?? ".bin";
}

/**
 * A {@linkcode PhotoStore} in memory, for tests and demos.
 *
 * @returns An empty store; `photos` shows what it holds.
 */
export function memoryStore(): PhotoStore & {
  readonly photos: ReadonlyMap<string, StoredPhoto>;
} {
  const photos = new Map<string, StoredPhoto>();
  return {
    photos,
    put(photo) {
      photos.set(photo.sessionId, photo);
      return Promise.resolve();
    },
    get(sessionId) {
      return Promise.resolve(photos.get(sessionId));
    },
  };
}

/** Options of {@linkcode createApp}. */
export interface AppOptions {
  /** The client of your Handoff server. */
  client: HandoffClient;
  /** Where photos go. */
  store: PhotoStore;
  /** How long the person has to take the photo. @default {"10m"} */
  sessionTtl?: string | number;
  /** Text the phone shows before the camera opens. @default {"A photo, please"} */
  intro?: string;
  /** Called when collecting a photo fails for another reason than expiry. @default {console.error} */
  onError?: (error: unknown, sessionId: string) => void;
}

/** Where the collection of one session stands. */
export type PhotoState =
  | "pending"
  | "opened"
  | "action_started"
  | "stored"
  | "expired"
  | "failed"
  | "stopped";

/** The app: a fetch handler you can dispose of. */
export interface App extends AsyncDisposable {
  /** Answers a request (pass it to `Deno.serve` or `Bun.serve`). */
  fetch(request: Request): Promise<Response>;
  /**
   * Resolves once the collection of a session has ended (photo stored,
   * session expired, failed, or the app stopped).
   */
  settled(sessionId: string): Promise<PhotoState>;
  /**
   * Stops waiting for every open session (the sessions stay on the server)
   * and resolves when every background task has ended. Idempotent.
   */
  close(): Promise<void>;
}

interface Entry {
  readonly session: Session<"photo">;
  readonly qr: string;
  state: PhotoState;
  readonly done: Promise<PhotoState>;
}

const SESSION_PATH = /^\/sessions\/([0-9a-f-]{36})(\/status)?$/;
const PHOTO_PATH = /^\/photos\/([0-9a-f-]{36})$/;

/**
 * Build the app.
 *
 * @param options The Handoff client, the photo store, and the session's options.
 * @returns The app; `fetch` is its request handler.
 */
export function createApp(options: AppOptions): App {
  const { client, store } = options;
  const onError = options.onError ??
    ((error: unknown, id: string) =>
      console.error(`collecting the photo of session ${id} failed:`, error));
  // Kept in memory for the example; a real app would keep the session ids
  // in its database and forget finished entries.
  const entries = new Map<string, Entry>();
  const stopping = new AbortController();

  /** Wait for the photo of one session and store it: runs in the background. */
  async function collect(entry: Entry): Promise<PhotoState> {
    // The session releases its WebSocket and timers when this scope ends,
    // however it ends.
    await using session = entry.session;
    session.onEvent((event) => {
      if (event.type === "status_update") entry.state = event.status;
    });
    try {
      const [item] = await session.waitForResult({ signal: stopping.signal });
      if (item === undefined) throw new Error("the phone sent no file");
      const file = await client.downloadFile(item.downloadId, {
        signal: stopping.signal,
      });
      await store.put({
        sessionId: session.id,
        contentType: file.contentType,
        filename: item.filename,
        data: file.data,
      });
      return entry.state = "stored";
    } catch (error) {
      if (error instanceof SessionExpiredError) return entry.state = "expired";
      if (stopping.signal.aborted || error instanceof SessionClosedError) {
        return entry.state = "stopped";
      }
      onError(error, session.id);
      return entry.state = "failed";
    }
  }

  async function create(): Promise<Response> {
    if (stopping.signal.aborted) {
      return text(503, "The app is shutting down.");
    }
    const session = await client.createSession({
      action: "photo",
      outputFormat: "jpg",
      intro: options.intro ?? "A photo, please",
      sessionTtl: options.sessionTtl ?? "10m",
    }, { signal: stopping.signal });
    let qr: string;
    try {
      qr = await session.qrCode({ size: 320 });
    } catch (error) {
      await session.close();
      throw error;
    }
    let settle!: (state: PhotoState) => void;
    const done = new Promise<PhotoState>((resolve) => settle = resolve);
    const entry: Entry = { session, qr, state: "pending", done };
    entries.set(session.id, entry);
    collect(entry).then(settle, () => settle("failed"));
    return new Response(null, {
      status: 303,
      headers: { location: `/sessions/${session.id}` },
    });
  }

  function page(entry: Entry): Response {
    const { session, state } = entry;
    const body = state === "stored"
      ? `<p>Thank you: the photo is stored.</p>
<p><img src="/photos/${session.id}" alt="The photo" width="320"></p>`
      : state === "expired"
      ? `<p>The session expired before a photo arrived. <a href="/">Start again</a>.</p>`
      : state === "failed" || state === "stopped"
      ? `<p>Something went wrong. <a href="/">Start again</a>.</p>`
      : `<p>Scan the code with your phone, or open
<a href="${escape(session.url)}">${escape(session.url)}</a> there.</p>
<p><img src="${entry.qr}" alt="QR code of the session" width="320" height="320"></p>
<p>Status: <strong id="status">${state}</strong></p>`;
    const refresh = isOpen(state)
      ? `<meta http-equiv="refresh" content="2">`
      : "";
    return html(
      200,
      `<title>Photo</title>${refresh}<h1>A photo from your phone</h1>\n${body}`,
    );
  }

  async function handle(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === "/") {
      if (request.method !== "GET") return text(405, "Method not allowed");
      return html(
        200,
        `<title>Photo</title><h1>A photo from your phone</h1>
<form method="post" action="/sessions"><button>Take a photo with my phone</button></form>`,
      );
    }
    if (pathname === "/sessions") {
      if (request.method !== "POST") return text(405, "Method not allowed");
      return await create();
    }
    const sessionMatch = SESSION_PATH.exec(pathname);
    if (sessionMatch !== null && request.method === "GET") {
      const entry = entries.get(sessionMatch[1]!);
      if (entry === undefined) return text(404, "No such session");
      if (sessionMatch[2] === undefined) return page(entry);
      return Response.json({
        id: entry.session.id,
        state: entry.state,
        ...(entry.state === "stored"
          ? { photo: `/photos/${entry.session.id}` }
          : {}),
      });
    }
    const photoMatch = PHOTO_PATH.exec(pathname);
    if (photoMatch !== null && request.method === "GET") {
      const photo = await store.get(photoMatch[1]!);
      if (photo === undefined) return text(404, "No photo yet");
      return new Response(photo.data.slice(), {
        headers: { "content-type": photo.contentType },
      });
    }
    return text(404, "Not found");
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopping.abort(new Error("the app is shutting down"));
      await Promise.all([...entries.values()].map((entry) => entry.done));
    })();
    return closing;
  };

  return {
    async fetch(request) {
      try {
        return await handle(request);
      } catch (error) {
        onError(error, "(none)");
        return text(502, "The Handoff server could not be reached.");
      }
    },
    settled(sessionId) {
      const entry = entries.get(sessionId);
      if (entry === undefined) {
        return Promise.reject(new RangeError(`No session ${sessionId}`));
      }
      return entry.done;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

function isOpen(state: PhotoState): boolean {
  return state === "pending" || state === "opened" ||
    state === "action_started";
}

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function html(status: number, body: string): Response {
  return new Response(
    `<!doctype html><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${body}\n`,
    { status, headers: { "content-type": "text/html; charset=utf-8" } },
  );
}

function text(status: number, body: string): Response {
  return new Response(`${body}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}
