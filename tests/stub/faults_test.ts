// Copyright 2026 the handoff authors. MIT license.
// Fault injection (every StubFaults method; the half-open fault is in
// silence_test.ts) and stats().

import assert from "node:assert/strict";
import type { StubRoute } from "../../testing.ts";
import {
  api,
  assertAbnormalClose,
  assertError,
  completedPhoto,
  createSession,
  delay,
  rawUpgrade,
  waitUntil,
  withStub,
} from "./_helpers.ts";

Deno.test("dropWebSockets() cuts every socket without a close frame: clients see 1006", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const a = await h.open(s.id);
    const b = await h.open(s.id);
    await a.next();
    await b.next();
    await waitUntil(() => h.stub.stats().openWebSockets === 2);
    assert.equal(h.stub.faults.dropWebSockets(), 2);
    assertAbnormalClose(await a.closed);
    assertAbnormalClose(await b.closed);
    await waitUntil(() => h.stub.stats().openWebSockets === 0);
    // The server keeps answering and accepts new sockets.
    const c = await h.open(s.id);
    assert.equal((await c.next()).status, "pending");
    await c.close();
  });
});

Deno.test("dropWebSockets({ closeFrame: true }) sends a close frame with 1001 or the given code", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    const a = await h.open(s.id);
    await a.next();
    assert.equal(h.stub.faults.dropWebSockets({ closeFrame: true }), 1);
    assert.equal((await a.closed).code, 1001);
    const b = await h.open(s.id);
    await b.next();
    assert.equal(
      h.stub.faults.dropWebSockets({ closeFrame: true, code: 4000 }),
      1,
    );
    assert.equal((await b.closed).code, 4000);
    assert.equal(h.stub.faults.dropWebSockets(), 0);
  });
});

Deno.test("refuseUpgrades(n) refuses the next n upgrades with 503, then they succeed", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    h.stub.faults.refuseUpgrades(2);
    const first = await rawUpgrade(h.stub, s.id);
    assert.equal(first.status, 503);
    assert.equal(first.text, `{"error":"service unavailable"}`);
    const second = h.ws(s.id);
    assert.equal(await second.opened, false);
    assertAbnormalClose(await second.closed);
    const third = await h.open(s.id);
    assert.equal((await third.next()).status, "pending");
    await third.close();
  });
});

Deno.test("refuseUpgrades(n, status) uses the given status", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    h.stub.faults.refuseUpgrades(1, 502);
    const refused = await rawUpgrade(h.stub, s.id);
    assert.equal(refused.status, 502);
    const ok = await rawUpgrade(h.stub, s.id);
    assert.equal(ok.status, 101);
  });
});

Deno.test("failRequests(route, n, status) fails the next n requests to that route only", async () => {
  await withStub(async (h) => {
    const { id, items } = await completedPhoto(h.stub);
    const paths: Record<Exclude<StubRoute, "websocket">, [string, unknown]> = {
      create: ["/api/v1/sessions", {
        action_type: "photo",
        output_format: "jpg",
      }],
      session: [`/api/v1/sessions/${id}`, undefined],
      result: [`/api/v1/sessions/${id}/result`, undefined],
      download: [`/api/v1/downloads/${items[0]!.downloadId}`, undefined],
      health: ["/api/v1/health", undefined],
      version: ["/api/v1/version", undefined],
    };
    const call = (route: keyof typeof paths) => {
      const [path, body] = paths[route];
      return api(h.stub, path, body === undefined ? {} : { body });
    };
    const okStatus = (route: string) => route === "create" ? 201 : 200;
    for (const route of Object.keys(paths) as (keyof typeof paths)[]) {
      h.stub.faults.failRequests(route, 2, 503);
      // Other routes are unaffected.
      for (const other of Object.keys(paths) as (keyof typeof paths)[]) {
        if (other === route) continue;
        assert.equal((await call(other)).status, okStatus(other), other);
      }
      assertError(await call(route), 503, "injected fault");
      assertError(await call(route), 503, "injected fault");
      assert.equal((await call(route)).status, okStatus(route), route);
    }
  });
});

Deno.test("failRequests defaults to 500, counts add up per route, and applies to the websocket route", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    h.stub.faults.failRequests("session", 1);
    h.stub.faults.failRequests("session", 1);
    assertError(
      await api(h.stub, `/api/v1/sessions/${s.id}`),
      500,
      "injected fault",
    );
    assertError(
      await api(h.stub, `/api/v1/sessions/${s.id}`),
      500,
      "injected fault",
    );
    assert.equal((await api(h.stub, `/api/v1/sessions/${s.id}`)).status, 200);

    h.stub.faults.failRequests("websocket", 1, 502);
    const refused = await rawUpgrade(h.stub, s.id);
    assert.equal(refused.status, 502);
    assert.equal(refused.text, `{"error":"injected fault"}`);
    const ok = await h.open(s.id);
    assert.equal((await ok.next()).status, "pending");
    await ok.close();
  });
});

Deno.test("faults never apply to StubPhone calls", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    h.stub.faults.setLatency(20_000);
    h.stub.faults.failRequests("session", 5);
    // If the 20 s latency applied, this would not finish within 5 s.
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        h.stub.phone.complete(s.id),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error("StubPhone call was delayed")),
            5000,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    assert.equal(h.stub.session(s.id)?.status, "completed");
    h.stub.faults.reset();
  });
});

Deno.test("setLatency(ms) delays HTTP answers and upgrades; 0 turns it off", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    h.stub.faults.setLatency(300);
    let started = performance.now();
    const reply = await api(h.stub, "/api/v1/health");
    assert.equal(reply.status, 200);
    assert.ok(performance.now() - started >= 250, "HTTP answer delayed");
    started = performance.now();
    const ws = await h.open(s.id);
    assert.ok(performance.now() - started >= 250, "upgrade delayed");
    assert.equal((await ws.next()).status, "pending");
    await ws.close();
    h.stub.faults.setLatency(0);
    assert.equal((await api(h.stub, "/api/v1/health")).status, 200);
  });
});

Deno.test("restart({ keepState: true }) cuts sockets with 1006 and keeps sessions on the same URL", async () => {
  await withStub(async (h) => {
    const { id, items } = await completedPhoto(h.stub);
    const pending = await createSession(h.stub);
    const ws = await h.open(pending.id);
    await ws.next();
    const url = h.stub.url;
    await h.stub.faults.restart({ keepState: true });
    assertAbnormalClose(await ws.closed);
    assert.equal(h.stub.url, url);
    assert.equal((await api(h.stub, "/api/v1/health")).status, 200);
    assert.equal(
      (await api(h.stub, `/api/v1/sessions/${pending.id}`)).json.status,
      "pending",
    );
    assert.equal(
      (await api(h.stub, `/api/v1/sessions/${id}/result`)).status,
      200,
    );
    assert.equal(
      (await api(h.stub, `/api/v1/downloads/${items[0]!.downloadId}`)).status,
      200,
    );
    const again = await h.open(pending.id);
    assert.equal((await again.next()).status, "pending");
    await h.stub.phone.open(pending.id);
    assert.equal((await again.next()).status, "opened");
    await again.close();
  });
});

Deno.test("restart({ keepState: false }) forgets every session and file", async () => {
  await withStub(async (h) => {
    const { id, items } = await completedPhoto(h.stub);
    const ws = await h.open(id);
    await ws.next();
    await h.stub.faults.restart({ keepState: false });
    assertAbnormalClose(await ws.closed);
    assertError(
      await api(h.stub, `/api/v1/sessions/${id}`),
      404,
      "session not found",
    );
    assertError(
      await api(h.stub, `/api/v1/downloads/${items[0]!.downloadId}`),
      404,
      "file not found or expired",
    );
    assert.equal(h.stub.sessions().length, 0);
    assert.equal(h.stub.session(id), undefined);
    assert.equal((await createSession(h.stub)).status, "pending");
  });
});

Deno.test("restart({ downtimeMs }) refuses connections during the downtime, then answers", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    let done = false;
    const restarting = h.stub.faults.restart({ downtimeMs: 400 }).finally(
      () => {
        done = true;
      },
    );
    let refused = false;
    while (!done && !refused) {
      try {
        const res = await fetch(h.stub.url + "/api/v1/health");
        await res.body?.cancel();
        await delay(10);
      } catch {
        refused = true;
      }
    }
    await restarting;
    assert.ok(refused, "a request during the downtime was refused");
    assert.equal(
      (await api(h.stub, `/api/v1/sessions/${s.id}`)).json.status,
      "pending",
    );
  });
});

Deno.test("reset() clears refusals, failures, latency and future silence", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    h.stub.faults.refuseUpgrades(5);
    h.stub.faults.failRequests("health", 5);
    h.stub.faults.failRequests("session", 5, 503);
    h.stub.faults.setLatency(10_000);
    h.stub.faults.goSilent({ future: true });
    h.stub.faults.reset();
    const started = performance.now();
    assert.equal((await api(h.stub, "/api/v1/health")).status, 200);
    assert.equal((await api(h.stub, `/api/v1/sessions/${s.id}`)).status, 200);
    assert.ok(performance.now() - started < 5000, "latency cleared");
    const ws = await h.open(s.id);
    assert.equal((await ws.next()).status, "pending");
    await ws.close();
  });
});

Deno.test("stats() counts requests by route, upgrades, open sockets and how the key was presented", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    await api(h.stub, `/api/v1/sessions/${s.id}`);
    await api(h.stub, `/api/v1/sessions/${s.id}/result`);
    await api(h.stub, "/api/v1/health");
    await api(h.stub, "/api/v1/version");
    await api(h.stub, "/nope");
    await api(h.stub, `/s/${s.id}`, { key: null });
    const viaHeader = await h.open(s.id);
    const viaQuery = await h.open(s.id, { key: null, query: h.stub.apiKey });
    await viaHeader.next();
    await viaQuery.next();
    await h.stub.phone.complete(s.id); // not counted: no network
    const { items } = await completedPhoto(h.stub); // one more create
    await api(h.stub, `/api/v1/downloads/${items[0]!.downloadId}`);
    await waitUntil(() => h.stub.stats().openWebSockets === 2);
    const stats = h.stub.stats();
    assert.equal(stats.requests.create, 2);
    assert.equal(stats.requests.session, 1);
    assert.equal(stats.requests.result, 1);
    assert.equal(stats.requests.download, 1);
    assert.equal(stats.requests.health, 1);
    assert.equal(stats.requests.version, 1);
    assert.equal(stats.requests.phone, 1);
    assert.equal(stats.requests.other, 1);
    assert.equal(stats.requests.websocket, 2);
    assert.equal(stats.upgrades, 2);
    assert.equal(stats.openWebSockets, 2);
    assert.deepEqual({ ...stats.upgradeAuth }, { header: 1, query: 1 });
    await viaHeader.close();
    await viaQuery.close();
    await waitUntil(() => h.stub.stats().openWebSockets === 0);
    assert.equal(h.stub.stats().upgrades, 2);
  });
});

Deno.test("stats() does not count refused upgrades as accepted", async () => {
  await withStub(async (h) => {
    const s = await createSession(h.stub);
    await rawUpgrade(h.stub, s.id, { key: "wrong" });
    h.stub.faults.refuseUpgrades(1);
    await rawUpgrade(h.stub, s.id);
    const ok = await h.open(s.id, { key: "", query: h.stub.apiKey });
    await ok.next();
    const stats = h.stub.stats();
    assert.equal(stats.upgrades, 1);
    assert.deepEqual({ ...stats.upgradeAuth }, { header: 0, query: 1 });
    assert.equal(stats.requests.websocket, 3);
    await ok.close();
  });
});
