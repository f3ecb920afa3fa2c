// Copyright 2026 the handoff authors. MIT license.
// The handshake's SHA-1 (_sha1.ts) against the platform's, and RFC 6455's
// own example of Sec-WebSocket-Accept.

import assert from "node:assert/strict";
import fc from "fast-check";
import { sha1 } from "../../_sha1.ts";
import { encodeBase64 } from "../../_base64.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

Deno.test("sha1 gives RFC 6455's Sec-WebSocket-Accept for its sample key", () => {
  const input = new TextEncoder().encode(`dGhlIHNhbXBsZSBub25jZQ==${GUID}`);
  assert.equal(encodeBase64(sha1(input)), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

Deno.test("sha1 equals crypto.subtle's SHA-1 for any bytes up to 300 (one to six blocks)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ minLength: 0, maxLength: 300 }),
      async (bytes) => {
        const expected = new Uint8Array(
          await crypto.subtle.digest("SHA-1", bytes),
        );
        assert.deepEqual(sha1(bytes), expected);
      },
    ),
    { numRuns: 500 },
  );
  // Every length around the block and padding boundaries.
  for (let n = 50; n < 140; n++) {
    const bytes = new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff);
    assert.deepEqual(
      sha1(bytes),
      new Uint8Array(await crypto.subtle.digest("SHA-1", bytes)),
      `length ${n}`,
    );
  }
});
