// Copyright 2026 the handoff authors. MIT license.
// Entry of the Cloudflare Worker bundle: POST the input, get the report.

import { runScenario, type ScenarioInput } from "./scenario.ts";

export default {
  async fetch(request: Request): Promise<Response> {
    try {
      const input = await request.json() as ScenarioInput;
      return Response.json({ ok: true, report: await runScenario(input) });
    } catch (error) {
      return Response.json({ ok: false, error: String(error) });
    }
  },
};
