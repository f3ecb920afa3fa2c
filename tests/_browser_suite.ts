// Copyright 2026 the handoff authors. MIT license.
// The browser suites (the dashboard's e2e, the stub's phone pages) under the
// test task. Playwright needs --allow-all (it reads the home directory and
// /proc when it loads and writes a temporary browser profile), which the
// test task does not grant. So a browser test file registers, under the test
// task, one test that runs the file again in a child `deno test --allow-all`
// (the task's --allow-run allows that) and shows its report; the child, with
// HANDOFF_BROWSER_INNER=1, runs the browser tests themselves. To run a file's
// browser tests directly: HANDOFF_BROWSER_INNER=1 deno test -A <file>.
// HANDOFF_SKIP_BROWSER=1 skips them, saying so; without Chromium they fail,
// saying how to install it.

import assert from "node:assert/strict";
import { chromiumPath } from "../mock/browser.ts";

const SKIP = Deno.env.get("HANDOFF_SKIP_BROWSER") === "1";
const INNER = Deno.env.get("HANDOFF_BROWSER_INNER") === "1";

/**
 * Register the browser tests of the file at `fileUrl`: outside the child,
 * one test that runs them in the child; inside it, nothing (the file's
 * {@linkcode browserTest} calls register them).
 */
export function browserSuite(fileUrl: string, name: string): void {
  if (INNER) return;
  if (SKIP) console.log(`Skipping ${name}: HANDOFF_SKIP_BROWSER=1 is set.`);
  Deno.test({
    name,
    ignore: SKIP,
    async fn() {
      chromiumPath(); // fails first, with how to install it, when missing
      const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
        args: [
          "test",
          "--allow-all",
          "--sanitize-ops",
          "--sanitize-resources",
          "--no-check", // this run has checked the file
          new URL(fileUrl).pathname,
        ],
        env: { HANDOFF_BROWSER_INNER: "1", NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const report = new TextDecoder().decode(stdout) +
        new TextDecoder().decode(stderr);
      console.log(report.trim());
      assert.equal(code, 0, "the browser tests failed (report above)");
    },
  });
}

/** A browser test: registered only in the child run. */
export function browserTest(name: string, fn: () => Promise<void>): void {
  if (INNER) Deno.test({ name, fn });
}
