// Copyright 2026 the handoff authors. MIT license.
// `deno task test:live`: check a Handoff deployment end to end. Reads
// HANDOFF_URL and HANDOFF_API_KEY, says what it is about to do to that
// server, and runs tests/live/suite.ts under `deno test` with the sanitizers
// on and network access only to 127.0.0.1 (the fault relay) and the server.

const USAGE =
  `Usage: HANDOFF_URL=https://handoff.example.com HANDOFF_API_KEY=… deno task test:live [--filter <pattern>]

Runs the client end to end against that Handoff server: the REST API, the
WebSocket (through a local TCP relay that cuts, refuses and stalls
connections) and the phone endpoints (/s/:id, straight to the server).

  --filter <pattern>  Run only the tests whose name contains <pattern>
                      (or matches /<regex>/), as deno test --filter does
  -h, --help          Show this help`;

function fail(message: string): never {
  console.error(`test:live: ${message}\n\n${USAGE}`);
  Deno.exit(2);
}

function parse(args: readonly string[]): { filter?: string } {
  const out: { filter?: string } = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "-h" || arg === "--help") {
      console.log(USAGE);
      Deno.exit(0);
    } else if (arg === "--filter") {
      const value = args[++i];
      if (value === undefined || value === "") fail("--filter needs a pattern");
      out.filter = value;
    } else if (arg.startsWith("--filter=")) {
      const value = arg.slice("--filter=".length);
      if (value === "") fail("--filter needs a pattern");
      out.filter = value;
    } else fail(`unknown argument ${JSON.stringify(arg)}`);
  }
  return out;
}

const { filter } = parse(Deno.args);
const url = Deno.env.get("HANDOFF_URL")?.trim() ?? "";
const key = Deno.env.get("HANDOFF_API_KEY") ?? "";
const missing = [
  url === "" ? "HANDOFF_URL" : undefined,
  key === "" ? "HANDOFF_API_KEY" : undefined,
].filter((name) => name !== undefined);
if (missing.length > 0) {
  fail(
    `${missing.join(" and ")} ${
      missing.length > 1 ? "are" : "is"
    } not set: the live suite checks a real Handoff server and needs both HANDOFF_URL (its root URL) and HANDOFF_API_KEY.`,
  );
}
let server: URL;
try {
  server = new URL(url);
} catch {
  fail(`HANDOFF_URL must be an absolute URL, got ${JSON.stringify(url)}`);
}
if (server.protocol !== "http:" && server.protocol !== "https:") {
  fail(`HANDOFF_URL must be http:// or https://, got ${server.protocol}//`);
}

console.log(
  `test:live: checking the Handoff server at ${server.origin}${
    server.pathname.replace(/\/+$/, "")
  }.
It creates about 20 sessions there (photo, signature, scan), opens them from a
simulated phone and completes them with tiny generated images (JPEG, PNG, SVG
and scanned JPEG pages of a few hundred bytes); one is left to expire with a
3 s TTL. Use a test deployment or one where a few test sessions do no harm.`,
);

// The relay listens on 127.0.0.1 and dials the server; the phone dials the
// server; nothing else.
const host = server.host; // hostname[:port], as --allow-net takes it
const args = [
  "test",
  "--sanitize-ops",
  "--sanitize-resources",
  `--preload=${new URL("../_runtime_timers.ts", import.meta.url).pathname}`,
  `--allow-net=127.0.0.1,${host}`,
  "--allow-env=HANDOFF_URL,HANDOFF_API_KEY",
  ...(filter === undefined ? [] : ["--filter", filter]),
  new URL("./suite.ts", import.meta.url).pathname,
];
const child = new Deno.Command(Deno.execPath(), {
  args,
  stdin: "null",
  stdout: "inherit",
  stderr: "inherit",
}).spawn();
const status = await child.status;
Deno.exit(status.code);
