// Copyright 2026 the handoff authors. MIT license.
// Ports for tests that must name one, without a race: a port found free and
// released can be taken by another process (a parallel test, another job)
// before it is bound again.

/**
 * Run `start(port)` on a port the OS has just found free; if another process
 * took it in between (the start fails with "address already in use"), try
 * again on a new one. Use it only to test that a port option is honoured:
 * everything else should listen on port 0 and read the port it got.
 */
export async function onFreePort<T>(
  start: (port: number) => Promise<T>,
  attempts = 10,
): Promise<T> {
  for (let attempt = 1;; attempt++) {
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { port } = probe.addr;
    probe.close();
    try {
      return await start(port);
    } catch (error) {
      if (attempt >= attempts || !addressInUse(error)) throw error;
    }
  }
}

function addressInUse(error: unknown): boolean {
  if (error instanceof Deno.errors.AddrInUse) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /address already in use|AddrInUse|os error 98\b/i.test(message);
}

/**
 * A port on 127.0.0.1 where connections are refused: 4 is unassigned and
 * below the range the OS hands out for port 0, so no test can be given it
 * and no test machine listens there. (A port found free and released could
 * be taken, and then answer, before the test connects.) Not 1: `fetch`
 * blocks it as a "bad port" without connecting.
 */
export const REFUSED_PORT = 4;
