/**
 * @module Who is calling: the session of a page (cookie), the session of a JSON request (Bearer
 * session token), or an API key with the scopes a route accepts. Features ask here; this folder
 * asks the sessions and API-key services, and src/http/ below it knows neither.
 */
import type { Context } from "hono";
import type { z } from "zod";
import type { Deps } from "../deps.ts";
import { type ApiKeyPrincipal, authenticateApiKey, looksLikeApiKey } from "../apikeys/service.ts";
import { fail, type Failure } from "../lib/errors.ts";
import type { Scope } from "../lib/scopes.ts";
import { authenticateSession, type SessionContext } from "../sessions/service.ts";
import { bearerToken } from "../http/bearer.ts";
import { requestMeta } from "../http/client.ts";
import { readCookie } from "../http/cookies.ts";
import { jsonFailure } from "../http/respond.ts";
import { jsonBody, validJson } from "../http/validate.ts";

/**
 * The session of a JSON request (Bearer only: the API never trusts cookies, so needs no CSRF).
 * An API key is refused here with its own code: every route that asks for a session manages
 * something a key must never touch.
 */
export function apiSession(c: Context, deps: Deps) {
  return once(c, "caller.session", async () => {
    const token = bearerToken(c);
    if (looksLikeApiKey(token)) return fail("api_key_not_allowed");
    return await authenticateSession(deps, token, requestMeta(c, deps.config), c.get("arrival"));
  });
}

/**
 * Resolves the caller once a request: the auth-first middleware (src/caller/auth_first.ts) and
 * the handler after it ask the same question, and the second one gets the first one's answer
 * from the request's context instead of checking the token and looking the session up again.
 */
function once<T>(c: Context, key: string, resolve: () => Promise<T>): Promise<T> {
  const known = c.get(key) as Promise<T> | undefined;
  if (known) return known;
  const answer = resolve();
  c.set(key, answer);
  return answer;
}

export type ApiPrincipal =
  | { kind: "session"; ctx: SessionContext }
  | { kind: "api_key"; principal: ApiKeyPrincipal };

/** A session or an API key with one of `scopes`, for the few routes keys may use. */
export function apiPrincipal(
  c: Context,
  deps: Deps,
  scopes: Scope[],
): Promise<{ ok: true; value: ApiPrincipal } | Failure> {
  return once(c, `caller.principal:${scopes.join(",")}`, async () => {
    const token = bearerToken(c);
    if (looksLikeApiKey(token)) {
      const r = await authenticateApiKey(deps, token!, requestMeta(c, deps.config));
      if (!r.ok) return r;
      if (!r.principal.scopes.some((s) => scopes.includes(s))) return fail("insufficient_scope");
      return { ok: true, value: { kind: "api_key", principal: r.principal } };
    }
    const s = await authenticateSession(
      deps,
      token,
      requestMeta(c, deps.config),
      c.get("arrival"),
    );
    return s.ok ? { ok: true, value: { kind: "session", ctx: s.ctx } } : s;
  });
}

export type SessionCheck = (
  c: Context,
  deps: Deps,
) => Promise<{ ok: true; ctx: SessionContext } | Failure>;

export type CallerHandler = (c: Context, ctx: SessionContext) => Promise<Response>;

/** What a caller who does not pass the check gets instead of the handler's answer. */
export type Refusal = (c: Context, failure: Failure) => Response | Promise<Response>;

/**
 * A handler for callers that pass `check` (a JSON session by default; admin routes pass
 * `adminApiSession`, pages `pageSession`): anyone else gets `refuse` (by default the check's
 * refusal as JSON) and the handler never runs. JSON handlers behind it read their validated
 * body with `validJson()`.
 */
export const withCaller =
  (deps: Deps, check: SessionCheck = apiSession, refuse: Refusal = jsonFailure) =>
  (handler: CallerHandler) =>
  async (c: Context) => {
    const s = await check(c, deps);
    if (!s.ok) return await refuse(c, s);
    return await handler(c, s.ctx);
  };

/**
 * The handlers of a JSON route that reads a body, for callers that pass `guard` (a
 * `withCaller(...)`): `jsonBody(schema)` validates the body (and is the route's request body in
 * the OpenAPI document), then the guard checks the caller, and `handler` gets the validated body.
 * Spread them after the route's `describe()` entry.
 */
export function withBody<T extends z.ZodType>(
  schema: T,
  guard: (handler: CallerHandler) => (c: Context) => Promise<Response>,
  handler: (c: Context, ctx: SessionContext, body: z.output<T>) => Promise<Response>,
) {
  return [jsonBody(schema), guard((c, ctx) => handler(c, ctx, validJson(c, schema)))] as const;
}

/** A JSON GET of the caller's own rows (a session's user): `{ [key]: rows.map(toJson) }`. */
export const ownList = <T>(
  deps: Deps,
  key: string,
  load: (userId: string) => Promise<T[]>,
  toJson: (row: T) => unknown,
) => withCaller(deps)(async (c, ctx) => c.json({ [key]: (await load(ctx.user.id)).map(toJson) }));

/** For pages: a stranger goes to the login, and comes back to `back` afterwards. */
export const toLogin = (back: string): Refusal => (c) =>
  c.redirect(`/login?redirect=${encodeURIComponent(back)}`, 303);

/** The session of a page request (cookie). */
export function pageSession(c: Context, deps: Deps) {
  return authenticateSession(
    deps,
    readCookie(c, deps.config, "session"),
    requestMeta(c, deps.config),
    c.get("arrival"),
  );
}
