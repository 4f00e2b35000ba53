/**
 * @module Keys over HTTP: personal access tokens (`/api/v1/me/tokens`, `/account/tokens`) and
 * admin-made API keys (`/api/v1/admin/api-keys`).
 */
import { Hono } from "hono";
import { z } from "zod";
import { adminApiSession } from "../admin/guard.ts";
import type { Deps } from "../deps.ts";
import { ownList, pageSession, toLogin, withBody, withCaller } from "../caller/resolve.ts";
import { type RequestMeta, requestMeta } from "../http/client.ts";
import { csrfToken } from "../http/csrf.ts";
import { jsonDone, jsonFailure } from "../http/respond.ts";
import { formRecord } from "../http/validate.ts";
import { fail } from "../lib/errors.ts";
import { wrongTotpCode } from "../login/flow.ts";
import { codeField } from "../login/schemas.ts";
import { currentUser, type SessionContext } from "../sessions/service.ts";
import { matchTotp } from "../totp/match.ts";
import { advanceStepStatement } from "../totp/repo.ts";
import { findUserByUsername } from "../users/repo.ts";
import { NewTokenPage } from "./pages.tsx";
import { describeAs } from "../openapi/describe.ts";
import {
  apiKeyCreatedResponse,
  apiKeysResponse,
  tokenCreatedResponse,
  tokensResponse,
} from "../openapi/schemas.ts";
import { createApiKey, keyJson, listKeys, revokeKey, scopesSchema } from "./service.ts";
import { SCOPES } from "../lib/scopes.ts";

const patBody = z.object({
  name: z.string().trim().min(1, "Name the token.").max(64),
  scopes: scopesSchema,
  expires_in_days: z.number().int().min(1).max(365).optional(),
  code: codeField,
});

const adminKeyBody = z.object({
  username: z.string().trim().min(1).max(128),
  name: z.string().trim().min(1).max(64),
  scopes: scopesSchema,
  expires_in_days: z.number().int().min(1).max(3650).optional(),
});

/** The JSON routes in the OpenAPI document (bodies come from their `jsonBody` schemas). */
const myTokenDoc = describeAs("tokens", ["session"]);
const apiKeyDoc = describeAs("tokens", ["admin"]);

const doc = {
  listTokens: myTokenDoc({
    summary: "My personal access tokens",
    success: {
      status: 200,
      description: "The list (never the tokens themselves).",
      json: tokensResponse,
    },
  }),
  createToken: myTokenDoc({
    summary: "Create a personal access token (needs a current code from my authenticator)",
    description: "Tokens skip the second factor, so one is only made with a fresh TOTP code, " +
      "and it can never manage authentication.",
    success: {
      status: 201,
      description: "The token, shown only here.",
      json: tokenCreatedResponse,
    },
    errors: ["invalid_code", "too_many_attempts", "insufficient_scope"],
  }),
  revokeToken: myTokenDoc({
    summary: "Revoke one of my personal access tokens",
    success: { status: 204, description: "Revoked." },
    errors: ["not_found"],
  }),
  listKeys: apiKeyDoc({
    summary: "All API keys",
    success: {
      status: 200,
      description: "The list (never the keys themselves).",
      json: apiKeysResponse,
    },
  }),
  createKey: apiKeyDoc({
    summary: "Create an API key for a user",
    success: { status: 201, description: "The key, shown only here.", json: apiKeyCreatedResponse },
    errors: ["not_found", "insufficient_scope"],
  }),
  revokeKey: apiKeyDoc({
    summary: "Revoke an API key",
    success: { status: 204, description: "Revoked." },
    errors: ["not_found"],
  }),
};

/**
 * A personal access token needs a current TOTP code, consumed like at login: a session alone
 * (or a stolen cookie) cannot mint a credential that skips the second factor.
 */
async function createPat(deps: Deps, ctx: SessionContext, input: {
  name: string;
  scopes: z.infer<typeof scopesSchema>;
  days?: number;
  code: string;
  meta: RequestMeta;
}) {
  const now = deps.clock.now();
  // An admin acting as the user never makes the user's tokens.
  if (ctx.session.delegatedBy) return fail("forbidden");
  const current = await currentUser(deps, ctx);
  if (!current.ok) return current;
  const { user } = current;
  const lockedFor = (user.secondFactorLockedUntil ?? 0) - now.getTime();
  if (lockedFor > 0) return fail("too_many_attempts", Math.ceil(lockedFor / 1000));
  const { match, replayed } = await matchTotp(deps, user.id, input.code, now);
  const consumed = match ? await advanceStepStatement(deps.db, { ...match, now }) : [];
  if (consumed.length !== 1) {
    return await wrongTotpCode(deps, user, null, input.meta, replayed);
  }
  return await createApiKey(deps, {
    user,
    kind: "pat",
    name: input.name,
    scopes: input.scopes,
    days: input.days,
    createdBy: user.id,
    meta: input.meta,
  });
}

export function apiKeyRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { config } = deps;
  const mine = withCaller(deps);
  const admin = withCaller(deps, adminApiSession);
  const page = withCaller(deps, pageSession, toLogin("/account"));

  // ---- JSON: personal access tokens ----

  app.get(
    "/api/v1/me/tokens",
    doc.listTokens,
    ownList(deps, "tokens", (userId) => listKeys(deps, { userId, kind: "pat" }), keyJson),
  );

  app.post(
    "/api/v1/me/tokens",
    doc.createToken,
    ...withBody(patBody.strict(), mine, async (c, ctx, body) => {
      const r = await createPat(deps, ctx, {
        name: body.name,
        scopes: body.scopes,
        days: body.expires_in_days,
        code: body.code,
        meta: requestMeta(c, config),
      });
      if (!r.ok) return jsonFailure(c, r);
      return c.json({ token: r.key, ...keyJson(r.row) }, 201);
    }),
  );

  app.delete(
    "/api/v1/me/tokens/:id",
    doc.revokeToken,
    mine(async (c, ctx) => {
      if (ctx.session.delegatedBy) return jsonFailure(c, fail("forbidden"));
      const r = await revokeKey(deps, {
        id: c.req.param("id")!,
        userId: ctx.user.id,
        by: ctx.user,
        meta: requestMeta(c, config),
      });
      return jsonDone(c, r);
    }),
  );

  // ---- JSON: admin API keys ----

  app.get(
    "/api/v1/admin/api-keys",
    doc.listKeys,
    admin(async (c) =>
      c.json({ api_keys: (await listKeys(deps, { kind: "api_key" })).map(keyJson) })
    ),
  );

  app.post(
    "/api/v1/admin/api-keys",
    doc.createKey,
    ...withBody(adminKeyBody.strict(), admin, async (c, ctx, body) => {
      const user = await findUserByUsername(deps.db, body.username);
      if (!user) return jsonFailure(c, fail("not_found"));
      const r = await createApiKey(deps, {
        user,
        kind: "api_key",
        name: body.name,
        scopes: body.scopes,
        days: body.expires_in_days,
        createdBy: ctx.user.id,
        meta: requestMeta(c, config),
      });
      if (!r.ok) return jsonFailure(c, r);
      return c.json({ api_key: r.key, ...keyJson({ ...r.row, username: user.displayName }) }, 201);
    }),
  );

  app.delete(
    "/api/v1/admin/api-keys/:id",
    doc.revokeKey,
    admin(async (c, ctx) => {
      const r = await revokeKey(deps, {
        id: c.req.param("id")!,
        by: ctx.user,
        meta: requestMeta(c, config),
      });
      return jsonDone(c, r);
    }),
  );

  // ---- HTML: personal access tokens on the account page ----

  app.post(
    "/account/tokens",
    page(async (c, ctx) => {
      const form = await formRecord(c);
      const scopes = SCOPES.filter((scope) =>
        form[`scope_${scope}`] === "true" || form[`scope_${scope}`] === "on"
      );
      const days = form.expires_in_days?.trim();
      const parsed = patBody.safeParse({
        name: form.name,
        scopes,
        code: form.code,
        // Empty: the default lifetime (API_KEY_DAYS).
        expires_in_days: days ? Number(days) : undefined,
      });
      const back = (error: string) =>
        c.redirect(`/account?token_error=${encodeURIComponent(error)}#tokens`, 303);
      if (!parsed.success) return back("validation_failed");
      const r = await createPat(deps, ctx, {
        name: parsed.data.name,
        scopes: parsed.data.scopes,
        days: parsed.data.expires_in_days,
        code: parsed.data.code,
        meta: requestMeta(c, config),
      });
      if (!r.ok) return back(r.code);
      c.header("Cache-Control", "no-store");
      return c.html(
        <NewTokenPage csrf={await csrfToken(c, deps)} token={r.key} name={r.row.name} />,
      );
    }),
  );

  app.post(
    "/account/tokens/:id/revoke",
    page(async (c, ctx) => {
      if (ctx.session.delegatedBy) {
        return c.redirect("/account?token_error=forbidden#tokens", 303);
      }
      await revokeKey(deps, {
        id: c.req.param("id")!,
        userId: ctx.user.id,
        by: ctx.user,
        meta: requestMeta(c, config),
      });
      return c.redirect("/account?notice=token_revoked#tokens", 303);
    }),
  );

  return app;
}
