// Copyright 2026 the handoff authors. MIT license.
/**
 * The dashboard's access token, for when it listens on a network: anyone who
 * reaches it could otherwise create sessions with the operator's API key and
 * download their results. As notebook servers do, the start-up URL carries a
 * random token (`/?token=…`); the first request with it is answered with a
 * redirect to the same URL without it and an `HttpOnly`, `SameSite=Strict`
 * cookie, and every request after that needs the cookie (or the token).
 *
 * @module
 */

/** The query parameter of the start-up URL that carries the token. */
export const TOKEN_PARAM = "token";

/**
 * A fresh access token: 32 random bytes (256 bits), base64url without
 * padding.
 *
 * @returns The token.
 */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-")
    .replaceAll("/", "_").replace(/=+$/, "");
}

const encoder = new TextEncoder();

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(
    await crypto.subtle.digest("SHA-256", encoder.encode(text)),
  );
}

/**
 * Whether `given` is `expected`, in time that does not depend on where they
 * differ (both are hashed first, so neither does their length).
 *
 * @param given What the request carried.
 * @param expected The token.
 * @returns Whether they are the same.
 */
export async function sameSecret(
  given: string,
  expected: string,
): Promise<boolean> {
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** The value of one cookie of a `Cookie` header, or `undefined`. */
export function cookieValue(
  header: string | null,
  name: string,
): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) {
      return part.slice(eq + 1).trim();
    }
  }
  return undefined;
}

/** The answer to a request without a valid token: 401, and nothing more. */
export function unauthorized(): Response {
  return new Response(null, {
    status: 401,
    headers: { "cache-control": "no-store" },
  });
}

/**
 * The gate in front of every route of a dashboard that needs a token.
 *
 * @param token The token.
 * @param cookieName The cookie that carries it (one per port: browsers share
 *   a host's cookies across its ports).
 * @returns A check of each request: `undefined` lets it through; otherwise
 *   the answer to send (401, or the redirect that sets the cookie).
 */
export function tokenGate(
  token: string,
  cookieName: string,
): (req: Request, url: URL) => Promise<Response | undefined> {
  return async (req, url) => {
    const query = url.searchParams.get(TOKEN_PARAM);
    if (query !== null) {
      if (!(await sameSecret(query, token))) return unauthorized();
      if (req.method !== "GET" && req.method !== "HEAD") return undefined;
      // Trade the token for the cookie, and take it out of the address bar
      // (and of the history, and of what is bookmarked or shared).
      const clean = new URL(url);
      clean.searchParams.delete(TOKEN_PARAM);
      return new Response(null, {
        status: 303,
        headers: {
          location: clean.pathname + clean.search,
          "set-cookie":
            `${cookieName}=${token}; Path=/; HttpOnly; SameSite=Strict`,
          "cache-control": "no-store",
          "referrer-policy": "no-referrer",
        },
      });
    }
    const authorization = req.headers.get("authorization");
    const given = authorization?.startsWith("Bearer ")
      ? authorization.slice("Bearer ".length).trim()
      : cookieValue(req.headers.get("cookie"), cookieName);
    return given !== undefined && await sameSecret(given, token)
      ? undefined
      : unauthorized();
  };
}
