// Copyright 2026 the handoff authors. MIT license.
/**
 * The stub server in a process of its own, for benchmarks and the soak test
 * (so client and server do not share an event loop), with its controls
 * (phone, faults, expiry, snapshots, stats) reachable over stdin/stdout as
 * JSON lines.
 *
 * Child: `deno run --allow-net --allow-env tools/stub_process.ts '<options JSON>'`
 * prints `{"url","apiKey"}`, then answers each request line
 * `{"id":1,"method":"phone.complete","args":["<session id>"]}` with
 * `{"id":1,"result":…}` or `{"id":1,"error":{"name","message","status"}}`.
 * `Uint8Array`s travel as `{"$bytes":"<base64>"}`.
 *
 * Parent: {@linkcode StubProcess.start}.
 *
 * @module
 */

import { encodeBase64 } from "../_base64.ts";
import {
  startStubServer,
  type StubServer,
  type StubServerOptions,
} from "../testing.ts";

type Json = unknown;

function toWire(value: unknown): Json {
  if (value instanceof Uint8Array) return { $bytes: encodeBase64(value) };
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toWire);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, toWire(v)]),
    );
  }
  return value;
}

function fromWire(value: Json): unknown {
  if (Array.isArray(value)) return value.map(fromWire);
  if (typeof value === "object" && value !== null) {
    const o = value as Record<string, Json>;
    if (typeof o.$bytes === "string") {
      return Uint8Array.from(atob(o.$bytes), (c) => c.charCodeAt(0));
    }
    return Object.fromEntries(
      Object.entries(o).map(([k, v]) => [k, fromWire(v)]),
    );
  }
  return value;
}

/** Call `method` ("phone.complete", "faults.dropWebSockets", "stats", …) on the server. */
async function dispatch(
  server: StubServer,
  method: string,
  args: unknown[],
): Promise<unknown> {
  const [group, name] = method.includes(".")
    ? method.split(".", 2) as [string, string]
    : [undefined, method];
  const target: Record<string, unknown> = group === "phone"
    ? server.phone as unknown as Record<string, unknown>
    : group === "faults"
    ? server.faults as unknown as Record<string, unknown>
    : server as unknown as Record<string, unknown>;
  const fn = target[name];
  if (typeof fn !== "function" || name.startsWith("#")) {
    throw new TypeError(`unknown stub method ${JSON.stringify(method)}`);
  }
  return await fn.apply(target, args);
}

async function child(options: StubServerOptions): Promise<void> {
  const server = await startStubServer(options);
  const encoder = new TextEncoder();
  const write = (line: unknown) =>
    Deno.stdout.write(encoder.encode(JSON.stringify(line) + "\n"));
  await write({ url: server.url, apiKey: server.apiKey });
  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
  let buffer = "";
  for await (const text of lines) {
    buffer += text;
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim() === "") continue;
      const { id, method, args } = JSON.parse(line) as {
        id: number;
        method: string;
        args: Json[];
      };
      dispatch(server, method, args.map(fromWire)).then(
        (result) => write({ id, result: toWire(result ?? null) }),
        (error: Error & { status?: number }) =>
          write({
            id,
            error: {
              name: error.name,
              message: error.message,
              status: error.status,
            },
          }),
      );
    }
  }
  await server.close(); // stdin closed: the parent is done
}

/** An error the stub process answered with. */
export class StubProcessError extends Error {
  /** The HTTP status, for phone errors. */
  readonly status: number | undefined;
  /**
   * @param name The original error's name.
   * @param message The original message.
   * @param status The HTTP status, for phone errors.
   */
  constructor(name: string, message: string, status?: number) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

/** The parent's handle on a stub server running in a child process. */
export class StubProcess implements AsyncDisposable {
  /** The stub's URL. */
  readonly url: string;
  /** The stub's first API key. */
  readonly apiKey: string;
  readonly #process: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: unknown) => void }
  >();
  #nextId = 1;
  readonly #reading: Promise<void>;

  private constructor(
    process: Deno.ChildProcess,
    url: string,
    apiKey: string,
    lines: AsyncIterator<string>,
  ) {
    this.#process = process;
    this.url = url;
    this.apiKey = apiKey;
    this.#writer = process.stdin.getWriter();
    this.#reading = (async () => {
      for (;;) {
        const { done, value } = await lines.next();
        if (done) break;
        const reply = JSON.parse(value) as {
          id: number;
          result?: Json;
          error?: { name: string; message: string; status?: number };
        };
        const waiter = this.#pending.get(reply.id);
        this.#pending.delete(reply.id);
        if (reply.error) {
          waiter?.reject(
            new StubProcessError(
              reply.error.name,
              reply.error.message,
              reply.error.status,
            ),
          );
        } else waiter?.resolve(fromWire(reply.result));
      }
      for (const waiter of this.#pending.values()) {
        waiter.reject(new Error("the stub process exited"));
      }
    })();
  }

  /**
   * Start the stub in a child process.
   *
   * @param options The stub's options (JSON-serialisable ones).
   * @param v8Flags Extra V8 flags for the child, e.g. `--max-old-space-size=4096`.
   * @returns The handle, once the stub listens.
   */
  static async start(
    options: Omit<StubServerOptions, "signal"> = {},
    v8Flags: string[] = [],
  ): Promise<StubProcess> {
    const process = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        "--allow-env",
        ...(v8Flags.length ? [`--v8-flags=${v8Flags.join(",")}`] : []),
        new URL(import.meta.url).pathname,
        JSON.stringify(options),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const lines = splitLines(process.stdout);
    const first = await lines.next();
    if (first.done) throw new Error("the stub process exited before listening");
    const { url, apiKey } = JSON.parse(first.value) as {
      url: string;
      apiKey: string;
    };
    return new StubProcess(process, url, apiKey, lines);
  }

  /**
   * Call a method of the stub: `"phone.complete"`, `"faults.restart"`,
   * `"expire"`, `"stats"`, `"session"`, …
   *
   * @param method The method, `group.name` for phone and faults.
   * @param args Its arguments.
   * @returns What the method returned.
   */
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      this.#writer.write(
        new TextEncoder().encode(
          JSON.stringify({ id, method, args: args.map(toWire) }) + "\n",
        ),
      ).catch(reject);
    });
  }

  /** The child's process id (for reading its memory). */
  get pid(): number {
    return this.#process.pid;
  }

  /** Stop the stub and wait for the process to exit. */
  async close(): Promise<void> {
    await this.#writer.close().catch(() => {});
    await this.#reading;
    await this.#process.status;
  }

  /** Same as {@linkcode StubProcess.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

async function* splitLines(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<string, void, undefined> {
  let buffer = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    buffer += text;
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      yield buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
    }
  }
}

if (import.meta.main) {
  await child(JSON.parse(Deno.args[0] ?? "{}") as StubServerOptions);
}
