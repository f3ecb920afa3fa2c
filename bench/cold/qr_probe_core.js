// Stands in for `qrcode/lib/core/qrcode.js` and says when it is loaded.
globalThis.__handoffQrCoreLoaded = true;
export { default } from "npm:qrcode@1.5.4/lib/core/qrcode.js";
