// Copyright 2026 the handoff authors. MIT license.
// The phone pages: small, self-contained HTML (no external resources).

import { goQuoteJson } from "./json.ts";
import type { SessionRecord } from "./store.ts";

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[
        c
      ] ?? c,
  );
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
background:#f4f5f7;color:#1d2330}
main{max-width:32rem;margin:0 auto;padding:1.5rem 1rem}
h1{font-size:1.4rem;margin:0 0 1rem}
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px #0002}
.intro{white-space:pre-wrap;overflow-wrap:anywhere}
button,.button{display:block;width:100%;margin-top:.75rem;padding:.9rem;border:0;
border-radius:10px;background:#2457d6;color:#fff;font:inherit;font-weight:600;
text-align:center;text-decoration:none;cursor:pointer}
button.secondary{background:#e3e7ef;color:#1d2330}
button:disabled{opacity:.5}
input[type=file]{width:100%;margin:.5rem 0}
canvas{width:100%;height:14rem;background:#fff;border:2px dashed #9aa3b5;
border-radius:10px;touch-action:none}
.status{min-height:1.5rem;margin-top:.75rem;color:#51607a}
.error{color:#b42318}
ol{padding-left:1.25rem}
[hidden]{display:none!important}
`;

function layout(
  title: string,
  body: string,
  script = "",
  bodyAttributes = "",
): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body${bodyAttributes}>
<main>
${body}
</main>${script === "" ? "" : `\n<script>\n${script}\n</script>`}
</body>
</html>
`;
}

function message(title: string, text: string): string {
  return layout(
    title,
    `<div class="card"><h1>${escapeHtml(title)}</h1><p>${
      escapeHtml(text)
    }</p></div>`,
  );
}

/** The page for an unknown session (404). */
export function notFoundPage(): string {
  return message("Not found", "This session was not found.");
}

/** The page for an expired session (410). */
export function expiredPage(): string {
  return message(
    "Session expired",
    "This session has expired. Please ask for a new link.",
  );
}

/** The page for a completed session. */
export function donePage(): string {
  return message("Done", "Thank you! You can close this page now.");
}

/** The intro page: the intro text as plain text, and a link to the action. */
export function introPage(session: SessionRecord): string {
  return layout(
    "Before you start",
    `<div class="card"><div class="intro">${escapeHtml(session.introText)}</div>
<a class="button" href="/s/${
      encodeURIComponent(session.id)
    }/action">Continue</a></div>`,
  );
}

// Shared client-side helpers: posting, base64, the done state.
const COMMON_SCRIPT = `
const statusEl = document.getElementById("status");
function say(text, isError) {
  statusEl.textContent = text;
  statusEl.className = isError ? "status error" : "status";
}
function finish() {
  document.querySelector("main").innerHTML =
    '<div class="card"><h1>Done</h1><p>Thank you! You can close this page now.</p></div>';
}
function bytesToBase64(bytes) {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}
async function blobToBase64(blob) {
  return bytesToBase64(new Uint8Array(await blob.arrayBuffer()));
}
async function failure(res) {
  let text = res.status + " " + res.statusText;
  try {
    const body = await res.json();
    if (body && body.error) text = body.error;
  } catch (_) {}
  return text;
}
async function submitItems(items) {
  const res = await fetch(BASE + "/result", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ items }),
  });
  if (!res.ok) throw new Error(await failure(res));
}
`;

function actionScript(session: SessionRecord, body: string): string {
  return `"use strict";
const BASE = "/s/" + encodeURIComponent(${goQuoteJson(session.id)});
const OUTPUT_FORMAT = ${goQuoteJson(session.outputFormat)};
${COMMON_SCRIPT}
${body}`;
}

const PHOTO_SCRIPT = `
const input = document.getElementById("file");
const button = document.getElementById("submit");
const WANT = { jpg: "image/jpeg", png: "image/png" }[OUTPUT_FORMAT];
function convert(file, type) {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(file);
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      canvas.getContext("2d").drawImage(img, 0, 0);
      URL.revokeObjectURL(url);
      canvas.toBlob((blob) => blob ? resolve(blob) : reject(new Error("conversion failed")), type, 0.92);
    };
    img.onerror = () => { URL.revokeObjectURL(url); reject(new Error("cannot read this image")); };
    img.src = url;
  });
}
input.addEventListener("change", () => { button.disabled = input.files.length === 0; });
document.getElementById("form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = input.files[0];
  if (!file) { say("Please take a photo first.", true); return; }
  button.disabled = true;
  say("Sending…");
  try {
    let blob = file;
    let type = file.type;
    let name = file.name || "photo.jpg";
    if (WANT && type !== WANT) {
      blob = await convert(file, WANT);
      type = WANT;
      name = name.replace(/\\.[^.]*$/, "") + (WANT === "image/png" ? ".png" : ".jpg");
    }
    await submitItems([{ content_type: type, filename: name, data: await blobToBase64(blob) }]);
    finish();
  } catch (error) {
    say(error.message, true);
    button.disabled = false;
  }
});
`;

function photoPage(session: SessionRecord): string {
  return layout(
    "Take a photo",
    `<div class="card"><h1>Take a photo</h1>
<form id="form">
<input id="file" type="file" accept="image/*" capture="environment">
<button id="submit" type="submit" disabled>Send photo</button>
</form>
<div id="status" class="status" role="status"></div></div>`,
    actionScript(session, PHOTO_SCRIPT),
  );
}

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
document.getElementById("clear").addEventListener("click", () => { strokes.length = 0; redraw(); });
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
<canvas id="pad" aria-label="Signature pad"></canvas>
<button id="clear" class="secondary" type="button">Clear</button>
<button id="submit" type="button">Send signature</button>
<div id="status" class="status" role="status"></div></div>`,
    actionScript(session, SIGNATURE_SCRIPT),
  );
}

const SCAN_SCRIPT = `
const MULTI = document.body.dataset.mode === "multi";
const input = document.getElementById("file");
const list = document.getElementById("pages");
const finishButton = document.getElementById("finish");
const nextButton = document.getElementById("next");
let documentIndex = 0;
let pageIndex = 0;
let uploaded = 0;
let busy = false;
function refresh() {
  finishButton.disabled = busy || uploaded === 0;
  nextButton.disabled = busy || pageIndex === 0;
  input.disabled = busy;
}
async function upload(file) {
  const form = new FormData();
  form.append("file", file, file.name || "page.jpg");
  form.append("document_index", String(documentIndex));
  form.append("page_index", String(pageIndex));
  const res = await fetch(BASE + "/scan/upload", { method: "POST", body: form });
  if (!res.ok) throw new Error(await failure(res));
  const item = document.createElement("li");
  item.textContent = (MULTI ? "Document " + (documentIndex + 1) + ", page " : "Page ") + (pageIndex + 1);
  list.appendChild(item);
  pageIndex++;
  uploaded++;
}
input.addEventListener("change", async () => {
  busy = true;
  refresh();
  say("Uploading…");
  try {
    for (const file of Array.from(input.files)) await upload(file);
    say("");
  } catch (error) {
    say(error.message, true);
  } finally {
    input.value = "";
    busy = false;
    refresh();
  }
});
nextButton.addEventListener("click", () => {
  documentIndex++;
  pageIndex = 0;
  say("Document " + (documentIndex + 1) + ": add its pages.");
  refresh();
});
finishButton.addEventListener("click", async () => {
  busy = true;
  refresh();
  say("Finishing…");
  try {
    const res = await fetch(BASE + "/scan/finalize", { method: "POST" });
    if (!res.ok) throw new Error(await failure(res));
    finish();
  } catch (error) {
    say(error.message, true);
    busy = false;
    refresh();
  }
});
refresh();
`;

function scanPage(session: SessionRecord): string {
  const multi = session.documentMode === "multi";
  return layout(
    "Scan documents",
    `<div class="card"><h1>Scan ${
      multi ? "your documents" : "your document"
    }</h1>
<label>Add a page<input id="file" type="file" accept="image/*" capture="environment" multiple></label>
<ol id="pages"></ol>
<button id="next" class="secondary" type="button"${
      multi ? "" : " hidden"
    }>Next document</button>
<button id="finish" type="button">Finish</button>
<div id="status" class="status" role="status"></div></div>`,
    actionScript(session, SCAN_SCRIPT),
    ` data-mode="${multi ? "multi" : "single"}"`,
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
