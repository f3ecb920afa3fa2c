// Copyright 2026 the handoff authors. MIT license.
// How to test your own code with `@handoff/client/testing`: a stub Handoff
// server on loopback, a simulated phone, and injected faults. Run with
// `deno test --allow-net=127.0.0.1 id_photo_test.ts`.

import assert from "node:assert/strict";
import {
  HandoffClient,
  type HandoffClientOptions,
  ServerError,
  SessionExpiredError,
  UnauthorizedError,
} from "@handoff/client";
import {
  sampleJpeg,
  samplePng,
  startStubServer,
  type StubServer,
} from "@handoff/client/testing";
import { collectIdPhoto } from "./id_photo.ts";

/** A client of the stub; tests that inject faults make it retry quickly. */
function clientOf(
  stub: StubServer,
  options: Partial<HandoffClientOptions> = {},
): HandoffClient {
  return new HandoffClient({
    baseUrl: stub.url,
    apiKey: stub.apiKey,
    ...options,
  });
}

/** Resolve once `check()` holds, polling the stub's state every 10 ms. */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The person takes the photo: what the phone page sends (the camera's bytes
 * as they are, `photo.jpg` for a JPEG, `photo.png` for a PNG).
 */
async function takePhoto(
  stub: StubServer,
  id: string,
  photo: { contentType: string; data: Uint8Array } = {
    contentType: "image/jpeg",
    data: sampleJpeg(),
  },
): Promise<Uint8Array> {
  await stub.phone.open(id); // the intro page: status "opened"
  await stub.phone.start(id); // the camera page: "action_started"
  await stub.phone.submit(id, [photo]); // named as the page names it
  return photo.data;
}

Deno.test("collectIdPhoto returns the photo the person took", async () => {
  // `await using` stops the stub (and every socket) when the test ends.
  await using stub = await startStubServer();
  let sent: Uint8Array | undefined;

  const file = await collectIdPhoto(clientOf(stub), {
    show: async (prompt) => {
      assert.equal(prompt.url, `${stub.baseUrl}/s/${prompt.id}`);
      assert.match(prompt.qrCode, /^data:image\/png;base64,/);
      // What the server holds, for assertions on what your code asked for.
      assert.equal(
        stub.session(prompt.id)?.introText,
        "A photo of the front of your ID card, please.",
      );
      sent = await takePhoto(stub, prompt.id);
    },
  });

  assert.equal(file.contentType, "image/jpeg");
  assert.deepEqual(file.data, sent);
});

Deno.test("collectIdPhoto returns what the phone sent: a PNG for a jpg session stays image/png", async () => {
  // The server converts only pdf output; for jpg the file is whatever the
  // phone had, so code that stores it must go by file.contentType.
  await using stub = await startStubServer();
  const file = await collectIdPhoto(clientOf(stub), {
    show: async (prompt) => {
      await takePhoto(stub, prompt.id, {
        contentType: "image/png",
        data: samplePng(),
      });
      assert.equal(stub.session(prompt.id)?.items[0]?.filename, "photo.png");
    },
  });
  assert.equal(file.contentType, "image/png");
  assert.deepEqual(file.data, samplePng());
});

Deno.test("collectIdPhoto rejects with SessionExpiredError when the person takes too long", async () => {
  await using stub = await startStubServer();
  await assert.rejects(
    collectIdPhoto(clientOf(stub), {
      sessionTtl: "300ms", // short TTLs keep expiry tests fast
      show: (prompt) => stub.phone.open(prompt.id), // opened, never finished
    }),
    SessionExpiredError,
  );
});

Deno.test("collectIdPhoto stops when its signal aborts, and leaves nothing open", async () => {
  await using stub = await startStubServer();
  const cancel = new AbortController();
  const reason = new Error("the user closed the page");
  let id = "";

  await assert.rejects(
    collectIdPhoto(clientOf(stub), {
      signal: cancel.signal,
      show: (prompt) => {
        id = prompt.id;
        cancel.abort(reason);
      },
    }),
    (error) => error === reason,
  );
  assert.equal(stub.session(id)?.status, "pending"); // still on the server
  assert.equal(stub.stats().openWebSockets, 0); // but no longer watched
});

Deno.test("collectIdPhoto still gets the photo when the WebSocket drops", async () => {
  await using stub = await startStubServer();
  const client = clientOf(stub, { reconnect: { initialDelayMs: 20 } });

  const file = await collectIdPhoto(client, {
    show: async (prompt) => {
      await until(() => stub.stats().openWebSockets === 1);
      // The connection is cut without a close frame (the client sees 1006);
      // the photo is taken while the client reconnects.
      assert.equal(stub.faults.dropWebSockets(), 1);
      await takePhoto(stub, prompt.id);
    },
  });
  assert.equal(file.contentType, "image/jpeg");
});

Deno.test("collectIdPhoto still gets the photo over a half-open socket", async () => {
  await using stub = await startStubServer();
  // A socket that stays silent this long makes the session ask the server.
  const client = clientOf(stub, { livenessIntervalMs: 100 });

  const file = await collectIdPhoto(client, {
    show: async (prompt) => {
      await until(() => stub.stats().openWebSockets === 1);
      stub.faults.goSilent({ future: true }); // frames no longer arrive
      const polled = stub.stats().requests.result;
      await takePhoto(stub, prompt.id); // the "completed" frame is held back
      // The silent socket makes the session ask GET …/result.
      await until(() => stub.stats().requests.result > polled);
      // The path comes back. The silent connection lost the "completed"
      // frame, so it is cut, as TCP would reset it (without heal() it stays
      // silent, and the client drops it 2 s after closing it).
      stub.faults.heal();
    },
  });
  assert.equal(file.contentType, "image/jpeg");
});

Deno.test("collectIdPhoto falls back to polling when WebSocket upgrades are refused", async () => {
  await using stub = await startStubServer();
  stub.faults.refuseUpgrades(1_000); // 503 instead of upgrading
  const client = clientOf(stub, {
    reconnect: { initialDelayMs: 10, maxDelayMs: 50, attemptsBeforePolling: 1 },
    pollIntervalMs: 20,
  });

  const file = await collectIdPhoto(client, {
    show: (prompt) => takePhoto(stub, prompt.id).then(() => {}),
  });
  assert.equal(file.contentType, "image/jpeg");
  assert.equal(stub.stats().upgrades, 0);
  assert.ok(stub.stats().requests.result > 0, "the result was polled");
});

Deno.test("collectIdPhoto surfaces a failing server as ServerError", async () => {
  await using stub = await startStubServer();
  stub.faults.failRequests("create", 1, 503);
  await assert.rejects(
    collectIdPhoto(clientOf(stub), { show: () => {} }),
    (error) => error instanceof ServerError && error.status === 503,
  );
  assert.equal(stub.sessions().length, 0); // POST /sessions is not retried
});

Deno.test("collectIdPhoto surfaces a wrong API key as UnauthorizedError", async () => {
  await using stub = await startStubServer({ apiKeys: ["the-right-key"] });
  await assert.rejects(
    collectIdPhoto(clientOf(stub, { apiKey: "a-wrong-key" }), {
      show: () => {},
    }),
    UnauthorizedError,
  );
});
