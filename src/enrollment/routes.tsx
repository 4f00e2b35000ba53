/**
 * @module Enrollment over HTTP: `/enroll` for browsers, `/api/v1/enrollments` for programs.
 * Either a pending token of an `enrollment_required` login or a fresh session may enroll.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { looksLikeApiKey } from "../apikeys/service.ts";
import type { Deps } from "../deps.ts";
import { pageSession } from "../caller/resolve.ts";
import { bearerToken } from "../http/bearer.ts";
import { clearCookie, readCookie, writeCookieUntil } from "../http/cookies.ts";
import { type RequestMeta, requestMeta } from "../http/client.ts";
import { csrfToken } from "../http/csrf.ts";
import { returnUrlParam } from "../http/redirect.ts";
import { jsonFailure, messageOf, statusOf } from "../http/respond.ts";
import { formRecord, jsonBody } from "../http/validate.ts";
import { fail, type Failure } from "../lib/errors.ts";
import { codeField } from "../login/schemas.ts";
import { authenticateSession } from "../sessions/service.ts";
import { verifyToken } from "../tokens/tokens.ts";
import { enrollmentJson } from "./json.ts";
import { EnrollPage, EnrollPassPage, RecoveryCodesPage } from "./pages.tsx";
import { MessagePage } from "../views/layout.tsx";
import { describeAs } from "../openapi/describe.ts";
import { enrollmentConfirmedResponse, enrollmentResponse } from "../openapi/schemas.ts";
import {
  confirmEnrollment,
  type EnrollAuth,
  type EnrollmentView,
  showEnrollment,
  startEnrollment,
} from "./flow.ts";

const startBody = z.object({
  label: z.string().trim().min(1).max(64).optional(),
  enrollment_pass: z.string().trim().min(1).max(64).optional(),
});
const confirmBody = z.object({ code: codeField });
const confirmForm = z.object({ enrollment_id: z.string().min(1).max(64), code: codeField });

/** The JSON routes in the OpenAPI document (bodies come from their `jsonBody` schemas). */
const enrollmentDoc = describeAs("enrollment", ["pending", "session"]);

const doc = {
  start: enrollmentDoc({
    summary: "Start adding an authenticator: a new TOTP key",
    description: "With the pending token of an enrollment_required login, or with a session " +
      "that signed in within 5 minutes. After an admin reset, enrollment_pass is needed.",
    success: {
      status: 201,
      description: "The key, as text, URI and QR code.",
      json: enrollmentResponse,
    },
    errors: ["enrollment_pass_required", "reauthentication_required", "forbidden"],
  }),
  confirm: enrollmentDoc({
    summary: "Confirm an enrollment with one code from the new authenticator",
    description: "The authenticator counts only from here. The first one comes with recovery " +
      "codes; during a login the answer also carries the session.",
    params: { id: "The enrollment_id from the start." },
    success: {
      status: 200,
      description: "The authenticator is active.",
      json: enrollmentConfirmedResponse,
    },
    errors: ["invalid_code", "enrollment_expired", "not_found", "too_many_attempts"],
  }),
};

/**
 * Who is enrolling, from a token: a session token first, else a pending token. Each kind is
 * verified only as itself, so a pending token never passes as a session or the reverse.
 */
async function authFromToken(
  deps: Deps,
  token: string | undefined,
  meta?: RequestMeta,
): Promise<EnrollAuth | Failure> {
  if (!token) return fail("unauthorized");
  if (looksLikeApiKey(token)) return fail("api_key_not_allowed");
  const session = await authenticateSession(deps, token, meta);
  if (session.ok) return { kind: "session", ctx: session.ctx };
  const pending = await verifyToken(deps.keys, "pending", token, deps.clock.now());
  if (pending.ok) return { kind: "pending", token };
  // An expired pending token is still recognisably one: say the login has to start again.
  if (pending.reason === "expired") return fail("invalid_pending_token");
  return fail("unauthorized");
}

export function enrollmentRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { config } = deps;
  /** The login's return URL, passed through enrollment: same-origin or an allowed host. */
  const redirectParam = returnUrlParam(config);

  // ---- JSON ----

  app.post("/api/v1/enrollments", doc.start, jsonBody(startBody.strict()), async (c) => {
    const auth = await authFromToken(deps, bearerToken(c), requestMeta(c, deps.config));
    if ("ok" in auth) return jsonFailure(c, auth);
    const body = c.req.valid("json");
    const r = await startEnrollment(deps, {
      auth,
      label: body.label,
      enrollmentPass: body.enrollment_pass,
      meta: requestMeta(c, config),
    });
    if (!r.ok) return jsonFailure(c, r);
    return c.json(enrollmentJson(r.value), 201);
  });

  app.post(
    "/api/v1/enrollments/:id/confirm",
    doc.confirm,
    jsonBody(confirmBody.strict()),
    async (c) => {
      const auth = await authFromToken(deps, bearerToken(c), requestMeta(c, deps.config));
      if ("ok" in auth) return jsonFailure(c, auth);
      const r = await confirmEnrollment(deps, {
        auth,
        enrollmentId: c.req.param("id"),
        code: c.req.valid("json").code,
        meta: requestMeta(c, config),
      });
      if (!r.ok) return jsonFailure(c, r);
      const v = r.value;
      return c.json({
        authenticator: {
          id: v.authenticator.id,
          label: v.authenticator.label,
          created_at: v.authenticator.createdAt.toISOString(),
        },
        recovery_codes: v.recoveryCodes,
        ...(v.session
          ? { session_token: v.session.token, expires_at: v.session.expiresAt.toISOString() }
          : {}),
      }, 200);
    },
  );

  // ---- HTML ----

  /** A page request enrolls with its session cookie, else with its pending cookie. */
  const pageAuth = async (c: Context): Promise<EnrollAuth | null> => {
    const s = await pageSession(c, deps);
    if (s.ok) return { kind: "session", ctx: s.ctx };
    const pending = readCookie(c, config, "pending");
    return pending ? { kind: "pending", token: pending } : null;
  };

  const render = async (
    c: Context,
    auth: EnrollAuth,
    view: EnrollmentView,
    props: { status?: number; error?: string; redirect?: string },
  ) => {
    c.status((props.status ?? 200) as 200);
    c.header("Cache-Control", "no-store");
    return c.html(
      <EnrollPage
        csrf={await csrfToken(c, deps)}
        view={view}
        redirect={props.redirect}
        error={props.error}
        duringLogin={auth.kind === "pending"}
        signedIn={auth.kind === "session"}
      />,
    );
  };

  const startPage = async (
    c: Context,
    redirect: string | undefined,
    error?: string,
    replacesId?: string,
    enrollmentPass?: string,
  ) => {
    const auth = await pageAuth(c);
    if (!auth) return c.redirect("/login", 303);
    const r = await startEnrollment(deps, {
      auth,
      replacesId,
      enrollmentPass,
      meta: requestMeta(c, config),
    });
    if (!r.ok && r.code === "enrollment_pass_required") {
      c.status(enrollmentPass ? 403 : 200);
      return c.html(
        <EnrollPassPage
          csrf={await csrfToken(c, deps)}
          redirect={redirect}
          error={enrollmentPass ? messageOf("enrollment_pass_required") : undefined}
        />,
      );
    }
    if (!r.ok) return failurePage(c, r);
    return render(c, auth, r.value, { redirect, error, status: error ? 400 : 200 });
  };

  const failurePage = (c: Context, r: Failure) => {
    if (r.code === "invalid_pending_token" || r.code === "unauthorized") {
      clearCookie(c, config, "pending");
      return c.redirect("/login", 303);
    }
    if (r.code === "reauthentication_required") {
      // Come back to the same page (keeping ?replace= and ?redirect=) after re-authenticating.
      const url = new URL(c.req.url);
      const next = c.req.method === "GET" ? url.pathname + url.search : "/enroll";
      return c.redirect(`/account/reauth?next=${encodeURIComponent(next)}`, 303);
    }
    c.status(statusOf(r.code));
    return c.html(
      <MessagePage
        title="Cannot set up an authenticator"
        message={messageOf(r.code)}
        link={{ href: "/login", text: "Sign in again" }}
      />,
    );
  };

  app.get("/enroll", (c) =>
    startPage(
      c,
      redirectParam(c.req.query("redirect")),
      undefined,
      c.req.query("replace") || undefined,
    ));

  app.post("/enroll/pass", async (c) => {
    const form = await formRecord(c);
    const redirect = redirectParam(form.redirect);
    return await startPage(c, redirect, undefined, undefined, form.enrollment_pass || "-");
  });

  app.post("/enroll", async (c) => {
    const form = await formRecord(c);
    const redirect = redirectParam(form.redirect);
    const auth = await pageAuth(c);
    if (!auth) return c.redirect("/login", 303);
    const parsed = confirmForm.safeParse(form);
    if (!parsed.success) {
      if (!form.enrollment_id) return startPage(c, redirect, parsed.error.issues[0]?.message);
      const shown = await showEnrollment(deps, { auth, enrollmentId: form.enrollment_id });
      if (!shown.ok) return startPage(c, redirect, messageOf("enrollment_expired"));
      return render(c, auth, shown.value, {
        status: 400,
        error: parsed.error.issues[0]?.message,
        redirect,
      });
    }
    const r = await confirmEnrollment(deps, {
      auth,
      enrollmentId: parsed.data.enrollment_id,
      code: parsed.data.code,
      meta: requestMeta(c, config),
    });
    if (!r.ok) {
      if (r.code === "enrollment_expired") return startPage(c, redirect, messageOf(r.code));
      if (r.code !== "invalid_code") return failurePage(c, r);
      const shown = await showEnrollment(deps, { auth, enrollmentId: parsed.data.enrollment_id });
      if (!shown.ok) return startPage(c, redirect, messageOf("enrollment_expired"));
      return render(c, auth, shown.value, {
        status: 401,
        error: messageOf("invalid_code"),
        redirect,
      });
    }
    const v = r.value;
    if (v.session) {
      clearCookie(c, config, "pending");
      writeCookieUntil(c, deps, "session", v.session.token, v.session.expiresAt);
    }
    c.header("Cache-Control", "no-store");
    if (v.recoveryCodes.length === 0) {
      return c.redirect(
        redirectParam(redirect) ?? "/account?notice=authenticator_added",
        303,
      );
    }
    return c.html(
      <RecoveryCodesPage
        codes={v.recoveryCodes}
        continueTo={redirectParam(redirect) ?? "/account"}
        csrf={await csrfToken(c, deps)}
      />,
    );
  });

  return app;
}
