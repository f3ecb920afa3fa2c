// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";

interface DocNode {
  name: string;
  declarations?: { jsDoc?: { tags?: { kind: string }[] } }[];
}

Deno.test("every export of every entry point has a JSDoc @example", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", "mod.ts", "testing.ts", "cli.ts"],
    cwd: new URL("../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const doc = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    nodes: Record<string, { module_doc?: unknown; symbols: DocNode[] }>;
  };
  const missing: string[] = [];
  for (const [module, { module_doc, symbols }] of Object.entries(doc.nodes)) {
    assert.ok(module_doc, `${module} has no @module doc`);
    for (const symbol of symbols) {
      const hasExample = symbol.declarations?.some((declaration) =>
        declaration.jsDoc?.tags?.some((tag) => tag.kind === "example")
      );
      if (!hasExample) {
        missing.push(`${module.split("/").at(-1)}: ${symbol.name}`);
      }
    }
  }
  assert.deepEqual(missing, []);
});
