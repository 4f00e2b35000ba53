/**
 * @module Single sign-on over HTTP. On the portal: `GET /sso/authorize?rd=<URL>` (hand a signed-in
 * browser to another host, or send it to the login first) and `/sso/step-up` (the code prompt an
 * access rule may ask for). On every protected host, routed there by its proxy:
 * `GET /.twofold/callback?code=` (trade the code for the host's cookie) and `GET /.twofold/logout`
 * (drop it and go to the portal's logout).
 */
import { type Context, Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { Deps } from "../deps.ts";
import { pageSession } from "../caller/resolve.ts";
import { requestMeta } from "../http/client.ts";
import { cookieName, secondsUntil, secureCookies } from "../http/cookies.ts";
import { csrfToken } from "../http/csrf.ts";
import { messageOf, statusOf } from "../http/respond.ts";
import { formRecord } from "../http/validate.ts";
import { countAuthenticators } from "../totp/repo.ts";
import { HandoffFailedPage, StepUpNoFactorPage, StepUpPage, UnknownHostPage } from "./pages.tsx";
import {
  AUTHORIZE_PATH,
  CALLBACK_PATH,
  handoffTarget,
  issueHandoff,
  portalHost,
  portalUrl,
  redeemHandoff,
  requestedHost,
  STEP_UP_PATH,
} from "./service.ts";
import { stepUp } from "./step_up.ts";

export function ssoRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { config } = deps;
  const portal = portalHost(config);

  const hostOf = (c: Context) =>
    requestedHost(
      c.req.header("x-forwarded-host"),
      c.req.header("host") ?? new URL(c.req.url).host,
      c.req.header("x-forwarded-proto"),
    );
  const toLogin = (c: Context, back: string) =>
    c.redirect(`/login?redirect=${encodeURIComponent(back)}`, 302);

  // ---- on the portal ----

  app.get(AUTHORIZE_PATH, async (c) => {
    const target = portal ? handoffTarget(config, c.req.query("rd")) : null;
    if (!target) return c.html(<UnknownHostPage />, 400);
    if (target.host === portal) return c.redirect(target.href, 302);
    const s = await pageSession(c, deps);
    if (!s.ok) return toLogin(c, `${AUTHORIZE_PATH}?rd=${encodeURIComponent(target.href)}`);
    return c.redirect(await issueHandoff(deps, s.ctx, target), 302);
  });

  const stepUpTarget = (redirect: string | undefined) =>
    portal ? handoffTarget(config, redirect) : null;

  app.get(STEP_UP_PATH, async (c) => {
    const target = stepUpTarget(c.req.query("redirect"));
    if (!target) return c.html(<UnknownHostPage />, 400);
    const s = await pageSession(c, deps);
    if (!s.ok) return toLogin(c, `${STEP_UP_PATH}?redirect=${encodeURIComponent(target.href)}`);
    const csrf = await csrfToken(c, deps);
    if ((await countAuthenticators(deps.db, s.ctx.user.id)) === 0) {
      return c.html(<StepUpNoFactorPage host={target.host} csrf={csrf} />);
    }
    return c.html(<StepUpPage csrf={csrf} redirect={target.href} host={target.host} />);
  });

  app.post(STEP_UP_PATH, async (c) => {
    const form = await formRecord(c);
    const target = stepUpTarget(form.redirect);
    if (!target) return c.html(<UnknownHostPage />, 400);
    const s = await pageSession(c, deps);
    if (!s.ok) return toLogin(c, `${STEP_UP_PATH}?redirect=${encodeURIComponent(target.href)}`);
    const code = (form.code ?? "").replace(/\s+/g, "");
    const csrf = await csrfToken(c, deps);
    const page = (error: string, status: 400 | 401 | 429) =>
      c.html(
        <StepUpPage csrf={csrf} redirect={target.href} host={target.host} error={error} />,
        status,
      );
    if (!/^\d{6,10}$/.test(code)) return page("Enter the code from your app.", 400);
    const r = await stepUp(deps, { ctx: s.ctx, code, meta: requestMeta(c, config) });
    if (!r.ok) {
      if (r.retryAfterSeconds !== undefined) c.header("Retry-After", String(r.retryAfterSeconds));
      return page(messageOf(r.code), statusOf(r.code) === 429 ? 429 : 401);
    }
    return c.redirect(target.href, 303);
  });

  // ---- on each protected host ----

  app.get(CALLBACK_PATH, async (c) => {
    const host = hostOf(c);
    const r = host
      ? await redeemHandoff(deps, host, c.req.query("code"), requestMeta(c, config))
      : { ok: false as const, reason: "wrong_host" as const };
    if (!r.ok) {
      return c.html(<HandoffFailedPage sessionEnded={r.reason === "session_ended"} />, 400);
    }
    const secure = secureCookies(c, config);
    const now = deps.clock.now();
    // Host-only (no Domain), HttpOnly, Secure, SameSite=Lax: the browser arrives here from the
    // portal by a top-level redirect, and Lax cookies are set and sent on those.
    setCookie(c, cookieName("sso", secure), r.cookie, {
      path: "/",
      secure,
      httpOnly: true,
      sameSite: "Lax",
      maxAge: Math.max(0, Math.floor(secondsUntil(new Date(r.ctx.session.expiresAt), now))),
    });
    return c.redirect(r.returnUrl, 302);
  });

  app.get("/.twofold/logout", (c) => {
    const secure = secureCookies(c, config);
    deleteCookie(c, cookieName("sso", secure), { path: "/", secure });
    return c.redirect(config.PUBLIC_URL ? portalUrl(config, "/logout") : "/logout", 303);
  });

  return app;
}
