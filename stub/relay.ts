// Copyright 2026 the handoff authors. MIT license.
// A TCP relay in front of the HTTP server, so that transport faults can be
// injected: connections cut without a close frame, half-open (silent)
// connections that stay silent until the client drops them, and a listener
// that goes away and comes back.

const BUFFER_SIZE = 16 * 1024;
const HEAD_END = [0x0d, 0x0a, 0x0d, 0x0a];

/**
 * One relayed connection: the client's side and ours to the inner server.
 *
 * A silenced connection is a stalled path: nothing passes either way, and
 * the client's side is never closed or half-closed by the relay on its own,
 * whatever the inner server does. It ends when the client drops it (the
 * relay then closes both sides), when it is healed after losing something,
 * or when it is cut.
 */
export class RelayConnection {
  readonly #client: Deno.TcpConn;
  readonly #upstream: Deno.TcpConn;
  /** Drop bytes from the client. */
  #silentUp = false;
  /** Drop bytes to the client. */
  #silentDown = false;
  /** Forward the rest of an HTTP head to the client, then go silent. */
  #silenceAfterHead = false;
  #headMatched = 0;
  /**
   * Bytes (or the end of a direction) were dropped while silent. No real
   * network loses bytes of a live TCP connection: one that heals after
   * losing some is reset, so {@linkcode RelayConnection.heal} cuts it.
   */
  #lost = false;
  #closed = false;
  /** Whether the client asked for a WebSocket upgrade on it. */
  upgrade = false;
  /** The client closed its side (EOF or a failed read): it holds nothing. */
  #clientGone = false;
  /** Settles when both directions have stopped and both sides are closed. */
  readonly done: Promise<void>;

  constructor(client: Deno.TcpConn, upstream: Deno.TcpConn) {
    this.#client = client;
    this.#upstream = upstream;
    this.done = Promise.all([
      this.#pump(client, upstream, (chunk) => this.#filterUp(chunk), "up"),
      this.#pump(upstream, client, (chunk) => this.#filterDown(chunk), "down"),
    ]).then(() => this.cut());
  }

  /**
   * Whether the client still holds its side open. A client that closed it
   * is done with the connection, even while the inner server has not
   * closed its own side yet.
   */
  get clientOpen(): boolean {
    return !this.#clientGone && !this.#closed;
  }

  /** The local port of our connection to the inner server. */
  get upstreamPort(): number {
    return this.#upstream.localAddr.port;
  }

  /** Stop piping in both directions, keeping both connections open. */
  silence(): void {
    this.#silentUp = true;
    this.#silentDown = true;
  }

  /**
   * Go silent right after the HTTP head being answered now (the 101 of an
   * upgrade) has been forwarded.
   */
  silenceAfterHead(): void {
    this.#silentUp = true;
    this.#silenceAfterHead = true;
    this.#headMatched = 0;
  }

  /**
   * End the silence, as a network that heals: pipe again, or cut a
   * connection that lost bytes or the end of a direction while silent (its
   * peers would never agree on what was said: a close frame or a FIN that
   * never arrived would leave a socket closing for ever).
   */
  heal(): void {
    if (this.#lost) return this.cut();
    this.#silentUp = false;
    this.#silentDown = false;
    this.#silenceAfterHead = false;
  }

  /** Close both sides now (the client sees the connection drop). */
  cut(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const conn of [this.#client, this.#upstream]) {
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  }

  #filterUp(chunk: Uint8Array): Uint8Array | undefined {
    if (!this.#silentUp) return chunk;
    this.#lost = true;
    return undefined;
  }

  #filterDown(chunk: Uint8Array): Uint8Array | undefined {
    if (this.#silentDown) {
      this.#lost = true;
      return undefined;
    }
    if (!this.#silenceAfterHead) return chunk;
    for (let i = 0; i < chunk.length; i++) {
      this.#headMatched = chunk[i] === HEAD_END[this.#headMatched]
        ? this.#headMatched + 1
        : chunk[i] === HEAD_END[0]
        ? 1
        : 0;
      if (this.#headMatched === HEAD_END.length) {
        this.#silenceAfterHead = false;
        this.#silentDown = true;
        if (i + 1 < chunk.length) this.#lost = true;
        return chunk.subarray(0, i + 1);
      }
    }
    return chunk;
  }

  async #pump(
    from: Deno.TcpConn,
    to: Deno.TcpConn,
    filter: (chunk: Uint8Array) => Uint8Array | undefined,
    direction: "up" | "down",
  ): Promise<void> {
    const buffer = new Uint8Array(BUFFER_SIZE);
    for (;;) {
      let n: number | null;
      let failed = false;
      try {
        n = await from.read(buffer);
      } catch {
        n = null;
        failed = true;
      }
      if (n === null) return this.#ended(direction, failed);
      const chunk = filter(buffer.subarray(0, n));
      if (chunk === undefined) continue;
      try {
        for (let offset = 0; offset < chunk.length;) {
          offset += await to.write(chunk.subarray(offset));
        }
      } catch {
        return this.cut(); // the side written to is gone
      }
    }
  }

  /**
   * One side stopped sending (EOF) or failed. The client dropping a silent
   * connection ends it: both sides close (the client is gone, and the inner
   * server's socket is released). The inner server's end is swallowed while
   * silent: the client must not learn of it. Otherwise a half-close is
   * passed on (the other direction may still be talking) and a failure cuts
   * the connection.
   */
  async #ended(direction: "up" | "down", failed: boolean): Promise<void> {
    if (direction === "up") this.#clientGone = true;
    if (direction === "up" ? this.#silentUp : this.#silentDown) {
      if (direction === "up") return this.cut();
      this.#lost = true;
      return;
    }
    if (failed) return this.cut();
    const to = direction === "up" ? this.#upstream : this.#client;
    await to.closeWrite().catch(() => this.cut());
  }
}

/** Accepts connections on the public port and relays each to the inner server. */
export class Relay {
  readonly #hostname: string;
  readonly #targetPort: number;
  #port: number;
  #listener: Deno.TcpListener | undefined;
  #accepting: Promise<void> | undefined;
  #connections = new Set<RelayConnection>();
  #byUpstreamPort = new Map<number, RelayConnection>();
  #opening = new Set<Promise<void>>();

  constructor(hostname: string, port: number, targetPort: number) {
    this.#hostname = hostname;
    this.#port = port;
    this.#targetPort = targetPort;
  }

  /** The public port (known after {@linkcode Relay.start}). */
  get port(): number {
    return this.#port;
  }

  /** Listen on the public port (the same one again after a stop). */
  start(): void {
    const listener = Deno.listen({
      hostname: this.#hostname,
      port: this.#port,
      transport: "tcp",
    });
    this.#listener = listener;
    this.#port = listener.addr.port;
    this.#accepting = this.#accept(listener);
  }

  /** The relayed connection whose upstream side has local port `port`. */
  connectionFor(port: number | undefined): RelayConnection | undefined {
    return port === undefined ? undefined : this.#byUpstreamPort.get(port);
  }

  /**
   * Relayed connections that carried a WebSocket upgrade request and that
   * the client has not closed (`StubStats.openUpgradeConnections`): one the
   * client closed counts no more, while the inner server may still be
   * closing its own side.
   */
  get openUpgradeConnections(): number {
    let count = 0;
    for (const connection of this.#connections) {
      if (connection.upgrade && connection.clientOpen) count++;
    }
    return count;
  }

  /** Heal every relayed connection (see {@linkcode RelayConnection.heal}). */
  healAll(): void {
    for (const connection of this.#connections) connection.heal();
  }

  /** Stop listening and cut every connection; resolves when all is closed. */
  async stop(): Promise<void> {
    const listener = this.#listener;
    this.#listener = undefined;
    if (listener !== undefined) {
      try {
        listener.close();
      } catch {
        // already closed
      }
    }
    await this.#accepting;
    this.#accepting = undefined;
    await Promise.all(this.#opening);
    const all = [...this.#connections];
    for (const connection of all) connection.cut();
    await Promise.all(all.map((connection) => connection.done));
  }

  async #accept(listener: Deno.TcpListener): Promise<void> {
    for (;;) {
      let client: Deno.TcpConn;
      try {
        client = await listener.accept();
      } catch {
        return; // the listener was closed
      }
      const opening = this.#open(client, listener);
      this.#opening.add(opening);
      opening.finally(() => this.#opening.delete(opening));
    }
  }

  async #open(client: Deno.TcpConn, listener: Deno.TcpListener): Promise<void> {
    let upstream: Deno.TcpConn;
    try {
      upstream = await Deno.connect({
        hostname: "127.0.0.1",
        port: this.#targetPort,
      });
    } catch {
      client.close();
      return;
    }
    if (this.#listener !== listener) {
      // Stopped while connecting.
      client.close();
      upstream.close();
      return;
    }
    const connection = new RelayConnection(client, upstream);
    const port = connection.upstreamPort;
    this.#connections.add(connection);
    this.#byUpstreamPort.set(port, connection);
    connection.done.finally(() => {
      this.#connections.delete(connection);
      if (this.#byUpstreamPort.get(port) === connection) {
        this.#byUpstreamPort.delete(port);
      }
    });
  }
}
