// Copyright 2026 the handoff authors. MIT license.
// startStubServer(): the stub Handoff server, its faults, stats and phone.

import { GoDurationError, parseGoDuration } from "../_duration.ts";
import { handle, routeOf } from "./app.ts";
import { nowMicros } from "./clock.ts";
import { type AppContext, newStats, type StubConfig } from "./context.ts";
import { FaultState } from "./faults.ts";
import { jsonError } from "./json.ts";
import { createPhone } from "./phone.ts";
import { Relay } from "./relay.ts";
import { Store } from "./store.ts";
import type {
  StubFaults,
  StubPhone,
  StubRoute,
  StubServer,
  StubServerOptions,
  StubSessionSnapshot,
  StubStats,
} from "./types.ts";
import { Hub } from "./ws.ts";

/** How long a plain-mode restart waits for close frames to go out. */
const CLOSE_GRACE_MS = 100;

function durationNs(name: string, value: string | number): bigint {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new RangeError(
        `${name} must be a finite number of milliseconds, got ${value}`,
      );
    }
    return BigInt(Math.round(value * 1e6));
  }
  if (typeof value !== "string") {
    throw new TypeError(
      `${name} must be a Go duration string or milliseconds, got ${typeof value}`,
    );
  }
  try {
    return parseGoDuration(value);
  } catch (error) {
    if (error instanceof GoDurationError) {
      throw new TypeError(`${name}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function resolveConfig(options: StubServerOptions): StubConfig {
  const apiKeys = options.apiKeys === undefined
    ? [crypto.randomUUID()]
    : [...options.apiKeys];
  if (
    apiKeys.length === 0 ||
    apiKeys.some((k) => typeof k !== "string" || k === "")
  ) {
    throw new TypeError("apiKeys must hold at least one non-empty key");
  }
  if (
    options.port !== undefined &&
    (!Number.isInteger(options.port) || options.port < 0 ||
      options.port > 65535)
  ) {
    throw new RangeError(
      `port must be an integer from 0 to 65535, got ${options.port}`,
    );
  }
  if (options.baseUrl !== undefined) {
    try {
      new URL(options.baseUrl);
    } catch {
      throw new TypeError(
        `baseUrl must be an absolute URL, got ${
          JSON.stringify(options.baseUrl)
        }`,
      );
    }
  }
  return {
    apiKeys,
    baseUrl: options.baseUrl ?? "",
    sessionTtlNs: durationNs("sessionTtl", options.sessionTtl ?? "30m"),
    resultTtlNs: durationNs("resultTtl", options.resultTtl ?? "5m"),
    scanUploadMaxBytes: positiveInteger(
      "scanUploadMaxBytes",
      options.scanUploadMaxBytes ?? 20 * 1024 * 1024,
    ),
    scanMaxPages: positiveInteger("scanMaxPages", options.scanMaxPages ?? 50),
    version: options.version ?? { version: "stub", commit: "stub" },
  };
}

function urlHost(hostname: string): string {
  if (hostname === "0.0.0.0" || hostname === "") return "127.0.0.1";
  if (hostname === "::") return "[::1]";
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

class StubServerImpl implements StubServer {
  readonly apiKey: string;
  readonly apiKeys: readonly string[];
  readonly phone: StubPhone;
  readonly faults: StubFaults;
  readonly #ctx: AppContext;
  readonly #faultState = new FaultState();
  readonly #hostname: string;
  #port: number;
  #url = "";
  #relay: Relay | undefined;
  #http: Deno.HttpServer<Deno.NetAddr> | undefined;
  #closing: Promise<void> | undefined;
  #restarting: Promise<void> = Promise.resolve();
  #signal: AbortSignal | undefined;
  #onAbort = () => void this.close();

  private constructor(options: StubServerOptions, config: StubConfig) {
    const faultState = this.#faultState;
    this.#ctx = {
      config,
      store: new Store(),
      hub: new Hub(),
      stats: newStats(),
      onUpgrade: (remotePort) => {
        if (faultState.silenceFuture) {
          this.#relay?.connectionFor(remotePort)?.silenceAfterHead();
        }
      },
    };
    this.#hostname = options.hostname ?? "127.0.0.1";
    this.#port = options.port ?? 0;
    this.apiKeys = config.apiKeys;
    this.apiKey = config.apiKeys[0] ?? "";
    this.phone = createPhone({
      url: () => this.#url,
      handle: (req) => handle(req, this.#ctx, { remotePort: undefined }),
      session: (id) => this.session(id),
    });
    this.faults = this.#makeFaults();
  }

  /** Create a server and listen; on failure, whatever was started is stopped. */
  static async start(
    options: StubServerOptions,
    config: StubConfig,
  ): Promise<StubServerImpl> {
    const server = new StubServerImpl(options, config);
    try {
      if (options.transportFaults ?? true) {
        server.#http = server.#serve("127.0.0.1", 0);
        server.#relay = new Relay(
          server.#hostname,
          server.#port,
          server.#http.addr.port,
        );
        server.#relay.start();
        server.#port = server.#relay.port;
      } else {
        server.#http = server.#serve(server.#hostname, server.#port);
        server.#port = server.#http.addr.port;
      }
    } catch (error) {
      await server.#http?.shutdown();
      throw error;
    }
    server.#url = `http://${urlHost(server.#hostname)}:${server.#port}`;
    config.baseUrl ||= server.#url;
    if (options.signal !== undefined) {
      server.#signal = options.signal;
      options.signal.addEventListener("abort", server.#onAbort, { once: true });
    }
    return server;
  }

  get url(): string {
    return this.#url;
  }

  get baseUrl(): string {
    return this.#ctx.config.baseUrl;
  }

  #serve(hostname: string, port: number): Deno.HttpServer<Deno.NetAddr> {
    return Deno.serve({
      hostname,
      port,
      onListen() {},
      onError: () => new Response(null, { status: 500 }),
    }, (req, info) => this.#network(req, info.remoteAddr.port));
  }

  /** A request from the network: counted, delayed, maybe failed, then handled. */
  async #network(req: Request, remotePort: number): Promise<Response> {
    const route = routeOf(req);
    this.#ctx.stats.requests[route]++;
    if (req.headers.get("upgrade")?.toLowerCase() === "websocket") {
      const connection = this.#relay?.connectionFor(remotePort);
      if (connection !== undefined) connection.upgrade = true;
    }
    const faults = this.#faultState;
    if (faults.latencyMs > 0) await faults.sleep(faults.latencyMs);
    if (route !== "phone" && route !== "other") {
      const status = faults.takeFailure(route as StubRoute);
      if (status !== undefined) return jsonError(status, "injected fault");
      if (route === "websocket") {
        const refused = faults.takeRefusal();
        if (refused !== undefined) {
          return jsonError(refused, "service unavailable");
        }
      }
    }
    return await handle(req, this.#ctx, { remotePort });
  }

  #makeFaults(): StubFaults {
    const state = this.#faultState;
    const hub = this.#ctx.hub;
    const needsRelay = (what: string): Relay => {
      if (this.#relay === undefined) {
        throw new Error(
          `${what} needs the transportFaults option (it is off for this server)`,
        );
      }
      return this.#relay;
    };
    return {
      dropWebSockets: (options = {}) => {
        const { closeFrame = false, code = 1001 } = options;
        const relay = closeFrame ? undefined : needsRelay(
          "dropWebSockets({ closeFrame: false })",
        );
        const entries = hub.entries();
        for (const entry of entries) {
          hub.remove(entry.socket);
          if (relay === undefined) {
            try {
              entry.socket.close(code);
            } catch {
              // already closing
            }
          } else {
            relay.connectionFor(entry.remotePort)?.cut();
          }
        }
        return entries.length;
      },
      refuseUpgrades: (count, status) => state.refuseUpgrades(count, status),
      failRequests: (route, count, status) =>
        state.failRequests(route, count, status),
      setLatency: (ms) => state.setLatency(ms),
      goSilent: (options = {}) => {
        const relay = needsRelay("goSilent()");
        let count = 0;
        for (const entry of hub.entries()) {
          const connection = relay.connectionFor(entry.remotePort);
          if (connection === undefined) continue;
          connection.silence();
          count++;
        }
        if (options.future === true) state.silenceFuture = true;
        return count;
      },
      heal: () => {
        state.silenceFuture = false;
        this.#relay?.healAll();
      },
      restart: (options = {}) => this.#restart(options),
      reset: () => state.reset(),
    };
  }

  #restart(
    options: { keepState?: boolean; downtimeMs?: number },
  ): Promise<void> {
    const { keepState = true, downtimeMs = 0 } = options;
    if (!Number.isFinite(downtimeMs) || downtimeMs < 0) {
      return Promise.reject(
        new RangeError(
          `downtimeMs must be a finite number >= 0, got ${downtimeMs}`,
        ),
      );
    }
    if (this.#closing !== undefined) {
      return Promise.reject(new Error("the stub server is closed"));
    }
    const run = async () => {
      if (this.#closing !== undefined) return;
      if (this.#relay !== undefined) {
        await this.#relay.stop();
      } else {
        await this.#closeSockets(1012);
        await this.#http?.shutdown();
        this.#http = undefined;
      }
      this.#forgetSockets();
      if (!keepState) this.#ctx.store.clear();
      if (this.#closing !== undefined) return;
      await this.#faultState.sleep(downtimeMs);
      if (this.#closing !== undefined) return;
      if (this.#relay !== undefined) this.#relay.start();
      else this.#http = this.#serve(this.#hostname, this.#port);
    };
    this.#restarting = this.#restarting.then(run, run);
    return this.#restarting;
  }

  /** Drop every socket from the hub (their connections are gone). */
  #forgetSockets(): void {
    const hub = this.#ctx.hub;
    for (const entry of hub.entries()) hub.remove(entry.socket);
  }

  /** Send close frames to every socket and give them a moment to go out. */
  async #closeSockets(code: number): Promise<void> {
    const hub = this.#ctx.hub;
    if (hub.size === 0) return;
    const closed = hub.entries().map((entry) =>
      new Promise<void>((resolve) => {
        entry.socket.addEventListener("close", () => resolve(), { once: true });
        try {
          entry.socket.close(code);
        } catch {
          resolve();
        }
      })
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(closed),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  stats(): StubStats {
    const stats = this.#ctx.stats;
    return {
      requests: { ...stats.requests },
      upgrades: stats.upgrades,
      openWebSockets: this.#ctx.hub.size,
      openUpgradeConnections: this.#relay?.openUpgradeConnections,
      upgradeAuth: { ...stats.upgradeAuth },
    };
  }

  session(id: string): StubSessionSnapshot | undefined {
    const found = this.#ctx.store.lookup(id, nowMicros());
    return found.state === "missing"
      ? undefined
      : this.#ctx.store.snapshot(found);
  }

  sessions(): StubSessionSnapshot[] {
    const store = this.#ctx.store;
    return [...store.records(nowMicros())].map((found) =>
      store.snapshot(found)
    );
  }

  expire(id: string): void {
    this.#ctx.store.expire(id, nowMicros());
  }

  expireResult(id: string): void {
    this.#ctx.store.expireResult(id);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#faultState.cancelTimers();
    await this.#restarting.catch(() => {});
    if (this.#relay !== undefined) await this.#relay.stop();
    await this.#http?.shutdown();
    this.#http = undefined;
    this.#forgetSockets();
    this.#faultState.cancelTimers();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Start a stub Handoff server that answers exactly like the real one on the
 * wire: the REST API, the per-session WebSocket and the phone pages, with
 * sessions and files in memory. It listens on `127.0.0.1` and a free port by
 * default and logs nothing.
 *
 * @param options Where to listen, API keys, default TTLs, limits, and whether
 * to put the fault-injecting TCP relay in front.
 * @returns The running server; close it with `close()` or `await using`.
 * @throws {TypeError | RangeError} when an option is invalid.
 *
 * @example Complete a photo session from a test
 * ```ts
 * import { startStubServer } from "@handoff/client/testing";
 *
 * await using stub = await startStubServer();
 * const res = await fetch(`${stub.url}/api/v1/sessions`, {
 *   method: "POST",
 *   headers: { "X-API-Key": stub.apiKey },
 *   body: JSON.stringify({ action_type: "photo", output_format: "jpg" }),
 * });
 * const session = await res.json();
 * await stub.phone.complete(session.id);
 * console.assert(stub.session(session.id)?.status === "completed");
 * ```
 */
export async function startStubServer(
  options: StubServerOptions = {},
): Promise<StubServer> {
  options.signal?.throwIfAborted();
  return await StubServerImpl.start(options, resolveConfig(options));
}
