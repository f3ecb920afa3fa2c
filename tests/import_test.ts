// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";
import { encodeBase64 } from "../_base64.ts";

Deno.test("importing the library starts no timer, draws no random number and sends nothing", async () => {
  // A fresh process, so nothing is cached; every forbidden global throws.
  const code = `
    const forbid = (name) => () => { throw new Error(name + " at import time"); };
    globalThis.setTimeout = forbid("setTimeout");
    globalThis.setInterval = forbid("setInterval");
    globalThis.fetch = forbid("fetch");
    globalThis.WebSocket = forbid("WebSocket");
    Math.random = forbid("Math.random");
    crypto.getRandomValues = forbid("crypto.getRandomValues");
    crypto.randomUUID = forbid("crypto.randomUUID");
    const mod = await import("./mod.ts");
    const testing = await import("./testing.ts");
    console.log(typeof mod.HandoffClient, typeof testing.startStubServer);
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=js", code],
    cwd: new URL("../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  assert.equal(
    new TextDecoder().decode(output.stdout).trim(),
    "function function",
  );
});

Deno.test("base64 falls back to btoa where Uint8Array has no toBase64", () => {
  const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) & 0xff);
  const native = encodeBase64(bytes);
  const descriptor = Object.getOwnPropertyDescriptor(
    Uint8Array.prototype,
    "toBase64",
  );
  let fallback: string;
  try {
    Object.defineProperty(Uint8Array.prototype, "toBase64", {
      value: undefined,
      configurable: true,
    });
    fallback = encodeBase64(bytes);
  } finally {
    if (descriptor) {
      Object.defineProperty(Uint8Array.prototype, "toBase64", descriptor);
    }
  }
  assert.equal(fallback, native);
  assert.deepEqual(
    Uint8Array.from(atob(fallback), (c) => c.charCodeAt(0)),
    bytes,
  );
});

Deno.test("_preload.ts lists mod.ts's whole import graph, in the order it runs", async () => {
  // `deno info --json` gives each module's imports; the order ES modules run
  // in is a depth-first walk of the code (not type-only) imports, each
  // module after what it imports.
  const root = new URL("../", import.meta.url);
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "mod.ts"],
    cwd: root.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    modules: {
      specifier: string;
      dependencies?: {
        code?: { specifier: string };
        isDynamic?: boolean;
      }[];
    }[];
  };
  const modules = new Map(info.modules.map((m) => [m.specifier, m]));
  const preload = new URL("_preload.ts", root).href;
  const order: string[] = [];
  const seen = new Set<string>();
  const walk = (specifier: string) => {
    seen.add(specifier);
    for (const dependency of modules.get(specifier)?.dependencies ?? []) {
      const code = dependency.code?.specifier;
      if (
        code === undefined || dependency.isDynamic || seen.has(code) ||
        code === preload || !code.startsWith(root.href)
      ) continue;
      walk(code);
    }
    order.push(specifier.slice(root.href.length));
  };
  walk(new URL("mod.ts", root).href);
  order.pop(); // mod.ts itself

  const listed = [
    ...(await Deno.readTextFile(new URL("_preload.ts", root)))
      .matchAll(/^import "\.\/(.+)";$/gm),
  ].map((match) => match[1]);
  assert.deepEqual(listed, order);
});
