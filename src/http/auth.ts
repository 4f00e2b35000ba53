/** @module Reading credentials from requests: Bearer tokens for JSON, cookies for pages. */
import type { Context } from "hono";
import type { Deps } from "../deps.ts";
import { authenticateSession } from "../sessions/service.ts";
import { readCookie } from "./cookies.ts";

export function bearerToken(c: Context): string | undefined {
  const h = c.req.header("authorization");
  const m = h?.match(/^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i);
  return m?.[1];
}

/** The session of a JSON request (Bearer only: the API never trusts cookies, so needs no CSRF). */
export function apiSession(c: Context, deps: Deps) {
  return authenticateSession(deps, bearerToken(c));
}

/** The session of a page request (cookie). */
export function pageSession(c: Context, deps: Deps) {
  return authenticateSession(deps, readCookie(c, deps.config, "session"));
}
