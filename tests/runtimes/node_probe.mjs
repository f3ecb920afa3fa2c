// Copyright 2026 the handoff authors. MIT license.
// Preloaded into the Node rows (`node --import`): counts the sockets built
// with the runtime's own `WebSocket` and tells whether the runtime has
// `Uint8Array.prototype.toBase64`, on stderr when the process exits, so the
// test can assert which fallbacks the library took there. The subclass keeps
// the prototype chain, so feature detection sees the runtime's own class.

const Native = globalThis.WebSocket;
let nativeWebSockets = 0;
if (typeof Native === "function") {
  globalThis.WebSocket = class WebSocket extends Native {
    constructor(...args) {
      super(...args);
      nativeWebSockets++;
    }
  };
}

process.on("exit", () => {
  const probe = {
    version: process.version,
    globalWebSocket: typeof Native === "function",
    nativeWebSockets,
    toBase64: typeof Uint8Array.prototype.toBase64 === "function",
  };
  process.stderr.write(`\nhandoff-probe ${JSON.stringify(probe)}\n`);
});
