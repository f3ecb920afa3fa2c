// Copyright 2026 the handoff authors. MIT license.
// Helpers of the dashboard's tests: requests whose bodies are always read,
// and a session's relay stream read as a browser's EventSource would.

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

/** An event of a relay stream, its data parsed. */
export interface RelayEvent {
  event: string;
  id: string | undefined;
  // deno-lint-ignore no-explicit-any
  data: any;
}

/** One session's relay stream (`GET /api/sessions/:id/events`), as a page sees it. */
export class RelayStream {
  readonly reader: SseReader;
  readonly #abort: AbortController;
  /** Every event read so far. */
  readonly events: RelayEvent[] = [];

  private constructor(reader: SseReader, abort: AbortController) {
    this.reader = reader;
    this.#abort = abort;
  }

  /**
   * Open the stream; `lastEventId` goes in the Last-Event-ID header (as
   * EventSource's reconnects send it), `query` after the path.
   */
  static async open(
    dashboard: Dashboard,
    id: string,
    options: { lastEventId?: string; query?: string } = {},
  ): Promise<RelayStream> {
    const abort = new AbortController();
    const response = await fetch(
      new URL(
        `/api/sessions/${encodeURIComponent(id)}/events${options.query ?? ""}`,
        dashboard.url,
      ),
      {
        headers: options.lastEventId === undefined
          ? {}
          : { "last-event-id": options.lastEventId },
        signal: abort.signal,
      },
    );
    if (response.status !== 200 || response.body === null) {
      await response.body?.cancel();
      throw new Error(`the relay answered ${response.status}`);
    }
    return new RelayStream(new SseReader(response.body), abort);
  }

  /** The next event (comments and the bare `retry:` are skipped). */
  async next(): Promise<RelayEvent> {
    const message: ReadMessage = await this.reader.nextMessage();
    const event = {
      event: message.event,
      id: message.id,
      data: JSON.parse(message.data),
    };
    this.events.push(event);
    return event;
  }

  /** Read until an event satisfies `ok`; fails after `ms`. */
  async until(
    ok: (event: RelayEvent) => boolean,
    what: string,
    ms = 10_000,
  ): Promise<RelayEvent> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `no ${what} in ${ms} ms; events: ${JSON.stringify(this.events)}`,
            ),
          ),
        ms,
      );
    });
    const loop = (async () => {
      for (;;) {
        const event = await this.next();
        if (ok(event)) return event;
      }
    })();
    loop.catch(() => {}); // once timed out, the stream's end rejects it
    try {
      return await Promise.race([loop, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Read until an event of this type. */
  event(type: string, ms?: number): Promise<RelayEvent> {
    return this.until((e) => e.event === type, `${type} event`, ms);
  }

  /** Read until a `status` (or `completed`, `expired`) event of this status. */
  status(status: string, ms?: number): Promise<RelayEvent> {
    return this.until(
      (e) => e.id !== undefined && e.data.status === status,
      `${status} status`,
      ms,
    );
  }

  /** Read the rest; resolves with the events read once the stream ends. */
  async rest(): Promise<RelayEvent[]> {
    const from = this.events.length;
    try {
      for (;;) await this.next();
    } catch (error) {
      if (!String(error).includes("the stream ended")) throw error;
    }
    return this.events.slice(from);
  }

  /** Close the stream as a browser tab going away would. */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.reader.cancel();
  }
}

/** The `[event, id, status]` of relay events, to compare in one go. */
export function statuses(events: readonly RelayEvent[]): string[][] {
  return events.filter((e) => e.id !== undefined).map((
    e,
  ) => [e.event, e.id!, e.data.status]);
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

/** Client options that notice a dropped socket at once. */
export const FAST_CLIENT = {
  reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
} as const;
