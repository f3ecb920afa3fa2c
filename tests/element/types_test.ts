// Copyright 2026 the handoff authors. MIT license.
/// <reference lib="dom" />
// The element keeps its own copies of the relay's types (it must not import
// the library, which uses server APIs): they must accept what the relay
// sends. Type-only imports: element.ts is not run here (it needs a DOM).

import type {
  RelayCompletedData,
  RelayErrorData,
  RelayExpiredData,
  RelaySessionData,
  RelayStatusData,
} from "../../mod.ts";
import type {
  HandoffCompletedDetail,
  HandoffErrorDetail,
  HandoffExpiredDetail,
  HandoffSessionElement,
  HandoffSessionInfo,
  HandoffStatusDetail,
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
