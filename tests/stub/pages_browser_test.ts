// Copyright 2026 the handoff authors. MIT license.
// The stub's phone pages in headless Chromium: they submit exactly what the
// real pages submit (docs/PROTOCOL.md, "What the real phone pages submit"),
// driven through the data-testids testing.ts documents. Each test checks the
// requests the page sent and what the stub stored.
//
// Under the test task this file runs one test that runs the browser tests in
// a child `deno test --allow-all` (see ../_browser_suite.ts). Directly:
// HANDOFF_BROWSER_INNER=1 deno test -A tests/stub/pages_browser_test.ts

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Page } from "playwright-core";
import {
  sampleJpeg,
  samplePng,
  startStubServer,
  type StubServer,
} from "../../testing.ts";
import { browserSuite, browserTest } from "../_browser_suite.ts";
import { launchPhone } from "./_browser.ts";
import { createSession } from "./_helpers.ts";

browserSuite(
  import.meta.url,
  "the stub's phone pages send what the real pages send, in headless Chromium",
);

/** A request the page sent to `/s/...`, as it reached the server. */
interface Sent {
  path: string;
  contentType: string;
  body: Uint8Array<ArrayBuffer>;
  status: number;
}

/** A recording proxy in front of the stub: the page talks to `url`. */
interface Wire extends AsyncDisposable {
  url: string;
  /** The phone POSTs, in arrival order. */
  sent: Sent[];
  /** "start <route>" when a POST arrives, "end <route>" when it is answered. */
  log: string[];
}

/**
 * What the page puts on the wire, read on the server's side of the
 * connection (Chromium does not give Playwright multipart bodies with blobs).
 */
function recordingProxy(stub: StubServer): Wire {
  const sent: Sent[] = [];
  const log: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const url = new URL(req.url);
      const body = req.body === null
        ? undefined
        : new Uint8Array(await req.arrayBuffer());
      const route = url.pathname.split("/").slice(3).join("/");
      const phonePost = req.method === "POST" && url.pathname.startsWith("/s/");
      if (phonePost) log.push(`start ${route}`);
      const headers = new Headers(req.headers);
      headers.delete("host");
      const res = await fetch(stub.url + url.pathname + url.search, {
        method: req.method,
        headers,
        ...(body === undefined ? {} : { body }),
        redirect: "manual",
      });
      const answer = new Uint8Array(await res.arrayBuffer());
      if (phonePost) {
        sent.push({
          path: url.pathname,
          contentType: req.headers.get("content-type") ?? "",
          body: body ?? new Uint8Array(),
          status: res.status,
        });
        log.push(`end ${route}`);
      }
      return new Response(answer, { status: res.status, headers: res.headers });
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    sent,
    log,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

/** The JSON body of a result POST. */
function resultItems(
  sent: Sent,
): { content_type: string; filename: string; data: string }[] {
  assert.match(sent.contentType, /^application\/json/);
  return JSON.parse(new TextDecoder().decode(sent.body)).items;
}

/** The multipart body of a scan upload, parsed. */
async function uploadFields(
  sent: Sent,
): Promise<{ file: File; document: string; page: string }> {
  assert.match(sent.contentType, /^multipart\/form-data; boundary=/);
  const form = await new Response(sent.body, {
    headers: { "content-type": sent.contentType },
  }).formData();
  const file = form.get("file");
  assert.ok(file instanceof File, "a file part");
  return {
    file,
    document: String(form.get("document_index")),
    page: String(form.get("page_index")),
  };
}

function bytes(buffer: Buffer | Uint8Array): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** An image drawn in the browser: `left` on the left half, `right` on the right. */
async function drawnImage(
  page: Page,
  type: "image/jpeg" | "image/png",
  width: number,
  height: number,
  left: string,
  right = left,
): Promise<Buffer> {
  const args = JSON.stringify({ type, width, height, left, right });
  const base64 = await page.evaluate<string>(`(() => {
    const { type, width, height, left, right } = ${args};
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = left;
    ctx.fillRect(0, 0, width / 2, height);
    ctx.fillStyle = right;
    ctx.fillRect(width / 2, 0, width - width / 2, height);
    return canvas.toDataURL(type, 0.95).split(",")[1];
  })()`);
  return Buffer.from(base64, "base64");
}

/** Decode an image in the browser: its size and the colour at its centre. */
async function decoded(
  page: Page,
  data: Uint8Array,
  type: string,
): Promise<{ width: number; height: number; centre: number[] }> {
  const args = JSON.stringify({
    base64: Buffer.from(data).toString("base64"),
    type,
  });
  return await page.evaluate(`(async () => {
    const { base64, type } = ${args};
    const raw = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([raw], { type }));
    const canvas = document.createElement("canvas");
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(bitmap, 0, 0);
    const x = Math.floor(bitmap.width / 2), y = Math.floor(bitmap.height / 2);
    const centre = Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3));
    return { width: bitmap.width, height: bitmap.height, centre };
  })()`);
}

/** An expression of the element a test id names (`el`), read in the page. */
async function property<T>(
  page: Page,
  testId: string,
  expression: string,
): Promise<T> {
  return await page.evaluate<T>(
    `(() => { const el = document.querySelector('[data-testid="${testId}"]'); return ${expression}; })()`,
  );
}

/** Whether `rgb` is within `tolerance` of `want` on every channel. */
function near(rgb: number[], want: number[], tolerance = 40): boolean {
  return rgb.every((c, i) => Math.abs(c - (want[i] ?? 0)) <= tolerance);
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const isPng = (data: Uint8Array) => PNG_MAGIC.every((b, i) => data[i] === b);
const isJpeg = (data: Uint8Array) =>
  data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff;
const isPdf = (data: Uint8Array) =>
  new TextDecoder().decode(data.subarray(0, 5)) === "%PDF-";

async function phoneOf(
  stub: StubServer,
  body: Record<string, unknown>,
): Promise<string> {
  return (await createSession(stub, body)).id;
}

// ------------------------------------------------------------------ photo

browserTest(
  "photo page: the camera's JPEG goes unchanged as image/jpeg photo.jpg for output png, without the person's file name",
  async () => {
    await using stub = await startStubServer();
    await using r = await launchPhone();
    const { page } = r;
    const id = await phoneOf(stub, {
      action_type: "photo",
      output_format: "png",
    });
    await using wire = recordingProxy(stub);
    const { sent } = wire;
    await page.goto(`${wire.url}/s/${id}`);
    assert.equal(stub.session(id)?.status, "action_started");
    assert.equal(await page.getByTestId("photo-submit").isDisabled(), true);

    await page.getByTestId("photo-input").setInputFiles({
      name: "IMG_0042.JPG",
      mimeType: "image/jpeg",
      buffer: Buffer.from(sampleJpeg()),
    });
    await page.getByTestId("photo-preview").waitFor();
    await page.getByTestId("photo-submit").click();
    await page.getByTestId("done").waitFor();

    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.path, `/s/${id}/result`);
    assert.ok(!new TextDecoder().decode(sent[0]!.body).includes("IMG_0042"));
    const [item, ...rest] = resultItems(sent[0]!);
    assert.deepEqual(rest, []);
    assert.equal(item!.content_type, "image/jpeg");
    assert.equal(item!.filename, "photo.jpg");
    assert.deepEqual(bytes(Buffer.from(item!.data, "base64")), sampleJpeg());
    const stored = stub.session(id)!.items;
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.contentType, "image/jpeg");
    assert.equal(stored[0]!.filename, "photo.jpg");
    assert.deepEqual(stored[0]!.data, sampleJpeg());
    assert.deepEqual(r.pageErrors, []);
  },
);

browserTest(
  "photo page: retake replaces the pick, and a PNG for output jpg goes as image/png photo.png",
  async () => {
    await using stub = await startStubServer();
    await using r = await launchPhone();
    const { page } = r;
    const id = await phoneOf(stub, {
      action_type: "photo",
      output_format: "jpg",
    });
    await using wire = recordingProxy(stub);
    const { sent } = wire;
    await page.goto(`${wire.url}/s/${id}`);
    await page.getByTestId("photo-input").setInputFiles({
      name: "first.jpg",
      mimeType: "image/jpeg",
      buffer: Buffer.from(sampleJpeg()),
    });
    await page.getByTestId("photo-retake").waitFor();
    const firstPreview = await page.getByTestId("photo-preview")
      .getAttribute("src");
    const [chooser] = await Promise.all([
      page.waitForEvent("filechooser"),
      page.getByTestId("photo-retake").click(),
    ]);
    await chooser.setFiles({
      name: "Screenshot 2026-01-01.png",
      mimeType: "image/png",
      buffer: Buffer.from(samplePng()),
    });
    await page.locator(
      `[data-testid="photo-preview"]:not([src="${firstPreview}"])`,
    ).waitFor();
    await page.getByTestId("photo-submit").click();
    await page.getByTestId("done").waitFor();

    assert.equal(sent.length, 1);
    const [item] = resultItems(sent[0]!);
    assert.equal(item!.content_type, "image/png");
    assert.equal(item!.filename, "photo.png");
    const stored = stub.session(id)!.items[0]!;
    assert.equal(stored.contentType, "image/png");
    assert.equal(stored.filename, "photo.png");
    assert.deepEqual(stored.data, samplePng());
    assert.deepEqual(r.pageErrors, []);
  },
);

browserTest(
  "photo page: a file the browser gives no type goes as image/jpeg photo.jpg",
  async () => {
    await using stub = await startStubServer();
    await using r = await launchPhone();
    const { page } = r;
    const id = await phoneOf(stub, {
      action_type: "photo",
      output_format: "jpg",
    });
    await using wire = recordingProxy(stub);
    const { sent } = wire;
    await page.goto(`${wire.url}/s/${id}`);
    // A File made in the page has no type at all (Playwright's files get
    // application/octet-stream).
    await page.evaluate(`(() => {
      const input = document.querySelector('[data-testid="photo-input"]');
      const transfer = new DataTransfer();
      const bytes = Uint8Array.from(atob(${
      JSON.stringify(
        Buffer.from(sampleJpeg()).toString("base64"),
      )
    }), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], "capture"));
      input.files = transfer.files;
      input.dispatchEvent(new Event("change"));
    })()`);
    assert.equal(
      await property(page, "photo-input", "el.files[0].type"),
      "",
      "the browser gives the file no type",
    );
    await page.getByTestId("photo-submit").click();
    await page.getByTestId("done").waitFor();
    const [item] = resultItems(sent[0]!);
    assert.equal(item!.content_type, "image/jpeg");
    assert.equal(item!.filename, "photo.jpg");
    assert.equal(stub.session(id)!.items[0]!.contentType, "image/jpeg");
    assert.deepEqual(r.pageErrors, []);
  },
);

browserTest(
  "photo page with output pdf sends the photo as is and the server converts it to photo.pdf",
  async () => {
    await using stub = await startStubServer();
    await using r = await launchPhone();
    const { page } = r;
    const id = await phoneOf(stub, {
      action_type: "photo",
      output_format: "pdf",
    });
    await using wire = recordingProxy(stub);
    const { sent } = wire;
    await page.goto(`${wire.url}/s/${id}`);
    await page.getByTestId("photo-input").setInputFiles({
      name: "a.jpeg",
      mimeType: "image/jpeg",
      buffer: Buffer.from(sampleJpeg()),
    });
    await page.getByTestId("photo-submit").click();
    await page.getByTestId("done").waitFor();
    const [item] = resultItems(sent[0]!);
    assert.equal(item!.content_type, "image/jpeg");
    assert.equal(item!.filename, "photo.jpg");
    assert.deepEqual(bytes(Buffer.from(item!.data, "base64")), sampleJpeg());
    const stored = stub.session(id)!.items[0]!;
    assert.equal(stored.contentType, "application/pdf");
    assert.equal(stored.filename, "photo.pdf");
    assert.ok(isPdf(stored.data));
    assert.deepEqual(r.pageErrors, []);
  },
);

// -------------------------------------------------------------- signature

/** Draw a zigzag on the pad with the mouse. */
async function sign(page: Page): Promise<void> {
  const box = (await page.getByTestId("signature-pad").boundingBox())!;
  await page.mouse.move(box.x + 20, box.y + box.height * 0.7);
  await page.mouse.down();
  for (let i = 1; i <= 6; i++) {
    await page.mouse.move(
      box.x + 20 + i * 40,
      box.y + box.height * (i % 2 ? 0.3 : 0.7),
      { steps: 3 },
    );
  }
  await page.mouse.up();
}

browserTest(
  "signature page with output svg sends the drawing as SVG markup, image/svg+xml signature.svg",
  async () => {
    await using stub = await startStubServer();
    await using r = await launchPhone();
    const { page } = r;
    const id = await phoneOf(stub, {
      action_type: "signature",
      output_format: "svg",
    });
    await using wire = recordingProxy(stub);
    const { sent } = wire;
    await page.goto(`${wire.url}/s/${id}`);
    await sign(page);
    await page.getByTestId("signature-submit").click();
    await page.getByTestId("done").waitFor();
    assert.equal(sent.length, 1);
    const [item] = resultItems(sent[0]!);
    assert.equal(item!.content_type, "image/svg+xml");
    assert.equal(item!.filename, "signature.svg");
    const stored = stub.session(id)!.items[0]!;
    assert.equal(stored.contentType, "image/svg+xml");
    assert.equal(stored.filename, "signature.svg");
    const svg = new TextDecoder().decode(stored.data);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const path = svg.match(/<path d="([^"]+)"/)?.[1] ?? "";
    assert.ok(
      path.split(/[ML]/).length > 10,
      `a stroke of many points: ${path}`,
    );
    assert.deepEqual(r.pageErrors, []);
  },
);

browserTest(
  "signature page with output png: clear empties the pad, then a PNG of the canvas goes as image/png signature.png",
  async () => {
    await using stub = await startStubServer();
    await using r = await launchPhone();
    const { page } = r;
    const id = await phoneOf(stub, {
      action_type: "signature",
      output_format: "png",
    });
    await using wire = recordingProxy(stub);
    const { sent } = wire;
    await page.goto(`${wire.url}/s/${id}`);
    await sign(page);
    await page.getByTestId("signature-clear").click();
    await page.getByTestId("signature-submit").click();
    await page.getByTestId("status").filter({ hasText: "Please sign first." })
      .waitFor();
    assert.equal(sent.length, 0, "nothing is sent for an empty pad");

    await sign(page);
    const canvasWidth = await property<number>(
      page,
      "signature-pad",
      "el.width",
    );
    await page.getByTestId("signature-submit").click();
    await page.getByTestId("done").waitFor();
    assert.equal(sent.length, 1);
    const [item] = resultItems(sent[0]!);
    assert.equal(item!.content_type, "image/png");
    assert.equal(item!.filename, "signature.png");
    const stored = stub.session(id)!.items[0]!;
    assert.equal(stored.contentType, "image/png");
    assert.equal(stored.filename, "signature.png");
    assert.ok(isPng(stored.data));
    const image = await decoded(page, stored.data, "image/png");
    assert.equal(image.width, canvasWidth, "the canvas, at its pixel size");
    assert.deepEqual(r.pageErrors, []);
  },
);

browserTest(
  "signature page with output pdf sends the PNG and the server makes signature.pdf",
  async () => {
    await using stub = await startStubServer();
    await using r = await launchPhone();
    const { page } = r;
    const id = await phoneOf(stub, {
      action_type: "signature",
      output_format: "pdf",
    });
    await using wire = recordingProxy(stub);
    const { sent } = wire;
    await page.goto(`${wire.url}/s/${id}`);
    await sign(page);
    await page.getByTestId("signature-submit").click();
    await page.getByTestId("done").waitFor();
    const [item] = resultItems(sent[0]!);
    assert.equal(item!.content_type, "image/png");
    assert.equal(item!.filename, "signature.png");
    assert.ok(isPng(bytes(Buffer.from(item!.data, "base64"))));
    const stored = stub.session(id)!.items[0]!;
    assert.equal(stored.contentType, "application/pdf");
    assert.equal(stored.filename, "signature.pdf");
    assert.ok(isPdf(stored.data));
    assert.deepEqual(r.pageErrors, []);
  },
);

// ------------------------------------------------------------------- scan

const RED = [255, 0, 0], BLUE = [0, 0, 255], GREEN = [0, 160, 0];
const YELLOW = [240, 200, 0], MAGENTA = [200, 0, 200], CYAN = [0, 200, 200];
const css = ([r, g, b]: number[]) => `rgb(${r},${g},${b})`;

/** Drag crop corner `i` to `(x, y)` in the picture's pixels. */
async function dragCorner(
  page: Page,
  i: number,
  x: number,
  y: number,
): Promise<void> {
  const image = page.getByTestId("scan-crop-image");
  const box = (await image.boundingBox())!;
  const [w, h] = await property<[number, number]>(
    page,
    "scan-crop-image",
    "[el.naturalWidth, el.naturalHeight]",
  );
  const corner = (await page.getByTestId(`scan-corner-${i}`).boundingBox())!;
  await page.mouse.move(
    corner.x + corner.width / 2,
    corner.y + corner.height / 2,
  );
  await page.mouse.down();
  await page.mouse.move(
    box.x + x / w * box.width,
    box.y + y / h * box.height,
    {
      steps: 5,
    },
  );
  await page.mouse.up();
}

async function cornerAt(page: Page, i: number): Promise<[number, number]> {
  const corner = page.getByTestId(`scan-corner-${i}`);
  return [
    Number(await corner.getAttribute("data-x")),
    Number(await corner.getAttribute("data-y")),
  ];
}

/** Take a picture (or several) and wait for the crop screen. */
async function takePicture(
  page: Page,
  ...files: { name: string; buffer: Buffer }[]
): Promise<void> {
  await page.getByTestId("scan-input").setInputFiles(
    files.map((f) => ({ ...f, mimeType: "image/jpeg" })),
  );
  await page.getByTestId("scan-crop").waitFor();
}

/** Accept the crop; waits until the filmstrip shows `pages` pages in all. */
async function accept(page: Page, pages: number): Promise<void> {
  await page.getByTestId("scan-accept").click();
  await page.getByTestId("scan-page").nth(pages - 1).waitFor();
}

/** The pages in the filmstrip, as "document/page". */
async function strip(page: Page): Promise<string[]> {
  return await page.evaluate<string[]>(
    `[...document.querySelectorAll('[data-testid="scan-page"]')].map((li) => li.dataset.document + "/" + li.dataset.page)`,
  );
}

browserTest(
  "scan page, multi, images: pictures cropped, reordered and deleted, a next document, review, then renumbered JPEG pages one by one and one finalize",
  async () => {
    await using stub = await startStubServer();
    await using r = await launchPhone();
    const { page } = r;
    const id = await phoneOf(stub, {
      action_type: "scan",
      document_mode: "multi",
      output_format: "images",
    });
    await using wire = recordingProxy(stub);
    const { sent, log } = wire;
    await page.goto(`${wire.url}/s/${id}`);
    const a = await drawnImage(page, "image/jpeg", 64, 48, css(RED), css(BLUE));
    const b = await drawnImage(page, "image/jpeg", 40, 60, css(GREEN));
    const c = await drawnImage(page, "image/jpeg", 50, 50, css(YELLOW));
    const d = await drawnImage(page, "image/jpeg", 30, 20, css(MAGENTA));
    const e = await drawnImage(page, "image/jpeg", 20, 30, css(CYAN));
    assert.equal(await page.getByTestId("scan-review").isDisabled(), true);
    assert.equal(
      await page.getByTestId("scan-next-document").isDisabled(),
      true,
    );

    // Page A: crop to its right (blue) half. A crossed quad cannot be accepted.
    await takePicture(page, { name: "a.jpg", buffer: a });
    assert.deepEqual(await cornerAt(page, 0), [0, 0]);
    assert.deepEqual(await cornerAt(page, 2), [64, 48]);
    await dragCorner(page, 0, 60, 44);
    assert.equal(await page.getByTestId("scan-accept").isDisabled(), true);
    await dragCorner(page, 0, 32, 0);
    await dragCorner(page, 3, 32, 48);
    const [x0] = await cornerAt(page, 0);
    const [x3] = await cornerAt(page, 3);
    assert.ok(Math.abs(x0 - 32) <= 1 && Math.abs(x3 - 32) <= 1, `${x0} ${x3}`);
    await accept(page, 1);
    await takePicture(page, { name: "b.jpg", buffer: b });
    await accept(page, 2);
    await takePicture(page, { name: "c.jpg", buffer: c });
    await accept(page, 3);
    assert.deepEqual(await strip(page), ["0/0", "0/1", "0/2"]);
    // C before B, then B deleted: A, C.
    await page.getByTestId("scan-page").nth(2).getByTestId("scan-page-earlier")
      .click();
    await page.getByTestId("scan-page").nth(2).getByTestId("scan-page-delete")
      .click();
    await page.getByTestId("scan-page").nth(2).waitFor({ state: "detached" });
    assert.deepEqual(await strip(page), ["0/0", "0/1"]);

    // Document 2: two pictures picked at once, cropped in turn, then swapped.
    await page.getByTestId("scan-next-document").click();
    assert.equal(
      await page.getByTestId("scan-next-document").isDisabled(),
      true,
    );
    await takePicture(page, { name: "d.jpg", buffer: d }, {
      name: "e.jpg",
      buffer: e,
    });
    await page.getByTestId("scan-accept").click();
    await page.getByTestId("scan-accept").click();
    await page.getByTestId("scan-page").nth(3).waitFor();
    await page.getByTestId("scan-page").nth(3).getByTestId("scan-page-earlier")
      .click();
    assert.deepEqual(await strip(page), ["0/0", "0/1", "1/0", "1/1"]);
    assert.equal(sent.length, 0, "nothing is uploaded before the review");

    await page.getByTestId("scan-review").click();
    assert.deepEqual(
      await page.getByTestId("scan-review-document").allTextContents(),
      ["Document 1: 2 pages", "Document 2: 2 pages"],
    );
    await page.getByTestId("scan-upload").click();
    await page.getByTestId("done").waitFor();

    // One request after another: four uploads, then one finalize.
    assert.deepEqual(log, [
      "start scan/upload",
      "end scan/upload",
      "start scan/upload",
      "end scan/upload",
      "start scan/upload",
      "end scan/upload",
      "start scan/upload",
      "end scan/upload",
      "start scan/finalize",
      "end scan/finalize",
    ]);
    const uploads = await Promise.all(sent.slice(0, 4).map(uploadFields));
    assert.deepEqual(
      uploads.map((u) => [u.file.name, u.file.type, u.document, u.page]),
      [
        ["scan.jpg", "image/jpeg", "0", "0"],
        ["scan.jpg", "image/jpeg", "0", "1"],
        ["scan.jpg", "image/jpeg", "1", "0"],
        ["scan.jpg", "image/jpeg", "1", "1"],
      ],
    );
    for (const [i, u] of uploads.entries()) {
      assert.equal(sent[i]!.status, 200);
      const data = new Uint8Array(await u.file.arrayBuffer());
      assert.ok(isJpeg(data), "re-encoded as JPEG");
    }
    assert.deepEqual(
      uploads[1] && new Uint8Array(await uploads[1].file.arrayBuffer()),
      stub.session(id)!.scanDocuments[0]![1]!.data,
    );

    const session = stub.session(id)!;
    assert.equal(session.status, "completed");
    const docs = session.scanDocuments;
    assert.equal(docs.length, 2);
    const seen = [];
    for (const doc of docs) {
      for (const file of doc) {
        assert.equal(file.contentType, "image/jpeg");
        seen.push(await decoded(page, file.data, file.contentType));
      }
    }
    // A's right half (32x48, blue), C, then E, D.
    assert.ok(Math.abs(seen[0]!.width - 32) <= 1, `width ${seen[0]!.width}`);
    assert.equal(seen[0]!.height, 48);
    assert.ok(near(seen[0]!.centre, BLUE), `${seen[0]!.centre}`);
    assert.deepEqual([seen[1]!.width, seen[1]!.height], [50, 50]);
    assert.ok(near(seen[1]!.centre, YELLOW), `${seen[1]!.centre}`);
    assert.deepEqual([seen[2]!.width, seen[2]!.height], [20, 30]);
    assert.ok(near(seen[2]!.centre, CYAN), `${seen[2]!.centre}`);
    assert.deepEqual([seen[3]!.width, seen[3]!.height], [30, 20]);
    assert.ok(near(seen[3]!.centre, MAGENTA), `${seen[3]!.centre}`);
    assert.deepEqual(r.pageErrors, []);
  },
);

browserTest(
  "scan page, single, pdf: every page at document 0, one PDF of the pages",
  async () => {
    await using stub = await startStubServer();
    await using r = await launchPhone();
    const { page } = r;
    const id = await phoneOf(stub, { action_type: "scan" });
    await using wire = recordingProxy(stub);
    const { sent } = wire;
    await page.goto(`${wire.url}/s/${id}`);
    assert.equal(
      await page.getByTestId("scan-next-document").isVisible(),
      false,
    );
    const jpeg = await drawnImage(page, "image/jpeg", 40, 30, css(GREEN));
    await takePicture(page, { name: "1.jpg", buffer: jpeg });
    await accept(page, 1);
    await takePicture(page, { name: "2.jpg", buffer: jpeg });
    await accept(page, 2);
    await page.getByTestId("scan-review").click();
    assert.deepEqual(
      await page.getByTestId("scan-review-document").allTextContents(),
      ["2 pages"],
    );
    await page.getByTestId("scan-upload").click();
    await page.getByTestId("done").waitFor();
    const uploads = await Promise.all(sent.slice(0, 2).map(uploadFields));
    assert.deepEqual(uploads.map((u) => [u.document, u.page]), [
      ["0", "0"],
      ["0", "1"],
    ]);
    assert.equal(sent.length, 3);
    const docs = stub.session(id)!.scanDocuments;
    assert.equal(docs.length, 1);
    assert.equal(docs[0]![0]!.contentType, "application/pdf");
    assert.ok(isPdf(docs[0]![0]!.data));
    assert.deepEqual(r.pageErrors, []);
  },
);

browserTest(
  "scan page: an upload answered 410 stops the flow and goes back to /s/:id (expired), with no finalize",
  async () => {
    await using stub = await startStubServer();
    await using r = await launchPhone();
    const { page } = r;
    const id = await phoneOf(stub, { action_type: "scan" });
    await using wire = recordingProxy(stub);
    const { sent } = wire;
    await page.goto(`${wire.url}/s/${id}`);
    const jpeg = await drawnImage(page, "image/jpeg", 40, 30, css(GREEN));
    await takePicture(page, { name: "1.jpg", buffer: jpeg });
    await accept(page, 1);
    await takePicture(page, { name: "2.jpg", buffer: jpeg });
    await accept(page, 2);
    await page.getByTestId("scan-review").click();
    stub.expire(id);
    await page.getByTestId("scan-upload").click();
    await page.waitForURL(`${wire.url}/s/${id}`);
    await page.getByTestId("expired").waitFor();
    assert.deepEqual(sent.map((s) => [s.path, s.status]), [
      [`/s/${id}/scan/upload`, 410],
    ]);
    assert.deepEqual(r.pageErrors, []);
  },
);

browserTest(
  "scan page: an upload answered 409 (completed elsewhere) goes back to /s/:id, which shows done",
  async () => {
    await using stub = await startStubServer();
    await using r = await launchPhone();
    const { page } = r;
    const id = await phoneOf(stub, { action_type: "scan" });
    await using wire = recordingProxy(stub);
    const { sent } = wire;
    await page.goto(`${wire.url}/s/${id}`);
    const jpeg = await drawnImage(page, "image/jpeg", 40, 30, css(GREEN));
    await takePicture(page, { name: "1.jpg", buffer: jpeg });
    await accept(page, 1);
    await page.getByTestId("scan-review").click();
    await stub.phone.uploadPage(id, { data: sampleJpeg() });
    await stub.phone.finalize(id);
    await page.getByTestId("scan-upload").click();
    await page.waitForURL(`${wire.url}/s/${id}`);
    await page.getByTestId("done").waitFor();
    assert.deepEqual(sent.map((s) => s.status), [409]);
    assert.deepEqual(r.pageErrors, []);
  },
);

browserTest(
  "scan page: after a failed upload, retry resumes at the failed page (no page twice)",
  async () => {
    await using stub = await startStubServer();
    await using r = await launchPhone();
    const { page } = r;
    const id = await phoneOf(stub, {
      action_type: "scan",
      output_format: "images",
    });
    let uploads = 0;
    await page.route("**/scan/upload", async (route) => {
      if (++uploads === 2) {
        await route.fulfill({
          status: 500,
          contentType: "application/json",
          body: '{"error":"injected"}',
        });
      } else {
        await route.continue();
      }
    });
    await using wire = recordingProxy(stub);
    const { sent } = wire;
    await page.goto(`${wire.url}/s/${id}`);
    const green = await drawnImage(page, "image/jpeg", 40, 30, css(GREEN));
    const red = await drawnImage(page, "image/jpeg", 30, 40, css(RED));
    await takePicture(page, { name: "1.jpg", buffer: green });
    await accept(page, 1);
    await takePicture(page, { name: "2.jpg", buffer: red });
    await accept(page, 2);
    await page.getByTestId("scan-review").click();
    await page.getByTestId("scan-upload").click();
    await page.getByTestId("status").filter({ hasText: "injected" }).waitFor();
    assert.equal(await page.getByTestId("scan-back").isDisabled(), true);
    assert.equal(stub.session(id)!.status, "action_started");
    await page.getByTestId("scan-upload").click();
    await page.getByTestId("done").waitFor();

    const fields = await Promise.all(
      sent.filter((s) => s.path.endsWith("/upload")).map(uploadFields),
    );
    // The browser sent three uploads; the server saw page 1 once.
    assert.equal(uploads, 3);
    assert.deepEqual(fields.map((f) => f.page), ["0", "1"]);
    assert.deepEqual(sent.map((s) => s.status), [200, 200, 200]);
    const pages = stub.session(id)!.scanDocuments.flat();
    assert.equal(pages.length, 2);
    const sizes = [];
    for (const file of pages) {
      const image = await decoded(page, file.data, file.contentType);
      sizes.push([image.width, image.height]);
    }
    assert.deepEqual(sizes, [[40, 30], [30, 40]]);
    assert.deepEqual(r.pageErrors, []);
  },
);
