// Copyright 2026 the handoff authors. MIT license.
// A process that imports the library and does nothing else.
import "../../mod.ts";
