// Copyright 2026 the handoff authors. MIT license.
// The live suite (`deno task test:live`, started by tests/live/run.ts): the
// client's public API (mod.ts) end to end against a Handoff server named by
// HANDOFF_URL and HANDOFF_API_KEY, using only what every deployment offers:
// the REST API and the WebSocket (through a TCP relay on 127.0.0.1 that
// injects transport faults, tests/live/_relay.ts) and the phone endpoints
// (straight to the server, tests/live/_phone.ts). No stub controls.
//
// Each test starts its own relay and client, and ends by checking that no
// WebSocket connection is left open through the relay.

import assert from "node:assert/strict";
import { PDFDocument } from "pdf-lib";
import {
  type AnySession,
  type ConnectionState,
  HandoffClient,
  type HandoffClientOptions,
  NotFoundError,
  type ResultItem,
  type ScanDocument,
  type SessionEvent,
  SessionExpiredError,
  UnauthorizedError,
} from "../../mod.ts";
import { LiveRelay } from "./_relay.ts";
import { editedFilmstrip, Phone, type PhoneItem } from "./_phone.ts";
import { tinyJpeg, tinyPng } from "./_images.ts";

const SERVER = Deno.env.get("HANDOFF_URL") ?? "";
const KEY = Deno.env.get("HANDOFF_API_KEY") ?? "";
if (SERVER === "" || KEY === "") {
  throw new Error(
    "The live suite needs HANDOFF_URL and HANDOFF_API_KEY: run it with `deno task test:live`.",
  );
}
const SERVER_URL = new URL(SERVER);

const phone = new Phone(SERVER);

/** How long an event-driven wait may take before the test fails. */
const WAIT_MS = 15_000;

/** Short intervals, so that faults are noticed and healed in seconds. */
const FAST: Omit<HandoffClientOptions, "baseUrl" | "apiKey"> = {
  timeoutMs: 5_000,
  retry: { maxRetries: 2, initialDelayMs: 100, maxDelayMs: 500 },
  reconnect: {
    initialDelayMs: 100,
    maxDelayMs: 500,
    attemptsBeforePolling: 2,
    stableAfterMs: 1_000,
  },
  pollIntervalMs: 250,
  livenessIntervalMs: 1_500,
};

interface Live {
  relay: LiveRelay;
  /** A client whose every connection goes through the relay. */
  client: HandoffClient;
  /** Another client on the same relay, with another key. */
  clientWithKey(apiKey: string): HandoffClient;
}

/** A test with its own relay; it fails if a WebSocket is left open. */
function live(name: string, fn: (live: Live) => Promise<void>): void {
  Deno.test(name, async () => {
    await using relay = new LiveRelay(SERVER_URL);
    const clientWithKey = (apiKey: string) =>
      new HandoffClient({ baseUrl: relay.url, apiKey, ...FAST });
    await fn({ relay, client: clientWithKey(KEY), clientWithKey });
    await relay.until(
      () => relay.openWebSockets === 0,
      5_000,
      "every WebSocket through the relay to close",
    ).catch((error) => {
      throw new Error(
        `${relay.openWebSockets} WebSocket connection(s) left open through the relay`,
        { cause: error },
      );
    });
  });
}

/** What a session told its listeners, in order. */
function record(session: AnySession): {
  events: SessionEvent[];
  connections: ConnectionState[];
  statuses(): string[];
} {
  const events: SessionEvent[] = [];
  const connections: ConnectionState[] = [];
  session.onEvent((event) => events.push(event));
  session.onConnectionChange((state) => connections.push(state));
  return { events, connections, statuses: () => events.map((e) => e.status) };
}

/** Resolve when `ready()` holds, checked on each event and connection change. */
function when(
  session: AnySession,
  ready: () => boolean,
  what: string,
  ms = WAIT_MS,
): Promise<void> {
  if (ready()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      offEvent();
      offConnection();
      clearTimeout(timer);
    };
    const check = () => {
      if (!ready()) return;
      done();
      resolve();
    };
    const offEvent = session.onEvent(check);
    const offConnection = session.onConnectionChange(check);
    const timer = setTimeout(() => {
      done();
      reject(
        new Error(
          `timed out after ${ms} ms waiting for ${what} (status ${session.status}, connection ${session.connection})`,
        ),
      );
    }, ms);
  });
}

const connected = (session: AnySession, state: ConnectionState = "websocket") =>
  when(session, () => session.connection === state, `connection ${state}`);

const reached = (session: AnySession, status: string) =>
  when(session, () => session.status === status, `status ${status}`);

/** The statuses seen are in protocol order, each once, `completed` once. */
function assertInOrder(statuses: string[], expected: string[]): void {
  assert.deepEqual(statuses, expected);
  assert.equal(statuses.filter((s) => s === "completed").length, 1);
}

async function assertRejects<E extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => E,
): Promise<E> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${error}`);
    return error;
  }
  assert.fail(`expected ${type.name}, got a value`);
}

async function pdfPages(data: Uint8Array): Promise<number> {
  assert.equal(new TextDecoder().decode(data.subarray(0, 5)), "%PDF-");
  return (await PDFDocument.load(data)).getPageCount();
}

async function streamed(
  client: HandoffClient,
  url: string,
): Promise<{ data: Uint8Array; contentType: string }> {
  const { body, contentType } = await client.downloadStream(url);
  const data = new Uint8Array(await new Response(body).arrayBuffer());
  return { data, contentType };
}

/**
 * Check a photo or signature result against what the phone sent: by each
 * item's content type (the server stores what was sent; pdf converts).
 */
async function assertItem(
  client: HandoffClient,
  item: ResultItem | undefined,
  sent: PhoneItem,
  outputFormat: string,
): Promise<void> {
  assert.ok(item !== undefined, "no result item");
  const file = await client.downloadFile(item.downloadId);
  if (outputFormat === "pdf") {
    assert.equal(item.contentType, "application/pdf");
    assert.equal(item.filename, sent.filename.replace(/\.[^.]+$/, ".pdf"));
    assert.equal(file.contentType, "application/pdf");
    assert.equal(await pdfPages(file.data), 1);
  } else {
    assert.equal(item.contentType, sent.contentType);
    assert.equal(item.filename, sent.filename);
    assert.equal(file.contentType, sent.contentType);
    assert.deepEqual(file.data, sent.data);
  }
}

// ------------------------------------------------------------ the happy path

live(
  "a photo session goes pending → opened → action_started → completed over the WebSocket, completed once",
  async ({ client }) => {
    await using session = await client.createSession({
      action: "photo",
      outputFormat: "jpg",
      intro: "A photo of the live suite, please",
      sessionTtl: "2m",
    });
    assert.equal(session.url.endsWith(`/s/${session.id}`), true, session.url);
    const seen = record(session);
    await connected(session);
    await phone.open(session.id);
    await reached(session, "opened");
    await phone.start(session.id);
    await reached(session, "action_started");
    const waiting = session.waitForResult({
      signal: AbortSignal.timeout(WAIT_MS),
    });
    const sent = await phone.takePhoto(
      session.id,
      { data: tinyJpeg(1), contentType: "image/jpeg" },
      { intro: true },
    );
    const items = await waiting;
    await when(session, () => session.connection === "closed", "the end");
    assert.equal(items.length, 1);
    await assertItem(client, items[0], sent, "jpg");
    assertInOrder(seen.statuses(), [
      "pending",
      "opened",
      "action_started",
      "completed",
    ]);
    assert.equal(seen.connections.at(-1), "closed");
    assert.equal(session.status, "completed");
  },
);

live(
  "photo: jpg, png and pdf, by each item's content type (a camera JPEG for png, a PNG screenshot for jpg)",
  async ({ client }) => {
    const cases = [
      { format: "jpg", data: tinyJpeg(2), contentType: "image/jpeg" },
      { format: "jpg", data: tinyPng(3), contentType: "image/png" },
      { format: "png", data: tinyPng(4), contentType: "image/png" },
      { format: "png", data: tinyJpeg(5), contentType: "image/jpeg" },
      { format: "pdf", data: tinyJpeg(6, 32, 24), contentType: "image/jpeg" },
      { format: "pdf", data: tinyPng(7, 24, 32), contentType: "image/png" },
    ] as const;
    await Promise.all(cases.map(async ({ format, data, contentType }) => {
      await using session = await client.createSession({
        action: "photo",
        outputFormat: format,
      });
      await connected(session);
      const sent = await phone.takePhoto(session.id, { data, contentType });
      const items = await session.waitForResult({
        signal: AbortSignal.timeout(WAIT_MS),
      });
      assert.equal(items.length, 1);
      await assertItem(client, items[0], sent, format);
    }));
  },
);

live(
  "signature: svg markup, and a PNG of the canvas for png and pdf",
  async ({ client }) => {
    await Promise.all(
      (["svg", "png", "pdf"] as const).map(async (format, i) => {
        await using session = await client.createSession({
          action: "signature",
          outputFormat: format,
        });
        await connected(session);
        const sent = await phone.sign(session.id, format, 10 + i);
        const items = await session.waitForResult({
          signal: AbortSignal.timeout(WAIT_MS),
        });
        assert.equal(items.length, 1);
        await assertItem(client, items[0], sent, format);
      }),
    );
  },
);

/** A scan result against the pages the phone sent, downloaded both ways. */
async function assertScan(
  client: HandoffClient,
  documents: readonly ScanDocument[],
  sent: Uint8Array[][],
  format: "pdf" | "images",
): Promise<void> {
  assert.equal(documents.length, sent.length);
  for (const [i, document] of documents.entries()) {
    const pages = sent[i]!;
    assert.equal(document.format, format);
    if (document.format === "pdf") {
      assert.match(document.pdfUrl, /^\/api\/v1\/downloads\/[0-9a-f-]+$/);
      const file = await streamed(client, document.pdfUrl);
      assert.equal(file.contentType, "application/pdf");
      assert.equal(await pdfPages(file.data), pages.length);
    } else {
      assert.equal(document.pages.length, pages.length);
      for (const [k, page] of document.pages.entries()) {
        assert.match(page.url, /^\/api\/v1\/downloads\/[0-9a-f-]+$/);
        assert.equal(page.contentType, "image/jpeg");
        const file = k % 2 === 0
          ? await client.downloadFile(page.url)
          : await streamed(client, page.url);
        assert.equal(file.contentType, "image/jpeg");
        assert.deepEqual(file.data, pages[k]);
      }
    }
  }
}

live(
  "scan: single and multi, pdf and images, relative URLs, downloadFile and downloadStream",
  async ({ client }) => {
    const cases = [
      { mode: "single", format: "pdf", documents: [editedFilmstrip(20, 3)] },
      {
        mode: "multi",
        format: "pdf",
        documents: [editedFilmstrip(21, 3), editedFilmstrip(22, 1)],
      },
      { mode: "single", format: "images", documents: [editedFilmstrip(23, 4)] },
      {
        mode: "multi",
        format: "images",
        documents: [
          editedFilmstrip(24, 2),
          editedFilmstrip(25, 1),
          editedFilmstrip(26, 3),
        ],
      },
    ] as const;
    await Promise.all(cases.map(async ({ mode, format, documents }) => {
      await using session = await client.createSession({
        action: "scan",
        documentMode: mode,
        scanOutputFormat: format,
      });
      const seen = record(session);
      await connected(session);
      const sent = await phone.scan(session.id, documents);
      const { documents: got } = await session.waitForScanResult({
        signal: AbortSignal.timeout(WAIT_MS),
      });
      await assertScan(client, got, sent, format);
      assertInOrder(seen.statuses(), [
        "pending",
        "opened",
        "action_started",
        "completed",
      ]);
    }));
  },
);

// ------------------------------------------------------------ transport faults

for (const closeFrame of [false, true]) {
  live(
    `a completion while every connection is cut ${
      closeFrame ? "with a close frame" : "without a close frame"
    } and refused is delivered once, after`,
    async ({ client, relay }) => {
      await using session = await client.createSession({
        action: "photo",
        outputFormat: "png",
      });
      const seen = record(session);
      await connected(session);
      await phone.open(session.id);
      await reached(session, "action_started");
      relay.refuse();
      assert.ok(relay.cut({ closeFrame }) >= 1);
      await connected(session, "unreachable");
      const sent = await phone.takePhoto(session.id, {
        data: tinyPng(30),
        contentType: "image/png",
      });
      assert.equal(session.status, "action_started");
      relay.heal();
      const items = await session.waitForResult({
        signal: AbortSignal.timeout(WAIT_MS),
      });
      await assertItem(client, items[0], sent, "png");
      await when(session, () => session.connection === "closed", "the end");
      assertInOrder(seen.statuses(), [
        "pending",
        "opened",
        "action_started",
        "completed",
      ]);
      assert.ok(
        seen.connections.includes("unreachable"),
        String(seen.connections),
      );
      assert.ok(relay.refused >= 1, "no connection was refused");
      if (closeFrame) assert.equal(relay.closeFramesSent, 1);
    },
  );
}

live(
  "a half-open WebSocket (the path stalls, sockets stay open) is found by the liveness check and replaced",
  async ({ client, relay }) => {
    await using session = await client.createSession({
      action: "signature",
      outputFormat: "svg",
      intro: "Sign, please",
    });
    const seen = record(session);
    await connected(session);
    const opened = relay.webSocketsOpened;
    assert.equal(relay.stall({ webSocketsOnly: true }), 1);
    // The phone goes on; the broadcast is held in the stalled path.
    await phone.open(session.id);
    await reached(session, "opened"); // from a liveness snapshot
    // A new WebSocket replaces the stalled one.
    await relay.until(
      () =>
        relay.webSocketsOpened > opened && session.connection === "websocket",
      WAIT_MS,
      "a new WebSocket",
    );
    await phone.start(session.id);
    await reached(session, "action_started");
    const waiting = session.waitForResult({
      signal: AbortSignal.timeout(WAIT_MS),
    });
    const sent = await phone.sign(session.id, "svg", 31);
    await assertItem(client, (await waiting)[0], sent, "svg");
    assertInOrder(seen.statuses(), [
      "pending",
      "opened",
      "action_started",
      "completed",
    ]);
    // The client dropped the stalled connection itself (the relay closes both
    // sides when it does); the check after the test waits for it.
    await relay.until(
      () => relay.stalledConnections === 0,
      WAIT_MS,
      "the client to drop the stalled connection",
    );
  },
);

live(
  "a completion held in a half-open WebSocket is still delivered once",
  async ({ client, relay }) => {
    await using session = await client.createSession({
      action: "photo",
      outputFormat: "pdf",
    });
    const seen = record(session);
    await connected(session);
    await phone.open(session.id);
    await reached(session, "action_started");
    relay.stall({ webSocketsOnly: true });
    const sent = await phone.takePhoto(session.id, {
      data: tinyJpeg(32),
      contentType: "image/jpeg",
    });
    const items = await session.waitForResult({
      signal: AbortSignal.timeout(WAIT_MS),
    });
    await assertItem(client, items[0], sent, "pdf");
    assertInOrder(seen.statuses(), [
      "pending",
      "opened",
      "action_started",
      "completed",
    ]);
    await relay.until(
      () => relay.stalledConnections === 0,
      WAIT_MS,
      "the client to drop the stalled connection",
    );
  },
);

live(
  "refused upgrades force polling, statuses arrive by polling, and the session goes back to the WebSocket",
  async ({ client, relay }) => {
    relay.refuseUpgrades();
    await using session = await client.createSession({
      action: "scan",
      scanOutputFormat: "images",
      intro: "Scan the live suite's pages",
    });
    const seen = record(session);
    await connected(session, "polling");
    assert.equal(relay.webSocketsOpened, 0);
    await phone.open(session.id);
    await reached(session, "opened");
    relay.heal();
    await connected(session, "websocket");
    await phone.start(session.id);
    await reached(session, "action_started");
    const pages = [editedFilmstrip(33, 2)];
    for (const [pageIndex, data] of pages[0]!.entries()) {
      await phone.uploadPage(session.id, { documentIndex: 0, pageIndex, data });
    }
    await phone.finalize(session.id);
    const { documents } = await session.waitForScanResult({
      signal: AbortSignal.timeout(WAIT_MS),
    });
    await assertScan(client, documents, pages, "images");
    assertInOrder(seen.statuses(), [
      "pending",
      "opened",
      "action_started",
      "completed",
    ]);
    const polling = seen.connections.indexOf("polling");
    assert.ok(
      polling >= 0 && seen.connections.indexOf("websocket", polling) > polling,
      String(seen.connections),
    );
  },
);

// ------------------------------------------------------------ lifecycle

live(
  "a short TTL expires every waiter (three here, two clients) with a confirmed SessionExpiredError; getSession then says expired",
  async ({ client, clientWithKey }) => {
    await using session = await client.createSession({
      action: "photo",
      outputFormat: "jpg",
      intro: "This one is left to expire",
      sessionTtl: "3s",
    });
    const seen = record(session);
    await connected(session);
    await phone.open(session.id);
    await reached(session, "opened");
    // The server must confirm the expiry (410) soon after the 3 s TTL.
    const deadline = AbortSignal.timeout(3_000 + WAIT_MS);
    await using attached = await clientWithKey(KEY).attachSession(session.id, {
      actionType: "photo",
    });
    const iterated = (async () => {
      const statuses: string[] = [];
      for await (const event of session.events({ signal: deadline })) {
        statuses.push(event.status);
      }
      return statuses;
    })();
    const errors = await Promise.all([
      assertRejects(
        session.waitForResult({ signal: deadline }),
        SessionExpiredError,
      ),
      assertRejects(
        session.waitForResult({ signal: deadline }),
        SessionExpiredError,
      ),
      assertRejects(
        attached.waitForResult({ signal: deadline }),
        SessionExpiredError,
      ),
    ]);
    for (const error of errors) {
      assert.equal(error.confirmed, true);
      assert.equal(error.status, 410);
    }
    assert.deepEqual(await iterated, ["expired"]); // events() yields what comes next
    assert.deepEqual(seen.statuses(), ["pending", "opened", "expired"]);
    assert.equal(session.status, "expired");
    const info = await client.getSession(session.id);
    assert.deepEqual({ ...info }, { id: session.id, status: "expired" });
    await assertRejects(client.attachSession(session.id), SessionExpiredError);
    await phone.open(session.id, 410);
  },
);

live(
  "attachSession before completion follows it; after completion it has the result at once",
  async ({ client }) => {
    const info = await client.createSession(
      { action: "signature", outputFormat: "png" },
      { watch: false },
    );
    await using before = await client.attachSession(info.id, {
      actionType: "signature",
    });
    const seen = record(before);
    await connected(before);
    const sent = await phone.sign(info.id, "png", 40);
    const items = await before.waitForResult({
      signal: AbortSignal.timeout(WAIT_MS),
    });
    await assertItem(client, items[0], sent, "png");
    assertInOrder(seen.statuses(), [
      "pending",
      "opened",
      "action_started",
      "completed",
    ]);

    await using after = await client.attachSession(info.id);
    assert.equal(after.actionType, "signature");
    const again = await after.waitForResult({
      signal: AbortSignal.timeout(WAIT_MS),
    });
    assert.deepEqual(again, items);
    assert.equal(after.status, "completed");
    const got = await client.getSession(info.id);
    assert.equal(got.status, "completed");
    await phone.open(info.id, 200); // the "done" page
    await phone.submit(info.id, [sent], 409);
  },
);

// ------------------------------------------------------------ errors

live(
  "a bad key is an UnauthorizedError that does not show the key",
  async ({ client, clientWithKey }) => {
    const info = await client.createSession(
      { action: "scan" },
      { watch: false },
    );
    const wrongKey = `live-suite-wrong-${crypto.randomUUID()}`;
    const wrong = clientWithKey(wrongKey);
    const errors = [
      await assertRejects(
        wrong.createSession({ action: "photo", outputFormat: "jpg" }),
        UnauthorizedError,
      ),
      await assertRejects(wrong.getSession(info.id), UnauthorizedError),
      await assertRejects(wrong.attachSession(info.id), UnauthorizedError),
    ];
    for (const error of errors) {
      assert.equal(error.status, 401);
      assert.ok(!String(error.message).includes(wrongKey), error.message);
      assert.ok(!String(error.stack).includes(wrongKey));
    }
  },
);

live(
  "an unknown id is a NotFoundError (getSession, attachSession, downloadFile)",
  async ({ client }) => {
    const id = crypto.randomUUID();
    for (
      const attempt of [
        () => client.getSession(id),
        () => client.attachSession(id),
        () => client.downloadFile(id),
      ]
    ) {
      const error = await assertRejects(attempt(), NotFoundError);
      assert.equal(error.status, 404);
    }
    await phone.open(id, 404);
    const health = await client.health();
    assert.equal(health.status, "ok");
  },
);
