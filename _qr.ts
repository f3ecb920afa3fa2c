// Copyright 2026 the handoff authors. MIT license.
// QR codes, with `qrcode` loaded the first time one is asked for.

import { HandoffError } from "./errors.ts";
import type { QrCodeOptions } from "./types.ts";

interface QrLib {
  toDataURL(text: string, options: Record<string, unknown>): Promise<string>;
  toString(text: string, options: Record<string, unknown>): Promise<string>;
}

let lib: Promise<QrLib> | undefined;

function load(): Promise<QrLib> {
  lib ??= import("qrcode").then(
    (mod: { default?: unknown }) => (mod.default ?? mod) as QrLib,
    (error: unknown) => {
      lib = undefined;
      throw new HandoffError(
        "Could not load the `qrcode` package in this runtime. Generate the QR code from session.url elsewhere (any QR library or service takes the URL).",
        { cause: error },
      );
    },
  );
  return lib;
}

/** Validate QR options up front; returns them with defaults applied. */
export function qrOptions(options: QrCodeOptions): Required<QrCodeOptions> {
  const { format = "png", size = 256, errorCorrection = "M", margin = 4 } =
    options;
  if (format !== "png" && format !== "svg") {
    throw new TypeError(
      `qrCode() format must be "png" or "svg", got ${JSON.stringify(format)}`,
    );
  }
  if (!Number.isInteger(size) || size < 21 || size > 4096) {
    throw new RangeError(
      `qrCode() size must be a whole number of pixels from 21 to 4096, got ${size}`,
    );
  }
  if (!["L", "M", "Q", "H"].includes(errorCorrection)) {
    throw new TypeError(
      `qrCode() errorCorrection must be "L", "M", "Q" or "H", got ${
        JSON.stringify(errorCorrection)
      }`,
    );
  }
  if (!Number.isInteger(margin) || margin < 0 || margin > 64) {
    throw new RangeError(
      `qrCode() margin must be a whole number from 0 to 64, got ${margin}`,
    );
  }
  return { format, size, errorCorrection, margin };
}

/** Render `text` as a PNG data URL or an SVG document. */
export async function renderQr(
  text: string,
  options: Required<QrCodeOptions>,
): Promise<string> {
  const qr = await load();
  const common = {
    errorCorrectionLevel: options.errorCorrection,
    width: options.size,
    margin: options.margin,
  };
  try {
    return options.format === "svg"
      ? await qr.toString(text, { ...common, type: "svg" })
      : await qr.toDataURL(text, { ...common, type: "image/png" });
  } catch (error) {
    throw new HandoffError(
      `Could not render the QR code as ${options.format}; try format "svg".`,
      { cause: error },
    );
  }
}
