// Copyright 2026 the handoff authors. MIT license.
// Schedules for the lifecycle model: a client configuration, a listener that
// may throw or close the session, and a list of steps (phone actions,
// faults, waiters, close), each after some fake time. fast-check generates
// and shrinks them; `describe()` prints one in a form a person can replay.

import fc from "fast-check";
import type { ActionType } from "../../../types.ts";

/** What the first listener does besides recording. */
export type Throws = "never" | "always" | "status" | "final";
/**
 * On which event the first listener calls `session.close()`, or on which
 * connection state the first connection listener does.
 */
export type ClosesOn =
  | "never"
  | "pending"
  | "opened"
  | "action_started"
  | "completed"
  | "expired"
  | "connection:connecting"
  | "connection:websocket"
  | "connection:polling"
  | "connection:unreachable";

export interface Config {
  readonly action: ActionType;
  /** The session TTL (fake ms from its creation). */
  readonly ttlMs: number;
  /** Network latency of each request, frame and handshake: [min, max] ms. */
  readonly latency: readonly [number, number];
  readonly livenessMs: number;
  readonly pollMs: number;
  readonly timeoutMs: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly attemptsBeforePolling: number;
  readonly stableAfterMs: number;
  readonly throws: Throws;
  readonly closesOn: ClosesOn;
  /** Phone actions before the client attaches (10 ms apart). */
  readonly prelude: readonly ("open" | "start")[];
  /** Seeds the latencies and the client's jitter. */
  readonly seed: number;
}

export type Action =
  | { readonly kind: "open" | "start" }
  | { readonly kind: "complete"; readonly items: number }
  | { readonly kind: "drop"; readonly clean: boolean }
  | {
    readonly kind: "refuse" | "stall" | "fail5xx" | "hang";
    readonly n: number;
  }
  | { readonly kind: "outage"; readonly ms: number }
  | { readonly kind: "halfOpen" | "restart" | "lose" }
  | { readonly kind: "wait" | "iterate" | "close" };

export interface Step {
  /** Fake time to let pass before the action. */
  readonly dt: number;
  readonly action: Action;
}

export interface Schedule {
  readonly config: Config;
  readonly steps: readonly Step[];
}

const config: fc.Arbitrary<Config> = fc.record({
  action: fc.constantFrom<ActionType>("photo", "signature", "scan"),
  ttlMs: fc.integer({ min: 12_000, max: 60_000 }),
  latency: fc.constantFrom<readonly [number, number]>(
    [1, 5],
    [1, 40],
    [20, 120],
  ),
  livenessMs: fc.constantFrom(3_000, 5_000),
  pollMs: fc.constantFrom(1_000, 2_000),
  timeoutMs: fc.constantFrom(1_000, 2_500),
  initialDelayMs: fc.constantFrom(250, 1_000),
  maxDelayMs: fc.constantFrom(2_000, 4_000),
  attemptsBeforePolling: fc.constantFrom(1, 2, 3),
  stableAfterMs: fc.constantFrom(1_000, 5_000),
  throws: fc.constantFrom<Throws>("never", "always", "status", "final"),
  closesOn: fc.oneof(
    { weight: 3, arbitrary: fc.constant<ClosesOn>("never") },
    {
      weight: 1,
      arbitrary: fc.constantFrom<ClosesOn>(
        "pending",
        "opened",
        "action_started",
        "completed",
        "expired",
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<ClosesOn>(
        "connection:connecting",
        "connection:websocket",
        "connection:polling",
        "connection:unreachable",
      ),
    },
  ),
  prelude: fc.array(fc.constantFrom<"open" | "start">("open", "start"), {
    maxLength: 2,
  }),
  seed: fc.integer(),
});

const dt: fc.Arbitrary<number> = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 300 }) },
  { weight: 3, arbitrary: fc.integer({ min: 300, max: 4_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 4_000, max: 20_000 }) },
);

const count = (max: number) => fc.integer({ min: 1, max });

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 16, arbitrary: fc.constant<Action>({ kind: "open" }) },
  { weight: 12, arbitrary: fc.constant<Action>({ kind: "start" }) },
  {
    weight: 16,
    arbitrary: fc.record({
      kind: fc.constant("complete" as const),
      items: fc.integer({ min: 0, max: 2 }),
    }),
  },
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant("drop" as const),
      clean: fc.boolean(),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({ kind: fc.constant("refuse" as const), n: count(5) }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("stall" as const), n: count(2) }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("fail5xx" as const),
      n: count(6),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({ kind: fc.constant("hang" as const), n: count(3) }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("outage" as const),
      ms: fc.oneof(
        { weight: 12, arbitrary: fc.integer({ min: 200, max: 6_000 }) },
        { weight: 4, arbitrary: fc.integer({ min: 20_000, max: 70_000 }) },
      ),
    }),
  },
  { weight: 8, arbitrary: fc.constant<Action>({ kind: "halfOpen" }) },
  { weight: 4, arbitrary: fc.constant<Action>({ kind: "lose" }) },
  { weight: 8, arbitrary: fc.constant<Action>({ kind: "wait" }) },
  { weight: 4, arbitrary: fc.constant<Action>({ kind: "iterate" }) },
  { weight: 1, arbitrary: fc.constant<Action>({ kind: "restart" }) },
  { weight: 1, arbitrary: fc.constant<Action>({ kind: "close" }) },
);

/** A schedule: a configuration and up to 24 steps. */
export const schedule: fc.Arbitrary<Schedule> = fc.record({
  config,
  steps: fc.array(fc.record({ dt, action }), { maxLength: 24 }),
});

function actionText(a: Action): string {
  switch (a.kind) {
    case "complete":
      return `phone completes (${a.items} item${a.items === 1 ? "" : "s"})`;
    case "open":
    case "start":
      return `phone ${a.kind}s`;
    case "drop":
      return `server drops sockets ${
        a.clean ? "with a close frame (1001)" : "without one (1006)"
      }`;
    case "refuse":
      return `refuse the next ${a.n} upgrade(s)`;
    case "stall":
      return `stall the next ${a.n} handshake(s)`;
    case "fail5xx":
      return `answer the next ${a.n} request(s) with 5xx`;
    case "hang":
      return `hang the next ${a.n} request(s) until aborted`;
    case "outage":
      return `server unreachable for ${a.ms} ms`;
    case "halfOpen":
      return "open sockets go half-open";
    case "restart":
      return "server restarts and forgets the session";
    case "lose":
      return "the next broadcast misses the newest socket";
    case "wait":
      return "waitForResult()";
    case "iterate":
      return "events() iterator";
    case "close":
      return "session.close()";
  }
}

/** The schedule as text, one step per line with its fake time. */
export function describe(s: Schedule): string {
  const c = s.config;
  const lines = [
    `config: ${c.action}, ttl ${c.ttlMs} ms, latency ${c.latency[0]}–${
      c.latency[1]
    } ms, liveness ${c.livenessMs}, poll ${c.pollMs}, timeout ${c.timeoutMs}, reconnect ${c.initialDelayMs}/${c.maxDelayMs} ms, polling after ${c.attemptsBeforePolling}, stable after ${c.stableAfterMs}, listener throws ${c.throws}, closes on ${c.closesOn}, seed ${c.seed}`,
  ];
  let at = 0;
  for (const action of c.prelude) {
    at += 10;
    lines.push(`  t=${at} (before attach) phone ${action}s`);
  }
  if (c.prelude.length > 0) at += 5;
  lines.push(`  t=${at} client attaches`);
  s.steps.forEach((step, i) => {
    at += step.dt;
    lines.push(`  #${i} t=${at} ${actionText(step.action)}`);
  });
  return lines.join("\n");
}
