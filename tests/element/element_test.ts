// Copyright 2026 the handoff authors. MIT license.
// The <handoff-session> element in headless Chromium (Debian's `chromium`,
// driven by `playwright-core`), on the page of examples/web_component,
// against the stub server and its simulated phone.
//
// Under the test task this file runs one test that runs the browser tests in
// a child `deno test --allow-all` (see ../_browser_suite.ts). Directly:
// HANDOFF_BROWSER_INNER=1 deno test -A tests/element/element_test.ts
//
// What runs in the page is mostly given to page.evaluate() as source text:
// this file is checked without the DOM library's types.

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Browser, Page } from "playwright-core";
import jsQRModule from "jsqr";
import { PNG } from "pngjs";
import { HandoffClient } from "../../mod.ts";
import { startStubServer, type StubServer } from "../../testing.ts";
import { launchChromium } from "../../mock/browser.ts";
import { browserSuite, browserTest } from "../_browser_suite.ts";
import { type App, createApp } from "../../examples/web_component/app.ts";
import { bundleElement } from "../../examples/web_component/main.ts";

// jsqr is CommonJS with an ES-style default export.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ??
  jsQRModule) as unknown as typeof jsQRModule.default;

browserSuite(import.meta.url, "<handoff-session> works in headless Chromium");

let script: Promise<string> | undefined;

/** The stub, the example app on Deno.serve, Chromium; disposed in order. */
interface Rig extends AsyncDisposable {
  stub: StubServer;
  app: App;
  url: string;
  browser: Browser;
  page: Page;
  apiKey: string;
  pageErrors: string[];
}

// Records the element's DOM events from the document (they bubble out of the
// shadow root and the element), from before any script of the page.
const EVENT_LOG = `{
  const log = (globalThis.handoffEvents = []);
  for (const type of [
    "handoff-status",
    "handoff-completed",
    "handoff-expired",
    "handoff-error",
  ]) {
    document.addEventListener(type, (event) => log.push({ type, detail: event.detail }));
  }
}`;

async function rig(
  options: { sessionTtl?: string; retryMs?: number } = {},
): Promise<Rig> {
  const apiKey = `element-test-key-${crypto.randomUUID()}`;
  const stub = await startStubServer({ apiKeys: [apiKey] });
  const client = new HandoffClient({ baseUrl: stub.url, apiKey });
  const app = createApp({
    client,
    elementScript: await (script ??= bundleElement()),
    retryMs: options.retryMs ?? 300,
    ...(options.sessionTtl !== undefined
      ? { sessionTtl: options.sessionTtl }
      : {}),
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    app.fetch,
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    await app.close();
    await server.shutdown();
    await stub.close();
    throw error;
  }
  // 320 px wide: the element must be readable on the narrowest phones.
  const context = await browser.newContext({
    viewport: { width: 320, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  // Record the element's DOM events from the document (they bubble out of
  // the shadow root and the element), from before any script of the page.
  await page.addInitScript(EVENT_LOG);
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") pageErrors.push(message.text());
  });
  return {
    stub,
    app,
    url,
    browser,
    page,
    apiKey,
    pageErrors,
    async [Symbol.asyncDispose]() {
      await browser.close();
      await app.close();
      await server.shutdown();
      await stub.close();
    },
  };
}

/** Create a session through the page's form; its id. */
async function createSession(rig: Rig): Promise<string> {
  await rig.page.goto(rig.url);
  await rig.page.getByRole("button").click();
  await rig.page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
  const id = new URL(rig.page.url()).pathname.split("/").at(-1)!;
  return id;
}

interface Logged {
  type: string;
  detail: { status?: string; name?: string; result?: unknown[] };
}

function events(page: Page): Promise<Logged[]> {
  return page.evaluate(() =>
    (globalThis as unknown as { handoffEvents: Logged[] }).handoffEvents
  );
}

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function decodeQr(dataUrl: string): string | undefined {
  const png = PNG.sync.read(
    Buffer.from(dataUrl.slice(dataUrl.indexOf(",") + 1), "base64"),
  );
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

const element = (page: Page) => page.locator("handoff-session");
const part = (page: Page, name: string) =>
  page.locator(`handoff-session [part="${name}"]`);

async function statusesOf(page: Page): Promise<string[]> {
  return (await events(page)).filter((e) => e.type === "handoff-status")
    .map((e) => e.detail.status ?? "?");
}

browserTest(
  "<handoff-session> shows the QR code, the link, the statuses in order and the photo, keyboard-reachable at 320 px, with no API key in the page",
  async () => {
    await using r = await rig();
    const id = await createSession(r);
    const session = r.app.sessions.get(id)!;
    const { page } = r;

    await part(page, "status").filter({
      hasText: "Scan the code with your phone",
    }).waitFor();
    const qr = part(page, "qr");
    await qr.waitFor();
    const src = (await qr.getAttribute("src"))!;
    assert.match(src, /^data:image\/png;base64,/);
    assert.equal(decodeQr(src), session.url, "the QR code is the session URL");
    const alt = (await qr.getAttribute("alt"))!;
    assert.ok(alt.startsWith("QR code: scan with your phone"), alt);
    assert.ok(alt.includes(session.url), alt);
    const link = part(page, "link");
    assert.equal(await link.getAttribute("href"), session.url);
    assert.equal(await link.textContent(), session.url);
    assert.equal(
      await part(page, "status").getAttribute("aria-live"),
      "polite",
    );
    assert.match(
      (await part(page, "timer").textContent())!,
      /^(10:00|9:5\d) left$/,
    );
    const before = (await part(page, "timer").textContent())!;
    await until(
      "the timer ticks",
      async () => (await part(page, "timer").textContent()) !== before,
    );

    // Keyboard: the first Tab reaches the session link.
    await page.keyboard.press("Tab");
    assert.equal(
      await page.evaluate<string | null | undefined>(
        `document.querySelector("handoff-session")?.shadowRoot?.activeElement
          ?.getAttribute("part")`,
      ),
      "link",
    );
    // Readable at 320 px: nothing wider than the viewport.
    assert.ok(
      await page.evaluate<boolean>(
        "document.documentElement.scrollWidth <= 320",
      ),
      "the page scrolls sideways at 320 px",
    );

    await r.stub.phone.open(id); // no intro text: opened, then action_started
    await part(page, "status").filter({ hasText: "In progress on the phone" })
      .waitFor();
    await r.stub.phone.complete(id);
    await page.locator('handoff-session[state="done"]').waitFor();
    await part(page, "status").filter({
      hasText: "Thank you: the photo is here", // the page's text-done
    }).waitFor();
    assert.equal(await qr.isVisible(), false, "no QR code once done");
    assert.equal(await part(page, "timer").isVisible(), false);

    const thumbnail = part(page, "thumbnail");
    await thumbnail.waitFor();
    await until(
      "the thumbnail loads",
      () =>
        thumbnail.evaluate((img) =>
          (img as unknown as { complete: boolean }).complete &&
          (img as unknown as { naturalWidth: number }).naturalWidth > 0
        ),
    );
    assert.match(
      (await thumbnail.getAttribute("src"))!,
      new RegExp(`/sessions/${id}/files/`),
    );
    assert.equal(await part(page, "item-name").textContent(), "photo.jpg");
    assert.equal(await part(page, "item-type").textContent(), "image/jpeg");

    assert.deepEqual(await statusesOf(page), [
      "pending",
      "opened",
      "action_started",
    ]);
    const logged = await events(page);
    assert.deepEqual(logged.slice(3).map((e) => e.type), [
      "handoff-completed",
    ]);
    assert.equal(logged[3]!.detail.result?.length, 1);
    await until("the relay stream ends", () => r.app.openStreams === 0);

    // No API key in the page, its shadow DOM, or the script it runs.
    const html = await page.content();
    const shadow = await page.evaluate<string>(
      `document.querySelector("handoff-session").shadowRoot.innerHTML`,
    );
    const js = await (await fetch(`${r.url}/element.js`)).text();
    for (const text of [html, shadow, js]) {
      assert.ok(!text.includes(r.apiKey), "the API key reached the browser");
    }
    assert.deepEqual(r.pageErrors, []);
  },
);

browserTest(
  "<handoff-session> says when the session expired and fires handoff-expired",
  async () => {
    await using r = await rig({ sessionTtl: "2s" });
    await createSession(r);
    const { page } = r;
    await part(page, "status").filter({ hasText: "Scan the code" }).waitFor();
    await page.locator('handoff-session[state="expired"]').waitFor({
      timeout: 15_000,
    });
    assert.equal(
      await part(page, "status").textContent(),
      "This session has expired",
    );
    assert.equal(await part(page, "qr").isVisible(), false);
    assert.equal(await part(page, "link").isVisible(), false);
    assert.equal(await page.locator("#again").isVisible(), true);
    const logged = await events(page);
    assert.deepEqual(logged.map((e) => e.type), [
      "handoff-status",
      "handoff-expired",
    ]);
    assert.equal(logged[0]!.detail.status, "pending");
    await until("the relay stream ends", () => r.app.openStreams === 0);
    assert.deepEqual(r.pageErrors, []);
  },
);

browserTest(
  "<handoff-session> resumes a dropped relay connection without repeating or missing a status",
  async () => {
    await using r = await rig({ retryMs: 800 });
    const id = await createSession(r);
    const { page } = r;
    await part(page, "status").filter({ hasText: "Scan the code" }).waitFor();
    await until("the relay is open", () => r.app.openStreams === 1);

    r.app.dropStreams();
    await r.stub.phone.open(id); // opened, action_started: while it is down
    await part(page, "status").filter({ hasText: "In progress" }).waitFor();
    const requests = r.app.relayRequests.filter((q) => q.sessionId === id);
    assert.ok(requests.length >= 2, "the element reconnected");
    assert.equal(requests[0]!.lastEventId, null);
    assert.equal(
      requests[1]!.lastEventId,
      `${id}:0`,
      "it resumed after pending",
    );

    r.app.dropStreams();
    await r.stub.phone.complete(id); // completed while it is down again
    await page.locator('handoff-session[state="done"]').waitFor();
    assert.equal(
      r.app.relayRequests.filter((q) => q.sessionId === id).at(-1)!
        .lastEventId,
      `${id}:2`,
    );
    assert.deepEqual(await statusesOf(page), [
      "pending",
      "opened",
      "action_started",
    ]);
    const logged = await events(page);
    assert.deepEqual(logged.map((e) => e.type), [
      "handoff-status",
      "handoff-status",
      "handoff-status",
      "handoff-completed",
    ]);
    await part(page, "thumbnail").waitFor();
    await until("the relay stream ends", () => r.app.openStreams === 0);
    assert.deepEqual(r.pageErrors, []);
  },
);

browserTest(
  "<handoff-session> closes its connection when removed, reconnects when src changes, and shows a relay that fails",
  async () => {
    await using r = await rig();
    const id = await createSession(r);
    const { page } = r;
    await part(page, "status").filter({ hasText: "Scan the code" }).waitFor();
    await until("the relay is open", () => r.app.openStreams === 1);

    // A new src: the old stream ends, a new one opens.
    const count = r.app.relayRequests.length;
    await element(page).evaluate(
      (el, src) => el.setAttribute("src", src),
      `/sessions/${id}/events?again`,
    );
    await until("it reconnected", () => r.app.relayRequests.length > count);
    await part(page, "qr").waitFor();
    await until("one stream is open", () => r.app.openStreams === 1);

    // Removed: the relay sees the stream end.
    await page.evaluate(`(() => {
      globalThis.kept = document.querySelector("handoff-session");
      globalThis.kept.remove();
    })()`);
    await until("the stream ended", () => r.app.openStreams === 0);
    // Put back: it connects again.
    await page.evaluate("document.body.append(globalThis.kept)");
    await until("the stream reopened", () => r.app.openStreams === 1);

    // A relay that is not there: the element says so and fires handoff-error.
    await page.evaluate(`(() => {
      const other = document.createElement("handoff-session");
      other.id = "broken";
      other.setAttribute(
        "src",
        "/sessions/00000000-0000-0000-0000-000000000000/events",
      );
      document.body.append(other);
    })()`);
    await page.locator('#broken[state="error"]').waitFor();
    assert.equal(
      await page.locator('#broken [part="error"]').textContent(),
      "Updates are unavailable",
    );
    const errors = (await events(page)).filter((e) =>
      e.type === "handoff-error"
    );
    assert.deepEqual(errors.map((e) => e.detail.name), [
      "RelayConnectionError",
    ]);

    // Dark mode: the colours follow prefers-color-scheme.
    const color = () =>
      part(page, "status").first().evaluate((el) =>
        (globalThis as unknown as {
          getComputedStyle(el: unknown): { color: string };
        }).getComputedStyle(el).color
      );
    await page.emulateMedia({ colorScheme: "light" });
    const light = await color();
    await page.emulateMedia({ colorScheme: "dark" });
    assert.notEqual(await color(), light);

    await element(page).first().evaluate((el) => el.remove());
    await until("the stream ended", () => r.app.openStreams === 0);
    // The 404 of the broken relay is logged by the browser; nothing else.
    assert.deepEqual(
      r.pageErrors.filter((e) => !e.includes("404")),
      [],
    );
  },
);

browserTest(
  "<handoff-session> shows each status once when a relay replays everything on every reconnect",
  async () => {
    // A relay of the app's own making that ignores Last-Event-ID and ends
    // each stream after the statuses: the element must still show pending
    // and opened once each, however often it reconnects.
    const body = [
      "retry: 50",
      "",
      "event: session",
      `data: ${
        JSON.stringify({
          id: "s1",
          url: "https://handoff.example/s/s1",
          actionType: "photo",
          expiresAt: new Date(Date.now() + 600_000).toISOString(),
          status: "pending",
        })
      }`,
      "",
      ...["pending", "opened"].flatMap((status, rank) => [
        `id: s1:${rank}`,
        "event: status",
        `data: ${
          JSON.stringify({
            sessionId: "s1",
            status,
            timestamp: new Date().toISOString(),
          })
        }`,
        "",
      ]),
      "",
    ].join("\n");
    const elementScript = await (script ??= bundleElement());
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.addInitScript(EVENT_LOG);
      let streams = 0;
      await page.route("http://app.test/**", (route) => {
        const path = new URL(route.request().url()).pathname;
        if (path === "/events") {
          streams++;
          return route.fulfill({ contentType: "text/event-stream", body });
        }
        if (path === "/element.js") {
          return route.fulfill({
            contentType: "text/javascript",
            body: elementScript,
          });
        }
        return route.fulfill({
          contentType: "text/html",
          body:
            `<!doctype html><script type="module" src="/element.js"></script>
<handoff-session src="/events"></handoff-session>`,
        });
      });
      await page.goto("http://app.test/");
      await until("it reconnected three times", () => streams >= 4);
      await part(page, "status").filter({ hasText: "Opened on the phone" })
        .waitFor();
      assert.deepEqual(await statusesOf(page), ["pending", "opened"]);
      await page.close();
    } finally {
      await browser.close();
    }
  },
);
