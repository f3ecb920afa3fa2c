// Copyright 2026 the handoff authors. MIT license.
// A script in a fresh Deno process, fed on stdin: for tests of what a whole
// process does (whether it exits, what it prints).

/** What a finished process left. */
export interface ScriptOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `deno` with `args` (`["run", …, "-", …]` reads the script from stdin),
 * writes `source` to its stdin, and waits for it to exit; past `killAfterMs`
 * it is killed, so that a process that would never exit fails the test
 * instead of hanging it.
 */
export async function runDenoScript(
  source: string,
  args: string[] = ["run", "-"],
  { killAfterMs }: { killAfterMs?: number } = {},
): Promise<ScriptOutput> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(source));
  await writer.close();
  const killer = killAfterMs === undefined
    ? undefined
    : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
  const out = await child.output();
  clearTimeout(killer);
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}
