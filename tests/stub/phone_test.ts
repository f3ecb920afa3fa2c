// Copyright 2026 the handoff authors. MIT license.
// The phone side: pages, result submission, PDF conversion, scan upload and
// finalize, and the quirks docs/PROTOCOL.md names.

import assert from "node:assert/strict";
import { PDFDocument } from "pdf-lib";
import { sampleJpeg, samplePng, StubPhoneError } from "../../testing.ts";
import {
  api,
  assertError,
  assertHtml,
  assertJson,
  bytesOf,
  createSession,
  download,
  getResult,
  getSession,
  JSON_TYPE,
  phone,
  re,
  toBase64,
  toBase64Url,
  UNKNOWN_ID,
  uploadForm,
  UUID,
  withStub,
} from "./_helpers.ts";

const PHOTO = { action_type: "photo", output_format: "jpg" };

function startsWithPdf(bytes: Uint8Array): boolean {
  return new TextDecoder().decode(bytes.subarray(0, 5)) === "%PDF-";
}

async function pageCount(bytes: Uint8Array): Promise<number> {
  const doc = await PDFDocument.load(bytes);
  return doc.getPageCount();
}

function postResult(
  stub: Parameters<typeof api>[0],
  id: string,
  body: unknown,
): ReturnType<typeof api> {
  return phone(stub, `/s/${id}/result`, { method: "POST", body });
}

// ---------------------------------------------------------------- pages

Deno.test("phone pages of an unknown session answer 404 HTML", async () => {
  await withStub(async ({ stub }) => {
    for (
      const path of [`/s/${UNKNOWN_ID}`, `/s/${UNKNOWN_ID}/action`, "/s/nope"]
    ) {
      assertHtml(await phone(stub, path), 404);
    }
  });
});

Deno.test("phone pages of an expired session answer 410 HTML", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub);
    stub.expire(s.id);
    assertHtml(await phone(stub, `/s/${s.id}`), 410);
    assertHtml(await phone(stub, `/s/${s.id}/action`), 410);
  });
});

Deno.test("phone pages of a completed session answer a 200 done page and send nothing", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    await h.stub.phone.complete(s.id);
    const ws = await h.open(s.id);
    assert.equal((await ws.next()).status, "completed");
    assertHtml(await phone(h.stub, `/s/${s.id}`), 200);
    assertHtml(await phone(h.stub, `/s/${s.id}/action`), 200);
    await ws.expectSilence(150);
    assert.equal(h.stub.session(s.id)?.status, "completed");
    await ws.close();
  });
});

Deno.test("GET /s/:id without intro text marks the session opened, renders the action page and starts it", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const ws = await h.open(s.id);
    await ws.next();
    const page = await phone(h.stub, `/s/${s.id}`);
    assertHtml(page, 200);
    assert.equal((await ws.next()).status, "opened");
    assert.equal((await ws.next()).status, "action_started");
    assert.equal(h.stub.session(s.id)?.status, "action_started");
    // The session is opened: the phone may now submit.
    const sub = await postResult(h.stub, s.id, { items: [] });
    assert.equal(sub.status, 200, sub.text);
    await ws.close();
  });
});

Deno.test("GET /s/:id with intro text shows it escaped as plain text with a link to /s/:id/action", async () => {
  await withStub(async ({ stub }) => {
    const intro = `<script>alert("pwned")</script> Tom & Jerry`;
    const s = await createSession(stub, { ...PHOTO, intro_text: intro });
    const page = await phone(stub, `/s/${s.id}`);
    assertHtml(page, 200);
    assert.ok(!page.text.includes("<script>alert"), "intro text is escaped");
    assert.ok(page.text.includes("&lt;script&gt;"), page.text);
    assert.ok(page.text.includes("Tom &amp; Jerry"), page.text);
    assert.ok(page.text.includes(`/s/${s.id}/action`), "links the action");
    assert.equal(stub.session(s.id)?.status, "opened");
    const action = await phone(stub, `/s/${s.id}/action`);
    assertHtml(action, 200);
    assert.equal(stub.session(s.id)?.status, "action_started");
  });
});

Deno.test("revisiting /s/:id sends nothing and changes nothing", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub, { ...PHOTO, intro_text: "Hi" });
    const ws = await h.open(s.id);
    await ws.next();
    assertHtml(await phone(h.stub, `/s/${s.id}`), 200);
    assert.equal((await ws.next()).status, "opened");
    assertHtml(await phone(h.stub, `/s/${s.id}`), 200);
    assertHtml(await phone(h.stub, `/s/${s.id}`), 200);
    assert.equal(h.stub.session(s.id)?.status, "opened");
    assertHtml(await phone(h.stub, `/s/${s.id}/action`), 200);
    // The next frame is action_started, not a second opened.
    assert.equal((await ws.next()).status, "action_started");
    assertHtml(await phone(h.stub, `/s/${s.id}`), 200);
    assertHtml(await phone(h.stub, `/s/${s.id}/action`), 200);
    assert.equal(h.stub.session(s.id)?.status, "action_started");
    await h.stub.phone.submit(s.id, []);
    // Nothing was sent by the revisits: the next frame is the completion.
    assert.equal((await ws.next()).type, "completed");
    await ws.close();
  });
});

Deno.test("quirk: /s/:id/action while pending skips opened and every later result POST answers 409 not yet opened", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub, { ...PHOTO, intro_text: "Hi" });
    const ws = await h.open(s.id);
    assert.equal((await ws.next()).status, "pending");
    assertHtml(await phone(h.stub, `/s/${s.id}/action`), 200);
    assert.equal((await ws.next()).status, "action_started");
    assert.equal(h.stub.session(s.id)?.status, "action_started");
    // Visiting the page now does not mark it opened any more.
    assertHtml(await phone(h.stub, `/s/${s.id}`), 200);
    const body = {
      items: [{
        content_type: "image/jpeg",
        filename: "photo.jpg",
        data: toBase64(sampleJpeg()),
      }],
    };
    for (let i = 0; i < 2; i++) {
      assertError(
        await postResult(h.stub, s.id, body),
        409,
        "session not yet opened",
      );
    }
    await assert.rejects(
      () => h.stub.phone.submit(s.id, []),
      (e: unknown) => {
        assert.ok(e instanceof StubPhoneError);
        assert.equal(e.status, 409);
        assert.equal(e.body, `{"error":"session not yet opened"}`);
        assert.equal(e.name, "StubPhoneError");
        return true;
      },
    );
    assert.equal(h.stub.session(s.id)?.status, "action_started");
    await ws.expectSilence(100);
    await ws.close();
  });
});

// ---------------------------------------------------------------- result POST

Deno.test("POST /s/:id/result answers 200 with the stored items and broadcasts completed", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    await h.stub.phone.open(s.id);
    const ws = await h.open(s.id);
    await ws.next();
    const data = bytesOf(300, 9);
    const reply = await postResult(h.stub, s.id, {
      items: [{
        content_type: "image/jpeg",
        filename: "photo.jpg",
        data: toBase64(data),
      }],
    });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.headers.get("content-type"), JSON_TYPE);
    assert.match(
      reply.text,
      new RegExp(
        `^\\{"items":\\[\\{"download_id":"${UUID}","content_type":"image/jpeg","filename":"photo.jpg"\\}\\]\\}$`,
      ),
    );
    const frame = await ws.next();
    assert.equal(frame.type, "completed");
    assert.deepEqual(frame.data, reply.json.items);
    const snap = h.stub.session(s.id);
    assert.equal(snap?.status, "completed");
    assert.deepEqual(snap?.items[0]?.data, data);
    const dl = await download(h.stub, reply.json.items[0].download_id);
    assert.deepEqual(dl.bytes, data);
    await ws.close();
  });
});

Deno.test("POST /s/:id/result error answers: 404, 410, 409 already completed", async () => {
  await withStub(async ({ stub }) => {
    const body = { items: [] };
    assertError(
      await postResult(stub, UNKNOWN_ID, body),
      404,
      "session not found",
    );
    const gone = await createSession(stub);
    await stub.phone.open(gone.id);
    stub.expire(gone.id);
    assertError(await postResult(stub, gone.id, body), 410, "session expired");
    const done = await createSession(stub);
    await stub.phone.complete(done.id);
    assertError(
      await postResult(stub, done.id, body),
      409,
      "session already completed",
    );
  });
});

Deno.test("POST /s/:id/result on a pending session answers 409 session not yet opened", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub);
    assertError(
      await postResult(stub, s.id, { items: [] }),
      409,
      "session not yet opened",
    );
    assert.equal(stub.session(s.id)?.status, "pending");
  });
});

Deno.test("POST /s/:id/result with bad JSON, {} or items:null answers 400 invalid request body", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub);
    await stub.phone.open(s.id);
    for (const body of [`{"items":[`, "{}", `{"items":null}`, ""]) {
      assertError(
        await postResult(stub, s.id, body),
        400,
        "invalid request body",
      );
    }
    assert.equal(stub.session(s.id)?.status, "action_started");
  });
});

Deno.test("POST /s/:id/result rejects a data: URL prefix as invalid base64 and accepts URL-safe base64", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub);
    await stub.phone.open(s.id);
    const data = new Uint8Array([0xfb, 0xff, 0xfe, 0x3e, 0x3f, 0x00, 0xff]);
    assert.ok(toBase64(data) !== toBase64Url(data));
    assertError(
      await postResult(stub, s.id, {
        items: [{
          content_type: "image/jpeg",
          filename: "p.jpg",
          data: "data:image/jpeg;base64," + toBase64(data),
        }],
      }),
      400,
      "invalid base64 data",
    );
    assertError(
      await postResult(stub, s.id, {
        items: [{ content_type: "image/jpeg", filename: "p.jpg", data: "!!" }],
      }),
      400,
      "invalid base64 data",
    );
    assert.equal(stub.session(s.id)?.status, "action_started");
    const ok = await postResult(stub, s.id, {
      items: [{
        content_type: "application/octet-stream",
        filename: "p.bin",
        data: toBase64Url(data),
      }],
    });
    assert.equal(ok.status, 200, ok.text);
    const dl = await download(stub, ok.json.items[0].download_id);
    assert.deepEqual(dl.bytes, data);
  });
});

Deno.test("StubPhone.submit sends a string data field as is, so bad base64 rejects with 400", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub);
    await stub.phone.open(s.id);
    await assert.rejects(
      () =>
        stub.phone.submit(s.id, [{
          contentType: "image/jpeg",
          data: "data:image/jpeg;base64,AAAA",
        }]),
      (e: unknown) =>
        e instanceof StubPhoneError && e.status === 400 &&
        e.body === `{"error":"invalid base64 data"}`,
    );
  });
});

Deno.test("items are not validated one by one and items:[] completes the session", async () => {
  await withStub(async ({ stub }) => {
    const a = await createSession(stub);
    await stub.phone.open(a.id);
    const reply = await postResult(stub, a.id, {
      items: [{ data: toBase64(bytesOf(10)) }],
    });
    assert.equal(reply.status, 200, reply.text);
    assert.match(
      reply.text,
      new RegExp(
        `^\\{"items":\\[\\{"download_id":"${UUID}","content_type":"","filename":""\\}\\]\\}$`,
      ),
    );
    const b = await createSession(stub);
    await stub.phone.open(b.id);
    assertJson(
      await postResult(stub, b.id, { items: [] }),
      200,
      `{"items":[]}`,
    );
    assert.equal(stub.session(b.id)?.status, "completed");
    const result = await getResult(stub, b.id);
    assert.equal(result.json.items.length, 0);
  });
});

// ---------------------------------------------------------------- PDF

Deno.test("with output_format pdf each image item becomes a one-page PDF named .pdf", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub, {
      action_type: "photo",
      output_format: "pdf",
    });
    await stub.phone.open(s.id);
    const items = await stub.phone.submit(s.id, [
      { contentType: "image/jpeg", filename: "photo.jpg", data: sampleJpeg() },
      {
        contentType: "image/png",
        filename: "scan.page.png",
        data: samplePng(),
      },
    ]);
    assert.equal(items.length, 2);
    assert.equal(items[0]!.contentType, "application/pdf");
    assert.equal(items[0]!.filename, "photo.pdf");
    assert.equal(items[1]!.contentType, "application/pdf");
    assert.equal(items[1]!.filename, "scan.page.pdf");
    for (const item of items) {
      const dl = await download(stub, item.downloadId);
      assert.equal(dl.status, 200);
      assert.equal(dl.headers.get("content-type"), "application/pdf");
      assert.ok(startsWithPdf(dl.bytes));
      assert.equal(await pageCount(dl.bytes), 1);
    }
    const result = await getResult(stub, s.id);
    assert.equal(result.json.items[0].content_type, "application/pdf");
    assert.equal(result.json.items[0].filename, "photo.pdf");
  });
});

Deno.test("a signature with output_format pdf converts its PNG over HTTP", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub, {
      action_type: "signature",
      output_format: "pdf",
    });
    assertHtml(await phone(stub, `/s/${s.id}`), 200);
    const reply = await postResult(stub, s.id, {
      items: [{
        content_type: "image/png",
        filename: "signature.png",
        data: toBase64(samplePng()),
      }],
    });
    assert.equal(reply.status, 200, reply.text);
    assert.match(
      reply.text,
      new RegExp(
        `^\\{"items":\\[\\{"download_id":"${UUID}","content_type":"application/pdf","filename":"signature.pdf"\\}\\]\\}$`,
      ),
    );
    const dl = await download(stub, reply.json.items[0].download_id);
    assert.ok(startsWithPdf(dl.bytes));
  });
});

Deno.test("with output_format pdf a non-image item is stored as sent", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub, {
      action_type: "photo",
      output_format: "pdf",
    });
    await stub.phone.open(s.id);
    const data = bytesOf(50, 4);
    const [item] = await stub.phone.submit(s.id, [
      { contentType: "application/octet-stream", filename: "notes.bin", data },
    ]);
    assert.equal(item!.contentType, "application/octet-stream");
    assert.equal(item!.filename, "notes.bin");
    assert.deepEqual((await download(stub, item!.downloadId)).bytes, data);
  });
});

Deno.test("an image that cannot be decoded answers 500 PDF conversion failed and leaves the session unchanged", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub, {
      action_type: "photo",
      output_format: "pdf",
    });
    await h.stub.phone.open(s.id);
    const ws = await h.open(s.id);
    assert.equal((await ws.next()).status, "action_started");
    const reply = await postResult(h.stub, s.id, {
      items: [{
        content_type: "image/jpeg",
        filename: "broken.jpg",
        data: toBase64(bytesOf(200, 2)),
      }],
    });
    assertError(reply, 500, "PDF conversion failed");
    assert.equal(h.stub.session(s.id)?.status, "action_started");
    assertJson(
      await getResult(h.stub, s.id),
      202,
      `{"status":"action_started"}`,
    );
    await ws.expectSilence(100);
    await assert.rejects(
      () =>
        h.stub.phone.submit(s.id, [{
          contentType: "image/png",
          filename: "x.png",
          data: bytesOf(40, 8),
        }]),
      (e: unknown) => e instanceof StubPhoneError && e.status === 500,
    );
    // A good submission still completes it.
    const [item] = await h.stub.phone.submit(s.id, [
      { contentType: "image/jpeg", filename: "ok.jpg", data: sampleJpeg() },
    ]);
    assert.equal(item!.filename, "ok.pdf");
    assert.equal((await ws.next()).type, "completed");
    await ws.close();
  });
});

Deno.test("formats other than pdf store what was sent", async () => {
  await withStub(async ({ stub }) => {
    const png = samplePng();
    const s = await createSession(stub, PHOTO);
    await stub.phone.open(s.id);
    const [item] = await stub.phone.submit(s.id, [
      { contentType: "image/png", filename: "shot.png", data: png },
    ]);
    assert.equal(item!.contentType, "image/png");
    assert.equal(item!.filename, "shot.png");
    const dl = await download(stub, item!.downloadId);
    assert.equal(dl.headers.get("content-type"), "image/png");
    assert.deepEqual(dl.bytes, png);

    const sig = await createSession(stub, {
      action_type: "signature",
      output_format: "svg",
    });
    await stub.phone.open(sig.id);
    const svg = new TextEncoder().encode(
      `<svg xmlns="http://www.w3.org/2000/svg"/>`,
    );
    const [svgItem] = await stub.phone.submit(sig.id, [
      { contentType: "image/svg+xml", filename: "signature.svg", data: svg },
    ]);
    assert.equal(svgItem!.contentType, "image/svg+xml");
    assert.deepEqual((await download(stub, svgItem!.downloadId)).bytes, svg);
  });
});

// ---------------------------------------------------------------- scan upload

Deno.test("a scan upload answers page accepted, is allowed while pending and changes and sends nothing", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub, {
      action_type: "scan",
      document_mode: "multi",
    });
    const ws = await h.open(s.id);
    assert.equal((await ws.next()).status, "pending");
    const reply = await uploadForm(h.stub, s.id, {
      file: { data: sampleJpeg() },
      document_index: "0",
      page_index: "2",
    });
    assertJson(
      reply,
      200,
      `{"document_index":0,"page_index":2,"status":"page accepted"}`,
    );
    const second = await uploadForm(h.stub, s.id, {
      file: { data: sampleJpeg() },
      document_index: "1",
      page_index: "0",
    });
    assertJson(
      second,
      200,
      `{"document_index":1,"page_index":0,"status":"page accepted"}`,
    );
    assert.equal(h.stub.session(s.id)?.status, "pending");
    assertJson(await getResult(h.stub, s.id), 202, `{"status":"pending"}`);
    await ws.expectSilence(100);
    await ws.close();
  });
});

Deno.test("bad or negative scan indexes become 0 and missing ones default to 0", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub, {
      action_type: "scan",
      document_mode: "multi",
    });
    const cases: [string | undefined, string | undefined][] = [
      ["abc", "-3"],
      ["-1", "1.5"],
      [undefined, undefined],
      ["", ""],
    ];
    for (const [documentIndex, pageIndex] of cases) {
      const reply = await uploadForm(stub, s.id, {
        file: { data: sampleJpeg() },
        ...(documentIndex === undefined
          ? {}
          : { document_index: documentIndex }),
        ...(pageIndex === undefined ? {} : { page_index: pageIndex }),
      });
      assertJson(
        reply,
        200,
        `{"document_index":0,"page_index":0,"status":"page accepted"}`,
      );
    }
    assert.deepEqual(
      await stub.phone.uploadPage(s.id, {
        data: sampleJpeg(),
        documentIndex: 3,
        pageIndex: 4,
      }),
      { documentIndex: 3, pageIndex: 4 },
    );
  });
});

Deno.test("single mode forces document 0", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub, { action_type: "scan" });
    assertJson(
      await uploadForm(stub, s.id, {
        file: { data: sampleJpeg() },
        document_index: "3",
        page_index: "1",
      }),
      200,
      `{"document_index":0,"page_index":1,"status":"page accepted"}`,
    );
    assert.deepEqual(
      await stub.phone.uploadPage(s.id, {
        data: samplePng(),
        contentType: "image/png",
        documentIndex: 5,
        pageIndex: 0,
      }),
      { documentIndex: 0, pageIndex: 0 },
    );
    await stub.phone.open(s.id);
    await stub.phone.finalize(s.id);
    const result = await getResult(stub, s.id);
    assert.equal(result.json.scan_result.documents.length, 1);
    const pdf = await download(
      stub,
      result.json.scan_result.documents[0].pdf_url,
    );
    assert.equal(await pageCount(pdf.bytes), 2);
  });
});

Deno.test("a scan upload without a file field answers 400 missing file field", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub, { action_type: "scan" });
    assertError(
      await uploadForm(stub, s.id, { page_index: "0" }),
      400,
      "missing file field",
    );
  });
});

Deno.test("a scan upload that is not multipart answers 400 failed to parse multipart form", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub, { action_type: "scan" });
    const reply = await phone(stub, `/s/${s.id}/scan/upload`, {
      method: "POST",
      body: "just text",
      headers: { "content-type": "text/plain" },
    });
    assert.equal(reply.status, 400);
    assert.equal(reply.headers.get("content-type"), JSON_TYPE);
    assert.deepEqual(Object.keys(reply.json), ["error"]);
    assert.match(reply.json.error, /^failed to parse multipart form: ./);
  });
});

Deno.test("scan endpoints on a photo session answer 400 session is not a scan session", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub);
    await stub.phone.open(s.id);
    assertError(
      await uploadForm(stub, s.id, { file: { data: sampleJpeg() } }),
      400,
      "session is not a scan session",
    );
    assertError(
      await phone(stub, `/s/${s.id}/scan/finalize`, { method: "POST" }),
      400,
      "session is not a scan session",
    );
  });
});

Deno.test("scan endpoints answer 404 unknown, 410 expired and 409 completed", async () => {
  await withStub(async ({ stub }) => {
    const file = { data: sampleJpeg() };
    assertError(
      await uploadForm(stub, UNKNOWN_ID, { file }),
      404,
      "session not found",
    );
    assertError(
      await phone(stub, `/s/${UNKNOWN_ID}/scan/finalize`, { method: "POST" }),
      404,
      "session not found",
    );
    const gone = await createSession(stub, { action_type: "scan" });
    await stub.phone.uploadPage(gone.id, file);
    stub.expire(gone.id);
    assertError(
      await uploadForm(stub, gone.id, { file }),
      410,
      "session expired",
    );
    assertError(
      await phone(stub, `/s/${gone.id}/scan/finalize`, { method: "POST" }),
      410,
      "session expired",
    );
    const done = await createSession(stub, { action_type: "scan" });
    await stub.phone.complete(done.id);
    const up = await uploadForm(stub, done.id, { file });
    assert.equal(up.status, 409);
    assert.equal(up.text, `{"error":"session already completed"}`);
    const fin = await phone(stub, `/s/${done.id}/scan/finalize`, {
      method: "POST",
    });
    assert.equal(fin.status, 409);
    assert.equal(fin.text, `{"error":"session already completed"}`);
  });
});

Deno.test("the page limit answers 400 with current, error and limit", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub, { action_type: "scan" });
    for (const page of ["0", "1"]) {
      const ok = await uploadForm(stub, s.id, {
        file: { data: sampleJpeg() },
        page_index: page,
      });
      assert.equal(ok.status, 200, ok.text);
    }
    const over = await uploadForm(stub, s.id, {
      file: { data: sampleJpeg() },
      page_index: "2",
    });
    assertJson(
      over,
      400,
      `{"current":2,"error":"page limit exceeded","limit":2}`,
    );
    await assert.rejects(
      () => stub.phone.uploadPage(s.id, { data: sampleJpeg(), pageIndex: 3 }),
      (e: unknown) =>
        e instanceof StubPhoneError && e.status === 400 &&
        e.body === `{"current":2,"error":"page limit exceeded","limit":2}`,
    );
    // The two accepted pages still finalize.
    await stub.phone.finalize(s.id);
    const result = await getResult(stub, s.id);
    const pdf = await download(
      stub,
      result.json.scan_result.documents[0].pdf_url,
    );
    assert.equal(await pageCount(pdf.bytes), 2);
  }, { scanMaxPages: 2 });
});

Deno.test("an upload over scanUploadMaxBytes answers 413 request body too large", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub, { action_type: "scan" });
    assertError(
      await uploadForm(stub, s.id, { file: { data: bytesOf(8192, 6) } }),
      413,
      "request body too large",
    );
    const small = await uploadForm(stub, s.id, {
      file: { data: bytesOf(100, 6) },
    });
    assert.equal(small.status, 200, small.text);
  }, { scanUploadMaxBytes: 2048 });
});

// ---------------------------------------------------------------- finalize

Deno.test('finalize answers {"status":"completed"} and broadcasts completed with the scan result', async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub, { action_type: "scan" });
    await h.stub.phone.open(s.id);
    const ws = await h.open(s.id);
    await ws.next();
    await h.stub.phone.uploadPage(s.id, { data: sampleJpeg(), pageIndex: 0 });
    await h.stub.phone.uploadPage(s.id, {
      data: samplePng(),
      contentType: "image/png",
      filename: "p.png",
      pageIndex: 1,
    });
    const reply = await phone(h.stub, `/s/${s.id}/scan/finalize`, {
      method: "POST",
    });
    assertJson(reply, 200, `{"status":"completed"}`);
    const frame = await ws.next();
    assert.equal(frame.type, "completed");
    const result = await getResult(h.stub, s.id);
    assert.deepEqual(frame.data, result.json.scan_result);
    const docs = result.json.scan_result.documents;
    assert.equal(docs.length, 1);
    assert.deepEqual(Object.keys(docs[0]), ["pdf_url"]);
    const pdf = await download(h.stub, docs[0].pdf_url);
    assert.equal(pdf.headers.get("content-type"), "application/pdf");
    assert.ok(startsWithPdf(pdf.bytes));
    assert.equal(await pageCount(pdf.bytes), 2);
    const snap = h.stub.session(s.id);
    assert.equal(snap?.scanDocuments.length, 1);
    assert.equal(snap?.scanDocuments[0]?.length, 1);
    assert.equal(snap?.scanDocuments[0]?.[0]?.contentType, "application/pdf");
    await ws.close();
  });
});

Deno.test("finalize without pages answers 400 no pages uploaded", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub, { action_type: "scan" });
    await stub.phone.open(s.id);
    assertError(
      await phone(stub, `/s/${s.id}/scan/finalize`, { method: "POST" }),
      400,
      "no pages uploaded",
    );
    assert.equal(stub.session(s.id)?.status, "action_started");
  });
});

Deno.test("finalize with an undecodable page in pdf mode answers 500 PDF assembly failed and leaves the session unchanged", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub, { action_type: "scan" });
    await h.stub.phone.open(s.id);
    const ws = await h.open(s.id);
    await ws.next();
    await h.stub.phone.uploadPage(s.id, { data: bytesOf(300, 12) });
    assertError(
      await phone(h.stub, `/s/${s.id}/scan/finalize`, { method: "POST" }),
      500,
      "PDF assembly failed",
    );
    assert.equal(h.stub.session(s.id)?.status, "action_started");
    assertJson(
      await getResult(h.stub, s.id),
      202,
      `{"status":"action_started"}`,
    );
    await ws.expectSilence(100);
    await ws.close();
  });
});

Deno.test("images mode stores every page as uploaded, sorted by page index", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub, {
      action_type: "scan",
      output_format: "images",
    });
    await stub.phone.open(s.id);
    const png = samplePng();
    const jpeg = sampleJpeg();
    await stub.phone.uploadPage(s.id, {
      data: png,
      contentType: "image/png",
      filename: "b.png",
      pageIndex: 1,
    });
    await stub.phone.uploadPage(s.id, { data: jpeg, pageIndex: 0 });
    await stub.phone.finalize(s.id);
    const result = await getResult(stub, s.id);
    assert.match(
      result.text,
      new RegExp(
        `"scan_result":\\{"documents":\\[\\{"pages":\\[\\{"url":"/api/v1/downloads/${UUID}","content_type":"image/jpeg"\\},\\{"url":"/api/v1/downloads/${UUID}","content_type":"image/png"\\}\\]\\}\\]\\}`,
      ),
    );
    const [first, second] = result.json.scan_result.documents[0].pages;
    const a = await download(stub, first.url);
    assert.equal(a.headers.get("content-type"), "image/jpeg");
    assert.deepEqual(a.bytes, jpeg);
    const b = await download(stub, second.url);
    assert.equal(b.headers.get("content-type"), "image/png");
    assert.deepEqual(b.bytes, png);
    const snap = stub.session(s.id);
    assert.equal(snap?.scanDocuments[0]?.length, 2);
    assert.equal(snap?.scanDocuments[0]?.[0]?.filename, "");
  });
});

Deno.test("documents are sorted by index and compacted: indexes 2 and 0 give two documents", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub, {
      action_type: "scan",
      output_format: "images",
      document_mode: "multi",
    });
    await stub.phone.open(s.id);
    const png = samplePng();
    const jpeg = sampleJpeg();
    await uploadForm(stub, s.id, {
      file: { data: png, type: "image/png", name: "d2.png" },
      document_index: "2",
      page_index: "0",
    });
    await uploadForm(stub, s.id, {
      file: { data: jpeg, type: "image/jpeg" },
      document_index: "0",
      page_index: "0",
    });
    assertJson(
      await phone(stub, `/s/${s.id}/scan/finalize`, { method: "POST" }),
      200,
      `{"status":"completed"}`,
    );
    const result = await getResult(stub, s.id);
    const docs = result.json.scan_result.documents;
    assert.equal(docs.length, 2);
    assert.equal(docs[0].pages[0].content_type, "image/jpeg");
    assert.equal(docs[1].pages[0].content_type, "image/png");
    assert.deepEqual((await download(stub, docs[1].pages[0].url)).bytes, png);
    assert.equal(stub.session(s.id)?.scanDocuments.length, 2);
  });
});

Deno.test("pdf mode gives one multi-page PDF per compacted document", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub, {
      action_type: "scan",
      document_mode: "multi",
    });
    await stub.phone.open(s.id);
    await stub.phone.uploadPage(s.id, {
      data: sampleJpeg(),
      documentIndex: 2,
      pageIndex: 1,
    });
    await stub.phone.uploadPage(s.id, {
      data: samplePng(),
      contentType: "image/png",
      documentIndex: 2,
      pageIndex: 0,
    });
    await stub.phone.uploadPage(s.id, {
      data: sampleJpeg(),
      documentIndex: 0,
      pageIndex: 0,
    });
    await stub.phone.finalize(s.id);
    const result = await getResult(stub, s.id);
    assert.match(
      result.text,
      new RegExp(
        `"scan_result":\\{"documents":\\[\\{"pdf_url":"/api/v1/downloads/${UUID}"\\},\\{"pdf_url":"/api/v1/downloads/${UUID}"\\}\\]\\}`,
      ),
    );
    const [d0, d1] = result.json.scan_result.documents;
    const p0 = await download(stub, d0.pdf_url);
    const p1 = await download(stub, d1.pdf_url);
    assert.equal(p0.headers.get("content-type"), "application/pdf");
    assert.equal(await pageCount(p0.bytes), 1);
    assert.equal(await pageCount(p1.bytes), 2);
  });
});

Deno.test("scan download URLs are relative paths that need the API key", async () => {
  await withStub(async ({ stub }) => {
    const s = await createSession(stub, { action_type: "scan" });
    await stub.phone.complete(s.id);
    const result = await getResult(stub, s.id);
    const url: string = result.json.scan_result.documents[0].pdf_url;
    assert.match(url, new RegExp(`^${re("/api/v1/downloads/")}${UUID}$`));
    assertError(
      await api(stub, url, { key: null }),
      401,
      "missing API key",
    );
    assert.equal((await api(stub, url)).status, 200);
    const session = await getSession(stub, s.id);
    assert.deepEqual(session.json.scan_result, result.json.scan_result);
  });
});
