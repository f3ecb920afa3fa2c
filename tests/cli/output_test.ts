// Copyright 2026 the handoff authors. MIT license.
import assert from "node:assert/strict";
import { formatBytes, formatTimeLeft } from "../../cli/format.ts";
import { LiveLine } from "../../cli/live_line.ts";
import { textSink } from "../../cli/sink.ts";
import { StatusDisplay } from "../../cli/status.ts";

function sink(isTerminal: boolean) {
  const out = { text: "" };
  return {
    out,
    sink: { isTerminal, write: (text: string) => void (out.text += text) },
  };
}

Deno.test("a live line is redrawn in place on a terminal, permanent lines above it", () => {
  const { out, sink: terminal } = sink(true);
  const line = new LiveLine(terminal, () => 80);
  line.update("1 %");
  line.update("50 %");
  line.print("Saved a.jpg");
  line.clear();
  assert.equal(
    out.text,
    "\r\x1b[2K1 %\r\x1b[2K50 %\r\x1b[2KSaved a.jpg\n50 %\r\x1b[2K",
  );
});

Deno.test("a live line steps aside for other output on the same terminal", () => {
  const { out, sink: terminal } = sink(true);
  const line = new LiveLine(terminal, () => 80);
  line.aside(() => out.text += "{}\n"); // nothing drawn yet
  line.update("Status: pending");
  line.aside(() => out.text += '{"event":"status"}\n');
  assert.equal(
    out.text,
    '{}\n\r\x1b[2KStatus: pending\r\x1b[2K{"event":"status"}\nStatus: pending',
  );
});

Deno.test("a live line is cut to the terminal's width", () => {
  const { out, sink: terminal } = sink(true);
  new LiveLine(terminal, () => 12).update("Status: opened on the phone");
  assert.equal(out.text, "\r\x1b[2KStatus: op…");
});

Deno.test("off a terminal a live line prints only its permanent lines", () => {
  const { out, sink: pipe } = sink(false);
  const line = new LiveLine(pipe);
  line.update("1 %");
  line.print("Saved a.jpg");
  line.clear();
  assert.equal(out.text, "Saved a.jpg\n");
});

Deno.test("the status display prints each status once off a terminal, and the server's loss and return", () => {
  const { out, sink: pipe } = sink(false);
  let now = 0;
  const display = new StatusDisplay(
    new LiveLine(pipe),
    new Date(90_000),
    () => now,
  );
  display.status("pending");
  display.tick(); // nothing off a terminal
  now = 30_500;
  display.connection("polling");
  display.connection("unreachable");
  display.connection("unreachable");
  display.connection("polling");
  display.status("opened");
  display.finish("Status: completed: 1 file.");
  assert.equal(
    out.text,
    [
      "Status: pending: waiting for the phone to open the link (1:30 left)",
      "The server cannot be reached; still trying…",
      "The server answers again.",
      "Status: opened on the phone (1:00 left)",
      "Status: completed: 1 file.",
      "",
    ].join("\n"),
  );
});

Deno.test("the status display shows the time left and how the server is heard, on a terminal", () => {
  const { out, sink: terminal } = sink(true);
  let now = 0;
  const display = new StatusDisplay(
    new LiveLine(terminal, () => 200),
    new Date(600_000),
    () => now,
  );
  display.status("action_started");
  now = 1_000;
  display.connection("unreachable");
  assert.equal(
    out.text,
    "\r\x1b[2KStatus: started on the phone · 10:00 left" +
      "\r\x1b[2KStatus: started on the phone · 9:59 left · server unreachable, still trying",
  );
});

Deno.test("formatBytes() and formatTimeLeft() read as people write them", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1023), "1023 B");
  assert.equal(formatBytes(1024), "1.0 KB");
  assert.equal(formatBytes(5 * 1024 * 1024 + 1), "5.0 MB");
  assert.equal(formatTimeLeft(0), "0:00");
  assert.equal(formatTimeLeft(1), "0:01");
  assert.equal(formatTimeLeft(60_000), "1:00");
  assert.equal(formatTimeLeft(36_000_000), "10:00:00");
});

Deno.test("a text sink writes everything redacted, and stops quietly on a closed pipe", () => {
  const written: string[] = [];
  let calls = 0;
  const writer = {
    isTerminal: () => false,
    writeSync(bytes: Uint8Array): number {
      calls++;
      if (calls === 3) throw new Deno.errors.BrokenPipe("closed");
      const n = Math.min(bytes.length, 4); // partial writes
      written.push(new TextDecoder().decode(bytes.subarray(0, n)));
      return n;
    },
  };
  const out = textSink(
    writer,
    (text) => text.replaceAll("secret", "[redacted]"),
  );
  assert.equal(out.isTerminal, false);
  out.write("a secret"); // "a [r", "edac", then the pipe closes
  out.write("more");
  assert.deepEqual(written, ["a [r", "edac"]);
  assert.equal(calls, 3);
});
