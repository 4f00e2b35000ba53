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
import { getCookie } from "hono/cookie";
import type { Deps } from "../deps.ts";
import { accessRules } from "../access/service.ts";
import {
  type AccessDecision,
  type AccessUser,
  decideAccess,
  prepareRequest,
} from "../access/rules.ts";
import { apiPrincipal, pageSession } from "../caller/resolve.ts";
import { bearerToken } from "../http/bearer.ts";
import { clientIp } from "../http/client.ts";
import { cookieName, secureCookies } from "../http/cookies.ts";
import { returnHosts } from "../http/redirect.ts";
import { jsonFailure } from "../http/respond.ts";
import { isLocale, negotiateLocale, runWithLocale } from "../i18n/i18n.ts";
import { LANG_COOKIE } from "../i18n/middleware.ts";
import { fail } from "../lib/errors.ts";
import { parseRoles } from "../users/users.ts";
import { describe } from "../openapi/describe.ts";
import type { SessionContext } from "../sessions/service.ts";
import {
  AUTHORIZE_PATH,
  hostSession,
  passedSecondFactor,
  portalHost,
  portalUrl,
  requestedHost,
  secondFactorAt,
  STEP_UP_PATH,
} from "../sso/service.ts";
import {
  acceptsHtml,
  headerSafe,
  loginLocation,
  returnUrlOf,
  wantsLoginRedirect,
} from "./forward_auth.ts";
import { deniedPage, type DeniedReason } from "./pages.tsx";

const verifyDoc = describe({
  summary: "Forward-auth for reverse proxies (nginx auth_request, Traefik, Caddy); also HEAD",
  description: "Decides the request the proxy describes (host, path, method, client address) " +
    "by the access rules, for the caller named by the host's single sign-on cookie, the pages' " +
    "session cookie, a session token or an API key with the read scope. 200 with the identity " +
    "in headers when the rules let it through; 401 when a sign-in is needed; 403 when a rule " +
    "refuses (an HTML page for browsers, never a login). A browser (Accept: text/html) behind a " +
    "proxy that passes the answer on (?rd= or X-Forwarded-Uri, and no X-Original-URI: nginx " +
    "turns redirects into errors) is sent to the login (on another host: the portal's single " +
    "sign-on) or to the code prompt instead of the 401.",
  tag: "session",
  auth: ["session_cookie", "session", "api_key"],
  scopes: ["read"],
  queryParams: { rd: "Where to return after the login: a path, or a URL on an allowed host." },
  headers: {
    "X-Forwarded-Uri": "The original path and query (Traefik, Caddy): asks for a redirect.",
    "X-Forwarded-Host": "The original host: the return URL keeps it if it is allowed.",
    "X-Forwarded-Proto": "The original scheme (http or https).",
    "X-Original-URI": "Set by nginx auth_request configurations: never a redirect.",
    "X-Forwarded-Method": "The original method (Traefik, Caddy); X-Original-Method for nginx.",
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
      "Remote-User": "The username, as X-Auth-User (the Authelia convention).",
      "Remote-Groups": "The groups, comma-separated, each encoded like the username.",
      "Remote-Name": "The display name.",
      "Remote-Email": "The email address, if the user has one.",
    },
  },
  also: [{
    status: 302,
    description: "Not signed in (or a second factor is wanted), asked by a browser through " +
      "Traefik, Caddy or with ?rd=.",
    headers: {
      Location: "/login?redirect=<return URL>, or on another host <PUBLIC_URL>/sso/authorize?rd=" +
        "<URL> (or /sso/step-up?rd=<URL>)",
    },
  }, {
    status: 403,
    description: "An access rule refuses the request: an HTML page saying why for browsers, " +
      "else the JSON error.",
  }],
});

/** Every identity header, sent on each 200 (empty when it does not apply). */
const IDENTITY_HEADERS = [
  "X-Auth-User",
  "X-Auth-User-Id",
  "X-Auth-Roles",
  "X-Auth-Session",
  "X-Auth-Key",
  "Remote-User",
  "Remote-Groups",
  "Remote-Name",
  "Remote-Email",
] as const;

type Caller = {
  user: { id: string; displayName: string; username: string; groups: string; email: string | null };
  roles: string[];
  session?: SessionContext;
  keyId?: string;
};

/** What the answer says about a user: their groups and the identity headers' values. */
type Identity = {
  groups: string[];
  name: string;
  id: string;
  roles: string;
  groupsHeader: string;
  email: string;
};

/**
 * A session check kept in memory (src/sessions/check_cache.ts) hands every request the same
 * frozen user object, and its roles with it: what is derived from them is derived once.
 */
const identities = new WeakMap<Caller["user"], Identity>();

function identityOf(caller: Caller): Identity {
  const known = identities.get(caller.user);
  if (known) return known;
  const { user } = caller;
  const groups = parseRoles(user.groups);
  const identity: Identity = {
    groups,
    name: headerSafe(user.displayName),
    id: headerSafe(user.id),
    roles: caller.roles.map(headerSafe).join(","),
    groupsHeader: groups.map(headerSafe).join(","),
    email: user.email ? headerSafe(user.email) : "",
  };
  // Only for a kept answer: its roles (frozen with it) cannot differ from one request to the next.
  if (Object.isFrozen(user) && Object.isFrozen(caller.roles)) {
    Object.freeze(groups);
    identities.set(user, identity);
  }
  return identity;
}

function accessUserOf(caller: Caller): AccessUser {
  const s = caller.session;
  return {
    username: caller.user.username,
    groups: identityOf(caller).groups,
    roles: caller.roles,
    // An API key is one strong credential: it passes two_factor rules, never a step-up.
    secondFactor: s ? passedSecondFactor(s.amr) || s.session.secondFactorAt !== null : true,
    secondFactorAt: s ? secondFactorAt(s) : null,
  };
}

export function forwardAuthRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { config } = deps;
  const allowedHosts = returnHosts(config);
  const portal = portalHost(config);

  /**
   * Every identity header, empty when it does not apply: Caddy 2.6 (Debian 12's) hands the app
   * a literal `{http.reverse_proxy.header.X-Auth-Key}` for a header our answer lacks, and an
   * empty one also replaces what the client sent on every proxy.
   */
  const identify = (c: Context, caller: Caller | null) => {
    const who = caller ? identityOf(caller) : null;
    const values: Record<(typeof IDENTITY_HEADERS)[number], string> = {
      "X-Auth-User": who ? who.name : "",
      "X-Auth-User-Id": who ? who.id : "",
      "X-Auth-Roles": who ? who.roles : "",
      "X-Auth-Session": caller?.session ? headerSafe(caller.session.session.id) : "",
      "X-Auth-Key": caller?.keyId ? headerSafe(caller.keyId) : "",
      "Remote-User": who ? who.name : "",
      "Remote-Groups": who ? who.groupsHeader : "",
      "Remote-Name": who ? who.name : "",
      "Remote-Email": who ? who.email : "",
    };
    for (const h of IDENTITY_HEADERS) c.header(h, values[h]);
  };

  // Hono answers HEAD with the GET route, without the body.
  app.get("/api/v1/verify", verifyDoc, async (c) => {
    const now = deps.clock.now();
    // Each header read once: every read is a look-up in the request's header list.
    const proto = c.req.header("x-forwarded-proto");
    const forwardedHost = c.req.header("x-forwarded-host");
    const hostHeader = c.req.header("host");
    const host = requestedHost(forwardedHost, hostHeader ?? new URL(c.req.url).host, proto) ?? "";
    const ask = {
      rd: c.req.query("rd"),
      accept: c.req.header("accept"),
      forwardedProto: proto,
      forwardedHost: forwardedHost ?? hostHeader,
      forwardedUri: c.req.header("x-forwarded-uri"),
      originalUri: c.req.header("x-original-uri"),
    };
    // Normalized once for both decisions below.
    const request = prepareRequest({
      host,
      path: ask.forwardedUri ?? ask.originalUri ?? "/",
      method: c.req.header("x-forwarded-method") ?? c.req.header("x-original-method") ?? "GET",
      ip: clientIp(c, config),
    });
    const rules = await accessRules(deps);

    // A path everyone may reach, or no one, needs no look-up of who is asking.
    const anonymous = decideAccess(rules, request, null, now);
    if (anonymous.outcome === "allow") {
      identify(c, null);
      return c.body(null, 200);
    }
    if (anonymous.outcome === "deny") return denied(c, anonymous, null);

    const bearer = bearerToken(c);
    let caller: Caller | null = null;
    if (bearer) {
      const p = await apiPrincipal(c, deps, ["read"]);
      if (!p.ok) {
        // A key that is valid but may not read: a clear no, not a sign-in prompt.
        if (p.code === "insufficient_scope") return jsonFailure(c, p);
      } else if (p.value.kind === "api_key") {
        const { user, key } = p.value.principal;
        caller = { user, roles: parseRoles(user.roles), keyId: key.id };
      } else {
        caller = { user: p.value.ctx.user, roles: p.value.ctx.roles, session: p.value.ctx };
      }
      // Any other Bearer (the protected app's own, say) leaves the cookies to decide.
    }
    if (!caller && host && host !== portal) {
      const secure = secureCookies(c, config);
      const s = await hostSession(deps, host, getCookie(c, cookieName("sso", secure)));
      if (s) caller = { user: s.user, roles: s.roles, session: s };
    }
    if (!caller) {
      const s = await pageSession(c, deps);
      if (s.ok) caller = { user: s.ctx.user, roles: s.ctx.roles, session: s.ctx };
    }

    const decision = caller ? decideAccess(rules, request, accessUserOf(caller), now) : anonymous;
    switch (decision.outcome) {
      case "allow":
        identify(c, caller);
        return c.body(null, 200);
      case "deny":
        return denied(c, decision, caller);
      case "login":
        if (!bearer && wantsLoginRedirect(ask)) return c.redirect(loginTarget(ask), 302);
        return jsonFailure(c, fail("unauthorized"));
      case "second_factor":
      case "step_up": {
        // A session that cannot give a code (no authenticator, or an API key) is refused below.
        if (!bearer && caller?.session && wantsLoginRedirect(ask)) {
          const url = wholeUrl(ask);
          if (url && config.PUBLIC_URL) {
            return c.redirect(
              portalUrl(config, `${STEP_UP_PATH}?redirect=${encodeURIComponent(url)}`),
              302,
            );
          }
        }
        if (caller?.session && !wantsLoginRedirect(ask) && ask.originalUri !== undefined) {
          // nginx's first ask: 401 sends it to the named location, which asks again for the prompt.
          return jsonFailure(c, fail("unauthorized"));
        }
        return denied(c, decision, caller);
      }
    }
  });

  /** The whole URL the browser asked for, when its host is one we may return to. */
  function wholeUrl(ask: Parameters<typeof returnUrlOf>[0]): string | null {
    const url = returnUrlOf(ask, allowedHosts);
    return url && !url.startsWith("/") ? url : null;
  }

  /**
   * Where a browser signs in: on another allowed host, the portal's single sign-on, which
   * returns through that host's callback; else the login on this host (relative), as before.
   */
  function loginTarget(ask: Parameters<typeof returnUrlOf>[0]): string {
    const url = returnUrlOf(ask, allowedHosts);
    if (url && !url.startsWith("/") && portal && new URL(url).host !== portal) {
      return portalUrl(config, `${AUTHORIZE_PATH}?rd=${encodeURIComponent(url)}`);
    }
    return loginLocation(url);
  }

  function denied(c: Context, decision: AccessDecision, caller: Caller | null) {
    if (!acceptsHtml(c.req.header("accept"))) return jsonFailure(c, fail("forbidden"));
    const reason: DeniedReason = decision.outcome === "deny"
      ? (decision.rule === null ? "default" : "rule")
      : "no_second_factor";
    const host = requestedHost(
      c.req.header("x-forwarded-host"),
      c.req.header("host") ?? new URL(c.req.url).host,
      c.req.header("x-forwarded-proto"),
    ) ?? "";
    // /api/ runs without the locale middleware: the same choice by hand (cookie, else header).
    const cookieLang = getCookie(c, LANG_COOKIE);
    const locale = isLocale(cookieLang)
      ? cookieLang
      : negotiateLocale(c.req.header("accept-language"));
    const page = runWithLocale(locale, () =>
      deniedPage({
        reason,
        host,
        username: caller?.user.displayName ?? null,
        switchUrl: caller?.session && config.PUBLIC_URL ? portalUrl(config, "/logout") : undefined,
        accountUrl: config.PUBLIC_URL ? portalUrl(config, "/account") : undefined,
      }).toString());
    c.header("Content-Language", locale);
    return c.html(page, 403);
  }

  return app;
}
