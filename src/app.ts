/**
 * @module createApp(deps): security headers, CSRF on every form, one error handler, and a
 * sub-app per feature mounted with `app.route()`; in front of them, the fast lane of the
 * per-request checks (src/fast_lane.ts).
 */
import { delegationBanner, delegationRoutes } from "./delegation/routes.tsx";
import { adminApiKeyPages } from "./admin/api_keys_routes.tsx";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { APP_CSS } from "./assets/app_css.ts";
import { APP_JS } from "./assets/app_js.ts";
import type { Deps } from "./deps.ts";
import { webauthnRoutes } from "./webauthn/routes.tsx";
import { accountRoutes } from "./account/routes.tsx";
import { adminPages } from "./admin/console_routes.tsx";
import { adminRoutes } from "./admin/routes.tsx";
import { adminSessionRoutes } from "./admin/sessions_routes.tsx";
import { ipBlockRoutes } from "./admin/ip_blocks_routes.tsx";
import { securitySettingsRoutes } from "./admin/security_settings_routes.tsx";
import { apiKeyRoutes } from "./apikeys/routes.tsx";
import { passwordRoutes } from "./passwords/routes.tsx";
import { enrollmentRoutes } from "./enrollment/routes.tsx";
import { forwardAuthRoutes, verifyLane } from "./forwardauth/routes.ts";
import { accessRoutes } from "./access/routes.tsx";
import { ssoRoutes } from "./sso/routes.tsx";
import { authenticateBeforeBody } from "./caller/auth_first.ts";
import { CSRF_FIELD, verifyCsrf } from "./http/csrf.ts";
import {
  addResponseHeaders,
  contentSecurityPolicy,
  securityHeaders,
} from "./http/security_headers.ts";
import { errorBody } from "./http/respond.ts";
import { bodyGuard } from "./http/body_deadline.ts";
import { formRecord } from "./http/validate.ts";
import { localeMiddleware } from "./i18n/middleware.ts";
import { loginRoutes } from "./login/routes.tsx";
import { mailRoutes } from "./mail/routes.tsx";
import { browserCookieMiddleware } from "./mail/sign_ins.ts";
import { metricsRoutes } from "./observability/routes.ts";
import { requestObserver } from "./observability/request.ts";
import { healthzDoc, jwksDoc, livezDoc, openApiRoutes, readyzDoc } from "./openapi/routes.tsx";
import { sessionLane, sessionRoutes } from "./sessions/routes.tsx";
import { fastLane } from "./fast_lane.ts";
import { OIDC_NO_CSRF_PATHS, oidcRoutes } from "./oidc/routes.tsx";
import { brandCss, runWithSite, type Site } from "./views/site.ts";
import { setupRoutes } from "./setup/routes.tsx";
import {
  csrfFailedPage,
  internalErrorPage,
  notFoundPage,
  payloadTooLargePage,
  requestTimeoutPage,
} from "./views/errors.tsx";

const isApi = (path: string) => path.startsWith("/api/");

/** The security headers of this deployment's answers (the CSP names its hosts and logo). */
const securityHeadersOf = (config: Deps["config"]) =>
  securityHeaders(contentSecurityPolicy(config.FORWARD_AUTH_ALLOWED_HOSTS, config.BRAND_LOGO));

/**
 * The app: the checks protected apps make on each of their requests go through the fast lane
 * when the answer is a live session let through (src/fast_lane.ts); everything else, and
 * whatever the lane hands on, through the router.
 */
export function createApp(deps: Deps): Hono {
  const app = createRouter(deps);
  const lane = appLane(deps);
  const routerFetch = app.fetch;
  app.fetch = (request, env, executionCtx) =>
    lane(request, env)?.then((res) => res ?? routerFetch(request, env, executionCtx)) ??
      routerFetch(request, env, executionCtx);
  return app;
}

/** The fast lane's paths: `(request, env) => Promise<Response | null> | null`. */
export function appLane(deps: Deps) {
  return fastLane(deps, securityHeadersOf(deps.config), {
    "/api/v1/session": { answer: sessionLane(deps), head: false },
    "/api/v1/verify": { answer: verifyLane(deps), head: true },
  });
}

/** Every route, behind the request log, security headers, language, CSRF and body limit. */
export function createRouter(deps: Deps): Hono {
  const app = new Hono();
  const { config } = deps;
  const SECURITY_HEADERS = securityHeadersOf(config);
  const site: Site = {
    name: config.BRAND_NAME ?? config.ISSUER,
    issuer: config.ISSUER,
    logo: config.BRAND_LOGO,
    accent: !!(config.BRAND_ACCENT || config.BRAND_ACCENT_DARK),
    rememberMeDays: config.REMEMBER_ME_DAYS,
  };
  const BRAND_CSS = brandCss(config.BRAND_ACCENT, config.BRAND_ACCENT_DARK);

  // First, so that it times and logs everything below, error pages included.
  app.use("*", requestObserver(deps));
  const banner = delegationBanner(deps);

  // Added to the response the handler made, where it did not set its own (a handler's own
  // Cache-Control replaces the default), in place: see `addResponseHeaders`.
  app.use("*", async (c, next) => {
    await next();
    addResponseHeaders(c, (headers) => {
      if (!headers.has("Content-Security-Policy")) {
        for (const [name, value] of SECURITY_HEADERS) headers.append(name, value);
      }
      if (!headers.has("Cache-Control")) headers.append("Cache-Control", "no-store");
    });
  });

  // The page language and what pages say about this deployment (branding, issuer, lengths),
  // before anything that may answer with a page (the CSRF refusal too).
  // The "acting as" banner of a delegated session, on every page. One layer for the three: the
  // JSON API (every forward-auth check) skips the language and the banner, and each layer of
  // Hono's chain costs a dispatch and a promise per request.
  const locale = localeMiddleware();
  app.use("*", (c, next) => {
    if (isApi(c.req.path)) return runWithSite(site, next);
    return locale(c, async () => {
      await runWithSite(site, () => banner(c, next));
    });
  });

  // Before anything reads a body (the CSRF check below parses forms), the body is read here:
  // one larger than MAX_BODY_BYTES is refused by its Content-Length at once, unread, and a
  // chunked one as soon as the bytes counted pass the limit, so no request makes the server
  // buffer more than that; one that has not all arrived within BODY_TIMEOUT_SECONDS is refused
  // 408, so that a trickling client holds no request open (src/http/body_deadline.ts).
  app.use(
    "*",
    bodyGuard({
      maxBytes: deps.config.MAX_BODY_BYTES,
      ms: deps.config.BODY_TIMEOUT_SECONDS * 1000,
      onTooLarge: (c) => {
        deps.log("warn", "request.too_large", {
          path: c.req.path,
          content_length: c.req.header("content-length") ?? null,
        });
        return isApi(c.req.path)
          ? c.json(errorBody("payload_too_large"), 413)
          : c.html(payloadTooLargePage(), 413);
      },
      onTimeout: (c) => {
        deps.log("warn", "request.body_timeout", {
          path: c.req.path,
          content_length: c.req.header("content-length") ?? null,
          seconds: deps.config.BODY_TIMEOUT_SECONDS,
        });
        c.header("Connection", "close");
        return isApi(c.req.path)
          ? c.json(errorBody("request_timeout"), 408)
          : c.html(requestTimeoutPage(), 408);
      },
    }),
  );

  // Every state-changing request of a page carries a CSRF token; the JSON API authenticates
  // with Bearer tokens only (never cookies), so a cross-site request has nothing to ride on.
  // The one exception, GET /api/v1/verify (forward-auth), reads the cookie but changes nothing.
  app.use("*", async (c, next) => {
    const method = c.req.method;
    // The OpenID Connect token and userinfo endpoints authenticate the client or a Bearer
    // token, never a cookie, so the same holds for them.
    if (
      method === "GET" || method === "HEAD" || method === "OPTIONS" || isApi(c.req.path) ||
      OIDC_NO_CSRF_PATHS.includes(c.req.path)
    ) {
      return await next();
    }
    const form = await formRecord(c);
    const csrf = await verifyCsrf(c, deps, form[CSRF_FIELD]);
    if (!csrf.ok) {
      deps.log("warn", "csrf.rejected", {
        path: c.req.path,
        reason: csrf.reason,
        origin: c.req.header("origin")?.slice(0, 256),
      });
      return c.html(csrfFailedPage(), 403);
    }
    return await next();
  });

  // A JSON route that requires credentials answers a caller without them 401/403 before its
  // body is validated, never a 400 about the input.
  app.use("/api/*", authenticateBeforeBody(deps));

  app.get("/healthz", healthzDoc, async (c) => {
    await deps.db.run("SELECT 1");
    return c.json({ status: "ok" });
  });
  app.get("/livez", livezDoc, (c) => c.json({ status: "ok" }));
  app.get("/readyz", readyzDoc, async (c) => {
    try {
      await deps.db.run("SELECT 1");
      return c.json({ status: "ok" });
    } catch (e) {
      deps.log("warn", "readyz.database_unavailable", { error: String(e).slice(0, 300) });
      c.header("Retry-After", "5");
      return c.json({ status: "unavailable" }, 503);
    }
  });
  app.get("/.well-known/jwks.json", jwksDoc, (c) => {
    c.header("Cache-Control", "public, max-age=300");
    return c.json(deps.keys.jwks);
  });
  // Also under /.twofold/ for the pages single sign-on shows on protected hosts.
  app.on("GET", ["/assets/app.css", "/.twofold/assets/app.css"], (c) => {
    c.header("Cache-Control", "public, max-age=3600");
    c.header("Content-Type", "text/css; charset=utf-8");
    return c.body(APP_CSS);
  });
  app.get("/assets/brand.css", (c) => {
    c.header("Cache-Control", "public, max-age=3600");
    c.header("Content-Type", "text/css; charset=utf-8");
    return c.body(BRAND_CSS);
  });
  app.get("/assets/app.js", (c) => {
    c.header("Cache-Control", "public, max-age=3600");
    c.header("Content-Type", "text/javascript; charset=utf-8");
    return c.body(APP_JS);
  });

  // Sign-ins learn the page language and the browser (for new-device mail) from here.
  app.use("*", browserCookieMiddleware(deps));
  app.route("/", loginRoutes(deps));
  app.route("/", enrollmentRoutes(deps));
  app.route("/", sessionRoutes(deps));
  app.route("/", accountRoutes(deps));
  app.route("/", webauthnRoutes(deps));
  app.route("/", passwordRoutes(deps));
  app.route("/", mailRoutes(deps));
  app.route("/", apiKeyRoutes(deps));
  app.route("/", adminRoutes(deps));
  app.route("/", adminSessionRoutes(deps));
  app.route("/", ipBlockRoutes(deps));
  app.route("/", securitySettingsRoutes(deps));
  app.route("/", forwardAuthRoutes(deps));
  app.route("/", ssoRoutes(deps));
  app.route("/", accessRoutes(deps));
  app.route("/", metricsRoutes(deps));
  app.route("/", oidcRoutes(deps));
  app.route("/", openApiRoutes(deps, app));
  app.route("/", delegationRoutes(deps));
  app.route("/", adminApiKeyPages(deps));
  app.route("/", adminPages(deps));
  const setup = deps.setup ??
    (deps.config.SETUP_TOKEN ? { token: deps.config.SETUP_TOKEN, expiresAt: null } : undefined);
  app.route("/", setupRoutes(deps, setup));

  app.notFound((c) =>
    isApi(c.req.path) ? c.json(errorBody("not_found"), 404) : c.html(notFoundPage(), 404)
  );

  app.onError((err, c) => {
    if (err instanceof HTTPException && err.status < 500) {
      // Malformed bodies and the like: a client error, never a 500.
      return isApi(c.req.path)
        ? c.json(errorBody("validation_failed", { _body: [err.message] }), 400)
        : c.html(notFoundPage(), 400);
    }
    deps.log("error", "unhandled", {
      path: c.req.path,
      request_id: c.get("requestId"),
      error: String(err?.stack ?? err),
    });
    return isApi(c.req.path)
      ? c.json(errorBody("internal_error"), 500)
      : c.html(internalErrorPage(), 500);
  });

  return app;
}
