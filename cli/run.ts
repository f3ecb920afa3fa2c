// Copyright 2026 the handoff authors. MIT license.
// One run of the command: create the session, show it, follow it, save its files.

import {
  type AnySession,
  HandoffClient,
  type ResultItem,
  type ScanResult,
} from "../mod.ts";
import { startStubServer, type StubServer } from "../testing.ts";
import type { CliConfig } from "./args.ts";
import { type SavedFile, saveDownload } from "./download.ts";
import type { CliEvent } from "./events.ts";
import { EXIT_CODES, type ExitReason, reasonOf } from "./exit_codes.ts";
import { downloadTargets } from "./files.ts";
import { formatBytes, formatTimeLeft } from "./format.ts";
import { LiveLine } from "./live_line.ts";
import { InterruptedError } from "./signals.ts";
import type { TextSink } from "./sink.ts";
import { StatusDisplay } from "./status.ts";
import { terminalQr } from "./terminal_qr.ts";

/**
 * Where a run writes.
 *
 * @example Collect the output in memory
 * ```ts
 * import type { RunIo } from "./run.ts";
 *
 * let text = "";
 * const sink = { isTerminal: false, write: (chunk: string) => void (text += chunk) };
 * const io: RunIo = { stdout: sink, stderr: sink };
 * ```
 */
export interface RunIo {
  /** Standard output: the human text, or the JSON lines with `--json`. */
  readonly stdout: TextSink;
  /** Standard error: errors, and the human text with `--json`. */
  readonly stderr: TextSink;
}

/** How often the progress line of a download is redrawn, at most. */
const PROGRESS_INTERVAL_MS = 100;

/**
 * Run the command for a parsed command line: create the session (on the
 * embedded stub with `--stub`), show its QR code and link, follow its
 * status, save its files, and say what happened on the way out.
 *
 * @param config What to do.
 * @param io Where to write.
 * @param signal Aborted (with an `InterruptedError`) on Ctrl+C: the
 *   session is closed and the run ends with 130 (143 for SIGTERM).
 * @returns The exit code, from `EXIT_CODES`.
 *
 * @example Run until interrupted
 * ```ts
 * import { startStubServer } from "../testing.ts";
 * import { parseCli } from "./args.ts";
 * import { run } from "./run.ts";
 *
 * await using server = await startStubServer();
 * const env = new Map([["HANDOFF_URL", server.url], ["HANDOFF_API_KEY", server.apiKey]]);
 * const parsed = parseCli(["photo", "--json", "--out", ".tmp/cli-example"], env);
 * const lines: string[] = [];
 * const sink = { isTerminal: false, write: (text: string) => void lines.push(text) };
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(new Error("stop")), 200); // nobody completes it
 * if (!parsed.help) console.assert(await run(parsed.config, { stdout: sink, stderr: sink }, controller.signal) === 130);
 * ```
 */
export async function run(
  config: CliConfig,
  io: RunIo,
  signal: AbortSignal,
): Promise<number> {
  const human = config.json ? io.stderr : io.stdout;
  const line = new LiveLine(human);
  const say = (text: string): void => line.print(text);
  const emit = (event: CliEvent): void => {
    if (!config.json) return;
    const text = JSON.stringify(event) + "\n";
    // On one terminal, keep the JSON line out of the live line on stderr.
    if (io.stdout.isTerminal) line.aside(() => io.stdout.write(text));
    else io.stdout.write(text);
  };
  const fail = (reason: ExitReason, message: string): number => {
    line.clear();
    io.stderr.write(`handoff: ${message}\n`);
    const exitCode = EXIT_CODES[reason];
    emit({ event: "error", reason, exitCode, message });
    return exitCode;
  };

  try {
    await Deno.mkdir(config.outDir, { recursive: true });
  } catch (error) {
    return fail(
      "failed",
      `Cannot create the output directory ${config.outDir}: ${
        messageOf(error)
      }`,
    );
  }

  let server: string | undefined; // the server's URL, without a query
  let stub: StubServer | undefined;
  let session: AnySession | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  const unsubscribe: (() => void)[] = [];
  try {
    let baseUrl: string;
    let apiKey: string;
    if (config.server.kind === "stub") {
      stub = await startStubServer({ hostname: "127.0.0.1", port: 0 });
      ({ url: baseUrl, apiKey } = stub);
      say(`Started the stub Handoff server at ${baseUrl} (--stub).`);
    } else {
      ({ url: baseUrl, apiKey } = config.server);
    }
    server = serverLabel(baseUrl);
    let client: HandoffClient;
    try {
      client = new HandoffClient({ baseUrl, apiKey });
    } catch (error) {
      return fail("usage", messageOf(error));
    }

    session = await client.createSession(config.session, { signal });
    const live = session;
    emit({
      event: "created",
      id: live.id,
      url: live.url,
      action: live.actionType,
      expiresAt: live.expiresAt.toISOString(),
    });
    await showSession(live, human, say, stub !== undefined);

    const display = new StatusDisplay(line, live.expiresAt);
    unsubscribe.push(
      live.onEvent((event) => {
        if (event.type !== "status_update") return;
        emit({
          event: "status",
          status: event.status,
          at: event.timestamp.toISOString(),
        });
        display.status(event.status);
      }),
      live.onConnectionChange((state) => display.connection(state)),
    );
    if (line.live) {
      display.tick();
      ticker = setInterval(() => display.tick(), 1_000);
    }

    const result: readonly ResultItem[] | ScanResult =
      live.actionType === "scan"
        ? await live.waitForScanResult({ signal })
        : await live.waitForResult({ signal });
    clearInterval(ticker);
    const targets = downloadTargets(live.actionType, result);
    emit({
      event: "completed",
      at: new Date().toISOString(),
      files: targets.length,
    });
    display.finish(
      `Status: completed: ${
        targets.length === 0
          ? "no files"
          : targets.length === 1
          ? "1 file"
          : `${targets.length} files`
      }.`,
    );

    const saved: SavedFile[] = [];
    for (const target of targets) {
      let last = 0;
      const file = await saveDownload(client, target, config.outDir, {
        signal,
        onProgress: ({ path, bytes, total }) => {
          const now = Date.now();
          if (
            bytes !== 0 && bytes !== total && now - last < PROGRESS_INTERVAL_MS
          ) {
            return;
          }
          last = now;
          line.update(
            `Downloading ${path}: ${formatBytes(bytes)}${
              total !== undefined && total > 0
                ? ` of ${formatBytes(total)} (${
                  Math.floor((bytes / total) * 100)
                } %)`
                : ""
            }`,
          );
        },
      });
      line.clear();
      say(
        `Saved ${file.path} (${formatBytes(file.bytes)}${
          file.contentType ? `, ${file.contentType}` : ""
        })`,
      );
      saved.push(file);
    }
    emit({ event: "saved", files: saved });
    return EXIT_CODES.ok;
  } catch (error) {
    clearInterval(ticker);
    if (signal.aborted) {
      await session?.close();
      const terminated = signal.reason instanceof InterruptedError &&
        signal.reason.signal === "SIGTERM";
      return fail(
        terminated ? "terminated" : "interrupted",
        `${terminated ? "Terminated" : "Interrupted"}: ${
          session === undefined
            ? "no session was open"
            : `session ${session.id} closed`
        }; no file was left half written.`,
      );
    }
    const reason = reasonOf(error);
    if (reason === "expired" && session !== undefined) {
      return fail(
        reason,
        `The session expired at ${session.expiresAt.toLocaleTimeString()} before it was completed.`,
      );
    }
    const hint = reason === "unauthorized"
      ? " (The key comes from HANDOFF_API_KEY or --api-key.)"
      : reason === "network" && server !== undefined
      ? ` (The server: ${server}.)`
      : "";
    return fail(reason, messageOf(error) + hint);
  } finally {
    clearInterval(ticker);
    for (const off of unsubscribe) off();
    await session?.close();
    await stub?.close();
  }
}

/** The QR code (on a terminal), the link and the expiry. */
async function showSession(
  session: AnySession,
  human: TextSink,
  say: (text: string) => void,
  stub: boolean,
): Promise<void> {
  const where = stub
    ? "open this phone page in a browser on this machine"
    : "open this link on the phone";
  if (human.isTerminal) {
    try {
      human.write("\n" + await terminalQr(session.url) + "\n");
      say(`Scan the QR code with the phone's camera, or ${where}:`);
    } catch (error) {
      say(`(No QR code: ${messageOf(error)})`);
      say(`${where[0]!.toUpperCase()}${where.slice(1)}:`);
    }
  } else {
    say(`${where[0]!.toUpperCase()}${where.slice(1)}:`);
  }
  say(`  ${session.url}`);
  say(
    `Session ${session.id} (${session.actionType}) expires at ${session.expiresAt.toLocaleTimeString()}, in ${
      formatTimeLeft(session.expiresAt.getTime() - Date.now())
    }. Ctrl+C closes it.`,
  );
}

/** The server's URL as it may be printed: no query, no fragment. */
function serverLabel(url: string): string {
  try {
    const { origin, pathname } = new URL(url);
    return origin + pathname.replace(/\/$/, "");
  } catch {
    return "the configured URL";
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
