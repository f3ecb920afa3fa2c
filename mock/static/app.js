// Copyright 2026 the handoff authors. MIT license.
// The mock dashboard's page: the create form, and the session cards kept up
// to date from the dashboard's Server-Sent Events stream. Text from sessions
// is only ever set with textContent or as attribute values, never as markup.
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
  closed: "Socket closed",
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
  sessions: new Map(), // id → { view, card }
  mode: undefined,
  clockOffset: 0, // server time − local time, in ms
  lastEventId: undefined,
  snapshots: 0,
  source: undefined,
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

function downloadHref(file, attachment) {
  const base = "/api/downloads/" + encodeURIComponent(file.downloadId);
  return attachment ? base + "?download=1" : base;
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
    // The stream brings it too; show it now if the stream has not yet.
    if (answer.session && !state.sessions.has(answer.session.id)) {
      upsert(answer.session);
    }
  } catch (error) {
    showErrors(`Cannot reach the dashboard: ${error.message}`);
  } finally {
    els.button.disabled = false;
    els.button.textContent = "Create session";
  }
}

// ---- the cards -----------------------------------------------------------

function kindLabel(view) {
  const action = ACTIONS[view.actionType] ?? view.actionType;
  if (view.actionType === "scan") {
    const mode = view.documentMode === "multi"
      ? "several documents"
      : "one document";
    const format = view.scanOutputFormat === "images" ? "images" : "PDF";
    return `${action} · ${mode} · ${format}`;
  }
  return view.outputFormat
    ? `${action} · ${view.outputFormat.toUpperCase()}`
    : action;
}

function createCard(view) {
  const card = els.template.content.firstElementChild.cloneNode(true);
  card.dataset.sessionId = view.id;
  $(".kind", card).textContent = kindLabel(view);
  $(".sid", card).textContent = view.id.slice(0, 8);
  $(".sid", card).title = view.id;
  $(".url", card).value = view.url;
  $(".created", card).textContent = time(view.createdAt);
  if (view.introText) {
    const intro = $(".intro", card);
    intro.textContent = view.introText;
    intro.hidden = false;
  }
  const link = $(".phone-link", card);
  const href = httpUrl(view.url);
  if (href && state.mode === "stub") {
    link.href = href;
    link.hidden = false;
  }
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
    event.currentTarget.disabled = true;
    const response = await fetch(
      "/api/sessions/" + encodeURIComponent(view.id),
      { method: "DELETE" },
    ).catch(() => undefined);
    if (response?.status === 204 || response?.status === 404) {
      removeCard(view.id);
    } else event.currentTarget.disabled = false;
  });
  return card;
}

function renderTimeline(card, view) {
  const list = $(".timeline", card);
  const items = view.timeline.map((entry) => {
    const item = el("li");
    item.dataset.kind = entry.kind;
    const label = entry.kind === "status"
      ? TIMELINE_LABELS[entry.status] ?? entry.status
      : entry.connection === "websocket"
      ? "Live over WebSocket"
      : entry.connection === "polling"
      ? "Falling back to polling"
      : CONNECTION_LABELS[entry.connection] ?? entry.connection;
    if (entry.kind === "status") item.dataset.status = entry.status;
    else item.dataset.connection = entry.connection;
    item.append(el("time", "", time(entry.at)), el("span", "", label));
    item.querySelector("time").dateTime = entry.at;
    return item;
  });
  list.replaceChildren(...items);
}

function renderSteps(card, view) {
  const reached = STEP_ORDER.indexOf(view.status);
  for (const step of card.querySelectorAll(".steps li")) {
    const index = STEP_ORDER.indexOf(step.dataset.step);
    const seen = view.timeline.some((entry) =>
      entry.kind === "status" && entry.status === step.dataset.step
    );
    step.className =
      index < reached || (index === reached && view.status === "completed")
        ? "done"
        : index === reached
        ? "current"
        : seen
        ? "done"
        : "";
  }
  card.querySelector(".steps").dataset.expired = String(
    view.status === "expired",
  );
}

function filePreview(file, label) {
  const figure = el("figure", "file");
  figure.dataset.downloadId = file.downloadId;
  const type = typeOf(file);
  if (PREVIEW_TYPES.has(type)) {
    const link = el("a", "thumb");
    link.href = downloadHref(file, false);
    link.target = "_blank";
    link.rel = "noopener";
    const img = el("img", "preview");
    img.alt = label;
    img.loading = "lazy";
    img.src = downloadHref(file, false);
    img.addEventListener("error", () => figure.classList.add("broken"));
    link.append(img);
    figure.append(link);
  } else if (type === "application/pdf") {
    const frame = el("iframe", "pdf");
    frame.src = downloadHref(file, false);
    frame.title = label;
    frame.loading = "lazy";
    figure.append(frame);
  } else {
    figure.append(el("div", "thumb placeholder", type || "file"));
  }
  const caption = el("figcaption");
  caption.append(el("span", "file-name", label));
  const actions = el("span", "file-actions");
  const open = el("a", "button tiny secondary", "Open");
  open.href = downloadHref(file, false);
  open.target = "_blank";
  open.rel = "noopener";
  const save = el("a", "button tiny", "Download");
  save.href = downloadHref(file, true);
  save.download = file.filename;
  actions.append(open, save);
  caption.append(actions);
  figure.append(caption);
  return figure;
}

function renderResult(card, view) {
  const box = $(".result", card);
  const key = JSON.stringify([view.result, view.documents]);
  if (box.dataset.key === key) return; // unchanged: keep the loaded images
  box.dataset.key = key;
  const parts = [];
  if (view.result) {
    const files = el("div", "files");
    view.result.forEach((file) =>
      files.append(filePreview(file, file.filename))
    );
    if (view.result.length === 0) {
      files.append(el("p", "muted", "The phone sent no file."));
    }
    parts.push(el("h4", "", "Result"), files);
  }
  if (view.documents) {
    parts.push(el("h4", "", `Scanned documents (${view.documents.length})`));
    view.documents.forEach((document, d) => {
      const section = el("section", "document");
      section.dataset.document = String(d + 1);
      const pages = document.format === "images"
        ? ` · ${document.files.length} page${
          document.files.length === 1 ? "" : "s"
        }`
        : " · PDF";
      section.append(el("h5", "", `Document ${d + 1}${pages}`));
      const files = el("div", "files");
      document.files.forEach((file, p) =>
        files.append(
          filePreview(
            file,
            document.format === "images" ? `Page ${p + 1}` : file.filename,
          ),
        )
      );
      section.append(files);
      parts.push(section);
    });
  }
  box.replaceChildren(...parts);
  box.hidden = parts.length === 0;
}

function render(entry) {
  const { view, card } = entry;
  card.dataset.status = view.status;
  const badge = $(".badge.status", card);
  badge.textContent = STATUS_LABELS[view.status] ?? view.status;
  badge.dataset.status = view.status;
  const conn = $(".badge.conn", card);
  conn.textContent = CONNECTION_LABELS[view.connection] ?? view.connection;
  conn.dataset.connection = view.connection;
  conn.title = "How the dashboard hears from the Handoff server";
  if (view.qrCode && $(".qr", card).getAttribute("src") !== view.qrCode) {
    $(".qr", card).src = view.qrCode;
  }
  const error = $(".session-error", card);
  error.hidden = !view.error;
  error.textContent = view.error ?? "";
  renderSteps(card, view);
  renderTimeline(card, view);
  renderResult(card, view);
  tick(entry);
}

function tick(entry) {
  const { view, card } = entry;
  const now = Date.now() + state.clockOffset;
  const label = $(".time-label", card);
  const value = $(".time-left", card);
  let text;
  if (view.status === "expired") {
    label.textContent = "Expired";
    text = time(view.expiresAt);
  } else if (view.status === "completed") {
    label.textContent = "Files kept";
    text = view.filesExpireAt
      ? (Date.parse(view.filesExpireAt) > now
        ? `${duration(Date.parse(view.filesExpireAt) - now)} more`
        : "no longer (result TTL ran out)")
      : "…";
  } else {
    label.textContent = "Expires in";
    const left = Date.parse(view.expiresAt) - now;
    text = left > 0 ? duration(left) : "now";
    value.classList.toggle("soon", left < 60_000);
  }
  if (value.textContent !== text) value.textContent = text;
}

function upsert(view) {
  let entry = state.sessions.get(view.id);
  if (entry === undefined) {
    entry = { view, card: createCard(view) };
    state.sessions.set(view.id, entry);
    els.list.prepend(entry.card);
  }
  entry.view = view;
  render(entry);
  updateCount();
}

function removeCard(id) {
  const entry = state.sessions.get(id);
  if (entry === undefined) return;
  entry.card.remove();
  state.sessions.delete(id);
  updateCount();
}

function updateCount() {
  const n = state.sessions.size;
  els.empty.hidden = n > 0;
  els.count.textContent = n === 0 ? "" : `${n} session${n === 1 ? "" : "s"}`;
}

// ---- the stream ----------------------------------------------------------

function setLive(stateName, text) {
  els.live.dataset.state = stateName;
  els.liveText.textContent = text;
}

function applySnapshot(snapshot) {
  state.snapshots++;
  document.documentElement.dataset.snapshots = String(state.snapshots);
  state.clockOffset = Date.parse(snapshot.serverTime) - Date.now() || 0;
  const modeChanged = state.mode !== snapshot.mode;
  state.mode = snapshot.mode;
  els.server.textContent = snapshot.mode === "stub"
    ? `Embedded stub server · ${snapshot.handoffUrl}`
    : `Handoff server · ${snapshot.handoffUrl}`;
  els.server.dataset.mode = snapshot.mode;
  const ids = new Set(snapshot.sessions.map((view) => view.id));
  for (const id of [...state.sessions.keys()]) {
    if (!ids.has(id) || modeChanged) removeCard(id);
  }
  for (const view of snapshot.sessions) upsert(view);
}

function remember(event) {
  if (event.lastEventId) {
    state.lastEventId = event.lastEventId;
    document.documentElement.dataset.lastEventId = event.lastEventId;
  }
}

function connect() {
  // A stream the browser gave up on (an HTTP error) is reopened by hand,
  // resuming after the last event seen.
  const url = state.lastEventId
    ? "/api/events?lastEventId=" + encodeURIComponent(state.lastEventId)
    : "/api/events";
  const source = new EventSource(url);
  state.source = source;
  source.addEventListener("open", () => setLive("live", "Live"));
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) {
      setLive("offline", "Offline, retrying…");
      setTimeout(connect, 3000);
    } else setLive("reconnecting", "Reconnecting…");
  });
  source.addEventListener("snapshot", (event) => {
    remember(event);
    applySnapshot(JSON.parse(event.data));
  });
  source.addEventListener("session", (event) => {
    remember(event);
    upsert(JSON.parse(event.data));
  });
  source.addEventListener("removed", (event) => {
    remember(event);
    removeCard(JSON.parse(event.data).id);
  });
}

els.form.addEventListener("change", (event) => {
  if (event.target.name === "action") syncForm();
});
els.form.addEventListener("submit", submit);
syncForm();
updateCount();
connect();
setInterval(() => {
  for (const entry of state.sessions.values()) tick(entry);
}, 1000);
