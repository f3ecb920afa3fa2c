// Copyright 2026 the handoff authors. MIT license.
// <handoff-session> in a Vue 3 page (bundled for Chromium by
// frameworks_test.ts): `src` set as a property, a text attribute, and the
// element's events as Vue listeners (`onHandoff-status`).
import { createApp, h, ref } from "vue";
import "../../../element.ts";

const log = ref<string[]>([]);
const add = (event: Event) => {
  log.value = [
    ...log.value,
    (event as CustomEvent<{ status: string }>).detail.status,
  ];
};

createApp({
  render: () =>
    h("div", [
      h("handoff-session", {
        src: "/events",
        "text-done": "Fini",
        "onHandoff-status": add,
        "onHandoff-completed": add,
      }),
      h("p", { id: "log" }, log.value.join(",")),
    ]),
}).mount("#root");
