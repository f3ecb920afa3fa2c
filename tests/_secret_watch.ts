// Copyright 2026 the handoff authors. MIT license.
// Preloaded (`deno test --preload`) into a run of the client, dashboard,
// hostile-input and example suites by
// tests/secrets_suite_test.ts: it records every API key the library sends
// (X-API-Key headers, the api_key query parameter), every HandoffError the
// library builds and every console line, and at the end of each test module
// appends a report to $HANDOFF_SECRET_REPORT saying where a key showed up.

import { HandoffError } from "../errors.ts";

const keys = new Set<string>();
const errors: Error[] = [];
const logs: string[] = [];

function remember(key: string | null | undefined): void {
  if (key) keys.add(key);
}

function headerKey(headers: HeadersInit | undefined): string | null {
  if (headers === undefined) return null;
  return new Headers(headers).get("x-api-key");
}

const originalFetch = globalThis.fetch;
globalThis.fetch = (input: Request | URL | string, init?: RequestInit) => {
  remember(headerKey(init?.headers));
  if (input instanceof Request) remember(input.headers.get("x-api-key"));
  return originalFetch(input, init);
};

const OriginalWebSocket = globalThis.WebSocket;
globalThis.WebSocket = class extends OriginalWebSocket {
  constructor(url: string | URL, options?: unknown) {
    remember(new URL(url).searchParams.get("api_key"));
    if (typeof options === "object" && options !== null) {
      remember(headerKey((options as { headers?: HeadersInit }).headers));
    }
    super(url, options as string[]);
  }
} as typeof WebSocket;

// Every HandoffError constructor assigns `this.name`: an accessor on the
// prototype sees each instance as it is built.
Object.defineProperty(HandoffError.prototype, "name", {
  configurable: true,
  get: () => "HandoffError",
  set(this: Error, value: string) {
    Object.defineProperty(this, "name", {
      value,
      writable: true,
      configurable: true,
    });
    errors.push(this);
  },
});

for (const level of ["log", "info", "warn", "error", "debug"] as const) {
  const original = console[level];
  console[level] = (...args: unknown[]) => {
    logs.push(args.map((arg) => Deno.inspect(arg, { depth: 6 })).join(" "));
    original(...args);
  };
}

globalThis.addEventListener("unload", () => {
  const path = Deno.env.get("HANDOFF_SECRET_REPORT");
  if (!path) return;
  // Keys shorter than 6 characters would match ordinary words.
  const secrets = [...keys].filter((key) => key.length >= 6);
  const texts = [
    ...errors.map((error) => Deno.inspect(error, { depth: 8 })),
    ...logs,
  ];
  const leaks = texts.flatMap((text) =>
    secrets.filter((key) => text.includes(key)).map((key) => ({ key, text }))
  );
  Deno.writeTextFileSync(
    path,
    JSON.stringify({
      module: Deno.mainModule,
      keys: secrets.length,
      errors: errors.length,
      logs: logs.length,
      leaks,
    }) + "\n",
    { append: true },
  );
});
