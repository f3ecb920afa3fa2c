// Copyright 2026 the handoff authors. MIT license.
// A Cloudflare Worker (module syntax) with the same handler as the Supabase
// function. `wrangler.toml` beside it sets HANDOFF_URL; the key is a secret:
// `wrangler secret put HANDOFF_API_KEY`.

import { createHandoffHandler } from "../supabase/functions/_shared/handoff.ts";

/** The Worker's bindings. */
export interface Env {
  /** The Handoff server's URL. */
  readonly HANDOFF_URL: string;
  /** An API key of that server (a secret). */
  readonly HANDOFF_API_KEY: string;
  /** `Access-Control-Allow-Origin` for a front-end on another origin. */
  readonly ALLOW_ORIGIN?: string;
}

// Bindings arrive with each request; build the handler once per `env`.
let cached:
  | { env: Env; handle: (request: Request) => Promise<Response> }
  | undefined;

// Cloudflare module workers are a default export.
export default {
  /**
   * Answer a request.
   *
   * @param request The request.
   * @param env The Worker's bindings.
   * @returns The answer.
   */
  fetch(request: Request, env: Env): Promise<Response> {
    if (cached?.env !== env) {
      cached = {
        env,
        handle: createHandoffHandler({
          baseUrl: env.HANDOFF_URL,
          apiKey: env.HANDOFF_API_KEY,
          maxWaitMs: 20_000,
          ...(env.ALLOW_ORIGIN ? { allowOrigin: env.ALLOW_ORIGIN } : {}),
        }),
      };
    }
    return cached.handle(request);
  },
};
