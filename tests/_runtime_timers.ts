// Copyright 2026 the handoff authors. MIT license.
// Preloaded by `deno task test` (and the soak and the live suite): after every
// test, no runtime timer of the client may be left armed.
//
// On Deno the client's one runtime timer is an `AbortSignal.timeout` with a
// listener (_runtime_timer.ts), which `deno test`'s op sanitizer does not see;
// this does what the sanitizer did for the `setTimeout` it replaced.

import { armedSignalTimers } from "../_runtime_timer.ts";

Deno.test.afterEach(() => {
  const armed = armedSignalTimers();
  if (armed !== 0) {
    throw new Error(
      `${armed} runtime timer(s) of the client are still armed after the test: ` +
        "a client, session or request left a deadline scheduled (close what the test opened)",
    );
  }
});
