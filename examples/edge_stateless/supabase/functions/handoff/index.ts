// Copyright 2026 the handoff authors. MIT license.
// A Supabase Edge Function: `supabase functions deploy handoff`, then
// `supabase secrets set HANDOFF_URL=… HANDOFF_API_KEY=…`. It answers under
// `/functions/v1/handoff`, which reaches the function as `/handoff`.

import { createHandoffHandler } from "../_shared/handoff.ts";

const baseUrl = Deno.env.get("HANDOFF_URL");
const apiKey = Deno.env.get("HANDOFF_API_KEY");
if (!baseUrl || !apiKey) {
  throw new Error("Set the HANDOFF_URL and HANDOFF_API_KEY secrets.");
}
const allowOrigin = Deno.env.get("ALLOW_ORIGIN");

Deno.serve(createHandoffHandler({
  baseUrl,
  apiKey,
  // Supabase ends a request after 150 s; answer well before.
  maxWaitMs: 20_000,
  ...(allowOrigin ? { allowOrigin } : {}),
}));
