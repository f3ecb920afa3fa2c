// Copyright 2026 the handoff authors. MIT license.
// Base64 with the native helper where the runtime has it.

interface WithToBase64 {
  toBase64?: (this: Uint8Array) => string;
}

/** Standard base64 of `bytes`: `Uint8Array.prototype.toBase64` when present, else `btoa`. */
export function encodeBase64(bytes: Uint8Array): string {
  const native = (Uint8Array.prototype as WithToBase64).toBase64;
  if (typeof native === "function") return native.call(bytes);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
