// Copyright 2026 the handoff authors. MIT license.
// Helpers for the session tests: a stub, a fast client, waiting for events.

import { HandoffClient, type HandoffClientOptions } from "../../mod.ts";
import type { SessionEvent } from "../../types.ts";
import type { Session } from "../../session.ts";
import { startStubServer, type StubServer } from "../../testing.ts";

/** A client tuned so reconnects and polls happen within milliseconds. */
export function fastClient(
  server: StubServer,
  overrides: Partial<HandoffClientOptions> = {},
): HandoffClient {
  return new HandoffClient({
    baseUrl: server.url,
    apiKey: server.apiKey,
    retry: { initialDelayMs: 5, maxDelayMs: 20 },
    reconnect: {
      initialDelayMs: 20,
      maxDelayMs: 100,
      attemptsBeforePolling: 3,
      stableAfterMs: 2_000,
    },
    pollIntervalMs: 50,
    livenessIntervalMs: 60_000,
    timeoutMs: 2_000,
    ...overrides,
  });
}

/** Start a stub and a fast client; dispose both with `await using`. */
export async function setup(
  overrides: Partial<HandoffClientOptions> = {},
  stubOptions: Parameters<typeof startStubServer>[0] = {},
): Promise<
  { server: StubServer; client: HandoffClient } & AsyncDisposable
> {
  const server = await startStubServer(stubOptions);
  const client = fastClient(server, overrides);
  return {
    server,
    client,
    [Symbol.asyncDispose]: () => server.close(),
  };
}

/** Resolve when `predicate` holds, polling every 5 ms; reject after `ms`. */
export async function until(
  predicate: () => boolean,
  what: string,
  ms = 5_000,
): Promise<void> {
  const start = performance.now();
  while (!predicate()) {
    if (performance.now() - start > ms) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Record every event of a session. */
export function record(session: Session): SessionEvent[] {
  const events: SessionEvent[] = [];
  session.onEvent((event) => events.push(event));
  return events;
}

/** The statuses of recorded events, in order. */
export function statuses(events: readonly SessionEvent[]): string[] {
  return events.map((event) => event.status);
}

/** Settle a promise into a value, for asserting on rejections later. */
export function settle<T>(
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}
