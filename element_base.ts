// Copyright 2026 the handoff authors. MIT license.
// The class `<handoff-session>` extends, typed so that the package checks
// without the DOM library's types (JSR refuses `/// <reference lib="dom" />`)
// while a browser project, which has them, sees a real `HTMLElement`; and
// defined so that importing the element where there is no DOM is safe.

/**
 * The members of `HTMLElement` that {@linkcode HandoffSessionElement} uses:
 * its base type where the DOM library's types are not loaded (a Deno or
 * Node project). With them, the base is the real `HTMLElement`.
 *
 * @example
 * ```ts
 * import type { ElementStandIn } from "@handoff/client/element";
 *
 * const inPage = (element: ElementStandIn) => element.isConnected;
 * ```
 */
export interface ElementStandIn {
  /** Whether the element is in a document. */
  readonly isConnected: boolean;
  /** The element's open shadow root, once attached. */
  readonly shadowRoot: object | null;
  /** Attach a shadow root. */
  attachShadow(init: { mode: "open" | "closed" }): object;
  /** An attribute's value, or `null`. */
  getAttribute(name: string): string | null;
  /** Set an attribute. */
  setAttribute(name: string, value: string): void;
  /** Whether an attribute is present. */
  hasAttribute(name: string): boolean;
  /** Dispatch an event from the element. */
  dispatchEvent(event: Event): boolean;
  /** Add an event listener. */
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Remove an event listener. */
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void;
}

/**
 * The base type of {@linkcode HandoffSessionElement}: the DOM's
 * `HTMLElement` where its types are loaded, otherwise
 * {@linkcode ElementStandIn}.
 *
 * @example
 * ```ts
 * import type { HTMLElementBase } from "@handoff/client/element";
 *
 * const described = (element: HTMLElementBase) => element.getAttribute("src");
 * ```
 */
export type HTMLElementBase = typeof globalThis extends
  { HTMLElement: { prototype: infer E } } ? E : ElementStandIn;

/**
 * The class {@linkcode HandoffSessionElement} extends: the page's
 * `HTMLElement`, or, where there is none (a server, a test), an empty class,
 * so that importing the module anywhere is safe.
 *
 * @example
 * ```ts
 * import { HandoffSessionElement, HTMLElementBase } from "@handoff/client/element";
 *
 * console.log(Object.getPrototypeOf(HandoffSessionElement) === HTMLElementBase); // true
 * ```
 */
export const HTMLElementBase: new () => HTMLElementBase =
  (globalThis as { HTMLElement?: new () => HTMLElementBase }).HTMLElement ??
    (class {} as unknown as new () => HTMLElementBase);
