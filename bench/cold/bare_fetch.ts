// Copyright 2026 the handoff authors. MIT license.
// The floor of the first-request figure: a fresh process that asks for one
// session with a bare `fetch` and reads the JSON. Prints when it had the
// answer (ms since the process started, `performance.now()`).
const url = Deno.env.get("HANDOFF_URL")!;
const response = await fetch(
  `${url}/api/v1/sessions/${Deno.env.get("SESSION_ID")}`,
  { headers: { "X-API-Key": Deno.env.get("HANDOFF_API_KEY")! } },
);
const session = await response.json() as { id: string };
if (session.id !== Deno.env.get("SESSION_ID")) throw new Error("wrong answer");
console.log(JSON.stringify({ requestDone: performance.now() }));
