/**
 * @module Self-service over HTTP: the `/account` pages and `/api/v1/me/...` for programs, over
 * the same calls in ./service.ts.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Deps } from "../deps.ts";
import { startEnrollment } from "../enrollment/flow.ts";
import { ownList, pageSession, toLogin, withBody, withCaller } from "../caller/resolve.ts";
import { enrollmentJson } from "../enrollment/json.ts";
import { clearCookie, readCookie } from "../http/cookies.ts";
import { requestMeta } from "../http/client.ts";
import { mayEnroll } from "../policy/policy.ts";
import { loadPolicy, subjectOf } from "../policy/repo.ts";
import { findUserById } from "../users/repo.ts";
import { csrfToken, htmlWithCsrf } from "../http/csrf.ts";
import { safeRedirect } from "../http/redirect.ts";
import { errorBody, jsonDone, jsonFailure, messageOf } from "../http/respond.ts";
import { formRecord } from "../http/validate.ts";
import { type ErrorCode, ERRORS, type Failure } from "../lib/errors.ts";
import { listKeys } from "../apikeys/service.ts";
import { codeField } from "../login/schemas.ts";
import { isFreshlyAuthenticated } from "../reauth/reauth.ts";
import { reauthenticate } from "../reauth/flow.ts";
import type { SessionContext } from "../sessions/service.ts";
import type { RequestMeta } from "../http/client.ts";
import { verifyToken } from "../tokens/tokens.ts";
import { describeAs } from "../openapi/describe.ts";
import {
  authenticatorResponse,
  authenticatorsResponse,
  enrollmentResponse,
  myDevicesResponse,
  reauthResponse,
  recoveryCodesResponse,
  recoveryRemainingResponse,
  sessionsResponse,
} from "../openapi/schemas.ts";
import { myKeys, reauthOptions } from "../webauthn/service.ts";
import { reauthKeyBody } from "../webauthn/schemas.ts";
import { ReauthKeyForm } from "../webauthn/pages.tsx";
import { relyingParty } from "../webauthn/webauthn.ts";
import { AccountPage, methodOf, NewRecoveryCodesPage, ReauthPage } from "./pages.tsx";
import {
  disableTwoFactor,
  endMySession,
  endSessions,
  myAuthenticators,
  myDevices,
  mySessions,
  recoveryCodesRemaining,
  regenerateRecoveryCodes,
  removeAuthenticator,
  renameAuthenticator,
  revokeMyDevice,
  secondFactorRequired,
} from "./service.ts";

const CODE_NEEDED = "Enter a code from your app or a recovery code.";
const labelBody = z.object({ label: z.string().trim().min(1, "Enter a name.").max(64) });
const optionalLabelBody = z.object({ label: z.string().trim().min(1).max(64).optional() });
const reauthBody = z.object({
  password: z.string().min(1, "Enter your password.").max(1024),
  code: codeField.optional(),
  recovery_code: z.string().trim().min(1).max(64).optional(),
  /** Instead of a code: a key's answer to POST /api/v1/me/reauth/webauthn/options. */
  security_key: reauthKeyBody.optional(),
});

const FRESH = "Needs a fresh proof: a login with a code, or POST /api/v1/me/reauth, " +
  "within the last 5 minutes.";
const me = describeAs("self-service", ["session"]);

/** A one-step action on my account (see `actions` below): 204 once `done`. */
const myAction = (summary: string, done: string, errors: ErrorCode[] = []) =>
  me({
    summary,
    success: { status: 204, description: done },
    ...(errors.length ? { errors } : {}),
  });

/** The JSON routes in the OpenAPI document (bodies come from their `jsonBody` schemas). */
const doc = {
  reauth: me({
    summary: "Prove it is you again (password and a code) before changing a factor",
    success: { status: 200, description: "Fresh until the given time.", json: reauthResponse },
    errors: [
      "invalid_credentials",
      "invalid_code",
      "invalid_recovery_code",
      "invalid_security_key",
      "too_many_attempts",
    ],
  }),
  listAuthenticators: me({
    summary: "My authenticators",
    success: { status: 200, description: "The list.", json: authenticatorsResponse },
  }),
  addAuthenticator: me({
    summary: "Start adding another authenticator",
    description: `${FRESH} Confirm with POST /api/v1/enrollments/{id}/confirm.`,
    success: { status: 201, description: "An enrollment.", json: enrollmentResponse },
    errors: ["reauthentication_required"],
  }),
  renameAuthenticator: me({
    summary: "Rename an authenticator",
    success: { status: 200, description: "Renamed.", json: authenticatorResponse },
    errors: ["not_found"],
  }),
  removeAuthenticator: me({
    summary: "Remove an authenticator",
    description: FRESH,
    success: { status: 204, description: "Removed; the other sessions end." },
    errors: ["reauthentication_required", "last_authenticator", "not_found"],
  }),
  replaceAuthenticator: me({
    summary: "Start replacing an authenticator (the old one goes when the new one is confirmed)",
    description: FRESH,
    success: { status: 201, description: "An enrollment.", json: enrollmentResponse },
    errors: ["reauthentication_required", "not_found"],
  }),
  recoveryRemaining: me({
    summary: "How many recovery codes are left",
    success: { status: 200, description: "The count.", json: recoveryRemainingResponse },
  }),
  regenerateRecovery: me({
    summary: "A new set of recovery codes (the old set stops working)",
    description: FRESH,
    success: {
      status: 201,
      description: "The new codes, shown once.",
      json: recoveryCodesResponse,
    },
    errors: ["reauthentication_required", "not_enrolled", "recovery_codes_disabled"],
  }),
  listDevices: me({
    summary: "My trusted devices",
    headers: { "X-Trusted-Device-Token": "This device's token: its entry is marked current." },
    success: { status: 200, description: "The list.", json: myDevicesResponse },
  }),
  revokeDevice: myAction("Forget a trusted device (it is asked for a code again)", "Revoked.", [
    "not_found",
  ]),
  listSessions: me({
    summary: "My sessions",
    success: { status: 200, description: "The list.", json: sessionsResponse },
  }),
  endSession: myAction("End one of my sessions", "Ended.", ["not_found"]),
  endOthers: myAction("End all my other sessions", "Ended."),
  endAll: myAction(
    "Log out everywhere: every session ends and every trusted device is forgotten",
    "Ended.",
  ),
  disable2fa: me({
    summary: "Turn two-factor sign-in off, where policy allows it",
    description: FRESH,
    success: { status: 204, description: "Off; the authenticators and recovery codes are gone." },
    errors: ["reauthentication_required", "policy_requires_2fa"],
  }),
};

/** Fixed notices for `/account?notice=`: a query parameter never puts its own text on the page. */
const NOTICES: Record<string, string> = {
  authenticator_added: "Your new authenticator is ready. Your other sessions were ended.",
  authenticator_renamed: "Authenticator renamed.",
  authenticator_removed: "Authenticator removed. Your other sessions were ended.",
  device_revoked: "That device will be asked for a code again.",
  session_ended: "Session ended.",
  sessions_ended: "All your other sessions were ended.",
  reauthenticated: "Thanks. For the next five minutes you can change your second factor.",
  twofa_disabled: "Two-factor sign-in is off. Your other sessions were ended.",
  password_changed: "Password changed. Your other sessions and trusted devices were ended.",
  token_revoked: "Token revoked.",
  security_key_added: "Your security key is ready. Your other sessions were ended.",
  security_key_renamed: "Security key renamed.",
  security_key_removed: "Security key removed. Your other sessions were ended.",
};

/** A message for an error code from the query string; unknown codes show nothing. */
function knownError(code: string | undefined): string | undefined {
  return code && code in ERRORS ? ERRORS[code as ErrorCode].message : undefined;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function authenticatorJson(a: Awaited<ReturnType<typeof myAuthenticators>>[number]) {
  return {
    id: a.id,
    label: a.label,
    created_at: iso(a.createdAt),
    last_used_at: iso(a.lastUsedAt),
    clock_drift: a.drift,
  };
}

/** A one-step action on the caller's account, by the JSON API or a button on the page. */
type Action = (
  c: Context,
  ctx: SessionContext,
  meta: RequestMeta,
) => Promise<{ ok: true } | Failure>;

export function accountRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { config } = deps;

  /** Resolves the JSON session or answers 401. */
  const withApiSession = withCaller(deps);

  const byId = (c: Context, meta: RequestMeta) => ({ id: c.req.param("id")!, meta });
  /** The one-step actions, done alike by the JSON routes and by the account page's buttons. */
  const actions = {
    removeAuthenticator: (c, ctx, meta) => removeAuthenticator(deps, ctx, byId(c, meta)),
    revokeDevice: (c, ctx, meta) => revokeMyDevice(deps, ctx, byId(c, meta)),
    endSession: (c, ctx, meta) => endMySession(deps, ctx, byId(c, meta)),
    endOthers: (_c, ctx, meta) => endSessions(deps, ctx, { scope: "others", meta }),
    endAll: (_c, ctx, meta) => endSessions(deps, ctx, { scope: "all", meta }),
    disable2fa: (_c, ctx, meta) => disableTwoFactor(deps, ctx, meta),
  } satisfies Record<string, Action>;
  /** An action over JSON: 204 once done, else its failure. */
  const apiAction = (run: Action) =>
    withApiSession(async (c, ctx) => jsonDone(c, await run(c, ctx, requestMeta(c, config))));

  // ---- JSON: /api/v1/me ----

  app.post(
    "/api/v1/me/reauth",
    doc.reauth,
    ...withBody(reauthBody.strict(), withApiSession, async (c, ctx, body) => {
      const r = await reauthenticate(deps, {
        ctx,
        password: body.password,
        code: body.code,
        recoveryCode: body.recovery_code,
        securityKey: body.security_key
          ? { challengeId: body.security_key.challenge_id, response: body.security_key.credential }
          : undefined,
        meta: requestMeta(c, config),
      });
      if (!r.ok && r.code === "validation_failed") {
        return c.json(errorBody("validation_failed", { code: [CODE_NEEDED] }), 400);
      }
      if (!r.ok) return jsonFailure(c, r);
      return c.json({ fresh_until: r.freshUntil.toISOString() });
    }),
  );

  app.get(
    "/api/v1/me/authenticators",
    doc.listAuthenticators,
    ownList(deps, "authenticators", (id) => myAuthenticators(deps, id), authenticatorJson),
  );

  /** Starts adding an authenticator (or replacing the one at `:id`): 201 with the enrollment. */
  const enroll = (replacing: boolean) =>
    withBody(optionalLabelBody.strict(), withApiSession, async (c, ctx, body) => {
      const r = await startEnrollment(deps, {
        auth: { kind: "session", ctx },
        label: body.label,
        ...(replacing ? { replacesId: c.req.param("id") } : {}),
        meta: requestMeta(c, config),
      });
      return r.ok ? c.json(enrollmentJson(r.value), 201) : jsonFailure(c, r);
    });

  app.post("/api/v1/me/authenticators", doc.addAuthenticator, ...enroll(false));

  app.patch(
    "/api/v1/me/authenticators/:id",
    doc.renameAuthenticator,
    ...withBody(labelBody.strict(), withApiSession, async (c, ctx, { label }) => {
      const r = await renameAuthenticator(deps, ctx, {
        id: c.req.param("id")!,
        label,
        meta: requestMeta(c, config),
      });
      if (!r.ok) return jsonFailure(c, r);
      const a = (await myAuthenticators(deps, ctx.user.id)).find((x) => x.id === c.req.param("id"));
      return c.json({ authenticator: authenticatorJson(a!) });
    }),
  );

  app.delete(
    "/api/v1/me/authenticators/:id",
    doc.removeAuthenticator,
    apiAction(actions.removeAuthenticator),
  );

  app.post("/api/v1/me/authenticators/:id/replace", doc.replaceAuthenticator, ...enroll(true));

  app.get(
    "/api/v1/me/recovery-codes",
    doc.recoveryRemaining,
    withApiSession(async (c, ctx) =>
      c.json({ remaining: await recoveryCodesRemaining(deps, ctx.user.id) })
    ),
  );

  app.post(
    "/api/v1/me/recovery-codes",
    doc.regenerateRecovery,
    withApiSession(async (c, ctx) => {
      const r = await regenerateRecoveryCodes(deps, ctx, requestMeta(c, config));
      return r.ok ? c.json({ recovery_codes: r.codes }, 201) : jsonFailure(c, r);
    }),
  );

  app.get(
    "/api/v1/me/trusted-devices",
    doc.listDevices,
    withApiSession(async (c, ctx) => {
      const current = await currentDeviceId(c.req.header("x-trusted-device-token"), ctx);
      return c.json({
        trusted_devices: (await myDevices(deps, ctx.user.id)).map((d) => ({
          id: d.id,
          name: d.name,
          created_at: iso(d.createdAt),
          last_used_at: iso(d.lastUsedAt),
          expires_at: iso(d.expiresAt),
          current: d.id === current,
        })),
      });
    }),
  );

  app.delete(
    "/api/v1/me/trusted-devices/:id",
    doc.revokeDevice,
    apiAction(actions.revokeDevice),
  );

  app.get(
    "/api/v1/me/sessions",
    doc.listSessions,
    withApiSession(async (c, ctx) =>
      c.json({
        sessions: (await mySessions(deps, ctx.user.id)).map((s) => ({
          id: s.id,
          created_at: iso(s.createdAt),
          last_seen_at: iso(s.lastSeenAt),
          expires_at: iso(s.expiresAt),
          ip: s.ip,
          user_agent: s.userAgent,
          location: s.location,
          second_factor: methodOf(s.amr),
          amr: JSON.parse(s.amr),
          current: s.id === ctx.session.id,
        })),
      })
    ),
  );

  app.delete(
    "/api/v1/me/sessions/:id",
    doc.endSession,
    apiAction(actions.endSession),
  );

  app.post(
    "/api/v1/me/sessions/end-others",
    doc.endOthers,
    apiAction(actions.endOthers),
  );

  app.post(
    "/api/v1/me/sessions/end-all",
    doc.endAll,
    apiAction(actions.endAll),
  );

  app.delete(
    "/api/v1/me/2fa",
    doc.disable2fa,
    apiAction(actions.disable2fa),
  );

  // ---- HTML: /account ----

  const currentDeviceId = async (token: string | undefined, ctx: SessionContext) => {
    if (!token) return null;
    const v = await verifyToken(deps.keys, "device", token, deps.clock.now());
    return v.ok && v.token.sub === ctx.user.id ? v.token.jti : null;
  };

  /** Sends the browser to the login, back here afterwards. */
  const toAccountLogin = toLogin("/account");

  /** Resolves the page session or sends the browser to the login. */
  const withPageSession = withCaller(deps, pageSession, toAccountLogin);

  /** Whether the policy lets this user add a factor (who may use 2FA). */
  const mayEnrollNow = async (c: Context, ctx: SessionContext) => {
    const user = await findUserById(deps.db, ctx.user.id);
    if (!user) return false;
    const enrolled = (await myAuthenticators(deps, ctx.user.id)).length > 0;
    const ip = requestMeta(c, config).ip;
    return mayEnroll(await loadPolicy(deps.db), subjectOf(user, enrolled), ip);
  };

  const renderAccount = async (
    c: Context,
    ctx: SessionContext,
    extra: { notice?: string; error?: string; status?: number } = {},
  ) => {
    const now = deps.clock.now();
    const policy = await secondFactorRequired(deps, ctx);
    if (!policy.ok) return toAccountLogin(c, policy);
    c.header("Cache-Control", "no-store");
    return await htmlWithCsrf(c, deps, extra.status ?? 200, async (csrf) => (
      <AccountPage
        csrf={csrf}
        username={ctx.user.displayName}
        authenticators={await myAuthenticators(deps, ctx.user.id)}
        recoveryCodesRemaining={await recoveryCodesRemaining(deps, ctx.user.id)}
        devices={await myDevices(deps, ctx.user.id)}
        currentDeviceId={await currentDeviceId(readCookie(c, config, "device"), ctx)}
        sessions={await mySessions(deps, ctx.user.id)}
        currentSessionId={ctx.session.id}
        amr={ctx.amr}
        fresh={isFreshlyAuthenticated({ ...ctx.session, amr: ctx.amr }, now)}
        canDisable2fa={!policy.required}
        canEnroll={await mayEnrollNow(c, ctx)}
        tokens={await listKeys(deps, { userId: ctx.user.id, kind: "pat" })}
        securityKeys={await myKeys(deps, ctx.user.id)}
        tokenError={knownError(c.req.query("token_error"))}
        notice={extra.notice}
        error={extra.error}
      />
    ));
  };

  /** After an action: back to the account page with a fixed notice, or the error in place. */
  const afterAction = async (
    c: Context,
    ctx: SessionContext,
    r: { ok: true } | Failure,
    notice: string,
  ) => {
    if (r.ok) return c.redirect(`/account?notice=${notice}`, 303);
    if (r.code === "reauthentication_required") {
      return c.redirect(`/account/reauth?next=${encodeURIComponent("/account")}`, 303);
    }
    return await renderAccount(c, ctx, { error: messageOf(r.code), status: 409 });
  };

  /** A button's action: done, then back to the account page with `notice` (see afterAction). */
  const pageAction = (path: string, notice: string, run: Action) =>
    app.post(
      path,
      withPageSession(async (c, ctx) =>
        afterAction(c, ctx, await run(c, ctx, requestMeta(c, config)), notice)
      ),
    );
  app.get(
    "/account",
    withPageSession((c, ctx) =>
      renderAccount(c, ctx, {
        notice: NOTICES[c.req.query("notice") ?? ""],
        error: knownError(c.req.query("error")),
      })
    ),
  );

  /** The re-authentication page, with the security key form for a user who has a key. */
  const renderReauth = async (
    c: Context,
    ctx: SessionContext,
    next: string,
    extra: { error?: string; status?: number } = {},
  ) => {
    const csrf = await csrfToken(c, deps);
    const key = await reauthOptions(deps, ctx, relyingParty(config.PUBLIC_URL, c.req.url));
    c.status((extra.status ?? 200) as 200);
    return c.html(
      <ReauthPage
        csrf={csrf}
        next={next}
        error={extra.error}
        securityKey={key
          ? (
            <ReauthKeyForm
              csrf={csrf}
              next={next}
              challengeId={key.challengeId}
              options={key.options}
            />
          )
          : undefined}
      />,
    );
  };

  app.get(
    "/account/reauth",
    withPageSession((c, ctx) => renderReauth(c, ctx, safeRedirect(c.req.query("next")))),
  );

  app.post(
    "/account/reauth",
    withPageSession(async (c, ctx) => {
      const form = await formRecord(c);
      const next = safeRedirect(form.next);
      const parsed = reauthBody.safeParse({
        password: form.password,
        code: form.code || undefined,
        recovery_code: form.recovery_code || undefined,
        security_key: form.credential
          ? { challenge_id: form.challenge_id, credential: form.credential }
          : undefined,
      });
      const rerender = (error: string, status: number) =>
        renderReauth(c, ctx, next, { error, status });
      if (!parsed.success) {
        return rerender(parsed.error.issues[0]?.message ?? messageOf("validation_failed"), 400);
      }
      const r = await reauthenticate(deps, {
        ctx,
        password: parsed.data.password,
        code: parsed.data.code,
        recoveryCode: parsed.data.recovery_code,
        securityKey: parsed.data.security_key
          ? {
            challengeId: parsed.data.security_key.challenge_id,
            response: parsed.data.security_key.credential,
          }
          : undefined,
        meta: requestMeta(c, config),
      });
      if (!r.ok) {
        if (r.retryAfterSeconds !== undefined) c.header("Retry-After", String(r.retryAfterSeconds));
        if (r.code === "validation_failed") return rerender(CODE_NEEDED, 400);
        return rerender(messageOf(r.code), r.code === "too_many_attempts" ? 429 : 401);
      }
      return c.redirect(next === "/account" ? "/account?notice=reauthenticated" : next, 303);
    }),
  );

  app.post(
    "/account/authenticators/:id/rename",
    withPageSession(async (c, ctx) => {
      const parsed = labelBody.safeParse(await formRecord(c));
      if (!parsed.success) {
        return await renderAccount(c, ctx, { error: parsed.error.issues[0]?.message, status: 400 });
      }
      const r = await renameAuthenticator(deps, ctx, {
        id: c.req.param("id")!,
        label: parsed.data.label,
        meta: requestMeta(c, config),
      });
      return afterAction(c, ctx, r, "authenticator_renamed");
    }),
  );

  pageAction(
    "/account/authenticators/:id/remove",
    "authenticator_removed",
    actions.removeAuthenticator,
  );

  app.post(
    "/account/authenticators/:id/replace",
    withPageSession((c, ctx) => {
      const target = `/enroll?replace=${encodeURIComponent(c.req.param("id")!)}`;
      const fresh = isFreshlyAuthenticated({ ...ctx.session, amr: ctx.amr }, deps.clock.now());
      return Promise.resolve(
        c.redirect(fresh ? target : `/account/reauth?next=${encodeURIComponent(target)}`, 303),
      );
    }),
  );

  app.post(
    "/account/recovery-codes",
    withPageSession(async (c, ctx) => {
      const r = await regenerateRecoveryCodes(deps, ctx, requestMeta(c, config));
      if (!r.ok) return afterAction(c, ctx, r, "");
      c.header("Cache-Control", "no-store");
      return c.html(<NewRecoveryCodesPage csrf={await csrfToken(c, deps)} codes={r.codes} />);
    }),
  );

  pageAction("/account/devices/:id/revoke", "device_revoked", actions.revokeDevice);
  pageAction("/account/sessions/:id/end", "session_ended", actions.endSession);
  pageAction("/account/sessions/end-others", "sessions_ended", actions.endOthers);

  app.post(
    "/account/sessions/end-all",
    withPageSession(async (c, ctx) => {
      await endSessions(deps, ctx, { scope: "all", meta: requestMeta(c, config) });
      clearCookie(c, config, "session");
      clearCookie(c, config, "device");
      return c.redirect("/login", 303);
    }),
  );

  pageAction("/account/2fa/disable", "twofa_disabled", async (c, ctx, meta) => {
    const r = await actions.disable2fa(c, ctx, meta);
    if (r.ok) clearCookie(c, config, "device");
    return r;
  });

  return app;
}
