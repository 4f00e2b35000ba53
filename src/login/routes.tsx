/**
 * @module The login over HTTP: `/login*` pages for browsers and `/api/v1/login*` for programs,
 * two thin routers over the same flow.
 */
import { type Context, Hono } from "hono";
import type { Deps } from "../deps.ts";
import { deviceNameFromUserAgent } from "../devices/device_name.ts";
import { pageSession } from "../caller/resolve.ts";
import { clearCookie, readCookie, secondsUntil, writeCookie } from "../http/cookies.ts";
import { csrfToken } from "../http/csrf.ts";
import { requestMeta } from "../http/client.ts";
import { returnHosts, safeReturnUrl } from "../http/redirect.ts";
import { jsonFailure, messageOf, statusOf } from "../http/respond.ts";
import { formRecord, jsonBody } from "../http/validate.ts";
import type { Failure } from "../lib/errors.ts";
import { GracePage, LoginPage, RecoveryCodeUsedPage, RecoveryPage, TotpPage } from "./pages.tsx";
import { describe } from "../openapi/describe.ts";
import { authenticatedResponse, loginResponse } from "../openapi/schemas.ts";
import {
  type Authenticated,
  cancelLogin,
  type LoginResult,
  passwordStep,
  recoveryStep,
  totpStep,
} from "./flow.ts";
import { cancelBody, loginBody, recoveryBody, totpBody } from "./schemas.ts";
import { loadPolicy } from "../policy/repo.ts";

const iso = (d: Date) => d.toISOString();

/** The JSON routes in the OpenAPI document (bodies come from their `jsonBody` schemas). */
const doc = {
  login: describe({
    summary: "Password step of a login",
    description: "Answers with a session when no second factor is needed (policy, network " +
      "rule or a valid trusted_device_token), else with a pending token for the next step.",
    tag: "login",
    auth: [],
    success: { status: 200, description: "The next step of the login.", json: loginResponse },
    errors: ["invalid_credentials", "too_many_attempts"],
  }),
  totp: describe({
    summary: "Second factor: a code from the authenticator app",
    tag: "login",
    auth: [],
    success: { status: 200, description: "Signed in.", json: authenticatedResponse },
    errors: ["invalid_pending_token", "invalid_code", "too_many_attempts"],
  }),
  recovery: describe({
    summary: "Second factor: a single-use recovery code",
    tag: "login",
    auth: [],
    success: { status: 200, description: "Signed in.", json: authenticatedResponse },
    errors: [
      "invalid_pending_token",
      "invalid_recovery_code",
      "recovery_codes_disabled",
      "too_many_attempts",
    ],
  }),
  cancel: describe({
    summary: "Abandon a login: the pending token stops working",
    tag: "login",
    auth: [],
    success: { status: 204, description: "Cancelled (also when the token was already dead)." },
  }),
};

function authenticatedJson(a: Authenticated) {
  return {
    status: a.status,
    session_token: a.sessionToken,
    expires_at: iso(a.expiresAt),
    ...(a.enrollmentDeadline ? { enrollment_deadline: iso(a.enrollmentDeadline) } : {}),
    ...(a.trustedDeviceToken ? { trusted_device_token: a.trustedDeviceToken } : {}),
    ...(a.recoveryCodesRemaining !== undefined
      ? { recovery_codes_remaining: a.recoveryCodesRemaining }
      : {}),
  };
}

function loginJson(r: Extract<LoginResult, { ok: true }>["value"]) {
  if (r.status === "authenticated") return authenticatedJson(r);
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

export function loginRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { config } = deps;
  const allowedHosts = returnHosts(config);

  /**
   * `?redirect=` kept only when it is a same-origin path or an absolute URL on a host in
   * FORWARD_AUTH_ALLOWED_HOSTS (forward-auth sends people here from the apps it protects).
   */
  const redirectParam = (value: string | undefined): string | undefined =>
    safeReturnUrl(value, allowedHosts) ?? undefined;

  /** Where a finished login goes: the checked `redirect`, else the account page. */
  const continueTo = (redirect: string | undefined): string =>
    safeReturnUrl(redirect, allowedHosts) ?? "/account";

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
      trustDevice: body.trust_device
        ? { name: body.device_name || deviceNameFromUserAgent(meta.userAgent) }
        : null,
      meta,
    });
    if (!r.ok) return jsonFailure(c, r);
    return c.json(authenticatedJson(r.value), 200);
  });

  app.post("/api/v1/login/recovery", doc.recovery, jsonBody(recoveryBody), async (c) => {
    const body = c.req.valid("json");
    const r = await recoveryStep(deps, {
      pendingToken: body.pending_token,
      recoveryCode: body.recovery_code,
      meta: requestMeta(c, config),
    });
    if (!r.ok) return jsonFailure(c, r);
    return c.json(authenticatedJson(r.value), 200);
  });

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
    c.status((props.status ?? 200) as 200);
    return c.html(
      <LoginPage
        csrf={await csrfToken(c, deps)}
        redirect={props.redirect}
        values={{ username: props.username }}
        error={props.error}
        notice={props.notice}
      />,
    );
  };

  /** Sends a browser on after the second factor: session cookie, device cookie, redirect. */
  const finishLogin = (c: Context, a: Authenticated, redirect: string | undefined) => {
    clearCookie(c, config, "pending");
    writeCookie(c, config, "session", a.sessionToken, secondsUntil(a.expiresAt, deps.clock.now()));
    if (a.trustedDeviceToken) {
      writeCookie(
        c,
        config,
        "device",
        a.trustedDeviceToken,
        secondsUntil(a.trustedDeviceExpiresAt!, deps.clock.now()),
      );
    }
    if (a.enrollmentDeadline) {
      // Grace period: say by when a second factor is needed, and offer to set it up now.
      return c.html(
        <GracePage deadline={a.enrollmentDeadline} continueTo={continueTo(redirect)} />,
      );
    }
    return c.redirect(continueTo(redirect), 303);
  };

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
    if (s.ok) return c.redirect(continueTo(redirect), 303);
    return renderLogin(c, { redirect });
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
    if (v.status === "authenticated") return finishLogin(c, v, redirect);
    writeCookie(c, config, "pending", v.pendingToken, secondsUntil(v.expiresAt, deps.clock.now()));
    const next = v.status === "second_factor_required" ? "/login/totp" : "/enroll";
    return c.redirect(withRedirect(next, redirect), 303);
  });

  const renderTotp = async (
    c: Context,
    props: { status?: number; error?: string; redirect?: string },
  ) => {
    c.status((props.status ?? 200) as 200);
    return c.html(
      <TotpPage
        csrf={await csrfToken(c, deps)}
        redirect={props.redirect}
        error={props.error}
        deviceName={deviceNameFromUserAgent(c.req.header("user-agent"))}
        trustedDevicesAllowed
        trustedDeviceDays={(await loadPolicy(deps.db)).trustedDeviceDays}
      />,
    );
  };

  app.get("/login/totp", (c) => {
    const redirect = redirectParam(c.req.query("redirect"));
    if (!readCookie(c, config, "pending")) return c.redirect(withRedirect("/login", redirect), 303);
    return renderTotp(c, { redirect });
  });

  app.post("/login/totp", async (c) => {
    const form = await formRecord(c);
    const redirect = redirectParam(form.redirect);
    const pendingToken = readCookie(c, config, "pending");
    const parsed = totpBody.safeParse({ ...form, pending_token: pendingToken });
    if (!pendingToken) return restart(c, { ok: false, code: "invalid_pending_token" }, redirect);
    if (!parsed.success) {
      return renderTotp(c, { status: 400, error: parsed.error.issues[0]?.message, redirect });
    }
    const meta = requestMeta(c, config);
    const r = await totpStep(deps, {
      pendingToken,
      code: parsed.data.code,
      trustDevice: parsed.data.trust_device
        ? { name: parsed.data.device_name || deviceNameFromUserAgent(meta.userAgent) }
        : null,
      meta,
    });
    if (r.ok) return finishLogin(c, r.value, redirect);
    if (r.code === "invalid_pending_token") return restart(c, r, redirect);
    if (r.retryAfterSeconds !== undefined) c.header("Retry-After", String(r.retryAfterSeconds));
    return renderTotp(c, { status: statusOf(r.code), error: messageOf(r.code), redirect });
  });

  const renderRecovery = async (
    c: Context,
    props: { status?: number; error?: string; redirect?: string },
  ) => {
    c.status((props.status ?? 200) as 200);
    return c.html(
      <RecoveryPage
        csrf={await csrfToken(c, deps)}
        redirect={props.redirect}
        error={props.error}
      />,
    );
  };

  app.get("/login/recovery", (c) => {
    const redirect = redirectParam(c.req.query("redirect"));
    if (!readCookie(c, config, "pending")) return c.redirect(withRedirect("/login", redirect), 303);
    return renderRecovery(c, { redirect });
  });

  app.post("/login/recovery", async (c) => {
    const form = await formRecord(c);
    const redirect = redirectParam(form.redirect);
    const pendingToken = readCookie(c, config, "pending");
    if (!pendingToken) return restart(c, { ok: false, code: "invalid_pending_token" }, redirect);
    const parsed = recoveryBody.safeParse({ ...form, pending_token: pendingToken });
    if (!parsed.success) {
      return renderRecovery(c, { status: 400, error: parsed.error.issues[0]?.message, redirect });
    }
    const r = await recoveryStep(deps, {
      pendingToken,
      recoveryCode: parsed.data.recovery_code,
      meta: requestMeta(c, config),
    });
    if (!r.ok) {
      if (r.code === "invalid_pending_token") return restart(c, r, redirect);
      if (r.retryAfterSeconds !== undefined) c.header("Retry-After", String(r.retryAfterSeconds));
      return renderRecovery(c, { status: statusOf(r.code), error: messageOf(r.code), redirect });
    }
    clearCookie(c, config, "pending");
    writeCookie(
      c,
      config,
      "session",
      r.value.sessionToken,
      secondsUntil(r.value.expiresAt, deps.clock.now()),
    );
    return c.html(
      <RecoveryCodeUsedPage
        remaining={r.value.recoveryCodesRemaining ?? 0}
        continueTo={continueTo(redirect)}
      />,
    );
  });

  app.post("/login/cancel", async (c) => {
    const pendingToken = readCookie(c, config, "pending");
    if (pendingToken) await cancelLogin(deps, pendingToken);
    clearCookie(c, config, "pending");
    return c.redirect("/login", 303);
  });

  return app;
}
