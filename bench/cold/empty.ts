// Copyright 2026 the handoff authors. MIT license.
// The floor of the cold-start figure: a process that imports nothing.
