// Copyright 2026 the handoff authors. MIT license.
// A TCP relay on 127.0.0.1 between the client and any Handoff server, for
// the live suite's transport faults. The stub's relay (stub/relay.ts) sits
// in front of the stub's own listener on 127.0.0.1 and its close frames come
// from the stub's WebSocket server; this one forwards to any host and port,
// over TLS when the server's URL is https, and makes every fault itself:
//
// - cut({ closeFrame: false }): drop every connection (TCP closed, no frame);
// - cut({ closeFrame: true }): WebSockets get a close frame (1001) at the
//   next frame boundary, then their TCP connection is closed once the client
//   answers (or after 1 s); other connections are dropped;
// - refuse(): new connections are closed as soon as they are accepted;
// - refuseUpgrades(): WebSocket upgrade requests are dropped (REST passes);
// - stall(): the path stops forwarding bytes and keeps both sockets open,
//   a half-open connection; what arrives meanwhile is held, not lost, and
//   the client dropping its side ends it (both sides are then closed);
// - heal(): ends refusals and stalls (held bytes are delivered).
//
// Requests are parsed just enough to rewrite `Host` to the server's (a
// reverse proxy routes by it) and to see upgrades; responses to upgrades
// just enough to find WebSocket frame boundaries.

const BUFFER_SIZE = 16 * 1024;
const MAX_HEAD = 64 * 1024;
const CRLFCRLF = [0x0d, 0x0a, 0x0d, 0x0a];
/** A close frame, code 1001 (going away), as a server sends it (unmasked). */
const CLOSE_FRAME = new Uint8Array([0x88, 0x02, 0x03, 0xe9]);
const CLOSE_ANSWER_MS = 1_000;

type Direction = "up" | "down";

/** Finds the end of an HTTP head across chunks. */
class HeadEnd {
  #matched = 0;
  /** The index just after the head's end in `chunk`, or -1. */
  find(chunk: Uint8Array): number {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      this.#matched = byte === CRLFCRLF[this.#matched]
        ? this.#matched + 1
        : byte === CRLFCRLF[0]
        ? 1
        : 0;
      if (this.#matched === CRLFCRLF.length) {
        this.#matched = 0;
        return i + 1;
      }
    }
    return -1;
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function latin1(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 0xff);
}

/**
 * The client's requests on one connection: rewrites `Host`, follows bodies
 * by `Content-Length`, and after an upgrade request (or a chunked body, which
 * this client does not send) passes the rest through untouched.
 */
class Requests {
  readonly #host: string;
  readonly #onUpgrade: () => void;
  #mode: "head" | "body" | "raw" = "head";
  #head: Uint8Array[] = [];
  #headSize = 0;
  readonly #end = new HeadEnd();
  #remaining = 0;

  constructor(host: string, onUpgrade: () => void) {
    this.#host = host;
    this.#onUpgrade = onUpgrade;
  }

  feed(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let rest = chunk;
    while (rest.length > 0) {
      if (this.#mode === "raw") {
        out.push(rest);
        break;
      }
      if (this.#mode === "body") {
        const take = Math.min(this.#remaining, rest.length);
        out.push(rest.subarray(0, take));
        rest = rest.subarray(take);
        this.#remaining -= take;
        if (this.#remaining === 0) this.#mode = "head";
        continue;
      }
      const end = this.#end.find(rest);
      if (end < 0) {
        this.#head.push(rest);
        this.#headSize += rest.length;
        if (this.#headSize > MAX_HEAD) {
          out.push(...this.#head);
          this.#head = [];
          this.#mode = "raw";
        }
        break;
      }
      this.#head.push(rest.subarray(0, end));
      rest = rest.subarray(end);
      out.push(this.#rewrite(concat(this.#head)));
      this.#head = [];
      this.#headSize = 0;
    }
    return out;
  }

  #rewrite(head: Uint8Array): Uint8Array {
    const lines = latin1(head).split("\r\n");
    let length = 0;
    let upgrade = false;
    let chunked = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "host") lines[i] = `Host: ${this.#host}`;
      else if (name === "content-length") length = Number(value) || 0;
      else if (name === "transfer-encoding") {
        chunked = /chunked/i.test(value);
      } else if (name === "upgrade") upgrade = /websocket/i.test(value);
    }
    if (upgrade) {
      this.#mode = "raw";
      this.#onUpgrade();
    } else if (chunked) this.#mode = "raw";
    else if (length > 0) {
      this.#mode = "body";
      this.#remaining = length;
    } else this.#mode = "head";
    return ascii(lines.join("\r\n"));
  }
}

/** Where the server's WebSocket frames begin and end. */
class Frames {
  readonly #header = new Uint8Array(14);
  #have = 0;
  #need = 2;
  #remaining = 0;

  get atBoundary(): boolean {
    return this.#have === 0 && this.#remaining === 0;
  }

  /**
   * Consume `chunk`, or with `stop` only up to the first frame boundary;
   * returns how many bytes were consumed.
   */
  advance(chunk: Uint8Array, stop: boolean): number {
    let i = 0;
    while (i < chunk.length) {
      if (stop && this.atBoundary) return i;
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, chunk.length - i);
        i += take;
        this.#remaining -= take;
        continue;
      }
      const h = this.#header;
      h[this.#have++] = chunk[i++]!;
      if (this.#have === 2) {
        const len7 = h[1]! & 0x7f;
        this.#need = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) +
          (h[1]! & 0x80 ? 4 : 0);
      }
      if (this.#have >= 2 && this.#have === this.#need) {
        const len7 = h[1]! & 0x7f;
        let length = len7;
        if (len7 === 126) length = (h[2]! << 8) | h[3]!;
        else if (len7 === 127) {
          length = 0;
          for (let k = 2; k < 10; k++) length = length * 256 + h[k]!;
        }
        this.#remaining = length;
        this.#have = 0;
        this.#need = 2;
      }
    }
    return i;
  }
}

/** One relayed connection: the client's side and ours to the server. */
class Link {
  readonly #client: Deno.Conn;
  readonly #upstream: Deno.Conn;
  readonly #changed: () => void;
  readonly #requests: Requests;
  /** The client asked for a WebSocket upgrade on it. */
  upgrade = false;
  /** The server answered 101: the rest is WebSocket frames. */
  websocket = false;
  /** Counted in {@linkcode LiveRelay.webSocketsOpened}. */
  counted = false;
  /** A close frame went to the client (counted when the link closes). */
  closeFrameSent = false;
  #response: "none" | "head" | "frames" | "pass" = "none";
  readonly #responseEnd = new HeadEnd();
  #status: Uint8Array[] = [];
  readonly #frames = new Frames();
  #closeFrame: "no" | "pending" | "sent" = "no";
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #stalled = false;
  readonly #held: Record<Direction, (Uint8Array | null)[]> = {
    up: [],
    down: [],
  };
  #writing: Record<Direction, Promise<void>> = {
    up: Promise.resolve(),
    down: Promise.resolve(),
  };
  closed = false;
  readonly done: Promise<void>;

  constructor(
    client: Deno.Conn,
    upstream: Deno.Conn,
    host: string,
    changed: () => void,
  ) {
    this.#client = client;
    this.#upstream = upstream;
    this.#changed = changed;
    this.#requests = new Requests(host, () => {
      this.upgrade = true;
      this.#response = "head";
      changed();
    });
    this.done = Promise.all([this.#pumpUp(), this.#pumpDown()]).then(() =>
      this.cut()
    );
  }

  get stalled(): boolean {
    return this.#stalled;
  }

  /** Close both sides now: the client sees its connection drop. */
  cut(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.#closeTimer);
    for (const conn of [this.#client, this.#upstream]) {
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
    this.#changed();
  }

  /**
   * A WebSocket gets a close frame at its next frame boundary and is cut
   * when the client answers it (or after 1 s); anything else is cut now.
   */
  cutWithCloseFrame(): void {
    if (this.closed) return;
    if (!this.websocket || this.#stalled || this.#closeFrame !== "no") {
      return this.cut();
    }
    this.#closeFrame = "pending";
    this.#closeTimer = setTimeout(() => this.cut(), CLOSE_ANSWER_MS);
    if (this.#frames.atBoundary) this.#sendCloseFrame();
  }

  /** Stop forwarding either way, keeping both sockets open. */
  stall(): void {
    this.#stalled = true;
  }

  /** Forward again, held bytes first. */
  heal(): void {
    if (!this.#stalled) return;
    this.#stalled = false;
    for (const direction of ["up", "down"] as const) {
      const held = this.#held[direction];
      this.#held[direction] = [];
      for (const bytes of held) void this.#send(direction, bytes);
    }
  }

  #sendCloseFrame(): void {
    this.#closeFrame = "sent";
    this.closeFrameSent = true;
    void this.#send("down", CLOSE_FRAME);
  }

  /** Write `bytes` (or the end, `null`) in order, or hold them while stalled. */
  #send(direction: Direction, bytes: Uint8Array | null): Promise<void> {
    if (this.#stalled) {
      this.#held[direction].push(bytes);
      return Promise.resolve();
    }
    const to = direction === "up" ? this.#upstream : this.#client;
    const write = this.#writing[direction].then(async () => {
      if (this.closed) return;
      try {
        if (bytes === null) return await to.closeWrite();
        for (let offset = 0; offset < bytes.length;) {
          offset += await to.write(bytes.subarray(offset));
        }
      } catch {
        this.cut(); // the side written to is gone
      }
    });
    this.#writing[direction] = write;
    return write;
  }

  async #read(from: Deno.Conn, buffer: Uint8Array): Promise<number | null> {
    try {
      return await from.read(buffer);
    } catch {
      return null;
    }
  }

  async #pumpUp(): Promise<void> {
    const buffer = new Uint8Array(BUFFER_SIZE);
    for (;;) {
      const n = await this.#read(this.#client, buffer);
      if (this.closed) return;
      if (n === null) {
        // The client dropped a stalled or closing connection: it is over.
        if (this.#stalled || this.#closeFrame !== "no") return this.cut();
        await this.#send("up", null);
        return;
      }
      if (this.#closeFrame === "sent") return this.cut(); // its close answer
      if (this.#closeFrame === "pending") continue;
      for (const part of this.#requests.feed(buffer.slice(0, n))) {
        await this.#send("up", part);
      }
    }
  }

  async #pumpDown(): Promise<void> {
    const buffer = new Uint8Array(BUFFER_SIZE);
    for (;;) {
      const n = await this.#read(this.#upstream, buffer);
      if (this.closed) return;
      if (n === null) {
        if (this.#closeFrame !== "no") return this.cut();
        await this.#send("down", null);
        return;
      }
      let chunk = buffer.slice(0, n);
      if (this.#closeFrame === "sent") continue;
      if (this.#response === "head") {
        const end = this.#responseEnd.find(chunk);
        if (end < 0) {
          this.#status.push(chunk);
          await this.#send("down", chunk);
          continue;
        }
        this.#status.push(chunk.subarray(0, end));
        const statusLine = latin1(concat(this.#status).subarray(0, 16));
        this.#status = [];
        this.websocket = /^HTTP\/1\.[01] 101 /.test(statusLine);
        this.#response = this.websocket ? "frames" : "pass";
        await this.#send("down", chunk.subarray(0, end));
        chunk = chunk.subarray(end);
        if (this.websocket) this.#changed();
      }
      if (this.#response !== "frames") {
        await this.#send("down", chunk);
        continue;
      }
      if (this.#closeFrame === "pending") {
        const upTo = this.#frames.advance(chunk, true);
        await this.#send("down", chunk.subarray(0, upTo));
        if (this.#frames.atBoundary) this.#sendCloseFrame();
      } else {
        this.#frames.advance(chunk, false);
        await this.#send("down", chunk);
      }
    }
  }
}

/** What {@linkcode LiveRelay.cut} does to WebSockets. */
export interface CutOptions {
  /** Send WebSockets a close frame before closing their TCP connection. */
  closeFrame: boolean;
}

/** The relay: listens on 127.0.0.1 (a port the OS picks) and forwards. */
export class LiveRelay implements AsyncDisposable {
  readonly #listener: Deno.TcpListener;
  readonly #target: URL;
  readonly #accepting: Promise<void>;
  readonly #links = new Set<Link>();
  readonly #opening = new Set<Promise<void>>();
  readonly #watchers = new Set<() => void>();
  #refuse = false;
  #refuseUpgrades = false;
  #stallNew = false;
  #stopped = false;
  /** Upgrades the server answered with 101, since the start. */
  webSocketsOpened = 0;
  /** Connections closed at once because of {@linkcode LiveRelay.refuse}. */
  refused = 0;
  /** Close frames sent to clients by {@linkcode LiveRelay.cut}. */
  closeFramesSent = 0;

  /** Start relaying to the server at `target` (its origin; the path is kept by the client). */
  constructor(target: URL) {
    this.#target = target;
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#accepting = this.#accept();
  }

  /** The relay's URL with the server's path prefix: the client's `baseUrl`. */
  get url(): string {
    const path = this.#target.pathname.replace(/\/+$/, "");
    return `http://127.0.0.1:${this.#listener.addr.port}${path}`;
  }

  /** Open connections that carried a WebSocket upgrade request. */
  get openWebSockets(): number {
    let n = 0;
    for (const link of this.#links) if (link.upgrade && !link.closed) n++;
    return n;
  }

  /** Open connections of any kind (idle keep-alive ones included). */
  get openConnections(): number {
    return this.#links.size;
  }

  /** Open connections that are stalled. */
  get stalledConnections(): number {
    let n = 0;
    for (const link of this.#links) if (link.stalled && !link.closed) n++;
    return n;
  }

  /**
   * Resolve once `ready()` holds, checked whenever a connection opens,
   * upgrades or closes; reject after `ms` saying what was awaited.
   */
  until(ready: () => boolean, ms: number, what: string): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!ready()) return;
        this.#watchers.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#watchers.delete(check);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      this.#watchers.add(check);
    });
  }

  /** Drop every open connection; returns how many were open. */
  cut(options: CutOptions): number {
    const links = [...this.#links];
    for (const link of links) {
      if (options.closeFrame) link.cutWithCloseFrame();
      else link.cut();
    }
    return links.length;
  }

  /** Close new connections as soon as they are accepted, until healed. */
  refuse(): void {
    this.#refuse = true;
  }

  /** Drop WebSocket upgrade requests (REST passes), until healed. */
  refuseUpgrades(): void {
    this.#refuseUpgrades = true;
    for (const link of this.#links) {
      if (link.upgrade && !link.websocket) link.cut();
    }
  }

  /**
   * Stop forwarding on the open connections (only the WebSockets with
   * `webSocketsOnly`), keeping them open; with `newConnections`, the ones
   * made from now on stall too. Returns how many were stalled.
   */
  stall(
    options: { webSocketsOnly?: boolean; newConnections?: boolean } = {},
  ): number {
    let n = 0;
    for (const link of this.#links) {
      if (options.webSocketsOnly === true && !link.websocket) continue;
      link.stall();
      n++;
    }
    if (options.newConnections === true) this.#stallNew = true;
    return n;
  }

  /** End every refusal and stall; held bytes are delivered. */
  heal(): void {
    this.#refuse = false;
    this.#refuseUpgrades = false;
    this.#stallNew = false;
    for (const link of this.#links) link.heal();
  }

  /** Stop listening and cut everything; resolves when all is closed. */
  async close(): Promise<void> {
    if (!this.#stopped) {
      this.#stopped = true;
      try {
        this.#listener.close();
      } catch {
        // already closed
      }
    }
    await this.#accepting;
    await Promise.all(this.#opening);
    const links = [...this.#links];
    for (const link of links) link.cut();
    await Promise.all(links.map((link) => link.done));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #changed(): void {
    for (const watcher of [...this.#watchers]) watcher();
  }

  async #accept(): Promise<void> {
    for (;;) {
      let client: Deno.TcpConn;
      try {
        client = await this.#listener.accept();
      } catch {
        return; // closed
      }
      if (this.#refuse) {
        this.refused++;
        client.close();
        this.#changed();
        continue;
      }
      const opening = this.#open(client);
      this.#opening.add(opening);
      opening.finally(() => this.#opening.delete(opening));
    }
  }

  async #open(client: Deno.TcpConn): Promise<void> {
    const tls = this.#target.protocol === "https:";
    const hostname = this.#target.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = Number(this.#target.port) || (tls ? 443 : 80);
    let upstream: Deno.Conn;
    try {
      upstream = tls
        ? await Deno.connectTls({ hostname, port })
        : await Deno.connect({ hostname, port });
    } catch {
      client.close();
      return;
    }
    if (this.#stopped) {
      client.close();
      upstream.close();
      return;
    }
    const link = new Link(client, upstream, this.#target.host, () => {
      if (link.upgrade && this.#refuseUpgrades && !link.websocket) link.cut();
      if (link.websocket && !link.closed && !link.counted) {
        link.counted = true;
        this.webSocketsOpened++;
      }
      if (link.closed && this.#links.delete(link) && link.closeFrameSent) {
        this.closeFramesSent++;
      }
      this.#changed();
    });
    if (this.#stallNew) link.stall();
    this.#links.add(link);
    this.#changed();
  }
}
