// Copyright 2026 the handoff authors. MIT license.
// Type tests: each `@ts-expect-error` line must fail to compile (`deno test`
// and `deno check` type-check this file; an expect-error line that compiles
// is itself an error). The functions are never called: only their types
// matter. The last test checks at run time what the types promise.

import assert from "node:assert/strict";
import {
  type AnySession,
  type BuiltSession,
  type CompletedEvent,
  type CreatedSessionInfo,
  HandoffClient,
  type ResultCompletedEvent,
  type ScanCompletedEvent,
  Session,
  type SessionEvent,
  type SessionOf,
} from "../../mod.ts";
import { startStubServer } from "../../testing.ts";

type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends
  (<T>() => T extends Y ? 1 : 2) ? true : false;
function expectType<T extends true>(_: T): void {}

declare const client: HandoffClient;

export async function createIsTypedByAction(): Promise<void> {
  const photo = await client.createSession({
    action: "photo",
    outputFormat: "jpg",
  });
  expectType<Equal<typeof photo, Session<"photo">>>(true);
  await photo.waitForResult();
  // @ts-expect-error a photo session has no scan result
  await photo.waitForScanResult();

  const scan = await client.createSession({ action: "scan" });
  expectType<Equal<typeof scan, Session<"scan">>>(true);
  await scan.waitForScanResult();
  // @ts-expect-error a scan session has no result items
  await scan.waitForResult();

  const signature = await client.createSession({
    action: "signature",
    outputFormat: "svg",
  });
  await signature.waitForResult();
  // @ts-expect-error a signature session has no scan result
  await signature.waitForScanResult();
}

export async function createWithoutWatching(): Promise<void> {
  const info = await client.createSession(
    { action: "scan", documentMode: "multi" },
    { watch: false },
  );
  expectType<Equal<typeof info, CreatedSessionInfo<"scan">>>(true);
  // @ts-expect-error what an unwatched create returns is data, not a Session
  await info.waitForScanResult();
  // @ts-expect-error nor can it be closed: nothing is held
  await info.close();
}

export async function builderIsTypedByAction(): Promise<void> {
  const scan = await client.newSession().withAction("scan")
    .withDocumentMode("single").invoke();
  expectType<Equal<typeof scan, Session<"scan">>>(true);
  // @ts-expect-error a scan built by the builder has no result items
  await scan.waitForResult();

  const photo = await client.newSession().withAction("photo")
    .withOutputFormat("png").invoke();
  await photo.waitForResult();
  // @ts-expect-error a photo built by the builder has no scan result
  await photo.waitForScanResult();
  // @ts-expect-error a photo is never an SVG
  client.newSession().withAction("photo").withOutputFormat("svg");
  // @ts-expect-error document modes are for scans
  client.newSession().withAction("signature").withDocumentMode("multi");

  const info = await client.newSession().withAction("signature")
    .withOutputFormat("svg").invoke({ watch: false });
  expectType<Equal<typeof info, CreatedSessionInfo<"signature">>>(true);
  expectType<Equal<BuiltSession<undefined>, never>>(true);
}

export async function attachIsNarrowedByActionType(): Promise<void> {
  const any = await client.attachSession("id");
  expectType<Equal<typeof any, AnySession>>(true);
  // @ts-expect-error the action is unknown until it is checked
  await any.waitForResult();
  // @ts-expect-error the action is unknown until it is checked
  await any.waitForScanResult();
  if (any.actionType === "scan") {
    await any.waitForScanResult();
  } else {
    expectType<Equal<typeof any, Session<"photo"> | Session<"signature">>>(
      true,
    );
    await any.waitForResult();
  }

  const photo = await client.attachSession("id", { actionType: "photo" });
  expectType<Equal<typeof photo, Session<"photo">>>(true);
  // @ts-expect-error attached as a photo session
  await photo.waitForScanResult();
  // @ts-expect-error not an action
  await client.attachSession("id", { actionType: "video" });
}

export function completedIsAUnionByAction(event: CompletedEvent): void {
  expectType<
    Equal<CompletedEvent, ResultCompletedEvent | ScanCompletedEvent>
  >(true);
  // @ts-expect-error `result` is only on photo and signature completions
  event.result;
  // @ts-expect-error `scanResult` is only on scan completions
  event.scanResult;
  if (event.actionType === "scan") {
    event.scanResult.documents satisfies readonly unknown[];
  } else {
    event.result satisfies readonly unknown[];
  }
  expectType<Equal<CompletedEvent<"photo">, ResultCompletedEvent>>(true);
  expectType<Equal<CompletedEvent<"scan">, ScanCompletedEvent>>(true);
}

export function eventsAreTypedBySession(
  scan: Session<"scan">,
  photo: Session<"photo">,
): void {
  scan.onEvent((event) => {
    if (event.type === "completed") event.scanResult satisfies object;
    // @ts-expect-error a scan session's completion has no `result`
    if (event.type === "completed") event.result;
  });
  photo.onEvent((event: SessionEvent<"photo">) => {
    if (event.type === "completed") event.result satisfies readonly unknown[];
  });
  expectType<
    Equal<SessionOf<"photo" | "scan">, Session<"photo"> | Session<"scan">>
  >(true);
}

export function sessionsAreNotConstructed(): void {
  // @ts-expect-error sessions come from the client: the constructor is internal
  new Session(null as never, null as never, 0);
}

Deno.test("the types match what the sessions do", async () => {
  await using server = await startStubServer();
  const live = new HandoffClient({
    baseUrl: server.url,
    apiKey: server.apiKey,
  });
  const info = await live.createSession(
    { action: "scan", scanOutputFormat: "images" },
    { watch: false },
  );
  assert.equal(info.actionType, "scan");
  assert.equal(info.status, "pending");
  assert.equal("close" in info, false);
  await server.phone.complete(info.id);

  await using any = await live.attachSession(info.id);
  assert.equal(any.actionType, "scan");
  const events: SessionEvent[] = [];
  for await (const event of any.events()) events.push(event);
  const completed = events.at(-1);
  assert.equal(completed?.type, "completed");
  assert.ok(completed?.type === "completed");
  assert.equal(completed.actionType, "scan");
  assert.ok(completed.actionType === "scan");
  assert.equal(completed.scanResult.documents.length, 1);
  assert.equal("result" in completed, false);

  await assert.rejects(
    live.attachSession(info.id, { actionType: "photo" }),
    {
      name: "TypeError",
      message: new RegExp(`Session ${info.id} is a scan session, not a photo`),
    },
  );
});
