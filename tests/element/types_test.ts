// Copyright 2026 the handoff authors. MIT license.
// The element's types: its copies of the relay's types accept what the
// relay sends (it must not import the library, which uses server APIs), and
// a browser project, which has the DOM library's types, sees a real
// HTMLElement with typed events (_dom_usage.ts, checked with dom.json).

import assert from "node:assert/strict";
import type {
  RelayCompletedData,
  RelayErrorData,
  RelayExpiredData,
  RelaySessionData,
  RelayStatusData,
} from "../../mod.ts";
import {
  type HandoffCompletedDetail,
  type HandoffErrorDetail,
  type HandoffExpiredDetail,
  HandoffSessionElement,
  type HandoffSessionInfo,
  type HandoffStatusDetail,
  HTMLElementBase,
} from "../../element.ts";

type Accepts<Wide, Narrow extends Wide> = Narrow;

Deno.test("the element's event details accept what the relay sends", () => {
  // Checked by the compiler: each line fails to type-check on a mismatch.
  const checks: [
    Accepts<HandoffSessionInfo, RelaySessionData>,
    Accepts<HandoffStatusDetail, RelayStatusData>,
    Accepts<HandoffCompletedDetail, RelayCompletedData>,
    Accepts<HandoffExpiredDetail, RelayExpiredData>,
    Accepts<HandoffErrorDetail, RelayErrorData>,
  ] | undefined = undefined;
  const listen = (element: HandoffSessionElement) =>
    element.addEventListener("handoff-completed", (event) => {
      const files: readonly { href?: string }[] = event.detail.result ?? [];
      return files;
    });
  void checks;
  void listen;
});

Deno.test("importing the element without a DOM defines nothing and throws nothing", () => {
  assert.equal("customElements" in globalThis, false);
  assert.equal(Object.getPrototypeOf(HandoffSessionElement), HTMLElementBase);
});

Deno.test("with the DOM library's types, the element is an HTMLElement with typed events", async () => {
  const here = new URL(".", import.meta.url);
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "check",
      "--quiet",
      "--config",
      new URL("dom.json", here).pathname,
      new URL("_dom_usage.ts", here).pathname,
    ],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
});
