// Copyright 2026 the handoff authors. MIT license.
// Helpers of the dashboard's tests: requests whose bodies are always read,
// and the dashboard's live-update stream read as a browser would.

import type { Dashboard } from "../../mock/dashboard.ts";
import type { SessionView } from "../../mock/registry.ts";
import { type ReadMessage, SseReader } from "./_sse_reader.ts";

/** An answer with its body fully read. */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  bytes: Uint8Array;
  // deno-lint-ignore no-explicit-any
  json: any;
}

/** Send a request to the dashboard and read the whole answer. */
export async function call(
  dashboard: Dashboard,
  path: string,
  init: RequestInit = {},
): Promise<Reply> {
  const response = await fetch(new URL(path, dashboard.url), init);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: response.status,
    headers: response.headers,
    text,
    bytes,
    json,
  };
}

/** POST JSON to the dashboard. */
export function post(
  dashboard: Dashboard,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return call(dashboard, path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** Create a session through the dashboard's form endpoint. */
export async function createSession(
  dashboard: Dashboard,
  form: Record<string, string>,
): Promise<SessionView> {
  const reply = await post(dashboard, "/api/sessions", form);
  if (reply.status !== 201) {
    throw new Error(`create answered ${reply.status}: ${reply.text}`);
  }
  return reply.json.session;
}

/** The dashboard's live-update stream, as one page sees it. */
export class EventStream {
  readonly reader: SseReader;
  readonly #abort: AbortController;
  /** The latest view of every session seen on the stream. */
  readonly views = new Map<string, SessionView>();
  lastEventId: string | undefined;

  private constructor(reader: SseReader, abort: AbortController) {
    this.reader = reader;
    this.#abort = abort;
  }

  /** Open the stream, optionally resuming after `lastEventId`. */
  static async open(
    dashboard: Dashboard,
    lastEventId?: string,
  ): Promise<EventStream> {
    const abort = new AbortController();
    const response = await fetch(new URL("/api/events", dashboard.url), {
      headers: lastEventId === undefined
        ? {}
        : { "last-event-id": lastEventId },
      signal: abort.signal,
    });
    if (response.status !== 200 || response.body === null) {
      await response.body?.cancel();
      throw new Error(`/api/events answered ${response.status}`);
    }
    return new EventStream(new SseReader(response.body), abort);
  }

  /** The next message with data; updates {@linkcode views}. */
  async next(): Promise<ReadMessage> {
    const message = await this.reader.nextMessage();
    if (message.id !== undefined) this.lastEventId = message.id;
    const data = JSON.parse(message.data);
    if (message.event === "snapshot") {
      this.views.clear();
      for (const view of data.sessions) this.views.set(view.id, view);
    } else if (message.event === "session") {
      this.views.set(data.id, data);
    } else if (message.event === "removed") {
      this.views.delete(data.id);
    }
    return message;
  }

  /** Read until a session's view satisfies `ok`; fails after `ms`. */
  async waitFor(
    id: string,
    ok: (view: SessionView) => boolean,
    ms = 10_000,
  ): Promise<SessionView> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `session ${id} did not get there in ${ms} ms; last view: ${
                JSON.stringify(this.views.get(id))
              }`,
            ),
          ),
        ms,
      );
    });
    const loop = (async () => {
      for (;;) {
        const view = this.views.get(id);
        if (view !== undefined && ok(view)) return view;
        await this.next();
      }
    })();
    loop.catch(() => {}); // once timed out, the stream's end rejects it
    try {
      return await Promise.race([loop, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Close the stream as a browser tab going away would. */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.reader.cancel();
  }
}

/** Resolve after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `ok` every 10 ms until it holds; fails after `ms`. */
export async function eventually(
  ok: () => boolean,
  what: string,
  ms = 5_000,
): Promise<void> {
  const deadline = performance.now() + ms;
  while (!ok()) {
    if (performance.now() > deadline) throw new Error(`never: ${what}`);
    await delay(10);
  }
}
