// Copyright 2026 the handoff authors. MIT license.
// The text of `handoff --help`.

/**
 * The text `handoff --help` prints: every flag, the environment, where the
 * output goes, the exit codes and examples.
 *
 * @example What the help says
 * ```ts
 * import { USAGE } from "@handoff/client/cli";
 *
 * console.assert(USAGE.startsWith("Usage: handoff"));
 * console.assert(USAGE.includes("HANDOFF_API_KEY") && USAGE.includes("130"));
 * ```
 */
export const USAGE: string = `Usage: handoff <photo|signature|scan> [options]

Collect a photo, a signature or a document scan from a person's phone: creates
a Handoff session, shows its QR code in the terminal, follows it live, and
saves the result files.

Run it with:
  deno run -A jsr:@handoff/client/cli photo …    (or, in this repository: deno task cli photo …)

Options:
  --format FORMAT         photo: jpg (default), png, pdf
                          signature: svg (default), png, pdf
                          scan: pdf (default: one PDF per document), images
  --document-mode MODE    scan only: single (default) or multi
  --intro TEXT            Text the phone shows before the action
  --ttl DURATION          How long the session stays open: a Go duration such
                          as 90s, 10m or 1h30m (default: the server's, 30m)
  --result-ttl DURATION   How long the files stay downloadable after
                          completion (default: the server's, 5m)
  --out DIR               Where to save the files (default: .; created when
                          missing)
  --json                  One JSON object per line on stdout, for scripts; the
                          human text goes to stderr
  --stub                  Run an embedded stub Handoff server instead of a real
                          one: open the printed phone page link in a browser
                          on this machine to complete the session
  --url URL               The Handoff server's root URL (overrides HANDOFF_URL)
  --api-key KEY           Its API key (overrides HANDOFF_API_KEY; prefer the
                          variable: arguments show in the process list)
  -h, --help              Show this help

Environment:
  HANDOFF_URL             The Handoff server's root URL, e.g.
                          https://handoff.example.com (a trailing /api/v1 is
                          fine)
  HANDOFF_API_KEY         Its API key. It is never printed: not in errors, not
                          in --json output.

What it prints:
  On a terminal: the QR code (scan it with the phone's camera), the link, a
  status line redrawn in place (pending, opened, started, completed, and the
  time left before the session expires), and a progress line per download.
  When stdout is not a terminal: no QR code, and one line per status change.
  With --json, stdout has one object per event, in this order:
    {"event":"created","id":…,"url":…,"action":…,"expiresAt":…}
    {"event":"status","status":"opened","at":…}  (pending, opened, action_started)
    {"event":"completed","at":…,"files":N}
    {"event":"saved","files":[{"path":…,"contentType":…,"bytes":N}]}
  or, instead of the last ones, {"event":"error","reason":…,"exitCode":N,"message":…}.
  Errors always go to stderr.

Files:
  Named by their content type in --out: photo.jpg, photo.png, signature.svg,
  scan-1.pdf, scan-2.pdf, scan-1-page-1.jpg, scan-1-page-2.jpg. An existing
  file is never overwritten: photo-1.jpg, photo-2.jpg, … are used instead.

Exit codes:
  0    done: the files are saved
  1    another failure: the server failed or answered something unexpected,
       a file expired before it was downloaded, a file could not be written
  2    bad usage: an unknown flag, a bad value, no server URL or no API key
  3    unauthorized: the server refused the API key
  4    expired: the session expired before it was completed
  5    network failure: the server could not be reached or did not answer
  130  interrupted (Ctrl+C): the session was closed (a file being
       downloaded is removed; a second Ctrl+C exits at once)
  143  terminated (SIGTERM): the same

Examples:
  export HANDOFF_URL=https://handoff.example.com HANDOFF_API_KEY=…
  handoff photo --out ./photos
  handoff signature --format png --intro "Please sign the delivery note"
  handoff scan --document-mode multi --format images --ttl 15m
  handoff photo --json | tail -n 1    # the saved files, as JSON
  handoff signature --stub            # try it without a server
`;

/**
 * The short hint printed after a usage error.
 *
 * @example The hint after a usage error
 * ```ts
 * import { USAGE_HINT } from "./usage.ts";
 *
 * console.assert(USAGE_HINT.includes("--help"));
 * ```
 */
export const USAGE_HINT: string =
  "Usage: handoff <photo|signature|scan> [options]; handoff --help shows every option.";
