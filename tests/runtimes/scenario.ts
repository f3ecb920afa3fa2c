// Copyright 2026 the handoff authors. MIT license.
// One scenario, run unchanged in every runtime the library claims (Deno, Bun,
// Node, Cloudflare workerd, Vercel edge-runtime). It uses only the public API
// and web standards; the phone is played over the stub's public phone routes.

import {
  HandoffClient,
  type HandoffClientOptions,
  UnauthorizedError,
} from "../../mod.ts";

/** What the runtime test asserts on. */
export interface ScenarioReport {
  statuses: string[];
  connections: string[];
  itemCount: number;
  bytesEqual: boolean;
  contentType: string;
  qr: string;
  infoStatus: string;
  unauthorized: string;
  closed: string;
}

/** Inputs: the stub's URL and key, and a JPEG to upload as base64. */
export interface ScenarioInput {
  baseUrl: string;
  apiKey: string;
  jpegBase64: string;
  /** Extra client options (an injected WebSocket, a forced auth mode). */
  options?: Partial<HandoffClientOptions>;
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** Run the scenario; throws on any failure. */
export async function runScenario(
  input: ScenarioInput,
): Promise<ScenarioReport> {
  const client = new HandoffClient({
    baseUrl: input.baseUrl,
    apiKey: input.apiKey,
    ...input.options,
  });
  const session = await client.createSession({
    action: "photo",
    outputFormat: "jpg",
  }, { signal: AbortSignal.timeout(10_000) });
  const statuses: string[] = [];
  const connections: string[] = [];
  session.onConnectionChange((state) => connections.push(state));
  let firstEvent!: () => void;
  const live = new Promise<void>((resolve) => firstEvent = resolve);
  session.onEvent((event) => {
    statuses.push(event.status);
    firstEvent();
  });
  try {
    await live; // the socket is up and delivered its first snapshot

    // The phone opens the page (opened + action_started), then sends a photo.
    const page = await fetch(session.url);
    await page.body?.cancel();
    if (page.status !== 200) {
      throw new Error(`phone page answered ${page.status}`);
    }
    const posted = await fetch(`${session.url}/result`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        items: [{
          content_type: "image/jpeg",
          filename: "photo.jpg",
          data: input.jpegBase64,
        }],
      }),
    });
    await posted.body?.cancel();
    if (posted.status !== 200) {
      throw new Error(`result POST answered ${posted.status}`);
    }

    const items = await session.waitForResult({
      signal: AbortSignal.timeout(10_000),
    });
    const file = await client.downloadFile(items[0]!.downloadId);
    const expected = fromBase64(input.jpegBase64);
    const bytesEqual = file.data.length === expected.length &&
      file.data.every((byte, i) => byte === expected[i]);

    let qr: string;
    try {
      qr = (await session.qrCode()).slice(0, 22);
    } catch (error) {
      qr = `error: ${(error as Error).message}`;
    }

    const info = await client.getSession(session.id);
    let unauthorized = "no error";
    try {
      await new HandoffClient({ baseUrl: input.baseUrl, apiKey: "wrong-key" })
        .getSession(session.id);
    } catch (error) {
      unauthorized = error instanceof UnauthorizedError
        ? "UnauthorizedError"
        : String(error);
    }
    await session.close();
    return {
      statuses,
      connections,
      itemCount: items.length,
      bytesEqual,
      contentType: file.contentType,
      qr,
      infoStatus: info.status,
      unauthorized,
      closed: session.connection,
    };
  } finally {
    await session.close();
  }
}
