// Copyright 2026 the handoff authors. MIT license.
// One scenario, run unchanged in every runtime the library claims (Deno, Bun,
// Node, Cloudflare workerd, Vercel edge-runtime). It uses only the public API
// and web standards; the phone is played over the stub's public phone routes.
// The relay (sessionEventResponse) is read as a browser's EventSource reads
// it, with eventsource-parser (pinned here for Deno; the bundles take the same
// version from tools/runtimes, see build.mjs).

import {
  createParser,
  type EventSourceMessage,
  type EventSourceParser,
} from "npm:eventsource-parser@3.1.1";
import {
  HandoffClient,
  type HandoffClientOptions,
  type Session,
  sessionEventResponse,
  sessionEventStream,
  UnauthorizedError,
} from "../../mod.ts";

/** What the runtime test asserts on. */
export interface ScenarioReport {
  statuses: string[];
  connections: string[];
  itemCount: number;
  bytesEqual: boolean;
  contentType: string;
  qr: string;
  infoStatus: string;
  unauthorized: string;
  closed: string;
  /** The relay, read while the phone does its part. */
  relay: RelayReport;
}

/**
 * What the relay sent. Events are written `<event> <id> [<status>]`, the id
 * as `:<rank>` when it is `<session id>:<rank>`; values that must equal the
 * session's own are written `<name>` when they do.
 */
export interface RelayReport {
  /** The first response: `<status> <content type>`. */
  response: string;
  /** What the stream starts with: `retry <ms>`, then the first event. */
  head: string[];
  /** The data of the `session` event (the QR code cut to its tag). */
  session: Record<string, string>;
  /** Every event after `session`, then `end` if the stream ended. */
  events: string[];
  /** The data of the `completed` event, without its timestamp. */
  completed: unknown;
  /** What the streams must not carry but did (the API key, `/api/v1/`). */
  leaks: string[];
  /** What eventsource-parser found wrong in any stream. */
  parseErrors: string[];
  /**
   * Reconnected with the id of `pending` while `action_started`: the
   * response's status, then every event after `session`, then `end`.
   */
  replay: string[];
  /** The same, reconnected with the id of `action_started` after completion. */
  lateReplay: string[];
  /** Reconnected with the id of `completed`: `<status> <body or no body>`. */
  spent: string;
  /** A reader that cancels after a keep-alive: what it got, and how it ended. */
  cancelled: string[];
  /** A stream whose signal aborts: what its stream got, and how it ended. */
  aborted: string[];
}

/** Inputs: the stub's URL and key, and a JPEG to upload as base64. */
export interface ScenarioInput {
  baseUrl: string;
  apiKey: string;
  jpegBase64: string;
  /** Extra client options (an injected WebSocket, a forced auth mode). */
  options?: Partial<HandoffClientOptions>;
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** How long any one step may take before the row fails instead of hanging. */
const STEP_MS = 5_000;

/** `promise`, or an error naming `what` once `ms` passed without it. */
async function within<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what}: nothing within ${STEP_MS} ms`)),
          STEP_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** One thing an EventSource sees: an event, a `retry:` or a comment. */
type SseItem =
  | { readonly kind: "event"; readonly message: EventSourceMessage }
  | { readonly kind: "retry"; readonly retry: number }
  | { readonly kind: "comment"; readonly comment: string };

/** A relay stream as an EventSource reads it. */
class EventSourceReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  readonly #parser: EventSourceParser;
  readonly #queue: SseItem[] = [];
  readonly #name: string;
  #done = false;
  /** Everything received, decoded. */
  text = "";
  /** What the parser found wrong. */
  readonly errors: string[] = [];

  constructor(name: string, body: ReadableStream<Uint8Array>) {
    this.#name = name;
    this.#reader = body.getReader();
    this.#parser = createParser({
      onEvent: (message) => this.#queue.push({ kind: "event", message }),
      onRetry: (retry) => this.#queue.push({ kind: "retry", retry }),
      onComment: (comment) => this.#queue.push({ kind: "comment", comment }),
      onError: (error) => this.errors.push(`${this.#name}: ${error.message}`),
    });
  }

  /** The next item, or `undefined` once the stream ended. */
  async next(): Promise<SseItem | undefined> {
    while (this.#queue.length === 0 && !this.#done) {
      const chunk = await within(
        `the ${this.#name} stream`,
        this.#reader.read(),
      );
      const text = chunk.done
        ? this.#decoder.decode()
        : this.#decoder.decode(chunk.value, { stream: true });
      this.#done = chunk.done;
      this.text += text;
      this.#parser.feed(text);
    }
    return this.#queue.shift();
  }

  /** The next event (comments and `retry:` skipped), or `undefined` at the end. */
  async event(): Promise<EventSourceMessage | undefined> {
    for (;;) {
      const item = await this.next();
      if (item === undefined || item.kind === "event") return item?.message;
    }
  }

  /** Stop reading, as a browser that goes away. */
  async cancel(): Promise<void> {
    await within(`cancelling the ${this.#name} stream`, this.#reader.cancel());
  }
}

/** `<event> <id> [<status>]`, the id as `:<rank>` when it is the session's. */
function describe(session: Session, message: EventSourceMessage): string {
  const id = message.id === undefined
    ? "(no id)"
    : message.id.startsWith(`${session.id}:`)
    ? message.id.slice(session.id.length)
    : message.id;
  const event = message.event ?? "message";
  const status = event === "status"
    ? ` ${(JSON.parse(message.data) as { status: string }).status}`
    : "";
  return `${event} ${id}${status}`;
}

/** Events, described, until `stop` says so or the stream ends (`end`). */
async function readEvents(
  session: Session,
  reader: EventSourceReader,
  into: string[],
  stop: (message: EventSourceMessage) => boolean = () => false,
): Promise<EventSourceMessage | undefined> {
  for (;;) {
    const message = await reader.event();
    if (message === undefined) {
      into.push("end");
      return undefined;
    }
    into.push(describe(session, message));
    if (stop(message)) return message;
  }
}

/** `value`, or `<name>` when it is the expected one. */
function same(value: unknown, expected: unknown, name: string): unknown {
  return value === expected ? `<${name}>` : value;
}

/** Run the scenario; throws on any failure. */
export async function runScenario(
  input: ScenarioInput,
): Promise<ScenarioReport> {
  const client = new HandoffClient({
    baseUrl: input.baseUrl,
    apiKey: input.apiKey,
    ...input.options,
  });
  const session = await client.createSession({
    action: "photo",
    outputFormat: "jpg",
  }, { signal: AbortSignal.timeout(10_000) });
  const statuses: string[] = [];
  const connections: string[] = [];
  session.onConnectionChange((state) => connections.push(state));
  let firstEvent!: () => void;
  const live = new Promise<void>((resolve) => firstEvent = resolve);
  session.onEvent((event) => {
    statuses.push(event.status);
    firstEvent();
  });
  const page = "https://app.example/handoff/events";
  const relayOptions = {
    qrCode: { format: "svg" },
    downloadUrl: (f: { downloadId: string }) => "/files/" + f.downloadId,
  } as const;
  const readers: EventSourceReader[] = [];
  const open = (name: string, body: ReadableStream<Uint8Array> | null) => {
    if (body === null) throw new Error(`the ${name} response has no body`);
    const reader = new EventSourceReader(name, body);
    readers.push(reader);
    return reader;
  };
  const reconnect = (lastEventId: string) =>
    sessionEventResponse(session, {
      request: new Request(page, { headers: { "Last-Event-ID": lastEventId } }),
      ...relayOptions,
    });
  try {
    await live; // the socket is up and delivered its first snapshot

    // The page's EventSource opens while the session is pending.
    const response = sessionEventResponse(session, {
      request: new Request(page),
      ...relayOptions,
    });
    const relay = open("relay", response.body);
    const first = await relay.next();
    const sessionMessage = await relay.event();
    const head = [
      first?.kind === "retry" ? `retry ${first.retry}` : first?.kind ?? "end",
      sessionMessage === undefined ? "end" : describe(session, sessionMessage),
    ];
    const sessionEvent = JSON.parse(sessionMessage?.data ?? "{}") as Record<
      string,
      string
    >;
    const events: string[] = [];
    const pending = await readEvents(session, relay, events, () => true);

    // A browser that goes away mid-stream, while the stream is idle.
    const cancelled: string[] = [];
    const leaving = open(
      "cancelled",
      sessionEventStream(session, { keepAliveMs: 20 }),
    );
    await readEvents(session, leaving, cancelled, (m) => m.event === "status");
    let idle = await leaving.next();
    while (idle !== undefined && idle.kind !== "comment") {
      idle = await leaving.next();
    }
    cancelled.push(idle === undefined ? "end" : `: ${idle.comment}`);
    await leaving.cancel();
    cancelled.push("cancelled");
    await readEvents(session, leaving, cancelled);

    // A signal that aborts (how some servers say the browser went away).
    const aborted: string[] = [];
    const gone = new AbortController();
    const abortable = open(
      "aborted",
      sessionEventResponse(session, {
        request: new Request(page),
        signal: gone.signal,
      }).body,
    );
    await readEvents(session, abortable, aborted, (m) => m.event === "status");
    gone.abort();
    aborted.push("aborted");
    await readEvents(session, abortable, aborted);

    // The phone opens the page (opened + action_started), then sends a photo.
    const phonePage = await fetch(session.url);
    await phonePage.body?.cancel();
    if (phonePage.status !== 200) {
      throw new Error(`phone page answered ${phonePage.status}`);
    }
    await readEvents(
      session,
      relay,
      events,
      (m) => m.id === `${session.id}:2`,
    );

    // The browser reconnects with the id of pending: it gets what it missed.
    const again = reconnect(pending?.id ?? "");
    const replay: string[] = [String(again.status)];
    const replaying = open("replay", again.body);
    await readEvents(session, replaying, [], (m) => m.event === "session");
    await readEvents(
      session,
      replaying,
      replay,
      (m) => m.id === `${session.id}:2`,
    );

    const posted = await fetch(`${session.url}/result`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        items: [{
          content_type: "image/jpeg",
          filename: "photo.jpg",
          data: input.jpegBase64,
        }],
      }),
    });
    await posted.body?.cancel();
    if (posted.status !== 200) {
      throw new Error(`result POST answered ${posted.status}`);
    }

    const completedEvent = await readEvents(
      session,
      relay,
      events,
      (m) => m.event === "completed",
    );
    await readEvents(session, relay, events); // nothing more: the end
    await readEvents(session, replaying, replay);

    const items = await session.waitForResult({
      signal: AbortSignal.timeout(10_000),
    });
    const downloadId = items[0]?.downloadId;

    // Reconnecting after the final event happened, but before it arrived.
    const late = reconnect(`${session.id}:2`);
    const lateReplay: string[] = [String(late.status)];
    const lateReader = open("late replay", late.body);
    await readEvents(session, lateReader, [], (m) => m.event === "session");
    await readEvents(session, lateReader, lateReplay);

    // Reconnecting after the final event arrived: nothing more to say.
    const spent = reconnect(completedEvent?.id ?? "");
    await spent.body?.cancel();

    const { timestamp: _, ...completed } = JSON.parse(
      completedEvent?.data ?? "{}",
    ) as {
      timestamp?: string;
      sessionId?: string;
      result?: { downloadId: string; href?: string }[];
    };
    const everything = readers.map((r) => r.text).join("");
    const relayReport: RelayReport = {
      response: `${response.status} ${response.headers.get("content-type")}`,
      head,
      session: {
        ...sessionEvent,
        id: String(same(sessionEvent.id, session.id, "session.id")),
        url: String(same(sessionEvent.url, session.url, "session.url")),
        createdAt: String(
          same(
            sessionEvent.createdAt,
            session.createdAt.toISOString(),
            "session.createdAt",
          ),
        ),
        expiresAt: String(
          same(
            sessionEvent.expiresAt,
            session.expiresAt.toISOString(),
            "session.expiresAt",
          ),
        ),
        qrCode: sessionEvent.qrCode?.startsWith("<svg")
          ? "<svg"
          : String(sessionEvent.qrCode).slice(0, 30),
      },
      events,
      completed: {
        ...completed,
        sessionId: same(completed.sessionId, session.id, "session.id"),
        result: completed.result?.map((file) => ({
          ...file,
          downloadId: same(file.downloadId, downloadId, "downloadId"),
          href: same(file.href, `/files/${downloadId}`, "/files/downloadId"),
        })),
      },
      leaks: [
        ...(everything.includes(input.apiKey) ? ["the API key"] : []),
        ...(everything.includes("/api/v1/") ? ["/api/v1/"] : []),
      ],
      parseErrors: readers.flatMap((r) => r.errors),
      replay,
      lateReplay,
      spent: `${spent.status} ${spent.body === null ? "no body" : "a body"}`,
      cancelled,
      aborted,
    };
    const file = await client.downloadFile(items[0]!.downloadId);
    const expected = fromBase64(input.jpegBase64);
    const bytesEqual = file.data.length === expected.length &&
      file.data.every((byte, i) => byte === expected[i]);

    let qr: string;
    try {
      qr = (await session.qrCode()).slice(0, 22);
    } catch (error) {
      qr = `error: ${(error as Error).message}`;
    }

    const info = await client.getSession(session.id);
    let unauthorized = "no error";
    try {
      await new HandoffClient({ baseUrl: input.baseUrl, apiKey: "wrong-key" })
        .getSession(session.id);
    } catch (error) {
      unauthorized = error instanceof UnauthorizedError
        ? "UnauthorizedError"
        : String(error);
    }
    await session.close();
    return {
      statuses,
      connections,
      itemCount: items.length,
      bytesEqual,
      contentType: file.contentType,
      qr,
      infoStatus: info.status,
      unauthorized,
      closed: session.connection,
      relay: relayReport,
    };
  } finally {
    for (const reader of readers) await reader.cancel().catch(() => {});
    await session.close();
  }
}
