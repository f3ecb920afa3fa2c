// Copyright 2026 the handoff authors. MIT license.
/**
 * The session lifecycle, model-based: thousands of generated schedules of
 * phone actions, faults and app calls, each run on a fake clock
 * (`_model/clock.ts`) against a Handoff server simulated in memory
 * (`_model/server.ts`), then checked (`_model/check.ts`) against these
 * invariants:
 *
 * - **I0 harness**: the model settled completely (a long flush at the end
 *   moves nothing, and no promise chain was quiet for more than half of
 *   `QUIET_TURNS` before it moved again); nothing threw into the harness.
 * - **I1 completion**: `completed` is delivered at most once; and exactly
 *   once, by `max(completed, healed) + margin`, when the server completed
 *   before the session expired, no `close()` came first, the server did not
 *   forget the session (restart), and the network was healthy for `margin`
 *   before the expiry. Faults stop 3 s after the last fault step (counters
 *   such as "refuse the next n" are cleared then; an outage runs its
 *   course): that is "healed". `margin` = 1.2 × liveness + timeoutMs +
 *   maxDelayMs + pollMs + 6 latencies + 100 ms (7.7–15.3 s with the
 *   generated options), because from any state a healthy network brings a
 *   completion within it: a half-open socket waits for a liveness round, a
 *   request hung by a fault for its timeout, a reconnect or result retry for
 *   a backoff, polling for an interval. Schedules put faults anywhere and
 *   the condition is computed (it holds in about a quarter of them). Also:
 *   once the client has heard `completed` without data it asks for the
 *   result at least every maxDelayMs + timeoutMs (+ a latency).
 * - **I2 statuses**: delivered forward only, each at most once (so `pending`
 *   first if at all), never one the server has not reached, one final event
 *   at most and nothing after it; a status frame that reaches the client's
 *   socket is delivered at that instant; `completed` carries the server's
 *   items (or scan documents).
 * - **I3 waiters**: every `waitForResult()`/`waitForScanResult()` (at
 *   creation and at random points) and every `events()` iterator settles:
 *   the result, `SessionExpiredError`, `SessionClosedError`, or
 *   `NotFoundError` (404, and a failure only after a restart); iterators
 *   yield exactly the events delivered after they started (the final one
 *   when started after the end) and throw only for the 404.
 * - **I4 resources**: when `close()` resolves, and 2 s (the close wait) + 2
 *   latencies after a session ended by itself: no deadline on the client's
 *   `Timers` (`transport.timers.size === 0`), no client callback on the
 *   fake clock, no request in flight, every fake socket closed (its close
 *   event delivered; `terminate()` for half-open ones).
 * - **I5 after close**: nothing is delivered after `close()`, not even to
 *   the listeners after the one that called it (the status or connection
 *   state it was handling stops there); only the final event of a session
 *   that had already ended (its `close()` is a no-op) reaches every listener.
 * - **I6 end order**: `completed`/`expired` reach listeners before
 *   `connection` becomes `closed`; `closed` comes once, and last.
 * - **I7 expiry**: never before the server's expiry time; `status` 410 only
 *   when the server answered 410; `confirmed: false` (no status) only when
 *   nothing was heard from the server in the 30 s past the deadline and the
 *   network was not healthy by the TTL, with `cause` the last request's
 *   error class (or a text when the last request succeeded).
 * - **I8 listeners**: a throwing listener does not stop the others (a second
 *   listener sees every event the first saw); each throw reaches
 *   `onListenerError` once.
 * - **I9 ends in time**: unless closed, the session ends by
 *   `max(expiry, healed) + 5 s + timeoutMs + 4 latencies`, or by expiry +
 *   30 s + 5 s (+ a latency) when the server stays unreachable.
 * - **I10 reconnects**: after a socket that stayed up `stableAfterMs` the
 *   next is opened at once; after the n-th failure in a row, after 0.75–1 ×
 *   min(maxDelayMs, initialDelayMs × 2^(n−1)) (±1 ms); every loss takes a
 *   snapshot (at once, or queued behind the request in flight); after
 *   `attemptsBeforePolling` failures in a row a request goes out at least
 *   every pollMs + timeoutMs until a socket opens.
 * - **I11 liveness**: a handshake is open or given up within 1.2 ×
 *   liveness; an open socket never goes 1.2 × liveness without a frame, an
 *   answer or a request; a snapshot taken for liveness (not one queued
 *   behind another, the expiry check or a result fetch) comes only after
 *   0.8 × liveness of silence, and when it shows a status the open socket
 *   did not deliver, that socket is replaced at once.
 * - **I12 connection**: `websocket` only with an open socket; `polling` and
 *   `unreachable` only after `attemptsBeforePolling` failures in a row, and
 *   `unreachable` exactly when the latest request failed.
 * - **I13 progress**: the clock is never stuck: 2,000 callbacks at one
 *   instant are a livelock.
 *
 * Environment: `MODEL_RUNS` (default 3000), `MODEL_SEED` and `MODEL_PATH`
 * (a failure prints both, the broken invariant and the shrunk schedule),
 * `MODEL_HTML_TIMERS=1`
 * (`setTimeout(fn, 0)` runs at once, as in the HTML spec, instead of after
 * 1 ms as in Deno 2.9).
 *
 * @module
 */

import fc from "fast-check";
import assert from "node:assert/strict";
import { QUIET_TURNS } from "./_model/clock.ts";
import { check, margin, summary } from "./_model/check.ts";
import { run } from "./_model/run.ts";
import { describe, type Schedule, schedule } from "./_model/schedule.ts";

const RUNS = Number(Deno.env.get("MODEL_RUNS") ?? 3000);

/** The seed of this run: given, or fresh (and printed on failure). */
function seedOf(): number {
  const given = Deno.env.get("MODEL_SEED");
  if (given !== undefined) return Number(given);
  return (Date.now() ^ Math.floor(Math.random() * 2 ** 31)) | 0;
}

/** The model's switches that are on, as they must be given to replay. */
function flags(): string {
  return ["MODEL_HTML_TIMERS"]
    .filter((name) => Deno.env.get(name) === "1")
    .map((name) => `${name}=1 `).join("");
}

/**
 * Report a failure with what it takes to replay it: the seed, the path to
 * the shrunk counterexample, the broken invariant and the schedule as text.
 */
function replayable(file: string): fc.Plugin<[Schedule]> {
  return () => ({
    onAllRunsComplete(details) {
      if (!details.failed) return;
      if (details.counterexample === null) {
        throw new Error(fc.defaultReportMessage(details));
      }
      const error = details.errorInstance;
      const [s] = details.counterexample;
      throw new Error(
        [
          `Lifecycle model: an invariant broke after ${details.numRuns} schedule(s), shrunk ${details.numShrinks} time(s).`,
          `  ${error instanceof Error ? error.message : String(error)}`,
          `Replay: ${flags()}MODEL_SEED=${details.seed} MODEL_PATH="${details.counterexamplePath}" deno task test ${file}`,
          `Shrunk schedule (margin ${margin(s.config)} ms):`,
          describe(s),
        ].join("\n"),
        { cause: error },
      );
    },
  });
}

Deno.test("session lifecycle: every invariant holds over generated schedules of faults", async () => {
  const seed = seedOf();
  const path = Deno.env.get("MODEL_PATH");
  const ends: Record<string, number> = {};
  let mustComplete = 0;
  let callbacks = 0;
  let maxGap = 0;
  const started = performance.now();
  await fc.assert(
    fc.asyncProperty(schedule, async (s) => {
      const r = await run(s);
      check(r);
      callbacks += r.clock.callbacks;
      maxGap = Math.max(maxGap, r.clock.maxGap);
      const { end, confirmed, mustComplete: must } = summary(r);
      const kind = end === "expired"
        ? `expired (${confirmed ? "410" : "unconfirmed"})`
        : end;
      ends[kind] = (ends[kind] ?? 0) + 1;
      if (must) mustComplete++;
    }),
    {
      numRuns: RUNS,
      seed,
      ...(path === undefined ? {} : { path, endOnFailure: true }),
      plugins: [replayable("tests/client/lifecycle_model_test.ts")],
    },
  );
  const ms = performance.now() - started;
  console.log(
    `lifecycle model: ${RUNS} schedules in ${ms.toFixed(0)} ms (${
      (ms / RUNS).toFixed(2)
    } ms each, ${
      (callbacks / RUNS).toFixed(0)
    } clock callbacks each), seed ${seed}; ends ${
      JSON.stringify(ends)
    }; completion required in ${mustComplete}; longest quiet chain ${maxGap}/${QUIET_TURNS} turns`,
  );
  // The generator must reach every kind of end, or the invariants are idle.
  if (RUNS >= 1000 && path === undefined) {
    for (
      const kind of [
        "completed",
        "expired (410)",
        "expired (unconfirmed)",
        "closed",
        "failed",
      ]
    ) {
      assert.ok((ends[kind] ?? 0) > 0, `no schedule ended ${kind}`);
    }
    assert.ok(mustComplete > RUNS / 10, "few schedules had to complete");
  }
});

Deno.test("session lifecycle model: the same schedule runs the same way twice", async () => {
  await fc.assert(
    fc.asyncProperty(schedule, async (s) => {
      const trace = async () => {
        const r = await run(s);
        return JSON.stringify({
          delivered: r.delivered.map((d) => [
            d.order,
            d.at,
            d.event?.status,
            d.state,
          ]),
          requests: r.server.requests.map((q) => [q.sentAt, q.settledAt]),
          sockets: r.server.sockets.map((k) => [k.ctorAt, k.closeEventAt]),
        });
      };
      assert.equal(await trace(), await trace());
    }),
    { numRuns: 50, seed: seedOf() },
  );
});

/**
 * Schedules too narrow for the generator to hit (a request in flight across
 * a drop and the fall back to polling), written out by hand: each is a bug
 * the model found in the client, kept until it is fixed and after.
 */
const PINNED: { readonly name: string; readonly schedule: Schedule }[] = [
  {
    // The result fetch of a bare `completed` hangs; the socket drops and
    // upgrades are refused (polling); the fetch times out, `connection`
    // becomes `unreachable`, and a connection listener calls close(). In
    // Sync.#failed, #setReachable() runs the listeners (close() stops the
    // sync) before the result retry timer is armed, unconditionally: close()
    // resolves with that timer still on the heap (I4).
    name: "close() from a connection listener while a result fetch fails",
    schedule: {
      config: {
        action: "photo",
        ttlMs: 30_000,
        latency: [1, 5],
        livenessMs: 3_000,
        pollMs: 1_000,
        timeoutMs: 1_000,
        initialDelayMs: 250,
        maxDelayMs: 2_000,
        attemptsBeforePolling: 1,
        stableAfterMs: 1_000,
        throws: "never",
        closesOn: "connection:unreachable",
        prelude: [],
        seed: 0,
      },
      steps: [
        { dt: 0, action: { kind: "hang", n: 1 } },
        { dt: 0, action: { kind: "complete", items: 1 } },
        { dt: 20, action: { kind: "refuse", n: 5 } },
        { dt: 0, action: { kind: "drop", clean: false } },
      ],
    },
  },
];

for (const { name, schedule: s } of PINNED) {
  Deno.test(`session lifecycle model, pinned: ${name}`, async () => {
    try {
      check(await run(s));
    } catch (error) {
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\n${
          describe(s)
        }`,
        { cause: error },
      );
    }
  });
}
