// Copyright 2026 the handoff authors. MIT license.
// Running `cli.ts` as a process (through pipes, or on a terminal with
// `script`), and reading the QR code it draws.

import assert from "node:assert/strict";
import jsQRModule from "jsqr";
import { startStubServer, type StubServer } from "../../testing.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;

// jsqr is CommonJS with an ES-style default export.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ??
  jsQRModule) as unknown as typeof jsQRModule.default;

/** A stub server whose key is easy to look for in the output. */
export function startCliStub(
  options: { sessionTtl?: string } = {},
): Promise<StubServer> {
  return startStubServer({
    apiKeys: [`cli-test-key-${crypto.randomUUID()}`],
    ...options,
  });
}

/** A fresh output directory under .tmp/ (the tests may write only there). */
export async function tempOut(): Promise<string> {
  const dir = `${ROOT}.tmp/cli-tests/${crypto.randomUUID()}`;
  await Deno.mkdir(dir, { recursive: true });
  return dir;
}

/** Removes an output directory made by {@linkcode tempOut}. */
export async function removeOut(dir: string): Promise<void> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

/** What a finished run printed and its exit code. */
export interface CliOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The options of a run. */
export interface RunOptions {
  /** Environment variables for the process (added to a clean one). */
  readonly env?: Record<string, string>;
  /** Strings that must appear in no output (API keys). */
  readonly secrets?: readonly string[];
  /** Run on a terminal (through `script`): stdout and stderr are merged. */
  readonly tty?: boolean;
}

/** A running `cli.ts`: its output so far, and a way to wait for a line. */
export class CliProcess implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #secrets: readonly string[];
  #stdout = "";
  #stderr = "";
  readonly #reading: Promise<void>;
  readonly #waiters = new Set<() => void>();

  constructor(args: readonly string[], options: RunOptions = {}) {
    const env = {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: Deno.env.get("HOME") ?? "/tmp",
      ...(Deno.env.get("DENO_DIR")
        ? { DENO_DIR: Deno.env.get("DENO_DIR")! }
        : {}),
      NO_COLOR: "1", // Deno's own messages, not the QR code
      ...options.env,
    };
    const argv = [Deno.execPath(), "run", "-A", "--quiet", CLI, ...args];
    this.#child = options.tty
      ? new Deno.Command("script", {
        args: ["-qfec", argv.map(shellQuote).join(" "), "/dev/null"],
        env: { ...env, TERM: "xterm" },
        clearEnv: true,
        cwd: ROOT,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn()
      : new Deno.Command(argv[0]!, {
        args: argv.slice(1),
        env,
        clearEnv: true,
        cwd: ROOT,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    this.#secrets = options.secrets ?? [];
    this.#reading = Promise.all([
      this.#read(this.#child.stdout, (text) => this.#stdout += text),
      this.#read(this.#child.stderr, (text) => this.#stderr += text),
    ]).then(() => {});
  }

  /** What stdout (on a terminal: the terminal) shows so far. */
  get stdout(): string {
    return this.#stdout;
  }

  /** What stderr shows so far. */
  get stderr(): string {
    return this.#stderr;
  }

  /** Sends a signal to the process. */
  kill(signal: Deno.Signal): void {
    this.#child.kill(signal);
  }

  /** Waits until stdout matches `pattern`; returns the match. */
  async waitFor(
    pattern: RegExp,
    timeoutMs = 20_000,
  ): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const match = this.#stdout.match(pattern);
      if (match) return match;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${pattern}; stdout:\n${this.#stdout}\nstderr:\n${this.#stderr}`,
        );
      }
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#waiters.add(resolve);
      const timer = setTimeout(resolve, 200);
      await promise;
      clearTimeout(timer);
      this.#waiters.delete(resolve);
    }
  }

  /** Waits for the JSON event named `name` on stdout (`--json`). */
  async waitForEvent(name: string): Promise<Record<string, unknown>> {
    const match = await this.waitFor(
      new RegExp(`^\\{"event":"${name}".*\\}$`, "m"),
    );
    return JSON.parse(match[0]);
  }

  /** Kills the process if it still runs (a failed test), and waits for it. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already exited
    }
    await this.#child.status;
    await this.#reading;
  }

  /** Waits for the exit; checks that no secret was printed. */
  async finish(timeoutMs = 30_000): Promise<CliOutcome> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const status = await Promise.race([this.#child.status, timeout]);
    clearTimeout(timer);
    if (status === "timeout") {
      this.#child.kill("SIGKILL");
      await this.#child.status;
      await this.#reading;
      throw new Error(
        `the CLI did not exit within ${timeoutMs} ms; stdout:\n${this.#stdout}\nstderr:\n${this.#stderr}`,
      );
    }
    await this.#reading;
    for (const secret of this.#secrets) {
      assert.ok(!this.#stdout.includes(secret), "the API key is on stdout");
      assert.ok(!this.#stderr.includes(secret), "the API key is on stderr");
    }
    // Not even redacted: nothing tried to print it (the redaction is a
    // safety net, not the way the key is kept out).
    assert.ok(!`${this.#stdout}${this.#stderr}`.includes("[redacted]"));
    return { code: status.code, stdout: this.#stdout, stderr: this.#stderr };
  }

  async #read(
    stream: ReadableStream<Uint8Array>,
    add: (text: string) => void,
  ): Promise<void> {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      add(text);
      for (const wake of this.#waiters) wake();
    }
  }
}

/** Waits until `check()` holds, for at most `timeoutMs`. */
export async function eventually(
  check: () => boolean,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs the CLI to its end. */
export function runCli(
  args: readonly string[],
  options: RunOptions = {},
): Promise<CliOutcome> {
  return new CliProcess(args, options).finish();
}

/** The JSON events of a `--json` run's stdout. */
export function eventsOf(stdout: string): Record<string, unknown>[] {
  return stdout.split("\n").filter((line) => line !== "").map((line) =>
    JSON.parse(line)
  );
}

function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * Decodes a QR code drawn in half blocks in terminal output: the lines made
 * only of `▀▄█` and spaces (colour codes removed) become an image, each
 * character two modules one above the other, each module 4 × 4 pixels.
 */
export function decodeTerminalQr(output: string): string | undefined {
  const lines = qrLines(output);
  if (lines.length === 0) return undefined;
  const width = Math.max(...lines.map((line) => [...line].length));
  const scale = 4;
  const modulesHigh = lines.length * 2;
  const pixels = new Uint8ClampedArray(width * scale * modulesHigh * scale * 4)
    .fill(255);
  lines.forEach((line, l) => {
    [...line].forEach((char, col) => {
      const top = char === "█" || char === "▀";
      const bottom = char === "█" || char === "▄";
      for (const [dark, row] of [[top, 2 * l], [bottom, 2 * l + 1]] as const) {
        if (!dark) continue;
        for (let y = row * scale; y < (row + 1) * scale; y++) {
          for (let x = col * scale; x < (col + 1) * scale; x++) {
            const i = (y * width * scale + x) * 4;
            pixels[i] = pixels[i + 1] = pixels[i + 2] = 0;
          }
        }
      }
    });
  });
  return jsQR(pixels, width * scale, modulesHigh * scale)?.data;
}

/** The half-block lines of terminal output, colour codes removed. */
export function qrLines(output: string): string[] {
  return output
    // deno-lint-ignore no-control-regex -- terminal escape codes
    .replace(/\x1b\[[0-9;]*[A-Za-z]/g, "")
    .split(/\r?\n/)
    .filter((line) => [...line].length > 20 && /^[ ▀▄█]+$/.test(line));
}
