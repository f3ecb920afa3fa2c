// Copyright 2026 the handoff authors. MIT license.
// A client whose network is faked in memory, for micro-benchmarks: `fetch`
// answers `POST /sessions` with a fresh session, and the `WebSocket` is an
// EventTarget the benchmark feeds frames to.

import { HandoffClient, type WebSocketConstructor } from "../mod.ts";
import type { Session } from "../session.ts";

/** A `WebSocket` stand-in: opens at once, closes when asked. */
export class FakeWebSocket extends EventTarget {
  /** The socket most recently made. */
  static last: FakeWebSocket | undefined;
  readyState = 0;
  readonly url: string;

  constructor(url: string, _init?: unknown) {
    super();
    this.url = url;
    FakeWebSocket.last = this;
    queueMicrotask(() => {
      if (this.readyState !== 0) return;
      this.readyState = 1;
      this.dispatchEvent(new Event("open"));
    });
  }

  /** Deliver one text frame, as the runtime does. */
  receive(text: string): void {
    this.dispatchEvent(new MessageEvent("message", { data: text }));
  }

  close(code = 1000): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    queueMicrotask(() => this.dispatchEvent(new CloseEvent("close", { code })));
  }

  send(): void {}
}

/** The time stamp format of the server: RFC 3339 with microseconds. */
export const FRAME_TIME = "2026-11-22T04:00:42.123456Z";

/** A `status_update` frame exactly as the server writes it. */
export function statusFrame(id: string, status: string): string {
  return `{"type":"status_update","session_id":"${id}","status":"${status}","timestamp":"${FRAME_TIME}"}\n`;
}

/** A `completed` frame with one photo. */
export function completedFrame(id: string): string {
  return `{"type":"completed","session_id":"${id}","status":"completed","data":[{"download_id":"0b6f7c1e-3c2a-4a9e-9d0e-5f7a1b2c3d4e","content_type":"image/jpeg","filename":"photo.jpg"}],"timestamp":"${FRAME_TIME}"}\n`;
}

let counter = 0;

/** Answers `POST …/api/v1/sessions` with a fresh session, anything else 404. */
export function fakeFetch(
  input: Request | URL | string,
  _init?: RequestInit,
): Promise<Response> {
  const id = `00000000-0000-4000-8000-${String(++counter).padStart(12, "0")}`;
  const url = String(input);
  if (!url.endsWith("/api/v1/sessions")) {
    return Promise.resolve(new Response("{}", { status: 404 }));
  }
  const body =
    `{"id":"${id}","action_type":"photo","status":"pending","output_format":"jpg","session_ttl":1800000000000,"result_ttl":300000000000,"url":"http://127.0.0.1:8080/s/${id}","created_at":"2026-11-22T04:00:42.87742371Z"}`;
  // As the server sends it: a small body has a Content-Length.
  return Promise.resolve(
    new Response(body, {
      status: 201,
      headers: {
        "content-type": "application/json; charset=utf-8",
        "content-length": String(body.length),
      },
    }),
  );
}

/** A client on a faked network. */
export function fakeClient(): HandoffClient {
  return new HandoffClient({
    baseUrl: "http://127.0.0.1:8080",
    apiKey: "bench-key",
    fetch: fakeFetch,
    WebSocket: FakeWebSocket as unknown as WebSocketConstructor,
  });
}

/** A new photo session on the fake network, its socket open. */
export async function openSession(
  client: HandoffClient,
): Promise<{ session: Session; socket: FakeWebSocket }> {
  const session = await client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  const socket = FakeWebSocket.last!;
  await new Promise<void>((resolve) => queueMicrotask(resolve));
  socket.receive(statusFrame(session.id, "pending"));
  return { session, socket };
}
