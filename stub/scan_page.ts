// Copyright 2026 the handoff authors. MIT license.
// The scan page, as the real one works: per page take a picture, adjust four
// crop corners, accept (perspective-corrected here, on the phone); a
// filmstrip with reorder and delete; "next document" in multi mode; a review
// screen; then every page uploaded as a JPEG re-encoded on the phone
// (scan.jpg, image/jpeg, quality 0.9), one request after another, with
// document_index and page_index renumbered from 0 in filmstrip order, and one
// finalize. An upload (or finalize) answered 410 or 409 goes back to /s/:id.

import { actionScript, layout } from "./page_layout.ts";
import type { SessionRecord } from "./store.ts";
import { warpScript } from "./warp.ts";

const SCAN_STYLE = `
.crop{position:relative;margin:.5rem 1.4rem;touch-action:none;user-select:none}
.crop img{display:block;width:100%;height:auto}
.crop svg{position:absolute;inset:0;width:100%;height:100%;pointer-events:none}
.crop polygon{fill:#2457d633;stroke:#2457d6;stroke-width:2;vector-effect:non-scaling-stroke}
.corner{position:absolute;width:2.75rem;height:2.75rem;margin:-1.375rem 0 0 -1.375rem;
padding:0;border:3px solid #fff;border-radius:50%;background:#2457d6b0;touch-action:none}
.pages{list-style:none;display:flex;flex-wrap:wrap;gap:.5rem;padding:0;margin:.25rem 0}
.pages li{width:6.5rem;background:#eef1f6;border-radius:8px;padding:.3rem;text-align:center;font-size:.85rem}
.pages img{display:block;width:100%;height:6rem;object-fit:contain;background:#fff}
.pages button{display:inline-block;width:auto;margin:.25rem .1rem 0;padding:.2rem .55rem;font-size:.9rem}
.review li{margin:.25rem 0}
progress{width:100%}
`;

const SCAN_SCRIPT = `
const MAX_SOURCE_SIDE = 3000; // pixels of the photo read for the warp
const MAX_PAGE_SIDE = 2000; // pixels of the longer side of a corrected page
const JPEG_QUALITY = 0.9;
const CORNER_NAMES = ["top-left", "top-right", "bottom-right", "bottom-left"];
const input = document.getElementById("file");
const screens = {
  capture: document.getElementById("capture"),
  crop: document.getElementById("crop"),
  review: document.getElementById("review"),
};
const pagesEl = document.getElementById("pages");
const nextButton = document.getElementById("next");
const reviewButton = document.getElementById("to-review");
const cropImage = document.getElementById("crop-image");
const polygon = document.getElementById("crop-quad");
const svg = document.getElementById("crop-svg");
const corners = Array.from(document.querySelectorAll(".corner"));
const acceptButton = document.getElementById("accept");
const retakeButton = document.getElementById("retake");
const backButton = document.getElementById("back");
const uploadButton = document.getElementById("finish");
const progress = document.getElementById("progress");
const reviewList = document.getElementById("review-list");

// documents[d] is the pages of document d, in filmstrip order; the last one
// is the document being captured. A page is { blob, url, width, height }.
const documents = [[]];
const queue = []; // files picked but not cropped yet
let crop = null; // { url, width, height, quad }
let plan = null; // the uploads, fixed once the first one went out
let sent = 0;
let finalizing = false;

function show(name) {
  for (const [key, el] of Object.entries(screens)) el.hidden = key !== name;
}
function pageCount() {
  return documents.reduce((n, doc) => n + doc.length, 0);
}
function button(testId, text, label, onClick, disabled) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "secondary";
  b.dataset.testid = testId;
  b.textContent = text;
  b.setAttribute("aria-label", label);
  b.disabled = disabled;
  b.addEventListener("click", onClick);
  return b;
}
function renderStrip() {
  pagesEl.textContent = "";
  documents.forEach((doc, d) => {
    const current = d === documents.length - 1;
    if (doc.length === 0 && !current) return;
    const section = document.createElement("section");
    section.dataset.testid = "scan-document";
    section.dataset.document = String(d);
    if (MULTI) {
      const h = document.createElement("h2");
      h.textContent = "Document " + (d + 1) + (doc.length === 0 ? ": take its first picture" : "");
      section.appendChild(h);
    }
    const list = document.createElement("ol");
    list.className = "pages";
    doc.forEach((page, p) => {
      const li = document.createElement("li");
      li.dataset.testid = "scan-page";
      li.dataset.document = String(d);
      li.dataset.page = String(p);
      const img = document.createElement("img");
      img.src = page.url;
      img.alt = "Page " + (p + 1);
      img.dataset.testid = "scan-page-image";
      li.append(img, "Page " + (p + 1), document.createElement("br"));
      li.append(
        button("scan-page-earlier", "◀", "Move page " + (p + 1) + " earlier", () => move(d, p, -1), p === 0),
        button("scan-page-later", "▶", "Move page " + (p + 1) + " later", () => move(d, p, 1), p === doc.length - 1),
        button("scan-page-delete", "✕", "Delete page " + (p + 1), () => remove(d, p), false),
      );
      list.appendChild(li);
    });
    section.appendChild(list);
    pagesEl.appendChild(section);
  });
  nextButton.disabled = documents[documents.length - 1].length === 0;
  reviewButton.disabled = pageCount() === 0;
}
function move(d, p, by) {
  const doc = documents[d];
  const [page] = doc.splice(p, 1);
  doc.splice(p + by, 0, page);
  renderStrip();
}
function remove(d, p) {
  const [page] = documents[d].splice(p, 1);
  URL.revokeObjectURL(page.url);
  if (documents[d].length === 0 && d !== documents.length - 1) documents.splice(d, 1);
  renderStrip();
}

// ---- crop: four corners over the picture, in the picture's pixels
function placeCorners() {
  const { width, height, quad } = crop;
  quad.forEach(([x, y], i) => {
    corners[i].style.left = (x / width * 100) + "%";
    corners[i].style.top = (y / height * 100) + "%";
    corners[i].dataset.x = String(Math.round(x));
    corners[i].dataset.y = String(Math.round(y));
  });
  polygon.setAttribute("points", quad.map(([x, y]) => x + "," + y).join(" "));
  const ok = isConvexQuad(quad);
  acceptButton.disabled = !ok;
  say(ok ? "Drag the corners onto the page's corners." : "The corners must form a four-sided shape.", !ok);
}
function setCorner(i, x, y) {
  const { width, height } = crop;
  crop.quad[i] = [Math.min(width, Math.max(0, x)), Math.min(height, Math.max(0, y))];
  placeCorners();
}
corners.forEach((corner, i) => {
  corner.setAttribute("aria-label", "Move the " + CORNER_NAMES[i] + " corner (arrow keys)");
  corner.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    corner.setPointerCapture(event.pointerId);
  });
  corner.addEventListener("pointermove", (event) => {
    if (!crop || !corner.hasPointerCapture(event.pointerId)) return;
    const rect = cropImage.getBoundingClientRect();
    setCorner(i, (event.clientX - rect.left) / rect.width * crop.width,
      (event.clientY - rect.top) / rect.height * crop.height);
  });
  corner.addEventListener("keydown", (event) => {
    if (!crop) return;
    const step = Math.max(1, Math.round(Math.max(crop.width, crop.height) / 100));
    const [dx, dy] = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[event.key] || [0, 0];
    if (dx === 0 && dy === 0) return;
    event.preventDefault();
    setCorner(i, crop.quad[i][0] + dx, crop.quad[i][1] + dy);
  });
});
async function startCrop() {
  const file = queue.shift();
  if (!file) { show("capture"); renderStrip(); return; }
  const url = URL.createObjectURL(file);
  cropImage.src = url;
  try {
    await cropImage.decode();
  } catch (_) {
    URL.revokeObjectURL(url);
    show("capture");
    say("This picture cannot be read. Please take another.", true);
    return;
  }
  const width = cropImage.naturalWidth, height = cropImage.naturalHeight;
  crop = { url, width, height, quad: [[0, 0], [width, 0], [width, height], [0, height]] };
  svg.setAttribute("viewBox", "0 0 " + width + " " + height);
  show("crop");
  placeCorners();
}
function endCrop() {
  if (crop) URL.revokeObjectURL(crop.url);
  crop = null;
  cropImage.removeAttribute("src");
}
async function correctedPage() {
  const { width, height, quad } = crop;
  const scale = Math.min(1, MAX_SOURCE_SIDE / Math.max(width, height));
  const sw = Math.max(1, Math.round(width * scale)), sh = Math.max(1, Math.round(height * scale));
  const source = document.createElement("canvas");
  source.width = sw;
  source.height = sh;
  const sctx = source.getContext("2d");
  sctx.drawImage(cropImage, 0, 0, sw, sh);
  const pixels = sctx.getImageData(0, 0, sw, sh).data;
  const q = quad.map(([x, y]) => [x * sw / width, y * sh / height]);
  const [ow, oh] = warpSize(q, MAX_PAGE_SIDE);
  const out = document.createElement("canvas");
  out.width = ow;
  out.height = oh;
  const warped = warpPerspective(pixels, sw, sh, squareToQuad(q), ow, oh);
  out.getContext("2d").putImageData(new ImageData(warped, ow, oh), 0, 0);
  const blob = await new Promise((resolve) => out.toBlob(resolve, "image/jpeg", JPEG_QUALITY));
  if (!blob) throw new Error("The page could not be saved.");
  return { blob, url: URL.createObjectURL(blob), width: ow, height: oh };
}
input.addEventListener("change", () => {
  queue.push(...Array.from(input.files));
  input.value = "";
  if (!crop) startCrop();
});
acceptButton.addEventListener("click", async () => {
  acceptButton.disabled = true;
  say("Straightening the page…");
  try {
    const page = await correctedPage();
    documents[documents.length - 1].push(page);
    endCrop();
    say("");
    await startCrop();
  } catch (error) {
    say(error.message, true);
    acceptButton.disabled = false;
  }
});
retakeButton.addEventListener("click", () => {
  endCrop();
  queue.length = 0;
  show("capture");
  renderStrip();
  say("");
  input.click();
});
nextButton.addEventListener("click", () => {
  documents.push([]);
  renderStrip();
  say("Document " + documents.length + ": take its first picture.");
});

// ---- review and upload
reviewButton.addEventListener("click", () => {
  reviewList.textContent = "";
  let d = 0;
  for (const doc of documents) {
    if (doc.length === 0) continue;
    const li = document.createElement("li");
    li.dataset.testid = "scan-review-document";
    li.textContent = (MULTI ? "Document " + (d + 1) + ": " : "") + doc.length + (doc.length === 1 ? " page" : " pages");
    reviewList.appendChild(li);
    d++;
  }
  show("review");
  say("");
});
backButton.addEventListener("click", () => {
  show("capture");
  renderStrip();
});
// One upload after another, renumbered: document d of the non-empty ones,
// page p within it, in filmstrip order. After a failure the retry resumes
// where it stopped (the server kept the pages before it).
uploadButton.addEventListener("click", async () => {
  if (!plan) {
    plan = [];
    let d = 0;
    for (const doc of documents) {
      if (doc.length === 0) continue;
      doc.forEach((page, p) => plan.push({ page, documentIndex: d, pageIndex: p }));
      d++;
    }
  }
  uploadButton.disabled = true;
  backButton.disabled = true;
  progress.hidden = false;
  progress.max = plan.length;
  try {
    for (; sent < plan.length; sent++) {
      progress.value = sent;
      say("Uploading page " + (sent + 1) + " of " + plan.length + "…");
      const { page, documentIndex, pageIndex } = plan[sent];
      const form = new FormData();
      form.append("file", page.blob, "scan.jpg");
      form.append("document_index", String(documentIndex));
      form.append("page_index", String(pageIndex));
      const res = await fetch(BASE + "/scan/upload", { method: "POST", body: form });
      if (res.status === 410 || res.status === 409) { location.assign(BASE); return; }
      if (!res.ok) throw new Error(await failure(res));
    }
    progress.value = plan.length;
    say("Finishing…");
    finalizing = true;
    const res = await fetch(BASE + "/scan/finalize", { method: "POST" });
    if (res.status === 410 || res.status === 409) { location.assign(BASE); return; }
    if (!res.ok) throw new Error(await failure(res));
    for (const doc of documents) for (const page of doc) URL.revokeObjectURL(page.url);
    finish();
  } catch (error) {
    say((finalizing ? "Finishing failed: " : "Upload failed: ") + error.message, true);
    uploadButton.textContent = "Retry";
    uploadButton.disabled = false;
  }
});
show("capture");
renderStrip();
`;

/** The scan action page. */
export function scanPage(session: SessionRecord): string {
  const multi = session.documentMode === "multi";
  const corners = [0, 1, 2, 3].map((i) =>
    `<button class="corner" type="button" data-testid="scan-corner-${i}"></button>`
  ).join("");
  return layout(
    "Scan documents",
    `<div class="card"><h1>Scan ${
      multi ? "your documents" : "your document"
    }</h1>
<section id="capture" data-testid="scan-capture">
<div id="pages" data-testid="scan-filmstrip"></div>
<input id="file" data-testid="scan-input" type="file" accept="image/*" capture="environment" multiple hidden>
<label class="button" for="file" data-testid="scan-take">Take a picture</label>
<button id="next" data-testid="scan-next-document" class="secondary" type="button"${
      multi ? "" : " hidden"
    }>Next document</button>
<button id="to-review" data-testid="scan-review" type="button">Review and send</button>
</section>
<section id="crop" data-testid="scan-crop" hidden>
<div class="crop"><img id="crop-image" data-testid="scan-crop-image" alt="The picture to crop">
<svg id="crop-svg" aria-hidden="true" preserveAspectRatio="none"><polygon id="crop-quad"/></svg>${corners}</div>
<button id="accept" data-testid="scan-accept" type="button">Use this page</button>
<button id="retake" data-testid="scan-retake" class="secondary" type="button">Retake</button>
</section>
<section id="review" data-testid="scan-review-screen" hidden>
<h2>Ready to send</h2>
<ul id="review-list" class="review" data-testid="scan-review-list"></ul>
<progress id="progress" data-testid="scan-progress" value="0" hidden></progress>
<button id="back" data-testid="scan-back" class="secondary" type="button">Back to the pages</button>
<button id="finish" data-testid="scan-upload" type="button">Send</button>
</section>
<div id="status" data-testid="status" class="status" role="status"></div></div>`,
    actionScript(session, `${warpScript()}\n${SCAN_SCRIPT}`),
    SCAN_STYLE,
  );
}
