// Copyright 2026 the handoff authors. MIT license.
// A fresh process that imports the library, makes a client and asks for one
// session with `getSession`. Prints when each step was done (ms since the
// process started, `performance.now()`); the import is dynamic so that it
// can be timed. `CLIENT_MODULE` names another build of mod.ts (the bundle).
const bundle = Deno.env.get("CLIENT_MODULE");
const start = performance.now();
const { HandoffClient } = bundle === undefined
  // A literal, so that Deno treats it as it would a static import.
  ? await import("../../mod.ts")
  : await import(bundle) as typeof import("../../mod.ts");
const importDone = performance.now();
const client = new HandoffClient({
  baseUrl: Deno.env.get("HANDOFF_URL")!,
  apiKey: Deno.env.get("HANDOFF_API_KEY")!,
});
const clientDone = performance.now();
const session = await client.getSession(Deno.env.get("SESSION_ID")!);
if (session.id !== Deno.env.get("SESSION_ID")) throw new Error("wrong answer");
const requestDone = performance.now();
console.log(JSON.stringify({ start, importDone, clientDone, requestDone }));
