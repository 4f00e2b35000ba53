/**
 * @module Delegation over HTTP: start from the admin console (`POST /admin/users/{id}/delegate`,
 * `POST /api/v1/admin/users/{id}/delegate`), end (`POST /delegation/end`,
 * `POST /api/v1/delegation/end`), and the middleware that tells the layout's banner.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { adminApiSession, adminPageSession } from "../admin/guard.ts";
import { pageSession, withCaller } from "../caller/resolve.ts";
import { adminDoc } from "../admin/console_guard.tsx";
import type { Deps } from "../deps.ts";
import { requestMeta } from "../http/client.ts";
import { clearCookie, readCookie, writeCookieUntil } from "../http/cookies.ts";
import { jsonDone, jsonFailure, messageOf, statusOf } from "../http/respond.ts";
import { fail } from "../lib/errors.ts";
import { t } from "../i18n/i18n.ts";
import { describe } from "../openapi/describe.ts";
import { delegationResponse } from "../openapi/schemas.ts";
import { verifyToken } from "../tokens/tokens.ts";
import { runWithDelegation } from "../views/delegation_banner.ts";
import { MessagePage } from "../views/layout.tsx";
import { endDelegation, startDelegation } from "./service.ts";

const doc = {
  start: adminDoc({
    summary: "Act as a user for a limited time (delegation; off unless DELEGATION_ENABLED)",
    description: "Needs an admin session that passed a second factor within the last 5 " +
      "minutes. Never for an admin, a disabled or a service account. The session cannot " +
      "change the user's password, factors or tokens. Audited with both identities.",
    params: { id: "The user's id." },
    success: { status: 201, description: "The delegated session.", json: delegationResponse },
    errors: ["delegation_disabled", "reauthentication_required", "forbidden", "not_found"],
  }),
  end: describe({
    summary: "End a delegated session (the admin's own session is untouched)",
    tag: "session",
    auth: ["session"],
    success: { status: 204, description: "Ended." },
    errors: ["not_found"],
  }),
};

/** Tells the layout when the request's session is delegated (the token names the admin). */
export function delegationBanner(deps: Deps): MiddlewareHandler {
  return async (c, next) => {
    const token = readCookie(c, deps.config, "session");
    if (!token) return await next();
    const v = await verifyToken(deps.keys, "session", token, deps.clock.now());
    const p = v.ok ? v.token.payload : undefined;
    if (!p || typeof p.act_username !== "string") return await next();
    await runWithDelegation({ username: String(p.username ?? ""), admin: p.act_username }, next);
  };
}

export function delegationRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { config } = deps;
  const admin = withCaller(deps, adminApiSession);

  app.post(
    "/api/v1/admin/users/:id/delegate",
    doc.start,
    admin(async (c, ctx) => {
      const r = await startDelegation(deps, ctx, {
        targetId: c.req.param("id")!,
        meta: requestMeta(c, config),
      });
      if (!r.ok) return jsonFailure(c, r);
      return c.json({
        session_token: r.value.sessionToken,
        expires_at: r.value.expiresAt.toISOString(),
      }, 201);
    }),
  );

  app.post(
    "/api/v1/delegation/end",
    doc.end,
    withCaller(deps)(async (c, ctx) => {
      const r = await endDelegation(deps, ctx, requestMeta(c, config));
      return jsonDone(c, r);
    }),
  );

  const failed = (c: Context, code: Parameters<typeof fail>[0], back: string) => {
    c.status(statusOf(code));
    return c.html(
      <MessagePage
        title={t("delegation.failed_title")}
        message={messageOf(code)}
        link={{ href: back, text: t("common.continue") }}
      />,
    );
  };

  app.post("/admin/users/:id/delegate", async (c) => {
    const id = c.req.param("id");
    const back = `/admin/users/${encodeURIComponent(id)}`;
    const s = await adminPageSession(c, deps);
    if (!s.ok) {
      if (s.code === "forbidden") return failed(c, "forbidden", "/account");
      return c.redirect(`/login?redirect=${encodeURIComponent(back)}`, 303);
    }
    const r = await startDelegation(deps, s.ctx, { targetId: id, meta: requestMeta(c, config) });
    if (!r.ok) {
      if (r.code === "reauthentication_required") {
        return c.redirect(`/account/reauth?next=${encodeURIComponent(back)}`, 303);
      }
      return failed(c, r.code, back);
    }
    writeCookieUntil(c, deps, "session", r.value.sessionToken, r.value.expiresAt);
    return c.redirect("/account", 303);
  });

  app.post("/delegation/end", async (c) => {
    const s = await pageSession(c, deps);
    if (!s.ok) return c.redirect("/login", 303);
    const r = await endDelegation(deps, s.ctx, requestMeta(c, config));
    if (!r.ok) return c.redirect("/account", 303);
    if (!r.back) {
      clearCookie(c, config, "session");
      return c.redirect("/login", 303);
    }
    writeCookieUntil(c, deps, "session", r.back.token, r.back.expiresAt);
    return c.redirect(`/admin/users/${encodeURIComponent(s.ctx.user.id)}`, 303);
  });

  return app;
}
