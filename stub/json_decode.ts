// Copyright 2026 the handoff authors. MIT license.
// Reading a request body the way Go's json.Decoder does: the first JSON value
// only, with Go's syntax error messages, then binding it to a struct of
// strings with Go's type error messages.

/** A decoded JSON value that remembers its kind and member order. */
export type GoValue =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number" | "bool" | "null" }
  | { readonly kind: "array"; readonly items: readonly GoValue[] }
  | {
    readonly kind: "object";
    readonly entries: readonly (readonly [string, GoValue])[];
  };

/** A syntax error, with Go's message (`unexpected EOF`, `invalid character …`). */
export class GoJsonSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GoJsonSyntaxError";
  }
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Go's `quoteChar`: a byte as a quoted character literal. */
function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  const named: Record<number, string> = {
    0x07: "\\a",
    0x08: "\\b",
    0x0c: "\\f",
    0x0a: "\\n",
    0x0d: "\\r",
    0x09: "\\t",
    0x0b: "\\v",
    0x5c: "\\\\",
  };
  const name = named[c];
  if (name !== undefined) return `'${name}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, "0")}'`;
  if (c >= 0x80 && (c < 0xa0 || c === 0xa0 || c === 0xad)) {
    return `'\\u${c.toString(16).padStart(4, "0")}'`;
  }
  return `'${String.fromCharCode(c)}'`;
}

const utf8 = new TextDecoder();

class Parser {
  #b: Uint8Array;
  #i = 0;
  constructor(bytes: Uint8Array) {
    this.#b = bytes;
  }

  #fail(context: string): never {
    const c = this.#b[this.#i];
    if (c === undefined) throw new GoJsonSyntaxError("unexpected EOF");
    throw new GoJsonSyntaxError(
      `invalid character ${quoteChar(c)} ${context}`,
    );
  }

  #skipWhitespace(): void {
    while (WHITESPACE.has(this.#b[this.#i] ?? -1)) this.#i++;
  }

  /** Parse the first value; `EOF` when there is none. */
  top(): GoValue {
    this.#skipWhitespace();
    if (this.#i >= this.#b.length) throw new GoJsonSyntaxError("EOF");
    return this.#value();
  }

  #value(): GoValue {
    const c = this.#b[this.#i];
    switch (c) {
      case 0x7b: // {
        return this.#object();
      case 0x5b: // [
        return this.#array();
      case 0x22: // "
        return { kind: "string", value: this.#string() };
      case 0x74: // t
        this.#literal("true");
        return { kind: "bool" };
      case 0x66: // f
        this.#literal("false");
        return { kind: "bool" };
      case 0x6e: // n
        this.#literal("null");
        return { kind: "null" };
    }
    if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) {
      this.#number();
      return { kind: "number" };
    }
    this.#fail("looking for beginning of value");
  }

  #literal(word: string): void {
    this.#i++;
    for (let k = 1; k < word.length; k++) {
      if (this.#b[this.#i] !== word.charCodeAt(k)) {
        this.#fail(`in literal ${word} (expecting '${word[k]}')`);
      }
      this.#i++;
    }
  }

  #isDigit(): boolean {
    const c = this.#b[this.#i];
    return c !== undefined && c >= 0x30 && c <= 0x39;
  }

  #number(): void {
    if (this.#b[this.#i] === 0x2d) {
      this.#i++;
      if (!this.#isDigit()) this.#fail("in numeric literal");
    }
    if (this.#b[this.#i] === 0x30) this.#i++;
    else while (this.#isDigit()) this.#i++;
    if (this.#b[this.#i] === 0x2e) {
      this.#i++;
      if (!this.#isDigit()) {
        this.#fail("after decimal point in numeric literal");
      }
      while (this.#isDigit()) this.#i++;
    }
    const e = this.#b[this.#i];
    if (e === 0x65 || e === 0x45) {
      this.#i++;
      const sign = this.#b[this.#i];
      if (sign === 0x2b || sign === 0x2d) this.#i++;
      if (!this.#isDigit()) this.#fail("in exponent of numeric literal");
      while (this.#isDigit()) this.#i++;
    }
  }

  #hex4(): number {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = this.#b[this.#i];
      let d = -1;
      if (c !== undefined) {
        if (c >= 0x30 && c <= 0x39) d = c - 0x30;
        else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
        else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      }
      if (d < 0) this.#fail("in \\u hexadecimal character escape");
      v = v * 16 + d;
      this.#i++;
    }
    return v;
  }

  #string(): string {
    this.#i++; // opening quote
    let out = "";
    let runStart = this.#i;
    const flush = () => {
      out += utf8.decode(this.#b.subarray(runStart, this.#i));
    };
    for (;;) {
      const c = this.#b[this.#i];
      if (c === undefined) this.#fail("");
      if (c === 0x22) {
        flush();
        this.#i++;
        return out;
      }
      if (c < 0x20) this.#fail("in string literal");
      if (c !== 0x5c) {
        this.#i++;
        continue;
      }
      flush();
      this.#i++;
      const e = this.#b[this.#i];
      const simple: Record<number, string> = {
        0x22: '"',
        0x5c: "\\",
        0x2f: "/",
        0x62: "\b",
        0x66: "\f",
        0x6e: "\n",
        0x72: "\r",
        0x74: "\t",
      };
      if (e !== undefined && simple[e] !== undefined) {
        out += simple[e];
        this.#i++;
      } else if (e === 0x75) {
        this.#i++;
        out += this.#unicodeEscape();
      } else {
        this.#fail("in string escape code");
      }
      runStart = this.#i;
    }
  }

  #unicodeEscape(): string {
    const first = this.#hex4();
    if (first < 0xd800 || first > 0xdfff) return String.fromCharCode(first);
    // A high surrogate followed by an escaped low one makes a pair; Go
    // replaces anything else with U+FFFD.
    if (
      first <= 0xdbff && this.#b[this.#i] === 0x5c &&
      this.#b[this.#i + 1] === 0x75
    ) {
      const save = this.#i;
      this.#i += 2;
      const second = this.#hex4();
      if (second >= 0xdc00 && second <= 0xdfff) {
        return String.fromCharCode(first, second);
      }
      this.#i = save;
    }
    return "\ufffd";
  }

  #object(): GoValue {
    this.#i++;
    const entries: [string, GoValue][] = [];
    this.#skipWhitespace();
    if (this.#b[this.#i] === 0x7d) {
      this.#i++;
      return { kind: "object", entries };
    }
    for (;;) {
      if (this.#b[this.#i] !== 0x22) {
        this.#fail("looking for beginning of object key string");
      }
      const key = this.#string();
      this.#skipWhitespace();
      if (this.#b[this.#i] !== 0x3a) this.#fail("after object key");
      this.#i++;
      this.#skipWhitespace();
      entries.push([key, this.#value()]);
      this.#skipWhitespace();
      const c = this.#b[this.#i];
      if (c === 0x7d) {
        this.#i++;
        return { kind: "object", entries };
      }
      if (c !== 0x2c) this.#fail("after object key:value pair");
      this.#i++;
      this.#skipWhitespace();
    }
  }

  #array(): GoValue {
    this.#i++;
    const items: GoValue[] = [];
    this.#skipWhitespace();
    if (this.#b[this.#i] === 0x5d) {
      this.#i++;
      return { kind: "array", items };
    }
    for (;;) {
      items.push(this.#value());
      this.#skipWhitespace();
      const c = this.#b[this.#i];
      if (c === 0x5d) {
        this.#i++;
        return { kind: "array", items };
      }
      if (c !== 0x2c) this.#fail("after array element");
      this.#i++;
      this.#skipWhitespace();
    }
  }
}

/**
 * Decode the first JSON value of a body as Go's `json.Decoder.Decode` reads
 * it (anything after that value is ignored).
 *
 * @throws {GoJsonSyntaxError} with Go's message: `EOF` for an empty body,
 * `unexpected EOF` for a truncated one, `invalid character …` otherwise.
 */
export function decodeGoJson(bytes: Uint8Array): GoValue {
  return new Parser(bytes).top();
}

/** Go's case-insensitive match of a JSON key against a field name. */
export function foldKey(key: string): string {
  return key.replace(/[A-Z]/g, (c) => c.toLowerCase()).replaceAll(
    "\u017f",
    "s",
  ).replaceAll("\u212a", "k");
}

/**
 * Bind an object to a Go struct whose fields are all strings, as
 * `json.Unmarshal` does: keys match case-insensitively, `null` leaves a
 * field alone, the last duplicate wins, unknown keys are ignored.
 *
 * @returns the fields set, or Go's message for the first type error.
 */
export function bindStringStruct<K extends string>(
  value: GoValue,
  structName: string,
  fields: readonly K[],
): { fields: Partial<Record<K, string>> } | { error: string } {
  const out: Partial<Record<K, string>> = {};
  if (value.kind === "null") return { fields: out };
  if (value.kind !== "object") {
    return {
      error:
        `json: cannot unmarshal ${value.kind} into Go value of type ${structName}`,
    };
  }
  const shortName = structName.slice(structName.lastIndexOf(".") + 1);
  let error: string | undefined;
  for (const [key, member] of value.entries) {
    const field = fields.find((f) => f === key) ??
      fields.find((f) => f === foldKey(key));
    if (field === undefined || member.kind === "null") continue;
    if (member.kind === "string") out[field] = member.value;
    else {
      error ??=
        `json: cannot unmarshal ${member.kind} into Go struct field ${shortName}.${field} of type string`;
    }
  }
  return error === undefined ? { fields: out } : { error };
}
