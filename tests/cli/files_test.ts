// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";
import {
  createUniqueFile,
  downloadTargets,
  extensionFor,
} from "../../cli/files.ts";
import { removeOut, tempOut } from "./_helpers.ts";

Deno.test("extensionFor() names the common content types", () => {
  const cases: [string, string][] = [
    ["image/jpeg", "jpg"],
    ["image/png", "png"],
    ["image/svg+xml", "svg"],
    ["application/pdf", "pdf"],
    ["image/webp", "webp"],
    ["image/heic", "heic"],
    ["IMAGE/JPEG; charset=binary", "jpg"],
  ];
  for (const [type, extension] of cases) {
    assert.equal(extensionFor(type), extension, type);
  }
});

Deno.test("extensionFor() falls back to the phone's file name, then to the subtype, then to bin", () => {
  assert.equal(extensionFor("", "photo.JPG"), "jpg");
  assert.equal(extensionFor("application/octet-stream", "scan.tiff"), "tiff");
  assert.equal(extensionFor("image/x-weird", "upload"), "bin");
  assert.equal(extensionFor("image/jxl"), "jxl");
  assert.equal(extensionFor(""), "bin");
  // Nothing of a hostile name reaches the path.
  assert.equal(extensionFor("", "x.../../etc"), "bin");
  assert.equal(extensionFor("", "a.sh;rm"), "bin");
  assert.equal(extensionFor("text/../../x"), "bin");
});

Deno.test("downloadTargets() names photos, signatures and scan documents and pages", () => {
  const items = [
    { downloadId: "a", contentType: "image/png", filename: "photo.png" },
    { downloadId: "b", contentType: "image/jpeg", filename: "photo.jpg" },
  ];
  assert.deepEqual(downloadTargets("photo", items), [
    {
      source: "a",
      base: "photo",
      contentType: "image/png",
      filename: "photo.png",
    },
    {
      source: "b",
      base: "photo",
      contentType: "image/jpeg",
      filename: "photo.jpg",
    },
  ]);
  assert.deepEqual(downloadTargets("signature", items).map((t) => t.base), [
    "signature",
    "signature",
  ]);
  assert.deepEqual(
    downloadTargets("scan", {
      documents: [
        { format: "pdf", pdfUrl: "/api/v1/downloads/1" },
        { format: "pdf", pdfUrl: "/api/v1/downloads/2" },
      ],
    }).map((t) => [t.source, t.base, t.contentType]),
    [
      ["/api/v1/downloads/1", "scan-1", "application/pdf"],
      ["/api/v1/downloads/2", "scan-2", "application/pdf"],
    ],
  );
  assert.deepEqual(
    downloadTargets("scan", {
      documents: [
        {
          format: "images",
          pages: [{ url: "/p1", contentType: "image/jpeg" }],
        },
        {
          format: "images",
          pages: [
            { url: "/p2", contentType: "image/jpeg" },
            { url: "/p3", contentType: "image/png" },
          ],
        },
      ],
    }).map((t) => t.base),
    ["scan-1-page-1", "scan-2-page-1", "scan-2-page-2"],
  );
  assert.deepEqual(downloadTargets("photo", []), []);
});

Deno.test("createUniqueFile() never opens an existing file", async () => {
  const dir = await tempOut();
  try {
    await Deno.writeTextFile(`${dir}/photo.jpg`, "first");
    await Deno.writeTextFile(`${dir}/photo-2.jpg`, "third");
    const paths: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { path, file } = await createUniqueFile(dir, "photo", "jpg");
      await file.write(new TextEncoder().encode(`new ${i}`));
      file.close();
      paths.push(path);
    }
    assert.deepEqual(paths, [`${dir}/photo-1.jpg`, `${dir}/photo-3.jpg`]);
    assert.equal(await Deno.readTextFile(`${dir}/photo.jpg`), "first");
    assert.equal(await Deno.readTextFile(`${dir}/photo-2.jpg`), "third");
    assert.equal(await Deno.readTextFile(`${dir}/photo-3.jpg`), "new 1");
  } finally {
    await removeOut(dir);
  }
});

Deno.test("createUniqueFile() gives each of several racing callers its own name", async () => {
  const dir = await tempOut();
  try {
    const created = await Promise.all(
      Array.from({ length: 8 }, () => createUniqueFile(dir, "scan-1", "pdf")),
    );
    for (const { file } of created) file.close();
    assert.equal(new Set(created.map((c) => c.path)).size, 8);
  } finally {
    await removeOut(dir);
  }
});

Deno.test("createUniqueFile() reports a missing directory", async () => {
  await assert.rejects(
    () => createUniqueFile(".tmp/cli-tests/does-not-exist/x", "photo", "jpg"),
    Deno.errors.NotFound,
  );
});
