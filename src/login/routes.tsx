/**
 * @module The login over HTTP: `/login*` pages for browsers and `/api/v1/login*` for programs,
 * two thin routers over the same flow.
 */
import { securitySettings } from "../settings/security.ts";
import { type Context, Hono } from "hono";
import type { z } from "zod";
import type { Deps } from "../deps.ts";
import { deviceNameFromUserAgent } from "../devices/device_name.ts";
import { pageSession } from "../caller/resolve.ts";
import { clearCookie, readCookie, writeCookieUntil } from "../http/cookies.ts";
import { csrfToken, htmlWithCsrf } from "../http/csrf.ts";
import { type RequestMeta, requestMeta } from "../http/client.ts";
import { returnHosts, returnUrlParam, safeReturnUrl } from "../http/redirect.ts";
import { jsonFailure, messageOf, statusOf } from "../http/respond.ts";
import { formRecord, jsonBody } from "../http/validate.ts";
import type { ErrorCode, Failure } from "../lib/errors.ts";
import {
  ContinuePage,
  GracePage,
  LoginPage,
  RecoveryCodeUsedPage,
  RecoveryPage,
  TotpPage,
} from "./pages.tsx";
import { describeAs } from "../openapi/describe.ts";
import { loadPolicy } from "../policy/repo.ts";
import { passkeyOptions, secondFactorOptions } from "../webauthn/service.ts";
import { PasskeyForm, SecondFactorKeyForm } from "../webauthn/pages.tsx";
import { relyingParty } from "../webauthn/webauthn.ts";
import { loginResponse, secondFactorResponse } from "../openapi/schemas.ts";
import {
  type Authenticated,
  cancelLogin,
  type LoginResult,
  passwordStep,
  recoveryStep,
  totpStep,
  type TrustRequest,
} from "./flow.ts";
import { cancelBody, loginBody, passwordChangeBody, recoveryBody, totpBody } from "./schemas.ts";
import { type PasswordChangeRequired, passwordChangeStep } from "./password_change.ts";
import { ExpiredPasswordPage } from "../passwords/pages.tsx";
import { errorBody } from "../http/respond.ts";
import { type RefreshIssued, startRefreshChain } from "../sessions/refresh.ts";

const iso = (d: Date) => d.toISOString();

/** The JSON routes in the OpenAPI document (bodies come from their `jsonBody` schemas). */
/** `describe()` for the login steps: no credentials (the pending token is in the body). */
export const loginDoc = describeAs("login", []);

/**
 * A second-factor step of a pending login (a code, a recovery code, a security key): signed in
 * (`answer` says what else it may be), or refused with `errors` beside the pending token's and
 * the attempt limit's.
 */
export const secondFactorDoc = (summary: string, answer: string, errors: ErrorCode[]) =>
  loginDoc({
    summary,
    success: { status: 200, description: answer, json: secondFactorResponse },
    errors: ["invalid_pending_token", ...errors, "too_many_attempts"],
  });

const doc = {
  login: loginDoc({
    summary: "Password step of a login",
    description: "Answers with a session when no second factor is needed (policy, network " +
      "rule or a valid trusted_device_token), else with a pending token for the next step.",
    success: { status: 200, description: "The next step of the login.", json: loginResponse },
    errors: ["invalid_credentials", "too_many_attempts"],
  }),
  totp: secondFactorDoc("Second factor: a code from the authenticator app", "Signed in.", [
    "invalid_code",
  ]),
  recovery: secondFactorDoc("Second factor: a single-use recovery code", "Signed in.", [
    "invalid_recovery_code",
    "recovery_codes_disabled",
  ]),
  passwordChange: loginDoc({
    summary: "Change an expired password, the last step of that login",
    description: "Answers a password_change_required step (the password is older than the " +
      "policy's maxAgeDays): sets the new password and signs in, or, when a factor is still " +
      "to be enrolled, answers enrollment_required. A weak_password answer lists every broken " +
      "rule (including the history rule) in fields.new_password.",
    success: {
      status: 200,
      description: "Signed in, or the enrollment step.",
      json: loginResponse,
    },
    errors: ["invalid_pending_token", "weak_password"],
  }),
  cancel: loginDoc({
    summary: "Abandon a login: the pending token stops working",
    success: { status: 204, description: "Cancelled (also when the token was already dead)." },
  }),
};

function authenticatedJson(a: Authenticated, refresh?: RefreshIssued | null) {
  return {
    status: a.status,
    session_token: a.sessionToken,
    expires_at: iso(a.expiresAt),
    ...(refresh
      ? {
        refresh_token: refresh.refreshToken,
        refresh_expires_at: iso(refresh.refreshExpiresAt),
      }
      : {}),
    ...(a.enrollmentDeadline ? { enrollment_deadline: iso(a.enrollmentDeadline) } : {}),
    ...(a.trustedDeviceToken ? { trusted_device_token: a.trustedDeviceToken } : {}),
    ...(a.recoveryCodesRemaining !== undefined
      ? { recovery_codes_remaining: a.recoveryCodesRemaining }
      : {}),
  };
}

function changeJson(r: PasswordChangeRequired) {
  return { status: r.status, pending_token: r.pendingToken, expires_at: iso(r.expiresAt) };
}

/** The answer of a second-factor step: signed in, or the expired password's change step. */
function stepJson(r: Authenticated | PasswordChangeRequired, refresh?: RefreshIssued | null) {
  return r.status === "password_change_required" ? changeJson(r) : authenticatedJson(r, refresh);
}

function loginJson(
  r: Extract<LoginResult, { ok: true }>["value"],
  refresh?: RefreshIssued | null,
) {
  if (r.status === "authenticated") return authenticatedJson(r, refresh);
  if (r.status === "password_change_required") return changeJson(r);
  return {
    status: r.status,
    pending_token: r.pendingToken,
    expires_at: iso(r.expiresAt),
    ...(r.status === "second_factor_required" ? { methods: r.methods } : {}),
  };
}

function withRedirect(path: string, redirect: string | undefined): string {
  return redirect ? `${path}?redirect=${encodeURIComponent(redirect)}` : path;
}

/**
 * The message of a security key failure that POST /login/webauthn or /login/passkey (src/webauthn/)
 * sent back as `?error=<code>`: only these fixed codes, never text from the query.
 */
function keyError(code: string | undefined): string | undefined {
  const known = [
    "invalid_security_key",
    "security_keys_disabled",
    "passkey_sign_in_disabled",
    "too_many_attempts",
    "invalid_pending_token",
  ] as const;
  const found = known.find((k) => k === code);
  return found ? messageOf(found) : undefined;
}

/** Whether to trust this device after the code: by the name given, or one made from the browser. */
function trustRequest(
  body: { trust_device: boolean; device_name?: string },
  meta: RequestMeta,
): TrustRequest {
  return body.trust_device
    ? { name: body.device_name || deviceNameFromUserAgent(meta.userAgent) }
    : null;
}

/**
 * Sends a browser on after the second factor: session cookie, device cookie, redirect (or, for an
 * expired password, on to its change step). The security-key routes finish the same way.
 */
export function finishBrowserLogin(
  c: Context,
  deps: Deps,
  a: Authenticated | PasswordChangeRequired,
  redirect: string | undefined,
) {
  const { config } = deps;
  if (a.status === "password_change_required") {
    // The expired password's change step, bound to this login by the pending cookie.
    writeCookieUntil(c, deps, "pending", a.pendingToken, a.expiresAt);
    return c.redirect(withRedirect("/login/password", redirect), 303);
  }
  const continueTo = safeReturnUrl(redirect, returnHosts(config)) ?? "/account";
  clearCookie(c, config, "pending");
  writeCookieUntil(c, deps, "session", a.sessionToken, a.expiresAt);
  if (a.trustedDeviceToken) {
    writeCookieUntil(c, deps, "device", a.trustedDeviceToken, a.trustedDeviceExpiresAt!);
  }
  if (a.enrollmentDeadline) {
    // Grace period: say by when a second factor is needed, and offer to set it up now.
    return c.html(<GracePage deadline={a.enrollmentDeadline} continueTo={continueTo} />);
  }
  // An app's sign-in request (OpenID Connect) ends at the app, off-site: see ContinuePage.
  if (continueTo.startsWith("/oidc/")) return c.html(<ContinuePage continueTo={continueTo} />);
  return c.redirect(continueTo, 303);
}

export function loginRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { config } = deps;

  /**
   * `?redirect=` kept only when it is a same-origin path or an absolute URL on a host in
   * FORWARD_AUTH_ALLOWED_HOSTS (forward-auth sends people here from the apps it protects).
   */
  const redirectParam = returnUrlParam(config);

  /** Where a finished login goes: the checked `redirect`, else the account page. */
  const continueTo = (redirect: string | undefined): string =>
    redirectParam(redirect) ?? "/account";

  /**
   * A program that signed in with password and second factor over JSON also gets a refresh
   * token (src/sessions/refresh.ts); browsers and password-only sessions do not.
   */
  const refreshFor = async (r: { status: string } | Authenticated) =>
    "refresh" in r
      ? r.refresh ?? null
      : "secondFactor" in r && r.secondFactor
      ? await startRefreshChain(deps, {
        userId: r.userId,
        sessionId: r.sessionId,
        now: deps.clock.now(),
      })
      : null;

  // ---- JSON ----

  app.post("/api/v1/login", doc.login, jsonBody(loginBody), async (c) => {
    const body = c.req.valid("json");
    const r = await passwordStep(deps, {
      username: body.username,
      password: body.password,
      rememberMe: body.remember_me,
      trustedDeviceToken: body.trusted_device_token,
      meta: requestMeta(c, config),
    });
    if (!r.ok) return jsonFailure(c, r);
    return c.json(loginJson(r.value), 200);
  });

  app.post("/api/v1/login/totp", doc.totp, jsonBody(totpBody), async (c) => {
    const body = c.req.valid("json");
    const meta = requestMeta(c, config);
    const r = await totpStep(deps, {
      pendingToken: body.pending_token,
      code: body.code,
      trustDevice: trustRequest(body, meta),
      meta,
      refresh: true,
    });
    if (!r.ok) return jsonFailure(c, r);
    return c.json(stepJson(r.value, await refreshFor(r.value)), 200);
  });

  app.post("/api/v1/login/recovery", doc.recovery, jsonBody(recoveryBody), async (c) => {
    const body = c.req.valid("json");
    const r = await recoveryStep(deps, {
      pendingToken: body.pending_token,
      recoveryCode: body.recovery_code,
      meta: requestMeta(c, config),
      refresh: true,
    });
    if (!r.ok) return jsonFailure(c, r);
    return c.json(stepJson(r.value, await refreshFor(r.value)), 200);
  });

  app.post(
    "/api/v1/login/password",
    doc.passwordChange,
    jsonBody(passwordChangeBody),
    async (c) => {
      const body = c.req.valid("json");
      const r = await passwordChangeStep(deps, {
        pendingToken: body.pending_token,
        newPassword: body.new_password,
        meta: requestMeta(c, config),
      });
      if (r.ok) return c.json(loginJson(r.value, await refreshFor(r.value)), 200);
      if ("problems" in r) {
        return c.json(errorBody("weak_password", { new_password: r.problems }), 400);
      }
      return jsonFailure(c, r);
    },
  );

  app.post("/api/v1/login/cancel", doc.cancel, jsonBody(cancelBody), async (c) => {
    await cancelLogin(deps, c.req.valid("json").pending_token);
    return c.body(null, 204);
  });

  // ---- HTML ----

  const renderLogin = async (
    c: Context,
    props: {
      status?: number;
      error?: string;
      username?: string;
      redirect?: string;
      notice?: string;
    },
  ) => {
    const csrf = await csrfToken(c, deps);
    // Passkey sign-in, when allowed: a challenge for this page (single use, 5 minutes).
    const passkey = (await loadPolicy(deps.db)).webauthn.passkeySignIn
      ? await passkeyOptions(deps, relyingParty(config.PUBLIC_URL, c.req.url))
      : null;
    c.status((props.status ?? 200) as 200);
    return c.html(
      <LoginPage
        csrf={csrf}
        redirect={props.redirect}
        values={{ username: props.username }}
        error={props.error}
        notice={props.notice}
        rememberMeDays={(await securitySettings(deps)).rememberMeDays}
        passkey={passkey?.ok
          ? (
            <PasskeyForm
              csrf={csrf}
              redirect={props.redirect}
              challengeId={passkey.challengeId}
              options={passkey.options}
            />
          )
          : undefined}
      />,
    );
  };

  const finishLogin = (
    c: Context,
    a: Authenticated | PasswordChangeRequired,
    redirect: string | undefined,
  ) => finishBrowserLogin(c, deps, a, redirect);

  /** A dead pending login sends the browser back to the password form with the reason. */
  const restart = (c: Context, failure: Failure, redirect: string | undefined) => {
    clearCookie(c, config, "pending");
    return renderLogin(c, {
      status: statusOf(failure.code),
      error: messageOf(failure.code),
      redirect,
    });
  };

  app.get("/login", async (c) => {
    const redirect = redirectParam(c.req.query("redirect"));
    const s = await pageSession(c, deps);
    // `force=1`: an app asked for a fresh login (OpenID Connect prompt=login or max_age), so
    // the form is shown even to a signed-in browser.
    if (s.ok && c.req.query("force") !== "1") return c.redirect(continueTo(redirect), 303);
    return renderLogin(c, { redirect, error: keyError(c.req.query("error")) });
  });

  app.post("/login", async (c) => {
    const form = await formRecord(c);
    const redirect = redirectParam(form.redirect);
    const parsed = loginBody.safeParse({ ...form, trusted_device_token: undefined });
    if (!parsed.success) {
      const first = parsed.error.issues[0]?.message ?? messageOf("validation_failed");
      return renderLogin(c, { status: 400, error: first, username: form.username, redirect });
    }
    const r = await passwordStep(deps, {
      username: parsed.data.username,
      password: parsed.data.password,
      rememberMe: parsed.data.remember_me,
      trustedDeviceToken: readCookie(c, config, "device"),
      meta: requestMeta(c, config),
    });
    if (!r.ok) {
      if (r.retryAfterSeconds !== undefined) c.header("Retry-After", String(r.retryAfterSeconds));
      return renderLogin(c, {
        status: statusOf(r.code),
        error: messageOf(r.code),
        username: parsed.data.username,
        redirect,
      });
    }
    const v = r.value;
    if (v.status === "authenticated" || v.status === "password_change_required") {
      return finishLogin(c, v, redirect);
    }
    writeCookieUntil(c, deps, "pending", v.pendingToken, v.expiresAt);
    const next = v.status === "second_factor_required" ? "/login/totp" : "/enroll";
    return c.redirect(withRedirect(next, redirect), 303);
  });

  type ChallengeProps = { status?: number; error?: string; redirect?: string };
  type ChallengePage = (c: Context, props: ChallengeProps) => Promise<Response>;

  /** A second-factor page needs a pending login; without one, back to the password. */
  const challengePage = (render: ChallengePage) => (c: Context) => {
    const redirect = redirectParam(c.req.query("redirect"));
    if (!readCookie(c, config, "pending")) return c.redirect(withRedirect("/login", redirect), 303);
    // A refused security key comes back here with its reason (src/webauthn/routes.tsx).
    return render(c, { redirect, error: keyError(c.req.query("error")) });
  };

  /** A refused second factor: a lost pending login starts over; else the page says why. */
  const challengeRefused = (
    c: Context,
    render: ChallengePage,
    r: Failure,
    redirect: string | undefined,
  ) => {
    if (r.code === "invalid_pending_token") return restart(c, r, redirect);
    if (r.retryAfterSeconds !== undefined) c.header("Retry-After", String(r.retryAfterSeconds));
    return render(c, { status: statusOf(r.code), error: messageOf(r.code), redirect });
  };

  /**
   * The POST of a pending login's form (second factor, expired password): its fields checked,
   * with the pending login its cookie carries, then `step`. Without a pending login, back to the
   * password; a bad field, the page again with its message.
   */
  const pendingForm = <S extends z.ZodType>(
    schema: S,
    render: ChallengePage,
    step: (
      c: Context,
      form: { redirect?: string; pendingToken: string; data: z.output<S> },
    ) => Promise<Response>,
  ) =>
  async (c: Context) => {
    const form = await formRecord(c);
    const redirect = redirectParam(form.redirect);
    const pendingToken = readCookie(c, config, "pending");
    if (!pendingToken) return restart(c, { ok: false, code: "invalid_pending_token" }, redirect);
    const parsed = schema.safeParse({ ...form, pending_token: pendingToken });
    if (!parsed.success) {
      return render(c, { status: 400, error: parsed.error.issues[0]?.message, redirect });
    }
    return await step(c, { redirect, pendingToken, data: parsed.data });
  };

  /** What both second-factor pages show alike: the status, the form's token, return, error. */
  const challengeProps = async (c: Context, props: ChallengeProps) => {
    c.status((props.status ?? 200) as 200);
    return { csrf: await csrfToken(c, deps), redirect: props.redirect, error: props.error };
  };

  const renderTotp = async (c: Context, props: ChallengeProps) => {
    const shared = await challengeProps(c, props);
    const pendingToken = readCookie(c, config, "pending");
    // A user with a security key gets it offered beside the code (a fresh challenge each time).
    const key = pendingToken
      ? await secondFactorOptions(deps, pendingToken, relyingParty(config.PUBLIC_URL, c.req.url))
      : null;
    return c.html(
      <TotpPage
        {...shared}
        deviceName={deviceNameFromUserAgent(c.req.header("user-agent"))}
        trustedDevicesAllowed
        securityKey={key?.ok
          ? (
            <SecondFactorKeyForm
              csrf={shared.csrf}
              redirect={props.redirect}
              challengeId={key.challengeId}
              options={key.options}
            />
          )
          : undefined}
        trustedDeviceDays={(await loadPolicy(deps.db)).trustedDeviceDays}
      />,
    );
  };

  app.get("/login/totp", challengePage(renderTotp));

  app.post(
    "/login/totp",
    pendingForm(totpBody, renderTotp, async (c, { redirect, pendingToken, data }) => {
      const meta = requestMeta(c, config);
      const r = await totpStep(deps, {
        pendingToken,
        code: data.code,
        trustDevice: trustRequest(data, meta),
        meta,
      });
      if (r.ok) return finishLogin(c, r.value, redirect);
      return challengeRefused(c, renderTotp, r, redirect);
    }),
  );

  const renderRecovery = async (c: Context, props: ChallengeProps) =>
    c.html(<RecoveryPage {...await challengeProps(c, props)} />);

  app.get("/login/recovery", challengePage(renderRecovery));

  app.post(
    "/login/recovery",
    pendingForm(recoveryBody, renderRecovery, async (c, { redirect, pendingToken, data }) => {
      const r = await recoveryStep(deps, {
        pendingToken,
        recoveryCode: data.recovery_code,
        meta: requestMeta(c, config),
      });
      if (!r.ok) return challengeRefused(c, renderRecovery, r, redirect);
      if (r.value.status === "password_change_required") return finishLogin(c, r.value, redirect);
      clearCookie(c, config, "pending");
      writeCookieUntil(c, deps, "session", r.value.sessionToken, r.value.expiresAt);
      return c.html(
        <RecoveryCodeUsedPage
          remaining={r.value.recoveryCodesRemaining ?? 0}
          continueTo={continueTo(redirect)}
        />,
      );
    }),
  );

  const renderExpired = async (
    c: Context,
    props: { status?: number; error?: string; problems?: string[]; redirect?: string },
  ) => {
    return await htmlWithCsrf(c, deps, props.status ?? 200, (csrf) => (
      <ExpiredPasswordPage
        csrf={csrf}
        redirect={props.redirect}
        error={props.error}
        problems={props.problems}
      />
    ));
  };

  app.get("/login/password", (c) => {
    const redirect = redirectParam(c.req.query("redirect"));
    if (!readCookie(c, config, "pending")) return c.redirect(withRedirect("/login", redirect), 303);
    return renderExpired(c, { redirect });
  });

  app.post(
    "/login/password",
    pendingForm(passwordChangeBody, renderExpired, async (c, { redirect, pendingToken, data }) => {
      const r = await passwordChangeStep(deps, {
        pendingToken,
        newPassword: data.new_password,
        meta: requestMeta(c, config),
      });
      if (r.ok) {
        if (r.value.status === "authenticated") return finishLogin(c, r.value, redirect);
        // A factor is still to be enrolled: on to the enrollment with its own pending login.
        writeCookieUntil(c, deps, "pending", r.value.pendingToken, r.value.expiresAt);
        return c.redirect(withRedirect("/enroll", redirect), 303);
      }
      if ("problems" in r) return renderExpired(c, { status: 400, problems: r.problems, redirect });
      return restart(c, r, redirect);
    }),
  );

  app.post("/login/cancel", async (c) => {
    const pendingToken = readCookie(c, config, "pending");
    if (pendingToken) await cancelLogin(deps, pendingToken);
    clearCookie(c, config, "pending");
    return c.redirect("/login", 303);
  });

  return app;
}
