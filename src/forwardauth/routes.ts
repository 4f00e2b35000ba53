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
import { getQueryParam } from "hono/utils/url";
import { looksLikeApiKey } from "../apikeys/service.ts";
import { apiPrincipal } from "../caller/resolve.ts";
import { bearerOf } from "../http/bearer.ts";
import { type RequestMeta, requestMetaOf } from "../http/client.ts";
import { cookieName, cookieOf, secureCookiesAt } from "../http/cookies.ts";
import type { LaneRequest, LaneRoute } from "../http/lane.ts";
import { returnHosts } from "../http/redirect.ts";
import { jsonFailure } from "../http/respond.ts";
import { isLocale, negotiateLocale, runWithLocale } from "../i18n/i18n.ts";
import { LANG_COOKIE } from "../i18n/middleware.ts";
import { fail, type Failure } from "../lib/errors.ts";
import { parseRoles } from "../users/users.ts";
import { describe } from "../openapi/describe.ts";
import { authenticateSession, type SessionContext } from "../sessions/service.ts";
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

/**
 * Every identity header, empty when it does not apply: Caddy 2.6 (Debian 12's) hands the app
 * a literal `{http.reverse_proxy.header.X-Auth-Key}` for a header our answer lacks, and an
 * empty one also replaces what the client sent on every proxy.
 */
function identityHeaders(caller: Caller | null): readonly [string, string][] {
  // A kept session answer (a frozen session row, always with the same user row and roles:
  // src/sessions/check_cache.ts) gets the same headers each time.
  const row = caller?.session?.session;
  let headers = row ? keptHeaders.get(row) : undefined;
  if (headers === undefined) {
    headers = identityHeadersOf(caller);
    if (row && Object.isFrozen(row)) keptHeaders.set(row, Object.freeze(headers));
  }
  return headers;
}

const keptHeaders = new WeakMap<object, readonly [string, string][]>();

function identityHeadersOf(caller: Caller | null): [string, string][] {
  const who = caller ? identityOf(caller) : null;
  return [
    ["X-Auth-User", who ? who.name : ""],
    ["X-Auth-User-Id", who ? who.id : ""],
    ["X-Auth-Roles", who ? who.roles : ""],
    ["X-Auth-Session", caller?.session ? headerSafe(caller.session.session.id) : ""],
    ["X-Auth-Key", caller?.keyId ? headerSafe(caller.keyId) : ""],
    ["Remote-User", who ? who.name : ""],
    ["Remote-Groups", who ? who.groupsHeader : ""],
    ["Remote-Name", who ? who.name : ""],
    ["Remote-Email", who ? who.email : ""],
  ];
}

const sessionCaller = (ctx: SessionContext): Caller => ({
  user: ctx.user,
  roles: ctx.roles,
  session: ctx,
});

/** What the proxy says about the request it asks for, read once from the headers. */
type Ask = {
  rd: string | undefined;
  accept: string | undefined;
  forwardedProto: string | undefined;
  forwardedHost: string | undefined;
  forwardedUri: string | undefined;
  originalUri: string | undefined;
};

/**
 * The caller of a Bearer token: null leaves the cookies to decide (a token that is not ours or
 * not alive), a failure is the answer.
 */
type BearerCaller = (token: string, meta: RequestMeta) => Promise<Caller | null | Failure>;

/** Who asks and what the rules decide: the route's and the fast lane's common part. */
type Verdict =
  | { ask: Ask; bearer: string | undefined; caller: Caller | null; decision: AccessDecision }
  | { refusal: Failure };

async function judge(
  deps: Deps,
  { raw, env, arrival }: LaneRequest,
  bearerCaller: BearerCaller,
): Promise<Verdict> {
  const { config } = deps;
  const now = deps.clock.now();
  // Each header read once: every read is a look-up in the request's header list.
  const headers = raw.headers;
  const header = (name: string) => headers.get(name) ?? undefined;
  const proto = header("x-forwarded-proto");
  const forwardedHost = header("x-forwarded-host");
  const hostHeader = header("host");
  const host = requestedHost(forwardedHost, hostHeader ?? new URL(raw.url).host, proto) ?? "";
  const ask: Ask = {
    rd: getQueryParam(raw.url, "rd") as string | undefined,
    accept: header("accept"),
    forwardedProto: proto,
    forwardedHost: forwardedHost ?? hostHeader,
    forwardedUri: header("x-forwarded-uri"),
    originalUri: header("x-original-uri"),
  };
  const meta = requestMetaOf(raw, env, config);
  // Normalized once for both decisions below.
  const request = prepareRequest({
    host,
    path: ask.forwardedUri ?? ask.originalUri ?? "/",
    method: header("x-forwarded-method") ?? header("x-original-method") ?? "GET",
    ip: meta.ip,
  });
  const rules = await accessRules(deps, arrival);

  // A path everyone may reach, or no one, needs no look-up of who is asking.
  const anonymous = decideAccess(rules, request, null, now);
  const bearer = bearerOf(headers);
  if (anonymous.outcome === "allow" || anonymous.outcome === "deny") {
    return { ask, bearer, caller: null, decision: anonymous };
  }
  let caller: Caller | null = null;
  if (bearer) {
    const r = await bearerCaller(bearer, meta);
    if (r && "code" in r) return { refusal: r };
    // Any other Bearer (the protected app's own, say) leaves the cookies to decide.
    caller = r;
  }
  // Read only when a cookie is: it may parse the request's URL.
  const secure = () => secureCookiesAt(raw.url, config);
  if (!caller && host && host !== portalHost(config)) {
    const s = await hostSession(
      deps,
      host,
      cookieOf(headers, cookieName("sso", secure())),
      arrival,
    );
    if (s) caller = sessionCaller(s);
  }
  if (!caller) {
    const token = cookieOf(headers, cookieName("session", secure()));
    const s = await authenticateSession(deps, token, meta, arrival);
    if (s.ok) caller = sessionCaller(s.ctx);
  }
  const decision = caller ? decideAccess(rules, request, accessUserOf(caller), now) : anonymous;
  return { ask, bearer, caller, decision };
}

/**
 * GET and HEAD /api/v1/verify in the fast lane (src/fast_lane.ts): the answer when the rules
 * let the request through, the same as the route's. Every other outcome, and an API key
 * (whose use the route records), goes to the route.
 */
export function verifyLane(deps: Deps): LaneRoute {
  return async (req) => {
    if (looksLikeApiKey(bearerOf(req.raw.headers))) return null;
    const verdict = await judge(deps, req, async (token, meta) => {
      const s = await authenticateSession(deps, token, meta, req.arrival);
      return s.ok ? sessionCaller(s.ctx) : null;
    });
    if ("refusal" in verdict || verdict.decision.outcome !== "allow") return null;
    return { status: 200, headers: identityHeaders(verdict.caller), body: null };
  };
}

export function forwardAuthRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { config } = deps;
  const allowedHosts = returnHosts(config);
  const portal = portalHost(config);

  const identify = (c: Context, caller: Caller | null) => {
    for (const [name, value] of identityHeaders(caller)) c.header(name, value);
  };

  // Hono answers HEAD with the GET route, without the body.
  app.get("/api/v1/verify", verifyDoc, async (c) => {
    const request = { raw: c.req.raw, env: c.env, arrival: c.get("arrival") };
    const verdict = await judge(deps, request, async () => {
      const p = await apiPrincipal(c, deps, ["read"]);
      if (!p.ok) {
        // A key that is valid but may not read: a clear no, not a sign-in prompt.
        return p.code === "insufficient_scope" ? p : null;
      }
      if (p.value.kind === "api_key") {
        const { user, key } = p.value.principal;
        return { user, roles: parseRoles(user.roles), keyId: key.id };
      }
      return sessionCaller(p.value.ctx);
    });
    if ("refusal" in verdict) return jsonFailure(c, verdict.refusal);
    const { decision, caller, bearer, ask } = verdict;
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
