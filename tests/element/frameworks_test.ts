// Copyright 2026 the handoff authors. MIT license.
// <handoff-session> in React 19, Vue 3 and Svelte 5 pages in headless
// Chromium: each framework sets the element's attributes and listens to its
// events its own way (tests/element/frameworks/), and each page must show
// the same: the element done with the framework's own text, the thumbnail,
// and every status and the completion heard by the framework, in order.
// The relay here is a canned event stream (the element against the real
// relay is element_test.ts).
//
// Under the test task this file runs one test that runs the browser tests in
// a child `deno test --allow-all` (see ../_browser_suite.ts). Directly:
// HANDOFF_BROWSER_INNER=1 deno test -A tests/element/frameworks_test.ts

import assert from "node:assert/strict";
import { compile } from "svelte/compiler";
import { launchChromium } from "../../mock/browser.ts";
import { sampleJpeg } from "../../testing.ts";
import { bundleElement } from "../../examples/web_component/main.ts";
import { browserSuite, browserTest } from "../_browser_suite.ts";

browserSuite(
  import.meta.url,
  "<handoff-session> works the same in React, Vue and Svelte pages",
);

const here = new URL("./frameworks/", import.meta.url);

/** The relay's whole stream for a photo session that completes. */
function relayBody(): string {
  const event = (type: string, data: unknown, id?: string) =>
    `${id === undefined ? "" : `id: ${id}\n`}event: ${type}\ndata: ${
      JSON.stringify(data)
    }\n\n`;
  const at = new Date().toISOString();
  return "retry: 1000\n\n" +
    event("session", {
      id: "s1",
      url: "https://handoff.example/s/s1",
      actionType: "photo",
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
      status: "pending",
    }) +
    ["pending", "opened", "action_started"].map((status, rank) =>
      event("status", { sessionId: "s1", status, timestamp: at }, `s1:${rank}`)
    ).join("") +
    event("completed", {
      sessionId: "s1",
      status: "completed",
      timestamp: at,
      actionType: "photo",
      result: [{
        downloadId: "d1",
        contentType: "image/jpeg",
        filename: "photo.jpg",
        href: "/files/d1",
      }],
    }, "s1:3");
}

/** The Svelte page compiled to JavaScript, beside its source. */
async function compiledSvelte(): Promise<URL> {
  const source = await Deno.readTextFile(new URL("SveltePage.svelte", here));
  const { js } = compile(source, {
    generate: "client",
    filename: "SveltePage.svelte",
  });
  const tmp = new URL("../../../.tmp/", here).pathname;
  await Deno.mkdir(tmp, { recursive: true });
  const dir = await Deno.makeTempDir({ dir: tmp });
  const component = `${dir}/SveltePage.js`;
  // The compiled code imports ../../../element.ts from the source's place.
  await Deno.writeTextFile(
    component,
    js.code.replaceAll(
      "../../../element.ts",
      new URL("../../../element.ts", here).pathname,
    ),
  );
  const entry = `${dir}/main.js`;
  await Deno.writeTextFile(
    entry,
    `import { mount } from "svelte";\nimport Page from "./SveltePage.js";\n` +
      `mount(Page, { target: document.getElementById("root") });\n`,
  );
  return new URL(`file://${entry}`);
}

async function pageWith(script: string): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    let streams = 0;
    const jpeg = sampleJpeg();
    await page.route("http://app.test/**", (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === "/events") {
        streams++;
        return route.fulfill({
          contentType: "text/event-stream",
          body: relayBody(),
        });
      }
      if (path === "/files/d1") {
        return route.fulfill({
          contentType: "image/jpeg",
          body: jpeg as never,
        });
      }
      if (path === "/app.js") {
        return route.fulfill({ contentType: "text/javascript", body: script });
      }
      return route.fulfill({
        contentType: "text/html",
        body:
          `<!doctype html><div id="root"></div><script type="module" src="/app.js"></script>`,
      });
    });
    await page.goto("http://app.test/");
    await page.locator('handoff-session[state="done"]').waitFor({
      timeout: 15_000,
    });
    await page.locator('handoff-session [part="status"]', { hasText: "Fini" })
      .waitFor();
    await page.locator('handoff-session [part="thumbnail"]').waitFor();
    await page.locator("#log", {
      hasText: "pending,opened,action_started,completed",
    }).waitFor();
    assert.equal(
      await page.locator("#log").textContent(),
      "pending,opened,action_started,completed",
      "the framework heard each event once, in order",
    );
    assert.equal(streams, 1, "one stream: it closed after the final event");
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await browser.close();
  }
}

browserTest("<handoff-session> in a React 19 page", async () => {
  await pageWith(await bundleElement(new URL("react_page.ts", here)));
});

browserTest("<handoff-session> in a Vue 3 page", async () => {
  await pageWith(await bundleElement(new URL("vue_page.ts", here)));
});

browserTest("<handoff-session> in a Svelte 5 page", async () => {
  const entry = await compiledSvelte();
  try {
    await pageWith(await bundleElement(entry));
  } finally {
    await Deno.remove(new URL(".", entry), { recursive: true });
  }
});
