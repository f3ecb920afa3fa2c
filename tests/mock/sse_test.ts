// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";
import {
  formatSseComment,
  formatSseMessage,
  sseResponse,
} from "../../mock/sse.ts";
import { SseReader } from "./_sse_reader.ts";

Deno.test("formatSseMessage writes id, event and data, and ends with an empty line", () => {
  assert.equal(
    formatSseMessage({ id: "a.1", event: "session", data: '{"x":1}' }),
    'id: a.1\nevent: session\ndata: {"x":1}\n\n',
  );
});

Deno.test("formatSseMessage splits data on every kind of line break", () => {
  assert.equal(
    formatSseMessage({ data: "one\ntwo\r\nthree\rfour" }),
    "data: one\ndata: two\ndata: three\ndata: four\n\n",
  );
  assert.equal(formatSseMessage({ data: "" }), "data: \n\n");
  assert.equal(formatSseMessage({ data: "end\n" }), "data: end\ndata: \n\n");
});

Deno.test("formatSseMessage writes retry alone", () => {
  assert.equal(formatSseMessage({ retry: 2000 }), "retry: 2000\n\n");
});

Deno.test("formatSseMessage refuses line breaks in id and event, NUL in id, and bad retry", () => {
  assert.throws(() => formatSseMessage({ id: "a\nb", data: "x" }), TypeError);
  assert.throws(
    () => formatSseMessage({ event: "a\rb", data: "x" }),
    TypeError,
  );
  assert.throws(() => formatSseMessage({ id: "a\0b", data: "x" }), TypeError);
  assert.throws(() => formatSseMessage({ retry: -1 }), RangeError);
  assert.throws(() => formatSseMessage({ retry: 1.5 }), RangeError);
  assert.throws(() => formatSseMessage({}), TypeError);
});

Deno.test("formatSseComment writes one comment line per line", () => {
  assert.equal(formatSseComment("keep-alive"), ": keep-alive\n\n");
  assert.equal(formatSseComment("a\nb"), ": a\n: b\n\n");
});

Deno.test("a browser-style reader gets back exactly the data that was framed", async () => {
  const data = 'line one\nline: two\r\n\n{"json":"a\\nb"}';
  const body = new Blob([
    formatSseComment("hello"),
    formatSseMessage({ id: "e.7", event: "update", data }),
  ]).stream();
  const reader = new SseReader(body);
  assert.deepEqual(await reader.next(), {
    event: "message",
    data: "",
    comment: "hello",
  });
  const message = await reader.next();
  assert.equal(message.id, "e.7");
  assert.equal(message.event, "update");
  assert.equal(message.data, 'line one\nline: two\n\n{"json":"a\\nb"}');
  await reader.cancel();
});

Deno.test("sseResponse sends what the producer sends, then keep-alive comments", async () => {
  const controller = new AbortController();
  let cleaned = 0;
  const response = sseResponse({
    signal: controller.signal,
    keepAliveMs: 10,
    start(send) {
      send(formatSseMessage({ event: "hello", data: "hi" }));
      return () => cleaned++;
    },
  });
  assert.equal(
    response.headers.get("content-type"),
    "text/event-stream; charset=utf-8",
  );
  assert.equal(response.headers.get("cache-control"), "no-store");
  const reader = new SseReader(response.body!);
  assert.equal((await reader.next()).data, "hi");
  assert.equal((await reader.next()).comment, "keep-alive");
  controller.abort();
  assert.equal(await reader.ended(), true);
  assert.equal(cleaned, 1);
});

Deno.test("sseResponse cleans up once when the reader cancels", async () => {
  const controller = new AbortController();
  let cleaned = 0;
  const response = sseResponse({
    signal: controller.signal,
    keepAliveMs: 60_000,
    start(send) {
      send(": hi\n\n");
      return () => cleaned++;
    },
  });
  const reader = new SseReader(response.body!);
  await reader.next();
  await reader.cancel();
  controller.abort();
  assert.equal(cleaned, 1);
});

Deno.test("sseResponse ends the stream when the producer calls end", async () => {
  let end!: () => void;
  let cleaned = 0;
  const response = sseResponse({
    signal: new AbortController().signal,
    keepAliveMs: 60_000,
    start(_send, e) {
      end = e;
      return () => cleaned++;
    },
  });
  const reader = new SseReader(response.body!);
  end();
  assert.equal(await reader.ended(), true);
  end();
  assert.equal(cleaned, 1);
});

Deno.test("sseResponse drops a reader that stopped reading", async () => {
  let send!: (text: string) => void;
  let cleaned = 0;
  const response = sseResponse({
    signal: new AbortController().signal,
    keepAliveMs: 60_000,
    maxQueuedChunks: 5,
    start(s) {
      send = s;
      return () => cleaned++;
    },
  });
  for (let i = 0; i < 20; i++) send(`: ${i}\n\n`);
  assert.equal(cleaned, 1);
  await response.body!.cancel();
});
