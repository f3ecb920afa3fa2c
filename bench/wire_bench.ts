// Copyright 2026 the handoff authors. MIT license.
// A WebSocket frame: parsed into an event and dispatched to a listener.

import { parseFrame } from "../_wire.ts";
import type { SessionEvent } from "../types.ts";
import {
  completedFrame,
  fakeClient,
  openSession,
  statusFrame,
} from "./_fake.ts";

const quick = Deno.env.get("BENCH_QUICK") === "1";
const n = quick ? { n: 50, warmup: 5 } : {};
const ID = "6f1c2e5a-8d4b-4c3e-9a7f-1b2c3d4e5f60";
const client = fakeClient();
let sink: unknown;

Deno.bench({
  name: "parseFrame: status_update",
  group: "frame",
  ...n,
  fn() {
    sink = parseFrame(statusFrame(ID, "opened"));
  },
});

Deno.bench({
  name: "parseFrame: completed with one item",
  group: "frame",
  ...n,
  fn() {
    sink = parseFrame(completedFrame(ID));
  },
});

Deno.bench({
  name: "frame → listener: opened, action_started, completed (3 frames)",
  group: "dispatch",
  ...n,
  async fn(b) {
    const { session, socket } = await openSession(client);
    const seen: SessionEvent[] = [];
    session.onEvent((event) => seen.push(event));
    b.start();
    socket.receive(statusFrame(session.id, "opened"));
    socket.receive(statusFrame(session.id, "action_started"));
    socket.receive(completedFrame(session.id));
    b.end();
    if (seen.length !== 3) throw new Error(`delivered ${seen.length} of 3`);
    await session.close();
  },
});

const steady = await openSession(client);
let delivered = 0;
steady.session.onEvent(() => delivered++);

Deno.bench({
  name: "frame → session: a repeated status (deduplicated, no listener call)",
  group: "dispatch",
  ...n,
  fn() {
    steady.socket.receive(statusFrame(steady.session.id, "pending"));
  },
});

globalThis.addEventListener("unload", () => {
  void [sink, delivered];
  void steady.session.close();
});
