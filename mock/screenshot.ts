// Copyright 2026 the handoff authors. MIT license.
/**
 * Regenerates the dashboard's screenshot (`docs/dashboard.png`): starts the
 * dashboard with its embedded stub, creates a scan session and a photo
 * session through the page, completes the photo through the stub's real
 * phone page in a second tab, and photographs the dashboard.
 *
 *     deno run --allow-all mock/screenshot.ts [--out docs/dashboard.png] [--width 1280] [--height 800] [--full-page]
 *
 * Needs Debian's Chromium (`apt-get install -y chromium`).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { parseArgs } from "node:util";
import type { Page } from "playwright-core";
import { launchChromium, waitForImages } from "./browser.ts";
import { startDashboard } from "./dashboard.ts";

// Draws a made-up ID card on a canvas in the page and returns a JPEG data
// URL (a string, because this module has no DOM types).
const ID_CARD_SCRIPT = `(() => {
  const canvas = document.createElement("canvas");
  canvas.width = 640;
  canvas.height = 400;
  const ctx = canvas.getContext("2d");
  const bg = ctx.createLinearGradient(0, 0, 640, 400);
  bg.addColorStop(0, "#3a4a63");
  bg.addColorStop(1, "#1f2838");
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, 640, 400);
  ctx.translate(320, 200);
  ctx.rotate(-0.04);
  const card = ctx.createLinearGradient(-250, -150, 250, 150);
  card.addColorStop(0, "#e9f1fb");
  card.addColorStop(1, "#c9dcf3");
  ctx.fillStyle = card;
  ctx.beginPath();
  ctx.roundRect(-250, -155, 500, 310, 22);
  ctx.fill();
  ctx.fillStyle = "#2457d6";
  ctx.beginPath();
  ctx.roundRect(-250, -155, 500, 56, [22, 22, 0, 0]);
  ctx.fill();
  ctx.fillStyle = "#fff";
  ctx.font = "bold 26px sans-serif";
  ctx.fillText("IDENTITY CARD", -220, -116);
  ctx.fillStyle = "#9fb3cf";
  ctx.beginPath();
  ctx.roundRect(-220, -75, 130, 160, 12);
  ctx.fill();
  ctx.fillStyle = "#6d84a6";
  ctx.beginPath();
  ctx.arc(-155, -20, 34, 0, Math.PI * 2);
  ctx.fill();
  ctx.beginPath();
  ctx.ellipse(-155, 68, 52, 44, 0, Math.PI, 0);
  ctx.fill();
  ctx.fillStyle = "#1d2a40";
  ctx.font = "bold 28px sans-serif";
  ctx.fillText("Jane Example", -65, -45);
  ctx.font = "19px sans-serif";
  ctx.fillStyle = "#44536d";
  ["Born 12.04.1990", "No. X1234567", "Valid until 2031"]
    .forEach((line, i) => ctx.fillText(line, -65, -5 + i * 32));
  ctx.fillStyle = "#2457d6";
  ctx.fillRect(-220, 110, 440, 6);
  return canvas.toDataURL("image/jpeg", 0.9);
})()`;

async function idCardJpeg(page: Page): Promise<Buffer> {
  const dataUrl = await page.evaluate<string>(ID_CARD_SCRIPT);
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(",") + 1), "base64");
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
      out: { type: "string", default: "docs/dashboard.png" },
      width: { type: "string", default: "1280" },
      height: { type: "string", default: "800" },
      "full-page": { type: "boolean", default: false },
    },
    strict: true,
  });
  const out = values.out;
  const viewport = {
    width: Number(values.width),
    height: Number(values.height),
  };

  await using dashboard = await startDashboard({ port: 0 });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await page.goto(dashboard.url);
    await page.locator('#live[data-state="live"]').waitFor();

    // A multi-document scan, still waiting for the phone.
    await page.check('input[name="action"][value="scan"]');
    await page.selectOption("#documentMode", "multi");
    await page.selectOption("#scanOutputFormat", "images");
    await page.click("#create-button");
    await page.locator(".session").first().waitFor();

    // A photo, completed on the phone page.
    await page.check('input[name="action"][value="photo"]');
    await page.selectOption("#outputFormat", "jpg");
    await page.fill(
      "#intro",
      "Please take a photo of the front of your ID card.",
    );
    await page.fill("#sessionTtl", "10m");
    await page.click("#create-button");
    const card = page.locator(".session", { hasText: "Photo" });
    await card.locator(".qr[src]").waitFor();
    const phoneUrl = await card.locator(".phone-link").getAttribute("href");
    if (phoneUrl === null) {
      throw new Error("the photo session has no phone link");
    }

    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(phoneUrl);
    await phone.click("text=Continue");
    await phone.setInputFiles("#file", {
      name: "id-card.jpg",
      mimeType: "image/jpeg",
      buffer: await idCardJpeg(phone),
    });
    await phone.click("#submit");
    await phone.locator("text=Thank you").waitFor();

    await card.locator('.badge.status[data-status="completed"]').waitFor();
    await card.locator("img.preview").waitFor();
    await waitForImages(page, "img.preview", 1);
    await card.locator(".time-left", { hasText: "more" }).waitFor();
    await page.mouse.move(0, 0);
    await Deno.mkdir(new URL(".", new URL(out, `file://${Deno.cwd()}/`)), {
      recursive: true,
    });
    await page.screenshot({ path: out, fullPage: values["full-page"] });
  } finally {
    await browser.close();
  }
  return out;
}

if (import.meta.main) {
  const path = await screenshot(Deno.args);
  console.log(`Wrote ${path}`);
}
