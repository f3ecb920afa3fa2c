// Copyright 2026 the handoff authors. MIT license.
// `cli.ts` end to end: the command as a process against the stub server,
// the session completed by the stub's simulated phone.

import assert from "node:assert/strict";
import { sampleJpeg, samplePng } from "../../testing.ts";
import {
  CliProcess,
  decodeTerminalQr,
  eventsOf,
  eventually,
  qrLines,
  removeOut,
  runCli,
  startCliStub,
  tempOut,
} from "./_helpers.ts";

const BYTES_OF_PNG = samplePng().length;

Deno.test("handoff photo --json prints each event and saves photo.jpg", async () => {
  await using server = await startCliStub();
  const out = await tempOut();
  try {
    await using cli = new CliProcess(["photo", "--json", "--out", out], {
      env: { HANDOFF_URL: server.url, HANDOFF_API_KEY: server.apiKey },
      secrets: [server.apiKey],
    });
    const created = await cli.waitForEvent("created");
    assert.equal(created.action, "photo");
    assert.match(String(created.url), /\/s\/[0-9a-f-]{36}$/);
    assert.ok(!Number.isNaN(Date.parse(String(created.expiresAt))));
    await cli.waitForEvent("status"); // pending: the session is watched
    await server.phone.complete(String(created.id));
    const { code, stdout, stderr } = await cli.finish();
    assert.equal(code, 0, stderr);

    const events = eventsOf(stdout);
    assert.deepEqual(
      events.map((e) => e.event === "status" ? e.status : e.event),
      [
        "created",
        "pending",
        "opened",
        "action_started",
        "completed",
        "saved",
      ],
    );
    const saved = events.at(-1)!.files as {
      path: string;
      contentType: string;
      bytes: number;
    }[];
    assert.equal(saved.length, 1);
    assert.equal(saved[0]!.path, `${out}/photo.jpg`);
    assert.equal(saved[0]!.contentType, "image/jpeg");
    const file = await Deno.readFile(`${out}/photo.jpg`);
    assert.equal(file.length, saved[0]!.bytes);
    assert.deepEqual(
      file,
      server.session(String(created.id))!.items[0]!.data,
    );
    // The human text went to stderr, without a QR code (not a terminal).
    assert.match(stderr, /open this link on the phone/i);
    assert.ok(stderr.includes(String(created.url)));
    assert.match(stderr, /Status: opened on the phone/);
    assert.match(stderr, /Saved .*photo\.jpg \(\d+ B, image\/jpeg\)/);
    assert.equal(qrLines(stderr).length, 0);
  } finally {
    await removeOut(out);
  }
});

Deno.test("the files are named by their content type, whatever the output format", async () => {
  await using server = await startCliStub();
  const out = await tempOut();
  try {
    // A PNG screenshot sent for a jpg session, as the real photo page does.
    await using cli = new CliProcess([
      "photo",
      "--json",
      "--out",
      out,
      "--format",
      "jpg",
    ], {
      env: { HANDOFF_URL: server.url, HANDOFF_API_KEY: server.apiKey },
      secrets: [server.apiKey],
    });
    const { id } = await cli.waitForEvent("created");
    await server.phone.open(String(id));
    await server.phone.submit(String(id), [
      { contentType: "image/png", filename: "photo.png", data: samplePng() },
      { contentType: "", filename: "notes.TXT", data: "aGk=" },
    ]);
    const { code, stdout } = await cli.finish();
    assert.equal(code, 0);
    const saved = eventsOf(stdout).at(-1)!.files as {
      path: string;
      bytes: number;
    }[];
    assert.deepEqual(saved.map((file) => file.path), [
      `${out}/photo.png`,
      `${out}/photo.txt`,
    ]);
    assert.equal(saved[0]!.bytes, BYTES_OF_PNG);
  } finally {
    await removeOut(out);
  }
});

Deno.test("signature --format svg saves signature.svg", async () => {
  await using server = await startCliStub();
  const out = await tempOut();
  try {
    await using cli = new CliProcess([
      "signature",
      "--json",
      "--out",
      out,
      "--intro",
      "Sign here, please",
    ], {
      env: { HANDOFF_URL: server.url, HANDOFF_API_KEY: server.apiKey },
    });
    const { id } = await cli.waitForEvent("created");
    assert.equal(server.session(String(id))!.outputFormat, "svg");
    assert.equal(server.session(String(id))!.introText, "Sign here, please");
    await server.phone.complete(String(id));
    const { code, stdout } = await cli.finish();
    assert.equal(code, 0);
    const [file] = eventsOf(stdout).at(-1)!.files as {
      path: string;
      contentType: string;
    }[];
    assert.equal(file!.path, `${out}/signature.svg`);
    assert.equal(file!.contentType, "image/svg+xml");
    assert.match(await Deno.readTextFile(`${out}/signature.svg`), /<svg/);
  } finally {
    await removeOut(out);
  }
});

Deno.test("a multi-document scan saves scan-1.pdf and scan-2.pdf", async () => {
  await using server = await startCliStub();
  const out = await tempOut();
  try {
    await using cli = new CliProcess([
      "scan",
      "--document-mode",
      "multi",
      "--json",
      "--out",
      out,
    ], {
      env: { HANDOFF_URL: server.url, HANDOFF_API_KEY: server.apiKey },
    });
    const { id } = await cli.waitForEvent("created");
    const session = server.session(String(id))!;
    assert.equal(session.documentMode, "multi");
    assert.equal(session.scanOutputFormat, "pdf");
    await server.phone.open(String(id));
    const jpeg = sampleJpeg();
    for (const documentIndex of [0, 1]) {
      await server.phone.uploadPage(String(id), {
        data: jpeg,
        documentIndex,
        pageIndex: 0,
      });
    }
    await server.phone.finalize(String(id));
    const { code, stdout } = await cli.finish();
    assert.equal(code, 0);
    const events = eventsOf(stdout);
    assert.equal(events.find((e) => e.event === "completed")!.files, 2);
    const files = events.at(-1)!.files as {
      path: string;
      contentType: string;
    }[];
    assert.deepEqual(files.map((file) => file.path), [
      `${out}/scan-1.pdf`,
      `${out}/scan-2.pdf`,
    ]);
    for (const file of files) {
      assert.equal(file.contentType, "application/pdf");
      const head = (await Deno.readFile(file.path)).subarray(0, 5);
      assert.equal(new TextDecoder().decode(head), "%PDF-");
    }
  } finally {
    await removeOut(out);
  }
});

Deno.test("a scan in images mode saves scan-1-page-1.jpg, scan-1-page-2.jpg", async () => {
  await using server = await startCliStub();
  const out = await tempOut();
  try {
    await using cli = new CliProcess([
      "scan",
      "--format",
      "images",
      "--json",
      "--out",
      out,
    ], {
      env: { HANDOFF_URL: server.url, HANDOFF_API_KEY: server.apiKey },
    });
    const { id } = await cli.waitForEvent("created");
    await server.phone.open(String(id));
    await server.phone.uploadPage(String(id), {
      data: sampleJpeg(),
      pageIndex: 0,
    });
    await server.phone.uploadPage(String(id), {
      data: sampleJpeg(),
      pageIndex: 1,
    });
    await server.phone.finalize(String(id));
    const { code, stdout } = await cli.finish();
    assert.equal(code, 0);
    const files = eventsOf(stdout).at(-1)!.files as { path: string }[];
    assert.deepEqual(files.map((file) => file.path), [
      `${out}/scan-1-page-1.jpg`,
      `${out}/scan-1-page-2.jpg`,
    ]);
  } finally {
    await removeOut(out);
  }
});

Deno.test("an existing file is never overwritten: photo-1.jpg, then photo-2.jpg", async () => {
  await using server = await startCliStub();
  const out = await tempOut();
  try {
    await Deno.writeTextFile(`${out}/photo.jpg`, "mine");
    for (const expected of ["photo-1.jpg", "photo-2.jpg"]) {
      await using cli = new CliProcess(["photo", "--json", "--out", out], {
        env: { HANDOFF_URL: server.url, HANDOFF_API_KEY: server.apiKey },
      });
      const { id } = await cli.waitForEvent("created");
      await server.phone.complete(String(id));
      const { code, stdout } = await cli.finish();
      assert.equal(code, 0);
      const [file] = eventsOf(stdout).at(-1)!.files as { path: string }[];
      assert.equal(file!.path, `${out}/${expected}`);
    }
    assert.equal(await Deno.readTextFile(`${out}/photo.jpg`), "mine");
  } finally {
    await removeOut(out);
  }
});

Deno.test("--out is created when missing", async () => {
  await using server = await startCliStub();
  const out = await tempOut();
  try {
    await using cli = new CliProcess(
      ["photo", "--json", "--out", `${out}/a/b`],
      {
        env: { HANDOFF_URL: server.url, HANDOFF_API_KEY: server.apiKey },
      },
    );
    const { id } = await cli.waitForEvent("created");
    await server.phone.complete(String(id));
    assert.equal((await cli.finish()).code, 0);
    assert.ok((await Deno.stat(`${out}/a/b/photo.jpg`)).isFile);
  } finally {
    await removeOut(out);
  }
});

Deno.test("on a terminal: a QR code that decodes to the URL, a status line redrawn in place, the progress", async () => {
  await using server = await startCliStub();
  const out = await tempOut();
  try {
    // The flags win over the environment.
    await using cli = new CliProcess(
      [
        "photo",
        "--out",
        out,
        "--url",
        server.url,
        "--api-key",
        server.apiKey,
        "--ttl",
        "10m",
        "--intro",
        "A photo of the meter, please",
      ],
      {
        tty: true,
        env: {
          HANDOFF_URL: "http://127.0.0.1:4",
          HANDOFF_API_KEY: "cli-test-wrong-key",
        },
        secrets: [server.apiKey, "cli-test-wrong-key"],
      },
    );
    const [url, id] = await cli.waitFor(
      /http:\/\/127\.0\.0\.1:\d+\/s\/([0-9a-f-]{36})/,
    );
    await cli.waitFor(
      /Status: pending: waiting for the phone to open the link · (10:00|9:5\d) left/,
    );
    await server.phone.open(id!);
    // deno-lint-ignore no-control-regex -- terminal escape codes
    await cli.waitFor(/\r\x1b\[2KStatus: opened on the phone · \d+:\d\d left/);
    await server.phone.start(id!);
    // deno-lint-ignore no-control-regex -- terminal escape codes
    await cli.waitFor(/\r\x1b\[2KStatus: started on the phone · \d+:\d\d left/);
    await server.phone.complete(id!);
    const { code, stdout } = await cli.finish();
    assert.equal(code, 0, stdout);

    assert.equal(decodeTerminalQr(stdout), url);
    const lines = qrLines(stdout);
    // 2 module rows per line, a quiet zone of 4 modules on each side.
    const width = [...lines[0]!].length;
    assert.equal(lines.length, Math.ceil(width / 2));
    assert.equal((width - 8 - 17) % 4, 0, "a QR code is 17 + 4v modules wide");
    assert.ok(lines.slice(0, 2).every((line) => line.trim() === ""));
    assert.ok(
      lines.every((line) => line.startsWith("    ") && line.endsWith("    ")),
    );
    // Dark on light: black on bright white around every line of the code.
    assert.ok(stdout.includes(`\x1b[30;107m${lines[2]}\x1b[0m`));

    assert.match(stdout, /Status: completed: 1 file\./);
    assert.match(
      stdout,
      // deno-lint-ignore no-control-regex -- terminal escape codes
      /\r\x1b\[2KDownloading .*photo\.jpg: \d+ B of \d+ B \(100 %\)/,
    );
    assert.match(stdout, /Saved .*photo\.jpg/);
    assert.ok((await Deno.stat(`${out}/photo.jpg`)).size > 0);
  } finally {
    await removeOut(out);
  }
});

Deno.test("--json on a terminal: the QR code and status line on stderr, every JSON line whole", async () => {
  await using server = await startCliStub();
  const out = await tempOut();
  try {
    await using cli = new CliProcess(["scan", "--json", "--out", out], {
      tty: true,
      env: { HANDOFF_URL: server.url, HANDOFF_API_KEY: server.apiKey },
      secrets: [server.apiKey],
    });
    const [, id] = await cli.waitFor(
      /"event":"created","id":"([0-9a-f-]{36})"/,
    );
    await cli.waitFor(/Status: pending/);
    await server.phone.complete(id!);
    const { code, stdout } = await cli.finish();
    assert.equal(code, 0, stdout);
    assert.equal(
      decodeTerminalQr(stdout),
      `${server.baseUrl}/s/${id}`,
    );
    const json = stdout
      // deno-lint-ignore no-control-regex -- terminal escape codes
      .replace(/\x1b\[[0-9;]*[A-Za-z]/g, "")
      .split(/\r?\n/)
      .map((line) => line.split("\r").at(-1)!) // what the terminal shows
      .filter((line) => line.includes('{"event"'));
    const events = json.map((line) =>
      JSON.parse(line) as Record<string, unknown>
    );
    assert.deepEqual(events.map((e) => e.event).filter((e) => e !== "status"), [
      "created",
      "completed",
      "saved",
    ]);
  } finally {
    await removeOut(out);
  }
});

Deno.test("when stdout is not a terminal: no QR code, the URL, one line per status", async () => {
  await using server = await startCliStub();
  const out = await tempOut();
  try {
    await using cli = new CliProcess([
      "signature",
      "--format",
      "png",
      "--out",
      out,
    ], {
      env: { HANDOFF_URL: server.url, HANDOFF_API_KEY: server.apiKey },
      secrets: [server.apiKey],
    });
    const [, id] = await cli.waitFor(/\/s\/([0-9a-f-]{36})/);
    await cli.waitFor(/Status: pending/);
    await server.phone.complete(id!);
    const { code, stdout, stderr } = await cli.finish();
    assert.equal(code, 0, stderr);
    assert.equal(stderr, "");
    assert.equal(qrLines(stdout).length, 0);
    assert.ok(!stdout.includes("\x1b["), "no escape codes in a pipe");
    const statuses = stdout.split("\n").filter((line) =>
      line.startsWith("Status:")
    );
    assert.deepEqual(
      statuses.map((line) => line.replace(/ \(\d+:\d\d left\)$/, "")),
      [
        "Status: pending: waiting for the phone to open the link",
        "Status: opened on the phone",
        "Status: started on the phone",
        "Status: completed: 1 file.",
      ],
    );
    assert.match(stdout, /^Saved .*signature\.png \(\d+ B, image\/png\)$/m);
  } finally {
    await removeOut(out);
  }
});

Deno.test("--stub: the whole flow with no server, completed on the stub's phone page", async () => {
  const out = await tempOut();
  try {
    await using cli = new CliProcess([
      "signature",
      "--stub",
      "--json",
      "--out",
      out,
    ], {
      // A real server's variables are ignored with --stub.
      env: {
        HANDOFF_URL: "http://127.0.0.1:4",
        HANDOFF_API_KEY: "cli-test-unused-key",
      },
      secrets: ["cli-test-unused-key"],
    });
    const created = await cli.waitForEvent("created");
    const url = String(created.url);
    // What the person's browser does on the phone page.
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0L10 10"/></svg>';
    const posted = await fetch(`${url}/result`, {
      method: "POST",
      body: JSON.stringify({
        items: [{
          content_type: "image/svg+xml",
          filename: "signature.svg",
          data: btoa(svg),
        }],
      }),
    });
    assert.equal(posted.status, 200);
    await posted.body?.cancel();
    const { code, stdout, stderr } = await cli.finish();
    assert.equal(code, 0);
    const [file] = eventsOf(stdout).at(-1)!.files as { path: string }[];
    assert.equal(file!.path, `${out}/signature.svg`);
    assert.equal(await Deno.readTextFile(file!.path), svg);
    assert.match(
      stderr,
      /Started the stub Handoff server at http:\/\/127\.0\.0\.1:\d+/,
    );
    assert.match(stderr, /open this phone page in a browser on this machine/i);
    assert.ok(stderr.includes(url));
  } finally {
    await removeOut(out);
  }
});

Deno.test("bad usage exits with 2 and says what was wrong", async () => {
  await using server = await startCliStub();
  const env = { HANDOFF_URL: server.url, HANDOFF_API_KEY: server.apiKey };
  const cases: [string[], RegExp, Record<string, string>?][] = [
    [[], /Say what to collect/],
    [["video"], /Unknown action "video"/],
    [["photo", "scan"], /one action/],
    [
      ["photo", "--format", "svg"],
      /--format for a photo must be jpg, png or pdf, got "svg"/,
    ],
    [
      ["signature", "--format", "jpg"],
      /--format for a signature must be svg, png or pdf/,
    ],
    [["scan", "--format", "jpg"], /--format for a scan must be pdf or images/],
    [
      ["scan", "--document-mode", "double"],
      /--document-mode for a scan must be single or multi/,
    ],
    [
      ["photo", "--document-mode", "multi"],
      /--document-mode is for scans only/,
    ],
    [
      ["photo", "--ttl", "2d"],
      /--ttl: time: unknown unit "d" in duration "2d"/,
    ],
    [["photo", "--ttl=-5m"], /--ttl must be at least 1ms, got "-5m"/],
    [["photo", "--result-ttl", "5"], /--result-ttl: time: missing unit/],
    [["photo", "--bogus"], /Unknown option '--bogus'/],
    [["photo", "--json=yes"], /'--json' does not take an argument/],
    [["photo", "--stub", "--url", server.url], /--stub runs its own server/],
    [["photo", "--out", ""], /--out must not be empty/],
    [["photo"], /No Handoff server: set HANDOFF_URL or pass --url/, {
      HANDOFF_API_KEY: server.apiKey,
    }],
    [
      ["photo"],
      /No API key for http:\/\/127\.0\.0\.1:\d+: set HANDOFF_API_KEY/,
      { HANDOFF_URL: server.url },
    ],
    [["photo", "--url", "ftp://example.com"], /must be an http or https URL/],
    [["photo", "--url", "not a url"], /must be an absolute http\(s\) URL/],
  ];
  for (const [args, message, caseEnv] of cases) {
    const { code, stdout, stderr } = await runCli(args, {
      env: caseEnv ?? env,
      secrets: [server.apiKey],
    });
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.equal(stdout, "", args.join(" "));
    assert.match(stderr, message, args.join(" "));
    assert.match(stderr, /handoff --help shows every option/);
  }
  assert.equal(server.sessions().length, 0, "nothing was created");
});

Deno.test("a key passed in the wrong place is not echoed", async () => {
  const key = "cli-test-pasted-key-0123456789";
  const { code, stderr } = await runCli(["photo", `--api-keyy=${key}`], {
    env: { HANDOFF_URL: "http://127.0.0.1:4" },
    secrets: [key],
  });
  assert.equal(code, 2);
  assert.match(stderr, /Unknown option '--api-keyy'/);
  const second = await runCli(["photo", key], { secrets: [key] });
  assert.equal(second.code, 2);
  assert.match(second.stderr, /got 2 arguments/);
});

Deno.test("a wrong API key exits with 3 (unauthorized), the key never printed", async () => {
  await using server = await startCliStub();
  const wrong = "cli-test-wrong-key-0123456789";
  const { code, stdout, stderr } = await runCli([
    "photo",
    "--json",
    "--api-key",
    wrong,
  ], {
    env: { HANDOFF_URL: server.url, HANDOFF_API_KEY: server.apiKey },
    secrets: [wrong, server.apiKey],
  });
  assert.equal(code, 3, stderr);
  const [event] = eventsOf(stdout);
  assert.equal(event!.event, "error");
  assert.equal(event!.reason, "unauthorized");
  assert.equal(event!.exitCode, 3);
  assert.match(stderr, /401/);
  assert.match(stderr, /HANDOFF_API_KEY or --api-key/);
  assert.equal(server.sessions().length, 0);
});

Deno.test("a session nobody completes exits with 4 (expired) after its --ttl", async () => {
  await using server = await startCliStub();
  const out = await tempOut();
  try {
    const started = Date.now();
    await using cli = new CliProcess([
      "photo",
      "--json",
      "--ttl",
      "2s",
      "--out",
      out,
    ], {
      env: { HANDOFF_URL: server.url, HANDOFF_API_KEY: server.apiKey },
      secrets: [server.apiKey],
    });
    const { id } = await cli.waitForEvent("created");
    await server.phone.open(String(id)); // opened, then nothing
    const { code, stdout, stderr } = await cli.finish();
    assert.equal(code, 4, stderr);
    assert.ok(Date.now() - started >= 2_000);
    const last = eventsOf(stdout).at(-1)!;
    assert.equal(last.event, "error");
    assert.equal(last.reason, "expired");
    assert.match(stderr, /The session expired at .* before it was completed/);
    assert.deepEqual([...Deno.readDirSync(out)], [], "no file");
  } finally {
    await removeOut(out);
  }
});

Deno.test("an unreachable server exits with 5 (network failure)", async () => {
  const key = "cli-test-key-for-nowhere-0123";
  // Port 4 is below the range port 0 hands out: nothing listens there.
  const { code, stdout, stderr } = await runCli(["scan", "--json"], {
    env: { HANDOFF_URL: "http://127.0.0.1:4", HANDOFF_API_KEY: key },
    secrets: [key],
  });
  assert.equal(code, 5, stderr);
  const [event] = eventsOf(stdout);
  assert.equal(event!.reason, "network");
  assert.match(stderr, /could not reach the server/);
  assert.match(stderr, /\(The server: http:\/\/127\.0\.0\.1:4\.\)/);
});

Deno.test("a download the server keeps failing exits with 1 and leaves no file", async () => {
  await using server = await startCliStub();
  const out = await tempOut();
  try {
    await using cli = new CliProcess(["photo", "--json", "--out", out], {
      env: { HANDOFF_URL: server.url, HANDOFF_API_KEY: server.apiKey },
      secrets: [server.apiKey],
    });
    const { id } = await cli.waitForEvent("created");
    server.faults.failRequests("download", 100, 503);
    await server.phone.complete(String(id));
    const { code, stdout, stderr } = await cli.finish();
    assert.equal(code, 1, stderr);
    const last = eventsOf(stdout).at(-1)!;
    assert.equal(last.reason, "failed");
    assert.match(stderr, /503/);
    assert.deepEqual([...Deno.readDirSync(out)], []);
  } finally {
    await removeOut(out);
  }
});

Deno.test("Ctrl+C (SIGINT) closes the session and exits with 130", async () => {
  await using server = await startCliStub();
  const out = await tempOut();
  try {
    await using cli = new CliProcess(["photo", "--json", "--out", out], {
      env: { HANDOFF_URL: server.url, HANDOFF_API_KEY: server.apiKey },
      secrets: [server.apiKey],
    });
    const { id } = await cli.waitForEvent("created");
    await cli.waitForEvent("status");
    assert.equal(server.stats().openWebSockets, 1);
    cli.kill("SIGINT");
    const { code, stdout, stderr } = await cli.finish();
    assert.equal(code, 130, stderr);
    const last = eventsOf(stdout).at(-1)!;
    assert.equal(last.event, "error");
    assert.equal(last.reason, "interrupted");
    assert.equal(last.exitCode, 130);
    assert.match(stderr, new RegExp(`Interrupted: session ${id} closed`));
    await eventually(() => server.stats().openWebSockets === 0);
    // The session itself is left as it was on the server.
    assert.equal(server.session(String(id))!.status, "pending");
  } finally {
    await removeOut(out);
  }
});

Deno.test("SIGTERM closes the session and exits with 143", async () => {
  await using server = await startCliStub();
  const out = await tempOut();
  try {
    await using cli = new CliProcess(["scan", "--json", "--out", out], {
      env: { HANDOFF_URL: server.url, HANDOFF_API_KEY: server.apiKey },
    });
    await cli.waitForEvent("status");
    cli.kill("SIGTERM");
    const { code, stdout } = await cli.finish();
    assert.equal(code, 143);
    assert.equal(eventsOf(stdout).at(-1)!.reason, "terminated");
  } finally {
    await removeOut(out);
  }
});

Deno.test("--help lists every flag, the environment, the exit codes and examples", async () => {
  const { code, stdout, stderr } = await runCli(["--help"]);
  assert.equal(code, 0);
  assert.equal(stderr, "");
  for (
    const flag of [
      "--format",
      "--document-mode",
      "--intro",
      "--ttl",
      "--result-ttl",
      "--out",
      "--json",
      "--stub",
      "--url",
      "--api-key",
      "-h, --help",
      "HANDOFF_URL",
      "HANDOFF_API_KEY",
      "Exit codes:",
      "Examples:",
    ]
  ) {
    assert.ok(stdout.includes(flag), flag);
  }
  for (const code of ["0", "1", "2", "3", "4", "5", "130", "143"]) {
    assert.match(
      stdout,
      new RegExp(`^  ${code} +\\S`, "m"),
      `exit code ${code}`,
    );
  }
  assert.equal((await runCli(["photo", "-h"])).code, 0);
});
