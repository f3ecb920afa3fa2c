// Copyright 2026 the handoff authors. MIT license.
// Ctrl+C and SIGTERM: stop what is running, once; exit at once on a second one.

/**
 * The abort reason of a run stopped by a signal.
 *
 * @example The reason of an interrupted run
 * ```ts
 * import { InterruptedError } from "./signals.ts";
 *
 * const error = new InterruptedError("SIGINT");
 * console.assert(error.signal === "SIGINT" && error.name === "InterruptedError");
 * ```
 */
export class InterruptedError extends Error {
  /** The signal that stopped the run. */
  readonly signal: "SIGINT" | "SIGTERM";

  /**
   * Makes the error.
   *
   * @param signal The signal received.
   */
  constructor(signal: "SIGINT" | "SIGTERM") {
    super(`Interrupted by ${signal}`);
    this.name = "InterruptedError";
    this.signal = signal;
  }
}

/**
 * Abort `controller` with an {@linkcode InterruptedError} on the first
 * SIGINT (Ctrl+C) or SIGTERM, so the run closes its session and exits; a
 * second signal calls `again` (by default: exit at once with 130 or 143).
 *
 * @param controller Aborted on the first signal.
 * @param again Called on every later signal.
 * @returns Removes the listeners.
 *
 * @example Stop a run on Ctrl+C
 * ```ts
 * import { abortOnSignals } from "./signals.ts";
 *
 * const controller = new AbortController();
 * const stop = abortOnSignals(controller);
 * // … run with controller.signal …
 * stop();
 * ```
 */
export function abortOnSignals(
  controller: AbortController,
  again: (signal: "SIGINT" | "SIGTERM") => void = (signal) =>
    Deno.exit(signal === "SIGINT" ? 130 : 143),
): () => void {
  const names: ("SIGINT" | "SIGTERM")[] = Deno.build.os === "windows"
    ? ["SIGINT"]
    : ["SIGINT", "SIGTERM"];
  const handlers = names.map((name) => {
    const handler = (): void => {
      if (controller.signal.aborted) again(name);
      else controller.abort(new InterruptedError(name));
    };
    Deno.addSignalListener(name, handler);
    return [name, handler] as const;
  });
  return () => {
    for (const [name, handler] of handlers) {
      Deno.removeSignalListener(name, handler);
    }
  };
}
