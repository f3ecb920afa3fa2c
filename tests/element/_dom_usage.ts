// Copyright 2026 the handoff authors. MIT license.
// How a browser app types the element: checked by types_test.ts with the
// DOM library's types (dom.json), as a browser project has them, and never
// run. Each @ts-expect-error line must be an error there.

import {
  type HandoffCompletedDetail,
  HandoffSessionElement,
} from "../../element.ts";

// It is a real HTMLElement: it goes anywhere an element goes.
const element = new HandoffSessionElement();
const asElement: HTMLElement = element;
document.body.append(element);
const found = document.querySelector<HandoffSessionElement>(
  "handoff-session",
);
found?.remove();

// Its own events are typed; the others are the DOM's.
element.addEventListener("handoff-completed", (event) => {
  const detail: HandoffCompletedDetail = event.detail;
  const files: readonly { href?: string }[] = detail.result ?? [];
  void files;
});
element.addEventListener("handoff-status", function (event) {
  const src: string = this.src; // `this` is the element
  void src;
  void event.detail.status;
});
element.addEventListener("click", (event) => void event.type);
element.addEventListener("handoff-expired", {
  handleEvent: (event) => void event.detail.sessionId,
});
element.src = "/sessions/1/events";
const state: string = element.state;

// @ts-expect-error a handoff-status detail has no result
element.addEventListener("handoff-status", (event) => event.detail.result);
// @ts-expect-error src is a string
element.src = 1;
// @ts-expect-error state is read-only
element.state = "done";

void asElement;
void state;
