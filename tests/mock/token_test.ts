// Copyright 2026 the handoff authors. MIT license.
// The dashboard's access token. Off loopback every request needs it; the
// tests may only listen on 127.0.0.1, so they force it with
// `requireToken: true`.

import assert from "node:assert/strict";
import { type Dashboard, startDashboard } from "../../mock/dashboard.ts";
import { cookieValue, newToken, sameSecret } from "../../mock/auth.ts";
import { RelayStream } from "./_helpers.ts";

/** Send a request, never following a redirect, and read the whole answer. */
async function send(
  dashboard: Dashboard,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(new URL(path, dashboard.url), {
    redirect: "manual",
    ...init,
  });
  return {
    status: response.status,
    headers: response.headers,
    text: await response.text(),
  };
}

/** Trade the start-up URL's token for the cookie; the `Cookie` header. */
async function signIn(dashboard: Dashboard): Promise<string> {
  const reply = await send(dashboard, dashboard.url);
  assert.equal(reply.status, 303);
  const cookie = reply.headers.get("set-cookie")!;
  return cookie.slice(0, cookie.indexOf(";"));
}

/** One request of each kind of route: the page, its files, the API. */
function everyRoute(sessionId: string, downloadId: string) {
  return [
    ["GET", "/"],
    ["HEAD", "/"],
    ["GET", "/app.js"],
    ["GET", "/style.css"],
    ["GET", "/api/sessions"],
    ["POST", "/api/sessions"],
    ["GET", `/api/sessions/${sessionId}`],
    ["DELETE", `/api/sessions/${sessionId}`],
    ["GET", `/api/sessions/${sessionId}/events`],
    ["GET", `/api/downloads/${downloadId}`],
    ["GET", `/api/downloads/${downloadId}?download=1`],
    ["GET", `/api/downloads/${downloadId}/pages`],
    ["GET", "/nowhere"],
  ] as const;
}

const PHOTO = JSON.stringify({ action: "photo", outputFormat: "jpg" });

async function completedPhoto(
  dashboard: Dashboard,
  cookie: string,
): Promise<{ id: string; downloadId: string }> {
  const created = await send(dashboard, "/api/sessions", {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: PHOTO,
  });
  assert.equal(created.status, 201, created.text);
  const { id } = JSON.parse(created.text).session;
  await dashboard.stub!.phone.complete(id);
  for (let i = 0; i < 300; i++) {
    const view = await send(dashboard, `/api/sessions/${id}`, {
      headers: { cookie },
    });
    const downloadId = JSON.parse(view.text).session.result?.[0]?.downloadId;
    if (downloadId) return { id, downloadId };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the dashboard never saw the completion");
}

Deno.test("newToken() makes 256 random bits in base64url, and sameSecret() compares them", async () => {
  const a = newToken();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, newToken());
  assert.equal(await sameSecret(a, a), true);
  assert.equal(await sameSecret(a.slice(0, -1), a), false);
  assert.equal(await sameSecret("", a), false);
  assert.equal(cookieValue("a=1; b=2 ;c=3", "b"), "2");
  assert.equal(cookieValue("ab=1", "b"), undefined);
  assert.equal(cookieValue(null, "b"), undefined);
});

Deno.test("a dashboard that needs a token puts it in its URL, and refuses every route without it with a bare 401", async () => {
  await using dashboard = await startDashboard({
    port: 0,
    requireToken: true,
  });
  const token = dashboard.token!;
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(new URL(dashboard.url).searchParams.get("token"), token);
  assert.equal(new URL(dashboard.url).pathname, "/");
  const cookie = await signIn(dashboard);
  const { id, downloadId } = await completedPhoto(dashboard, cookie);

  const strangers: [string, Record<string, string>][] = [
    ["no cookie", {}],
    ["a wrong cookie", { cookie: cookie.replace(/=.*/, "=nope") }],
    ["a cookie of another name", { cookie: `other=${token}` }],
    ["a wrong bearer token", { authorization: "Bearer nope" }],
  ];
  for (const [who, headers] of strangers) {
    for (const [method, path] of everyRoute(id, downloadId)) {
      const reply = await send(dashboard, path, {
        method,
        headers: { "content-type": "application/json", ...headers },
        ...(method === "POST" ? { body: PHOTO } : {}),
      });
      assert.equal(reply.status, 401, `${method} ${path} with ${who}`);
      assert.equal(reply.text, "", `${method} ${path}: no detail`);
      assert.equal(reply.headers.get("set-cookie"), null);
    }
  }
  // Nothing was created or removed meanwhile.
  const list = await send(dashboard, "/api/sessions", { headers: { cookie } });
  assert.deepEqual(
    JSON.parse(list.text).sessions.map((s: { id: string }) => s.id),
    [id],
  );
});

Deno.test("the start-up URL's token is traded for an HttpOnly, SameSite=Strict cookie by a redirect to the same URL without it", async () => {
  await using dashboard = await startDashboard({
    port: 0,
    requireToken: true,
  });
  const token = dashboard.token!;
  const reply = await send(dashboard, dashboard.url);
  assert.equal(reply.status, 303);
  assert.equal(reply.headers.get("location"), "/");
  assert.equal(reply.headers.get("cache-control"), "no-store");
  const cookie = reply.headers.get("set-cookie")!;
  const [pair, ...attributes] = cookie.split(";").map((part) => part.trim());
  assert.equal(pair!.split("=")[1], token);
  assert.match(pair!, /^handoff_dashboard_\d+=/);
  assert.deepEqual(attributes.sort(), [
    "HttpOnly",
    "Path=/",
    "SameSite=Strict",
  ]);

  // Other query parameters stay; the token goes.
  const deep = await send(
    dashboard,
    `/api/sessions?a=1&token=${encodeURIComponent(token)}&b=2`,
  );
  assert.equal(deep.status, 303);
  assert.equal(deep.headers.get("location"), "/api/sessions?a=1&b=2");

  // With the cookie, or the token itself, every route answers.
  for (
    const headers of [{ cookie: pair! }, { authorization: `Bearer ${token}` }]
  ) {
    const page = await send(dashboard, "/", { headers });
    assert.equal(page.status, 200);
    assert.match(page.text, /<!DOCTYPE html>/);
    assert.equal((await send(dashboard, "/app.js", { headers })).status, 200);
    const list = await send(dashboard, "/api/sessions", { headers });
    assert.equal(list.status, 200);
    assert.deepEqual(JSON.parse(list.text).sessions, []);
  }
  const { id, downloadId } = await completedPhoto(dashboard, pair!);
  const file = await send(dashboard, `/api/downloads/${downloadId}`, {
    headers: { cookie: pair! },
  });
  assert.equal(file.status, 200);
  assert.equal(file.headers.get("content-type"), "image/jpeg");

  // The relay stream, as an EventSource would open it with the cookie.
  const relay = await fetch(
    new URL(`/api/sessions/${id}/events`, dashboard.url),
    { headers: { cookie: pair! } },
  );
  assert.equal(relay.status, 200);
  assert.match(await relay.text(), /^event: completed$/m);

  // A wrong token is refused, and sets no cookie.
  for (const wrong of ["nope", token.slice(1), `${token}x`, ""]) {
    const refused = await send(dashboard, `/?token=${wrong}`);
    assert.equal(refused.status, 401, `?token=${wrong}`);
    assert.equal(refused.headers.get("set-cookie"), null);
  }
});

Deno.test("each dashboard has its own token and cookie", async () => {
  await using a = await startDashboard({ port: 0, requireToken: true });
  await using b = await startDashboard({ port: 0, requireToken: true });
  assert.notEqual(a.token, b.token);
  const cookieOfA = await signIn(a);
  assert.notEqual(cookieOfA.split("=")[0], (await signIn(b)).split("=")[0]);
  const reply = await send(b, "/", { headers: { cookie: cookieOfA } });
  assert.equal(reply.status, 401);
  assert.equal((await send(b, `/?token=${a.token}`)).status, 401);
});

Deno.test("a loopback dashboard needs no token", async () => {
  await using dashboard = await startDashboard({ port: 0 });
  assert.equal(dashboard.token, undefined);
  assert.equal(new URL(dashboard.url).search, "");
  const page = await send(dashboard, "/");
  assert.equal(page.status, 200);
  assert.equal(page.headers.get("set-cookie"), null);
  const list = await send(dashboard, "/api/sessions");
  assert.equal(list.status, 200);
  const stream = await RelayStream.open(
    dashboard,
    JSON.parse(
      (await send(dashboard, "/api/sessions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: PHOTO,
      })).text,
    ).session.id,
  );
  assert.equal((await stream.event("session")).event, "session");
  await stream.close();
});
