/**
 * @module Security keys and passkeys over HTTP: `/api/v1/me/security-keys*` and
 * `/api/v1/login/webauthn*`, `/api/v1/login/passkey*` for programs, and the account and login
 * pages' forms, over the same calls in ./service.ts.
 */
import { type Context, Hono } from "hono";
import type { z } from "zod";
import { adminDoc } from "../admin/console_guard.tsx";
import type { Deps } from "../deps.ts";
import { ownList, pageSession, toLogin, withBody, withCaller } from "../caller/resolve.ts";
import { deviceNameFromUserAgent } from "../devices/device_name.ts";
import { readCookie, writeCookieUntil } from "../http/cookies.ts";
import { requestMeta } from "../http/client.ts";
import { htmlWithCsrf } from "../http/csrf.ts";
import { jsonDone, jsonFailure, messageOf, statusOf } from "../http/respond.ts";
import { formRecord, jsonBody } from "../http/validate.ts";
import type { Failure } from "../lib/errors.ts";
import { finishBrowserLogin, loginDoc, secondFactorDoc } from "../login/routes.tsx";
import { describeAs } from "../openapi/describe.ts";
import { authenticatedResponse } from "../openapi/schemas.ts";
import type { SessionContext } from "../sessions/service.ts";
import type { Authenticated } from "../login/flow.ts";
import type { PasswordChangeRequired } from "../login/password_change.ts";
import { NewKeyPage } from "./pages.tsx";
import type { CredentialRow } from "./repo.ts";
import {
  assertionCredential,
  keysResponse,
  oneKeyResponse,
  optionsResponse,
  passkeyBody,
  registerBody,
  registrationCredential,
  renameKeyBody,
  secondFactorBody,
  secondFactorOptionsBody,
} from "./schemas.ts";
import {
  adminRemoveKey,
  finishRegistration,
  myKeys,
  passkeyOptions,
  passkeyStep,
  reauthOptions,
  registrationOptions,
  removeKey,
  renameKey,
  secondFactorOptions,
  webauthnStep,
} from "./service.ts";
import { relyingParty } from "./webauthn.ts";
import { adminApiSession, adminPageSession } from "../admin/guard.ts";
import { findUserById } from "../users/repo.ts";

const me = describeAs("self-service", ["session"]);
const FRESH = "Needs a fresh proof: a login with a second factor, or POST /api/v1/me/reauth, " +
  "within the last 5 minutes.";
const KEY = { id: "The security key's id (from the list)." };

const doc = {
  list: me({
    summary: "My security keys and passkeys",
    success: { status: 200, description: "The list (never key material).", json: keysResponse },
  }),
  options: me({
    summary: "Start registering a security key or passkey",
    description: `${FRESH} Pass \`options\` to navigator.credentials.create(), then POST the ` +
      "credential to /api/v1/me/security-keys with `challenge_id` (single use, 5 minutes).",
    success: { status: 200, description: "Creation options.", json: optionsResponse },
    errors: ["reauthentication_required", "fallback_required"],
  }),
  register: me({
    summary: "Finish registering a security key or passkey",
    description: `${FRESH} The other sessions end.`,
    success: { status: 201, description: "Registered.", json: oneKeyResponse },
    errors: ["reauthentication_required", "invalid_security_key"],
  }),
  rename: me({
    summary: "Rename a security key",
    params: KEY,
    success: { status: 200, description: "Renamed.", json: oneKeyResponse },
    errors: ["not_found"],
  }),
  remove: me({
    summary: "Remove a security key",
    description: `${FRESH} Refused when the policy needs it (the last factor, or keys without ` +
      "the fallback the policy asks for). The other sessions end.",
    params: KEY,
    success: { status: 204, description: "Removed." },
    errors: ["reauthentication_required", "last_authenticator", "fallback_required", "not_found"],
  }),
  reauthOptions: me({
    summary: "Re-authenticate with a security key: get a challenge for this session",
    description: "Answer with POST /api/v1/me/reauth `{password, security_key: {challenge_id, " +
      "credential}}`.",
    success: { status: 200, description: "Request options.", json: optionsResponse },
    errors: ["not_found"],
  }),
  adminList: adminDoc({
    summary: "A user's security keys and passkeys",
    params: { id: "The user's id." },
    success: { status: 200, description: "The list (never key material).", json: keysResponse },
    errors: ["not_found"],
  }),
  adminRemove: adminDoc({
    summary: "Remove one of a user's security keys",
    description: "Audited; the user's pending logins end. No policy check (a 2FA reset " +
      "removes them all).",
    params: { id: "The user's id.", keyId: "The key's id." },
    success: { status: 204, description: "Removed." },
    errors: ["not_found"],
  }),
  secondFactorOptions: loginDoc({
    summary: "Second factor by security key: get a challenge for the pending login",
    success: { status: 200, description: "Request options.", json: optionsResponse },
    errors: ["invalid_pending_token", "security_keys_disabled", "not_found"],
  }),
  secondFactor: secondFactorDoc(
    "Second factor: a security key or passkey, in place of a code",
    "Signed in, or (an expired password) its change step.",
    ["invalid_security_key", "security_keys_disabled"],
  ),
  passkeyOptions: loginDoc({
    summary: "Passkey sign-in without a password: get a challenge",
    description: "Only while the login policy allows passkey sign-in (off by default).",
    success: { status: 200, description: "Request options.", json: optionsResponse },
    errors: ["passkey_sign_in_disabled"],
  }),
  passkey: loginDoc({
    summary: "Passkey sign-in: a discoverable credential with user verification",
    description: 'Counts as two factors: the session\'s amr is ["pop", "mfa"].',
    success: { status: 200, description: "Signed in.", json: authenticatedResponse },
    errors: ["passkey_sign_in_disabled", "invalid_security_key", "too_many_attempts"],
  }),
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function keyJson(k: CredentialRow) {
  return {
    id: k.id,
    name: k.name,
    created_at: iso(k.createdAt)!,
    last_used_at: iso(k.lastUsedAt),
    transports: JSON.parse(k.transports) as string[],
    backed_up: k.backedUp,
    user_verified: k.userVerified,
    discoverable: k.discoverable,
  };
}

/** The answer of the key step: signed in, or the expired password's change step. */
function stepJson(a: Authenticated | PasswordChangeRequired) {
  return a.status === "password_change_required"
    ? { status: a.status, pending_token: a.pendingToken, expires_at: a.expiresAt.toISOString() }
    : authenticatedJson(a);
}

function authenticatedJson(a: Authenticated) {
  return {
    status: a.status,
    session_token: a.sessionToken,
    expires_at: a.expiresAt.toISOString(),
    ...(a.trustedDeviceToken ? { trusted_device_token: a.trustedDeviceToken } : {}),
  };
}

/** The credential a page's script put in the hidden field, checked like the JSON body's. */
function formCredential<T extends z.ZodType>(schema: T, text: string | undefined) {
  try {
    const parsed = schema.safeParse(JSON.parse(text ?? ""));
    return parsed.success ? parsed.data as z.output<T> : null;
  } catch {
    return null;
  }
}

export function webauthnRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { config } = deps;
  const rpOf = (c: Context) => relyingParty(config.PUBLIC_URL, c.req.url);

  const withApiSession = withCaller(deps);

  // ---- JSON: the caller's keys ----

  app.get(
    "/api/v1/me/security-keys",
    doc.list,
    ownList(deps, "security_keys", (id) => myKeys(deps, id), keyJson),
  );

  app.post(
    "/api/v1/me/security-keys/options",
    doc.options,
    withApiSession(async (c, ctx) => {
      const r = await registrationOptions(deps, ctx, rpOf(c));
      return r.ok ? c.json({ challenge_id: r.challengeId, options: r.options }) : jsonFailure(c, r);
    }),
  );

  app.post(
    "/api/v1/me/security-keys",
    doc.register,
    ...withBody(registerBody, withApiSession, async (c, ctx, body) => {
      const r = await finishRegistration(deps, ctx, {
        challengeId: body.challenge_id,
        name: body.name,
        response: body.credential,
        meta: requestMeta(c, config),
      });
      return r.ok ? c.json({ security_key: keyJson(r.key) }, 201) : jsonFailure(c, r);
    }),
  );

  app.patch(
    "/api/v1/me/security-keys/:id",
    doc.rename,
    ...withBody(renameKeyBody, withApiSession, async (c, ctx, body) => {
      const id = c.req.param("id")!;
      const r = await renameKey(deps, ctx, {
        id,
        name: body.name,
        meta: requestMeta(c, config),
      });
      if (!r.ok) return jsonFailure(c, r);
      const key = (await myKeys(deps, ctx.user.id)).find((k) => k.id === id)!;
      return c.json({ security_key: keyJson(key) });
    }),
  );

  app.delete(
    "/api/v1/me/security-keys/:id",
    doc.remove,
    withApiSession(async (c, ctx) => {
      const r = await removeKey(deps, ctx, {
        id: c.req.param("id")!,
        meta: requestMeta(c, config),
      });
      return jsonDone(c, r);
    }),
  );

  app.post(
    "/api/v1/me/reauth/webauthn/options",
    doc.reauthOptions,
    withApiSession(async (c, ctx) => {
      const r = await reauthOptions(deps, ctx, rpOf(c));
      return r
        ? c.json({ challenge_id: r.challengeId, options: r.options })
        : jsonFailure(c, { ok: false, code: "not_found" });
    }),
  );

  // ---- JSON: an admin and a user's keys ----

  const admin = withCaller(deps, adminApiSession);

  app.get(
    "/api/v1/admin/users/:id/security-keys",
    doc.adminList,
    admin(async (c) => {
      const user = await findUserById(deps.db, c.req.param("id")!);
      if (!user) return jsonFailure(c, { ok: false, code: "not_found" });
      return c.json({ security_keys: (await myKeys(deps, user.id)).map(keyJson) });
    }),
  );

  app.delete(
    "/api/v1/admin/users/:id/security-keys/:keyId",
    doc.adminRemove,
    admin(async (c, ctx) => {
      const r = await adminRemoveKey(deps, {
        admin: ctx,
        meta: requestMeta(c, config),
        userId: c.req.param("id")!,
        keyId: c.req.param("keyId")!,
      });
      return jsonDone(c, r);
    }),
  );

  // ---- JSON: login ----

  app.post(
    "/api/v1/login/webauthn/options",
    doc.secondFactorOptions,
    jsonBody(secondFactorOptionsBody),
    async (c) => {
      const r = await secondFactorOptions(deps, c.req.valid("json").pending_token, rpOf(c));
      return r.ok ? c.json({ challenge_id: r.challengeId, options: r.options }) : jsonFailure(c, r);
    },
  );

  app.post("/api/v1/login/webauthn", doc.secondFactor, jsonBody(secondFactorBody), async (c) => {
    const body = c.req.valid("json");
    const meta = requestMeta(c, config);
    const r = await webauthnStep(deps, {
      pendingToken: body.pending_token,
      challengeId: body.challenge_id,
      response: body.credential,
      trustDevice: body.trust_device
        ? { name: body.device_name || deviceNameFromUserAgent(meta.userAgent) }
        : null,
      meta,
    });
    return r.ok ? c.json(stepJson(r.value)) : jsonFailure(c, r);
  });

  app.post("/api/v1/login/passkey/options", doc.passkeyOptions, async (c) => {
    const r = await passkeyOptions(deps, rpOf(c));
    return r.ok ? c.json({ challenge_id: r.challengeId, options: r.options }) : jsonFailure(c, r);
  });

  app.post("/api/v1/login/passkey", doc.passkey, jsonBody(passkeyBody), async (c) => {
    const body = c.req.valid("json");
    const r = await passkeyStep(deps, {
      challengeId: body.challenge_id,
      response: body.credential,
      rememberMe: body.remember_me,
      meta: requestMeta(c, config),
    });
    return r.ok ? c.json(authenticatedJson(r.value)) : jsonFailure(c, r);
  });

  // ---- HTML ----

  const withPageSession = withCaller(deps, pageSession, toLogin("/account"));
  const reauthFirst = (c: Context) =>
    c.redirect(`/account/reauth?next=${encodeURIComponent("/account/security-keys/new")}`, 303);
  const backToAccount = (c: Context, r: { ok: true } | Failure, notice: string) => {
    if (r.ok) return c.redirect(`/account?notice=${notice}`, 303);
    if (r.code === "reauthentication_required") return reauthFirst(c);
    return c.redirect(`/account?error=${r.code}`, 303);
  };

  const renderNewKey = async (
    c: Context,
    ctx: SessionContext,
    extra: { name?: string; error?: string; status?: number } = {},
  ) => {
    const r = await registrationOptions(deps, ctx, rpOf(c));
    if (!r.ok) return backToAccount(c, r, "");
    c.header("Cache-Control", "no-store");
    return await htmlWithCsrf(c, deps, extra.status ?? 200, (csrf) => (
      <NewKeyPage
        csrf={csrf}
        challengeId={r.challengeId}
        options={r.options}
        name={extra.name}
        error={extra.error}
      />
    ));
  };

  app.get("/account/security-keys/new", withPageSession((c, ctx) => renderNewKey(c, ctx)));

  app.post(
    "/account/security-keys",
    withPageSession(async (c, ctx) => {
      const form = await formRecord(c);
      const name = form.name?.trim() ?? "";
      const credential = formCredential(registrationCredential, form.credential);
      if (!name || name.length > 64 || !credential) {
        return renderNewKey(c, ctx, {
          name,
          error: messageOf(credential ? "validation_failed" : "invalid_security_key"),
          status: 400,
        });
      }
      const r = await finishRegistration(deps, ctx, {
        challengeId: form.challenge_id ?? "",
        name,
        response: credential,
        meta: requestMeta(c, config),
      });
      if (r.ok) return c.redirect("/account?notice=security_key_added", 303);
      if (r.code === "reauthentication_required") return reauthFirst(c);
      return renderNewKey(c, ctx, { name, error: messageOf(r.code), status: statusOf(r.code) });
    }),
  );

  app.post(
    "/account/security-keys/:id/rename",
    withPageSession(async (c, ctx) => {
      const parsed = renameKeyBody.safeParse(await formRecord(c));
      if (!parsed.success) return c.redirect("/account?error=validation_failed", 303);
      const r = await renameKey(deps, ctx, {
        id: c.req.param("id")!,
        name: parsed.data.name,
        meta: requestMeta(c, config),
      });
      return backToAccount(c, r, "security_key_renamed");
    }),
  );

  app.post(
    "/account/security-keys/:id/remove",
    withPageSession(async (c, ctx) => {
      const r = await removeKey(deps, ctx, {
        id: c.req.param("id")!,
        meta: requestMeta(c, config),
      });
      if (!r.ok && r.code === "reauthentication_required") {
        return c.redirect(`/account/reauth?next=${encodeURIComponent("/account")}`, 303);
      }
      return backToAccount(c, r, "security_key_removed");
    }),
  );

  const adminPage = withCaller(deps, adminPageSession, (c) => c.redirect("/admin", 303));
  app.post(
    "/admin/users/:id/security-keys/:keyId/remove",
    adminPage(async (c, ctx) => {
      const userId = c.req.param("id")!;
      const r = await adminRemoveKey(deps, {
        admin: ctx,
        meta: requestMeta(c, config),
        userId,
        keyId: c.req.param("keyId")!,
      });
      if (!r.ok) return c.redirect(`/admin/users/${encodeURIComponent(userId)}`, 303);
      return c.redirect(
        `/admin/users/${encodeURIComponent(userId)}?notice=security_key_removed`,
        303,
      );
    }),
  );

  /** The login pages' key answers: a failure goes back to the page it came from. */
  const loginFailure = (c: Context, r: Failure, back: string, redirect: string | undefined) => {
    if (r.retryAfterSeconds !== undefined) c.header("Retry-After", String(r.retryAfterSeconds));
    const q = new URLSearchParams({ error: r.code, ...(redirect ? { redirect } : {}) });
    return c.redirect(`${back}?${q}`, 303);
  };

  app.post("/login/webauthn", async (c) => {
    const form = await formRecord(c);
    const redirect = form.redirect || undefined;
    const pendingToken = readCookie(c, config, "pending");
    if (!pendingToken) return c.redirect("/login", 303);
    const credential = formCredential(assertionCredential, form.credential);
    if (!credential) {
      return loginFailure(c, { ok: false, code: "invalid_security_key" }, "/login/totp", redirect);
    }
    const r = await webauthnStep(deps, {
      pendingToken,
      challengeId: form.challenge_id ?? "",
      response: credential,
      trustDevice: null,
      meta: requestMeta(c, config),
    });
    if (r.ok) return finishBrowserLogin(c, deps, r.value, redirect);
    const back = r.code === "invalid_pending_token" ? "/login" : "/login/totp";
    return loginFailure(c, r, back, redirect);
  });

  app.post("/login/passkey", async (c) => {
    const form = await formRecord(c);
    const redirect = form.redirect || undefined;
    const credential = formCredential(assertionCredential, form.credential);
    if (!credential) {
      return loginFailure(c, { ok: false, code: "invalid_security_key" }, "/login", redirect);
    }
    const r = await passkeyStep(deps, {
      challengeId: form.challenge_id ?? "",
      response: credential,
      rememberMe: false,
      meta: requestMeta(c, config),
    });
    if (!r.ok) return loginFailure(c, r, "/login", redirect);
    writeCookieUntil(c, deps, "session", r.value.sessionToken, r.value.expiresAt);
    return finishBrowserLogin(c, deps, r.value, redirect);
  });

  return app;
}
