// Copyright 2026 the handoff authors. MIT license.
// The mock dashboard (issue #4) is not built yet; say so clearly.
if (import.meta.main) {
  console.error(
    "The mock dashboard is not built yet (issue #4). Meanwhile, `deno task stub` starts the stub Handoff server.",
  );
  Deno.exit(1);
}
