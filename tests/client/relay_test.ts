// Copyright 2026 the handoff authors. MIT license.
// The relay (relay.ts): a session's events as Server-Sent Events, read the
// way a browser's EventSource reads them.

import assert from "node:assert/strict";
import {
  type AnySession,
  HandoffClient,
  type RelayCompletedData,
  type RelaySessionData,
  sessionEventResponse,
  sessionEventStream,
} from "../../mod.ts";
import { sessionInternals } from "../../session.ts";
import { type ReadMessage, SseReader } from "../mock/_sse_reader.ts";
import { startStubServer } from "../../testing.ts";
import { setup, until } from "./_session_helpers.ts";

const withPage = (session: { id: string }, lastEventId?: string) =>
  new Request(`http://app.test/sessions/${session.id}/events`, {
    headers: lastEventId === undefined ? {} : { "last-event-id": lastEventId },
  });

/** The next message that is not a comment or a bare `retry:`. */
async function next(reader: SseReader): Promise<ReadMessage> {
  return await reader.nextMessage();
}

/** How many event listeners the session has now (the relay's among them). */
function countListeners(session: AnySession): { readonly now: number } {
  const { delivery } = sessionInternals(session);
  const count = { now: 0 };
  const onEvent = delivery.onEvent.bind(delivery);
  delivery.onEvent = (listener) => {
    count.now++;
    const off = onEvent(listener);
    return () => {
      count.now--;
      return off();
    };
  };
  return count;
}

Deno.test("the relay sends the session, the current status, each new one with an id, and the files, then ends", async () => {
  await using env = await setup();
  await using session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  const response = sessionEventResponse(session, {
    request: withPage(session),
    qrCode: { format: "svg" },
    downloadUrl: (file) => `/files/${file.downloadId}`,
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type")!, /^text\/event-stream/);
  assert.equal(response.headers.get("cache-control"), "no-store");
  const reader = new SseReader(response.body!);

  const retry = await reader.next();
  assert.equal(retry.retry, 2_000);
  const first = await next(reader);
  assert.equal(first.event, "session");
  assert.equal(first.id, undefined, "the snapshot leaves Last-Event-ID alone");
  const data = JSON.parse(first.data) as RelaySessionData;
  assert.equal(data.id, session.id);
  assert.equal(data.url, session.url);
  assert.equal(data.actionType, "photo");
  assert.equal(data.status, "pending");
  assert.equal(data.expiresAt, session.expiresAt.toISOString());
  assert.ok(data.qrCode?.startsWith("<svg"));

  const pending = await next(reader);
  assert.deepEqual([pending.event, pending.id], ["status", `${session.id}:0`]);
  assert.equal(JSON.parse(pending.data).status, "pending");

  await until(() => session.connection === "websocket", "the socket");
  await env.server.phone.complete(session.id);
  const seen: ReadMessage[] = [];
  for (;;) {
    const message = await next(reader);
    seen.push(message);
    if (message.event === "completed") break;
  }
  assert.deepEqual(
    seen.map((m) => [m.event, m.id]),
    [
      ["status", `${session.id}:1`],
      ["status", `${session.id}:2`],
      ["completed", `${session.id}:3`],
    ],
  );
  const completed = JSON.parse(seen.at(-1)!.data) as RelayCompletedData;
  const [item] = session.result!;
  assert.deepEqual(completed.result, [{
    downloadId: item!.downloadId,
    contentType: item!.contentType,
    filename: item!.filename,
    href: `/files/${item!.downloadId}`,
  }]);
  assert.equal(completed.actionType, "photo");
  assert.ok(await reader.ended(), "the stream ends after completed");
  const everything = JSON.stringify(seen) + first.data;
  assert.ok(!everything.includes(env.server.apiKey), "no API key");
  assert.ok(!everything.includes("/api/v1/"), "no Handoff download URL");
});

Deno.test("a browser that reconnects with Last-Event-ID gets every status it missed, once, in order", async () => {
  await using env = await setup();
  await using session = await env.client.createSession({
    action: "signature",
    outputFormat: "svg",
  });
  const page = new SseReader(sessionEventStream(session));
  assert.equal((await next(page)).event, "session");
  const pending = await next(page);
  assert.equal(pending.id, `${session.id}:0`);
  await page.cancel(); // the browser's connection drops

  await until(() => session.connection === "websocket", "the socket");
  await env.server.phone.open(session.id);
  await env.server.phone.start(session.id);
  await until(() => session.status === "action_started", "action_started");

  const again = new SseReader(
    sessionEventResponse(session, { request: withPage(session, pending.id) })
      .body!,
  );
  assert.equal((await next(again)).event, "session");
  const replayed = [await next(again), await next(again)];
  assert.deepEqual(replayed.map((m) => m.id), [
    `${session.id}:1`,
    `${session.id}:2`,
  ]);
  await env.server.phone.complete(session.id);
  const done = await next(again);
  assert.equal(done.event, "completed");
  assert.ok(await again.ended());

  // After the final event there is nothing left: 204 stops EventSource.
  const spent = sessionEventResponse(session, {
    request: withPage(session, done.id),
  });
  assert.equal(spent.status, 204);
  assert.equal(spent.body, null);

  // An id of another session is ignored: the current state is sent.
  const other = new SseReader(
    sessionEventStream(session, { lastEventId: "someone-else:1" }),
  );
  assert.equal((await next(other)).event, "session");
  assert.equal((await next(other)).event, "completed");
  assert.ok(await other.ended());
});

Deno.test("an expired session relays expired and ends; a failed one relays an error without the key", async () => {
  await using env = await setup();
  await using session = await env.client.createSession({
    action: "photo",
    outputFormat: "png",
  });
  const reader = new SseReader(sessionEventStream(session));
  await next(reader); // session
  await next(reader); // pending
  env.server.expire(session.id);
  const expired = await next(reader);
  assert.deepEqual([expired.event, expired.id], [
    "expired",
    `${session.id}:4`,
  ]);
  assert.equal(JSON.parse(expired.data).status, "expired");
  assert.ok(await reader.ended());

  const doomed = await env.client.createSession({
    action: "photo",
    outputFormat: "png",
  });
  const failing = new SseReader(sessionEventStream(doomed));
  await next(failing); // session
  await next(failing); // pending
  await env.server.faults.restart({ keepState: false }); // it forgets the session
  const error = await next(failing);
  assert.equal(error.event, "error");
  const data = JSON.parse(error.data);
  assert.equal(data.name, "NotFoundError");
  assert.equal(data.sessionId, doomed.id);
  assert.ok(!error.data.includes(env.server.apiKey));
  assert.equal(error.id, `${doomed.id}:error`);
  assert.ok(await failing.ended());
  // A browser that got the error is told to stop; one that did not gets it.
  const stop = sessionEventResponse(doomed, {
    request: withPage(doomed, error.id),
  });
  assert.equal(stop.status, 204);
  const missed = new SseReader(
    sessionEventResponse(doomed, {
      request: withPage(doomed, `${doomed.id}:0`),
    })
      .body!,
  );
  assert.equal((await next(missed)).event, "session");
  assert.equal((await next(missed)).event, "error");
  assert.ok(await missed.ended());
  await doomed.close();
});

Deno.test("the relay stops cleanly when the browser goes away: listener and keep-alive removed", async () => {
  await using env = await setup();
  await using session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  const listening = countListeners(session);

  // Cancelled by the reader.
  const cancelled = new SseReader(
    sessionEventStream(session, { keepAliveMs: 10 }),
  );
  await next(cancelled);
  const comment = await cancelled.next(); // idle: the keep-alive comes
  assert.equal(
    comment.comment ?? (await cancelled.next()).comment,
    "keep-alive",
  );
  assert.equal(listening.now, 1);
  await cancelled.cancel();
  assert.equal(listening.now, 0);

  // Aborted by the signal given (as info.completed settling on Deno.serve).
  const gone = new AbortController();
  const aborted = new SseReader(
    sessionEventResponse(session, {
      request: withPage(session),
      signal: gone.signal,
      keepAliveMs: 10,
    }).body!,
  );
  await next(aborted);
  assert.equal(listening.now, 1);
  gone.abort();
  assert.equal(listening.now, 0);
  assert.ok(await aborted.ended());

  // The request's own signal is not read: reading it in Deno.serve prints a
  // deprecation warning on every finished response.
  let read = 0;
  const watched = withPage(session);
  Object.defineProperty(watched, "signal", {
    get: () => {
      read++;
      return new AbortController().signal;
    },
  });
  await sessionEventResponse(session, { request: watched }).body!.cancel();
  assert.equal(read, 0, "request.signal was read");

  // A reader that stops reading is dropped before it grows memory.
  const stalled = sessionEventStream(session, {
    keepAliveMs: 1,
    maxQueuedChunks: 4,
  });
  const reading = stalled.getReader();
  await until(() => listening.now === 0, "the stalled reader to be dropped");
  let chunks = 0;
  while (!(await reading.read()).done) chunks++;
  assert.ok(chunks <= 8, `${chunks} chunks were queued`);

  // Nothing relays after the session closed.
  await session.close();
  const closed = new SseReader(sessionEventStream(session));
  assert.equal((await next(closed)).event, "session");
  assert.ok(await closed.ended());
  assert.equal(listening.now, 0);
  // …and a browser that reconnects to it is told to stop.
  assert.equal(
    sessionEventResponse(session, { request: withPage(session) }).status,
    204,
  );
});

Deno.test("on Deno.serve, a browser that goes away stops the relay: no listener, no keep-alive left", async () => {
  await using stub = await startStubServer({ transportFaults: false });
  const client = new HandoffClient({ baseUrl: stub.url, apiKey: stub.apiKey });
  const session = await client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  const listening = countListeners(session);
  // As the docs say for Deno.serve: the signal settles with info.completed.
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request, info) => {
      const gone = new AbortController();
      info.completed.finally(() => gone.abort());
      return sessionEventResponse(session, {
        request,
        signal: gone.signal,
        connection: true,
        qrCode: true,
      });
    },
  );
  const browser = new AbortController();
  const response = await fetch(`http://127.0.0.1:${server.addr.port}/`, {
    signal: browser.signal,
  });
  const page = new SseReader(response.body!);
  for (;;) {
    const message = await next(page);
    if (message.event === "connection" && message.data.includes("websocket")) {
      break;
    }
  }
  browser.abort(); // the tab is closed
  await page.cancel();
  // The next events find the body cancelled (Deno cancels it inside
  // enqueue()); a keep-alive armed after that would leak its timer.
  await stub.phone.open(session.id);
  await stub.phone.start(session.id);
  await until(() => session.status === "action_started", "action_started");
  await until(() => listening.now === 0, "the relay to let go of the session");
  await session.close();
  // The session's deadlines are gone with it; a keep-alive would remain.
  assert.equal(sessionInternals(session).timers.size, 0, "a timer is left");
});

Deno.test("the relay refuses bad options before streaming", async () => {
  await using env = await setup();
  await using session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  assert.throws(() => sessionEventStream(session, { keepAliveMs: 0 }), {
    name: "RangeError",
    message: /keepAliveMs must be a positive number/,
  });
  assert.throws(
    () => sessionEventStream(session, { request: "x" as unknown as Request }),
    { name: "TypeError", message: /request must be the Request/ },
  );
  assert.throws(
    () => sessionEventStream(session, { maxQueuedChunks: 0 }),
    { name: "RangeError" },
  );
});

Deno.test("with connection: true the relay tells the page how the backend hears the server", async () => {
  await using env = await setup();
  await using session = await env.client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  const quiet = new SseReader(sessionEventStream(session));
  assert.equal((await next(quiet)).event, "session");
  assert.equal((await next(quiet)).event, "status", "no connection event");
  await quiet.cancel();

  const reader = new SseReader(
    sessionEventStream(session, { connection: true }),
  );
  assert.equal((await next(reader)).event, "session");
  const first = await next(reader);
  assert.equal(first.event, "connection");
  assert.equal(
    first.id,
    undefined,
    "connection events leave Last-Event-ID alone",
  );
  const states = [JSON.parse(first.data).state];
  assert.equal((await next(reader)).event, "status");
  while (states.at(-1) !== "websocket") {
    const message = await next(reader);
    assert.equal(message.event, "connection");
    const data = JSON.parse(message.data);
    assert.equal(data.sessionId, session.id);
    states.push(data.state);
  }
  env.server.faults.dropWebSockets();
  const dropped = await next(reader);
  assert.equal(dropped.event, "connection");
  assert.notEqual(JSON.parse(dropped.data).state, "websocket");
  await reader.cancel();
});
