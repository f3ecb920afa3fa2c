// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";
import { parseCli, UsageError } from "../../cli/args.ts";
import { redactor, secretsIn } from "../../cli/redact.ts";

const ENV = new Map([
  ["HANDOFF_URL", "https://handoff.example.com"],
  ["HANDOFF_API_KEY", "env-key-0123"],
]);

function config(args: string[], env: Map<string, string> = ENV) {
  const parsed = parseCli(args, env);
  assert.ok(!parsed.help);
  return parsed.config;
}

Deno.test("parseCli() gives each action its default format", () => {
  assert.deepEqual(config(["photo"]).session, {
    action: "photo",
    outputFormat: "jpg",
  });
  assert.deepEqual(config(["signature"]).session, {
    action: "signature",
    outputFormat: "svg",
  });
  assert.deepEqual(config(["scan"]).session, {
    action: "scan",
    scanOutputFormat: "pdf",
    documentMode: "single",
  });
});

Deno.test("parseCli() passes the format, the mode, the intro and the TTLs on", () => {
  assert.deepEqual(
    config([
      "scan",
      "--format",
      "images",
      "--document-mode=multi",
      "--intro",
      "Both sides, please",
      "--ttl",
      "10m",
      "--result-ttl",
      "1h30m",
    ]).session,
    {
      action: "scan",
      scanOutputFormat: "images",
      documentMode: "multi",
      intro: "Both sides, please",
      sessionTtl: "10m",
      resultTtl: "1h30m",
    },
  );
});

Deno.test("parseCli() reads the server from the environment; the flags win", () => {
  assert.deepEqual(config(["photo"]).server, {
    kind: "remote",
    url: "https://handoff.example.com",
    apiKey: "env-key-0123",
  });
  assert.deepEqual(
    config(["photo", "--url", "http://127.0.0.1:8080", "--api-key", "flag"])
      .server,
    { kind: "remote", url: "http://127.0.0.1:8080", apiKey: "flag" },
  );
  assert.deepEqual(config(["photo", "--stub"]).server, { kind: "stub" });
  assert.deepEqual(config(["photo", "--stub"], new Map()).server, {
    kind: "stub",
  });
});

Deno.test("parseCli() defaults --out to . and --json to false", () => {
  const { outDir, json } = config(["photo"]);
  assert.equal(outDir, ".");
  assert.equal(json, false);
  assert.equal(config(["photo", "--json", "--out", "x"]).outDir, "x");
});

Deno.test("parseCli() answers help before checking anything else", () => {
  assert.deepEqual(parseCli(["--help"], new Map()), { help: true });
  assert.deepEqual(parseCli(["video", "-h"], new Map()), { help: true });
});

Deno.test("parseCli() refuses a server URL with credentials, not echoing them", () => {
  assert.throws(
    () => config(["photo", "--url", "https://user:pa55@handoff.example.com"]),
    (error: unknown) =>
      error instanceof UsageError && !error.message.includes("pa55"),
  );
  assert.throws(
    () => config(["photo", "--url", "h ttp://user:pa55@x"]),
    (error: unknown) =>
      error instanceof UsageError && !error.message.includes("pa55"),
  );
});

Deno.test("parseCli() refuses a TTL that is not positive", () => {
  for (const ttl of ["0s", "-1m", "0"]) {
    assert.throws(() => config(["photo", `--ttl=${ttl}`]), UsageError, ttl);
  }
  assert.throws(() => config(["photo", "--api-key", " "]), /No API key/);
});

Deno.test("secretsIn() finds the keys of the environment and of the flags, redactor() hides them", () => {
  const secrets = secretsIn(
    [
      "photo",
      "--api-key",
      "flag-key-1",
      "--api-key=flag-key-22",
      "--",
      "--api-key",
      "x-not-a-key",
    ],
    ENV,
  );
  assert.deepEqual(secrets, ["env-key-0123", "flag-key-22", "flag-key-1"]); // longest first
  const redact = redactor(secrets);
  assert.equal(
    redact("env-key-0123 flag-key-1 flag-key-22 " + encodeURIComponent("a b")),
    "[redacted] [redacted] [redacted] a%20b",
  );
  assert.equal(
    redactor(["k/y+1"])(`key=${encodeURIComponent("k/y+1")} k/y+1`),
    "key=[redacted] [redacted]",
  );
  assert.deepEqual(
    secretsIn(["--api-key", "ab"], new Map()),
    [],
    "too short to search for",
  );
});
