// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";
import {
  type ConnectionState,
  NotFoundError,
  type ResultItem,
  type ScanResult,
  SessionClosedError,
  type SessionEvent,
} from "../../mod.ts";
import {
  downloadIdOf,
  Registry,
  type SessionView,
  type TrackedSession,
} from "../../mock/registry.ts";
import type { SseMessage } from "../../mock/sse.ts";

/** A session driven by hand. */
class FakeSession implements TrackedSession {
  readonly url: string;
  readonly outputFormat: "jpg" | undefined;
  readonly documentMode: "multi" | undefined;
  readonly scanOutputFormat: "pdf" | undefined;
  readonly introText = "Hi <b>there</b>";
  readonly createdAt = new Date("2026-01-01T00:00:00Z");
  readonly expiresAt = new Date("2026-01-01T00:30:00Z");
  status: "pending" | "completed" = "pending";
  connection: ConnectionState = "connecting";
  closed = 0;
  readonly #events = new Set<(event: SessionEvent) => void>();
  readonly #connections = new Set<(state: ConnectionState) => void>();
  readonly #outcome = Promise.withResolvers<never>();

  constructor(
    readonly id: string,
    readonly actionType: "photo" | "scan" = "photo",
  ) {
    this.url = `http://stub.test/s/${id}`;
    this.outputFormat = actionType === "photo" ? "jpg" : undefined;
    this.documentMode = actionType === "scan" ? "multi" : undefined;
    this.scanOutputFormat = actionType === "scan" ? "pdf" : undefined;
    this.#outcome.promise.catch(() => {});
  }

  onEvent(listener: (event: SessionEvent) => void): () => void {
    this.#events.add(listener);
    return () => this.#events.delete(listener);
  }
  onConnectionChange(listener: (state: ConnectionState) => void): () => void {
    this.#connections.add(listener);
    return () => this.#connections.delete(listener);
  }
  // deno-lint-ignore require-yield -- a fake that only ends or fails
  async *events(): AsyncGenerator<SessionEvent, void, undefined> {
    try {
      await this.#outcome.promise;
    } catch (error) {
      if (error instanceof SessionClosedError) return; // as Session.events()
      throw error;
    }
  }
  close(): Promise<void> {
    this.closed++;
    this.#outcome.reject(new SessionClosedError("closed"));
    return Promise.resolve();
  }

  get listeners(): number {
    return this.#events.size + this.#connections.size;
  }
  emit(event: SessionEvent): void {
    for (const listener of [...this.#events]) listener(event);
  }
  status_(status: "pending" | "opened" | "action_started", at: string): void {
    this.emit({
      type: "status_update",
      sessionId: this.id,
      status,
      timestamp: new Date(at),
    });
  }
  complete(data: { result: ResultItem[] } | { scanResult: ScanResult }): void {
    const common = {
      type: "completed",
      sessionId: this.id,
      status: "completed",
      timestamp: new Date("2026-01-01T00:02:00Z"),
    } as const;
    this.emit(
      "scanResult" in data
        ? { ...common, actionType: "scan", scanResult: data.scanResult }
        : { ...common, actionType: "photo", result: data.result },
    );
  }
  connect(state: ConnectionState): void {
    this.connection = state;
    for (const listener of [...this.#connections]) listener(state);
  }
  fail(error: Error): void {
    this.#outcome.reject(error);
  }
}

class Recorder {
  readonly messages: SseMessage[] = [];
  ended = 0;
  send(message: SseMessage): void {
    this.messages.push(message);
  }
  end(): void {
    this.ended++;
  }
  views(): SessionView[] {
    return this.messages.filter((m) => m.event === "session").map((m) =>
      JSON.parse(m.data!)
    );
  }
}

const now = () => new Date("2026-01-01T00:01:00Z");

Deno.test("downloadIdOf takes the id out of a scan result URL", () => {
  assert.equal(downloadIdOf("/api/v1/downloads/abc-123"), "abc-123");
  assert.equal(downloadIdOf("https://h.example/api/v1/downloads/x%20y"), "x y");
  assert.equal(downloadIdOf("/api/v1/downloads/"), undefined);
  assert.equal(downloadIdOf("/api/v1/sessions/abc"), undefined);
  assert.equal(downloadIdOf("/api/v1/downloads/a%2Fb"), undefined);
  assert.equal(downloadIdOf("/api/v1/downloads/%E0%A4%A"), undefined);
});

Deno.test("a tracked session's statuses and connection modes make its timeline", () => {
  const registry = new Registry({ epoch: "e1", now });
  const recorder = new Recorder();
  registry.subscribe(null, recorder);
  const session = new FakeSession("s1");
  registry.add(session);

  session.status_("pending", "2026-01-01T00:00:01Z"); // the first snapshot: no change
  session.connect("websocket");
  session.status_("opened", "2026-01-01T00:00:05Z");
  session.status_("opened", "2026-01-01T00:00:06Z"); // a repeat: no change
  session.status_("action_started", "2026-01-01T00:00:07Z");

  const view = registry.get("s1")!;
  assert.equal(view.status, "action_started");
  assert.equal(view.connection, "websocket");
  assert.equal(view.introText, "Hi <b>there</b>");
  assert.deepEqual(view.timeline, [
    { kind: "status", status: "pending", at: "2026-01-01T00:00:00.000Z" },
    {
      kind: "connection",
      connection: "websocket",
      at: "2026-01-01T00:01:00.000Z",
    },
    { kind: "status", status: "opened", at: "2026-01-01T00:00:05.000Z" },
    {
      kind: "status",
      status: "action_started",
      at: "2026-01-01T00:00:07.000Z",
    },
  ]);
  // One message per change: created, websocket, opened, action_started.
  assert.deepEqual(recorder.messages.map((m) => m.id), [
    "e1.1",
    "e1.2",
    "e1.3",
    "e1.4",
  ]);
  assert.deepEqual(recorder.views().at(-1), view);
});

Deno.test("a completed photo session owns its download ids", () => {
  const registry = new Registry({ now });
  const session = new FakeSession("s1");
  registry.add(session);
  session.complete({
    result: [
      { downloadId: "d1", contentType: "image/jpeg", filename: "my photo.jpg" },
      { downloadId: "d2", contentType: "", filename: "" },
    ],
  });
  const view = registry.get("s1")!;
  assert.equal(view.status, "completed");
  assert.deepEqual(view.result, [
    { downloadId: "d1", contentType: "image/jpeg", filename: "my_photo.jpg" },
    { downloadId: "d2", contentType: "", filename: "photo-s1-2.bin" },
  ]);
  assert.deepEqual(registry.download("d1"), {
    sessionId: "s1",
    contentType: "image/jpeg",
    filename: "my_photo.jpg",
  });
  assert.ok(registry.download("d2"));
  assert.equal(registry.download("d3"), undefined);
});

Deno.test("a completed scan session owns the ids of its PDFs and pages", () => {
  const registry = new Registry({ now });
  const session = new FakeSession("s1", "scan");
  registry.add(session);
  session.complete({
    scanResult: {
      documents: [
        { format: "pdf", pdfUrl: "/api/v1/downloads/pdf-1" },
        {
          format: "images",
          pages: [
            { url: "/api/v1/downloads/page-1", contentType: "image/jpeg" },
            { url: "/api/v1/downloads/page-2", contentType: "image/png" },
          ],
        },
      ],
    },
  });
  assert.deepEqual(registry.get("s1")!.documents, [
    {
      format: "pdf",
      files: [{
        downloadId: "pdf-1",
        contentType: "application/pdf",
        filename: "scan-s1-document-1.pdf",
      }],
    },
    {
      format: "images",
      files: [
        {
          downloadId: "page-1",
          contentType: "image/jpeg",
          filename: "scan-s1-document-2-page-1.jpg",
        },
        {
          downloadId: "page-2",
          contentType: "image/png",
          filename: "scan-s1-document-2-page-2.png",
        },
      ],
    },
  ]);
  for (const id of ["pdf-1", "page-1", "page-2"]) {
    assert.equal(registry.download(id)?.sessionId, "s1");
  }
});

Deno.test("a session that fails shows why", async () => {
  const registry = new Registry({ now });
  const session = new FakeSession("s1");
  registry.add(session);
  session.fail(
    new NotFoundError(404, "session not found", "GET … failed with 404"),
  );
  await new Promise((resolve) => setTimeout(resolve, 0)); // every microtask runs first
  assert.equal(registry.get("s1")!.error, "GET … failed with 404");
});

Deno.test("a new subscriber gets a snapshot of every session", () => {
  const registry = new Registry({ epoch: "e1", now, meta: { mode: "stub" } });
  registry.add(new FakeSession("s1"));
  registry.add(new FakeSession("s2"));
  const { initial } = registry.subscribe(null, new Recorder());
  assert.equal(initial.length, 1);
  assert.equal(initial[0]!.event, "snapshot");
  assert.equal(initial[0]!.id, "e1.2");
  const snapshot = JSON.parse(initial[0]!.data!);
  assert.equal(snapshot.mode, "stub");
  assert.equal(snapshot.serverTime, "2026-01-01T00:01:00.000Z");
  assert.deepEqual(snapshot.sessions.map((s: SessionView) => s.id), [
    "s1",
    "s2",
  ]);
});

Deno.test("a subscriber that comes back with Last-Event-ID gets only what it missed", () => {
  const registry = new Registry({ epoch: "e1", now });
  const session = new FakeSession("s1");
  registry.add(session); // e1.1
  const first = registry.subscribe(null, new Recorder());
  const lastSeen = first.initial[0]!.id!;
  first.unsubscribe();

  session.connect("websocket"); // e1.2
  session.status_("opened", "2026-01-01T00:00:05Z"); // e1.3

  const again = registry.subscribe(lastSeen, new Recorder());
  assert.deepEqual(again.initial.map((m) => [m.id, m.event]), [
    ["e1.2", "session"],
    ["e1.3", "session"],
  ]);
  assert.equal(JSON.parse(again.initial[1]!.data!).status, "opened");

  // Up to date: nothing to replay.
  assert.deepEqual(registry.subscribe("e1.3", new Recorder()).initial, []);
});

Deno.test("a subscriber gets a snapshot when what it missed is gone or its id is not ours", () => {
  const registry = new Registry({ epoch: "e1", bufferSize: 2, now });
  const session = new FakeSession("s1");
  registry.add(session); // e1.1
  session.connect("websocket"); // e1.2
  session.status_("opened", "2026-01-01T00:00:05Z"); // e1.3
  session.status_("action_started", "2026-01-01T00:00:06Z"); // e1.4; e1.1 and e1.2 are gone

  const resume = (id: string) =>
    registry.subscribe(id, new Recorder()).initial.map((m) => m.event);
  assert.deepEqual(resume("e1.2"), ["session", "session"]); // e1.3 and e1.4 kept
  assert.deepEqual(resume("e1.1"), ["snapshot"]); // e1.2 is gone
  assert.deepEqual(resume("e1.0"), ["snapshot"]);
  assert.deepEqual(resume("e2.3"), ["snapshot"]); // an earlier run of the dashboard
  assert.deepEqual(resume("e1.9"), ["snapshot"]); // from the future
  assert.deepEqual(resume("garbage"), ["snapshot"]);
  assert.deepEqual(resume(""), ["snapshot"]);
});

Deno.test("removing a session closes it, forgets its downloads and tells the subscribers", async () => {
  const registry = new Registry({ epoch: "e1", now });
  const recorder = new Recorder();
  registry.subscribe(null, recorder);
  const session = new FakeSession("s1");
  registry.add(session);
  session.complete({
    result: [{
      downloadId: "d1",
      contentType: "image/jpeg",
      filename: "a.jpg",
    }],
  });
  assert.ok(registry.download("d1"));

  assert.equal(await registry.remove("s1"), true);
  assert.equal(await registry.remove("s1"), false);
  assert.equal(session.closed, 1);
  assert.equal(session.listeners, 0);
  assert.equal(registry.download("d1"), undefined);
  assert.equal(registry.get("s1"), undefined);
  assert.deepEqual(recorder.messages.at(-1), {
    event: "removed",
    data: '{"id":"s1"}',
    id: "e1.3",
  });
});

Deno.test("unsubscribing removes the subscriber", () => {
  const registry = new Registry({ now });
  const a = registry.subscribe(null, new Recorder());
  const b = registry.subscribe(null, new Recorder());
  assert.equal(registry.subscriberCount, 2);
  a.unsubscribe();
  a.unsubscribe();
  assert.equal(registry.subscriberCount, 1);
  b.unsubscribe();
  assert.equal(registry.subscriberCount, 0);
});

Deno.test("closing the registry closes every session and ends every subscription", async () => {
  const registry = new Registry({ now });
  const recorder = new Recorder();
  registry.subscribe(null, recorder);
  const sessions = [new FakeSession("s1"), new FakeSession("s2")];
  for (const session of sessions) registry.add(session);
  await registry.close();
  assert.deepEqual(sessions.map((s) => s.closed), [1, 1]);
  assert.deepEqual(sessions.map((s) => s.listeners), [0, 0]);
  assert.equal(recorder.ended, 1);
  assert.equal(registry.subscriberCount, 0);
  assert.equal(registry.size, 0);
  const late = new Recorder();
  assert.deepEqual(registry.subscribe(null, late).initial, []);
  assert.equal(late.ended, 1);
  assert.throws(() => registry.add(new FakeSession("s3")), TypeError);
});
