// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";
import { HandoffClient } from "../mod.ts";
import { StubProcess, StubProcessError } from "../tools/stub_process.ts";

Deno.test("the stub runs in a child process with its controls over stdin/stdout", async () => {
  await using stub = await StubProcess.start({ apiKeys: ["child-key"] });
  assert.equal(stub.apiKey, "child-key");
  const client = new HandoffClient({ baseUrl: stub.url, apiKey: stub.apiKey });
  const session = await client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  await stub.call("phone.complete", session.id);
  const [item] = await session.waitForResult();
  const snapshot = await stub.call<{ items: { data: Uint8Array }[] }>(
    "session",
    session.id,
  );
  const file = await client.downloadFile(item!.downloadId);
  assert.deepEqual(snapshot.items[0]!.data, file.data);
  await session.close();
  await assert.rejects(
    stub.call("phone.submit", session.id, []),
    (error: unknown) =>
      error instanceof StubProcessError && error.status === 409,
  );
  await assert.rejects(stub.call("nope"), /unknown stub method/);
});
