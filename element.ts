// Copyright 2026 the handoff authors. MIT license.
/// <reference lib="dom" />
/**
 * `<handoff-session>`: a web component that shows a session to the person at
 * the computer, fed by the app's own event relay
 * (`sessionEventResponse(session, { request, qrCode: true })` on the
 * backend). It holds no API key and talks to nothing but that relay route.
 *
 * ```html
 * <script type="module">import "@handoff/client/element";</script>
 * <handoff-session src="/sessions/123/events"></handoff-session>
 * ```
 *
 * It shows the QR code (from the relay's `session` event, so the page loads
 * no QR library), the URL as a link, a live status line (waiting, opened on
 * the phone, in progress, done) in an `aria-live="polite"` region, the time
 * left before the session expires, and when done the files (thumbnails of
 * images that have a link, names and types otherwise). On expiry or failure
 * it says so.
 *
 * **Events** (bubbling, composed; typed in `HTMLElementEventMap`):
 * `handoff-status` ({@linkcode HandoffStatusDetail}), `handoff-completed`
 * ({@linkcode HandoffCompletedDetail}), `handoff-expired`
 * ({@linkcode HandoffExpiredDetail}), `handoff-error`
 * ({@linkcode HandoffErrorDetail}).
 *
 * **Attributes**: `src` (the relay URL; changing it reconnects),
 * `with-credentials` (send cookies to a cross-origin relay), and the texts
 * `text-waiting`, `text-opened`, `text-started`, `text-done`,
 * `text-expired`, `text-closed`, `text-connection-error`, `text-qr-alt`,
 * `text-time-left` (`{time}` is replaced by `m:ss`), `text-items`.
 *
 * **Parts** (`::part()`): `container`, `qr`, `link`, `status`, `timer`,
 * `items`, `item`, `thumbnail`, `item-name`, `item-type`, `error`.
 *
 * **Custom properties**: `--handoff-accent` (links, focus ring),
 * `--handoff-fg`, `--handoff-bg`, `--handoff-muted` (secondary text),
 * `--handoff-border`, `--handoff-error` (error text), `--handoff-radius`,
 * `--handoff-gap`, `--handoff-qr-size` (default `min(256px, 100%)`),
 * `--handoff-thumb-size` (default `96px`), `--handoff-font`. The defaults
 * follow `prefers-color-scheme`.
 *
 * **Slots**: `header` (above the QR code) and the default slot (below the
 * status).
 *
 * The element reconnects on its own (`EventSource` sends `Last-Event-ID`
 * and the relay replays what was missed; statuses already shown are not
 * shown again), and closes its connection when removed from the page or
 * after the final event. Importing this module defines the element (unless
 * the name is taken) and does nothing else. It uses the DOM only: no
 * dependency, no build step.
 *
 * @example Show a session and hear about its result
 * ```ts ignore
 * import "@handoff/client/element";
 *
 * const element = document.createElement("handoff-session");
 * element.setAttribute("src", `/sessions/${id}/events`);
 * element.addEventListener("handoff-completed", (event) => {
 *   console.log(event.detail.result?.map((file) => file.href));
 * });
 * document.body.append(element);
 * ```
 *
 * @module
 */

/** What a session's phone side can be doing, as the relay says it. */
export type HandoffSessionStatus =
  | "pending"
  | "opened"
  | "action_started"
  | "completed"
  | "expired";

/**
 * The relay's `session` event, as the element reads it (the same shape as
 * `RelaySessionData` of `@handoff/client`).
 *
 * @example
 * ```ts
 * import type { HandoffSessionInfo } from "@handoff/client/element";
 *
 * const expiresIn = (info: HandoffSessionInfo, now: number) =>
 *   Date.parse(info.expiresAt) - now;
 * ```
 */
export interface HandoffSessionInfo {
  /** The session id. */
  readonly id: string;
  /** The URL for the phone. */
  readonly url: string;
  /** The action asked for (`photo`, `signature`, `scan`). */
  readonly actionType: string;
  /** When the session expires (ISO 8601). */
  readonly expiresAt: string;
  /** The status when the connection opened. */
  readonly status: HandoffSessionStatus;
  /** The URL as a QR code image (a data URL), when the relay sends one. */
  readonly qrCode?: string;
}

/**
 * The `detail` of a `handoff-status` event: the phone side moved on.
 *
 * @example
 * ```ts
 * import type { HandoffStatusDetail } from "@handoff/client/element";
 *
 * const started = (detail: HandoffStatusDetail) => detail.status === "action_started";
 * ```
 */
export interface HandoffStatusDetail {
  /** The session id. */
  readonly sessionId: string;
  /** The new status. */
  readonly status: "pending" | "opened" | "action_started";
  /** When it happened (ISO 8601). */
  readonly timestamp: string;
}

/**
 * A result file as the relay describes it (the same shape as `RelayFile`).
 *
 * @example
 * ```ts
 * import type { HandoffFile } from "@handoff/client/element";
 *
 * const isImage = (file: HandoffFile) => file.contentType.startsWith("image/");
 * ```
 */
export interface HandoffFile {
  /** The file's download id on the Handoff server. */
  readonly downloadId: string;
  /** Its content type. */
  readonly contentType: string;
  /** The file name, for photos and signatures. */
  readonly filename?: string;
  /** The app's own link to it, when the app maps one. */
  readonly href?: string;
}

/**
 * A scanned document as the relay describes it (as `RelayDocument`).
 *
 * @example
 * ```ts
 * import type { HandoffDocument } from "@handoff/client/element";
 *
 * const files = (d: HandoffDocument) => d.format === "pdf" ? [d.file] : d.pages;
 * ```
 */
export type HandoffDocument =
  | { readonly format: "pdf"; readonly file: HandoffFile }
  | { readonly format: "images"; readonly pages: readonly HandoffFile[] };

/**
 * The `detail` of a `handoff-completed` event: the relay's `completed` data.
 *
 * @example
 * ```ts
 * import type { HandoffCompletedDetail } from "@handoff/client/element";
 *
 * const count = (detail: HandoffCompletedDetail) =>
 *   (detail.result?.length ?? 0) + (detail.documents?.length ?? 0);
 * ```
 */
export interface HandoffCompletedDetail {
  /** The session id. */
  readonly sessionId: string;
  /** Always `"completed"`. */
  readonly status: "completed";
  /** When it happened (ISO 8601). */
  readonly timestamp: string;
  /** The session's action. */
  readonly actionType: string;
  /** The files of a photo or signature session. */
  readonly result?: readonly HandoffFile[];
  /** The documents of a scan session. */
  readonly documents?: readonly HandoffDocument[];
}

/**
 * The `detail` of a `handoff-expired` event.
 *
 * @example
 * ```ts
 * import type { HandoffExpiredDetail } from "@handoff/client/element";
 *
 * const text = (detail: HandoffExpiredDetail) => `${detail.sessionId} expired`;
 * ```
 */
export interface HandoffExpiredDetail {
  /** The session id. */
  readonly sessionId: string;
  /** Always `"expired"`. */
  readonly status: "expired";
  /** When the backend learnt of it (ISO 8601). */
  readonly timestamp: string;
}

/**
 * The `detail` of a `handoff-error` event: the relay's `error` event (the
 * session failed for good), or the element's own when the relay cannot be
 * used (`name` is `"RelayConnectionError"`: it answered with an error
 * status or not an event stream; `"RelayClosedError"`: it ended the stream
 * for good before a final event, e.g. the app closed the session).
 *
 * @example
 * ```ts
 * import type { HandoffErrorDetail } from "@handoff/client/element";
 *
 * const text = (detail: HandoffErrorDetail) => `${detail.name}: ${detail.message}`;
 * ```
 */
export interface HandoffErrorDetail {
  /** The session id, when known. */
  readonly sessionId?: string;
  /** The error's class name (`"UnauthorizedError"`, `"NotFoundError"`, …). */
  readonly name: string;
  /** What went wrong. */
  readonly message: string;
}

/**
 * Where the element stands, reflected as its `state` attribute (for CSS:
 * `handoff-session[state="done"]`).
 *
 * @example
 * ```ts
 * import type { HandoffElementState } from "@handoff/client/element";
 *
 * const over = (state: HandoffElementState) => state === "done" || state === "expired" || state === "error";
 * ```
 */
export type HandoffElementState =
  | "idle"
  | "connecting"
  | "waiting"
  | "opened"
  | "started"
  | "done"
  | "expired"
  | "error";

declare global {
  interface HTMLElementTagNameMap {
    "handoff-session": HandoffSessionElement;
  }
  interface HTMLElementEventMap {
    "handoff-status": CustomEvent<HandoffStatusDetail>;
    "handoff-completed": CustomEvent<HandoffCompletedDetail>;
    "handoff-expired": CustomEvent<HandoffExpiredDetail>;
    "handoff-error": CustomEvent<HandoffErrorDetail>;
  }
}

const TEXTS = {
  "text-waiting": "Scan the code with your phone",
  "text-opened": "Opened on the phone",
  "text-started": "In progress on the phone…",
  "text-done": "Done",
  "text-expired": "This session has expired",
  "text-closed": "This session has ended",
  "text-connection-error": "Updates are unavailable",
  "text-connecting": "Connecting…",
  "text-qr-alt": "QR code: scan with your phone",
  "text-time-left": "{time} left",
  "text-items": "Received",
} as const;

type TextName = keyof typeof TEXTS;

const STATE_TEXT: Readonly<Record<HandoffElementState, TextName | null>> = {
  idle: null,
  connecting: "text-connecting",
  waiting: "text-waiting",
  opened: "text-opened",
  started: "text-started",
  done: "text-done",
  expired: "text-expired",
  error: null,
};

const RANK: Readonly<Record<HandoffSessionStatus, number>> = {
  pending: 0,
  opened: 1,
  action_started: 2,
  completed: 3,
  expired: 4,
};

const STATE_OF: Readonly<Record<HandoffSessionStatus, HandoffElementState>> = {
  pending: "waiting",
  opened: "opened",
  action_started: "started",
  completed: "done",
  expired: "expired",
};

const CSS = `
:host {
  --_accent: var(--handoff-accent, #2458d6);
  --_fg: var(--handoff-fg, #1b1d22);
  --_bg: var(--handoff-bg, #ffffff);
  --_muted: var(--handoff-muted, #5b6170);
  --_border: var(--handoff-border, #d5d9e2);
  --_error: var(--handoff-error, #b3261e);
  --_radius: var(--handoff-radius, 12px);
  --_gap: var(--handoff-gap, 12px);
  display: block;
  box-sizing: border-box;
  max-width: 100%;
  color: var(--_fg);
  background: var(--_bg);
  font: var(--handoff-font, 16px/1.4 system-ui, sans-serif);
}
@media (prefers-color-scheme: dark) {
  :host {
    --_accent: var(--handoff-accent, #8fb0ff);
    --_fg: var(--handoff-fg, #e8eaef);
    --_bg: var(--handoff-bg, #17191e);
    --_muted: var(--handoff-muted, #a3a9b7);
    --_border: var(--handoff-border, #3a3f4b);
    --_error: var(--handoff-error, #ffb4ab);
  }
}
:host([hidden]) { display: none; }
[hidden] { display: none !important; }
* { box-sizing: border-box; }
[part="container"] {
  display: flex;
  flex-direction: column;
  align-items: center;
  gap: var(--_gap);
  padding: var(--_gap);
  border: 1px solid var(--_border);
  border-radius: var(--_radius);
  text-align: center;
  min-width: 0;
}
[part="qr"] {
  display: block;
  width: var(--handoff-qr-size, min(256px, 100%));
  height: auto;
  aspect-ratio: 1;
  image-rendering: pixelated;
  background: #fff;
  border-radius: calc(var(--_radius) / 2);
}
a { color: var(--_accent); overflow-wrap: anywhere; }
a:focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; border-radius: 4px; }
[part="status"] { margin: 0; font-weight: 600; }
[part="timer"] { margin: 0; color: var(--_muted); font-variant-numeric: tabular-nums; }
[part="error"] { margin: 0; color: var(--_error); overflow-wrap: anywhere; }
[part="items"] {
  list-style: none;
  margin: 0;
  padding: 0;
  display: flex;
  flex-wrap: wrap;
  justify-content: center;
  gap: var(--_gap);
  max-width: 100%;
}
[part="item"] {
  display: flex;
  flex-direction: column;
  align-items: center;
  gap: 4px;
  max-width: 100%;
  min-width: 0;
}
[part="thumbnail"] {
  display: block;
  width: var(--handoff-thumb-size, 96px);
  height: var(--handoff-thumb-size, 96px);
  object-fit: cover;
  border: 1px solid var(--_border);
  border-radius: calc(var(--_radius) / 2);
  background: #fff;
}
[part="item-name"] { overflow-wrap: anywhere; }
[part="item-type"] { color: var(--_muted); font-size: 0.875em; }
`;

let sheet: CSSStyleSheet | undefined;

/** The shared style sheet, made on first use (nothing happens at import). */
function styles(root: ShadowRoot): void {
  if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function") {
    try {
      sheet ??= new CSSStyleSheet();
      if (sheet.cssRules.length === 0) sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
      return;
    } catch {
      // no constructable style sheets: fall back to a <style> element
    }
  }
  const style = document.createElement("style");
  style.textContent = CSS;
  root.append(style);
}

/** An URL that is safe in `href`/`src`: http(s), or `data:image/` for `src`. */
function safeUrl(value: unknown, image: boolean): string | undefined {
  if (typeof value !== "string") return undefined;
  if (image && /^data:image\/(png|gif|jpeg|webp|svg\+xml)[;,]/i.test(value)) {
    return value;
  }
  try {
    const url = new URL(value, document.baseURI);
    return url.protocol === "https:" || url.protocol === "http:"
      ? url.href
      : undefined;
  } catch {
    return undefined;
  }
}

function parse(event: Event): unknown {
  try {
    return JSON.parse((event as MessageEvent<string>).data);
  } catch {
    return undefined;
  }
}

/** The rank in an event id `<session id>:<rank>`, or -1. */
function rankOfId(id: string): number {
  const value = Number(id.slice(id.lastIndexOf(":") + 1));
  return Number.isInteger(value) ? value : -1;
}

function clock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** The element's shadow parts it writes to. */
interface Parts {
  readonly qr: HTMLImageElement;
  readonly link: HTMLAnchorElement;
  readonly status: HTMLElement;
  readonly timer: HTMLElement;
  readonly itemsLabel: HTMLElement;
  readonly items: HTMLUListElement;
  readonly error: HTMLElement;
}

function filesOf(detail: HandoffCompletedDetail): HandoffFile[] {
  const files: HandoffFile[] = [...(detail.result ?? [])];
  for (const document of detail.documents ?? []) {
    if (document.format === "pdf") files.push(document.file);
    else files.push(...document.pages);
  }
  return files;
}

/**
 * The `<handoff-session>` element. Importing `@handoff/client/element`
 * defines it; set `src` to the app's relay route. See the module docs for
 * its attributes, events, parts and custom properties.
 *
 * @example Listen for the result
 * ```ts ignore
 * import "@handoff/client/element";
 *
 * const element = document.querySelector("handoff-session")!;
 * element.addEventListener("handoff-completed", (event) => {
 *   for (const file of event.detail.result ?? []) console.log(file.filename, file.href);
 * });
 * element.addEventListener("handoff-expired", () => offerAnotherSession());
 * ```
 */
export class HandoffSessionElement extends HTMLElement {
  /** The attributes whose changes the element follows. */
  static get observedAttributes(): string[] {
    return ["src", "with-credentials", ...Object.keys(TEXTS)];
  }

  #source: EventSource | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #info: HandoffSessionInfo | undefined;
  #rank = -1;
  #state: HandoffElementState = "idle";
  #result: HandoffCompletedDetail | undefined;
  #error: HandoffErrorDetail | undefined;
  #dom: Parts | undefined;

  /** The relay URL (the `src` attribute). */
  get src(): string {
    return this.getAttribute("src") ?? "";
  }
  set src(value: string) {
    this.setAttribute("src", value);
  }

  /** Where the element stands (also its `state` attribute). */
  get state(): HandoffElementState {
    return this.#state;
  }

  /** The session as the relay last described it, once known. */
  get session(): HandoffSessionInfo | undefined {
    return this.#info;
  }

  /** The completed event's data, once the session is done. */
  get result(): HandoffCompletedDetail | undefined {
    return this.#result;
  }

  /** Whether the element has a connection to the relay open (or opening). */
  get connected(): boolean {
    return this.#source !== undefined;
  }

  /** Renders and connects (the browser calls it). */
  connectedCallback(): void {
    this.#render();
    this.#open();
  }

  /** Closes the connection and stops the timer (the browser calls it). */
  disconnectedCallback(): void {
    this.#close();
  }

  /**
   * Follows attribute changes (the browser calls it): a new `src` starts
   * over with the new relay; a text attribute updates what is shown.
   *
   * @param name The attribute.
   * @param old Its previous value.
   * @param value Its new value.
   */
  attributeChangedCallback(
    name: string,
    old: string | null,
    value: string | null,
  ): void {
    if (old === value || !this.isConnected) return;
    if (name === "src" || name === "with-credentials") {
      this.#close();
      this.#reset();
      this.#open();
    } else {
      this.#update();
    }
  }

  #text(name: TextName): string {
    return this.getAttribute(name) ?? TEXTS[name];
  }

  #render(): void {
    if (this.#dom !== undefined) return;
    const root = this.shadowRoot ?? this.attachShadow({ mode: "open" });
    styles(root);
    const make = <K extends keyof HTMLElementTagNameMap>(
      tag: K,
      part: string,
    ): HTMLElementTagNameMap[K] => {
      const element = document.createElement(tag);
      element.setAttribute("part", part);
      return element;
    };
    const container = make("div", "container");
    const header = document.createElement("slot");
    header.name = "header";
    const qr = make("img", "qr");
    qr.hidden = true;
    qr.decoding = "async";
    const link = make("a", "link");
    link.hidden = true;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    const status = make("p", "status");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    const timer = make("p", "timer");
    timer.hidden = true;
    const itemsLabel = make("p", "items-label");
    itemsLabel.hidden = true;
    itemsLabel.id = "items-label";
    const items = make("ul", "items");
    items.hidden = true;
    items.setAttribute("aria-labelledby", "items-label");
    const error = make("p", "error");
    error.setAttribute("role", "alert");
    error.hidden = true;
    container.append(
      header,
      qr,
      link,
      status,
      timer,
      itemsLabel,
      items,
      error,
      document.createElement("slot"),
    );
    root.append(container);
    this.#dom = { qr, link, status, timer, itemsLabel, items, error };
    this.#update();
  }

  #reset(): void {
    this.#info = undefined;
    this.#rank = -1;
    this.#result = undefined;
    this.#error = undefined;
    this.#setState("idle");
  }

  #setState(state: HandoffElementState): void {
    this.#state = state;
    this.setAttribute("state", state);
    this.#update();
  }

  #open(): void {
    if (this.#source !== undefined) return;
    const src = this.src;
    if (src === "" || this.#final()) return;
    let source: EventSource;
    try {
      source = new EventSource(src, {
        withCredentials: this.hasAttribute("with-credentials"),
      });
    } catch (error) {
      this.#fail({
        name: "RelayConnectionError",
        message: `The relay URL ${src} cannot be opened: ${String(error)}`,
      });
      return;
    }
    this.#source = source;
    if (this.#state === "idle") this.#setState("connecting");
    const current = () => this.#source === source;
    source.addEventListener("session", (event) => {
      if (current()) this.#onSession(parse(event));
    });
    source.addEventListener("status", (event) => {
      if (current()) this.#onStatus(event as MessageEvent<string>);
    });
    source.addEventListener("completed", (event) => {
      if (current()) this.#onCompleted(parse(event));
    });
    source.addEventListener("expired", (event) => {
      if (current()) this.#onExpired(parse(event));
    });
    source.addEventListener("error", (event) => {
      if (!current()) return;
      if (event instanceof MessageEvent) {
        // the relay's own `error` event: the session failed for good
        const data = parse(event) as Partial<HandoffErrorDetail> | undefined;
        this.#fail({
          ...(typeof data?.sessionId === "string"
            ? { sessionId: data.sessionId }
            : {}),
          name: typeof data?.name === "string" ? data.name : "Error",
          message: typeof data?.message === "string"
            ? data.message
            : "The session failed",
        });
      } else if (source.readyState === EventSource.CLOSED) {
        // not an event stream, an error status, or 204 before a final event
        const closed = this.#info !== undefined;
        this.#fail({
          ...(this.#info !== undefined ? { sessionId: this.#info.id } : {}),
          name: closed ? "RelayClosedError" : "RelayConnectionError",
          message: closed
            ? this.#text("text-closed")
            : this.#text("text-connection-error"),
        });
      }
      // otherwise EventSource reconnects by itself, with Last-Event-ID
    });
  }

  #close(): void {
    this.#source?.close();
    this.#source = undefined;
    clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  #final(): boolean {
    return this.#state === "done" || this.#state === "expired" ||
      this.#state === "error";
  }

  #dispatch<K extends keyof HTMLElementEventMap>(
    type: K,
    detail: HTMLElementEventMap[K] extends CustomEvent<infer D> ? D : never,
  ): void {
    this.dispatchEvent(
      new CustomEvent(type, { detail, bubbles: true, composed: true }),
    );
  }

  #onSession(data: unknown): void {
    if (typeof data !== "object" || data === null) return;
    const info = data as HandoffSessionInfo;
    if (typeof info.url !== "string" || typeof info.expiresAt !== "string") {
      return;
    }
    this.#info = info;
    const rank = RANK[info.status] ?? -1;
    // A fresh connection says the current status next, with its id; a
    // reconnect replays what was missed. Show the status now only on the
    // first connection, so that nothing goes backwards.
    if (this.#rank < 0 && rank >= 0 && rank < 3) {
      this.#setState(STATE_OF[info.status]);
    } else this.#update();
    this.#tick();
  }

  #onStatus(event: MessageEvent<string>): void {
    const data = parse(event) as HandoffStatusDetail | undefined;
    if (data === undefined || !(data.status in RANK)) return;
    const rank = event.lastEventId === ""
      ? RANK[data.status]
      : rankOfId(event.lastEventId);
    if (rank <= this.#rank) return; // seen already (a replay)
    this.#rank = rank;
    this.#setState(STATE_OF[data.status]);
    this.#dispatch("handoff-status", data);
  }

  #onCompleted(data: unknown): void {
    if (typeof data !== "object" || data === null) return;
    this.#rank = RANK.completed;
    this.#result = data as HandoffCompletedDetail;
    this.#close();
    this.#setState("done");
    this.#dispatch("handoff-completed", this.#result);
  }

  #onExpired(data: unknown): void {
    const detail = (typeof data === "object" && data !== null ? data : {
      sessionId: this.#info?.id ?? "",
      status: "expired",
      timestamp: new Date().toISOString(),
    }) as HandoffExpiredDetail;
    this.#rank = RANK.expired;
    this.#close();
    this.#setState("expired");
    this.#dispatch("handoff-expired", detail);
  }

  #fail(detail: HandoffErrorDetail): void {
    this.#error = detail;
    this.#close();
    this.#setState("error");
    this.#dispatch("handoff-error", detail);
  }

  /** Starts or updates the time-left line. */
  #tick(): void {
    const dom = this.#dom;
    const info = this.#info;
    if (dom === undefined || info === undefined) return;
    const expires = Date.parse(info.expiresAt);
    const live = !this.#final() && Number.isFinite(expires);
    dom.timer.hidden = !live;
    if (!live) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
      return;
    }
    dom.timer.textContent = this.#text("text-time-left").replace(
      "{time}",
      clock(expires - Date.now()),
    );
    if (this.#ticker === undefined && this.#source !== undefined) {
      this.#ticker = setInterval(() => this.#tick(), 1000);
    }
  }

  /** Puts the current state on screen. */
  #update(): void {
    const dom = this.#dom;
    if (dom === undefined) return;
    const info = this.#info;
    const final = this.#final();
    const qr = info === undefined ? undefined : safeUrl(info.qrCode, true);
    const url = info === undefined ? undefined : safeUrl(info.url, false);
    dom.qr.hidden = final || qr === undefined;
    if (qr !== undefined && dom.qr.getAttribute("src") !== qr) dom.qr.src = qr;
    const alt = this.#text("text-qr-alt");
    dom.qr.alt = url === undefined ? alt : `${alt} (${url})`;
    dom.link.hidden = final || url === undefined;
    if (url !== undefined && dom.link.getAttribute("href") !== url) {
      dom.link.href = url;
      dom.link.textContent = url;
    }
    const textName = STATE_TEXT[this.#state];
    const text = textName === null ? "" : this.#text(textName);
    if (dom.status.textContent !== text) dom.status.textContent = text;
    dom.error.hidden = this.#error === undefined;
    dom.error.textContent = this.#error === undefined
      ? ""
      : this.#error.message;
    dom.itemsLabel.textContent = this.#text("text-items");
    this.#renderItems(dom);
    this.#tick();
  }

  #renderItems(dom: Parts): void {
    const result = this.#result;
    dom.items.hidden = dom.itemsLabel.hidden = result === undefined;
    if (result === undefined) {
      dom.items.replaceChildren();
      return;
    }
    if (dom.items.childElementCount > 0) return; // drawn already
    const files = filesOf(result);
    for (const [index, file] of files.entries()) {
      const item = document.createElement("li");
      item.setAttribute("part", "item");
      const href = safeUrl(file.href, false);
      const name = file.filename ??
        (files.length > 1 ? `file ${index + 1}` : "file");
      const type = typeof file.contentType === "string" ? file.contentType : "";
      const nameNode = document.createElement("span");
      nameNode.setAttribute("part", "item-name");
      nameNode.textContent = name;
      const typeNode = document.createElement("span");
      typeNode.setAttribute("part", "item-type");
      typeNode.textContent = type;
      if (href !== undefined) {
        const link = document.createElement("a");
        link.href = href;
        link.setAttribute("part", "item-link");
        if (type.toLowerCase().startsWith("image/")) {
          const image = document.createElement("img");
          image.setAttribute("part", "thumbnail");
          image.src = href;
          image.alt = name;
          image.loading = "lazy";
          link.append(image);
          nameNode.setAttribute("aria-hidden", "true");
          item.append(link, nameNode, typeNode);
        } else {
          link.append(nameNode);
          item.append(link, typeNode);
        }
      } else {
        item.append(nameNode, typeNode);
      }
      dom.items.append(item);
    }
  }
}

if (
  typeof customElements !== "undefined" &&
  customElements.get("handoff-session") === undefined
) {
  customElements.define("handoff-session", HandoffSessionElement);
}
