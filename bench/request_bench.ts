// Copyright 2026 the handoff authors. MIT license.
// Building the `POST /sessions` body from options (validation included).

import { createRequestBody } from "../_request.ts";

const quick = Deno.env.get("BENCH_QUICK") === "1";
const n = quick ? { n: 50, warmup: 5 } : {};
let sink = "";

Deno.bench({
  name: "createRequestBody: photo, jpg",
  group: "request",
  ...n,
  fn() {
    sink = createRequestBody({ action: "photo", outputFormat: "jpg" });
  },
});

Deno.bench({
  name: "createRequestBody: photo with intro and both TTLs",
  group: "request",
  ...n,
  fn() {
    sink = createRequestBody({
      action: "photo",
      outputFormat: "jpg",
      intro: "A photo of your ID, please",
      sessionTtl: "10m",
      resultTtl: 300_000,
    });
  },
});

Deno.bench({
  name: "createRequestBody: multi-document scan",
  group: "request",
  ...n,
  fn() {
    sink = createRequestBody({
      action: "scan",
      documentMode: "multi",
      scanOutputFormat: "pdf",
      sessionTtl: "1h30m",
    });
  },
});

globalThis.addEventListener("unload", () => void sink);
