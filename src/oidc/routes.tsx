/**
 * @module twofold as an OpenID Connect provider over HTTP: discovery, the authorization
 * endpoint (through twofold's own login pages), token, userinfo and RP-initiated logout; the
 * admin's client registration (JSON); the user's list of apps (page).
 */
import { type Context, Hono } from "hono";
import { accessRules } from "../access/service.ts";
import { decideAccess } from "../access/rules.ts";
import { adminApiSession, adminPageSession } from "../admin/guard.ts";
import { AdminForbiddenPage } from "../admin/dashboard_page.tsx";
import { t } from "../i18n/i18n.ts";
import { ClientsPage } from "./console_page.tsx";
import { audit } from "../audit/repo.ts";
import type { Deps } from "../deps.ts";
import { pageSession } from "../caller/resolve.ts";
import { bearerToken } from "../http/bearer.ts";
import { clientIp, requestMeta } from "../http/client.ts";
import { clearCookie } from "../http/cookies.ts";
import { csrfToken } from "../http/csrf.ts";
import { errorBody, jsonFailure } from "../http/respond.ts";
import { formRecord, jsonBody } from "../http/validate.ts";
import { fail } from "../lib/errors.ts";
import { describe } from "../openapi/describe.ts";
import {
  oidcClientCreatedResponse,
  oidcClientResponse,
  oidcClientsResponse,
  oidcSecretResponse,
} from "../openapi/schemas.ts";
import { revokeSession } from "../sessions/repo.ts";
import { currentUser } from "../sessions/service.ts";
import { passedSecondFactor, secondFactorAt } from "../sso/service.ts";
import { parseRoles } from "../users/users.ts";
import {
  authenticateClient,
  clientInput,
  clientPatch,
  clientView,
  createClient,
  findClient,
  listClients,
  parseBasicAuth,
  removeClient,
  rotateSecret,
  updateClient,
} from "./clients.ts";
import {
  exchangeCode,
  issueCode,
  oidcAlgorithms,
  oidcIssuer,
  readIdTokenHint,
  refreshTokens,
  type TokenError,
  userinfo,
} from "./flow.ts";
import { ACR_2FA, ACR_PASSWORD, checkAuthorizeRequest, loginNeeded, OIDC_SCOPES } from "./oidc.ts";
import { AppsPage, AuthorizeErrorPage, LogoutConfirmPage, SignedOutPage } from "./pages.tsx";
import { listUserApps, revokeGrant, revokeUserApp } from "./repo.ts";

const adminDoc = (d: Parameters<typeof describe>[0]) => describe(d);
const CLIENT_ID = { id: "The client_id." };

const doc = {
  create: adminDoc({
    summary: "Register an OpenID Connect client (the secret is in this answer only)",
    tag: "admin",
    auth: ["admin"],
    success: { status: 201, description: "Registered.", json: oidcClientCreatedResponse },
  }),
  list: adminDoc({
    summary: "The registered OpenID Connect clients",
    tag: "admin",
    auth: ["admin"],
    success: { status: 200, description: "The clients.", json: oidcClientsResponse },
  }),
  get: adminDoc({
    summary: "One OpenID Connect client",
    tag: "admin",
    auth: ["admin"],
    params: CLIENT_ID,
    success: { status: 200, description: "The client.", json: oidcClientResponse },
    errors: ["not_found"],
  }),
  update: adminDoc({
    summary: "Change an OpenID Connect client's name, addresses or signing algorithm",
    tag: "admin",
    auth: ["admin"],
    params: CLIENT_ID,
    success: { status: 200, description: "The changed client.", json: oidcClientResponse },
    errors: ["not_found"],
  }),
  rotateSecret: adminDoc({
    summary: "A new secret for a confidential client (in this answer only; the old one dies)",
    tag: "admin",
    auth: ["admin"],
    params: CLIENT_ID,
    success: { status: 200, description: "The new secret.", json: oidcSecretResponse },
    errors: ["not_found", "validation_failed"],
  }),
  remove: adminDoc({
    summary: "Delete an OpenID Connect client: every token issued to it ends",
    tag: "admin",
    auth: ["admin"],
    params: CLIENT_ID,
    success: { status: 204, description: "Deleted." },
    errors: ["not_found"],
  }),
};

/** Paths that authenticate clients or bearers, never cookies: the CSRF check does not apply. */
export const OIDC_NO_CSRF_PATHS = ["/oidc/token", "/oidc/userinfo"];

export function oidcRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { config } = deps;

  // ---- discovery (OpenID Connect Discovery 1.0, 3) ----

  app.get("/.well-known/openid-configuration", (c) => {
    // The provider needs its public address as the issuer: without PUBLIC_URL it is off.
    const issuer = oidcIssuer(deps);
    if (!issuer) return c.json(errorBody("not_found"), 404);
    c.header("Cache-Control", "public, max-age=300");
    c.header("Access-Control-Allow-Origin", "*");
    return c.json({
      issuer,
      authorization_endpoint: `${issuer}/oidc/authorize`,
      token_endpoint: `${issuer}/oidc/token`,
      userinfo_endpoint: `${issuer}/oidc/userinfo`,
      end_session_endpoint: `${issuer}/oidc/logout`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      scopes_supported: OIDC_SCOPES,
      response_types_supported: ["code"],
      response_modes_supported: ["query"],
      grant_types_supported: ["authorization_code", "refresh_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: oidcAlgorithms(deps.keys),
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
      code_challenge_methods_supported: ["S256"],
      claims_supported: [
        "sub",
        "iss",
        "aud",
        "exp",
        "iat",
        "auth_time",
        "nonce",
        "acr",
        "amr",
        "azp",
        "sid",
        "name",
        "preferred_username",
        "email",
        "email_verified",
        "groups",
        "roles",
      ],
      acr_values_supported: [ACR_2FA, ACR_PASSWORD],
      prompt_values_supported: ["none", "login"],
      claims_parameter_supported: false,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      authorization_response_iss_parameter_supported: true,
    });
  });

  // ---- authorization endpoint ----

  app.get("/oidc/authorize", async (c) => {
    if (!oidcIssuer(deps)) return c.html(<AuthorizeErrorPage reason="not_configured" />, 404);
    const params = c.req.query();
    const client = params.client_id ? await findClient(deps.db, params.client_id) : undefined;
    const checked = checkAuthorizeRequest(
      params,
      client
        ? {
          id: client.id,
          redirectUris: JSON.parse(client.redirectUris),
          isPublic: client.secretHash === null,
        }
        : null,
    );
    const back = (redirectUri: string, values: Record<string, string | undefined>) => {
      const url = new URL(redirectUri);
      for (const [k, v] of Object.entries(values)) if (v !== undefined) url.searchParams.set(k, v);
      url.searchParams.set("iss", oidcIssuer(deps)!);
      return c.redirect(url.href, 303);
    };
    if (!checked.ok) {
      if (!checked.redirect) {
        return c.html(
          <AuthorizeErrorPage
            reason={checked.error === "invalid_client" ? "unknown_client" : "redirect_uri"}
          />,
          400,
        );
      }
      return back(params.redirect_uri!, {
        error: checked.error,
        error_description: checked.description,
        state: params.state,
      });
    }
    const request = checked.request;
    const now = deps.clock.now();
    const s = await pageSession(c, deps);
    const user = s.ok ? await currentUser(deps, s.ctx) : fail("unauthorized");
    const authTime = s.ok && user.ok ? new Date(s.ctx.session.createdAt) : null;
    if (!s.ok || !user.ok || loginNeeded(request, authTime, now)) {
      if (request.prompt.none) {
        return back(request.redirectUri, {
          error: "login_required",
          error_description: "The user must sign in.",
          state: request.state,
        });
      }
      // Back here after the login, without what asked for a fresh one (prompt=login,
      // max_age=0): the new session then counts as fresh, and a max_age above 0 is checked
      // again against its login time.
      const again = new URL(c.req.url);
      const rest = (again.searchParams.get("prompt") ?? "").split(" ")
        .filter((p) => p && p !== "login");
      if (rest.length) again.searchParams.set("prompt", rest.join(" "));
      else again.searchParams.delete("prompt");
      if (again.searchParams.get("max_age") === "0") again.searchParams.delete("max_age");
      const target = again.pathname + again.search;
      const force = s.ok ? "force=1&" : "";
      return c.redirect(`/login?${force}redirect=${encodeURIComponent(target)}`, 303);
    }
    // The access rules of single sign-on decide who may use the app: its redirect_uri is the
    // request (GET, from the browser's address, as forward-auth decides it). Before an admin
    // saves rules the built-in ones let every signed-in person through, so nothing changes.
    const decision = decideAccess(
      await accessRules(deps, c.get("arrival")),
      {
        host: new URL(request.redirectUri).host,
        path: new URL(request.redirectUri).pathname,
        method: "GET",
        ip: clientIp(c, config),
      },
      {
        username: user.user.username,
        groups: parseRoles(user.user.groups),
        roles: parseRoles(user.user.roles),
        secondFactor: passedSecondFactor(s.ctx.amr) || s.ctx.session.secondFactorAt !== null,
        secondFactorAt: secondFactorAt(s.ctx),
      },
      now,
    );
    if (decision.outcome !== "allow") {
      // `login` cannot happen for a signed-in user; a rule wanting a (fresh) second factor that
      // this session lacks is refused too, rather than prompting for a code mid-flow.
      await audit(deps.db, {
        event: "oidc.access_denied",
        outcome: "failure",
        userId: user.user.id,
        username: user.user.username,
        ...requestMeta(c, config),
        detail: {
          client: request.clientId,
          redirect_uri: request.redirectUri,
          reason: decision.outcome === "deny"
            ? "rule_denies"
            : decision.outcome === "step_up"
            ? "recent_second_factor_required"
            : "second_factor_required",
          rule: decision.rule,
        },
      }, now);
      return back(request.redirectUri, {
        error: "access_denied",
        error_description: decision.outcome === "deny"
          ? "The access rules do not allow this user to use this app."
          : "This app requires a session that passed a second factor.",
        state: request.state,
      });
    }
    const code = await issueCode(deps, { request, ctx: s.ctx, user: user.user });
    return back(request.redirectUri, { code, state: request.state });
  });

  // ---- token endpoint (RFC 6749 3.2, OIDC Core 3.1.3) ----

  const tokenFailure = (c: Context, e: TokenError, basic = false) => {
    c.header("Cache-Control", "no-store");
    if (e.error === "invalid_client") {
      if (basic) c.header("WWW-Authenticate", 'Basic realm="twofold"');
      return c.json({ error: e.error, error_description: e.description }, 401);
    }
    return c.json({ error: e.error, error_description: e.description }, 400);
  };

  // Browser apps (public clients) call the token and userinfo endpoints from their own origin.
  // Nothing there rides on cookies (client credentials, PKCE, Bearer tokens), so any origin.
  const cors = (c: Context) => {
    c.header("Access-Control-Allow-Origin", "*");
    c.header("Access-Control-Allow-Methods", "GET, POST");
    c.header("Access-Control-Allow-Headers", "Authorization, Content-Type");
    c.header("Access-Control-Max-Age", "600");
  };
  for (const path of OIDC_NO_CSRF_PATHS) {
    app.options(path, (c) => {
      cors(c);
      return c.body(null, 204);
    });
  }

  app.post("/oidc/token", async (c) => {
    cors(c);
    if (!oidcIssuer(deps)) return c.json({ error: "invalid_request" }, 404);
    const type = c.req.header("content-type") ?? "";
    if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      return tokenFailure(c, {
        ok: false,
        error: "invalid_request",
        description: "The body must be application/x-www-form-urlencoded.",
      });
    }
    const form = await formRecord(c);
    const authorization = c.req.header("authorization");
    const basic = parseBasicAuth(authorization);
    if (authorization && !basic) {
      return tokenFailure(c, {
        ok: false,
        error: "invalid_client",
        description: "Malformed Authorization header.",
      }, true);
    }
    const meta = requestMeta(c, config);
    const auth = await authenticateClient(deps, {
      ...(basic ? { basic } : {}),
      formId: form.client_id,
      formSecret: form.client_secret,
    });
    if (!auth.ok) {
      await audit(deps.db, {
        event: "oidc.client_auth",
        outcome: "failure",
        ...meta,
        detail: { client: (basic?.id ?? form.client_id ?? "").slice(0, 64) },
      }, deps.clock.now());
      return tokenFailure(c, {
        ok: false,
        error: "invalid_client",
        description: "Client authentication failed.",
      }, auth.basic);
    }
    let r;
    if (form.grant_type === "authorization_code") {
      r = await exchangeCode(deps, {
        client: auth.client,
        code: form.code,
        redirectUri: form.redirect_uri,
        codeVerifier: form.code_verifier,
        meta,
      });
    } else if (form.grant_type === "refresh_token") {
      r = await refreshTokens(deps, {
        client: auth.client,
        refreshToken: form.refresh_token,
        meta,
      });
    } else {
      return tokenFailure(c, {
        ok: false,
        error: "unsupported_grant_type",
        description: "Only authorization_code and refresh_token.",
      });
    }
    if (!r.ok) return tokenFailure(c, r);
    c.header("Pragma", "no-cache");
    return c.json(r.tokens, 200);
  });

  // ---- userinfo (OIDC Core 5.3) ----

  const userinfoHandler = async (c: Context) => {
    cors(c);
    const claims = await userinfo(deps, bearerToken(c));
    if (!claims) {
      c.header("WWW-Authenticate", 'Bearer error="invalid_token"');
      return c.json({ error: "invalid_token" }, 401);
    }
    return c.json(claims, 200);
  };
  app.get("/oidc/userinfo", userinfoHandler);
  app.post("/oidc/userinfo", userinfoHandler);

  // ---- RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) ----

  /** The post-logout target, if registered exactly for the client the hint names. */
  const postLogoutTarget = async (
    hint: { clientId: string } | null,
    clientIdParam: string | undefined,
    uri: string | undefined,
    state: string | undefined,
  ): Promise<string | null> => {
    const clientId = hint?.clientId ?? clientIdParam;
    if (!uri || !clientId || (hint && clientIdParam && clientIdParam !== hint.clientId)) {
      return null;
    }
    const client = await findClient(deps.db, clientId);
    if (!client || !(JSON.parse(client.postLogoutRedirectUris) as string[]).includes(uri)) {
      return null;
    }
    const url = new URL(uri);
    if (state !== undefined) url.searchParams.set("state", state.slice(0, 1024));
    return url.href;
  };

  const endSession = async (c: Context, values: Record<string, string | undefined>) => {
    const hint = await readIdTokenHint(deps, values.id_token_hint);
    const target = await postLogoutTarget(
      hint,
      values.client_id,
      values.post_logout_redirect_uri,
      values.state,
    );
    const s = await pageSession(c, deps);
    const now = deps.clock.now();
    const meta = requestMeta(c, config);
    if (hint) await revokeGrant(deps.db, hint.grantId, "logout", now);
    if (s.ok) {
      // The twofold session ends, and with it every app's tokens that came from it.
      await revokeSession(deps.db, s.ctx.session.id, now);
      clearCookie(c, config, "session");
      await audit(deps.db, {
        event: "logout",
        outcome: "success",
        userId: s.ctx.user.id,
        username: s.ctx.user.username,
        ...meta,
        detail: { session: s.ctx.session.id, oidc_client: hint?.clientId ?? null },
      }, now);
    }
    if (target) return c.redirect(target, 303);
    return c.html(<SignedOutPage />);
  };

  app.get("/oidc/logout", async (c) => {
    const q = c.req.query();
    const s = await pageSession(c, deps);
    if (!s.ok) return await endSession(c, q);
    // Sign the browser out at once only when the app proves it is the app of this session (an
    // ID token it was given for this very user); anything else asks first, so a link on some
    // page cannot sign people out.
    const hint = await readIdTokenHint(deps, q.id_token_hint);
    if (hint && hint.userId === s.ctx.user.id) return await endSession(c, q);
    return c.html(
      <LogoutConfirmPage
        csrf={await csrfToken(c, deps)}
        values={{
          id_token_hint: q.id_token_hint,
          client_id: q.client_id,
          post_logout_redirect_uri: q.post_logout_redirect_uri,
          state: q.state,
        }}
      />,
    );
  });

  app.post("/oidc/logout", async (c) => {
    const form = await formRecord(c);
    return await endSession(c, form);
  });

  // ---- admin: clients (JSON) ----

  const actorOf = async (c: Context) => {
    const s = await adminApiSession(c, deps);
    if (!s.ok) return s;
    return {
      ok: true as const,
      actor: { userId: s.ctx.user.id, username: s.ctx.user.username, meta: requestMeta(c, config) },
    };
  };

  app.post("/api/v1/admin/oidc-clients", doc.create, jsonBody(clientInput), async (c) => {
    const a = await actorOf(c);
    if (!a.ok) return jsonFailure(c, a);
    const r = await createClient(deps, c.req.valid("json"), a.actor);
    if (!r.ok) return c.json(errorBody("validation_failed", { [r.field]: [r.message] }), 400);
    return c.json({ ...clientView(r.row), client_secret: r.secret }, 201);
  });

  app.get("/api/v1/admin/oidc-clients", doc.list, async (c) => {
    const a = await actorOf(c);
    if (!a.ok) return jsonFailure(c, a);
    return c.json({ clients: (await listClients(deps.db)).map(clientView) }, 200);
  });

  app.get("/api/v1/admin/oidc-clients/:id", doc.get, async (c) => {
    const a = await actorOf(c);
    if (!a.ok) return jsonFailure(c, a);
    const row = await findClient(deps.db, c.req.param("id"));
    if (!row) return jsonFailure(c, fail("not_found"));
    return c.json(clientView(row), 200);
  });

  app.patch("/api/v1/admin/oidc-clients/:id", doc.update, jsonBody(clientPatch), async (c) => {
    const a = await actorOf(c);
    if (!a.ok) return jsonFailure(c, a);
    const r = await updateClient(deps, c.req.param("id"), c.req.valid("json"), a.actor);
    if (!r.ok) {
      if (r.field === null) return jsonFailure(c, fail("not_found"));
      return c.json(errorBody("validation_failed", { [r.field]: [r.message] }), 400);
    }
    return c.json(clientView(r.row), 200);
  });

  app.post("/api/v1/admin/oidc-clients/:id/secret", doc.rotateSecret, async (c) => {
    const a = await actorOf(c);
    if (!a.ok) return jsonFailure(c, a);
    const r = await rotateSecret(deps, c.req.param("id"), a.actor);
    if (!r.ok) {
      if (r.reason === "not_found") return jsonFailure(c, fail("not_found"));
      return c.json(
        errorBody("validation_failed", { _body: ["A public client has no secret."] }),
        400,
      );
    }
    return c.json({ client_secret: r.secret }, 200);
  });

  app.delete("/api/v1/admin/oidc-clients/:id", doc.remove, async (c) => {
    const a = await actorOf(c);
    if (!a.ok) return jsonFailure(c, a);
    if (!(await removeClient(deps, c.req.param("id"), a.actor))) {
      return jsonFailure(c, fail("not_found"));
    }
    return c.body(null, 204);
  });

  // ---- admin: clients (console page) ----

  const adminPage = async (c: Context) => {
    const s = await adminPageSession(c, deps);
    if (s.ok) return { ok: true as const, ctx: s.ctx };
    if (s.code === "forbidden") {
      c.status(403);
      return {
        ok: false as const,
        res: c.html(<AdminForbiddenPage csrf={await csrfToken(c, deps)} />),
      };
    }
    return { ok: false as const, res: c.redirect("/login?redirect=%2Fadmin%2Fapps", 303) };
  };

  const renderClients = async (
    c: Context,
    extra: Omit<Parameters<typeof ClientsPage>[0], "csrf" | "clients" | "issuer"> = {},
    status = 200,
  ) => {
    c.status(status as 200);
    return c.html(
      <ClientsPage
        csrf={await csrfToken(c, deps)}
        clients={(await listClients(deps.db)).map(clientView)}
        issuer={oidcIssuer(deps)}
        {...extra}
      />,
    );
  };

  app.get("/admin/apps", async (c) => {
    const a = await adminPage(c);
    if (!a.ok) return a.res;
    return await renderClients(c, {
      notice: c.req.query("notice") === "deleted" ? t("msg.oidc.client_deleted") : undefined,
    });
  });

  app.post("/admin/apps", async (c) => {
    const a = await adminPage(c);
    if (!a.ok) return a.res;
    const form = await formRecord(c);
    const lines = (v: string | undefined) =>
      (v ?? "").split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    const parsed = clientInput.safeParse({
      name: form.name,
      redirect_uris: lines(form.redirect_uris),
      post_logout_redirect_uris: lines(form.post_logout_redirect_uris),
      public: form.public === "on",
      signing_alg: form.rs256 === "on" ? "RS256" : "EdDSA",
    });
    const values = {
      name: form.name,
      redirect_uris: form.redirect_uris,
      post_logout_redirect_uris: form.post_logout_redirect_uris,
      public: form.public,
      rs256: form.rs256,
    };
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? "name");
        const item = issue.path.length > 1 ? lines(form[field])[Number(issue.path[1])] : undefined;
        errors[field] ??= item
          ? `${item}: ${t("oidc.console.bad_uri")}`
          : t("oidc.console.bad_field");
      }
      return await renderClients(c, { values, errors, error: t("oidc.console.fix") }, 400);
    }
    const r = await createClient(deps, parsed.data, {
      userId: a.ctx.user.id,
      username: a.ctx.user.username,
      meta: requestMeta(c, config),
    });
    if (!r.ok) {
      return await renderClients(c, {
        values,
        errors: { [r.field]: t("oidc.console.no_rsa") },
        error: t("oidc.console.fix"),
      }, 400);
    }
    return await renderClients(c, {
      created: { client_id: r.row.id, client_secret: r.secret },
    }, 201);
  });

  app.post("/admin/apps/:id/delete", async (c) => {
    const a = await adminPage(c);
    if (!a.ok) return a.res;
    await removeClient(deps, c.req.param("id"), {
      userId: a.ctx.user.id,
      username: a.ctx.user.username,
      meta: requestMeta(c, config),
    });
    return c.redirect("/admin/apps?notice=deleted", 303);
  });

  // ---- the user's apps (page) ----

  app.get("/account/apps", async (c) => {
    const s = await pageSession(c, deps);
    if (!s.ok) return c.redirect("/login?redirect=/account/apps", 303);
    const apps = await listUserApps(deps.db, s.ctx.user.id, deps.clock.now());
    return c.html(
      <AppsPage csrf={await csrfToken(c, deps)} apps={apps} notice={c.req.query("done")} />,
    );
  });

  app.post("/account/apps/:id/revoke", async (c) => {
    const s = await pageSession(c, deps);
    if (!s.ok) return c.redirect("/login?redirect=/account/apps", 303);
    const now = deps.clock.now();
    const clientId = c.req.param("id");
    const n = await revokeUserApp(deps.db, { userId: s.ctx.user.id, clientId, now });
    if (n > 0) {
      await audit(deps.db, {
        event: "oidc.app_revoke",
        outcome: "success",
        userId: s.ctx.user.id,
        username: s.ctx.user.username,
        ...requestMeta(c, config),
        detail: { client: clientId, grants: n },
      }, now);
    }
    return c.redirect("/account/apps?done=1", 303);
  });

  return app;
}
