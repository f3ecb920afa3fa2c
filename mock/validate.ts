// Copyright 2026 the handoff authors. MIT license.
/**
 * Validation of the dashboard's create-session form: the JSON the page
 * posts becomes {@linkcode CreateSessionOptions}, or a list of errors, one
 * per field, that the page shows next to the fields.
 *
 * @module
 */

import {
  ACTION_TYPES,
  type CreateSessionOptions,
  parseDuration,
  PHOTO_FORMATS,
  type PhotoFormat,
  SCAN_DOCUMENT_MODES,
  SCAN_OUTPUT_FORMATS,
  type ScanDocumentMode,
  type ScanOutputFormat,
  SIGNATURE_FORMATS,
  type SignatureFormat,
} from "../mod.ts";

/** One problem with one field of the form. */
export interface FieldError {
  /** The form field (`action`, `outputFormat`, …), or `""` for the whole body. */
  readonly field: string;
  /** What is wrong and what is expected. */
  readonly message: string;
}

/** The outcome of {@linkcode validateCreateForm}. */
export type ValidationResult =
  | { readonly ok: true; readonly options: CreateSessionOptions }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

/** The output formats of each action, in the order the form shows them. */
export const OUTPUT_FORMATS = {
  photo: PHOTO_FORMATS,
  signature: SIGNATURE_FORMATS,
} as const;

/** The longest intro text accepted, in characters. */
export const MAX_INTRO_LENGTH = 2_000;

const FIELDS = new Set([
  "action",
  "outputFormat",
  "documentMode",
  "scanOutputFormat",
  "intro",
  "sessionTtl",
  "resultTtl",
]);

function oneOf(value: unknown, allowed: readonly string[]): boolean {
  return typeof value === "string" && allowed.includes(value);
}

function list(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(", ");
}

/** `"a", "b" or "c"`. */
function choices(values: readonly string[]): string {
  const quoted = values.map((v) => `"${v}"`);
  return quoted.length < 2
    ? quoted.join("")
    : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
}

/** A blank form field (absent, null or only spaces) counts as not given. */
function blank(value: unknown): boolean {
  return value === undefined || value === null ||
    (typeof value === "string" && value.trim() === "");
}

function duration(
  value: unknown,
  field: string,
  label: string,
  errors: FieldError[],
): string | undefined {
  if (blank(value)) return undefined;
  if (typeof value !== "string") {
    errors.push({
      field,
      message: `${label} must be a duration like "10m", got ${typeof value}`,
    });
    return undefined;
  }
  const text = value.trim();
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    errors.push({
      field,
      message:
        `${label} must be a duration like "30s", "10m" or "1h30m" (units ms s m h): ${error.message}`,
    });
    return undefined;
  }
  if (ms <= 0) {
    errors.push({ field, message: `${label} must be longer than zero` });
    return undefined;
  }
  return text;
}

/**
 * Check the create-session form and turn it into session options. Blank
 * fields are left out (the server's defaults apply); unknown fields are
 * refused, so a typo does not go unnoticed.
 *
 * @param body The parsed JSON body.
 * @returns The options, or every error found.
 *
 * @example
 * ```ts
 * import { validateCreateForm } from "./validate.ts";
 * const ok = validateCreateForm({ action: "photo", outputFormat: "jpg", sessionTtl: "10m" });
 * console.assert(ok.ok);
 * const bad = validateCreateForm({ action: "photo", outputFormat: "svg" });
 * console.assert(!bad.ok && bad.errors[0]!.field === "outputFormat");
 * ```
 */
export function validateCreateForm(body: unknown): ValidationResult {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return {
      ok: false,
      errors: [{ field: "", message: "The body must be a JSON object" }],
    };
  }
  const form = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const key of Object.keys(form)) {
    if (!FIELDS.has(key)) {
      errors.push({
        field: key,
        message: `Unknown field ${JSON.stringify(key)}; expected ${
          list([...FIELDS])
        }`,
      });
    }
  }

  let intro: string | undefined;
  if (!blank(form.intro)) {
    if (typeof form.intro !== "string") {
      errors.push({ field: "intro", message: "The intro must be text" });
    } else if (form.intro.length > MAX_INTRO_LENGTH) {
      errors.push({
        field: "intro",
        message:
          `The intro is too long: ${form.intro.length} characters, at most ${MAX_INTRO_LENGTH}`,
      });
    } else intro = form.intro.trim();
  }
  const sessionTtl = duration(
    form.sessionTtl,
    "sessionTtl",
    "The session TTL",
    errors,
  );
  const resultTtl = duration(
    form.resultTtl,
    "resultTtl",
    "The result TTL",
    errors,
  );
  const common = {
    ...(intro !== undefined ? { intro } : {}),
    ...(sessionTtl !== undefined ? { sessionTtl } : {}),
    ...(resultTtl !== undefined ? { resultTtl } : {}),
  };

  const action = form.action;
  let options: CreateSessionOptions | undefined;
  if (action === "photo" || action === "signature") {
    const formats: readonly string[] = OUTPUT_FORMATS[action];
    for (const field of ["documentMode", "scanOutputFormat"]) {
      if (!blank(form[field])) {
        errors.push({
          field,
          message: `${field} is for scans only, not for a ${action}`,
        });
      }
    }
    if (!oneOf(form.outputFormat, formats)) {
      errors.push({
        field: "outputFormat",
        message: blank(form.outputFormat)
          ? `Choose an output format for the ${action}: ${list(formats)}`
          : `A ${action} cannot be ${
            JSON.stringify(form.outputFormat)
          }: choose ${list(formats)}`,
      });
    } else if (action === "photo") {
      options = {
        action,
        outputFormat: form.outputFormat as PhotoFormat,
        ...common,
      };
    } else {
      options = {
        action,
        outputFormat: form.outputFormat as SignatureFormat,
        ...common,
      };
    }
  } else if (action === "scan") {
    if (!blank(form.outputFormat)) {
      errors.push({
        field: "outputFormat",
        message: `A scan has no outputFormat: use scanOutputFormat (${
          choices(SCAN_OUTPUT_FORMATS)
        })`,
      });
    }
    const mode = blank(form.documentMode) ? undefined : form.documentMode;
    const format = blank(form.scanOutputFormat)
      ? undefined
      : form.scanOutputFormat;
    if (mode !== undefined && !oneOf(mode, SCAN_DOCUMENT_MODES)) {
      errors.push({
        field: "documentMode",
        message: `The document mode must be ${
          choices(SCAN_DOCUMENT_MODES)
        }, got ${JSON.stringify(mode)}`,
      });
    }
    if (format !== undefined && !oneOf(format, SCAN_OUTPUT_FORMATS)) {
      errors.push({
        field: "scanOutputFormat",
        message: `The scan output format must be ${
          choices(SCAN_OUTPUT_FORMATS)
        }, got ${JSON.stringify(format)}`,
      });
    }
    options = {
      action,
      ...(mode !== undefined ? { documentMode: mode as ScanDocumentMode } : {}),
      ...(format !== undefined
        ? { scanOutputFormat: format as ScanOutputFormat }
        : {}),
      ...common,
    };
  } else {
    errors.push({
      field: "action",
      message: blank(action)
        ? `Choose an action: ${choices(ACTION_TYPES)}`
        : `Unknown action ${JSON.stringify(action)}: choose ${
          choices(ACTION_TYPES)
        }`,
    });
  }
  if (errors.length > 0 || options === undefined) {
    return { ok: false, errors };
  }
  return { ok: true, options };
}
