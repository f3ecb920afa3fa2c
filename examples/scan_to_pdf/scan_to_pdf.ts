// Copyright 2026 the handoff authors. MIT license.
/**
 * Scan several documents with a phone and save each one as a PDF, streamed
 * from the Handoff server to disk: no file is ever whole in memory.
 *
 * ```sh
 * HANDOFF_URL=http://127.0.0.1:8080 HANDOFF_API_KEY=… OUT_DIR=scans \
 *   deno run --allow-net --allow-env --allow-read=scans --allow-write=scans scan_to_pdf.ts
 * ```
 *
 * It prints the session URL and writes its QR code to `<OUT_DIR>/qr.svg`;
 * once the person has finished on the phone, it writes
 * `<OUT_DIR>/<session id>-1.pdf`, `-2.pdf`, … and prints their paths.
 *
 * @module
 */

import { HandoffClient, type Session } from "@handoff/client";

/** Options of {@linkcode scanToPdf}. */
export interface ScanToPdfOptions {
  /** The directory the PDFs go to (created when missing). */
  outDir: string;
  /** Called once the session exists: show its QR code or URL. */
  onSession?: (session: Session) => void | Promise<void>;
  /** Stops waiting and downloading; nothing partial is left behind. */
  signal?: AbortSignal;
  /** How long the person has. @default {"15m"} */
  sessionTtl?: string | number;
}

/** A PDF written to disk. */
export interface SavedPdf {
  /** Where it is. */
  readonly path: string;
  /** How many bytes were written. */
  readonly bytes: number;
}

/**
 * Create a multi-document scan session, wait for the person to finish, and
 * save one PDF per document.
 *
 * @param client The client of your Handoff server.
 * @param options Where to write, and how to show the session.
 * @returns The PDFs, in document order.
 */
export async function scanToPdf(
  client: HandoffClient,
  options: ScanToPdfOptions,
): Promise<SavedPdf[]> {
  const { outDir, signal } = options;
  await using session = await client.createSession({
    action: "scan",
    documentMode: "multi",
    scanOutputFormat: "pdf",
    intro: "Scan each document; add a new document for each one.",
    sessionTtl: options.sessionTtl ?? "15m",
  }, signal ? { signal } : {});
  await options.onSession?.(session);

  const { documents } = await session.waitForScanResult(
    signal ? { signal } : {},
  );
  await Deno.mkdir(outDir, { recursive: true });
  const saved: SavedPdf[] = [];
  for (const [index, document] of documents.entries()) {
    if (document.format !== "pdf") continue; // we asked for PDFs
    const path = `${outDir}/${session.id}-${index + 1}.pdf`;
    saved.push(await savePdf(client, document.pdfUrl, path, signal));
  }
  return saved;
}

/**
 * Stream one download into a file: written to `<path>.part` first and renamed
 * when complete, so a failed or aborted download leaves nothing behind.
 */
async function savePdf(
  client: HandoffClient,
  url: string,
  path: string,
  signal: AbortSignal | undefined,
): Promise<SavedPdf> {
  const { body } = await client.downloadStream(url, signal ? { signal } : {});
  const partial = `${path}.part`;
  let bytes = 0;
  try {
    const file = await Deno.open(partial, {
      write: true,
      create: true,
      truncate: true,
    });
    await body
      .pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            bytes += chunk.byteLength;
            controller.enqueue(chunk);
          },
        }),
      )
      .pipeTo(file.writable, signal ? { signal } : {}); // closes the file
  } catch (error) {
    await body.cancel().catch(() => {});
    await Deno.remove(partial).catch(() => {});
    throw error;
  }
  await Deno.rename(partial, path);
  return { path, bytes };
}

if (import.meta.main) {
  const baseUrl = Deno.env.get("HANDOFF_URL");
  const apiKey = Deno.env.get("HANDOFF_API_KEY");
  if (!baseUrl || !apiKey) {
    console.error("Set HANDOFF_URL and HANDOFF_API_KEY.");
    Deno.exit(2);
  }
  const outDir = Deno.env.get("OUT_DIR") ?? "scans";
  const stop = new AbortController();
  const onInterrupt = () => stop.abort(new Error("interrupted"));
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    const saved = await scanToPdf(new HandoffClient({ baseUrl, apiKey }), {
      outDir,
      signal: stop.signal,
      async onSession(session) {
        await Deno.mkdir(outDir, { recursive: true });
        await Deno.writeTextFile(
          `${outDir}/qr.svg`,
          await session.qrCode({ format: "svg" }),
        );
        console.log(`QR code: ${outDir}/qr.svg`);
        console.log(`Open on your phone: ${session.url}`);
      },
    });
    for (const pdf of saved) {
      console.log(`Saved ${pdf.path} (${pdf.bytes} bytes)`);
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}
