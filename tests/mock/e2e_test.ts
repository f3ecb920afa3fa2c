// Copyright 2026 the handoff authors. MIT license.
// End-to-end tests of the dashboard in headless Chromium (Debian's
// `chromium`, driven by `playwright-core`): the real page, the real stub
// phone pages, the real EventSource.
//
// Under the test task they run in a child `deno test --allow-all` (see
// ../_browser_suite.ts). Directly:
// HANDOFF_BROWSER_INNER=1 deno test -A tests/mock/e2e_test.ts

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Browser, BrowserContext, Page, Route } from "playwright-core";
import { sampleJpeg, samplePng } from "../../testing.ts";
import { launchChromium, waitForImages } from "../../mock/browser.ts";
import { browserSuite, browserTest } from "../_browser_suite.ts";
import {
  type Dashboard,
  type DashboardOptions,
  startDashboard,
} from "../../mock/dashboard.ts";

browserSuite(
  import.meta.url,
  "the dashboard works end to end in headless Chromium",
);

/** A dashboard, a browser and the dashboard's page; closed by dispose. */
interface Rig extends AsyncDisposable {
  dashboard: Dashboard;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  pageErrors: Error[];
  consoleErrors: string[];
  /** What the relay route received, in order. */
  relayRequests: RelayRequest[];
}

type RelayRequest = Parameters<
  NonNullable<DashboardOptions["onRelayRequest"]>
>[0];

async function rig(
  options: Pick<DashboardOptions, "retryMs" | "client" | "requireToken"> = {},
): Promise<Rig> {
  const relayRequests: RelayRequest[] = [];
  const dashboard = await startDashboard({
    port: 0,
    ...options,
    onRelayRequest: (request) => relayRequests.push(request),
  });
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    await dashboard.close();
    throw error;
  }
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  const pageErrors: Error[] = [];
  const consoleErrors: string[] = [];
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(error));
  page.on("console", (message) => {
    if (message.type() === "error") {
      consoleErrors.push(`${message.text()} (${message.location().url})`);
    }
  });
  await page.goto(dashboard.url);
  await page.locator('#live[data-state="live"]').waitFor();
  return {
    dashboard,
    browser,
    context,
    page,
    pageErrors,
    consoleErrors,
    relayRequests,
    async [Symbol.asyncDispose]() {
      await browser.close();
      await dashboard.close();
    },
  };
}

function statusBadge(page: Page, status: string) {
  return page.locator(`.session .badge.status[data-status="${status}"]`);
}

async function timelineStatuses(page: Page): Promise<string[]> {
  return await page.locator(".session .timeline li[data-status]").evaluateAll(
    (items) => items.map((item) => item.getAttribute("data-status") ?? ""),
  );
}

/** The ids of the status events the card received, in order. */
async function heard(page: Page): Promise<string[]> {
  const text = await page.locator(".session").getAttribute("data-heard");
  return text ? text.split(" ") : [];
}

/** Wait until every preview image on the page has loaded; returns how many. */
async function loadedPreviews(page: Page, count: number): Promise<number> {
  await waitForImages(page, ".session img.preview", count);
  return await page.locator(".session img.preview").count();
}

async function phoneLink(page: Page): Promise<string> {
  const href = await page.locator(".session .phone-link").first()
    .getAttribute("href");
  assert.ok(href, "the card links to the phone page");
  return href;
}

/** The (only) card's phone link is there but leads nowhere. */
async function assertPhoneLinkDisabled(page: Page): Promise<void> {
  const link = page.locator(".session .phone-link");
  assert.equal(await link.isVisible(), true, "the card keeps its shape");
  assert.equal(await link.getAttribute("href"), null, "no link");
  assert.equal(await link.getAttribute("aria-disabled"), "true");
  assert.equal(await link.textContent(), "Open phone page");
}

// The texts of the create form that do not fit: labels and legends wider
// than their box, and select choices wider than their select leaves for
// text (its padding and arrow aside), measured in the select's font.
const CUT_TEXTS = `(() => {
  const form = document.querySelector("#create-form");
  const cut = [];
  for (const node of form.querySelectorAll("label, legend")) {
    if (node.offsetParent === null) continue;
    if (node.scrollWidth > node.clientWidth) cut.push(node.textContent.trim());
  }
  const ctx = document.createElement("canvas").getContext("2d");
  for (const select of form.querySelectorAll("select")) {
    if (select.offsetParent === null) continue;
    const style = getComputedStyle(select);
    ctx.font = style.font;
    const room = select.clientWidth - parseFloat(style.paddingLeft) -
      parseFloat(style.paddingRight) - 20;
    for (const option of select.options) {
      if (ctx.measureText(option.text).width > room) cut.push(option.text);
    }
  }
  return cut;
})()`;

/** The id of the (only) session on the page. */
async function sessionId(page: Page): Promise<string> {
  const id = await page.locator(".session").getAttribute("data-session-id");
  assert.ok(id, "the card names its session");
  return id;
}

/** Poll a server-side condition (the dashboard runs in this process). */
async function until(ok: () => boolean, what: string): Promise<void> {
  for (let i = 0; !ok(); i++) {
    assert.ok(i < 400, `never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function jpegFile(name: string) {
  return { name, mimeType: "image/jpeg", buffer: Buffer.from(sampleJpeg()) };
}

async function createPhoto(page: Page, intro = ""): Promise<void> {
  await page.check('input[name="action"][value="photo"]');
  await page.selectOption("#outputFormat", "jpg");
  await page.fill("#intro", intro);
  await page.click("#create-button");
  await page.locator('.session .badge.conn[data-connection="websocket"]')
    .waitFor();
}

browserTest(
  "a photo session completed on the stub's phone page shows every status in order, the photo, and no error after the relay's 204",
  async () => {
    await using r = await rig({ retryMs: 300 });
    const { page, context, dashboard } = r;

    const intro = 'Your ID, please <img src=x onerror="window.pwned=1">';
    await page.check('input[name="action"][value="photo"]');
    await page.selectOption("#outputFormat", "jpg");
    await page.fill("#intro", intro);
    await page.fill("#sessionTtl", "10m");
    await page.click("#create-button");

    const card = page.locator(".session");
    await statusBadge(page, "pending").waitFor();
    await card.locator('.badge.conn[data-connection="websocket"]').waitFor();
    const id = await sessionId(page);
    assert.deepEqual(dashboard.stats().relaysBySession, { [id]: 1 });
    assert.equal(await card.locator(".kind").textContent(), "Photo · JPG");
    assert.equal(await card.locator(".intro").textContent(), intro);
    assert.equal(
      await card.locator(".intro *").count(),
      0,
      "the intro is text",
    );
    assert.match(
      (await card.locator(".qr").getAttribute("src"))!,
      /^data:image\/png;base64,/,
    );
    const href = await phoneLink(page);
    assert.ok(href.startsWith(`${dashboard.stub!.baseUrl}/s/`));
    assert.equal(await card.locator(".url").inputValue(), href);
    assert.match(
      (await card.locator(".time-left").textContent())!,
      /^\d+:\d\d$/,
    );

    const phone = await context.newPage();
    await phone.goto(href); // the intro page
    await statusBadge(page, "opened").waitFor();
    assert.deepEqual(await timelineStatuses(page), ["pending", "opened"]);
    await phone.click("text=Continue"); // the action page
    await statusBadge(page, "action_started").waitFor();
    assert.deepEqual(await timelineStatuses(page), [
      "pending",
      "opened",
      "action_started",
    ]);
    await phone.setInputFiles("#file", jpegFile("photo.jpg"));
    // After the final event the relay stream ends; EventSource reconnects
    // (with Last-Event-ID <id>:3) and is answered 204, which stops it.
    const stopped = page.waitForResponse((response) =>
      response.url().includes(`/api/sessions/${id}/events`) &&
      response.status() === 204
    );
    await phone.click("#submit");
    await phone.locator("text=Thank you").waitFor();

    await statusBadge(page, "completed").waitFor();
    assert.deepEqual(await timelineStatuses(page), [
      "pending",
      "opened",
      "action_started",
      "completed",
    ]);
    assert.deepEqual(await heard(page), [`${id}:1`, `${id}:2`, `${id}:3`]);
    assert.equal(await loadedPreviews(page, 1), 1);
    const src = await card.locator("img.preview").getAttribute("src");
    assert.match(src!, /^\/api\/downloads\/[0-9a-f-]{36}$/);
    assert.equal(
      await card.locator("a", { hasText: "Download" }).getAttribute("href"),
      `${src}?download=1`,
    );
    await card.locator(".time-left", { hasText: "more" }).waitFor();

    const noContent = await stopped;
    assert.equal(
      await noContent.request().headerValue("last-event-id"),
      `${id}:3`,
    );
    assert.deepEqual(r.relayRequests.map((q) => q.header), [null, `${id}:3`]);
    await until(() => dashboard.stats().relays === 0, "the relay ended");
    assert.equal(await card.getAttribute("data-stream"), "done");
    assert.equal(await card.locator(".badge.stream").isVisible(), false);
    assert.equal(await card.locator(".session-error").isVisible(), false);
    assert.equal(
      await card.locator(".badge.conn").getAttribute("data-connection"),
      "closed",
      "a finished session's link is released",
    );
    assert.equal(
      await card.locator(".badge.conn").textContent(),
      "Session finished",
      "said as the end it is, not as a fault",
    );
    await assertPhoneLinkDisabled(page);
    assert.equal(
      await page.locator("#live").getAttribute("data-state"),
      "live",
    );
    await statusBadge(page, "completed").waitFor();
    assert.equal(await page.evaluate("window.pwned"), undefined);
    assert.deepEqual(r.pageErrors, []);
    assert.deepEqual(r.consoleErrors, [], "no CSP violation or failed load");
  },
);

browserTest(
  "a multi-document scan in images mode shows every document and page",
  async () => {
    await using r = await rig();
    const { page, context } = r;

    await page.check('input[name="action"][value="scan"]');
    assert.equal(await page.locator("#outputFormat").isVisible(), false);
    await page.selectOption("#documentMode", "multi");
    await page.selectOption("#scanOutputFormat", "images");
    await page.click("#create-button");
    await page.locator('.session .badge.conn[data-connection="websocket"]')
      .waitFor();
    assert.equal(
      await page.locator(".session .kind").textContent(),
      "Scan · several documents · images",
    );

    const phone = await context.newPage();
    await phone.goto(await phoneLink(page)); // no intro: straight to the action
    await statusBadge(page, "action_started").waitFor();
    // The stub's scan page as the real one: each picture is cropped and
    // accepted, then the pages are reviewed and sent (testing.ts lists the
    // test ids).
    await phone.setInputFiles("#file", [jpegFile("p1.jpg"), {
      name: "p2.png",
      mimeType: "image/png",
      buffer: Buffer.from(samplePng()),
    }]);
    const pages = phone.getByTestId("scan-page");
    for (let n = 0; n < 2; n++) { // the pictures are cropped one by one
      await phone.getByTestId("scan-crop").waitFor();
      await phone.getByTestId("scan-accept").click();
    }
    await pages.nth(1).waitFor();
    await phone.getByTestId("scan-next-document").click();
    await phone.setInputFiles("#file", jpegFile("p3.jpg"));
    await phone.getByTestId("scan-crop").waitFor();
    await phone.getByTestId("scan-accept").click();
    await pages.nth(2).waitFor();
    await phone.getByTestId("scan-review").click();
    await phone.getByTestId("scan-upload").click();
    await phone.locator("text=Thank you").waitFor();

    await statusBadge(page, "completed").waitFor();
    const documents = page.locator(".session .document");
    assert.equal(await documents.count(), 2);
    assert.equal(
      await documents.nth(0).locator("h5").textContent(),
      "Document 1 · 2 pages",
    );
    assert.equal(
      await documents.nth(1).locator("h5").textContent(),
      "Document 2 · 1 page",
    );
    assert.equal(await documents.nth(0).locator("img.preview").count(), 2);
    assert.equal(await loadedPreviews(page, 3), 3);
    assert.deepEqual(r.pageErrors, []);
    assert.deepEqual(r.consoleErrors, [], "no CSP violation or failed load");
  },
);

browserTest("an expired session shows as expired, with no error", async () => {
  await using r = await rig({
    retryMs: 300,
    client: { reconnect: { initialDelayMs: 10, maxDelayMs: 20 } },
  });
  const { page, dashboard } = r;
  await createPhoto(page);
  const id = await sessionId(page);
  dashboard.stub!.expire(id);
  dashboard.stub!.faults.dropWebSockets({ closeFrame: true }); // the client asks again

  await statusBadge(page, "expired").waitFor();
  const card = page.locator(".session");
  assert.deepEqual(await timelineStatuses(page), ["pending", "expired"]);
  assert.deepEqual(await heard(page), [`${id}:4`]);
  assert.equal(await card.locator(".time-label").textContent(), "Expired");
  assert.equal(
    await card.locator(".steps").getAttribute("data-expired"),
    "true",
  );
  await until(() => dashboard.stats().relays === 0, "the relay ended");
  assert.equal(await card.getAttribute("data-stream"), "done");
  assert.equal(await card.locator(".badge.stream").isVisible(), false);
  assert.equal(await card.locator(".session-error").isVisible(), false);
  assert.equal(
    await card.locator(".badge.conn").textContent(),
    "Session finished",
  );
  await assertPhoneLinkDisabled(page);
  assert.deepEqual(r.pageErrors, []);
});

browserTest(
  "a session that fails for good shows the relay's error and stops listening",
  async () => {
    await using r = await rig({
      retryMs: 200,
      client: { reconnect: { initialDelayMs: 10, maxDelayMs: 20 } },
    });
    const { page, dashboard } = r;
    await createPhoto(page);
    const id = await sessionId(page);
    let requests = 0;
    page.on("request", (request) => {
      if (request.url().includes(`/api/sessions/${id}/events`)) requests++;
    });
    await dashboard.stub!.faults.restart({ keepState: false }); // it forgets

    const error = page.locator(".session .session-error");
    await error.waitFor();
    assert.match((await error.textContent())!, /^NotFoundError: /);
    assert.equal(
      (await error.textContent())!.includes(dashboard.stub!.apiKey),
      false,
    );
    await until(() => dashboard.stats().relays === 0, "the relay ended");
    // The relay would send the same error on every reconnect: the page
    // closed its EventSource instead (it would retry after 200 ms).
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(requests, 0, "no reconnect");
    assert.equal(dashboard.stats().relays, 0);
    assert.deepEqual(r.pageErrors, []);
  },
);

browserTest(
  "removing a card closes its relay connection before the session is deleted",
  async () => {
    await using r = await rig();
    const { page, dashboard } = r;
    await createPhoto(page);
    const id = await sessionId(page);
    assert.deepEqual(dashboard.stats().relaysBySession, { [id]: 1 });

    // Hold the DELETE: whatever ends the relay stream meanwhile is the page.
    const held = Promise.withResolvers<Route>();
    await page.route(`**/api/sessions/${id}`, (route) => {
      if (route.request().method() === "DELETE") held.resolve(route);
      else route.continue();
    });
    await page.click(".session .remove");
    const route = await held.promise;
    await until(
      () => dashboard.stats().relays === 0,
      "the relay stream ended on the server",
    );
    assert.equal(dashboard.stats().sessions, 1, "not deleted yet");
    await route.continue();

    await page.locator(".session").waitFor({ state: "detached" });
    await until(() => dashboard.stats().sessions === 0, "the session is gone");
    assert.equal(await page.locator("#empty").isVisible(), true);
    assert.equal(dashboard.stats().relays, 0);
    assert.deepEqual(r.pageErrors, []);
  },
);

browserTest(
  "a dropped relay connection resumes with Last-Event-ID, missing and repeating no status, and a reload shows the whole timeline",
  async () => {
    await using r = await rig({ retryMs: 300 });
    const { page, context, dashboard } = r;
    await createPhoto(page, "Stop at the intro");
    const id = await sessionId(page);
    const phone = await context.newPage();
    await phone.goto(await phoneLink(page));
    await statusBadge(page, "opened").waitFor();
    assert.deepEqual(await heard(page), [`${id}:1`]);

    // Drop the stream and hold the browser's reconnect while the phone
    // moves on, so what happens meanwhile can only come by replay.
    const reconnects: Route[] = [];
    const reconnected = Promise.withResolvers<void>();
    await page.route(/\/api\/sessions\/[^/]+\/events/, (route) => {
      reconnects.push(route);
      reconnected.resolve();
    });
    assert.equal(dashboard.disconnectStreams(), 1);
    await page.locator('.session .badge.stream[data-stream="reconnecting"]')
      .waitFor();
    assert.equal(
      await page.locator("#live").getAttribute("data-state"),
      "reconnecting",
    );
    await reconnected.promise;
    await phone.click("text=Continue");
    await until(
      () => dashboard.stub!.session(id)!.status === "action_started",
      "the phone started",
    );
    assert.equal(
      await page.locator(".session .badge.status").getAttribute("data-status"),
      "opened",
      "missed while away",
    );
    assert.equal(reconnects.length, 1);
    await reconnects[0]!.continue();
    await page.unroute(/\/api\/sessions\/[^/]+\/events/);
    assert.equal((await reconnects[0]!.request().response())?.status(), 200);
    // The route heard where the browser was: the first stream asked from
    // pending (the query), the reconnect sent the id of `opened`.
    assert.deepEqual(r.relayRequests, [
      { sessionId: id, header: null, query: `${id}:0` },
      { sessionId: id, header: `${id}:1`, query: `${id}:0` },
    ]);

    await statusBadge(page, "action_started").waitFor();
    await page.locator(".session .badge.stream").waitFor({ state: "hidden" });
    assert.equal(
      await page.locator("#live").getAttribute("data-state"),
      "live",
    );
    await phone.setInputFiles("#file", jpegFile("photo.jpg"));
    await phone.click("#submit");
    await statusBadge(page, "completed").waitFor();
    assert.deepEqual(await heard(page), [`${id}:1`, `${id}:2`, `${id}:3`]);
    assert.deepEqual(await timelineStatuses(page), [
      "pending",
      "opened",
      "action_started",
      "completed",
    ]);
    assert.equal(await loadedPreviews(page, 1), 1);

    // A reload after the fact: the list, then the relay replays it all.
    await page.reload();
    await statusBadge(page, "completed").waitFor();
    assert.deepEqual(await timelineStatuses(page), [
      "pending",
      "opened",
      "action_started",
      "completed",
    ]);
    assert.deepEqual(await heard(page), [`${id}:1`, `${id}:2`, `${id}:3`]);
    assert.equal(await loadedPreviews(page, 1), 1);
    assert.deepEqual(r.pageErrors, []);
  },
);

browserTest(
  "a dashboard that needs a token: the start-up URL signs the browser in, the token leaves the address bar, and the page, its streams and files work on the cookie",
  async () => {
    await using r = await rig({ requireToken: true });
    const { page, context, dashboard } = r;
    assert.equal(page.url(), new URL("/", dashboard.url).href, "no token");
    const [cookie] = await context.cookies();
    assert.equal(cookie?.value, dashboard.token);
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, "Strict");
    assert.equal(await page.evaluate("document.cookie"), "");

    await createPhoto(page);
    const phone = await context.newPage();
    await phone.goto(await phoneLink(page)); // the stub's page needs no token
    await phone.setInputFiles("#file", jpegFile("photo.jpg"));
    await phone.click("#submit");
    await statusBadge(page, "completed").waitFor();
    assert.equal(await loadedPreviews(page, 1), 1);

    // Another browser, without the cookie, gets nothing.
    const stranger = await r.browser.newContext();
    const answer = await stranger.request.get(new URL("/", dashboard.url).href);
    assert.equal(answer.status(), 401);
    await stranger.close();
    assert.deepEqual(r.pageErrors, []);
    assert.deepEqual(r.consoleErrors, [], "no failed load");
  },
);

browserTest(
  "the create form shows its labels and choices in full, and a scan's PDF shows its first page and page count",
  async () => {
    await using r = await rig();
    const { page, dashboard } = r;
    for (const action of ["photo", "signature", "scan"]) {
      await page.check(`input[name="action"][value="${action}"]`);
      assert.deepEqual(
        await page.evaluate<string[]>(CUT_TEXTS),
        [],
        `${action}: nothing cut`,
      );
    }
    // The measure bites: squeezed into two columns, the scan's choices are
    // cut again.
    await page.evaluate(
      `document.querySelector(".row.stack").style.gridTemplateColumns = "1fr 1fr"`,
    );
    assert.ok(
      (await page.evaluate<string[]>(CUT_TEXTS)).includes("Several documents"),
    );
    await page.evaluate(
      `document.querySelector(".row.stack").style.gridTemplateColumns = ""`,
    );

    await page.selectOption("#documentMode", "single");
    await page.selectOption("#scanOutputFormat", "pdf");
    await page.click("#create-button");
    await page.locator('.session .badge.conn[data-connection="websocket"]')
      .waitFor();
    const id = await sessionId(page);
    const phone = dashboard.stub!.phone;
    await phone.open(id);
    await phone.start(id);
    await phone.uploadPage(id, {
      data: sampleJpeg(),
      documentIndex: 0,
      pageIndex: 0,
    });
    await phone.uploadPage(id, {
      data: samplePng(),
      documentIndex: 0,
      pageIndex: 1,
    });
    await phone.finalize(id);

    await statusBadge(page, "completed").waitFor();
    const file = page.locator(".session .document .file");
    await file.locator(".page-count", { hasText: "2 pages" }).waitFor();
    assert.equal(
      await file.locator(".page-count").textContent(),
      "PDF · 2 pages",
    );
    assert.equal(await file.getAttribute("data-pages"), "2");
    // The frame has the first page's shape, and the viewer fits the page.
    const frame = file.locator("iframe.pdf");
    assert.match((await frame.getAttribute("src"))!, /#page=1&view=Fit/);
    const box = (await frame.boundingBox())!;
    const { width, height } = await (await fetch(
      new URL(
        `${(await frame.getAttribute("src"))!.split("#")[0]}/pages`,
        dashboard.url,
      ),
    )).json();
    assert.ok(
      Math.abs(box.width / box.height - width / height) < 0.05,
      `the frame (${box.width}×${box.height}) is shaped as the page (${width}×${height})`,
    );
    assert.equal(
      await page.locator(".session .badge.conn").textContent(),
      "Session finished",
    );
    await assertPhoneLinkDisabled(page);
    assert.deepEqual(r.pageErrors, []);
    assert.deepEqual(r.consoleErrors, [], "no CSP violation or failed load");
  },
);
