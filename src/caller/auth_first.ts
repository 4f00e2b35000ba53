/**
 * @module Authenticate before validating (SECURITY.md, "Resources and input"): a caller without
 * the credentials a JSON route requires learns nothing beyond 401/403, never what is wrong with
 * its input. `jsonBody()` validates in front of the handler, which then checks credentials; so
 * on every route that has both, this one middleware (mounted once on /api/*) checks the
 * credentials the route's OpenAPI entry names first, before the body is read. The handler
 * asks again as before and keeps its own answers for a caller who has them; a session or API
 * key resolved here is kept in the request's context (src/caller/resolve.ts), so the token is
 * checked and the session looked up once.
 */
import type { Context, MiddlewareHandler } from "hono";
import { adminApiSession } from "../admin/guard.ts";
import type { Deps } from "../deps.ts";
import { fail, type Failure } from "../lib/errors.ts";
import { type Auth, matchedOperation, type OperationDoc } from "../openapi/describe.ts";
import { verifyToken } from "../tokens/tokens.ts";
import { bearerToken } from "../http/bearer.ts";
import { apiPrincipal, apiSession, pageSession } from "./resolve.ts";
import { jsonFailure } from "../http/respond.ts";

/** Whether the request carries one kind of credential the route accepts. */
async function check(
  c: Context,
  deps: Deps,
  kind: Auth,
  doc: OperationDoc,
): Promise<{ ok: true } | Failure> {
  switch (kind) {
    case "session":
      return await apiSession(c, deps);
    case "admin":
      return await adminApiSession(c, deps);
    case "pending": {
      const token = bearerToken(c);
      if (!token) return fail("unauthorized");
      const r = await verifyToken(deps.keys, "pending", token, deps.clock.now());
      if (r.ok) return { ok: true };
      // As the enrollment routes say it: an expired pending token means signing in again.
      return fail(r.reason === "expired" ? "invalid_pending_token" : "unauthorized");
    }
    case "api_key":
      return await apiPrincipal(c, deps, doc.scopes ?? []);
    case "session_cookie":
      return await pageSession(c, deps);
  }
}

/** The refusal for a request that has none of the route's credentials; none if it has one. */
async function credentialsRefusal(
  c: Context,
  deps: Deps,
  doc: OperationDoc,
): Promise<Failure | undefined> {
  let refusal: Failure | undefined;
  for (const kind of doc.auth) {
    const r = await check(c, deps, kind, doc);
    if (r.ok) return undefined;
    // A more telling refusal (forbidden, a key where a person must sign in) beats a 401.
    if (!refusal || refusal.code === "unauthorized") refusal = r;
  }
  return refusal;
}

/**
 * On a route that validates a JSON body and requires credentials, checks the credentials before
 * the body is read: a caller without them gets 401/403 and its body is never parsed.
 */
export function authenticateBeforeBody(deps: Deps): MiddlewareHandler {
  return async (c, next) => {
    const route = matchedOperation(c);
    if (route?.validatesBody && route.doc.auth.length > 0) {
      const refusal = await credentialsRefusal(c, deps, route.doc);
      if (refusal) return jsonFailure(c, refusal);
    }
    return await next();
  };
}
