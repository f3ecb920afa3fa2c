// Copyright 2026 the handoff authors. MIT license.
// Headless Chromium with a phone-sized page, for the tests that drive the
// stub's phone pages (launched by mock/browser.ts; the suite runs through
// tests/_browser_suite.ts).

import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../../mock/browser.ts";

/** A browser with one phone-sized page; closed by dispose. */
export interface BrowserRig extends AsyncDisposable {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Uncaught errors of the page's script. */
  pageErrors: Error[];
}

/** Launch headless Chromium with a phone-sized page. */
export async function launchPhone(): Promise<BrowserRig> {
  const browser = await launchChromium();
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const pageErrors: Error[] = [];
  page.on("pageerror", (error) => pageErrors.push(error));
  return {
    browser,
    context,
    page,
    pageErrors,
    async [Symbol.asyncDispose]() {
      await browser.close();
    },
  };
}
