/**
 * @module GET (and HEAD) /api/v1/verify: forward-auth for reverse proxies (nginx `auth_request`,
 * Traefik `forwardAuth`, Caddy `forward_auth`). 200 with the identity in `X-Auth-*` headers for
 * a live session (the pages' cookie or a Bearer session token) or an API key with the read
 * scope; otherwise 401, or for a browser behind a proxy that passes our answer on, a redirect to
 * the login that returns to a safe URL.
 *
 * This is the one /api route that reads the session cookie. It changes nothing but the
 * session's last-seen time, so a cross-site request has nothing to gain from it (and a
 * cross-site page cannot read the answer).
 */
import { type Context, Hono } from "hono";
import type { Deps } from "../deps.ts";
import { apiPrincipal, pageSession } from "../caller/resolve.ts";
import { bearerToken } from "../http/bearer.ts";
import { returnHosts } from "../http/redirect.ts";
import { jsonFailure } from "../http/respond.ts";
import { fail } from "../lib/errors.ts";
import { parseRoles } from "../users/users.ts";
import { describe } from "../openapi/describe.ts";
import { headerSafe, loginLocation, returnUrlOf, wantsLoginRedirect } from "./forward_auth.ts";

const verifyDoc = describe({
  summary: "Forward-auth for reverse proxies (nginx auth_request, Traefik, Caddy); also HEAD",
  description: "The pages' session cookie, a session token or an API key with the read scope " +
    "gives 200 with the identity in headers; anything else 401. A browser (Accept: text/html) " +
    "behind a proxy that passes the answer on (?rd= or X-Forwarded-Uri, and no X-Original-URI: " +
    "nginx turns redirects into errors) is sent to the login instead.",
  tag: "session",
  auth: ["session_cookie", "session", "api_key"],
  scopes: ["read"],
  queryParams: { rd: "Where to return after the login: a path, or a URL on an allowed host." },
  headers: {
    "X-Forwarded-Uri": "The original path and query (Traefik, Caddy): asks for a redirect.",
    "X-Forwarded-Host": "The original host: the return URL keeps it if it is allowed.",
    "X-Forwarded-Proto": "The original scheme (http or https).",
    "X-Original-URI": "Set by nginx auth_request configurations: never a redirect.",
  },
  success: {
    status: 200,
    description: "Signed in. No body.",
    headers: {
      "X-Auth-User": "The username (non-ASCII percent-encoded as UTF-8).",
      "X-Auth-User-Id": "The user id.",
      "X-Auth-Roles": "The roles, comma-separated (each percent-encoded the same way).",
      "X-Auth-Session": "The session id (for a session cookie or token).",
      "X-Auth-Key": "The key id (for an API key).",
    },
  },
  also: [{
    status: 302,
    description: "Not signed in, asked by a browser through Traefik, Caddy or with ?rd=.",
    headers: { Location: "/login?redirect=<the return URL, if it is safe>" },
  }],
});

export function forwardAuthRoutes(deps: Deps): Hono {
  const app = new Hono();
  const allowedHosts = returnHosts(deps.config);

  const identify = (
    c: Context,
    user: { id: string; displayName: string },
    roles: string[],
  ) => {
    c.header("X-Auth-User", headerSafe(user.displayName));
    c.header("X-Auth-User-Id", headerSafe(user.id));
    c.header("X-Auth-Roles", roles.map(headerSafe).join(","));
  };

  // Hono answers HEAD with the GET route, without the body.
  app.get("/api/v1/verify", verifyDoc, async (c) => {
    const bearer = bearerToken(c);
    if (bearer) {
      const p = await apiPrincipal(c, deps, ["read"]);
      if (!p.ok) {
        // A key that is valid but may not read: a clear no, not a sign-in prompt.
        if (p.code === "insufficient_scope") return jsonFailure(c, p);
      } else if (p.value.kind === "api_key") {
        const { user, key } = p.value.principal;
        identify(c, user, parseRoles(user.roles));
        c.header("X-Auth-Key", headerSafe(key.id));
        return c.body(null, 200);
      } else {
        identify(c, p.value.ctx.user, p.value.ctx.roles);
        c.header("X-Auth-Session", headerSafe(p.value.ctx.session.id));
        return c.body(null, 200);
      }
      // Any other Bearer (the protected app's own, say) leaves the cookie to decide.
    }

    const s = await pageSession(c, deps);
    if (s.ok) {
      identify(c, s.ctx.user, s.ctx.roles);
      c.header("X-Auth-Session", headerSafe(s.ctx.session.id));
      return c.body(null, 200);
    }

    const ask = {
      rd: c.req.query("rd"),
      accept: c.req.header("accept"),
      forwardedProto: c.req.header("x-forwarded-proto"),
      forwardedHost: c.req.header("x-forwarded-host"),
      forwardedUri: c.req.header("x-forwarded-uri"),
      originalUri: c.req.header("x-original-uri"),
    };
    if (!bearer && wantsLoginRedirect(ask)) {
      return c.redirect(loginLocation(returnUrlOf(ask, allowedHosts)), 302);
    }
    return jsonFailure(c, fail("unauthorized"));
  });

  return app;
}
