// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";
import { MAX_INTRO_LENGTH, validateCreateForm } from "../../mock/validate.ts";

function errorsOf(body: unknown): Record<string, string> {
  const result = validateCreateForm(body);
  assert.equal(result.ok, false, "expected the form to be refused");
  if (result.ok) throw new Error("unreachable");
  return Object.fromEntries(result.errors.map((e) => [e.field, e.message]));
}

Deno.test("a photo form becomes photo options, with blank fields left out", () => {
  assert.deepEqual(
    validateCreateForm({
      action: "photo",
      outputFormat: "png",
      intro: "  Your ID, please \n",
      sessionTtl: " 10m ",
      resultTtl: "",
    }),
    {
      ok: true,
      options: {
        action: "photo",
        outputFormat: "png",
        intro: "Your ID, please",
        sessionTtl: "10m",
      },
    },
  );
});

Deno.test("a signature form takes svg, png and pdf", () => {
  for (const outputFormat of ["svg", "png", "pdf"]) {
    const result = validateCreateForm({ action: "signature", outputFormat });
    assert.deepEqual(result, {
      ok: true,
      options: { action: "signature", outputFormat },
    });
  }
});

Deno.test("a scan form takes a document mode and a scan output format, or neither", () => {
  assert.deepEqual(
    validateCreateForm({
      action: "scan",
      documentMode: "multi",
      scanOutputFormat: "images",
      resultTtl: "90s",
    }),
    {
      ok: true,
      options: {
        action: "scan",
        documentMode: "multi",
        scanOutputFormat: "images",
        resultTtl: "90s",
      },
    },
  );
  assert.deepEqual(validateCreateForm({ action: "scan", documentMode: "" }), {
    ok: true,
    options: { action: "scan" },
  });
});

Deno.test("a missing or unknown action is refused", () => {
  assert.match(errorsOf({}).action!, /Choose an action/);
  assert.match(errorsOf({ action: "video" }).action!, /Unknown action "video"/);
});

Deno.test("formats that do not fit the action are refused", () => {
  assert.match(
    errorsOf({ action: "photo", outputFormat: "svg" }).outputFormat!,
    /A photo cannot be "svg": choose "jpg", "png", "pdf"/,
  );
  assert.match(
    errorsOf({ action: "signature", outputFormat: "jpg" }).outputFormat!,
    /A signature cannot be "jpg"/,
  );
  assert.match(
    errorsOf({ action: "photo" }).outputFormat!,
    /Choose an output format for the photo/,
  );
  assert.match(
    errorsOf({ action: "scan", outputFormat: "pdf" }).outputFormat!,
    /scanOutputFormat/,
  );
  assert.match(
    errorsOf({ action: "photo", outputFormat: "jpg", documentMode: "multi" })
      .documentMode!,
    /for scans only/,
  );
  const scan = errorsOf({
    action: "scan",
    documentMode: "double",
    scanOutputFormat: "jpg",
  });
  assert.match(scan.documentMode!, /"single" or "multi", got "double"/);
  assert.match(scan.scanOutputFormat!, /"pdf" or "images", got "jpg"/);
});

Deno.test("TTLs must be positive Go durations", () => {
  const errors = errorsOf({
    action: "photo",
    outputFormat: "jpg",
    sessionTtl: "abc",
    resultTtl: "5",
  });
  assert.match(errors.sessionTtl!, /time: invalid duration "abc"/);
  assert.match(errors.resultTtl!, /time: missing unit in duration "5"/);
  assert.match(
    errorsOf({ action: "photo", outputFormat: "jpg", sessionTtl: "0s" })
      .sessionTtl!,
    /longer than zero/,
  );
  assert.match(
    errorsOf({ action: "photo", outputFormat: "jpg", sessionTtl: "-5m" })
      .sessionTtl!,
    /longer than zero/,
  );
  assert.match(
    errorsOf({ action: "photo", outputFormat: "jpg", sessionTtl: 300 })
      .sessionTtl!,
    /got number/,
  );
});

Deno.test("the intro must be text of bounded length", () => {
  assert.match(
    errorsOf({ action: "scan", intro: 5 }).intro!,
    /must be text/,
  );
  assert.match(
    errorsOf({ action: "scan", intro: "x".repeat(MAX_INTRO_LENGTH + 1) })
      .intro!,
    /too long/,
  );
});

Deno.test("unknown fields and bodies that are not objects are refused", () => {
  assert.match(
    errorsOf({ action: "scan", apiKey: "x" }).apiKey!,
    /Unknown field "apiKey"/,
  );
  for (const body of [null, [], "photo", 42]) {
    assert.match(errorsOf(body)[""]!, /must be a JSON object/);
  }
});

Deno.test("every problem of a form is reported at once", () => {
  const result = validateCreateForm({
    action: "photo",
    outputFormat: "gif",
    sessionTtl: "soon",
    resultTtl: "later",
  });
  assert.equal(result.ok, false);
  if (!result.ok) {
    assert.deepEqual(result.errors.map((e) => e.field).sort(), [
      "outputFormat",
      "resultTtl",
      "sessionTtl",
    ]);
  }
});
