// Copyright 2026 the handoff authors. MIT license.

/**
 * A stub Handoff server for tests and local development. It answers exactly
 * like the real server on the wire (REST API, per-session WebSocket, phone
 * pages, quirks included), keeps everything in memory, drives the phone side
 * without a browser ({@linkcode StubServer.phone}, whose defaults are what the
 * real pages send), and injects faults
 * ({@linkcode StubServer.faults}): refused upgrades, failing requests,
 * latency, dropped sockets, half-open sockets (silent until the client drops
 * them, or {@linkcode StubFaults.heal}), restarts.
 *
 * @example Wait for a session completed by the simulated phone
 * ```ts
 * import { startStubServer } from "@handoff/client/testing";
 *
 * await using stub = await startStubServer();
 * const created = await fetch(`${stub.url}/api/v1/sessions`, {
 *   method: "POST",
 *   headers: { "X-API-Key": stub.apiKey },
 *   body: JSON.stringify({ action_type: "photo", output_format: "jpg" }),
 * });
 * const { id } = await created.json();
 *
 * await stub.phone.complete(id);
 *
 * const result = await fetch(`${stub.url}/api/v1/sessions/${id}/result`, {
 *   headers: { "X-API-Key": stub.apiKey },
 * });
 * const { status, items } = await result.json();
 * console.assert(status === "completed" && items.length === 1);
 * ```
 *
 * ## The phone pages in a browser
 *
 * `GET /s/:id` serves phone pages that submit exactly what the real pages
 * submit, so a browser test (Playwright, Puppeteer…) against the stub sees
 * production's payloads:
 *
 * - photo: the picked file's bytes unchanged, its own content type
 *   (`image/jpeg` when the browser gives none), named `photo.png` for
 *   `image/png` and `photo.jpg` otherwise; the person's file name is never
 *   sent. Only `pdf` output is converted, by the server (`photo.pdf`).
 * - signature: SVG markup (`image/svg+xml`, `signature.svg`) for `svg` output,
 *   a PNG of the canvas (`image/png`, `signature.png`) otherwise; the server
 *   makes `signature.pdf` for `pdf`.
 * - scan: each page cropped and perspective-corrected on the phone, then
 *   uploaded as a JPEG (`scan.jpg`, `image/jpeg`) one request after another,
 *   `document_index` and `page_index` renumbered from 0 in filmstrip order,
 *   then one finalize. An upload answered 410 or 409 goes back to `/s/:id`.
 *
 * Every interactive element has a `data-testid` (Playwright's
 * `page.getByTestId(…)`). The flows, in order:
 *
 * - Intro page (when the session has intro text): `intro-text`, then
 *   `intro-continue` (a link to `/s/:id/action`).
 * - Photo: set a file on `photo-input` (`accept="image/*"`, `capture`);
 *   `photo-preview` shows it; `photo-retake` clears it and opens the picker
 *   again (a `filechooser` event); `photo-submit` sends it (disabled until a
 *   file is picked).
 * - Signature: draw on the `signature-pad` canvas with pointer (mouse or
 *   touch) events; `signature-clear` empties it; `signature-submit` sends it
 *   (an empty pad only shows "Please sign first." in `status`).
 * - Scan, capture screen (`scan-capture`): set one or more files on
 *   `scan-input` (the `scan-take` label opens the camera); each goes to the
 *   crop screen in turn. The filmstrip `scan-filmstrip` holds one
 *   `scan-document` per document (`data-document`), each with `scan-page`
 *   items (`data-document`, `data-page`: their position now) that have
 *   `scan-page-image`, `scan-page-earlier`, `scan-page-later` and
 *   `scan-page-delete`. `scan-next-document` (multi mode only; disabled while
 *   the current document has no page) starts the next document;
 *   `scan-review` (disabled without pages) goes to the review.
 * - Scan, crop screen (`scan-crop`): `scan-crop-image` and four draggable
 *   corners `scan-corner-0` … `scan-corner-3` (top-left, top-right,
 *   bottom-right, bottom-left; they start at the picture's corners, move with
 *   pointer drags or the arrow keys, and carry their position in picture
 *   pixels as `data-x`/`data-y`); `scan-accept` straightens the page into the
 *   filmstrip (disabled while the corners do not form a convex shape);
 *   `scan-retake` drops the picture and opens the camera again.
 * - Scan, review screen (`scan-review-screen`): `scan-review-list` with a
 *   `scan-review-document` per document ("Document 1: 2 pages" in multi mode,
 *   "2 pages" in single); `scan-back` returns to the pages (until an upload
 *   went out); `scan-upload` uploads every page, then finalizes, with
 *   `scan-progress`; after a failure it reads "Retry" and resumes at the page
 *   that failed.
 * - Every action page: `status` (the status line, errors included); when
 *   done, `done` replaces the page. `GET /s/:id` of a completed session shows
 *   `done`, of an expired one `expired`, of an unknown one `not-found`.
 *
 * @example Drive the photo page with Playwright (not run here)
 * ```ts ignore
 * import { chromium } from "npm:playwright-core";
 * import { sampleJpeg, startStubServer } from "@handoff/client/testing";
 *
 * await using stub = await startStubServer();
 * const created = await fetch(`${stub.url}/api/v1/sessions`, {
 *   method: "POST",
 *   headers: { "X-API-Key": stub.apiKey },
 *   body: JSON.stringify({ action_type: "photo", output_format: "jpg" }),
 * });
 * const { id, url } = await created.json();
 * const browser = await chromium.launch();
 * const page = await browser.newPage();
 * await page.goto(url);
 * await page.getByTestId("photo-input").setInputFiles({
 *   name: "IMG_0001.JPG",
 *   mimeType: "image/jpeg",
 *   buffer: sampleJpeg(),
 * });
 * await page.getByTestId("photo-submit").click();
 * await page.getByTestId("done").waitFor();
 * const [item] = stub.session(id)!.items; // image/jpeg, "photo.jpg"
 * await browser.close();
 * ```
 *
 * @module
 */

export { startStubServer } from "./stub/server.ts";
export { sampleJpeg, samplePng } from "./stub/samples.ts";
export { StubPhoneError } from "./stub/types.ts";
export type {
  StubActionType,
  StubFaults,
  StubFile,
  StubPageUpload,
  StubPhone,
  StubRoute,
  StubServer,
  StubServerOptions,
  StubSessionSnapshot,
  StubSessionStatus,
  StubStats,
  StubUpload,
} from "./stub/types.ts";
