// Copyright 2026 the handoff authors. MIT license.
// The mock dashboard's page: the create form, and one card per session. The
// list comes from GET /api/sessions (and the create answers); everything a
// session says after that reaches its card through its own EventSource on
// the library's relay (GET /api/sessions/:id/events): status, timeline,
// connection, files, expiry, failure. Text from sessions is only ever set
// with textContent or as attribute values, never as markup.
"use strict";

const FORMATS = {
  photo: [["jpg", "JPEG image"], ["png", "PNG image"], ["pdf", "PDF"]],
  signature: [["svg", "SVG drawing"], ["png", "PNG image"], ["pdf", "PDF"]],
};
const ACTIONS = { photo: "Photo", signature: "Signature", scan: "Scan" };
const STATUS_LABELS = {
  pending: "Pending",
  opened: "Opened",
  action_started: "Action started",
  completed: "Completed",
  expired: "Expired",
};
const TIMELINE_LABELS = {
  pending: "Created, waiting for the phone",
  opened: "Opened on the phone",
  action_started: "Action started",
  completed: "Completed",
  expired: "Expired",
};
const CONNECTION_LABELS = {
  connecting: "Connecting",
  websocket: "WebSocket",
  polling: "Polling",
  unreachable: "Unreachable",
  // A session that is over (completed, expired or failed) releases its link
  // to the Handoff server: nothing is wrong.
  closed: "Session finished",
};
const CONNECTION_TIMELINE = {
  websocket: "Live over WebSocket",
  polling: "Falling back to polling",
  unreachable: "The Handoff server is unreachable",
};
const RANKS = {
  pending: 0,
  opened: 1,
  action_started: 2,
  completed: 3,
  expired: 4,
};
const STEP_ORDER = ["pending", "opened", "action_started", "completed"];
const PREVIEW_TYPES = new Set([
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/webp",
  "image/svg+xml",
]);

const $ = (selector, root = document) => root.querySelector(selector);
const els = {
  form: $("#create-form"),
  button: $("#create-button"),
  formError: $("#form-error"),
  format: $("#outputFormat"),
  list: $("#sessions"),
  empty: $("#empty"),
  count: $("#count"),
  live: $("#live"),
  liveText: $(".live-text"),
  server: $("#server"),
  template: $("#session-template"),
};

const state = {
  sessions: new Map(), // id → entry (see addCard)
  mode: undefined,
  clockOffset: 0, // server time − local time, in ms
  listed: false, // the session list has loaded
};

// ---- small helpers -------------------------------------------------------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function time(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : date.toLocaleTimeString([], {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
}

function duration(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

function httpUrl(text) {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:"
      ? url.href
      : undefined;
  } catch {
    return undefined;
  }
}

// The relay gives each file the dashboard's own link (its downloadUrl).
function downloadHref(file, attachment) {
  if (typeof file.href !== "string" || !file.href.startsWith("/api/")) {
    return undefined;
  }
  return attachment ? file.href + "?download=1" : file.href;
}

function typeOf(file) {
  return (file.contentType || "").split(";")[0].trim().toLowerCase();
}

// ---- the form ------------------------------------------------------------

function currentAction() {
  return new FormData(els.form).get("action");
}

function syncForm() {
  const action = currentAction();
  for (const node of els.form.querySelectorAll("[data-actions]")) {
    node.hidden = !node.dataset.actions.split(" ").includes(action);
  }
  const formats = FORMATS[action];
  if (formats) {
    const previous = els.format.value;
    els.format.replaceChildren(
      ...formats.map(([value, label]) => {
        const option = el("option", "", `${value.toUpperCase()} · ${label}`);
        option.value = value;
        return option;
      }),
    );
    if (formats.some(([value]) => value === previous)) {
      els.format.value = previous;
    }
  }
}

function clearErrors() {
  els.formError.textContent = "";
  for (const node of els.form.querySelectorAll("[data-error-for]")) {
    node.textContent = "";
  }
  for (const node of els.form.querySelectorAll(".invalid")) {
    node.classList.remove("invalid");
  }
}

function showErrors(message, errors) {
  const general = [];
  for (const { field, message: text } of errors ?? []) {
    const slot = els.form.querySelector(
      `[data-error-for="${CSS.escape(field)}"]`,
    );
    if (slot) {
      slot.textContent = text;
      slot.closest(".field")?.classList.add("invalid");
    } else general.push(text);
  }
  els.formError.textContent = general.length > 0
    ? general.join(" ")
    : (errors?.length ? "" : message);
}

async function submit(event) {
  event.preventDefault();
  clearErrors();
  const data = new FormData(els.form);
  const action = data.get("action");
  const body = {
    action,
    intro: data.get("intro"),
    sessionTtl: data.get("sessionTtl"),
    resultTtl: data.get("resultTtl"),
  };
  if (action === "scan") {
    body.documentMode = data.get("documentMode");
    body.scanOutputFormat = data.get("scanOutputFormat");
  } else {
    body.outputFormat = data.get("outputFormat");
  }
  els.button.disabled = true;
  els.button.textContent = "Creating…";
  try {
    const response = await fetch("/api/sessions", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      showErrors(answer.error || `Failed: ${response.status}`, answer.errors);
      return;
    }
    if (answer.session) addCard(answer.session);
  } catch (error) {
    showErrors(`Cannot reach the dashboard: ${error.message}`);
  } finally {
    els.button.disabled = false;
    els.button.textContent = "Create session";
  }
}

// ---- the cards -----------------------------------------------------------

function kindLabel(info) {
  const action = ACTIONS[info.actionType] ?? info.actionType;
  if (info.actionType === "scan") {
    const mode = info.documentMode === "multi"
      ? "several documents"
      : "one document";
    const format = info.scanOutputFormat === "images" ? "images" : "PDF";
    return `${action} · ${mode} · ${format}`;
  }
  return info.outputFormat
    ? `${action} · ${info.outputFormat.toUpperCase()}`
    : action;
}

function sessionPath(id) {
  return "/api/sessions/" + encodeURIComponent(id);
}

// What the card shows of the session itself: from the list (or the create
// answer) first, then from each relay stream's `session` event.
function applyInfo(entry, info) {
  const { card } = entry;
  entry.info = { ...entry.info, ...info };
  $(".kind", card).textContent = kindLabel(entry.info);
  $(".url", card).value = entry.info.url;
  $(".created", card).textContent = time(entry.info.createdAt);
  const intro = $(".intro", card);
  intro.textContent = entry.info.introText ?? "";
  intro.hidden = !entry.info.introText;
  renderPhoneLink(entry);
  if (info.qrCode && $(".qr", card).getAttribute("src") !== info.qrCode) {
    $(".qr", card).src = info.qrCode;
  }
}

// The stub's phone page, while the session can still be done; once it is
// over the link stays, disabled, so the card keeps its shape.
function renderPhoneLink(entry) {
  const link = $(".phone-link", entry.card);
  const href = httpUrl(entry.info.url ?? "");
  link.hidden = !(href && state.mode === "stub");
  const over = entry.final || entry.status === "completed" ||
    entry.status === "expired";
  if (href && !over) {
    link.href = href;
    link.removeAttribute("aria-disabled");
    link.title = "Do the action in a new tab, as a phone would";
  } else {
    link.removeAttribute("href");
    link.setAttribute("aria-disabled", "true");
    link.title = entry.status === "expired"
      ? "The session expired"
      : "The session is finished";
  }
}

function createCard(entry) {
  const card = els.template.content.firstElementChild.cloneNode(true);
  card.dataset.sessionId = entry.id;
  $(".sid", card).textContent = entry.id.slice(0, 8);
  $(".sid", card).title = entry.id;
  $(".copy", card).addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const input = $(".url", card);
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      input.select();
      document.execCommand?.("copy");
    }
    button.textContent = "Copied";
    setTimeout(() => (button.textContent = "Copy"), 1500);
  });
  $(".remove", card).addEventListener("click", async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    // Nothing more is to be shown: the relay stream goes first.
    unfollow(entry);
    const response = await fetch(sessionPath(entry.id), { method: "DELETE" })
      .catch(() => undefined);
    if (response?.status === 204 || response?.status === 404) {
      removeCard(entry.id);
    } else {
      button.disabled = false;
      follow(entry);
    }
  });
  return card;
}

function renderTimeline(entry) {
  // In the order of the events' timestamps (a resumed stream replays older
  // statuses after the current connection state).
  const lines = entry.timeline
    .map((line, i) => ({ line, i, at: Date.parse(line.at) || 0 }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map(({ line }) => {
      const item = el("li");
      item.dataset.kind = line.kind;
      if (line.kind === "status") item.dataset.status = line.status;
      else item.dataset.connection = line.connection;
      const label = line.kind === "status"
        ? TIMELINE_LABELS[line.status] ?? line.status
        : CONNECTION_TIMELINE[line.connection] ?? line.connection;
      const stamp = el("time", "", time(line.at));
      stamp.dateTime = line.at;
      item.append(stamp, el("span", "", label));
      return item;
    });
  $(".timeline", entry.card).replaceChildren(...lines);
}

function renderSteps(entry) {
  const { card, status } = entry;
  const reached = STEP_ORDER.indexOf(status);
  for (const step of card.querySelectorAll(".steps li")) {
    const index = STEP_ORDER.indexOf(step.dataset.step);
    const seen = entry.timeline.some((line) =>
      line.kind === "status" && line.status === step.dataset.step
    );
    step.className =
      index < reached || (index === reached && status === "completed")
        ? "done"
        : index === reached
        ? "current"
        : seen
        ? "done"
        : "";
  }
  $(".steps", card).dataset.expired = String(status === "expired");
}

function filePreview(file, label) {
  const figure = el("figure", "file");
  figure.dataset.downloadId = file.downloadId;
  const type = typeOf(file);
  const href = downloadHref(file, false);
  if (href === undefined) {
    figure.append(el("div", "thumb placeholder", type || "file"));
  } else if (PREVIEW_TYPES.has(type)) {
    const link = el("a", "thumb");
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener";
    const img = el("img", "preview");
    img.alt = label;
    img.loading = "lazy";
    img.src = href;
    img.addEventListener("error", () => figure.classList.add("broken"));
    link.append(img);
    figure.append(link);
  } else if (type === "application/pdf") {
    // The browser's viewer, fitted to the first page: the frame takes that
    // page's shape once the dashboard has read it, with the page count.
    figure.classList.add("pdf-file");
    const frame = el("iframe", "pdf");
    frame.src = `${href}#page=1&view=Fit&toolbar=0&navpanes=0&scrollbar=0`;
    frame.title = label;
    frame.loading = "lazy";
    figure.append(frame);
    pdfPages(file, figure, frame);
  } else {
    figure.append(el("div", "thumb placeholder", type || "file"));
  }
  const caption = el("figcaption");
  caption.append(el("span", "file-name", label));
  if (type === "application/pdf" && href !== undefined) {
    caption.append(el("span", "page-count muted", "PDF"));
  }
  if (href !== undefined) {
    const actions = el("span", "file-actions");
    const open = el("a", "button tiny secondary", "Open");
    open.href = href;
    open.target = "_blank";
    open.rel = "noopener";
    const save = el("a", "button tiny", "Download");
    save.href = downloadHref(file, true);
    save.download = file.filename ?? "";
    actions.append(open, save);
    caption.append(actions);
  }
  figure.append(caption);
  return figure;
}

// A PDF's page count and first page's shape, from the dashboard (which reads
// the file with pdf-lib).
async function pdfPages(file, figure, frame) {
  const route = `${downloadHref(file, false)}/pages`;
  const response = await fetch(route).catch(() => undefined);
  const answer = response?.ok ? await response.json().catch(() => ({})) : {};
  const count = $(".page-count", figure);
  if (!Number.isInteger(answer.pages)) {
    if (count) count.textContent = "PDF · pages unknown";
    return;
  }
  figure.dataset.pages = String(answer.pages);
  if (count) {
    count.textContent = `PDF · ${answer.pages} page${
      answer.pages === 1 ? "" : "s"
    }`;
  }
  if (answer.width > 0 && answer.height > 0) {
    frame.style.aspectRatio = `${answer.width} / ${answer.height}`;
  }
}

// The files of the `completed` event: `result` for photos and signatures,
// `documents` for scans.
function renderResult(entry) {
  const box = $(".result", entry.card);
  const done = entry.completed;
  const key = JSON.stringify([done?.result, done?.documents]);
  if (box.dataset.key === key) return; // unchanged: keep the loaded images
  box.dataset.key = key;
  const parts = [];
  if (done?.result) {
    const files = el("div", "files");
    done.result.forEach((file, i) =>
      files.append(filePreview(file, file.filename || `File ${i + 1}`))
    );
    if (done.result.length === 0) {
      files.append(el("p", "muted", "The phone sent no file."));
    }
    parts.push(el("h4", "", "Result"), files);
  }
  if (done?.documents) {
    parts.push(el("h4", "", `Scanned documents (${done.documents.length})`));
    done.documents.forEach((document, d) => {
      const section = el("section", "document");
      section.dataset.document = String(d + 1);
      const pages = document.format === "images" ? document.pages : [];
      section.append(
        el(
          "h5",
          "",
          `Document ${d + 1}${
            document.format === "images"
              ? ` · ${pages.length} page${pages.length === 1 ? "" : "s"}`
              : " · PDF"
          }`,
        ),
      );
      const files = el("div", "files");
      if (document.format === "pdf") {
        files.append(filePreview(document.file, `Document ${d + 1} (PDF)`));
      } else {
        pages.forEach((page, p) =>
          files.append(filePreview(page, `Page ${p + 1}`))
        );
      }
      section.append(files);
      parts.push(section);
    });
  }
  box.replaceChildren(...parts);
  box.hidden = parts.length === 0;
}

const STREAM_LABELS = {
  reconnecting: "Reconnecting…",
  offline: "Updates stopped, retrying…",
};

function render(entry) {
  const { card } = entry;
  card.dataset.status = entry.status;
  card.dataset.stream = entry.stream;
  card.dataset.heard = entry.heard.join(" ");
  const badge = $(".badge.status", card);
  badge.textContent = STATUS_LABELS[entry.status] ?? entry.status;
  badge.dataset.status = entry.status;
  const conn = $(".badge.conn", card);
  const connection = entry.connection ?? "connecting";
  conn.textContent = CONNECTION_LABELS[connection] ?? connection;
  conn.dataset.connection = connection;
  conn.title = connection === "closed"
    ? "The session is over: the dashboard no longer listens to the Handoff server"
    : "How the dashboard hears from the Handoff server";
  const stream = $(".badge.stream", card);
  stream.hidden = STREAM_LABELS[entry.stream] === undefined;
  stream.textContent = STREAM_LABELS[entry.stream] ?? "";
  stream.dataset.stream = entry.stream;
  const error = $(".session-error", card);
  error.hidden = !entry.error;
  error.textContent = entry.error ?? "";
  renderPhoneLink(entry);
  renderSteps(entry);
  renderTimeline(entry);
  renderResult(entry);
  tick(entry);
}

function tick(entry) {
  const { card, info } = entry;
  const now = Date.now() + state.clockOffset;
  const label = $(".time-label", card);
  const value = $(".time-left", card);
  let text;
  if (entry.status === "expired") {
    label.textContent = "Expired";
    text = time(info.expiresAt);
  } else if (entry.status === "completed") {
    label.textContent = "Files kept";
    const until = Date.parse(entry.filesExpireAt);
    text = Number.isNaN(until)
      ? "…"
      : until > now
      ? `${duration(until - now)} more`
      : "no longer (result TTL ran out)";
  } else {
    label.textContent = "Expires in";
    const left = Date.parse(info.expiresAt) - now;
    text = left > 0 ? duration(left) : "now";
    value.classList.toggle("soon", left < 60_000);
  }
  if (value.textContent !== text) value.textContent = text;
}

// ---- one relay stream per card --------------------------------------------

// The final event: the relay stream ends with it, before the session
// releases its link to the Handoff server, so the page says so itself.
function finish(entry) {
  entry.final = true;
  entry.stream = "done";
  entry.connection = "closed";
}

function advance(entry, status, at) {
  if ((RANKS[status] ?? -1) <= RANKS[entry.status]) return; // seen already
  entry.status = status;
  entry.timeline.push({ kind: "status", status, at });
}

async function learnFilesExpiry(entry) {
  // The dashboard asks the Handoff server when the files expire; the
  // session's view has it once it knows.
  const response = await fetch(sessionPath(entry.id)).catch(() => undefined);
  const answer = response?.ok ? await response.json().catch(() => ({})) : {};
  if (answer.session?.filesExpireAt) {
    entry.filesExpireAt = answer.session.filesExpireAt;
    tick(entry);
  }
}

function setStream(entry, stream) {
  entry.stream = stream;
  render(entry);
  updateLive();
}

function unfollow(entry) {
  clearTimeout(entry.retry);
  entry.source?.close();
  entry.source = undefined;
}

function follow(entry) {
  unfollow(entry);
  // The card shows "Created" from createdAt, so a first stream asks for every
  // status after `pending`: a page opened mid-session shows the whole
  // timeline. Reconnects of the EventSource send Last-Event-ID themselves.
  const from = entry.lastEventId ?? `${entry.id}:0`;
  const source = new EventSource(
    `${sessionPath(entry.id)}/events?lastEventId=${encodeURIComponent(from)}`,
  );
  entry.source = source;
  const on = (type, handle) =>
    source.addEventListener(type, (event) => {
      if (entry.source !== source) return;
      if (event.lastEventId) entry.lastEventId = event.lastEventId;
      handle(JSON.parse(event.data), event);
      render(entry);
      updateLive();
    });
  const heard = (event) => {
    if (event.lastEventId) entry.heard.push(event.lastEventId);
  };

  source.addEventListener("open", () => {
    if (entry.source === source && !entry.final) setStream(entry, "live");
  });
  on("session", (data) => applyInfo(entry, data));
  on("connection", (data) => {
    if (data.state === entry.connection) return; // the same, on a new stream
    entry.connection = data.state;
    if (CONNECTION_TIMELINE[data.state]) {
      entry.timeline.push({
        kind: "connection",
        connection: data.state,
        at: data.timestamp,
      });
    }
  });
  on("status", (data, event) => {
    heard(event);
    advance(entry, data.status, data.timestamp);
  });
  on("completed", (data, event) => {
    heard(event);
    finish(entry);
    advance(entry, "completed", data.timestamp);
    entry.completed = data;
    learnFilesExpiry(entry);
  });
  on("expired", (data, event) => {
    heard(event);
    finish(entry);
    advance(entry, "expired", data.timestamp);
  });
  source.addEventListener("error", (event) => {
    if (entry.source !== source) return;
    if (event instanceof MessageEvent) {
      // The relay's `error` event: the session failed for good. A reconnect
      // would only hear it again.
      const data = JSON.parse(event.data);
      entry.error = `${data.name}: ${data.message}`;
      finish(entry);
      unfollow(entry);
      setStream(entry, "done");
    } else if (entry.final) {
      // The stream ended after the final event; the reconnect is answered
      // 204, which closes the EventSource. Nothing is wrong.
      if (source.readyState === EventSource.CLOSED) unfollow(entry);
    } else if (source.readyState === EventSource.CONNECTING) {
      setStream(entry, "reconnecting"); // it resumes by itself
    } else {
      gaveUp(entry);
    }
  });
}

// The browser gave up on the stream (an HTTP error): a session the dashboard
// no longer has (removed in another tab, or a restarted dashboard) goes;
// otherwise the stream is reopened by hand, from the last event heard.
async function gaveUp(entry) {
  unfollow(entry);
  const response = await fetch(sessionPath(entry.id)).catch(() => undefined);
  await response?.body?.cancel();
  if (state.sessions.get(entry.id) !== entry) return;
  if (response?.status === 404) return removeCard(entry.id);
  setStream(entry, "offline");
  entry.retry = setTimeout(() => follow(entry), 3000);
}

function addCard(view) {
  if (state.sessions.has(view.id)) return;
  const entry = {
    id: view.id,
    card: undefined,
    info: {},
    status: "pending",
    connection: undefined, // the relay says
    timeline: [{ kind: "status", status: "pending", at: view.createdAt }],
    heard: [], // the ids of the status events received, in order
    completed: undefined,
    filesExpireAt: undefined,
    error: undefined,
    final: false, // completed, expired or failed: the relay has no more to say
    stream: "connecting",
    source: undefined,
    lastEventId: undefined,
    retry: undefined,
  };
  entry.card = createCard(entry);
  applyInfo(entry, view);
  state.sessions.set(view.id, entry);
  els.list.prepend(entry.card);
  render(entry);
  follow(entry);
  updateCount();
}

function removeCard(id) {
  const entry = state.sessions.get(id);
  if (entry === undefined) return;
  unfollow(entry);
  entry.card.remove();
  state.sessions.delete(id);
  updateCount();
  updateLive();
}

function updateCount() {
  const n = state.sessions.size;
  els.empty.hidden = n > 0;
  els.count.textContent = n === 0 ? "" : `${n} session${n === 1 ? "" : "s"}`;
}

// ---- the list ------------------------------------------------------------

function setLive(stateName, text) {
  els.live.dataset.state = stateName;
  els.liveText.textContent = text;
}

// The top badge: whether every card hears its session live.
function updateLive() {
  if (!state.listed) return;
  const streams = [...state.sessions.values()].map((entry) => entry.stream);
  if (streams.includes("offline")) setLive("offline", "Some updates stopped");
  else if (streams.includes("reconnecting")) {
    setLive("reconnecting", "Reconnecting…");
  } else setLive("live", "Live");
}

async function loadSessions() {
  let answer;
  try {
    const response = await fetch("/api/sessions");
    if (response.status === 401) {
      // On a network the dashboard needs its token (a restart makes a new
      // one): asking again would not help.
      await response.body?.cancel();
      setLive(
        "offline",
        "Access token needed: open the URL the dashboard printed at start-up",
      );
      return;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    answer = await response.json();
  } catch {
    setLive("offline", "Cannot reach the dashboard, retrying…");
    setTimeout(loadSessions, 3000);
    return;
  }
  state.clockOffset = Date.parse(answer.serverTime) - Date.now() || 0;
  state.mode = answer.mode;
  els.server.textContent = answer.mode === "stub"
    ? `Embedded stub server · ${answer.handoffUrl}`
    : `Handoff server · ${answer.handoffUrl}`;
  els.server.dataset.mode = answer.mode;
  for (const view of answer.sessions) addCard(view); // oldest first: newest on top
  state.listed = true;
  updateLive();
}

els.form.addEventListener("change", (event) => {
  if (event.target.name === "action") syncForm();
});
els.form.addEventListener("submit", submit);
syncForm();
updateCount();
loadSessions();
setInterval(() => {
  for (const entry of state.sessions.values()) tick(entry);
}, 1000);
