// Copyright 2026 the handoff authors. MIT license.
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
 * **Events** (bubbling, composed; typed in
 * {@linkcode HandoffSessionEventMap}):
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
 * `items-label`, `items`, `item`, `item-link`, `thumbnail`, `item-name`,
 * `item-type`, `error`.
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
 * after the final event. Importing this module in a browser defines the
 * element (unless the name is taken) and does nothing else; elsewhere (a
 * server that renders the page, a test) importing it does nothing. It uses
 * the DOM only: no dependency, no build step.
 *
 * Its types work with or without the DOM library's: in a browser project
 * (`"lib": ["dom"]`) {@linkcode HandoffSessionElement} is an `HTMLElement`.
 *
 * @example Show a session and hear about its result
 * ```ts
 * import type { HandoffSessionElement } from "@handoff/client/element";
 *
 * // In the page: `import "@handoff/client/element"` defines the tag, and
 * // `document.createElement("handoff-session")` makes one.
 * function follow(element: HandoffSessionElement, sessionId: string): void {
 *   element.src = `/sessions/${sessionId}/events`;
 *   element.addEventListener("handoff-completed", (event) => {
 *     console.log(event.detail.result?.map((file) => file.href));
 *   });
 *   element.addEventListener("handoff-expired", () => {
 *     console.log("offer another session");
 *   });
 * }
 * ```
 *
 * @module
 */

import { ElementView, isFinal, type TextName, TEXTS } from "./_element_view.ts";
import type {
  HandoffCompletedDetail,
  HandoffElementState,
  HandoffErrorDetail,
  HandoffExpiredDetail,
  HandoffListener,
  HandoffSessionEventMap,
  HandoffSessionInfo,
  HandoffSessionStatus,
  HandoffStatusDetail,
} from "./element_events.ts";

import { HTMLElementBase } from "./element_base.ts";
import { openRelay } from "./_element_relay.ts";

export type * from "./element_events.ts";
export { type ElementStandIn, HTMLElementBase } from "./element_base.ts";

/** The element's state while the phone side is at a status. */
const LIVE_STATE = {
  pending: "waiting",
  opened: "opened",
  action_started: "started",
} as const satisfies Partial<Record<HandoffSessionStatus, HandoffElementState>>;

type LiveStatus = keyof typeof LIVE_STATE;

/**
 * Where the element stands, with what it knows there. `rank` is the rank of
 * the last status event shown (-1: none yet), so that a replayed status is
 * not shown twice. Changed only by `#enter`.
 */
type Phase =
  | { readonly state: "idle" }
  | {
    readonly state: "connecting";
    readonly info: HandoffSessionInfo | undefined;
  }
  | {
    readonly state: "waiting" | "opened" | "started";
    readonly info: HandoffSessionInfo | undefined;
    readonly rank: number;
  }
  | {
    readonly state: "done";
    readonly info: HandoffSessionInfo | undefined;
    readonly result: HandoffCompletedDetail;
  }
  | { readonly state: "expired"; readonly info: HandoffSessionInfo | undefined }
  | {
    readonly state: "error";
    readonly info: HandoffSessionInfo | undefined;
    readonly error: HandoffErrorDetail;
  };

/**
 * The `<handoff-session>` element. Importing `@handoff/client/element` in a
 * browser defines it; set `src` to the app's relay route. See the module
 * docs for its attributes, events, parts and custom properties.
 *
 * @example Listen for the result
 * ```ts
 * import type { HandoffSessionElement } from "@handoff/client/element";
 *
 * function onResult(element: HandoffSessionElement): void {
 *   element.addEventListener("handoff-completed", (event) => {
 *     for (const file of event.detail.result ?? []) {
 *       console.log(file.filename, file.href);
 *     }
 *   });
 * }
 * ```
 */
export class HandoffSessionElement extends HTMLElementBase {
  /** The attributes whose changes the element follows. */
  static get observedAttributes(): string[] {
    return ["src", "with-credentials", ...Object.keys(TEXTS)];
  }

  #phase: Phase = { state: "idle" };
  #source: EventSource | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #view: ElementView | undefined;

  /** The relay URL (the `src` attribute). */
  get src(): string {
    return this.getAttribute("src") ?? "";
  }
  set src(value: string) {
    this.setAttribute("src", value);
  }

  /** Where the element stands (also its `state` attribute). */
  get state(): HandoffElementState {
    return this.#phase.state;
  }

  /** The session as the relay last described it, once known. */
  get session(): HandoffSessionInfo | undefined {
    return this.#phase.state === "idle" ? undefined : this.#phase.info;
  }

  /** The completed event's data, once the session is done. */
  get result(): HandoffCompletedDetail | undefined {
    return this.#phase.state === "done" ? this.#phase.result : undefined;
  }

  /** Whether the element has a connection to the relay open (or opening). */
  get connected(): boolean {
    return this.#source !== undefined;
  }

  /**
   * Adds a listener; the element's own events are typed (see
   * {@linkcode HandoffSessionEventMap}).
   *
   * @param type The event type.
   * @param listener The listener.
   * @param options As for any `addEventListener`.
   */
  override addEventListener<K extends keyof HandoffSessionEventMap>(
    type: K,
    listener: HandoffListener<HandoffSessionEventMap[K]>,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /**
   * Adds a listener of any event.
   *
   * @param type The event type.
   * @param listener The listener.
   * @param options As for any `addEventListener`.
   */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: HandoffListener<never>,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(
      type,
      listener as EventListenerOrEventListenerObject,
      options,
    );
  }

  /**
   * Removes a listener added with `addEventListener`.
   *
   * @param type The event type.
   * @param listener The listener.
   * @param options As for any `removeEventListener`.
   */
  override removeEventListener<K extends keyof HandoffSessionEventMap>(
    type: K,
    listener: HandoffListener<HandoffSessionEventMap[K]>,
    options?: boolean | EventListenerOptions,
  ): void;
  /**
   * Removes a listener of any event.
   *
   * @param type The event type.
   * @param listener The listener.
   * @param options As for any `removeEventListener`.
   */
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: HandoffListener<never>,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(
      type,
      listener as EventListenerOrEventListenerObject,
      options,
    );
  }

  /** Renders and connects (the browser calls it). */
  connectedCallback(): void {
    this.#view ??= new ElementView(
      this.shadowRoot ?? this.attachShadow({ mode: "open" }),
    );
    this.#draw();
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
      this.#enter({ state: "idle" });
      this.#open();
    } else {
      this.#draw();
    }
  }

  /** The one transition: into `phase`, closing the relay when it is final. */
  #enter(phase: Phase): void {
    this.#phase = phase;
    if (isFinal(phase.state)) this.#close();
    this.setAttribute("state", phase.state);
    this.#draw();
  }

  #text(name: TextName): string {
    return this.getAttribute(name) ?? TEXTS[name];
  }

  /** Puts the phase on screen, and keeps the time-left line ticking. */
  #draw(): void {
    const view = this.#view;
    if (view === undefined) return;
    const phase = this.#phase;
    const live = view.show({
      state: phase.state,
      info: phase.state === "idle" ? undefined : phase.info,
      result: phase.state === "done" ? phase.result : undefined,
      error: phase.state === "error" ? phase.error : undefined,
      text: (name) => this.#text(name),
    }, Date.now());
    if (!live || this.#source === undefined) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    } else {
      this.#ticker ??= setInterval(() => this.#draw(), 1000);
    }
  }

  #open(): void {
    const src = this.src;
    if (this.#source !== undefined || src === "" || isFinal(this.state)) {
      return;
    }
    let source: EventSource | undefined;
    const live = () => source !== undefined && this.#source === source;
    try {
      source = openRelay(src, this.hasAttribute("with-credentials"), {
        session: (info) => live() && this.#onSession(info),
        status: (detail, rank) => live() && this.#onStatus(detail, rank),
        completed: (detail) => live() && this.#onCompleted(detail),
        expired: (detail) => live() && this.#onExpired(detail),
        failed: (detail) => live() && this.#fail(detail),
        closed: () => live() && this.#onClosed(),
      });
    } catch (error) {
      this.#fail({
        name: "RelayConnectionError",
        message: `The relay URL ${src} cannot be opened: ${String(error)}`,
      });
      return;
    }
    this.#source = source;
    if (this.#phase.state === "idle") {
      this.#enter({ state: "connecting", info: undefined });
    }
  }

  #close(): void {
    this.#source?.close();
    this.#source = undefined;
    clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  #dispatch<K extends keyof HandoffSessionEventMap>(
    type: K,
    detail: HandoffSessionEventMap[K]["detail"],
  ): void {
    this.dispatchEvent(
      new CustomEvent(type, { detail, bubbles: true, composed: true }),
    );
  }

  #onSession(info: HandoffSessionInfo): void {
    const phase = this.#phase;
    if (
      phase.state === "waiting" || phase.state === "opened" ||
      phase.state === "started"
    ) {
      // a reconnect: the relay replays what was missed next
      this.#enter({ ...phase, info });
    } else if (phase.state === "connecting" && info.status in LIVE_STATE) {
      // The first connection: show the current status now. The relay
      // sends it next as an event too, which is dispatched then.
      const state = LIVE_STATE[info.status as LiveStatus];
      this.#enter({ state, info, rank: -1 });
    } else if (phase.state === "connecting") {
      this.#enter({ state: "connecting", info });
    }
  }

  #onStatus(detail: HandoffStatusDetail, rank: number): void {
    const phase = this.#phase;
    if (phase.state === "idle" || isFinal(phase.state)) return;
    const seen = "rank" in phase ? phase.rank : -1;
    if (rank <= seen) return; // shown already (a replay)
    this.#enter({
      state: LIVE_STATE[detail.status],
      info: phase.info,
      rank,
    });
    this.#dispatch("handoff-status", detail);
  }

  #onCompleted(result: HandoffCompletedDetail): void {
    if (this.#phase.state === "idle") return;
    this.#enter({ state: "done", info: this.#phase.info, result });
    this.#dispatch("handoff-completed", result);
  }

  #onExpired(data: HandoffExpiredDetail | undefined): void {
    const info = this.session;
    const detail = data ?? {
      sessionId: info?.id ?? "",
      status: "expired" as const,
      timestamp: new Date().toISOString(),
    };
    this.#enter({ state: "expired", info });
    this.#dispatch("handoff-expired", detail);
  }

  /** The relay cannot be used (before a session event) or ended too soon. */
  #onClosed(): void {
    const info = this.session;
    this.#fail({
      ...(info !== undefined ? { sessionId: info.id } : {}),
      name: info !== undefined ? "RelayClosedError" : "RelayConnectionError",
      message: this.#text(
        info !== undefined ? "text-closed" : "text-connection-error",
      ),
    });
  }

  #fail(error: HandoffErrorDetail): void {
    this.#enter({ state: "error", info: this.session, error });
    this.#dispatch("handoff-error", error);
  }
}

/** Define the tag once, and only where there is a custom element registry. */
const registry = (globalThis as {
  customElements?: {
    get(name: string): unknown;
    define(name: string, constructor: unknown): void;
  };
}).customElements;
if (registry !== undefined && registry.get("handoff-session") === undefined) {
  registry.define("handoff-session", HandoffSessionElement);
}
