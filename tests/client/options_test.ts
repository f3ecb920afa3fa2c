// Copyright 2026 the handoff authors. MIT license.
// The client's options (options.ts, _options.ts): one table of defaults that
// the code reads and the docs repeat, cross-field checks, the one spelling
// of "no retries", and creating a session without watching it.

import assert from "node:assert/strict";
import {
  CLIENT_DEFAULTS,
  type CreatedSessionInfo,
  HandoffClient,
  qrCode,
  ServerError,
  Session,
} from "../../mod.ts";
import { startStubServer } from "../../testing.ts";
import { runDenoScript } from "../_deno_script.ts";
import { resolveOptions } from "../../_options.ts";
import {
  BASE,
  created,
  fakeClient,
  FakeFetch,
  FakeWebSocket,
  json,
  KEY,
} from "./_fake_fetch.ts";

const options = new URL("../../options.ts", import.meta.url);

/** Every `@default {…}` of options.ts, by `Interface.property`. */
async function documentedDefaults(): Promise<Map<string, string>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", options.pathname],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.ok(output.success, "deno doc --json options.ts failed");
  type Property = {
    name: string;
    jsDoc?: { doc?: string; tags?: { kind: string; value?: string }[] };
  };
  type Symbol = {
    name: string;
    declarations: { def?: { properties?: Property[] } }[];
  };
  const doc = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    nodes: Record<string, { symbols: Symbol[] }>;
  };
  const found = new Map<string, string>();
  for (const symbol of Object.values(doc.nodes)[0]!.symbols) {
    for (const property of symbol.declarations[0]?.def?.properties ?? []) {
      const jsDoc = property.jsDoc;
      const tag = jsDoc?.tags?.find((t) => t.kind === "default")?.value;
      const inline = /@default \{(.*)\}\s*$/s.exec(jsDoc?.doc ?? "")?.[1];
      const value = tag?.replace(/^\{(.*)\}$/s, "$1") ?? inline;
      if (value !== undefined) {
        found.set(`${symbol.name}.${property.name}`, value.trim());
      }
    }
  }
  return found;
}

/**
 * A `@default` value, parsed. An object is written `@default { a: 1 }`:
 * deno doc takes the braces as the tag's delimiters (`{{ a: 1 }}` would end
 * at the first `}`), so the value it reports is `a: 1`.
 */
function literal(text: string): unknown {
  const object = text.includes(":") ? `{${text}}` : text;
  return JSON.parse(object.replace(/([A-Za-z]\w*)\s*:/g, '"$1":'));
}

Deno.test("every @default of options.ts says what CLIENT_DEFAULTS holds", async () => {
  const documented = await documentedDefaults();
  const expected: [string, unknown][] = [
    ["HandoffClientOptions.timeoutMs", CLIENT_DEFAULTS.timeoutMs],
    ["HandoffClientOptions.retry", CLIENT_DEFAULTS.retry],
    ["HandoffClientOptions.reconnect", CLIENT_DEFAULTS.reconnect],
    ["HandoffClientOptions.pollIntervalMs", CLIENT_DEFAULTS.pollIntervalMs],
    [
      "HandoffClientOptions.livenessIntervalMs",
      CLIENT_DEFAULTS.livenessIntervalMs,
    ],
    ...Object.entries(CLIENT_DEFAULTS.retry).map((
      [key, value],
    ): [string, unknown] => [`RetryOptions.${key}`, value]),
    ...Object.entries(CLIENT_DEFAULTS.reconnect).map((
      [key, value],
    ): [string, unknown] => [`ReconnectOptions.${key}`, value]),
  ];
  for (const [name, value] of expected) {
    const text = documented.get(name);
    assert.ok(text !== undefined, `${name} has no @default`);
    assert.deepEqual(literal(text), value, `${name}: @default {${text}}`);
  }
  assert.ok(Object.isFrozen(CLIENT_DEFAULTS));
  assert.ok(Object.isFrozen(CLIENT_DEFAULTS.retry));
  assert.ok(Object.isFrozen(CLIENT_DEFAULTS.reconnect));
});

Deno.test("the client reads its defaults from CLIENT_DEFAULTS", () => {
  const resolved = resolveOptions({
    baseUrl: BASE,
    apiKey: KEY,
    fetch: new FakeFetch().fetch,
  });
  assert.equal(resolved.timeoutMs, CLIENT_DEFAULTS.timeoutMs);
  assert.deepEqual(resolved.retry, CLIENT_DEFAULTS.retry);
  assert.deepEqual(resolved.reconnect, CLIENT_DEFAULTS.reconnect);
  assert.equal(resolved.pollIntervalMs, CLIENT_DEFAULTS.pollIntervalMs);
  assert.equal(
    resolved.livenessIntervalMs,
    CLIENT_DEFAULTS.livenessIntervalMs,
  );
  // A group given in part keeps the defaults of the rest.
  const partial = resolveOptions({
    baseUrl: BASE,
    apiKey: KEY,
    fetch: new FakeFetch().fetch,
    retry: { maxRetries: 1 },
  });
  assert.deepEqual(partial.retry, { ...CLIENT_DEFAULTS.retry, maxRetries: 1 });
});

Deno.test("initialDelayMs above maxDelayMs is a RangeError naming both values", () => {
  const make = (extra: object) => () =>
    new HandoffClient({
      baseUrl: BASE,
      apiKey: KEY,
      fetch: new FakeFetch().fetch,
      ...extra,
    });
  assert.throws(make({ retry: { initialDelayMs: 900, maxDelayMs: 100 } }), {
    name: "RangeError",
    message:
      "retry.initialDelayMs (900) must not exceed retry.maxDelayMs (100): raise maxDelayMs or lower initialDelayMs",
  });
  // Against a default, the message says which value was not given.
  assert.throws(make({ reconnect: { initialDelayMs: 60_000 } }), {
    name: "RangeError",
    message:
      "reconnect.initialDelayMs (60000) must not exceed reconnect.maxDelayMs (30000, the default): raise maxDelayMs or lower initialDelayMs",
  });
  assert.throws(make({ retry: { maxDelayMs: 100 } }), {
    name: "RangeError",
    message: /retry\.initialDelayMs \(500, the default\).*\(100\)/,
  });
  // Equal is fine.
  make({ reconnect: { initialDelayMs: 5_000, maxDelayMs: 5_000 } })();
});

Deno.test("{ maxRetries: 0 } turns retries off: one attempt, its error", async () => {
  const fake = new FakeFetch(() => json(503, { error: "unavailable" }));
  const client = fakeClient(fake, { retry: { maxRetries: 0 } });
  await assert.rejects(client.health(), ServerError);
  assert.equal(fake.calls.length, 1);

  const retrying = new FakeFetch(() => json(503, { error: "unavailable" }));
  await assert.rejects(fakeClient(retrying).health(), ServerError);
  assert.equal(retrying.calls.length, 1 + CLIENT_DEFAULTS.retry.maxRetries);
});

Deno.test("a base URL ending in /api/v1 is the server's root: the client adds /api/v1 once", async () => {
  const cases: [string, string][] = [
    ["http://h/api/v1", "http://h/api/v1/health"],
    ["http://h/api/v1/", "http://h/api/v1/health"],
    ["http://h/prefix/api/v1//", "http://h/prefix/api/v1/health"],
    ["http://h/API/V1", "http://h/api/v1/health"],
    ["http://h/api/v10", "http://h/api/v10/api/v1/health"],
  ];
  for (const [baseUrl, expected] of cases) {
    const fake = new FakeFetch();
    await fakeClient(fake, { baseUrl }).health();
    assert.equal(fake.only.url, expected, `baseUrl ${baseUrl}`);
  }
});

Deno.test("createSession with { watch: false } opens no socket and arms no timer", async () => {
  FakeWebSocket.opened.length = 0;
  const fake = new FakeFetch(() => created());
  const client = fakeClient(fake);
  const info: CreatedSessionInfo<"photo"> = await client.createSession(
    { action: "photo", outputFormat: "jpg" },
    { watch: false },
  );
  assert.ok(!(info instanceof Session), "a plain answer, not a live Session");
  assert.equal(info.actionType, "photo");
  assert.match(info.url, /^https?:\/\//);
  assert.ok(info.expiresAt instanceof Date);
  assert.equal(FakeWebSocket.opened.length, 0, "no WebSocket was made");
  assert.equal(fake.calls.length, 1, "only the POST");
  // The create side shows it without a Session.
  assert.match(await qrCode(info.url, { format: "svg" }), /^<svg/);

  // The builder takes the same option.
  const built = await client.newSession().withAction("signature")
    .withOutputFormat("svg").invoke({
      watch: false,
    });
  assert.ok(!(built instanceof Session));
  assert.equal(FakeWebSocket.opened.length, 0);

  await assert.rejects(
    client.createSession(
      { action: "photo", outputFormat: "jpg" },
      { watch: "no" as unknown as false },
    ),
    { name: "TypeError", message: /watch must be true or false/ },
  );
  // The test's sanitizers fail it if a timer or a socket was left behind.
});

Deno.test("a create-only script exits as soon as it has printed the session", async () => {
  await using server = await startStubServer();
  const mod = new URL("../../mod.ts", import.meta.url).href;
  const script = `
    import { HandoffClient, qrCode } from ${JSON.stringify(mod)};
    const client = new HandoffClient({ baseUrl: Deno.args[0], apiKey: Deno.args[1] });
    const info = await client.createSession(
      { action: "photo", outputFormat: "jpg" },
      { watch: false },
    );
    const qr = await qrCode(info.url);
    console.log(JSON.stringify({ id: info.id, qr: qr.slice(0, 22) }));
  `;
  const output = await runDenoScript(
    script,
    [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-env",
      "-",
      server.url,
      server.apiKey,
    ],
    // The stub's session lives 30 minutes: a script that watched it would
    // not exit before the test's own timeout.
    { killAfterMs: 20_000 },
  );
  assert.equal(output.code, 0, output.stderr);
  const printed = JSON.parse(output.stdout);
  assert.equal(printed.qr, "data:image/png;base64,");
  assert.equal(server.session(printed.id)?.status, "pending");
});
