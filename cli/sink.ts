// Copyright 2026 the handoff authors. MIT license.
// Writing text to stdout or stderr: redacted, whole, and quiet on a closed pipe.

/**
 * What a {@linkcode TextSink} writes to: `Deno.stdout`, `Deno.stderr`.
 *
 * @example
 * ```ts
 * import type { SyncWriter } from "./sink.ts";
 *
 * const writer: SyncWriter = Deno.stderr;
 * ```
 */
export interface SyncWriter {
  /** Writes some of `bytes`, returning how many. */
  writeSync(bytes: Uint8Array): number;
  /** Whether it is a terminal. */
  isTerminal(): boolean;
}

/**
 * A place the command writes text to.
 *
 * @example A sink that keeps what it is given
 * ```ts
 * import type { TextSink } from "./sink.ts";
 *
 * const lines: string[] = [];
 * const sink: TextSink = { isTerminal: false, write: (text) => void lines.push(text) };
 * sink.write("Saved photo.jpg\n");
 * console.assert(lines.length === 1);
 * ```
 */
export interface TextSink {
  /** Whether it is a terminal (QR code, lines redrawn in place). */
  readonly isTerminal: boolean;
  /** Writes `text` (redacted) as is. */
  write(text: string): void;
}

/**
 * A sink over `writer`: every text goes through `redact` first, is written
 * whole, and a reader that went away (a closed pipe) only stops the output.
 *
 * @param writer Where to write.
 * @param redact Removes secrets.
 * @returns The sink.
 *
 * @example Write to stderr without the key
 * ```ts
 * import { textSink } from "./sink.ts";
 *
 * const sink = textSink(Deno.stderr, (text) => text.replaceAll("k3y!", "[redacted]"));
 * sink.write("the key k3y! is not shown\n");
 * ```
 */
export function textSink(
  writer: SyncWriter,
  redact: (text: string) => string,
): TextSink {
  const encoder = new TextEncoder();
  let isTerminal = false;
  try {
    isTerminal = writer.isTerminal();
  } catch {
    // not a terminal then
  }
  let closed = false;
  return {
    isTerminal,
    write(text: string): void {
      if (closed || text === "") return;
      let bytes = encoder.encode(redact(text));
      try {
        while (bytes.length > 0) {
          bytes = bytes.subarray(writer.writeSync(bytes));
        }
      } catch (error) {
        if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
        closed = true;
      }
    },
  };
}
