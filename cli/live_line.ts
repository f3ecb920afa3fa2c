// Copyright 2026 the handoff authors. MIT license.
// One line redrawn in place on a terminal, with permanent lines printed above it.

import type { TextSink } from "./sink.ts";

const CLEAR_LINE = "\r\x1b[2K";

/**
 * A line that is redrawn in place on a terminal (the status, a download's
 * progress) while other lines are printed above it. Where the sink is not a
 * terminal, {@linkcode LiveLine.update} prints nothing and only
 * {@linkcode LiveLine.print} writes.
 *
 * @example Progress off a terminal
 * ```ts
 * import { LiveLine } from "./live_line.ts";
 *
 * let out = "";
 * const line = new LiveLine({ isTerminal: false, write: (text) => out += text });
 * line.update("12 %"); // shown on a terminal only
 * line.print("Saved photo.jpg");
 * console.assert(out === "Saved photo.jpg\n");
 * ```
 */
export class LiveLine {
  readonly #sink: TextSink;
  readonly #columns: () => number | undefined;
  #current = "";

  /**
   * Makes the line.
   *
   * @param sink Where it is drawn.
   * @param columns The terminal's width, to keep the line on one row.
   */
  constructor(
    sink: TextSink,
    columns: () => number | undefined = consoleColumns,
  ) {
    this.#sink = sink;
    this.#columns = columns;
  }

  /** Whether updates are drawn (the sink is a terminal). */
  get live(): boolean {
    return this.#sink.isTerminal;
  }

  /**
   * Redraw the line with `text` (on a terminal; nothing otherwise).
   *
   * @param text The new text, one line.
   */
  update(text: string): void {
    if (!this.#sink.isTerminal) return;
    this.#current = this.#fit(text);
    this.#sink.write(CLEAR_LINE + this.#current);
  }

  /**
   * Print a permanent line above the live one (which is drawn again below).
   *
   * @param text The line, without its newline.
   */
  print(text: string): void {
    if (this.#sink.isTerminal && this.#current !== "") {
      this.#sink.write(CLEAR_LINE + text + "\n" + this.#current);
    } else {
      this.#sink.write(text + "\n");
    }
  }

  /**
   * Write something elsewhere on the same terminal (a JSON line on stdout
   * while this line is on stderr) without mixing it into the live line: the
   * line is removed, `write` runs, and the line is drawn again.
   *
   * @param write Writes the other output, ending with a newline.
   */
  aside(write: () => void): void {
    if (!this.#sink.isTerminal || this.#current === "") {
      write();
      return;
    }
    this.#sink.write(CLEAR_LINE);
    write();
    this.#sink.write(this.#current);
  }

  /** Remove the live line (on a terminal), leaving the cursor at its start. */
  clear(): void {
    if (this.#sink.isTerminal && this.#current !== "") {
      this.#sink.write(CLEAR_LINE);
    }
    this.#current = "";
  }

  #fit(text: string): string {
    const columns = this.#columns();
    if (columns === undefined || columns < 10) return text;
    const chars = [...text];
    return chars.length < columns
      ? text
      : chars.slice(0, columns - 2).join("") + "…";
  }
}

function consoleColumns(): number | undefined {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return undefined;
  }
}
