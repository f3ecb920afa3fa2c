// Copyright 2026 the handoff authors. MIT license.
// Timestamps and statuses as frames carry them: the arithmetic fast path
// against what `Date` reads, and the status order.

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  parseFrame,
  parseSessionInfo,
  parseTimestamp,
  rank,
} from "../../_wire.ts";
import { ProtocolError } from "../../errors.ts";

/**
 * The `createdAt` of a session the server sends with `created_at: value`
 * (`undefined` when it is refused), and whether `Date` was asked to parse a
 * string: the arithmetic fast path takes it when not.
 */
function readCreatedAt(
  value: string,
): { millis: number | undefined; byDate: boolean } {
  const RealDate = globalThis.Date;
  let byDate = false;
  globalThis.Date = new Proxy(RealDate, {
    construct(target, args, newTarget) {
      if (typeof args[0] === "string") byDate = true;
      return Reflect.construct(target, args, newTarget);
    },
  });
  try {
    const info = parseSessionInfo({
      id: "s1",
      status: "pending",
      action_type: "photo",
      output_format: "jpg",
      url: "http://127.0.0.1/s/s1",
      created_at: value,
      session_ttl: 600_000_000_000,
      result_ttl: 3_600_000_000_000,
    }, "GET /api/v1/sessions/s1");
    assert.notEqual(info.status, "expired");
    return {
      millis: info.status === "expired" ? undefined : info.createdAt.getTime(),
      byDate,
    };
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return { millis: undefined, byDate };
  } finally {
    globalThis.Date = RealDate;
  }
}

/** What the client did before the fast path: trim to milliseconds, `Date`. */
function reference(value: string): number {
  return new Date(value.replace(/(\.\d{3})\d+/, "$1")).getTime();
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/** RFC 3339 strings, fields in range or not (`Date` decides those). */
const timestamp = fc.record({
  year: fc.integer({ min: 0, max: 9999 }),
  month: fc.integer({ min: 0, max: 13 }),
  day: fc.integer({ min: 0, max: 32 }),
  hour: fc.integer({ min: 0, max: 24 }),
  minute: fc.integer({ min: 0, max: 60 }),
  second: fc.integer({ min: 0, max: 60 }),
  fraction: fc.option(fc.stringMatching(/^[0-9]{1,9}$/), { nil: undefined }),
  zone: fc.oneof(
    fc.constant("Z"),
    fc.record({
      sign: fc.constantFrom("+", "-"),
      hours: fc.integer({ min: 0, max: 24 }),
      minutes: fc.integer({ min: 0, max: 60 }),
    }).map(({ sign, hours, minutes }) =>
      `${sign}${pad(hours, 2)}:${pad(minutes, 2)}`
    ),
  ),
}).map((t) =>
  `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}T${pad(t.hour, 2)}:${
    pad(t.minute, 2)
  }:${pad(t.second, 2)}${
    t.fraction === undefined ? "" : `.${t.fraction}`
  }${t.zone}`
);

/** Every field in range: the fast path must take these. */
function inRange(value: string): boolean {
  const [year, month, day, hour, minute, second] = value.match(/\d+/g)!
    .slice(0, 6).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
  const zone = value.match(/([+-])(\d\d):(\d\d)$/);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return month >= 1 && month <= 12 && day >= 1 && day <= days[month - 1]! &&
    hour <= 23 && minute <= 59 && second <= 59 &&
    (zone === null || (Number(zone[2]) <= 23 && Number(zone[3]) <= 59));
}

Deno.test("timestamps in range are read by arithmetic, to the millisecond Date reads", () => {
  fc.assert(
    fc.property(timestamp.filter(inRange), (value) => {
      const { millis, byDate } = readCreatedAt(value);
      assert.equal(byDate, false, value);
      assert.equal(millis, reference(value), value);
      assert.equal(parseTimestamp(value, "frame").getTime(), millis, value);
    }),
    { numRuns: 5_000 },
  );
});

Deno.test("timestamps out of range read exactly as Date reads them, or fail", () => {
  fc.assert(
    fc.property(timestamp, (value) => {
      const expected = reference(value);
      if (Number.isNaN(expected)) {
        assert.throws(() => parseTimestamp(value, "frame"), ProtocolError);
      } else {
        assert.equal(parseTimestamp(value, "frame").getTime(), expected, value);
      }
    }),
    { numRuns: 5_000 },
  );
});

Deno.test("timestamps: the shapes the server sends, and the edges", () => {
  const cases: [string, string][] = [
    ["2026-11-22T02:07:46.87742371Z", "2026-11-22T02:07:46.877Z"],
    ["2026-11-22T02:07:46Z", "2026-11-22T02:07:46.000Z"],
    ["2026-11-22T02:07:46.8Z", "2026-11-22T02:07:46.800Z"],
    ["2026-11-22T03:07:46.123456789+01:00", "2026-11-22T02:07:46.123Z"],
    ["2026-11-21T20:37:46-05:30", "2026-11-22T02:07:46.000Z"],
    ["2024-02-29T23:59:59.999Z", "2024-02-29T23:59:59.999Z"],
    ["2000-02-29T00:00:00Z", "2000-02-29T00:00:00.000Z"],
    ["1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.500Z"],
    ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z"],
  ];
  for (const [wire, iso] of cases) {
    assert.equal(readCreatedAt(wire).byDate, false, wire);
    assert.equal(parseTimestamp(wire, "frame").toISOString(), iso, wire);
  }
  // Left to Date: not leap years, leap seconds, hour 24, other shapes.
  for (
    const wire of [
      "2100-02-29T00:00:00Z",
      "2026-02-29T00:00:00Z",
      "2026-12-31T23:59:60Z",
      "2026-11-22T24:00:00Z",
      "2026-11-22t02:07:46z",
      "2026-11-22T02:07:46.Z",
      "2026-11-22T02:07:46+0100",
      "2026-11-22T02:07:46",
      "2026-11-22T02:07:46Zjunk",
    ]
  ) {
    assert.equal(readCreatedAt(wire).byDate, true, wire);
    const expected = reference(wire);
    if (Number.isNaN(expected) || !/^\d{4}-\d\d-\d\dT/.test(wire)) {
      assert.throws(() => parseTimestamp(wire, "frame"), ProtocolError, wire);
    } else {
      assert.equal(parseTimestamp(wire, "frame").getTime(), expected, wire);
    }
  }
  for (
    const wire of ["", "yesterday", "2026-11-22", "１９７０-01-01T00:00:00Z"]
  ) {
    assert.throws(() => parseTimestamp(wire, "frame"), ProtocolError, wire);
  }
});

Deno.test("rank orders the statuses and knows no other string", () => {
  const order = ["pending", "opened", "action_started", "completed", "expired"];
  assert.deepEqual(order.map(rank), [0, 1, 2, 3, 4]);
  for (const other of ["", "Opened", "constructor", "__proto__", "toString"]) {
    assert.equal(rank(other), -1, other);
  }
  // parseFrame drops a frame with an unknown status.
  const frame = (status: string) =>
    JSON.stringify({
      type: "status_update",
      session_id: "s1",
      status,
      timestamp: "2026-11-22T02:07:46Z",
    });
  assert.equal(parseFrame(frame("constructor")), undefined);
  assert.equal(parseFrame(frame("opened"))?.status, "opened");
});

Deno.test("parseFrame: data only on completed frames, one shape for both", () => {
  const update = parseFrame(JSON.stringify({
    type: "status_update",
    session_id: "s1",
    status: "opened",
    timestamp: "2026-11-22T02:07:46Z",
  }))!;
  assert.equal(update.data, undefined);
  assert.equal(update.timestamp?.toISOString(), "2026-11-22T02:07:46.000Z");
  const completed = parseFrame(JSON.stringify({
    type: "completed",
    session_id: "s1",
    status: "completed",
    data: [{ download_id: "d", content_type: "image/jpeg", filename: "p.jpg" }],
    timestamp: "2026-11-22T02:07:46Z",
  }))!;
  assert.deepEqual(completed.data, [{
    download_id: "d",
    content_type: "image/jpeg",
    filename: "p.jpg",
  }]);
  assert.deepEqual(Object.keys(update), Object.keys(completed));
  // An unreadable timestamp leaves it to the session's clock.
  const unstamped = parseFrame(JSON.stringify({
    type: "status_update",
    session_id: "s1",
    status: "opened",
    timestamp: "yesterday",
  }));
  assert.ok(unstamped !== undefined && unstamped.timestamp === undefined);
});
