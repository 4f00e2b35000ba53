/**
 * @module createApp(deps): security headers, CSRF on every form, one error handler, and a
 * sub-app per feature mounted with `app.route()`.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { APP_CSS } from "./assets/app_css.ts";
import { APP_JS } from "./assets/app_js.ts";
import type { Deps } from "./deps.ts";
import { accountRoutes } from "./account/routes.tsx";
import { adminPages } from "./admin/console_routes.tsx";
import { adminRoutes } from "./admin/routes.tsx";
import { apiKeyRoutes } from "./apikeys/routes.tsx";
import { passwordRoutes } from "./passwords/routes.tsx";
import { enrollmentRoutes } from "./enrollment/routes.tsx";
import { forwardAuthRoutes } from "./forwardauth/routes.ts";
import { authenticateBeforeBody } from "./caller/auth_first.ts";
import { CSRF_FIELD, verifyCsrf } from "./http/csrf.ts";
import { errorBody } from "./http/respond.ts";
import { formRecord } from "./http/validate.ts";
import { localeMiddleware } from "./i18n/middleware.ts";
import { loginRoutes } from "./login/routes.tsx";
import { metricsRoutes } from "./observability/routes.ts";
import { requestObserver } from "./observability/request.ts";
import { healthzDoc, jwksDoc, livezDoc, openApiRoutes, readyzDoc } from "./openapi/routes.tsx";
import { sessionRoutes } from "./sessions/routes.tsx";
import { brandCss, runWithSite, type Site } from "./views/site.ts";
import { setupRoutes } from "./setup/routes.tsx";
import {
  csrfFailedPage,
  internalErrorPage,
  notFoundPage,
  payloadTooLargePage,
} from "./views/errors.tsx";

/** The Content-Security-Policy; a logo on another origin (BRAND_LOGO) joins img-src. */
function contentSecurityPolicy(logo: string | undefined): string {
  const logoOrigin = logo?.startsWith("https:") ? ` ${new URL(logo).origin}` : "";
  return [
    "default-src 'none'",
    "style-src 'self'",
    "script-src 'self'",
    `img-src 'self' data:${logoOrigin}`,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}

const securityHeaders = (csp: string): [string, string][] => [
  ["X-Content-Type-Options", "nosniff"],
  // Not no-referrer: under it Chromium sends `Origin: null` with our own form posts, and the CSRF
  // check needs their real origin. same-origin still sends no Referer to any other site (the login
  // URL may carry a return address, the reset page its token), and the real Origin to ourselves.
  ["Referrer-Policy", "same-origin"],
  ["X-Frame-Options", "DENY"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Content-Security-Policy", csp],
];

const isApi = (path: string) => path.startsWith("/api/");

export function createApp(deps: Deps): Hono {
  const app = new Hono();
  const { config } = deps;
  const SECURITY_HEADERS = securityHeaders(contentSecurityPolicy(config.BRAND_LOGO));
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

  // Set before the handler runs, so that they are part of the response it builds (a header
  // set afterwards makes Hono copy the whole response, once per header); a handler's own
  // Cache-Control replaces the default. A Response built by hand misses them: added after.
  app.use("*", async (c, next) => {
    for (const [name, value] of SECURITY_HEADERS) c.header(name, value);
    c.header("Cache-Control", "no-store");
    await next();
    const headers = c.res.headers;
    if (headers.get("Content-Security-Policy") === null) {
      for (const [name, value] of SECURITY_HEADERS) c.header(name, value);
      if (!headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
    }
  });

  // The page language and what pages say about this deployment (branding, issuer, lengths),
  // before anything that may answer with a page (the CSRF refusal too).
  app.use("*", localeMiddleware());
  app.use("*", (_c, next) => runWithSite(site, next));

  // Before anything reads a body (the CSRF check below parses forms): a body larger than
  // MAX_BODY_BYTES is refused by its Content-Length at once, unread, and a chunked one as soon
  // as the bytes counted pass the limit, so no request makes the server buffer more than that.
  app.use(
    "*",
    bodyLimit({
      maxSize: deps.config.MAX_BODY_BYTES,
      onError: (c) => {
        deps.log("warn", "request.too_large", {
          path: c.req.path,
          content_length: c.req.header("content-length") ?? null,
        });
        return isApi(c.req.path)
          ? c.json(errorBody("payload_too_large"), 413)
          : c.html(payloadTooLargePage(), 413);
      },
    }),
  );

  // Every state-changing request of a page carries a CSRF token; the JSON API authenticates
  // with Bearer tokens only (never cookies), so a cross-site request has nothing to ride on.
  // The one exception, GET /api/v1/verify (forward-auth), reads the cookie but changes nothing.
  app.use("*", async (c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD" || method === "OPTIONS" || isApi(c.req.path)) {
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
  app.get("/assets/app.css", (c) => {
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

  app.route("/", loginRoutes(deps));
  app.route("/", enrollmentRoutes(deps));
  app.route("/", sessionRoutes(deps));
  app.route("/", accountRoutes(deps));
  app.route("/", passwordRoutes(deps));
  app.route("/", apiKeyRoutes(deps));
  app.route("/", adminRoutes(deps));
  app.route("/", forwardAuthRoutes(deps));
  app.route("/", metricsRoutes(deps));
  app.route("/", openApiRoutes(deps, app));
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
