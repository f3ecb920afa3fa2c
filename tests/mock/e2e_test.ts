// Copyright 2026 the handoff authors. MIT license.
// End-to-end tests of the dashboard in headless Chromium (Debian's
// `chromium`, driven by `playwright-core`): the real page, the real stub
// phone pages, the real EventSource.
//
// Playwright needs --allow-all (it reads the home directory and /proc when it
// loads and writes a temporary browser profile), which the project's test
// task does not grant. So under the test task this file runs one test that
// runs the browser tests in a child `deno test --allow-all` of this same
// file (the test task's --allow-run allows that), and shows its report.
// To run them directly: HANDOFF_E2E_INNER=1 deno test -A tests/mock/e2e_test.ts
//
// HANDOFF_SKIP_BROWSER=1 skips them, saying so. Without Chromium they fail,
// saying how to install it.

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { sampleJpeg, samplePng } from "../../testing.ts";
import {
  chromiumPath,
  launchChromium,
  waitForImages,
} from "../../mock/browser.ts";
import { type Dashboard, startDashboard } from "../../mock/dashboard.ts";

const SKIP = Deno.env.get("HANDOFF_SKIP_BROWSER") === "1";
const INNER = Deno.env.get("HANDOFF_E2E_INNER") === "1";

if (SKIP && !INNER) {
  console.log(
    "Skipping the dashboard's browser tests: HANDOFF_SKIP_BROWSER=1 is set.",
  );
}

if (!INNER) {
  Deno.test({
    name: "the dashboard works end to end in headless Chromium",
    ignore: SKIP,
    async fn() {
      chromiumPath(); // fails first, with how to install it, when missing
      const file = new URL(import.meta.url).pathname;
      const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
        args: [
          "test",
          "--allow-all",
          "--sanitize-ops",
          "--sanitize-resources",
          "--no-check", // this run has checked the file
          file,
        ],
        env: { HANDOFF_E2E_INNER: "1", NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const report = new TextDecoder().decode(stdout) +
        new TextDecoder().decode(stderr);
      console.log(report.trim());
      assert.equal(code, 0, "the browser tests failed (report above)");
    },
  });
}

/** A dashboard, a browser and the dashboard's page; closed by dispose. */
interface Rig extends AsyncDisposable {
  dashboard: Dashboard;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  pageErrors: Error[];
  consoleErrors: string[];
}

async function rig(options: { retryMs?: number } = {}): Promise<Rig> {
  const dashboard = await startDashboard({ port: 0, ...options });
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
  const page = await openDashboard(
    context,
    dashboard,
    pageErrors,
    consoleErrors,
  );
  return {
    dashboard,
    browser,
    context,
    page,
    pageErrors,
    consoleErrors,
    async [Symbol.asyncDispose]() {
      await browser.close();
      await dashboard.close();
    },
  };
}

/** Open the dashboard in a new tab, collecting its errors. */
async function openDashboard(
  context: BrowserContext,
  dashboard: Dashboard,
  pageErrors: Error[],
  consoleErrors: string[],
): Promise<Page> {
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(error));
  page.on("console", (message) => {
    if (message.type() === "error") {
      consoleErrors.push(`${message.text()} (${message.location().url})`);
    }
  });
  await page.goto(dashboard.url);
  await page.locator('#live[data-state="live"]').waitFor();
  return page;
}

function statusBadge(page: Page, status: string) {
  return page.locator(`.session .badge.status[data-status="${status}"]`);
}

async function timelineStatuses(page: Page): Promise<string[]> {
  return await page.locator(".session .timeline li[data-status]").evaluateAll(
    (items) => items.map((item) => item.getAttribute("data-status") ?? ""),
  );
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

function jpegFile(name: string) {
  return { name, mimeType: "image/jpeg", buffer: Buffer.from(sampleJpeg()) };
}

// The browser tests proper: registered only in the child run.
const browserTest = (name: string, fn: () => Promise<void>) => {
  if (INNER) Deno.test({ name, ignore: SKIP, fn });
};

browserTest(
  "a photo session completed on the stub's phone page shows every status and the photo",
  async () => {
    await using r = await rig();
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
    await phone.click("text=Continue"); // the action page
    await statusBadge(page, "action_started").waitFor();
    await phone.setInputFiles("#file", jpegFile("photo.jpg"));
    await phone.click("#submit");
    await phone.locator("text=Thank you").waitFor();

    await statusBadge(page, "completed").waitFor();
    assert.deepEqual(await timelineStatuses(page), [
      "pending",
      "opened",
      "action_started",
      "completed",
    ]);
    assert.equal(await loadedPreviews(page, 1), 1);
    const src = await card.locator("img.preview").getAttribute("src");
    assert.match(src!, /^\/api\/downloads\/[0-9a-f-]{36}$/);
    assert.equal(
      await card.locator("a", { hasText: "Download" }).getAttribute("href"),
      `${src}?download=1`,
    );
    await card.locator(".time-left", { hasText: "more" }).waitFor();
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
    await phone.setInputFiles("#file", [jpegFile("p1.jpg"), {
      name: "p2.png",
      mimeType: "image/png",
      buffer: Buffer.from(samplePng()),
    }]);
    await phone.locator("#pages li").nth(1).waitFor();
    await phone.click("#next");
    await phone.setInputFiles("#file", jpegFile("p3.jpg"));
    await phone.locator("#pages li").nth(2).waitFor();
    await phone.click("#finish");
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

browserTest(
  "a reloaded page and a second tab show the same sessions, and the stream resumes",
  async () => {
    await using r = await rig({ retryMs: 300 });
    const { page, context, dashboard } = r;

    await page.check('input[name="action"][value="photo"]');
    await page.selectOption("#outputFormat", "png");
    await page.fill("#intro", "Reload me");
    await page.click("#create-button");
    await page.locator('.session .badge.conn[data-connection="websocket"]')
      .waitFor();
    const phone = await context.newPage();
    await phone.goto(await phoneLink(page));
    await statusBadge(page, "opened").waitFor();

    // Mid-session reload: a fresh snapshot, and no subscription left behind.
    await page.reload();
    await page.locator('#live[data-state="live"]').waitFor();
    await statusBadge(page, "opened").waitFor();
    assert.deepEqual(await timelineStatuses(page), ["pending", "opened"]);
    assert.match(
      (await page.locator(".session .qr").getAttribute("src"))!,
      /^data:image\/png;base64,/,
    );
    const second = await openDashboard(
      context,
      dashboard,
      r.pageErrors,
      r.consoleErrors,
    );
    await statusBadge(second, "opened").waitFor();
    assert.equal(await page.locator(".session").count(), 1);
    assert.equal(await second.locator(".session").count(), 1);
    for (let i = 0; dashboard.stats().subscribers !== 2; i++) {
      assert.ok(i < 200, `subscribers: ${dashboard.stats().subscribers}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }

    // Dropped streams: both tabs reconnect with Last-Event-ID and catch up on
    // what happened meanwhile, without a new snapshot.
    const snapshots = async (p: Page) =>
      await p.evaluate("document.documentElement.dataset.snapshots");
    assert.equal(await snapshots(page), "1");
    assert.equal(await snapshots(second), "1");
    assert.equal(dashboard.disconnectStreams(), 2);
    await phone.click("text=Continue");
    await statusBadge(page, "action_started").waitFor();
    await statusBadge(second, "action_started").waitFor();

    await phone.setInputFiles("#file", {
      name: "photo.png",
      mimeType: "image/png",
      buffer: Buffer.from(samplePng()),
    });
    await phone.click("#submit");
    for (const tab of [page, second]) {
      await statusBadge(tab, "completed").waitFor();
      assert.equal(await loadedPreviews(tab, 1), 1);
      assert.deepEqual(await timelineStatuses(tab), [
        "pending",
        "opened",
        "action_started",
        "completed",
      ]);
      assert.equal(await snapshots(tab), "1", "resumed, not reloaded");
    }
    assert.deepEqual(r.pageErrors, []);
  },
);
