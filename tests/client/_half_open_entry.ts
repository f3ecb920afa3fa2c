// Copyright 2026 the handoff authors. MIT license.
// Entry of the Bun and Node bundle of the half-open scenario
// (`half_open_test.ts`): the input JSON is the last argument; each call to
// the stub is a line `{"call":id,"method","args"}` on stdout, answered by a
// line `{"id","result"}` or `{"id","error"}` on stdin; the last line is
// `{"report":…}` or `{"error":"…"}`.

import { runHalfOpen, type StubCall } from "./_half_open.ts";

interface NodeProcess {
  argv: string[];
  stdin: {
    setEncoding(encoding: string): void;
    on(event: "data", listener: (text: string) => void): void;
  };
  stdout: { write(text: string, done?: () => void): boolean };
  exit(code: number): never;
}

const process = (globalThis as unknown as { process: NodeProcess }).process;
const pending = new Map<
  number,
  { resolve: (value: unknown) => void; reject: (error: Error) => void }
>();
let nextId = 1;
let buffer = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (text) => {
  buffer += text;
  let newline: number;
  while ((newline = buffer.indexOf("\n")) >= 0) {
    const line = buffer.slice(0, newline);
    buffer = buffer.slice(newline + 1);
    const reply = JSON.parse(line) as {
      id: number;
      result?: unknown;
      error?: string;
    };
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.error !== undefined) waiter?.reject(new Error(reply.error));
    else waiter?.resolve(reply.result);
  }
});

const call: StubCall = (method, ...args) =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    process.stdout.write(JSON.stringify({ call: id, method, args }) + "\n");
  });

let last: unknown;
try {
  last = { report: await runHalfOpen(JSON.parse(process.argv.at(-1)!), call) };
} catch (error) {
  last = { error: String(error) };
}
// Exit even when the client left sockets open (that is what is measured).
process.stdout.write(JSON.stringify(last) + "\n", () => process.exit(0));
