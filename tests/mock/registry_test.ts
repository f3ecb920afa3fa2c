// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";
import type {
  ConnectionState,
  ResultItem,
  ScanResult,
  SessionEvent,
} from "../../mod.ts";
import {
  downloadIdOf,
  Registry,
  safeFilename,
  type TrackedSession,
} from "../../mock/registry.ts";

/** A session driven by hand. */
class FakeSession implements TrackedSession {
  readonly url: string;
  readonly outputFormat: "jpg" | undefined;
  readonly documentMode: "multi" | undefined;
  readonly scanOutputFormat: "pdf" | undefined;
  readonly introText = "Hi <b>there</b>";
  readonly createdAt = new Date("2026-01-01T00:00:00Z");
  readonly expiresAt = new Date("2026-01-01T00:30:00Z");
  status: "pending" | "opened" | "completed" = "pending";
  connection: ConnectionState = "connecting";
  closed = 0;
  readonly #events = new Set<(event: SessionEvent) => void>();

  constructor(
    readonly id: string,
    readonly actionType: "photo" | "scan" = "photo",
  ) {
    this.url = `http://stub.test/s/${id}`;
    this.outputFormat = actionType === "photo" ? "jpg" : undefined;
    this.documentMode = actionType === "scan" ? "multi" : undefined;
    this.scanOutputFormat = actionType === "scan" ? "pdf" : undefined;
  }

  onEvent(listener: (event: SessionEvent) => void): () => void {
    this.#events.add(listener);
    return () => this.#events.delete(listener);
  }
  close(): Promise<void> {
    this.closed++;
    this.connection = "closed";
    return Promise.resolve();
  }

  get listeners(): number {
    return this.#events.size;
  }
  complete(data: { result: ResultItem[] } | { scanResult: ScanResult }): void {
    this.status = "completed";
    const common = {
      type: "completed",
      sessionId: this.id,
      status: "completed",
      timestamp: new Date("2026-01-01T00:02:00Z"),
    } as const;
    const event: SessionEvent = "scanResult" in data
      ? { ...common, actionType: "scan", scanResult: data.scanResult }
      : { ...common, actionType: "photo", result: data.result };
    for (const listener of [...this.#events]) listener(event);
  }
}

Deno.test("downloadIdOf takes the id out of a scan result URL", () => {
  assert.equal(downloadIdOf("/api/v1/downloads/abc-123"), "abc-123");
  assert.equal(downloadIdOf("https://h.example/api/v1/downloads/x%20y"), "x y");
  assert.equal(downloadIdOf("/api/v1/downloads/"), undefined);
  assert.equal(downloadIdOf("/api/v1/sessions/abc"), undefined);
  assert.equal(downloadIdOf("/api/v1/downloads/a%2Fb"), undefined);
  assert.equal(downloadIdOf("/api/v1/downloads/%E0%A4%A"), undefined);
});

Deno.test("safeFilename keeps letters, digits and ._- and falls back when nothing is left", () => {
  assert.equal(safeFilename("my photo (1).jpg", "x"), "my_photo_1_.jpg");
  assert.equal(safeFilename("../../etc/passwd", "x"), "etc_passwd");
  assert.equal(safeFilename("ü", "fallback.bin"), "fallback.bin");
  assert.equal(safeFilename("a".repeat(300), "x").length, 100);
});

Deno.test("a tracked session is listed by id with what it is now", () => {
  const registry = new Registry<FakeSession>();
  const session = new FakeSession("s1");
  const added = registry.add(session);
  assert.deepEqual(added, {
    id: "s1",
    url: "http://stub.test/s/s1",
    actionType: "photo",
    outputFormat: "jpg",
    introText: "Hi <b>there</b>",
    createdAt: "2026-01-01T00:00:00.000Z",
    expiresAt: "2026-01-01T00:30:00.000Z",
    status: "pending",
    connection: "connecting",
  });
  assert.equal(registry.session("s1"), session);
  assert.equal(registry.session("s2"), undefined);
  assert.equal(registry.get("s2"), undefined);

  // The view reads the session, so it is never stale.
  session.status = "opened";
  session.connection = "websocket";
  assert.equal(registry.get("s1")!.status, "opened");
  assert.equal(registry.get("s1")!.connection, "websocket");

  registry.add(new FakeSession("s2", "scan"));
  assert.deepEqual(registry.views().map((v) => v.id), ["s1", "s2"]);
  assert.equal(registry.get("s2")!.documentMode, "multi");
  assert.equal(registry.size, 2);
  assert.throws(() => registry.add(session), TypeError);
});

Deno.test("a completed photo session owns its download ids, with safe file names", () => {
  const registry = new Registry<FakeSession>();
  const session = new FakeSession("s1");
  registry.add(session);
  assert.equal(registry.download("d1"), undefined);
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
  const registry = new Registry<FakeSession>();
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
            { url: "https://elsewhere.example/x", contentType: "image/png" },
            { url: "/api/v1/downloads/page-3", contentType: "image/png" },
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
          downloadId: "page-3",
          contentType: "image/png",
          filename: "scan-s1-document-2-page-3.png",
        },
      ],
    },
  ]);
  for (const id of ["pdf-1", "page-1", "page-3"]) {
    assert.equal(registry.download(id)?.sessionId, "s1");
  }
});

Deno.test("when the files of a completed session expire is asked once, and settled() waits for it", async () => {
  const asked: string[] = [];
  const answer = Promise.withResolvers<Date | undefined>();
  const registry = new Registry<FakeSession>({
    filesExpireAt: (session) => {
      asked.push(session.id);
      return answer.promise;
    },
  });
  const session = new FakeSession("s1");
  registry.add(session);
  assert.equal((await registry.settled("s1"))!.filesExpireAt, undefined);
  assert.deepEqual(asked, []);
  session.complete({ result: [] });
  assert.deepEqual(asked, ["s1"]);
  const settled = registry.settled("s1");
  assert.equal(registry.get("s1")!.filesExpireAt, undefined, "not yet");
  answer.resolve(new Date("2026-01-01T00:07:00Z"));
  assert.equal((await settled)!.filesExpireAt, "2026-01-01T00:07:00.000Z");
  assert.equal(await registry.settled("nope"), undefined);
});

Deno.test("a files-expiry lookup that fails leaves the view without it", async () => {
  const registry = new Registry<FakeSession>({
    filesExpireAt: () => Promise.reject(new Error("the server is down")),
  });
  const session = new FakeSession("s1");
  registry.add(session);
  session.complete({ result: [] });
  const view = await registry.settled("s1");
  assert.equal(view!.status, "completed");
  assert.equal(view!.filesExpireAt, undefined);
});

Deno.test("removing a session closes it and forgets it and its downloads", async () => {
  const registry = new Registry<FakeSession>();
  const session = new FakeSession("s1");
  registry.add(session);
  session.complete({
    result: [{ downloadId: "d1", contentType: "image/jpeg", filename: "a" }],
  });
  assert.ok(registry.download("d1"));

  assert.equal(await registry.remove("s1"), true);
  assert.equal(await registry.remove("s1"), false);
  assert.equal(session.closed, 1);
  assert.equal(session.listeners, 0);
  assert.equal(registry.download("d1"), undefined);
  assert.equal(registry.get("s1"), undefined);
  assert.equal(registry.session("s1"), undefined);
  assert.equal(registry.size, 0);
});

Deno.test("closing the registry closes every session and waits for the lookups", async () => {
  const answer = Promise.withResolvers<Date | undefined>();
  const registry = new Registry<FakeSession>({
    filesExpireAt: () => answer.promise,
  });
  const sessions = [new FakeSession("s1"), new FakeSession("s2")];
  for (const session of sessions) registry.add(session);
  sessions[0]!.complete({ result: [] });
  let closed = false;
  const closing = registry.close().then(() => (closed = true));
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(closed, false, "the lookup still runs");
  assert.deepEqual(sessions.map((s) => s.closed), [1, 1]);
  assert.deepEqual(sessions.map((s) => s.listeners), [0, 0]);
  answer.resolve(undefined);
  await closing;
  assert.equal(registry.size, 0);
  assert.throws(() => registry.add(new FakeSession("s3")), TypeError);
});
