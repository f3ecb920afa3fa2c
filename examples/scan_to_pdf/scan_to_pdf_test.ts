// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";
import { PDFDocument } from "pdf-lib";
import { HandoffClient, NetworkError, ServerError } from "@handoff/client";
import {
  sampleJpeg,
  samplePng,
  startStubServer,
  type StubServer,
} from "@handoff/client/testing";
import { startServerProcess, tempDir } from "../_testing.ts";
import { scanToPdf } from "./scan_to_pdf.ts";

/** The person scans two pages of a first document and one of a second. */
async function scanTwoDocuments(stub: StubServer, id: string): Promise<void> {
  await stub.phone.open(id);
  await stub.phone.start(id);
  await stub.phone.uploadPage(id, { data: sampleJpeg(), documentIndex: 0 });
  await stub.phone.uploadPage(id, {
    data: sampleJpeg(),
    documentIndex: 0,
    pageIndex: 1,
  });
  await stub.phone.uploadPage(id, {
    data: samplePng(),
    contentType: "image/png",
    filename: "page.png",
    documentIndex: 1,
  });
  await stub.phone.finalize(id);
}

async function files(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("scanToPdf saves one PDF per document, streamed to disk", async () => {
  await using stub = await startStubServer();
  await using dir = await tempDir("scan_to_pdf_");
  const client = new HandoffClient({ baseUrl: stub.url, apiKey: stub.apiKey });
  let id = "";

  const saved = await scanToPdf(client, {
    outDir: dir.path,
    onSession: async (session) => {
      id = session.id;
      assert.equal(session.documentMode, "multi");
      assert.equal(session.scanOutputFormat, "pdf");
      await scanTwoDocuments(stub, session.id);
    },
  });

  assert.deepEqual(saved.map((pdf) => pdf.path), [
    `${dir.path}/${id}-1.pdf`,
    `${dir.path}/${id}-2.pdf`,
  ]);
  assert.deepEqual(await files(dir.path), [`${id}-1.pdf`, `${id}-2.pdf`]);
  const stored = stub.session(id)!.scanDocuments;
  const pages: number[] = [];
  for (const [index, pdf] of saved.entries()) {
    const bytes = await Deno.readFile(pdf.path);
    assert.equal(pdf.bytes, bytes.byteLength);
    assert.deepEqual(bytes, stored[index]![0]!.data);
    pages.push((await PDFDocument.load(bytes)).getPageCount());
  }
  assert.deepEqual(pages, [2, 1]);
});

Deno.test("scanToPdf stops when its signal aborts, and writes nothing", async () => {
  await using stub = await startStubServer();
  await using dir = await tempDir("scan_to_pdf_");
  const client = new HandoffClient({ baseUrl: stub.url, apiKey: stub.apiKey });
  const stop = new AbortController();
  const reason = new Error("the user went away");

  await assert.rejects(
    scanToPdf(client, {
      outDir: `${dir.path}/out`,
      signal: stop.signal,
      onSession: () => stop.abort(reason),
    }),
    (error) => error === reason,
  );
  assert.deepEqual(await files(dir.path), []);
  assert.equal(stub.stats().openWebSockets, 0);
});

Deno.test("scanToPdf leaves no partial file when a download fails", async () => {
  await using stub = await startStubServer();
  await using dir = await tempDir("scan_to_pdf_");
  const client = new HandoffClient({
    baseUrl: stub.url,
    apiKey: stub.apiKey,
    retry: { maxRetries: 1, initialDelayMs: 10 },
  });
  stub.faults.failRequests("download", 2, 500);

  await assert.rejects(
    scanToPdf(client, {
      outDir: dir.path,
      onSession: (session) => scanTwoDocuments(stub, session.id),
    }),
    ServerError,
  );
  assert.deepEqual(await files(dir.path), []);
});

Deno.test("scanToPdf removes the partial file when a download breaks off midway", async () => {
  await using stub = await startStubServer();
  await using dir = await tempDir("scan_to_pdf_");
  const broken = new Error("connection reset");
  let partialSeen = false;
  const client = new HandoffClient({
    baseUrl: stub.url,
    apiKey: stub.apiKey,
    // A download whose body fails after its first bytes.
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      if (!new Request(input).url.includes("/downloads/")) return response;
      const reader = response.body!.getReader();
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { value } = await reader.read();
          await reader.cancel();
          controller.enqueue(value!.subarray(0, 10));
          partialSeen = (await files(dir.path)).some((name) =>
            name.endsWith(".pdf.part")
          );
          controller.error(broken);
        },
      }, { highWaterMark: 0 }); // pulled only once the file is open
      return new Response(body, {
        status: response.status,
        headers: response.headers,
      });
    },
  });

  await assert.rejects(
    scanToPdf(client, {
      outDir: dir.path,
      onSession: (session) => scanTwoDocuments(stub, session.id),
    }),
    // The library types a broken body: a NetworkError caused by the failure.
    (error) => error instanceof NetworkError && error.cause === broken,
  );
  assert.ok(partialSeen, "the download was being written to a .part file");
  assert.deepEqual(await files(dir.path), []);
});

Deno.test("scan_to_pdf.ts prints the session URL, writes the QR code and saves the PDFs", async () => {
  await using stub = await startStubServer();
  await using dir = await tempDir("scan_to_pdf_");
  await using child = await startServerProcess(
    Deno.execPath(),
    [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-env",
      `--allow-read=${dir.path}`, // Deno.rename needs both
      `--allow-write=${dir.path}`,
      "examples/scan_to_pdf/scan_to_pdf.ts",
    ],
    { HANDOFF_URL: stub.url, HANDOFF_API_KEY: stub.apiKey, OUT_DIR: dir.path },
    /Open on your phone: (\S+)/,
  );
  const id = child.url.split("/").at(-1)!;
  assert.equal(child.url, `${stub.baseUrl}/s/${id}`);
  assert.match(await Deno.readTextFile(`${dir.path}/qr.svg`), /^<svg/);

  await scanTwoDocuments(stub, id);
  assert.equal(await child.stop("stdin"), 0, child.output());
  assert.match(child.output(), new RegExp(`Saved \\S+/${id}-2\\.pdf`));
  assert.deepEqual(await files(dir.path), [
    `${id}-1.pdf`,
    `${id}-2.pdf`,
    "qr.svg",
  ]);
});
