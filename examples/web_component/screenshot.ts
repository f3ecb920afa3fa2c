// Copyright 2026 the handoff authors. MIT license.
/**
 * Regenerates the element's screenshot in the README
 * (`docs/element.png`): the example app against the stub, one session per
 * page at 360 px wide, photographed waiting for the phone, in progress on
 * the phone, and done with the photo; the three side by side.
 *
 *     deno run --allow-all examples/web_component/screenshot.ts [--out docs/element.png] [--scheme light|dark]
 *
 * Needs Debian's Chromium (`apt-get install -y chromium`).
 *
 * @module
 */

import type { Buffer } from "node:buffer";
import { parseArgs } from "node:util";
import type { Browser } from "playwright-core";
import { HandoffClient } from "@handoff/client";
import { startStubServer } from "@handoff/client/testing";
import { launchChromium } from "../../mock/browser.ts";
import { createApp } from "./app.ts";
import { bundleElement } from "./main.ts";

/** The element on a page of its own, in each state; PNGs. */
async function shots(
  browser: Browser,
  url: string,
  phone: {
    open(id: string): Promise<void>;
    complete(id: string): Promise<void>;
  },
  colorScheme: "light" | "dark",
): Promise<Buffer[]> {
  const images: Buffer[] = [];
  for (const step of ["waiting", "started", "done"] as const) {
    const context = await browser.newContext({
      viewport: { width: 360, height: 760 },
      deviceScaleFactor: 2,
      colorScheme,
    });
    const page = await context.newPage();
    await page.goto(url);
    await page.getByRole("button").click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
    const id = new URL(page.url()).pathname.split("/").at(-1)!;
    const element = page.locator("handoff-session");
    await page.locator('handoff-session [part="qr"]').waitFor();
    if (step !== "waiting") await phone.open(id);
    await page.locator(
      step === "waiting"
        ? 'handoff-session[state="waiting"]'
        : 'handoff-session[state="started"]',
    ).waitFor();
    if (step === "done") {
      await phone.complete(id);
      await page.locator('handoff-session [part="thumbnail"]').waitFor();
      await page.waitForFunction(
        `[...document.querySelector("handoff-session").shadowRoot
          .querySelectorAll("img")].every((i) => i.complete && i.naturalWidth > 0)`,
      );
    }
    images.push(await element.screenshot({ animations: "disabled" }));
    await context.close();
  }
  return images;
}

/**
 * Make the screenshot.
 *
 * @param args The command-line arguments.
 * @returns The path written.
 */
export async function screenshot(args: string[]): Promise<string> {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: "string", default: "docs/element.png" },
      scheme: { type: "string", default: "light" },
    },
    strict: true,
  });
  const scheme = values.scheme === "dark" ? "dark" : "light";
  const apiKey = `screenshot-${crypto.randomUUID()}`;
  await using stub = await startStubServer({ apiKeys: [apiKey] });
  await using app = createApp({
    client: new HandoffClient({ baseUrl: stub.url, apiKey }),
    elementScript: await bundleElement(),
  });
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    app.fetch,
  );
  const browser = await launchChromium();
  try {
    const images = await shots(
      browser,
      `http://127.0.0.1:${server.addr.port}`,
      stub.phone,
      scheme,
    );
    // The three side by side, top-aligned, on the page's background.
    const page = await browser.newPage({ deviceScaleFactor: 2 });
    const cells = images.map((png, i) =>
      `<figure><img style="width: ${png.readUInt32BE(16) / 2}px"
        src="data:image/png;base64,${png.toString("base64")}">
      <figcaption>${
        ["Waiting for the phone", "In progress", "Done"][i]
      }</figcaption></figure>`
    ).join("");
    await page.setContent(`<!doctype html><style>
      body { margin: 0; background: ${
      scheme === "dark" ? "#17191e" : "#f4f5f8"
    };
        font: 14px system-ui, sans-serif; color: ${
      scheme === "dark" ? "#a3a9b7" : "#5b6170"
    }; }
      main { display: flex; gap: 24px; align-items: flex-start; padding: 24px; width: max-content; }
      figure { margin: 0; text-align: center; }
      img { display: block; margin-bottom: 8px; }
    </style><main>${cells}</main>`);
    await page.locator("main").screenshot({ path: values.out });
    await page.close();
  } finally {
    await browser.close();
    app.dropStreams();
  }
  return values.out;
}

if (import.meta.main) {
  console.log(`Wrote ${await screenshot(Deno.args)}`);
}
