// Copyright 2026 the handoff authors. MIT license.
/**
 * `deno task mock`: the mock dashboard from the command line. Reads its
 * configuration from the environment and flags, starts the dashboard (and
 * the embedded stub Handoff server when no `HANDOFF_URL` is set), opens the
 * browser, and closes everything on SIGINT/SIGTERM.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type Dashboard, startDashboard } from "./dashboard.ts";

/** Where `main` reads its environment. */
export interface Env {
  /** The value of a variable, or `undefined`. */
  get(name: string): string | undefined;
}

/** What `main` needs of the outside world; tests replace parts of it. */
export interface MainIo {
  /** Prints a line to stdout. @default {console.log} */
  log?: (line: string) => void;
  /** Prints a line to stderr. @default {console.error} */
  error?: (line: string) => void;
  /** Stops the dashboard when aborted, as a signal would. */
  signal?: AbortSignal;
  /** Called with the running dashboard (tests use it). */
  onStart?: (dashboard: Dashboard) => void;
  /** The operating system. @default {Deno.build.os} */
  os?: typeof Deno.build.os;
  /** Runs the browser opener. @default {spawns the command} */
  spawn?: (command: string, args: string[]) => void;
}

/** The usage text of `--help`. */
export const USAGE = `Usage: deno task mock [options]

The Handoff mock dashboard: create photo, signature and scan sessions, show
their QR codes, follow them live and preview their results.

Without HANDOFF_URL it starts the stub Handoff server in the same process;
open the phone page of a session in a second tab (or scan the QR code with a
phone on the same network when started with --hostname 0.0.0.0).

On any interface but loopback the dashboard asks for an access token: open
the URL it prints at start-up (it carries ?token=…) once, and the browser
keeps a cookie.

Options:
  --handoff-url URL   The Handoff server to talk to        [env HANDOFF_URL]
  --api-key KEY       Its API key                          [env HANDOFF_API_KEY]
  --port N            The dashboard's port (0: any free)   [env MOCK_PORT, default 9090]
  --hostname HOST     The interface to listen on           [default 127.0.0.1]
  --no-open           Do not open the browser (never opened when CI is set)
  -h, --help          Show this help
`;

/** A command that opens a URL in the desktop's browser. */
export interface BrowserCommand {
  /** The program. */
  readonly command: string;
  /** Its arguments. */
  readonly args: string[];
}

/**
 * How to open `url` in a browser on this desktop, or why not.
 *
 * @param url The URL to open.
 * @param os The operating system.
 * @param env The environment (`CI`, `DISPLAY`, `WAYLAND_DISPLAY`).
 * @returns The command, or the reason there is none.
 */
export function browserCommand(
  url: string,
  os: typeof Deno.build.os,
  env: Env,
): BrowserCommand | { readonly reason: string } {
  if (env.get("CI")) return { reason: "CI is set" };
  if (os === "darwin") return { command: "open", args: [url] };
  if (os === "windows") {
    return { command: "cmd", args: ["/c", "start", "", url] };
  }
  if (!env.get("DISPLAY") && !env.get("WAYLAND_DISPLAY")) {
    return {
      reason: "no desktop (neither DISPLAY nor WAYLAND_DISPLAY is set)",
    };
  }
  return { command: "xdg-open", args: [url] };
}

function defaultSpawn(command: string, args: string[]): void {
  const child = new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.status.catch(() => {});
  child.unref();
}

function parsePort(text: string, from: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65_535) {
    throw new RangeError(
      `${from} must be a port number from 0 to 65535, got ${
        JSON.stringify(text)
      }`,
    );
  }
  return port;
}

/** The first IPv4 address of this machine on a network (not loopback). */
function lanAddress(): string | undefined {
  try {
    return Deno.networkInterfaces().find((i) =>
      i.family === "IPv4" && !i.address.startsWith("127.")
    )?.address;
  } catch {
    return undefined; // no --allow-sys=networkInterfaces
  }
}

/**
 * Run the dashboard until SIGINT/SIGTERM (or `io.signal`).
 *
 * @param args The command-line arguments.
 * @param env The environment.
 * @param io Output, stop signal and hooks.
 * @returns The exit code: 0 after a clean stop or `--help`, 1 when the
 *   dashboard cannot start, 2 for bad arguments.
 */
export async function main(
  args: string[],
  env: Env,
  io: MainIo = {},
): Promise<number> {
  const log = io.log ?? ((line: string) => console.log(line));
  const error = io.error ?? ((line: string) => console.error(line));

  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        "handoff-url": { type: "string" },
        "api-key": { type: "string" },
        port: { type: "string" },
        hostname: { type: "string" },
        "no-open": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    error(`${e instanceof Error ? e.message : e}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    log(USAGE);
    return 0;
  }

  let port: number;
  try {
    port = values.port !== undefined
      ? parsePort(values.port, "--port")
      : env.get("MOCK_PORT")
      ? parsePort(env.get("MOCK_PORT")!, "MOCK_PORT")
      : 9090;
  } catch (e) {
    error(e instanceof Error ? e.message : String(e));
    return 2;
  }
  const hostname = values.hostname ?? "127.0.0.1";
  const handoffUrl = values["handoff-url"] ??
    (env.get("HANDOFF_URL") || undefined);
  const apiKey = values["api-key"] ?? (env.get("HANDOFF_API_KEY") || undefined);
  if (handoffUrl !== undefined && apiKey === undefined) {
    error(
      `HANDOFF_URL is ${handoffUrl}, but no API key is set: set HANDOFF_API_KEY or pass --api-key`,
    );
    return 2;
  }
  const everywhere = hostname === "0.0.0.0" || hostname === "::";
  const publicHostname = everywhere ? lanAddress() : undefined;

  let dashboard: Dashboard;
  try {
    dashboard = await startDashboard({
      hostname,
      port,
      ...(handoffUrl !== undefined ? { handoffUrl, apiKey: apiKey! } : {}),
      ...(publicHostname !== undefined ? { publicHostname } : {}),
    });
  } catch (e) {
    error(`Cannot start the dashboard: ${e instanceof Error ? e.message : e}`);
    return 1;
  }
  io.onStart?.(dashboard);

  if (dashboard.stub) {
    log(
      `No HANDOFF_URL set: started the stub Handoff server at ${dashboard.stub.url} (session URLs: ${dashboard.stub.baseUrl}/s/…)`,
    );
  } else {
    log(`Talking to the Handoff server at ${dashboard.handoffUrl}`);
  }
  // The token (on a network) is in these URLs: the start-up line is the only
  // line that shows them.
  const shown = new URL(dashboard.url);
  const localUrl = everywhere
    ? `http://127.0.0.1:${shown.port}/${shown.search}`
    : dashboard.url;
  log(
    `Dashboard: ${dashboard.url}${
      localUrl === dashboard.url ? "" : ` (on this machine: ${localUrl})`
    }`,
  );
  if (dashboard.token !== undefined) {
    log(
      `Listening on ${
        everywhere ? "every interface" : hostname
      }: the dashboard asks for the access token in the URL above (open it once; the browser keeps a cookie).${
        everywhere && !publicHostname
          ? " No LAN address found: the QR codes point at 127.0.0.1."
          : ""
      }`,
    );
  }

  if (values["no-open"]) {
    // asked not to
  } else {
    const how = browserCommand(localUrl, io.os ?? Deno.build.os, env);
    if ("reason" in how) {
      log(`Not opening a browser: ${how.reason}.`);
    } else {
      try {
        (io.spawn ?? defaultSpawn)(how.command, how.args);
      } catch (e) {
        log(
          `Could not open a browser (${how.command}: ${
            e instanceof Error ? e.message : e
          }); open the dashboard's URL above yourself.`,
        );
      }
    }
  }
  log("Press Ctrl+C to stop.");

  // Wait for a signal, then close everything within a few seconds.
  const stop = Promise.withResolvers<string>();
  const signals: Deno.Signal[] = (io.os ?? Deno.build.os) === "windows"
    ? ["SIGINT"]
    : ["SIGINT", "SIGTERM"];
  const handlers = signals.map((name) => {
    const handler = () => stop.resolve(name);
    Deno.addSignalListener(name, handler);
    return [name, handler] as const;
  });
  const onAbort = () => stop.resolve("abort");
  io.signal?.addEventListener("abort", onAbort, { once: true });
  if (io.signal?.aborted) onAbort();

  const reason = await stop.promise;
  io.signal?.removeEventListener("abort", onAbort);
  for (const [name, handler] of handlers) {
    Deno.removeSignalListener(name, handler);
  }
  log(reason === "abort" ? "Stopping…" : `${reason}: stopping…`);

  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), 5_000);
  });
  const outcome = await Promise.race([
    dashboard.close().then(() => "closed" as const),
    deadline,
  ]);
  clearTimeout(timer);
  if (outcome === "timeout") {
    error("Some connections did not close within 5 s; exiting anyway.");
    return 1;
  }
  log("Stopped.");
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args, Deno.env));
}
