// Copyright 2026 the handoff authors. MIT license.
// Run with `--import-map=bench/cold/qr_probe_map.json`: `qrcode`'s core is
// replaced by a module that sets a flag when it is loaded. Prints whether it
// was loaded after importing mod.ts, and after the first QR code.

const loaded = () =>
  (globalThis as { __handoffQrCoreLoaded?: boolean }).__handoffQrCoreLoaded ===
    true;

let start = performance.now();
await import("../../mod.ts");
const importMs = performance.now() - start;
const afterImport = loaded();
const { fakeClient, openSession } = await import("../_fake.ts");
const { session } = await openSession(fakeClient());
const afterSession = loaded();
start = performance.now();
await session.qrCode();
const firstQrMs = performance.now() - start;
const afterQr = loaded();
await session.close();
console.log(
  JSON.stringify({ importMs, afterImport, afterSession, afterQr, firstQrMs }),
);
