// Copyright 2026 the handoff authors. MIT license.
// What the request handlers share: configuration, state and counters.

import type { Hub } from "./ws.ts";
import type { Store } from "./store.ts";
import type { StubRoute } from "./types.ts";

/** The server configuration, resolved from the options. */
export interface StubConfig {
  readonly apiKeys: readonly string[];
  /** Prefix of session URLs; set once the port is known. */
  baseUrl: string;
  readonly sessionTtlNs: bigint;
  readonly resultTtlNs: bigint;
  readonly scanUploadMaxBytes: number;
  readonly scanMaxPages: number;
  readonly version: { readonly version: string; readonly commit: string };
}

/** Counters behind {@linkcode StubServer.stats}. */
export interface StatsCounters {
  readonly requests: Record<StubRoute | "phone" | "other", number>;
  upgrades: number;
  readonly upgradeAuth: { header: number; query: number };
}

/** A fresh set of zeroed counters. */
export function newStats(): StatsCounters {
  return {
    requests: {
      create: 0,
      session: 0,
      result: 0,
      download: 0,
      websocket: 0,
      health: 0,
      version: 0,
      phone: 0,
      other: 0,
    },
    upgrades: 0,
    upgradeAuth: { header: 0, query: 0 },
  };
}

/** Everything a handler needs. */
export interface AppContext {
  readonly config: StubConfig;
  readonly store: Store;
  readonly hub: Hub;
  readonly stats: StatsCounters;
  /**
   * Called when a WebSocket upgrade is accepted, with the remote port of the
   * request (the relay uses it to make sockets go silent).
   */
  onUpgrade(remotePort: number | undefined): void;
}

/** How a request reached the handler. */
export interface RequestInfo {
  /** The remote port (of the relay, when relayed); `undefined` for in-process calls. */
  readonly remotePort: number | undefined;
}
