// Copyright 2026 the handoff authors. MIT license.
// What every phone page shares: the HTML frame, the style, and the script
// helpers (posting, base64, the done state).

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
h2{font-size:1rem;margin:1rem 0 .25rem}
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px #0002}
.intro{white-space:pre-wrap;overflow-wrap:anywhere}
button,.button{display:block;width:100%;margin-top:.75rem;padding:.9rem;border:0;
border-radius:10px;background:#2457d6;color:#fff;font:inherit;font-weight:600;
text-align:center;text-decoration:none;cursor:pointer}
button.secondary,.button.secondary{background:#e3e7ef;color:#1d2330}
button:disabled{opacity:.5;cursor:default}
input[type=file]{width:100%;margin:.5rem 0}
img.preview{display:block;width:100%;max-height:24rem;object-fit:contain;
margin-top:.5rem;border-radius:10px;background:#e3e7ef}
canvas.pad{display:block;width:100%;height:14rem;background:#fff;
border:2px dashed #9aa3b5;border-radius:10px;touch-action:none}
.status{min-height:1.5rem;margin-top:.75rem;color:#51607a}
.error{color:#b42318}
[hidden]{display:none!important}
`;

/** A complete page: `body` inside `<main>`, then the script, if any. */
export function layout(
  title: string,
  body: string,
  script = "",
  style = "",
): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}${style}</style>
</head>
<body>
<main>
${body}
</main>${script === "" ? "" : `\n<script>\n${script}\n</script>`}
</body>
</html>
`;
}

/** The card the pages show once the session is complete. */
export const DONE_CARD =
  '<div class="card" data-testid="done"><h1>Done</h1><p>Thank you! You can close this page now.</p></div>';

// Shared client-side helpers. `say` writes the status line; `finish` shows
// the done card; `failure` reads the server's error message.
const COMMON_SCRIPT = `
const statusEl = document.getElementById("status");
function say(text, isError) {
  statusEl.textContent = text;
  statusEl.className = isError ? "status error" : "status";
}
function finish() {
  document.querySelector("main").innerHTML = DONE_CARD;
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

/** The script of an action page: constants, the shared helpers, `body`. */
export function actionScript(session: SessionRecord, body: string): string {
  return `"use strict";
const BASE = "/s/" + encodeURIComponent(${goQuoteJson(session.id)});
const OUTPUT_FORMAT = ${goQuoteJson(session.outputFormat)};
const MULTI = ${session.documentMode === "multi"};
const DONE_CARD = ${goQuoteJson(DONE_CARD)};
${COMMON_SCRIPT}
${body}`;
}
