// Copyright 2026 the handoff authors. MIT license.
/**
 * What the Handoff server accepts in a session's options, at run time: the
 * actions, the output formats of each, the scan modes, and Go duration
 * strings for the TTLs. For forms and for checking input before
 * {@linkcode HandoffClient.createSession}, which checks by the same lists and
 * the same duration rules.
 *
 * @example Offer the formats of the chosen action
 * ```ts
 * import { PHOTO_FORMATS, SIGNATURE_FORMATS } from "@handoff/client";
 *
 * const formats = (action: "photo" | "signature") =>
 *   action === "photo" ? PHOTO_FORMATS : SIGNATURE_FORMATS;
 * const html = formats("photo").map((f) => `<option>${f}</option>`).join("");
 * console.assert(html === "<option>jpg</option><option>png</option><option>pdf</option>");
 * ```
 *
 * @module
 */

import { GoDurationError, parseGoDuration } from "./_duration.ts";
import type {
  ActionType,
  PhotoFormat,
  ScanDocumentMode,
  ScanOutputFormat,
  SignatureFormat,
} from "./types.ts";

/**
 * Every {@linkcode ActionType}, in the order the docs list them.
 *
 * @example
 * ```ts
 * import { ACTION_TYPES } from "@handoff/client";
 *
 * console.assert(ACTION_TYPES.includes("scan"));
 * ```
 */
export const ACTION_TYPES: readonly ["photo", "signature", "scan"] = [
  "photo",
  "signature",
  "scan",
] as const satisfies readonly ActionType[];

/**
 * Every {@linkcode PhotoFormat}: the `outputFormat`s of a photo session.
 *
 * @example
 * ```ts
 * import { PHOTO_FORMATS } from "@handoff/client";
 *
 * console.assert(PHOTO_FORMATS.join(" ") === "jpg png pdf");
 * ```
 */
export const PHOTO_FORMATS: readonly ["jpg", "png", "pdf"] = [
  "jpg",
  "png",
  "pdf",
] as const satisfies readonly PhotoFormat[];

/**
 * Every {@linkcode SignatureFormat}: the `outputFormat`s of a signature
 * session.
 *
 * @example
 * ```ts
 * import { SIGNATURE_FORMATS } from "@handoff/client";
 *
 * console.assert(SIGNATURE_FORMATS.join(" ") === "svg png pdf");
 * ```
 */
export const SIGNATURE_FORMATS: readonly ["svg", "png", "pdf"] = [
  "svg",
  "png",
  "pdf",
] as const satisfies readonly SignatureFormat[];

/**
 * Every {@linkcode ScanDocumentMode}: the `documentMode`s of a scan session
 * (`single` by default).
 *
 * @example
 * ```ts
 * import { SCAN_DOCUMENT_MODES } from "@handoff/client";
 *
 * console.assert(SCAN_DOCUMENT_MODES.join(" ") === "single multi");
 * ```
 */
export const SCAN_DOCUMENT_MODES: readonly ["single", "multi"] = [
  "single",
  "multi",
] as const satisfies readonly ScanDocumentMode[];

/**
 * Every {@linkcode ScanOutputFormat}: the `scanOutputFormat`s of a scan
 * session (`pdf` by default).
 *
 * @example
 * ```ts
 * import { SCAN_OUTPUT_FORMATS } from "@handoff/client";
 *
 * console.assert(SCAN_OUTPUT_FORMATS.join(" ") === "pdf images");
 * ```
 */
export const SCAN_OUTPUT_FORMATS: readonly ["pdf", "images"] = [
  "pdf",
  "images",
] as const satisfies readonly ScanOutputFormat[];

/** `true` when `List` names every member of `Union`. */
type Lists<Union, List extends readonly unknown[]> = [
  Exclude<Union, List[number]>,
] extends [never] ? true : false;
type Check<T extends true> = T;
// Each list names every member of its union in types.ts (`satisfies` above
// keeps out anything else): a member added there and not here fails to
// compile.
type _EveryMemberListed = [
  Check<Lists<ActionType, typeof ACTION_TYPES>>,
  Check<Lists<PhotoFormat, typeof PHOTO_FORMATS>>,
  Check<Lists<SignatureFormat, typeof SIGNATURE_FORMATS>>,
  Check<Lists<ScanDocumentMode, typeof SCAN_DOCUMENT_MODES>>,
  Check<Lists<ScanOutputFormat, typeof SCAN_OUTPUT_FORMATS>>,
];

/**
 * Read a Go duration string (`"30m"`, `"1h30m"`, `"1.5s"`, `"-2h"`; units
 * `ns us µs ms s m h`) as Go's `time.ParseDuration` does, which is how the
 * server reads `sessionTtl` and `resultTtl`, and how
 * {@linkcode HandoffClient.createSession} checks them. A TTL must also be
 * positive: `createSession` refuses zero and negative ones.
 *
 * @param text The duration string.
 * @returns The duration in milliseconds (fractional below 1 ms; negative for
 * a negative duration).
 * @throws {TypeError} When `text` is not a string, or not a duration Go
 * reads; the message is Go's (`time: invalid duration "abc"`,
 * `time: missing unit in duration "5"`, `time: unknown unit "d" in duration "2d"`).
 *
 * @example Check a TTL typed into a form
 * ```ts
 * import { parseDuration } from "@handoff/client";
 *
 * console.assert(parseDuration("1h30m") === 5_400_000);
 * console.assert(parseDuration("1.5s") === 1_500);
 * try {
 *   parseDuration("2d");
 * } catch (error) {
 *   console.assert(error instanceof TypeError);
 *   console.assert((error as TypeError).message === 'time: unknown unit "d" in duration "2d"');
 * }
 * ```
 */
export function parseDuration(text: string): number {
  if (typeof text !== "string") {
    throw new TypeError(
      `A duration must be a string like "30m", got ${typeof text}`,
    );
  }
  try {
    return Number(parseGoDuration(text)) / 1e6;
  } catch (error) {
    if (!(error instanceof GoDurationError)) throw error;
    throw new TypeError(error.message, { cause: error });
  }
}
