// Copyright 2026 the handoff authors. MIT license.
/**
 * `deno task soak [--sessions N] [--concurrency C] [--seed S]
 * [--fault-every MS] [--download-sample F] [--no-write]`
 *
 * Runs the soak inside `deno test` with the op and resource sanitizers on
 * (so a timer, request or socket left behind fails the run), prints the
 * summary table and writes it to `docs/RELIABILITY.md` (the CI-sized section,
 * or the long-run section from 10,000 sessions up). Fails when anything was
 * lost, duplicated, hung or leaked.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { runSoak } from "./engine.ts";
import { type RunSettings, summaryMarkdown, updateDoc } from "./report.ts";

const DOC = new URL("../docs/RELIABILITY.md", import.meta.url);
const LONG_RUN = 10_000;

function number(
  value: string | undefined,
  name: string,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new RangeError(`--${name} must be a number ≥ 0, got ${value}`);
  }
  return n;
}

/** Read the soak's settings from its command line. */
export function parseSoakArgs(
  args: readonly string[],
): RunSettings & { write: boolean } {
  const { values } = parseArgs({
    args: [...args],
    options: {
      sessions: { type: "string" },
      concurrency: { type: "string" },
      seed: { type: "string" },
      "fault-every": { type: "string" },
      "download-sample": { type: "string" },
      "no-write": { type: "boolean" },
    },
    strict: true,
  });
  const sessions = Math.floor(number(values.sessions, "sessions", 300));
  return {
    sessions,
    concurrency: Math.max(
      1,
      Math.floor(
        number(values.concurrency, "concurrency", sessions >= 2_000 ? 100 : 50),
      ),
    ),
    seed: Math.floor(number(values.seed, "seed", Date.now() % 1_000_000)),
    faultEveryMs: number(values["fault-every"], "fault-every", 600),
    downloadSample: Math.min(
      1,
      number(
        values["download-sample"],
        "download-sample",
        sessions >= 2_000 ? 0.25 : 1,
      ),
    ),
    write: values["no-write"] !== true,
  };
}

Deno.test("soak: sessions under injected faults are never lost, duplicated, hung or leaked", async () => {
  const settings = parseSoakArgs(Deno.args);
  console.log(
    `soak: ${settings.sessions} sessions, ${settings.concurrency} at a time, seed ${settings.seed}`,
  );
  const tally = await runSoak(settings);
  const table = summaryMarkdown(tally, settings);
  console.log(`\n${table}\n`);
  if (settings.write) {
    const section = settings.sessions >= LONG_RUN ? "long" : "ci";
    const existing = await Deno.readTextFile(DOC).catch(() => undefined);
    const stamp = `Run on ${
      new Date().toISOString().slice(0, 10)
    } with Deno ${Deno.version.deno} (${Deno.build.os}/${Deno.build.arch}): \`deno task soak${
      section === "long"
        ? ` --sessions ${settings.sessions} --concurrency ${settings.concurrency}`
        : ""
    }${
      settings.faultEveryMs !== 600
        ? ` --fault-every ${settings.faultEveryMs}`
        : ""
    } --seed ${settings.seed}\`.`;
    await Deno.mkdir(new URL(".", DOC), { recursive: true });
    await Deno.writeTextFile(
      DOC,
      updateDoc(existing, section, `${stamp}\n\n${table}`),
    );
  }
  if (!tally.clean) {
    throw new Error(
      `the soak found problems:\n${tally.problems.join("\n")}`,
    );
  }
});
