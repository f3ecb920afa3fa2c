// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";

interface DocNode {
  name: string;
  declarations?: { jsDoc?: { tags?: { kind: string }[] } }[];
}

Deno.test("cli.ts has a @module doc, and every export of it a JSDoc @example", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", "cli.ts"],
    cwd: new URL("../../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const doc = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    nodes: Record<string, { module_doc?: unknown; symbols: DocNode[] }>;
  };
  const [entry] = Object.values(doc.nodes);
  assert.ok(entry?.module_doc, "cli.ts has no @module doc");
  const names = entry.symbols.map((symbol) => symbol.name).sort();
  assert.deepEqual(names, [
    "CliEnv",
    "CliEvent",
    "EXIT_CODES",
    "ExitReason",
    "SavedFile",
    "USAGE",
    "main",
  ]);
  const missing = entry.symbols.filter((symbol) =>
    !symbol.declarations?.some((declaration) =>
      declaration.jsDoc?.tags?.some((tag) => tag.kind === "example")
    )
  ).map((symbol) => symbol.name);
  assert.deepEqual(missing, []);
});

Deno.test("importing cli.ts runs nothing", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `const cli = await import(${
        JSON.stringify(new URL("../../cli.ts", import.meta.url).href)
      }); console.log(typeof cli.main);`,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  assert.equal(stdout, "function\n"); // no usage, no error, no wait
});
