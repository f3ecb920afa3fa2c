// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";
import type { Dashboard } from "../../mock/dashboard.ts";
import { browserCommand, main, USAGE } from "../../mock/main.ts";

function envOf(vars: Record<string, string> = {}) {
  return { get: (name: string) => vars[name] };
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { log: (l: string) => out.push(l), error: (l: string) => err.push(l) },
  };
}

Deno.test("--help prints the usage and exits 0", async () => {
  const { out, io } = capture();
  assert.equal(await main(["--help"], envOf(), io), 0);
  assert.deepEqual(out, [USAGE]);
  for (
    const flag of [
      "--handoff-url",
      "--api-key",
      "--port",
      "--hostname",
      "--no-open",
    ]
  ) {
    assert.ok(USAGE.includes(flag), flag);
  }
});

Deno.test("bad flags and settings exit 2 with a message", async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["--colour"], {}, /Unknown option '--colour'/],
    [["extra"], {}, /positional/],
    [
      ["--port", "http"],
      {},
      /--port must be a port number from 0 to 65535, got "http"/,
    ],
    [["--port", "70000"], {}, /--port must be a port number/],
    [[], { MOCK_PORT: "-1" }, /MOCK_PORT must be a port number/],
    [
      [],
      { HANDOFF_URL: "http://127.0.0.1:1" },
      /no API key is set: set HANDOFF_API_KEY or pass --api-key/,
    ],
  ];
  for (const [args, vars, message] of cases) {
    const { err, io } = capture();
    assert.equal(await main(args, envOf(vars), io), 2, args.join(" "));
    assert.match(err.join("\n"), message);
  }
});

Deno.test("the browser is opened only where there is a desktop and no CI", () => {
  const url = "http://127.0.0.1:9090/";
  assert.deepEqual(browserCommand(url, "darwin", envOf()), {
    command: "open",
    args: [url],
  });
  assert.deepEqual(browserCommand(url, "windows", envOf()), {
    command: "cmd",
    args: ["/c", "start", "", url],
  });
  assert.deepEqual(browserCommand(url, "linux", envOf({ DISPLAY: ":0" })), {
    command: "xdg-open",
    args: [url],
  });
  assert.deepEqual(
    browserCommand(url, "linux", envOf({ WAYLAND_DISPLAY: "wayland-0" })),
    { command: "xdg-open", args: [url] },
  );
  assert.match(
    (browserCommand(url, "linux", envOf()) as { reason: string }).reason,
    /no desktop/,
  );
  assert.deepEqual(
    browserCommand(url, "darwin", envOf({ CI: "true" })),
    { reason: "CI is set" },
  );
});

Deno.test("main starts the dashboard with the stub, opens the browser, and stops cleanly", async () => {
  const { out, err, io } = capture();
  const stop = new AbortController();
  const spawned: string[][] = [];
  let dashboard: Dashboard | undefined;
  const running = main(["--port", "0"], envOf({ DISPLAY: ":0" }), {
    ...io,
    os: "linux",
    signal: stop.signal,
    spawn: (command, args) => spawned.push([command, ...args]),
    onStart: (d) => (dashboard = d),
  });
  while (dashboard === undefined || !out.some((l) => l.startsWith("Press"))) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const page = await fetch(dashboard.url);
  assert.equal(page.status, 200);
  await page.body?.cancel();
  const list = await fetch(new URL("/api/sessions", dashboard.url));
  assert.deepEqual((await list.json()).sessions, []);
  assert.deepEqual(dashboard.stats(), {
    sessions: 0,
    relays: 0,
    relaysBySession: {},
  });
  assert.deepEqual(spawned, [["xdg-open", dashboard.url]]);
  assert.ok(
    out.some((l) =>
      l.startsWith("No HANDOFF_URL set: started the stub Handoff server at")
    ),
  );
  assert.ok(out.includes(`Dashboard: ${dashboard.url}`));

  stop.abort();
  assert.equal(await running, 0);
  assert.deepEqual(err, []);
  assert.equal(out.at(-1), "Stopped.");
  await assert.rejects(() => fetch(dashboard!.url));
});

Deno.test("main talks to HANDOFF_URL and does not open a browser in CI", async () => {
  const { out, io } = capture();
  const stop = new AbortController();
  stop.abort();
  const spawned: string[][] = [];
  const code = await main(
    ["--port", "0"],
    envOf({
      HANDOFF_URL: "http://127.0.0.1:1",
      HANDOFF_API_KEY: "k",
      CI: "1",
      DISPLAY: ":0",
    }),
    { ...io, signal: stop.signal, spawn: (c, a) => spawned.push([c, ...a]) },
  );
  assert.equal(code, 0);
  assert.deepEqual(spawned, []);
  assert.ok(
    out.includes("Talking to the Handoff server at http://127.0.0.1:1"),
  );
  assert.ok(out.includes("Not opening a browser: CI is set."));
});

Deno.test("main says so when the port is taken", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { err, io } = capture();
  const code = await main(
    ["--port", String(listener.addr.port), "--no-open"],
    envOf(),
    io,
  );
  assert.equal(code, 1);
  assert.match(
    err.join("\n"),
    /Port \d+ on 127\.0\.0\.1 is in use: pass --port \(or MOCK_PORT\)/,
  );
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.test({
    name: `deno task mock closes everything and exits 0 on ${signal}`,
    ignore: Deno.build.os === "windows",
    async fn() {
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-net",
          "--allow-env",
          "--allow-read",
          "--allow-run",
          new URL("../../mock/main.ts", import.meta.url).pathname,
          "--port",
          "0",
          "--no-open",
        ],
        env: { HANDOFF_URL: "", CI: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const lines = child.stdout.pipeThrough(new TextDecoderStream())
        .getReader();
      let out = "";
      while (!out.includes("Press Ctrl+C")) {
        const { done, value } = await lines.read();
        if (done) break;
        out += value;
      }
      const url = /Dashboard: (\S+)/.exec(out)?.[1];
      assert.ok(url, out);
      // A live session, so there is a WebSocket to close.
      const created = await fetch(new URL("/api/sessions", url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ action: "scan" }),
      });
      assert.equal(created.status, 201);
      const { session } = await created.json();
      // A page following it: its relay stream is open when the signal comes.
      const relay = await fetch(
        new URL(`/api/sessions/${session.id}/events`, url),
      );
      assert.equal(relay.status, 200);
      const events = relay.body!.pipeThrough(new TextDecoderStream())
        .getReader();
      let relayed = "";
      while (!relayed.includes("event: session")) {
        relayed += (await events.read()).value ?? "";
      }

      child.kill(signal);
      // The dashboard ends the stream as it stops.
      for (;;) {
        const { done } = await events.read().catch(() => ({ done: true }));
        if (done) break;
      }
      for (;;) {
        const { done, value } = await lines.read();
        if (done) break;
        out += value;
      }
      const [status, stderr] = await Promise.all([
        child.status,
        new Response(child.stderr).text(),
      ]);
      assert.equal(status.code, 0, stderr);
      assert.match(out, new RegExp(`${signal}: stopping…\\nStopped\\.`));
    },
  });
}
