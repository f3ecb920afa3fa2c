// Copyright 2026 the handoff authors. MIT license.
// Entry of the Vercel edge-runtime bundle (a service-worker style script).

import { runScenario, type ScenarioInput } from "./scenario.ts";

interface FetchEvent extends Event {
  request: Request;
  respondWith(response: Promise<Response>): void;
}

addEventListener("fetch", (event) => {
  const e = event as FetchEvent;
  e.respondWith((async () => {
    try {
      const input = await e.request.json() as ScenarioInput;
      return Response.json({ ok: true, report: await runScenario(input) });
    } catch (error) {
      return Response.json({ ok: false, error: String(error) });
    }
  })());
});
