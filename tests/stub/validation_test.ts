// Copyright 2026 the handoff authors. MIT license.
// POST /api/v1/sessions: every row of docs/PROTOCOL.md's create error table,
// and the order the checks run in (body/required, action, session_ttl,
// result_ttl, formats).

import assert from "node:assert/strict";
import { api, assertError, withStub } from "./_helpers.ts";

const REQUIRED =
  "invalid request body: Key: 'createSessionRequest.ActionType' Error:Field validation for 'ActionType' failed on the 'required' tag";

async function expect400(
  stub: Parameters<typeof api>[0],
  body: unknown,
  message: string,
): Promise<void> {
  const reply = await api(stub, "/api/v1/sessions", { body });
  assertError(reply, 400, message);
}

Deno.test("create without action_type or with an empty one fails the required tag", async () => {
  await withStub(async ({ stub }) => {
    await expect400(stub, {}, REQUIRED);
    await expect400(stub, { action_type: "" }, REQUIRED);
    await expect400(
      stub,
      { action_type: null, output_format: "jpg" },
      REQUIRED,
    );
    await expect400(stub, { output_format: "jpg" }, REQUIRED);
    assert.equal(stub.sessions().length, 0);
  });
});

Deno.test("create with an unknown action type names it", async () => {
  await withStub(async ({ stub }) => {
    await expect400(
      stub,
      { action_type: "video", output_format: "jpg" },
      `unknown action type "video": must be 'photo', 'signature', or 'scan'`,
    );
    await expect400(
      stub,
      { action_type: "Photo", output_format: "jpg" },
      `unknown action type "Photo": must be 'photo', 'signature', or 'scan'`,
    );
  });
});

Deno.test("photo and signature without output_format answer output_format is required", async () => {
  await withStub(async ({ stub }) => {
    await expect400(
      stub,
      { action_type: "photo" },
      "output_format is required",
    );
    await expect400(
      stub,
      { action_type: "signature" },
      "output_format is required",
    );
    await expect400(
      stub,
      { action_type: "photo", output_format: "" },
      "output_format is required",
    );
  });
});

Deno.test("photo with svg is an invalid output format", async () => {
  await withStub(async ({ stub }) => {
    await expect400(
      stub,
      { action_type: "photo", output_format: "svg" },
      `invalid output format "svg" for action type 'photo': must be 'jpg', 'png', or 'pdf'`,
    );
  });
});

Deno.test("signature with jpg is an invalid output format", async () => {
  await withStub(async ({ stub }) => {
    await expect400(
      stub,
      { action_type: "signature", output_format: "jpg" },
      `invalid output format "jpg" for action type 'signature': must be 'svg', 'png', or 'pdf'`,
    );
  });
});

Deno.test("output formats are case-sensitive", async () => {
  await withStub(async ({ stub }) => {
    await expect400(
      stub,
      { action_type: "photo", output_format: "JPG" },
      `invalid output format "JPG" for action type 'photo': must be 'jpg', 'png', or 'pdf'`,
    );
    await expect400(
      stub,
      { action_type: "signature", output_format: "SVG" },
      `invalid output format "SVG" for action type 'signature': must be 'svg', 'png', or 'pdf'`,
    );
    await expect400(
      stub,
      { action_type: "scan", output_format: "PDF" },
      `unknown scan output format "PDF": must be 'pdf' or 'images'`,
    );
  });
});

Deno.test("scan with jpg is an unknown scan output format", async () => {
  await withStub(async ({ stub }) => {
    await expect400(
      stub,
      { action_type: "scan", output_format: "jpg" },
      `unknown scan output format "jpg": must be 'pdf' or 'images'`,
    );
  });
});

Deno.test("scan with document mode double is an unknown scan document mode", async () => {
  await withStub(async ({ stub }) => {
    await expect400(
      stub,
      { action_type: "scan", document_mode: "double" },
      `unknown scan document mode "double": must be 'single' or 'multi'`,
    );
  });
});

Deno.test("an unparsable session_ttl is reported with Go's message", async () => {
  await withStub(async ({ stub }) => {
    await expect400(
      stub,
      { action_type: "photo", output_format: "jpg", session_ttl: "abc" },
      `invalid session_ttl: time: invalid duration "abc"`,
    );
  });
});

Deno.test("a result_ttl without a unit is reported with Go's message", async () => {
  await withStub(async ({ stub }) => {
    await expect400(
      stub,
      { action_type: "photo", output_format: "jpg", result_ttl: "5" },
      `invalid result_ttl: time: missing unit in duration "5"`,
    );
    await expect400(
      stub,
      { action_type: "photo", output_format: "jpg", result_ttl: "5x" },
      `invalid result_ttl: time: unknown unit "x" in duration "5x"`,
    );
  });
});

Deno.test("a field of the wrong JSON type is an invalid request body", async () => {
  await withStub(async ({ stub }) => {
    await expect400(
      stub,
      { action_type: "photo", output_format: "jpg", session_ttl: 300 },
      "invalid request body: json: cannot unmarshal number into Go struct field createSessionRequest.session_ttl of type string",
    );
  });
});

Deno.test("truncated JSON and an empty body are invalid request bodies", async () => {
  await withStub(async ({ stub }) => {
    await expect400(
      stub,
      `{"action_type":"photo"`,
      "invalid request body: unexpected EOF",
    );
    await expect400(stub, "", "invalid request body: EOF");
    const none = await api(stub, "/api/v1/sessions", { method: "POST" });
    assertError(none, 400, "invalid request body: EOF");
  });
});

Deno.test("every valid action and format combination is accepted", async () => {
  await withStub(async ({ stub }) => {
    const ok: Record<string, unknown>[] = [
      { action_type: "photo", output_format: "jpg" },
      { action_type: "photo", output_format: "png" },
      { action_type: "photo", output_format: "pdf" },
      { action_type: "signature", output_format: "svg" },
      { action_type: "signature", output_format: "png" },
      { action_type: "signature", output_format: "pdf" },
      { action_type: "scan" },
      { action_type: "scan", output_format: "pdf" },
      { action_type: "scan", output_format: "images" },
      { action_type: "scan", document_mode: "single" },
      { action_type: "scan", document_mode: "multi" },
    ];
    for (const body of ok) {
      const reply = await api(stub, "/api/v1/sessions", { body });
      assert.equal(reply.status, 201, `${JSON.stringify(body)}: ${reply.text}`);
    }
  });
});

Deno.test("validation order: a body error comes before the action check", async () => {
  await withStub(async ({ stub }) => {
    await expect400(
      stub,
      { action_type: "video", session_ttl: 300 },
      "invalid request body: json: cannot unmarshal number into Go struct field createSessionRequest.session_ttl of type string",
    );
    await expect400(
      stub,
      { action_type: "", output_format: "svg", session_ttl: "abc" },
      REQUIRED,
    );
  });
});

Deno.test("validation order: the action check comes before session_ttl", async () => {
  await withStub(async ({ stub }) => {
    await expect400(
      stub,
      { action_type: "video", session_ttl: "abc", result_ttl: "5" },
      `unknown action type "video": must be 'photo', 'signature', or 'scan'`,
    );
  });
});

Deno.test("validation order: session_ttl comes before result_ttl and the formats", async () => {
  await withStub(async ({ stub }) => {
    await expect400(
      stub,
      { action_type: "photo", session_ttl: "abc", result_ttl: "5" },
      `invalid session_ttl: time: invalid duration "abc"`,
    );
    await expect400(
      stub,
      { action_type: "scan", output_format: "jpg", session_ttl: "abc" },
      `invalid session_ttl: time: invalid duration "abc"`,
    );
  });
});

Deno.test("validation order: result_ttl comes before the formats", async () => {
  await withStub(async ({ stub }) => {
    await expect400(
      stub,
      { action_type: "photo", output_format: "svg", result_ttl: "5" },
      `invalid result_ttl: time: missing unit in duration "5"`,
    );
    await expect400(
      stub,
      { action_type: "signature", result_ttl: "5" },
      `invalid result_ttl: time: missing unit in duration "5"`,
    );
    await expect400(
      stub,
      { action_type: "scan", document_mode: "double", result_ttl: "5" },
      `invalid result_ttl: time: missing unit in duration "5"`,
    );
  });
});

Deno.test("a failed create stores no session", async () => {
  await withStub(async ({ stub }) => {
    await expect400(
      stub,
      { action_type: "photo", output_format: "svg" },
      `invalid output format "svg" for action type 'photo': must be 'jpg', 'png', or 'pdf'`,
    );
    assert.equal(stub.sessions().length, 0);
  });
});

Deno.test("error messages escape <, > and & like Go's JSON encoder", async () => {
  await withStub(async ({ stub }) => {
    const reply = await api(stub, "/api/v1/sessions", {
      body: { action_type: "<a&b>", output_format: "jpg" },
    });
    assert.equal(reply.status, 400);
    assert.equal(
      reply.text,
      String
        .raw`{"error":"unknown action type \"\u003ca\u0026b\u003e\": must be 'photo', 'signature', or 'scan'"}`,
    );
  });
});
