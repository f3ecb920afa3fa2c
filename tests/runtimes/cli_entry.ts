// Copyright 2026 the handoff authors. MIT license.
// Entry of the Node and Bun bundle: input JSON in argv, report JSON on stdout.

import { runScenario, type ScenarioInput } from "./scenario.ts";

const argv = (globalThis as { process?: { argv: string[] } }).process?.argv ??
  [];
const input = JSON.parse(argv[argv.length - 1]!) as ScenarioInput;
try {
  console.log(JSON.stringify({ ok: true, report: await runScenario(input) }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: String(error) }));
}
