// Copyright 2026 the handoff authors. MIT license.
// Hostile arguments: every wrong type or value is refused with a TypeError or
// a RangeError before any request is sent; whatever is accepted goes out as a
// request the protocol allows.

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type CreateSessionOptions,
  HandoffClient,
  type HandoffClientOptions,
  type WebSocketConstructor,
} from "../../mod.ts";
import { parseGoDuration } from "../../_duration.ts";
import { FakeFetch } from "../client/_fake_fetch.ts";
import {
  BASE,
  ID,
  json,
  KEY,
  RejectionWatch,
  ScriptedWebSocket,
  sessionJson,
} from "./_helpers.ts";

/** Anything at all, including the odd values JavaScript has. */
const anything = fc.oneof(
  fc.anything(),
  fc.constantFrom<unknown>(
    NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    -1,
    1e-9,
    2 ** 53,
    "",
    " ",
    "\r\n",
    null,
    undefined,
    Symbol("s"),
    10n,
    () => {},
    new Date(NaN),
    Object.create(null),
  ),
);

function refused(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError;
}

function validOptions(fake: FakeFetch): HandoffClientOptions {
  return {
    baseUrl: BASE,
    apiKey: KEY,
    fetch: fake.fetch,
    WebSocket: ScriptedWebSocket as unknown as WebSocketConstructor,
  };
}

/** Invalid values of each client option. */
const invalidOption: Record<string, fc.Arbitrary<unknown>> = {
  baseUrl: fc.oneof(
    anything.filter((v) => typeof v !== "string" && !(v instanceof URL)),
    fc.constantFrom(
      "",
      "handoff.example.com",
      "ftp://host",
      "file:///etc/passwd",
      "javascript:alert(1)",
      "http://user:pass@host",
      "https://host/?api_key=x",
      "https://host/#x",
      "http://",
    ),
  ),
  apiKey: fc.oneof(
    anything.filter((v) => typeof v !== "string"),
    fc.constantFrom("", " ", "\t", "key\r\nX-Evil: 1", "key\n"),
  ),
  timeoutMs: anything.filter((v) =>
    v !== undefined && !(typeof v === "number" && Number.isFinite(v) && v > 0)
  ),
  pollIntervalMs: anything.filter((v) =>
    v !== undefined && !(typeof v === "number" && Number.isFinite(v) && v > 0)
  ),
  livenessIntervalMs: anything.filter((v) =>
    v !== undefined && !(typeof v === "number" && Number.isFinite(v) && v > 0)
  ),
  webSocketAuth: anything.filter((v) =>
    v !== undefined && v !== "header" && v !== "query" &&
    v !== "fetch-upgrade"
  ),
  fetch: anything.filter((v) =>
    v !== undefined && v !== null && typeof v !== "function"
  ),
  WebSocket: anything.filter((v) =>
    v !== undefined && v !== null && typeof v !== "function"
  ),
  onListenerError: anything.filter((v) =>
    v !== undefined && v !== null && typeof v !== "function"
  ),
  retry: fc.oneof(
    anything.filter((v) =>
      v !== undefined && v !== null && typeof v !== "object"
    ),
    fc.record({
      maxRetries: anything.filter((v) =>
        v !== undefined && !(Number.isInteger(v) && (v as number) >= 0)
      ),
    }),
    fc.record({
      initialDelayMs: anything.filter((v) =>
        v !== undefined &&
        !(typeof v === "number" && Number.isFinite(v) && v > 0)
      ),
    }),
  ),
  reconnect: fc.oneof(
    anything.filter((v) =>
      v !== undefined && v !== null && typeof v !== "object"
    ),
    fc.record({
      attemptsBeforePolling: anything.filter((v) =>
        v !== undefined && !(Number.isInteger(v) && (v as number) >= 0)
      ),
    }),
    fc.record({
      maxDelayMs: anything.filter((v) =>
        v !== undefined &&
        !(typeof v === "number" && Number.isFinite(v) && v > 0)
      ),
    }),
  ),
};

Deno.test("every invalid client option is refused with a TypeError or RangeError, and nothing is sent", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...Object.keys(invalidOption)).chain((key) =>
        fc.tuple(fc.constant(key), invalidOption[key]!)
      ),
      ([key, value]) => {
        const fake = new FakeFetch();
        let error: unknown;
        try {
          new HandoffClient({ ...validOptions(fake), [key]: value });
        } catch (e) {
          error = e;
        }
        assert.ok(
          refused(error),
          `${key}: ${String(Deno.inspect(value))} was accepted (${
            String(error)
          })`,
        );
        assert.equal(fake.calls.length, 0);
      },
    ),
    { numRuns: 600 },
  );
});

Deno.test("a constructor argument that is not an options object is refused", () => {
  fc.assert(
    fc.property(
      anything.filter((v) => typeof v !== "object" || v === null),
      (value) => {
        assert.throws(
          () => new HandoffClient(value as HandoffClientOptions),
          TypeError,
        );
      },
    ),
  );
});

/** A body the protocol allows for `POST /sessions`, per docs/PROTOCOL.md. */
function assertValidCreateBody(text: string): void {
  const body = JSON.parse(text) as Record<string, unknown>;
  const allowed = [
    "action_type",
    "output_format",
    "intro_text",
    "document_mode",
    "session_ttl",
    "result_ttl",
  ];
  for (const key of Object.keys(body)) {
    assert.ok(allowed.includes(key), `unknown field ${key}`);
    assert.equal(typeof body[key], "string", `${key} is not a string`);
  }
  const action = body.action_type;
  if (action === "photo") {
    assert.ok(["jpg", "png", "pdf"].includes(body.output_format as string));
  } else if (action === "signature") {
    assert.ok(["svg", "png", "pdf"].includes(body.output_format as string));
  } else {
    assert.equal(action, "scan");
    assert.ok(
      [undefined, "pdf", "images"].includes(body.output_format as string),
    );
    assert.ok(
      [undefined, "single", "multi"].includes(body.document_mode as string),
    );
  }
  for (const key of ["session_ttl", "result_ttl"]) {
    if (body[key] === undefined) continue;
    const ns = parseGoDuration(body[key] as string);
    assert.ok(ns > 0n, `${key} ${body[key]} is not positive`);
  }
  if (body.intro_text !== undefined) assert.notEqual(body.intro_text, "");
}

const createOptions = fc.record({
  action: fc.oneof(
    fc.constantFrom<unknown>("photo", "signature", "scan"),
    anything,
  ),
  outputFormat: fc.oneof(
    fc.constantFrom<unknown>("jpg", "png", "pdf", "svg", "JPG", ""),
    anything,
  ),
  documentMode: fc.oneof(
    fc.constantFrom<unknown>("single", "multi", "double"),
    anything,
  ),
  scanOutputFormat: fc.oneof(
    fc.constantFrom<unknown>("pdf", "images", "jpg"),
    anything,
  ),
  intro: fc.oneof(fc.string(), anything),
  sessionTtl: fc.oneof(
    fc.constantFrom<unknown>("30m", "1h30m", "1.5s", "0s", "-1m", "5", "1ns"),
    fc.double(),
    fc.string({ maxLength: 6 }),
    anything,
  ),
  resultTtl: fc.oneof(
    fc.constantFrom<unknown>("5m", "0", "abc", 0.000001, 300_000),
    anything,
  ),
}, { requiredKeys: [] });

Deno.test("createSession() either refuses its options before any request or sends a body the protocol allows", async () => {
  using watch = new RejectionWatch();
  await fc.assert(
    fc.asyncProperty(createOptions, async (options) => {
      const fake = new FakeFetch(() => json(201, sessionJson()));
      const client = new HandoffClient(validOptions(fake));
      let error: unknown;
      try {
        const session = await client.createSession(
          options as CreateSessionOptions,
        );
        await session.close();
      } catch (e) {
        error = e;
      }
      if (error !== undefined) {
        assert.ok(refused(error), `refused with ${String(error)}`);
        assert.equal(fake.calls.length, 0, "a request went out");
      } else {
        assert.equal(fake.calls.length, 1);
        assertValidCreateBody(fake.calls[0]!.body!);
      }
    }),
    { numRuns: 500 },
  );
  await watch.assertNone();
});

Deno.test("request options of the wrong type are refused before any request", async () => {
  using watch = new RejectionWatch();
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom("timeoutMs", "signal"),
      anything,
      fc.constantFrom("get", "attach", "download", "health", "create"),
      async (key, value, call) => {
        const valid = key === "timeoutMs"
          ? value === undefined ||
            (typeof value === "number" && Number.isFinite(value) && value > 0)
          : value === undefined || value === null ||
            value instanceof AbortSignal; // null is "no signal", as in fetch
        fc.pre(!valid);
        const fake = new FakeFetch(() => json(200, sessionJson()));
        const client = new HandoffClient(validOptions(fake));
        const options = { [key]: value } as never;
        const run = (): Promise<unknown> => {
          switch (call) {
            case "get":
              return client.getSession(ID, options);
            case "attach":
              return client.attachSession(ID, options);
            case "download":
              return client.downloadFile("d1", options);
            case "health":
              return client.health(options);
            default:
              return client.createSession(
                { action: "photo", outputFormat: "jpg" },
                options,
              );
          }
        };
        const error = await Promise.resolve().then(run).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(refused(error), `${key} ${Deno.inspect(value)}: ${error}`);
        assert.equal(fake.calls.length, 0, "a request went out");
      },
    ),
    { numRuns: 300 },
  );
  await watch.assertNone();
});

Deno.test("session ids and download references of the wrong type or shape are refused before any request", async () => {
  using watch = new RejectionWatch();
  const fake = new FakeFetch(() => json(200, sessionJson()));
  const client = new HandoffClient(validOptions(fake));
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        anything.filter((v) => typeof v !== "string"),
        fc.constantFrom("", "x".repeat(201)),
      ),
      async (id) => {
        const calls: ((id: string) => Promise<unknown>)[] = [
          (x) => client.getSession(x),
          (x) => client.attachSession(x),
        ];
        for (const call of calls) {
          const error = await Promise.resolve()
            .then(() => call(id as string))
            .then(() => undefined, (e: unknown) => e);
          assert.ok(refused(error), `${Deno.inspect(id)}: ${error}`);
        }
      },
    ),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        anything.filter((v) => typeof v !== "string"),
        fc.constantFrom(
          "",
          "https://evil.example/api/v1/downloads/x",
          "//evil.example/api/v1/downloads/x",
          "/api/v1/sessions/x",
          "/api/v1/downloads/x?api_key=1",
          "../../etc/passwd",
          "/api/v1/downloads/",
        ),
      ),
      async (ref) => {
        const calls: ((ref: string) => Promise<unknown>)[] = [
          (x) => client.downloadFile(x),
          (x) => client.downloadStream(x),
        ];
        for (const call of calls) {
          const error = await Promise.resolve()
            .then(() => call(ref as string))
            .then(() => undefined, (e: unknown) => e);
          assert.ok(refused(error), `${Deno.inspect(ref)}: ${error}`);
        }
      },
    ),
  );
  assert.equal(fake.calls.length, 0, "a request went out");
  await watch.assertNone();
});

Deno.test("session methods refuse arguments of the wrong type", async () => {
  using watch = new RejectionWatch();
  const fake = new FakeFetch(() => json(201, sessionJson()));
  const client = new HandoffClient(validOptions(fake));
  await using session = await client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  fc.assert(
    fc.property(
      anything.filter((v) => typeof v !== "function"),
      (value) => {
        assert.throws(() => session.onEvent(value as never), TypeError);
        assert.throws(
          () => session.onConnectionChange(value as never),
          TypeError,
        );
      },
    ),
  );
  await fc.assert(
    fc.asyncProperty(
      anything.filter((v) =>
        v !== undefined && v !== null && !(v instanceof AbortSignal)
      ),
      async (signal) => {
        const options = { signal } as never;
        const waited = await session.waitForResult(options).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(refused(waited), `waitForResult: ${waited}`);
        const iterated = await session.events(options).next().then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(refused(iterated), `events: ${iterated}`);
      },
    ),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        anything.filter((v) =>
          v !== undefined &&
          (typeof v !== "object" || v === null || Array.isArray(v))
        ),
        fc.record({
          format: anything.filter((v) =>
            v !== undefined && v !== "png" && v !== "svg"
          ),
        }),
        fc.record({
          size: anything.filter((v) =>
            v !== undefined &&
            !(Number.isInteger(v) && (v as number) > 0 &&
              (v as number) <= 4096)
          ),
        }),
      ),
      async (options) => {
        const error = await session.qrCode(options as never).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(refused(error), `qrCode ${Deno.inspect(options)}: ${error}`);
      },
    ),
  );
  await watch.assertNone();
});
