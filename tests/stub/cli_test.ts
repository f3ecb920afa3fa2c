// Copyright 2026 the handoff authors. MIT license.
// `deno task stub` (stub/cli.ts): env vars, flags, the printed line, exit
// codes and signals. Runs the real command as a subprocess.

import assert from "node:assert/strict";
import { sampleJpeg } from "../../testing.ts";
import { main } from "../../stub/cli.ts";
import { bytesOf, readReply, type Reply } from "./_helpers.ts";
import { onFreePort } from "../_port.ts";

const ROOT = new URL("../../", import.meta.url);
const LISTENING = /^Handoff stub listening on (http:\/\/127\.0\.0\.1:(\d+))$/;

interface Running {
  url: string;
  port: number;
  /** Send a signal and return the exit code, with all output drained. */
  stop(
    signal?: Deno.Signal,
  ): Promise<{ code: number; stdout: string; stderr: string }>;
}

function command(args: string[], env: Record<string, string>): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", "stub/cli.ts", ...args],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/** Start the CLI and wait for its listening line. */
async function start(
  args: string[] = ["--port", "0"],
  env: Record<string, string> = {},
): Promise<Running> {
  const child = command(args, env).spawn();
  const stderrText = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let match: RegExpMatchArray | null = null;
  const killer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, 20_000);
  try {
    while (match === null) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      for (const line of buffered.split("\n")) {
        match = line.match(LISTENING);
        if (match !== null) break;
      }
    }
  } finally {
    clearTimeout(killer);
  }
  if (match === null) {
    const status = await child.status;
    throw new Error(
      `no listening line (exit ${status.code}): ${buffered} ${await stderrText}`,
    );
  }
  const url = match[1]!;
  return {
    url,
    port: Number(match[2]),
    async stop(signal: Deno.Signal = "SIGTERM") {
      child.kill(signal);
      const killer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }, 10_000);
      try {
        let rest = buffered;
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          rest += value;
        }
        const status = await child.status;
        return { code: status.code, stdout: rest, stderr: await stderrText };
      } finally {
        clearTimeout(killer);
      }
    },
  };
}

/** Run the CLI to completion (for --help and bad values). */
async function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = command(args, env).spawn();
  const killer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, 20_000);
  try {
    const out = await child.output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  } finally {
    clearTimeout(killer);
  }
}

async function call(
  url: string,
  path: string,
  key: string | null,
  body?: unknown,
): Promise<Reply> {
  const headers = new Headers();
  if (key !== null) headers.set("X-API-Key", key);
  let init: RequestInit = { headers };
  if (body instanceof FormData) init = { method: "POST", headers, body };
  else if (body !== undefined) {
    init = { method: "POST", headers, body: JSON.stringify(body) };
  }
  return await readReply(await fetch(url + path, init));
}

function pageForm(data: Uint8Array, pageIndex: number): FormData {
  const form = new FormData();
  form.append(
    "file",
    new Blob([data as Uint8Array<ArrayBuffer>], { type: "image/jpeg" }),
    "p.jpg",
  );
  form.append("page_index", String(pageIndex));
  return form;
}

Deno.test("the stub command prints its listening line and SIGINT stops it with exit 0", async () => {
  const cli = await start(["--port", "0"], { API_KEYS: "k1" });
  let stopped = false;
  try {
    const health = await call(cli.url, "/api/v1/health", null);
    assert.equal(health.status, 200);
    assert.equal(health.text, `{"status":"ok"}`);
    const out = await cli.stop("SIGINT");
    stopped = true;
    assert.equal(out.code, 0, out.stderr);
  } finally {
    if (!stopped) await cli.stop("SIGKILL");
  }
});

Deno.test("SIGTERM stops the stub command with exit 0", async () => {
  const cli = await start(["--port", "0"], { API_KEYS: "k1" });
  const out = await cli.stop("SIGTERM");
  assert.equal(out.code, 0, out.stderr);
});

Deno.test("PORT sets the port", async () => {
  // Another process may take a port found free before the stub binds it:
  // onFreePort() tries another one then.
  const [port, cli] = await onFreePort(async (port) =>
    [port, await start([], { PORT: String(port), API_KEYS: "k1" })] as const
  );
  try {
    assert.equal(cli.port, port);
    assert.equal(cli.url, `http://127.0.0.1:${port}`);
    assert.equal((await call(cli.url, "/api/v1/health", null)).status, 200);
  } finally {
    assert.equal((await cli.stop()).code, 0);
  }
});

Deno.test("--port and --hostname set where it listens", async () => {
  const [port, cli] = await onFreePort(async (port) =>
    [
      port,
      await start(
        ["--port", String(port), "--hostname", "127.0.0.1"],
        { API_KEYS: "k1" },
      ),
    ] as const
  );
  try {
    assert.equal(cli.url, `http://127.0.0.1:${port}`);
    assert.equal((await call(cli.url, "/api/v1/health", null)).status, 200);
  } finally {
    assert.equal((await cli.stop()).code, 0);
  }
});

Deno.test("API_KEYS takes several comma-separated keys", async () => {
  const cli = await start(["--port", "0"], { API_KEYS: "alpha,beta" });
  try {
    const body = { action_type: "photo", output_format: "jpg" };
    assert.equal(
      (await call(cli.url, "/api/v1/sessions", "alpha", body)).status,
      201,
    );
    assert.equal(
      (await call(cli.url, "/api/v1/sessions", "beta", body)).status,
      201,
    );
    const wrong = await call(cli.url, "/api/v1/sessions", "gamma", body);
    assert.equal(wrong.status, 401);
    assert.equal(wrong.text, `{"error":"invalid API key"}`);
  } finally {
    assert.equal((await cli.stop()).code, 0);
  }
});

Deno.test("--api-key sets the accepted key", async () => {
  const cli = await start(["--port", "0", "--api-key", "flag-key"]);
  try {
    const body = { action_type: "scan" };
    assert.equal(
      (await call(cli.url, "/api/v1/sessions", "flag-key", body)).status,
      201,
    );
    assert.equal(
      (await call(cli.url, "/api/v1/sessions", "other", body)).status,
      401,
    );
  } finally {
    assert.equal((await cli.stop()).code, 0);
  }
});

Deno.test("BASE_URL, SESSION_TTL and RESULT_TTL shape created sessions", async () => {
  const cli = await start(["--port", "0"], {
    API_KEYS: "k",
    BASE_URL: "https://handoff.example.com",
    SESSION_TTL: "1m",
    RESULT_TTL: "2s",
  });
  try {
    const reply = await call(cli.url, "/api/v1/sessions", "k", {
      action_type: "photo",
      output_format: "jpg",
    });
    assert.equal(reply.status, 201, reply.text);
    assert.equal(
      reply.json.url,
      `https://handoff.example.com/s/${reply.json.id}`,
    );
    assert.equal(reply.json.session_ttl, 60000000000);
    assert.equal(reply.json.result_ttl, 2000000000);
  } finally {
    assert.equal((await cli.stop()).code, 0);
  }
});

Deno.test("SCAN_UPLOAD_MAX_BYTES and SCAN_MAX_PAGES limit scan uploads", async () => {
  const cli = await start(["--port", "0"], {
    API_KEYS: "k",
    SCAN_UPLOAD_MAX_BYTES: "4096",
    SCAN_MAX_PAGES: "1",
  });
  try {
    const created = await call(cli.url, "/api/v1/sessions", "k", {
      action_type: "scan",
    });
    const id = created.json.id;
    const big = await call(
      cli.url,
      `/s/${id}/scan/upload`,
      null,
      pageForm(bytesOf(10_000), 0),
    );
    assert.equal(big.status, 413);
    assert.equal(big.text, `{"error":"request body too large"}`);
    const first = await call(
      cli.url,
      `/s/${id}/scan/upload`,
      null,
      pageForm(sampleJpeg(), 0),
    );
    assert.equal(first.status, 200, first.text);
    const second = await call(
      cli.url,
      `/s/${id}/scan/upload`,
      null,
      pageForm(sampleJpeg(), 1),
    );
    assert.equal(second.status, 400);
    assert.equal(
      second.text,
      `{"current":1,"error":"page limit exceeded","limit":1}`,
    );
  } finally {
    assert.equal((await cli.stop()).code, 0);
  }
});

Deno.test("--help prints usage and exits 0 without listening", async () => {
  const out = await run(["--help"]);
  assert.equal(out.code, 0, out.stderr);
  assert.ok(!LISTENING.test(out.stdout.trim()));
  assert.match(out.stdout, /--port/);
  assert.match(out.stdout, /API_KEYS/);
});

Deno.test("bad values and unknown flags exit 2 with a message on stderr", async () => {
  const cases: [string[], Record<string, string>][] = [
    [[], { PORT: "abc" }],
    [[], { PORT: "70000" }],
    [["--port", "abc"], {}],
    [["--port", "0"], { SESSION_TTL: "abc" }],
    [["--port", "0"], { RESULT_TTL: "5" }],
    [["--port", "0"], { SCAN_UPLOAD_MAX_BYTES: "lots" }],
    [["--port", "0"], { SCAN_MAX_PAGES: "-1" }],
    [["--port", "0"], { SCAN_MAX_PAGES: "many" }],
    [["--port", "0", "--bogus"], {}],
  ];
  const outs = await Promise.all(
    cases.map(([args, env]) => run(args, { API_KEYS: "k", ...env })),
  );
  outs.forEach((out, i) => {
    const label = JSON.stringify(cases[i]);
    assert.equal(out.code, 2, `${label}: ${out.stdout} ${out.stderr}`);
    assert.ok(out.stderr.trim().length > 0, `${label}: no message`);
    assert.ok(!out.stdout.includes("listening"), label);
  });
});

// ------------------------------------------------------------ main() in process

/** Run `main()` in this process until its listening line, then stop it. */
async function startMain(
  args: string[],
  env: Record<string, string>,
): Promise<{
  url: string;
  lines: string[];
  stop(): Promise<number>;
}> {
  const controller = new AbortController();
  const lines: string[] = [];
  let listening: (url: string) => void = () => {};
  const ready = new Promise<string>((resolve) => listening = resolve);
  const exit = main(args, env, {
    stdout: (line) => {
      lines.push(line);
      const m = line.match(LISTENING);
      if (m !== null) listening(m[1]!);
    },
    stderr: (line) => lines.push(line),
    signal: controller.signal,
  });
  const url = await Promise.race([
    ready,
    exit.then((code) => {
      throw new Error(`main() exited with ${code}: ${lines.join("\n")}`);
    }),
  ]);
  return {
    url,
    lines,
    async stop() {
      controller.abort();
      return await exit;
    },
  };
}

Deno.test("main() prints the listening line, serves, and returns 0 when its signal aborts", async () => {
  const cli = await startMain(["--port", "0"], { API_KEYS: "k1,k2" });
  try {
    assert.equal(cli.lines[0], `Handoff stub listening on ${cli.url}`);
    const created = await call(cli.url, "/api/v1/sessions", "k2", {
      action_type: "signature",
      output_format: "png",
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.url, `${cli.url}/s/${created.json.id}`);
  } finally {
    assert.equal(await cli.stop(), 0);
  }
});

Deno.test("main() without any key makes one up, and it works", async () => {
  const cli = await startMain(["--port", "0"], {});
  try {
    const printed = cli.lines.join("\n");
    const key = printed.match(/API key: (\S+)/)?.[1];
    assert.ok(key !== undefined, printed);
    const created = await call(cli.url, "/api/v1/sessions", key, {
      action_type: "scan",
    });
    assert.equal(created.status, 201, created.text);
  } finally {
    assert.equal(await cli.stop(), 0);
  }
});

Deno.test("main() --help returns 0 and prints usage", async () => {
  const out: string[] = [];
  const code = await main(["--help"], {}, {
    stdout: (line) => out.push(line),
    stderr: (line) => out.push(line),
  });
  assert.equal(code, 0);
  assert.match(out.join("\n"), /--port/);
});

Deno.test("main() returns 2 for bad values without starting a server", async () => {
  const cases: [string[], Record<string, string>][] = [
    [[], { PORT: "-1" }],
    [["--port", "65536"], {}],
    [["--port", "0"], { SESSION_TTL: "10" }],
    [["--port", "0"], { RESULT_TTL: "soon" }],
    [["--port", "0"], { SCAN_UPLOAD_MAX_BYTES: "1.5" }],
    [["--port", "0"], { SCAN_MAX_PAGES: "x" }],
    [["--nope"], {}],
  ];
  for (const [args, env] of cases) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, env, {
      stdout: (line) => out.push(line),
      stderr: (line) => err.push(line),
    });
    const label = JSON.stringify([args, env]);
    assert.equal(code, 2, label);
    assert.ok(err.join("").length > 0, label);
    assert.ok(!out.some((line) => LISTENING.test(line)), label);
  }
});

Deno.test("timestamps are in the server's local zone", async () => {
  for (
    const [tz, suffix] of [["UTC", /Z$/], ["Asia/Kolkata", /\+05:30$/]] as const
  ) {
    const cli = await start(["--port", "0"], { API_KEYS: "k", TZ: tz });
    try {
      const created = await call(cli.url, "/api/v1/sessions", "k", {
        action_type: "photo",
        output_format: "jpg",
      });
      assert.equal(created.status, 201);
      assert.match(created.json.created_at, suffix, tz);
    } finally {
      assert.equal((await cli.stop()).code, 0);
    }
  }
});
