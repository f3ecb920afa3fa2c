// Copyright 2026 the handoff authors. MIT license.
// How `<handoff-session>` reads the app's relay: an `EventSource` whose
// events are parsed and checked here and handed on typed, with the rank each
// status carries (from its id `<session id>:<rank>`), so that the element
// (element.ts) only decides what each means for its state. EventSource
// reconnects by itself with `Last-Event-ID`; `closed` is heard only when it
// gives up for good.

import type {
  HandoffCompletedDetail,
  HandoffErrorDetail,
  HandoffExpiredDetail,
  HandoffSessionInfo,
  HandoffSessionStatus,
  HandoffStatusDetail,
} from "./element_events.ts";

/** A status's place in the order the relay numbers events with. */
const RANK: Readonly<Record<HandoffSessionStatus, number>> = {
  pending: 0,
  opened: 1,
  action_started: 2,
  completed: 3,
  expired: 4,
};

/** What the relay says, checked. */
export interface RelayHandlers {
  /** The first event of each connection: the session. */
  session(info: HandoffSessionInfo): void;
  /** A status before the end, and its rank (replays repeat a rank). */
  status(detail: HandoffStatusDetail, rank: number): void;
  completed(detail: HandoffCompletedDetail): void;
  /** `undefined` when the event carried no usable data. */
  expired(detail: HandoffExpiredDetail | undefined): void;
  /** The relay's `error` event: the session failed for good. */
  failed(detail: HandoffErrorDetail): void;
  /** The EventSource gave up: an error status, not an event stream, or 204. */
  closed(): void;
}

function parse(event: Event): unknown {
  try {
    return JSON.parse((event as MessageEvent<string>).data);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** The rank in an event id `<session id>:<rank>`, or -1. */
function rankOfId(id: string): number {
  const value = Number(id.slice(id.lastIndexOf(":") + 1));
  return Number.isInteger(value) ? value : -1;
}

/**
 * Open `src` and hand its events to `on`.
 *
 * @throws {SyntaxError} `src` is not a URL EventSource can open.
 */
export function openRelay(
  src: string,
  withCredentials: boolean,
  on: RelayHandlers,
): EventSource {
  const source = new EventSource(src, { withCredentials });
  const listen = (type: string, handle: (event: MessageEvent) => void) =>
    source.addEventListener(type, (event) => handle(event as MessageEvent));
  listen("session", (event) => {
    const data = parse(event);
    if (
      isObject(data) && typeof data.url === "string" &&
      typeof data.expiresAt === "string"
    ) on.session(data as unknown as HandoffSessionInfo);
  });
  listen("status", (event) => {
    const data = parse(event);
    if (!isObject(data)) return;
    const rank: number | undefined = RANK[data.status as HandoffSessionStatus];
    if (rank === undefined || rank >= RANK.completed) return; // not a status
    on.status(
      data as unknown as HandoffStatusDetail,
      event.lastEventId === "" ? rank : rankOfId(event.lastEventId),
    );
  });
  listen("completed", (event) => {
    const data = parse(event);
    if (isObject(data)) on.completed(data as unknown as HandoffCompletedDetail);
  });
  listen("expired", (event) => {
    const data = parse(event);
    on.expired(
      isObject(data) ? data as unknown as HandoffExpiredDetail : undefined,
    );
  });
  source.addEventListener("error", (event) => {
    if (event instanceof MessageEvent) {
      const data = parse(event);
      const field = (name: string) =>
        isObject(data) && typeof data[name] === "string"
          ? data[name] as string
          : undefined;
      const sessionId = field("sessionId");
      on.failed({
        ...(sessionId !== undefined ? { sessionId } : {}),
        name: field("name") ?? "Error",
        message: field("message") ?? "The session failed",
      });
    } else if (source.readyState === EventSource.CLOSED) {
      on.closed();
    }
    // otherwise EventSource reconnects by itself, with Last-Event-ID
  });
  return source;
}
