// Copyright 2026 the handoff authors. MIT license.
// A scripted `fetch` and `WebSocket` for the client's tests: no network, every
// request recorded. Plus a log of every error a test file provokes, so the
// file can prove at its end that none of them shows the API key.

import assert from "node:assert/strict";
import {
  HandoffClient,
  type HandoffClientOptions,
  HandoffError,
  type WebSocketConstructor,
} from "../../mod.ts";

/** A distinctive API key: it must never show up in any error. */
export const KEY = "sk_test_SECRET_abc123";

/** The base URL of the fake server. */
export const BASE = "http://handoff.test";

/** A session id in the server's format. */
export const ID = "3f2b8a52-6c1d-4e2f-9a7b-0c1d2e3f4a5b";

/** A request as the fake server received it. */
export interface Call {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: string | undefined;
  readonly signal: AbortSignal | undefined;
}

/** Answers one request; `n` counts from 0. May throw to fail the fetch. */
export type Handler = (call: Call, n: number) => Response | Promise<Response>;

/** A `fetch` that records every request and answers through `handler`. */
export class FakeFetch {
  readonly calls: Call[] = [];
  readonly #handler: Handler;

  constructor(handler: Handler = () => json(200, { status: "ok" })) {
    this.#handler = handler;
  }

  /** The `fetch` to inject. */
  readonly fetch = async (
    input: Request | URL | string,
    init?: RequestInit,
  ): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    const body = init?.body;
    const call: Call = {
      url,
      method: init?.method ?? "GET",
      headers: new Headers(init?.headers),
      body: typeof body === "string" ? body : undefined,
      signal: init?.signal ?? undefined,
    };
    this.calls.push(call);
    return await this.#handler(call, this.calls.length - 1);
  };

  /** The only request; fails unless exactly one was sent. */
  get only(): Call {
    assert.equal(this.calls.length, 1, "expected exactly one request");
    return this.calls[0]!;
  }
}

/** A JSON answer as the Handoff server sends it. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** A pending fetch that rejects with the signal's reason once it aborts. */
export function hang(call: Call): Promise<Response> {
  return new Promise((_resolve, reject) => {
    const signal = call.signal;
    if (signal === undefined) return; // never settles: the test will say so
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), {
      once: true,
    });
  });
}

/** A wire Session object (snake_case), valid unless overridden. */
export function sessionJson(
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: ID,
    action_type: "photo",
    status: "pending",
    output_format: "jpg",
    session_ttl: 1_800_000_000_000,
    result_ttl: 300_000_000_000,
    url: `${BASE}/s/${ID}`,
    created_at: "2026-11-22T02:07:46.87742371Z",
    ...overrides,
  };
}

/** The answer to `POST /sessions`: 201 and a pending session. */
export function created(overrides: Record<string, unknown> = {}): Response {
  return json(201, sessionJson(overrides));
}

/**
 * A WebSocket that never opens and closes when asked, so sessions made in
 * these tests hold no real socket. Every instance is recorded.
 */
export class FakeWebSocket extends EventTarget {
  static readonly opened: { url: string; init: unknown }[] = [];
  readonly url: string;
  readyState = 0;

  constructor(url: string, init?: unknown) {
    super();
    this.url = url;
    FakeWebSocket.opened.push({ url, init });
  }

  close(code = 1000): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    queueMicrotask(() =>
      this.dispatchEvent(new CloseEvent("close", { code, wasClean: true }))
    );
  }

  send(): void {}
}

/** A client of the fake server with fast retries; override anything. */
export function fakeClient(
  fake: FakeFetch,
  options: Partial<HandoffClientOptions> = {},
): HandoffClient {
  return new HandoffClient({
    baseUrl: BASE,
    apiKey: KEY,
    fetch: fake.fetch,
    WebSocket: FakeWebSocket as unknown as WebSocketConstructor,
    retry: { initialDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
}

/** Every error a test file provoked, for the final check. */
export class ErrorLog {
  readonly errors: unknown[] = [];

  /** Expect `action` to throw or reject; log the error and return it. */
  async catch(action: Promise<unknown> | (() => unknown)): Promise<unknown> {
    try {
      await (typeof action === "function" ? action() : action);
    } catch (error) {
      this.errors.push(error);
      return error;
    }
    throw new assert.AssertionError({
      message: "expected a rejection, but it resolved",
    });
  }

  /**
   * Every logged error: none shows `key` in its message, stack, string form,
   * inspection or JSON, nor does any cause down its chain; and every
   * {@linkcode HandoffError} has its `cause` set.
   */
  assertClean(key: string = KEY): void {
    assert.ok(this.errors.length > 0, "no error was logged");
    for (const error of this.errors) {
      if (error instanceof HandoffError) {
        assert.notEqual(
          error.cause,
          undefined,
          `${error.name} without a cause: ${error.message}`,
        );
      }
      let link: unknown = error;
      for (let depth = 0; depth < 6 && link !== undefined; depth++) {
        for (const [what, text] of views(link)) {
          assert.ok(
            !text.includes(key),
            `the API key shows in ${what} of ${
              describe(error)
            } (depth ${depth}): ${text}`,
          );
        }
        link = link instanceof Object
          ? (link as { cause?: unknown }).cause
          : undefined;
      }
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}` : typeof error;
}

function views(value: unknown): [string, string][] {
  const out: [string, string][] = [["String()", safe(() => String(value))]];
  out.push(["JSON", safe(() => JSON.stringify(value) ?? "")]);
  out.push(["Deno.inspect", Deno.inspect(value, { depth: 8 })]);
  if (value instanceof Error) {
    out.push(["message", value.message], ["stack", value.stack ?? ""]);
  }
  return out;
}

function safe(f: () => string): string {
  try {
    return f();
  } catch {
    return "";
  }
}
