// Copyright 2026 the handoff authors. MIT license.
// The WebSocket hub: open sockets per session, and the frames sent to them.

import { formatTimestamp } from "./clock.ts";
import { goQuoteJson } from "./json.ts";

/** What the hub knows of an open socket. */
export interface SocketEntry {
  readonly socket: WebSocket;
  readonly sessionId: string;
  /** The remote port of the upgrade request (the relay's side, when relayed). */
  readonly remotePort: number;
}

/** A `status_update` frame, as the real server writes it (with its newline). */
export function statusFrame(
  sessionId: string,
  status: string,
  nowUs: number,
): string {
  return `{"type":"status_update","session_id":${
    goQuoteJson(sessionId)
  },"status":${goQuoteJson(status)},"timestamp":"${formatTimestamp(nowUs)}"}\n`;
}

/** A `completed` frame carrying `dataJson` (already encoded). */
export function completedFrame(
  sessionId: string,
  dataJson: string,
  nowUs: number,
): string {
  return `{"type":"completed","session_id":${
    goQuoteJson(sessionId)
  },"status":"completed","data":${dataJson},"timestamp":"${
    formatTimestamp(nowUs)
  }"}\n`;
}

/** Open sockets, by session and overall. */
export class Hub {
  #bySession = new Map<string, Set<WebSocket>>();
  #entries = new Map<WebSocket, SocketEntry>();

  /** Register an open socket. */
  add(entry: SocketEntry): void {
    this.#entries.set(entry.socket, entry);
    let set = this.#bySession.get(entry.sessionId);
    if (set === undefined) {
      set = new Set();
      this.#bySession.set(entry.sessionId, set);
    }
    set.add(entry.socket);
  }

  /** Forget a socket (closed or failed). */
  remove(socket: WebSocket): void {
    const entry = this.#entries.get(socket);
    if (entry === undefined) return;
    this.#entries.delete(socket);
    const set = this.#bySession.get(entry.sessionId);
    set?.delete(socket);
    if (set?.size === 0) this.#bySession.delete(entry.sessionId);
  }

  /** Send one frame to every open socket of a session. */
  broadcast(sessionId: string, frame: string): void {
    const set = this.#bySession.get(sessionId);
    if (set === undefined) return;
    for (const socket of set) {
      if (socket.readyState !== WebSocket.OPEN) continue;
      try {
        socket.send(frame);
      } catch {
        this.remove(socket);
      }
    }
  }

  /** Whether a session has listeners (to skip building frames nobody gets). */
  has(sessionId: string): boolean {
    return this.#bySession.has(sessionId);
  }

  /** Every open socket. */
  entries(): SocketEntry[] {
    return [...this.#entries.values()];
  }

  /** How many sockets are open. */
  get size(): number {
    return this.#entries.size;
  }
}
