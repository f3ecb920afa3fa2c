// Copyright 2026 the handoff authors. MIT license.
// QR codes of a session URL: the render path (a cache miss) and the cache.

import { qrOptions, renderQr } from "../_qr.ts";
import { fakeClient, openSession } from "./_fake.ts";

const quick = Deno.env.get("BENCH_QUICK") === "1";
const n = quick ? { n: 20, warmup: 2 } : {};
const URL_TEXT =
  "https://handoff.example.com/s/6f1c2e5a-8d4b-4c3e-9a7f-1b2c3d4e5f60";
const png = qrOptions({});
const svg = qrOptions({ format: "svg" });
let sink = "";

Deno.bench({
  name: "QR PNG 256 px, first call (render)",
  group: "qr",
  ...n,
  async fn() {
    sink = await renderQr(URL_TEXT, png);
  },
});

Deno.bench({
  name: "QR SVG, first call (render)",
  group: "qr",
  ...n,
  async fn() {
    sink = await renderQr(URL_TEXT, svg);
  },
});

const { session } = await openSession(fakeClient());
await session.qrCode();
await session.qrCode({ format: "svg" });

Deno.bench({
  name: "QR PNG, cached (session.qrCode() again)",
  group: "qr",
  ...n,
  async fn() {
    sink = await session.qrCode();
  },
});

Deno.bench({
  name: "QR SVG, cached (session.qrCode() again)",
  group: "qr",
  ...n,
  async fn() {
    sink = await session.qrCode({ format: "svg" });
  },
});

globalThis.addEventListener("unload", () => {
  void sink;
  void session.close();
});
