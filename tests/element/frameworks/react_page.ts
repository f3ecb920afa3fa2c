// Copyright 2026 the handoff authors. MIT license.
// <handoff-session> in a React 19 page (bundled for Chromium by
// frameworks_test.ts): a text attribute, and the element's events as React
// props (`onhandoff-status`), which React 19 attaches as DOM listeners.
import { createElement, useState } from "react";
import { createRoot } from "react-dom/client";
import "../../../element.ts";

interface Detail {
  readonly status: string;
}

function App(): unknown {
  const [log, setLog] = useState<string[]>([]);
  const add = (event: Event) =>
    setLog((
      seen: string[],
    ) => [...seen, (event as CustomEvent<Detail>).detail.status]);
  return createElement(
    "div",
    null,
    createElement("handoff-session", {
      src: "/events",
      "text-done": "Fini",
      "onhandoff-status": add,
      "onhandoff-completed": add,
    }),
    createElement("p", { id: "log" }, log.join(",")),
  );
}

const root = (globalThis as unknown as {
  document: { getElementById(id: string): unknown };
}).document.getElementById("root");
createRoot(root as Parameters<typeof createRoot>[0]).render(
  createElement(App as () => null),
);
