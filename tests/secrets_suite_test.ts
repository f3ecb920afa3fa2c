// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";

interface Report {
  module: string;
  keys: number;
  errors: number;
  logs: number;
  leaks: { key: string; text: string }[];
}

const root = new URL("../", import.meta.url).pathname;

Deno.test("no error or log line of the client, dashboard, hostile-input and example suites shows an API key", async () => {
  await Deno.mkdir(`${root}.tmp`, { recursive: true });
  const dir = await Deno.makeTempDir({
    dir: `${root}.tmp`,
    prefix: "secrets_",
  });
  const report = `${dir}/report.jsonl`;
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "test",
        "--sanitize-ops",
        "--sanitize-resources",
        "--allow-net=127.0.0.1,localhost",
        "--allow-env",
        "--allow-read",
        "--allow-run",
        `--allow-write=${dir},${root}.tmp`,
        "--preload",
        "tests/_secret_watch.ts",
        "tests/client/",
        "tests/hostile/",
        "tests/secrets_test.ts",
        "examples/testing/",
        // The dashboard's suites (its browser tests run in a child process
        // of their own, which the watch does not reach).
        "tests/mock/dashboard_test.ts",
        "tests/mock/main_test.ts",
        "tests/mock/registry_test.ts",
      ],
      cwd: root,
      env: { HANDOFF_SECRET_REPORT: report, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    assert.equal(
      output.code,
      0,
      `the watched suites failed:\n${stdout.slice(-3000)}\n${
        new TextDecoder().decode(output.stderr).slice(-2000)
      }`,
    );
    const reports = (await Deno.readTextFile(report)).trim().split("\n")
      .map((line) => JSON.parse(line) as Report);
    const total = (k: "keys" | "errors" | "logs") =>
      reports.reduce((n, r) => n + r[k], 0);
    // The watch saw the suites at work: many modules, keys and errors.
    assert.ok(reports.length >= 10, `only ${reports.length} modules reported`);
    assert.ok(total("keys") >= 10, `only ${total("keys")} keys seen`);
    assert.ok(total("errors") >= 100, `only ${total("errors")} errors seen`);
    const leaks = reports.flatMap((r) =>
      r.leaks.map((leak) => `${r.module}: ${leak.text.slice(0, 300)}`)
    );
    assert.deepEqual(leaks, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
