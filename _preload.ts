// Copyright 2026 the handoff authors. MIT license.
// Every module on mod.ts's import path, in the order they run, imported by
// mod.ts first. Deno's loader sees a module's imports only once it has that
// module, so a graph seven modules deep loads in seven rounds; listed here,
// the whole graph is known by the third (mod.ts, this file, the list): −2 ms
// of a fresh process's 6–7 ms import (bench/README.md, issue #17). The order
// is the one they evaluate in anyway, so nothing runs earlier than it would;
// tests/import_test.ts checks that the list is whole and in order.

import "./_duration.ts";
import "./formats.ts";
import "./_request.ts";
import "./errors.ts";
import "./_body.ts";
import "./_runtime_timer.ts";
import "./_timers.ts";
import "./options.ts";
import "./_options.ts";
import "./_retry.ts";
import "./_http.ts";
import "./_release.ts";
import "./_base64.ts";
import "./_sha1.ts";
import "./_deno_websocket.ts";
import "./_socket.ts";
import "./_wire.ts";
import "./builder.ts";
import "./_delivery.ts";
import "./_sync.ts";
import "./_link.ts";
import "./_deflate.ts";
import "./_qr.ts";
import "./session.ts";
import "./client.ts";
import "./qr.ts";
import "./_sse.ts";
import "./relay.ts";
