// Copyright 2026 the handoff authors. MIT license.
// The simulated phone sends what the real phone pages send when a test does
// not say otherwise (docs/PROTOCOL.md, "What the real phone pages submit"):
// a camera JPEG `photo.jpg` whatever the photo's output format, SVG markup
// `signature.svg` for svg signatures and a PNG `signature.png` otherwise,
// scan pages as JPEG `scan.jpg`.

import assert from "node:assert/strict";
import { sampleJpeg, samplePng, startStubServer } from "../../testing.ts";
import { createPhone } from "../../stub/phone.ts";
import { createSession } from "./_helpers.ts";

const text = (data: Uint8Array) => new TextDecoder().decode(data);
const isPdf = (data: Uint8Array) => text(data.subarray(0, 5)) === "%PDF-";

Deno.test("phone.complete() sends a camera JPEG, photo.jpg, for every photo output format; only pdf is converted, by the server", async () => {
  await using stub = await startStubServer();
  for (
    const [format, contentType, filename] of [
      ["jpg", "image/jpeg", "photo.jpg"],
      ["png", "image/jpeg", "photo.jpg"],
      ["pdf", "application/pdf", "photo.pdf"],
    ] as const
  ) {
    const { id } = await createSession(stub, {
      action_type: "photo",
      output_format: format,
    });
    await stub.phone.complete(id);
    const items = stub.session(id)!.items;
    assert.equal(items.length, 1, format);
    assert.equal(items[0]!.contentType, contentType, format);
    assert.equal(items[0]!.filename, filename, format);
    if (format === "pdf") assert.ok(isPdf(items[0]!.data));
    else assert.deepEqual(items[0]!.data, sampleJpeg());
  }
});

Deno.test("phone.complete() sends SVG markup for an svg signature and a PNG otherwise", async () => {
  await using stub = await startStubServer();
  for (
    const [format, contentType, filename] of [
      ["svg", "image/svg+xml", "signature.svg"],
      ["png", "image/png", "signature.png"],
      ["pdf", "application/pdf", "signature.pdf"],
    ] as const
  ) {
    const { id } = await createSession(stub, {
      action_type: "signature",
      output_format: format,
    });
    await stub.phone.complete(id);
    const [item, ...rest] = stub.session(id)!.items;
    assert.deepEqual(rest, []);
    assert.equal(item!.contentType, contentType, format);
    assert.equal(item!.filename, filename, format);
    if (format === "svg") {
      assert.match(
        text(item!.data),
        /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^]*<path d="M/,
      );
    } else if (format === "png") {
      assert.deepEqual(item!.data, samplePng());
    } else {
      assert.ok(isPdf(item!.data));
    }
  }
});

Deno.test("phone.complete() uploads one JPEG scan page at document 0, page 0", async () => {
  await using stub = await startStubServer();
  const images = await createSession(stub, {
    action_type: "scan",
    output_format: "images",
    document_mode: "multi",
  });
  await stub.phone.complete(images.id);
  const docs = stub.session(images.id)!.scanDocuments;
  assert.equal(docs.length, 1);
  assert.equal(docs[0]!.length, 1);
  assert.equal(docs[0]![0]!.contentType, "image/jpeg");
  assert.deepEqual(docs[0]![0]!.data, sampleJpeg());

  const pdf = await createSession(stub, { action_type: "scan" });
  await stub.phone.complete(pdf.id);
  const pdfDocs = stub.session(pdf.id)!.scanDocuments;
  assert.equal(pdfDocs.length, 1);
  assert.equal(pdfDocs[0]!.length, 1);
  const file = pdfDocs[0]![0]!;
  assert.equal(file.contentType, "application/pdf");
  assert.ok(isPdf(file.data));
});

Deno.test("phone.submit() without a filename names the item as the real page would", async () => {
  await using stub = await startStubServer();
  const cases: [string, string, string, string][] = [
    ["photo", "jpg", "image/jpeg", "photo.jpg"],
    ["photo", "jpg", "image/png", "photo.png"],
    ["photo", "png", "image/heic", "photo.jpg"],
    ["photo", "jpg", "", "photo.jpg"],
    ["signature", "svg", "image/svg+xml", "signature.svg"],
    ["signature", "png", "image/png", "signature.png"],
  ];
  for (const [action, format, contentType, filename] of cases) {
    const { id } = await createSession(stub, {
      action_type: action,
      output_format: format,
    });
    await stub.phone.open(id);
    const [item] = await stub.phone.submit(id, [
      { contentType, data: new Uint8Array([1, 2, 3]) },
    ]);
    assert.equal(item!.filename, filename, `${action} ${contentType}`);
    assert.equal(item!.contentType, contentType);
    assert.equal(stub.session(id)!.items[0]!.filename, filename);
  }
});

Deno.test("phone.submit() keeps a filename the test gives", async () => {
  await using stub = await startStubServer();
  const { id } = await createSession(stub, {
    action_type: "photo",
    output_format: "jpg",
  });
  await stub.phone.open(id);
  const [item] = await stub.phone.submit(id, [
    { contentType: "image/jpeg", filename: "id.jpg", data: sampleJpeg() },
  ]);
  assert.equal(item!.filename, "id.jpg");
});

Deno.test("phone.uploadPage() sends a scan.jpg image/jpeg part by default, and what the test gives otherwise", async () => {
  const requests: Request[] = [];
  const phone = createPhone({
    url: () => "http://stub.invalid",
    handle: (req) => {
      requests.push(req);
      return Promise.resolve(
        Response.json({
          document_index: 0,
          page_index: 0,
          status: "page accepted",
        }),
      );
    },
    session: () => undefined,
  });
  await phone.uploadPage("id-1", { data: sampleJpeg() });
  await phone.uploadPage("id-1", {
    data: samplePng(),
    contentType: "image/png",
    filename: "p.png",
    documentIndex: 1,
    pageIndex: 2,
  });
  const [first, second] = await Promise.all(
    requests.map((req) => req.formData()),
  );
  const a = first!.get("file") as File;
  assert.equal(a.name, "scan.jpg");
  assert.equal(a.type, "image/jpeg");
  assert.deepEqual(new Uint8Array(await a.arrayBuffer()), sampleJpeg());
  assert.equal(first!.get("document_index"), null);
  assert.equal(first!.get("page_index"), null);
  const b = second!.get("file") as File;
  assert.equal(b.name, "p.png");
  assert.equal(b.type, "image/png");
  assert.equal(second!.get("document_index"), "1");
  assert.equal(second!.get("page_index"), "2");
  assert.equal(new URL(requests[0]!.url).pathname, "/s/id-1/scan/upload");
});
