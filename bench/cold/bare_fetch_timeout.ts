// Copyright 2026 the handoff authors. MIT license.
// A second floor of the first-request figure: the bare `fetch` of
// bare_fetch.ts with a timeout, as any request that cannot hang forever
// has one (a `setTimeout` that aborts it, cleared on the answer). On Deno
// 2.9 the first `setTimeout` of a process loads Node's timers module.
const url = Deno.env.get("HANDOFF_URL")!;
const controller = new AbortController();
const timer = setTimeout(() => controller.abort(), 30_000);
const response = await fetch(
  `${url}/api/v1/sessions/${Deno.env.get("SESSION_ID")}`,
  {
    headers: { "X-API-Key": Deno.env.get("HANDOFF_API_KEY")! },
    signal: controller.signal,
  },
);
const session = await response.json() as { id: string };
clearTimeout(timer);
if (session.id !== Deno.env.get("SESSION_ID")) throw new Error("wrong answer");
console.log(JSON.stringify({ requestDone: performance.now() }));
