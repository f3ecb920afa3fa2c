// Copyright 2026 the handoff authors. MIT license.
// A QR code drawn with Unicode half blocks, two rows of modules per line.

/**
 * The square module matrix of a QR code: `dark[row * size + col]`.
 *
 * @example
 * ```ts
 * import type { QrModules } from "./terminal_qr.ts";
 *
 * const checker: QrModules = { size: 2, dark: [1, 0, 0, 1] };
 * ```
 */
export interface QrModules {
  /** Modules per side. */
  readonly size: number;
  /** Truthy for a dark module. */
  readonly dark: ArrayLike<number | boolean>;
}

interface QrCore {
  create(
    text: string,
    options: { errorCorrectionLevel: string },
  ): { modules: QrModules & { data: ArrayLike<number | boolean> } };
}

/**
 * The module matrix of `text`, from `qrcode`'s core (loaded on the first
 * call, as the library's own QR codes are).
 *
 * @param text What to encode: the session URL.
 * @param errorCorrectionLevel `L`, `M`, `Q` or `H`.
 * @returns The matrix.
 *
 * @example The modules of a URL
 * ```ts
 * import { qrModules } from "./terminal_qr.ts";
 *
 * const { size } = await qrModules("https://handoff.example.com/s/de1f");
 * console.assert(size >= 21 && (size - 17) % 4 === 0);
 * ```
 */
export async function qrModules(
  text: string,
  errorCorrectionLevel: "L" | "M" | "Q" | "H" = "M",
): Promise<QrModules> {
  const mod: unknown = await import("qrcode/lib/core/qrcode.js");
  const core = ((mod as { default?: unknown }).default ?? mod) as QrCore;
  const { modules } = core.create(text, { errorCorrectionLevel });
  return { size: modules.size, dark: modules.data };
}

/**
 * The QR code as lines of `█`, `▀`, `▄` and space, each character two
 * modules one above the other (the upper one in the top half), with a
 * quiet zone of `margin` light modules on every side. A half block is dark:
 * print it dark on light (see {@linkcode terminalQr}).
 *
 * @param matrix The modules.
 * @param margin The quiet zone, in modules.
 * @returns One string per pair of module rows.
 *
 * @example Two rows of modules per line
 * ```ts
 * import { halfBlockLines } from "./terminal_qr.ts";
 *
 * const lines = halfBlockLines({ size: 2, dark: [1, 0, 1, 1] }, 0);
 * console.assert(lines.length === 1 && lines[0] === "█▄");
 * ```
 */
export function halfBlockLines(matrix: QrModules, margin = 4): string[] {
  const n = matrix.size + 2 * margin;
  const dark = (row: number, col: number): boolean => {
    const r = row - margin;
    const c = col - margin;
    return r >= 0 && r < matrix.size && c >= 0 && c < matrix.size &&
      Boolean(matrix.dark[r * matrix.size + c]);
  };
  const lines: string[] = [];
  for (let row = 0; row < n; row += 2) {
    let line = "";
    for (let col = 0; col < n; col++) {
      const top = dark(row, col);
      const bottom = row + 1 < n && dark(row + 1, col);
      line += top ? (bottom ? "█" : "▀") : bottom ? "▄" : " ";
    }
    lines.push(line);
  }
  return lines;
}

/** Black on bright white, whatever the terminal's own colours. */
const DARK_ON_LIGHT = "\x1b[30;107m";
const RESET = "\x1b[0m";

/**
 * The QR code of `text` as terminal text: {@linkcode halfBlockLines} with a
 * quiet zone of 4 modules, each line coloured black on bright white, so the
 * code is dark on light (as cameras read it) on a dark terminal too.
 *
 * @param text What to encode.
 * @returns The lines joined with `\n`, ending with one.
 *
 * @example The QR code of a URL as terminal text
 * ```ts
 * import { terminalQr } from "./terminal_qr.ts";
 *
 * const text = await terminalQr("https://handoff.example.com/s/de1f");
 * console.assert(text.includes("█") && text.endsWith("\n"));
 * ```
 */
export async function terminalQr(text: string): Promise<string> {
  const lines = halfBlockLines(await qrModules(text), 4);
  return lines.map((line) => DARK_ON_LIGHT + line + RESET).join("\n") + "\n";
}
