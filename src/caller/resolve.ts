/**
 * @module Who is calling: the session of a page (cookie), the session of a JSON request (Bearer
 * session token), or an API key with the scopes a route accepts. Features ask here; this folder
 * asks the sessions and API-key services, and src/http/ below it knows neither.
 */
import type { Context } from "hono";
import type { Deps } from "../deps.ts";
import { type ApiKeyPrincipal, authenticateApiKey, looksLikeApiKey } from "../apikeys/service.ts";
import { fail, type Failure } from "../lib/errors.ts";
import type { Scope } from "../lib/scopes.ts";
import { authenticateSession, type SessionContext } from "../sessions/service.ts";
import { bearerToken } from "../http/bearer.ts";
import { requestMeta } from "../http/client.ts";
import { readCookie } from "../http/cookies.ts";

/**
 * The session of a JSON request (Bearer only: the API never trusts cookies, so needs no CSRF).
 * An API key is refused here with its own code: every route that asks for a session manages
 * something a key must never touch.
 */
export async function apiSession(c: Context, deps: Deps) {
  const token = bearerToken(c);
  if (looksLikeApiKey(token)) return fail("api_key_not_allowed");
  return await authenticateSession(deps, token, requestMeta(c, deps.config));
}

export type ApiPrincipal =
  | { kind: "session"; ctx: SessionContext }
  | { kind: "api_key"; principal: ApiKeyPrincipal };

/** A session or an API key with one of `scopes`, for the few routes keys may use. */
export async function apiPrincipal(
  c: Context,
  deps: Deps,
  scopes: Scope[],
): Promise<{ ok: true; value: ApiPrincipal } | Failure> {
  const token = bearerToken(c);
  if (looksLikeApiKey(token)) {
    const r = await authenticateApiKey(deps, token!, requestMeta(c, deps.config));
    if (!r.ok) return r;
    if (!r.principal.scopes.some((s) => scopes.includes(s))) return fail("insufficient_scope");
    return { ok: true, value: { kind: "api_key", principal: r.principal } };
  }
  const s = await authenticateSession(deps, token, requestMeta(c, deps.config));
  return s.ok ? { ok: true, value: { kind: "session", ctx: s.ctx } } : s;
}

/** The session of a page request (cookie). */
export function pageSession(c: Context, deps: Deps) {
  return authenticateSession(
    deps,
    readCookie(c, deps.config, "session"),
    requestMeta(c, deps.config),
  );
}
