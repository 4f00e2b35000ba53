/** @module The session over HTTP: who am I, the account page, logout. */
import { Hono } from "hono";
import type { Deps } from "../deps.ts";
import { audit } from "../audit/repo.ts";
import { revokeTrustedDevice } from "../devices/repo.ts";
import { apiPrincipal, pageSession, withCaller } from "../caller/resolve.ts";
import { parseRoles } from "../users/users.ts";
import { clearCookie, readCookie } from "../http/cookies.ts";
import { requestMeta, requestMetaOf } from "../http/client.ts";
import { csrfToken } from "../http/csrf.ts";
import { jsonFailure } from "../http/respond.ts";
import { describe } from "../openapi/describe.ts";
import { refreshResponse, sessionResponse } from "../openapi/schemas.ts";
import { jsonBody } from "../http/validate.ts";
import { z } from "zod";
import { refreshSession } from "./refresh.ts";

const refreshBody = z.object({ refresh_token: z.string().min(1, "Required.").max(256) }).strict();
import { verifyToken } from "../tokens/tokens.ts";
import { LogoutPage } from "./pages.tsx";
import { revokeSession } from "./repo.ts";
import { authenticateSession, type SessionContext } from "./service.ts";
import { looksLikeApiKey } from "../apikeys/service.ts";
import { bearerOf } from "../http/bearer.ts";
import type { LaneRoute } from "../http/lane.ts";

/** GET /api/v1/session's answer for a session token. */
function sessionAnswer({ user, session, roles, amr }: SessionContext) {
  return {
    user: { id: user.id, username: user.displayName, roles },
    session: {
      id: session.id,
      amr,
      created_at: new Date(session.createdAt).toISOString(),
      expires_at: new Date(session.expiresAt).toISOString(),
    },
  };
}

/**
 * The body of a kept answer, made once. src/sessions/check_cache.ts hands every check of a
 * session the same frozen session row until something changes it, always with the same user
 * row; a row that is not kept (not frozen) gets its body made each time.
 */
const keptBodies = new WeakMap<object, string>();

function sessionBody(ctx: SessionContext): string {
  let body = keptBodies.get(ctx.session);
  if (body === undefined) {
    body = JSON.stringify(sessionAnswer(ctx));
    if (Object.isFrozen(ctx.session)) keptBodies.set(ctx.session, body);
  }
  return body;
}

/**
 * GET /api/v1/session in the fast lane (src/fast_lane.ts): a live session's answer, the same
 * as the route's; an API key, or anything but a live session, goes to the route.
 */
export function sessionLane(deps: Deps): LaneRoute {
  return async ({ raw, env, arrival }) => {
    const token = bearerOf(raw.headers);
    if (!token || looksLikeApiKey(token)) return null;
    const meta = requestMetaOf(raw, env, deps.config);
    const s = await authenticateSession(deps, token, meta, arrival);
    if (!s.ok) return null;
    return {
      status: 200,
      headers: [["Content-Type", "application/json"]],
      body: sessionBody(s.ctx),
    };
  };
}

/** The JSON routes in the OpenAPI document. */
const doc = {
  session: describe({
    summary: "Who the bearer is: the user and the session, or the API key",
    tag: "session",
    auth: ["session", "api_key"],
    scopes: ["read", "write", "admin"],
    success: { status: 200, description: "The bearer.", json: sessionResponse },
  }),
  refresh: describe({
    summary: "Trade a refresh token for a new session token and refresh token",
    description: "Single use: the old refresh token and its session end. Using a spent " +
      "refresh token again ends the whole chain (every session it issued) and is audited. " +
      "A chain ends at the remember-me lifetime from the login, at logout, and at a password " +
      "change or 2FA reset.",
    tag: "session",
    auth: [],
    success: { status: 200, description: "The new pair.", json: refreshResponse },
    errors: ["invalid_refresh_token"],
  }),
  logout: describe({
    summary: "End this session",
    tag: "session",
    auth: ["session"],
    success: { status: 204, description: "The session token is dead at once." },
  }),
};

export function sessionRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { config, db } = deps;

  const logout = async (ctx: SessionContext, meta: ReturnType<typeof requestMeta>) => {
    const now = deps.clock.now();
    await revokeSession(db, ctx.session.id, now);
    await audit(db, {
      event: "logout",
      outcome: "success",
      userId: ctx.user.id,
      username: ctx.user.username,
      ...meta,
      detail: { session: ctx.session.id },
    }, now);
  };

  // ---- JSON ----

  app.post("/api/v1/session/refresh", doc.refresh, jsonBody(refreshBody), async (c) => {
    const r = await refreshSession(deps, {
      refreshToken: c.req.valid("json").refresh_token,
      meta: requestMeta(c, config),
    });
    if (!r.ok) return jsonFailure(c, r);
    return c.json({
      session_token: r.value.sessionToken,
      expires_at: r.value.expiresAt.toISOString(),
      refresh_token: r.value.refreshToken,
      refresh_expires_at: r.value.refreshExpiresAt.toISOString(),
    });
  });

  app.get("/api/v1/session", doc.session, async (c) => {
    const p = await apiPrincipal(c, deps, ["read", "write", "admin"]);
    if (!p.ok) return jsonFailure(c, p);
    if (p.value.kind === "api_key") {
      const { user, key, scopes } = p.value.principal;
      return c.json({
        user: { id: user.id, username: user.displayName, roles: parseRoles(user.roles) },
        api_key: {
          id: key.id,
          kind: key.kind,
          name: key.name,
          scopes,
          expires_at: new Date(key.expiresAt).toISOString(),
        },
      });
    }
    return c.json(sessionAnswer(p.value.ctx));
  });

  app.post(
    "/api/v1/logout",
    doc.logout,
    withCaller(deps)(async (c, ctx) => {
      await logout(ctx, requestMeta(c, config));
      return c.body(null, 204);
    }),
  );

  // ---- HTML ----

  app.get("/", async (c) => {
    const s = await pageSession(c, deps);
    return c.redirect(s.ok ? "/account" : "/login", 303);
  });

  app.get("/logout", async (c) => {
    const s = await pageSession(c, deps);
    if (!s.ok) return c.redirect("/login", 303);
    const csrf = await csrfToken(c, deps);
    return c.html(<LogoutPage csrf={csrf} />);
  });

  app.post("/logout", async (c) => {
    const s = await pageSession(c, deps);
    const meta = requestMeta(c, config);
    if (s.ok) {
      await logout(s.ctx, meta);
      // Logging out explicitly from a trusted device forgets that device.
      const deviceToken = readCookie(c, config, "device");
      if (deviceToken) {
        const v = await verifyToken(deps.keys, "device", deviceToken, deps.clock.now());
        if (v.ok && v.token.sub === s.ctx.user.id) {
          await revokeTrustedDevice(db, {
            id: v.token.jti,
            userId: s.ctx.user.id,
            now: deps.clock.now(),
          });
        }
      }
    }
    clearCookie(c, config, "session");
    clearCookie(c, config, "device");
    return c.redirect("/login", 303);
  });

  return app;
}
