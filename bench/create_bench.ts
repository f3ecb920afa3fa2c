// Copyright 2026 the handoff authors. MIT license.
// What `createSession` costs on top of the request, with the network faked
// in memory (so only this process's CPU is measured, without the noise of a
// server and sockets): the floor parses the same answer with
// `response.json()`.

import { fakeClient, fakeFetch } from "./_fake.ts";

const quick = Deno.env.get("BENCH_QUICK") === "1";
const n = quick ? { n: 50, warmup: 5 } : {};
const client = fakeClient();
// A backend creating sessions is watching others: one stays open for the
// whole run, as in an application (its deadlines keep the client's timer
// armed, which the first session of an idle client has to arm itself).
const watched = await client.createSession({
  action: "photo",
  outputFormat: "jpg",
});
globalThis.addEventListener("unload", () => void watched.close());
const body = JSON.stringify({ action_type: "photo", output_format: "jpg" });

Deno.bench({
  name: "floor: fetch (answered in memory) + response.json()",
  group: "create",
  baseline: true,
  ...n,
  async fn() {
    const response = await fakeFetch("http://127.0.0.1:8080/api/v1/sessions", {
      method: "POST",
      headers: { "X-API-Key": "bench-key", "Content-Type": "application/json" },
      body,
    });
    await response.json();
  },
});

Deno.bench({
  name: "createSession + close (same answer, socket faked)",
  group: "create",
  ...n,
  async fn() {
    const session = await client.createSession({
      action: "photo",
      outputFormat: "jpg",
    });
    await session.close();
  },
});
