// Copyright 2026 the handoff authors. MIT license.
/**
 * Headless Chromium for the dashboard's browser tests and its screenshot:
 * Debian's `chromium` driven by `playwright-core` (which downloads no
 * browser of its own).
 *
 * Playwright reads the home directory and `/proc` when it loads and writes a
 * temporary browser profile, so whatever imports this module needs
 * `--allow-all`.
 *
 * @module
 */

import type { Browser, Page } from "playwright-core";

/** Where Debian installs Chromium. */
export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/** Flags for a quiet, headless Chromium in a container. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/**
 * The Chromium to use: `$CHROMIUM_PATH`, or Debian's.
 *
 * @returns The path of the executable.
 * @throws {Error} It is not there, with how to install it.
 */
export function chromiumPath(): string {
  const path = Deno.env.get("CHROMIUM_PATH") || DEFAULT_CHROMIUM;
  let found = false;
  try {
    found = Deno.statSync(path).isFile;
  } catch {
    // not there
  }
  if (!found) {
    throw new Error(
      `Chromium was not found at ${path}. Install it with \`apt-get update && apt-get install -y chromium\` (or set CHROMIUM_PATH); set HANDOFF_SKIP_BROWSER=1 to skip the browser tests.`,
    );
  }
  return path;
}

/**
 * Launch headless Chromium.
 *
 * @returns The browser; close it when done.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  const { chromium } = await import("playwright-core");
  return await chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
}

/**
 * Wait until `count` images match `selector` and every one has loaded.
 * Polls from outside the page: the dashboard's CSP (rightly) forbids the
 * in-page `eval` that Playwright's `waitForFunction` uses.
 *
 * @param page The page.
 * @param selector A CSS selector of `<img>` elements.
 * @param count How many there must be.
 * @param timeoutMs How long to wait. @default {15000}
 */
export async function waitForImages(
  page: Page,
  selector: string,
  count: number,
  timeoutMs = 15_000,
): Promise<void> {
  const check = `(() => {
    const images = [...document.querySelectorAll(${JSON.stringify(selector)})];
    return images.length === ${count} &&
      images.every((img) => img.complete && img.naturalWidth > 0);
  })()`;
  const deadline = performance.now() + timeoutMs;
  while (!(await page.evaluate<boolean>(check))) {
    if (performance.now() > deadline) {
      throw new Error(
        `${count} loaded image(s) matching ${selector} did not appear in ${timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
