// Copyright 2026 the handoff authors. MIT license.
// The phone pages: small, self-contained HTML (no external resources) that
// submit what the real pages submit (docs/PROTOCOL.md, "What the real phone
// pages submit"). Every interactive element has a `data-testid`; testing.ts
// lists them per page, in the order a person uses them.

import { actionScript, DONE_CARD, escapeHtml, layout } from "./page_layout.ts";
import { scanPage } from "./scan_page.ts";
import type { SessionRecord } from "./store.ts";

export { escapeHtml };

function message(title: string, text: string, testId: string): string {
  return layout(
    title,
    `<div class="card" data-testid="${testId}"><h1>${
      escapeHtml(title)
    }</h1><p>${escapeHtml(text)}</p></div>`,
  );
}

/** The page for an unknown session (404). */
export function notFoundPage(): string {
  return message("Not found", "This session was not found.", "not-found");
}

/** The page for an expired session (410). */
export function expiredPage(): string {
  return message(
    "Session expired",
    "This session has expired. Please ask for a new link.",
    "expired",
  );
}

/** The page for a completed session. */
export function donePage(): string {
  return layout("Done", DONE_CARD);
}

/** The intro page: the intro text as plain text, and a link to the action. */
export function introPage(session: SessionRecord): string {
  return layout(
    "Before you start",
    `<div class="card"><div class="intro" data-testid="intro-text">${
      escapeHtml(session.introText)
    }</div>
<a class="button" data-testid="intro-continue" href="/s/${
      encodeURIComponent(session.id)
    }/action">Continue</a></div>`,
  );
}

// The picked file's bytes, unchanged: its own type (image/jpeg when the
// browser gives none), photo.png for a PNG and photo.jpg for anything else.
// The person's file name is never sent; only the server converts (pdf).
const PHOTO_SCRIPT = `
const input = document.getElementById("file");
const preview = document.getElementById("preview");
const retake = document.getElementById("retake");
const button = document.getElementById("submit");
let previewUrl = null;
function picked() {
  const file = input.files[0];
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = file ? URL.createObjectURL(file) : null;
  if (previewUrl) preview.src = previewUrl; else preview.removeAttribute("src");
  preview.hidden = !file;
  retake.hidden = !file;
  button.disabled = !file;
  say("");
}
input.addEventListener("change", picked);
retake.addEventListener("click", () => {
  input.value = "";
  picked();
  input.click();
});
document.getElementById("form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = input.files[0];
  if (!file) { say("Please take a photo first.", true); return; }
  button.disabled = true;
  retake.disabled = true;
  say("Sending…");
  try {
    const type = file.type || "image/jpeg";
    const filename = type === "image/png" ? "photo.png" : "photo.jpg";
    await submitItems([{ content_type: type, filename, data: await blobToBase64(file) }]);
    finish();
  } catch (error) {
    say(error.message, true);
    button.disabled = false;
    retake.disabled = false;
  }
});
`;

function photoPage(session: SessionRecord): string {
  return layout(
    "Take a photo",
    `<div class="card"><h1>Take a photo</h1>
<form id="form">
<input id="file" data-testid="photo-input" type="file" accept="image/*" capture="environment" aria-label="Take a photo">
<img id="preview" data-testid="photo-preview" class="preview" alt="Your photo" hidden>
<button id="retake" data-testid="photo-retake" class="secondary" type="button" hidden>Retake</button>
<button id="submit" data-testid="photo-submit" type="submit" disabled>Send photo</button>
</form>
<div id="status" data-testid="status" class="status" role="status"></div></div>`,
    actionScript(session, PHOTO_SCRIPT),
  );
}

// Output svg: the strokes as SVG markup (image/svg+xml, signature.svg).
// Any other output: a PNG of the canvas (image/png, signature.png), which the
// server turns into a PDF for pdf.
const SIGNATURE_SCRIPT = `
const canvas = document.getElementById("pad");
const ctx = canvas.getContext("2d");
const strokes = [];
let current = null;
function resize() {
  const ratio = window.devicePixelRatio || 1;
  const rect = canvas.getBoundingClientRect();
  canvas.width = Math.round(rect.width * ratio);
  canvas.height = Math.round(rect.height * ratio);
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  redraw();
}
function redraw() {
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.lineWidth = 2.5;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.strokeStyle = "#111";
  for (const stroke of strokes) {
    ctx.beginPath();
    stroke.forEach(([x, y], i) => i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y));
    if (stroke.length === 1) ctx.lineTo(stroke[0][0] + 0.1, stroke[0][1]);
    ctx.stroke();
  }
}
function point(event) {
  const rect = canvas.getBoundingClientRect();
  return [Math.round((event.clientX - rect.left) * 10) / 10, Math.round((event.clientY - rect.top) * 10) / 10];
}
canvas.addEventListener("pointerdown", (event) => {
  canvas.setPointerCapture(event.pointerId);
  current = [point(event)];
  strokes.push(current);
  redraw();
});
canvas.addEventListener("pointermove", (event) => {
  if (!current) return;
  current.push(point(event));
  redraw();
});
for (const type of ["pointerup", "pointercancel"]) {
  canvas.addEventListener(type, () => { current = null; });
}
document.getElementById("clear").addEventListener("click", () => { strokes.length = 0; redraw(); say(""); });
function svgDocument() {
  const rect = canvas.getBoundingClientRect();
  const w = Math.round(rect.width), h = Math.round(rect.height);
  const paths = strokes.map((stroke) =>
    '<path d="' + stroke.map(([x, y], i) => (i === 0 ? "M" : "L") + x + " " + y).join(" ") +
    (stroke.length === 1 ? " l0.1 0" : "") + '"/>').join("");
  return '<svg xmlns="http://www.w3.org/2000/svg" width="' + w + '" height="' + h +
    '" viewBox="0 0 ' + w + " " + h + '"><g fill="none" stroke="#111" stroke-width="2.5"' +
    ' stroke-linecap="round" stroke-linejoin="round">' + paths + "</g></svg>";
}
document.getElementById("submit").addEventListener("click", async () => {
  if (strokes.length === 0) { say("Please sign first.", true); return; }
  const button = document.getElementById("submit");
  button.disabled = true;
  say("Sending…");
  try {
    let item;
    if (OUTPUT_FORMAT === "svg") {
      const bytes = new TextEncoder().encode(svgDocument());
      item = { content_type: "image/svg+xml", filename: "signature.svg", data: bytesToBase64(bytes) };
    } else {
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
      if (!blob) throw new Error("The signature could not be saved.");
      item = { content_type: "image/png", filename: "signature.png", data: await blobToBase64(blob) };
    }
    await submitItems([item]);
    finish();
  } catch (error) {
    say(error.message, true);
    button.disabled = false;
  }
});
window.addEventListener("resize", resize);
resize();
`;

function signaturePage(session: SessionRecord): string {
  return layout(
    "Sign",
    `<div class="card"><h1>Sign below</h1>
<canvas id="pad" data-testid="signature-pad" class="pad" aria-label="Signature pad"></canvas>
<button id="clear" data-testid="signature-clear" class="secondary" type="button">Clear</button>
<button id="submit" data-testid="signature-submit" type="button">Send signature</button>
<div id="status" data-testid="status" class="status" role="status"></div></div>`,
    actionScript(session, SIGNATURE_SCRIPT),
  );
}

/** The action page for the session's action type. */
export function actionPage(session: SessionRecord): string {
  switch (session.actionType) {
    case "photo":
      return photoPage(session);
    case "signature":
      return signaturePage(session);
    case "scan":
      return scanPage(session);
  }
}
