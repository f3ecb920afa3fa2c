// Copyright 2026 the handoff authors. MIT license.
/**
 * The code under test in this example: a function of "your app" that asks
 * for a photo of an ID card and returns the image. `id_photo_test.ts` tests
 * it against the stub server of `@handoff/client/testing`.
 *
 * @module
 */

import type { DownloadedFile, HandoffClient } from "@handoff/client";

/** What the user is shown to start the handoff. */
export interface HandoffPrompt {
  /** The session id. */
  readonly id: string;
  /** The URL to open on the phone. */
  readonly url: string;
  /** The same URL as a QR code (a PNG data URL). */
  readonly qrCode: string;
}

/** Options of {@linkcode collectIdPhoto}. */
export interface IdPhotoOptions {
  /** Show the prompt to the user (render the QR code, send the link…). */
  show: (prompt: HandoffPrompt) => void | Promise<void>;
  /** Give up waiting; rejects with the signal's reason. */
  signal?: AbortSignal;
  /** How long the user has. @default {"10m"} */
  sessionTtl?: string | number;
}

/**
 * Ask for a photo of an ID card and return it.
 *
 * @param client The client of your Handoff server.
 * @param options How to show the prompt; a signal; the time the user has.
 * @returns The image and its content type.
 * @throws {SessionExpiredError} The user did not finish in time.
 */
export async function collectIdPhoto(
  client: HandoffClient,
  options: IdPhotoOptions,
): Promise<DownloadedFile> {
  const signal = options.signal ? { signal: options.signal } : {};
  await using session = await client.createSession({
    action: "photo",
    outputFormat: "jpg",
    intro: "A photo of the front of your ID card, please.",
    sessionTtl: options.sessionTtl ?? "10m",
  }, signal);
  await options.show({
    id: session.id,
    url: session.url,
    qrCode: await session.qrCode(),
  });
  const [photo] = await session.waitForResult(signal);
  if (photo === undefined) throw new Error("The phone sent no photo.");
  return await client.downloadFile(photo.downloadId, signal);
}
