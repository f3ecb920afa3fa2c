// Copyright 2026 the handoff authors. MIT license.
// What `<handoff-session>` puts in its shadow root: the parts, built once,
// and `show()`, which brings them in line with where the element stands.
// The element (element.ts) owns the state and the relay connection; this
// file only draws.
//
// The package is type-checked as Deno code, without the DOM library's types
// (JSR refuses `/// <reference lib="dom" />`, and loading them for the whole
// package clashes with Deno's own), so the few DOM members drawn with are
// typed here.

import { CSS } from "./_element_styles.ts";
import type {
  HandoffCompletedDetail,
  HandoffElementState,
  HandoffErrorDetail,
  HandoffFile,
  HandoffSessionInfo,
} from "./element_events.ts";

/** Every text the element shows, by the attribute that replaces it. */
export const TEXTS = {
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

/** The name of a replaceable text (also its attribute). */
export type TextName = keyof typeof TEXTS;

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

/** What the view shows: a snapshot of the element. */
export interface ViewState {
  readonly state: HandoffElementState;
  readonly info: HandoffSessionInfo | undefined;
  readonly result: HandoffCompletedDetail | undefined;
  readonly error: HandoffErrorDetail | undefined;
  /** The text for `name`: the attribute's value, or the default. */
  text(name: TextName): string;
}

// The DOM members the view uses.
interface ViewElement {
  hidden: boolean;
  id: string;
  textContent: string | null;
  readonly childElementCount: number;
  setAttribute(name: string, value: string): void;
  getAttribute(name: string): string | null;
  append(...nodes: ViewElement[]): void;
  replaceChildren(...nodes: ViewElement[]): void;
}
interface ViewImage extends ViewElement {
  src: string;
  alt: string;
  decoding: string;
  loading: string;
}
interface ViewAnchor extends ViewElement {
  href: string;
  target: string;
  rel: string;
}
interface ViewSlot extends ViewElement {
  name: string;
}
interface ViewTags {
  a: ViewAnchor;
  div: ViewElement;
  img: ViewImage;
  li: ViewElement;
  p: ViewElement;
  slot: ViewSlot;
  span: ViewElement;
  style: ViewElement;
  ul: ViewElement;
}
interface ViewDocument {
  readonly baseURI: string;
  createElement<K extends keyof ViewTags>(tag: K): ViewTags[K];
}
interface ViewRoot {
  adoptedStyleSheets?: readonly unknown[];
  append(...nodes: ViewElement[]): void;
}
interface StyleSheet {
  readonly cssRules: { readonly length: number };
  replaceSync(text: string): void;
}

function dom(): ViewDocument {
  return (globalThis as unknown as { document: ViewDocument }).document;
}

let sheet: StyleSheet | undefined;

/** Style `root`: the shared constructed sheet, or a `<style>` without one. */
function style(root: ViewRoot): void {
  const Sheet = (globalThis as { CSSStyleSheet?: new () => StyleSheet })
    .CSSStyleSheet;
  if ("adoptedStyleSheets" in root && Sheet !== undefined) {
    try {
      sheet ??= new Sheet();
      if (sheet.cssRules.length === 0) sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
      return;
    } catch {
      // no constructable style sheets: fall back to a <style> element
    }
  }
  const element = dom().createElement("style");
  element.textContent = CSS;
  root.append(element);
}

/** A URL that is safe in `href`/`src`: http(s), or `data:image/` for `src`. */
export function safeUrl(value: unknown, image: boolean): string | undefined {
  if (typeof value !== "string") return undefined;
  if (image && /^data:image\/(png|gif|jpeg|webp|svg\+xml)[;,]/i.test(value)) {
    return value;
  }
  try {
    const url = new URL(value, dom().baseURI);
    return url.protocol === "https:" || url.protocol === "http:"
      ? url.href
      : undefined;
  } catch {
    return undefined;
  }
}

/** `ms` as `m:ss`, or `h:mm:ss` from an hour. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** Every file of a completed session, scans' pages and PDFs included. */
function filesOf(detail: HandoffCompletedDetail): HandoffFile[] {
  const files: HandoffFile[] = [...(detail.result ?? [])];
  for (const document of detail.documents ?? []) {
    if (document.format === "pdf") files.push(document.file);
    else files.push(...document.pages);
  }
  return files;
}

/** Whether the session is over, one way or the other. */
export function isFinal(state: HandoffElementState): boolean {
  return state === "done" || state === "expired" || state === "error";
}

/** The element's shadow parts, drawn into its shadow root. */
export class ElementView {
  readonly #qr: ViewImage;
  readonly #link: ViewAnchor;
  readonly #status: ViewElement;
  readonly #timer: ViewElement;
  readonly #itemsLabel: ViewElement;
  readonly #items: ViewElement;
  readonly #error: ViewElement;

  /** Build the parts in `shadowRoot` (the element's own). */
  constructor(shadowRoot: object) {
    const root = shadowRoot as ViewRoot;
    const document = dom();
    style(root);
    const make = <K extends keyof ViewTags>(tag: K, part: string) => {
      const element = document.createElement(tag);
      element.setAttribute("part", part);
      return element;
    };
    const container = make("div", "container");
    const header = document.createElement("slot");
    header.name = "header";
    this.#qr = make("img", "qr");
    this.#qr.hidden = true;
    this.#qr.decoding = "async";
    this.#link = make("a", "link");
    this.#link.hidden = true;
    this.#link.target = "_blank";
    this.#link.rel = "noopener noreferrer";
    this.#status = make("p", "status");
    this.#status.setAttribute("role", "status");
    this.#status.setAttribute("aria-live", "polite");
    this.#timer = make("p", "timer");
    this.#timer.hidden = true;
    this.#itemsLabel = make("p", "items-label");
    this.#itemsLabel.hidden = true;
    this.#itemsLabel.id = "items-label";
    this.#items = make("ul", "items");
    this.#items.hidden = true;
    this.#items.setAttribute("aria-labelledby", "items-label");
    this.#error = make("p", "error");
    this.#error.setAttribute("role", "alert");
    this.#error.hidden = true;
    container.append(
      header,
      this.#qr,
      this.#link,
      this.#status,
      this.#timer,
      this.#itemsLabel,
      this.#items,
      this.#error,
      document.createElement("slot"),
    );
    root.append(container);
  }

  /**
   * Show `view` as of `now` (ms since the epoch). Returns whether the
   * time-left line is live (the element then calls again each second).
   */
  show(view: ViewState, now: number): boolean {
    const { info, error } = view;
    const final = isFinal(view.state);
    const qr = info === undefined ? undefined : safeUrl(info.qrCode, true);
    const url = info === undefined ? undefined : safeUrl(info.url, false);
    this.#qr.hidden = final || qr === undefined;
    if (qr !== undefined && this.#qr.getAttribute("src") !== qr) {
      this.#qr.src = qr;
    }
    const alt = view.text("text-qr-alt");
    this.#qr.alt = url === undefined ? alt : `${alt} (${url})`;
    this.#link.hidden = final || url === undefined;
    if (url !== undefined && this.#link.getAttribute("href") !== url) {
      this.#link.href = url;
      this.#link.textContent = url;
    }
    const name = STATE_TEXT[view.state];
    const text = name === null ? "" : view.text(name);
    if (this.#status.textContent !== text) this.#status.textContent = text;
    this.#error.hidden = error === undefined;
    this.#error.textContent = error?.message ?? "";
    this.#itemsLabel.textContent = view.text("text-items");
    this.#showItems(view.result);

    const expires = info === undefined ? NaN : Date.parse(info.expiresAt);
    const live = !final && Number.isFinite(expires);
    this.#timer.hidden = !live;
    if (live) {
      this.#timer.textContent = view.text("text-time-left")
        .replace("{time}", clock(expires - now));
    }
    return live;
  }

  #showItems(result: HandoffCompletedDetail | undefined): void {
    const document = dom();
    this.#items.hidden = this.#itemsLabel.hidden = result === undefined;
    if (result === undefined) {
      this.#items.replaceChildren();
      return;
    }
    if (this.#items.childElementCount > 0) return; // drawn already
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
      if (href === undefined) {
        item.append(nameNode, typeNode);
      } else {
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
      }
      this.#items.append(item);
    }
  }
}
