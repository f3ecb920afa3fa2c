// Copyright 2026 the handoff authors. MIT license.
// What `deno publish` would upload: the library, its `testing` entry point
// with the stub server, its `cli` and `element` entry points, README, LICENSE
// and deno.json. Nothing else: no
// tests, examples, benchmarks, soak tests, tools, dashboard, docs or lock file.

import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);

/** The files the package must hold, from the tree itself. */
async function libraryFiles(): Promise<string[]> {
  const files = [
    "LICENSE",
    "README.md",
    "deno.json",
    "mod.ts",
    "client.ts",
    "builder.ts",
    "session.ts",
    "errors.ts",
    "types.ts",
    "options.ts",
    "formats.ts",
    "qr.ts",
    "relay.ts",
    "relay_events.ts",
    "testing.ts",
    "cli.ts",
    "element.ts",
    "element_base.ts",
    "element_events.ts",
  ];
  const source = (name: string) =>
    name.endsWith(".ts") && !name.endsWith("_test.ts");
  for await (const entry of Deno.readDir(root)) {
    if (entry.isFile && entry.name.startsWith("_") && source(entry.name)) {
      files.push(entry.name);
    }
  }
  for (const dir of ["stub", "cli"]) {
    for await (const entry of Deno.readDir(new URL(`${dir}/`, root))) {
      if (entry.isFile && source(entry.name)) {
        files.push(`${dir}/${entry.name}`);
      }
    }
  }
  return files.sort();
}

Deno.test("deno publish --dry-run lists exactly the library, testing and stub files", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: root.pathname,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const printed = new TextDecoder().decode(output.stdout) +
    new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, printed);
  assert.match(printed, /Simulating publish of @handoff\/client@\d+\.\d+\.\d+/);

  const listed = [...printed.matchAll(/^\s+(file:\/\/\S+) \(/gm)]
    .map((match) => match[1]!.slice(root.href.length))
    .sort();
  assert.ok(listed.length > 0, printed);
  assert.deepEqual(listed, await libraryFiles());
  for (
    const path of [
      "tests/",
      "examples/",
      "bench/",
      "soak/",
      "mock/",
      "docs/",
      "tools/",
    ]
  ) {
    assert.ok(
      !listed.some((file) => file.startsWith(path)),
      `${path} is kept out`,
    );
  }
});
