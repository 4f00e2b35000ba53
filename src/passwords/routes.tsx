/**
 * @module Passwords over HTTP: change (`/account/password`, `/api/v1/me/password`), forgot and
 * reset (`/password/...`, `/api/v1/password-reset...`).
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Deps } from "../deps.ts";
import { pageSession, withBody, withCaller } from "../caller/resolve.ts";
import { requestMeta } from "../http/client.ts";
import { clearCookie } from "../http/cookies.ts";
import { csrfToken } from "../http/csrf.ts";
import { errorBody, jsonFailure, messageOf } from "../http/respond.ts";
import { formRecord, jsonBody } from "../http/validate.ts";
import { checkClient } from "../protection/guard.ts";
import { ChangePasswordPage, ForgotPasswordPage, ResetPasswordPage } from "./pages.tsx";
import { MessagePage } from "../views/layout.tsx";
import { describe, describeAs } from "../openapi/describe.ts";
import { resetRequestedResponse } from "../openapi/schemas.ts";
import {
  changePassword,
  confirmPasswordReset,
  type PasswordProblem,
  requestPasswordReset,
} from "./service.ts";

const changeBody = z.object({
  current_password: z.string().min(1, "Enter your current password.").max(1024),
  new_password: z.string().min(1, "Enter a new password.").max(1024),
});
const forgotBody = z.object({
  username: z.string().trim().min(1, "Enter your username or email.").max(254),
});
const resetBody = z.object({
  token: z.string().min(16).max(128),
  new_password: z.string().min(1, "Enter a new password.").max(1024),
});

/** The JSON routes in the OpenAPI document (bodies come from their `jsonBody` schemas). */
const passwordDoc = describeAs("passwords", []);

const doc = {
  change: describe({
    summary: "Change my password",
    description: "A weak_password answer lists every broken rule in fields.new_password.",
    tag: "passwords",
    auth: ["session"],
    success: { status: 204, description: "Changed; other sessions and all trusted devices end." },
    errors: ["invalid_credentials", "weak_password", "too_many_attempts"],
  }),
  forgot: passwordDoc({
    summary: "Ask for a password reset link (sent by email when the account has one)",
    success: {
      status: 202,
      description: "The same answer for every input, known or not.",
      json: resetRequestedResponse,
    },
    errors: ["too_many_attempts"],
  }),
  reset: passwordDoc({
    summary: "Set a new password with the token from a reset link",
    description: "Every session and trusted device ends, and no session is created: the next " +
      "login still asks for the second factor.",
    success: { status: 204, description: "The password is set." },
    errors: ["invalid_reset_token", "weak_password", "too_many_attempts"],
  }),
};

function weakJson(c: Context, r: PasswordProblem) {
  return c.json(errorBody("weak_password", { new_password: r.problems }), 400);
}

export function passwordRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { config } = deps;
  const baseUrl = (c: Context) => config.PUBLIC_URL ?? new URL(c.req.url).origin;

  // ---- JSON ----

  app.post(
    "/api/v1/me/password",
    doc.change,
    ...withBody(changeBody.strict(), withCaller(deps), async (c, ctx, body) => {
      const r = await changePassword(deps, ctx, {
        currentPassword: body.current_password,
        newPassword: body.new_password,
        meta: requestMeta(c, config),
      });
      if (r.ok) return c.body(null, 204);
      return "problems" in r ? weakJson(c, r) : jsonFailure(c, r);
    }),
  );

  app.post("/api/v1/password-reset", doc.forgot, jsonBody(forgotBody.strict()), async (c) => {
    const meta = requestMeta(c, config);
    const blocked = await checkClient(deps, meta);
    if (blocked) return jsonFailure(c, blocked);
    await requestPasswordReset(deps, {
      identifier: c.req.valid("json").username,
      baseUrl: baseUrl(c),
      meta,
    });
    return c.json({ status: "requested" }, 202);
  });

  app.post("/api/v1/password-reset/confirm", doc.reset, jsonBody(resetBody.strict()), async (c) => {
    const meta = requestMeta(c, config);
    const blocked = await checkClient(deps, meta);
    if (blocked) return jsonFailure(c, blocked);
    const body = c.req.valid("json");
    const r = await confirmPasswordReset(deps, {
      token: body.token,
      newPassword: body.new_password,
      meta,
    });
    if (r.ok) return c.body(null, 204);
    return "problems" in r ? weakJson(c, r) : jsonFailure(c, r);
  });

  // ---- HTML ----

  app.get("/account/password", async (c) => {
    const s = await pageSession(c, deps);
    if (!s.ok) return c.redirect("/login?redirect=%2Faccount%2Fpassword", 303);
    return c.html(<ChangePasswordPage csrf={await csrfToken(c, deps)} />);
  });

  app.post("/account/password", async (c) => {
    const s = await pageSession(c, deps);
    if (!s.ok) return c.redirect("/login?redirect=%2Faccount%2Fpassword", 303);
    const render = async (status: number, error?: string, problems?: string[]) => {
      c.status(status as 400);
      return c.html(
        <ChangePasswordPage csrf={await csrfToken(c, deps)} error={error} problems={problems} />,
      );
    };
    const parsed = changeBody.safeParse(await formRecord(c));
    if (!parsed.success) return render(400, parsed.error.issues[0]?.message);
    const r = await changePassword(deps, s.ctx, {
      currentPassword: parsed.data.current_password,
      newPassword: parsed.data.new_password,
      meta: requestMeta(c, config),
    });
    if (r.ok) return c.redirect("/account?notice=password_changed", 303);
    if ("problems" in r) return render(400, undefined, r.problems);
    if (r.retryAfterSeconds !== undefined) c.header("Retry-After", String(r.retryAfterSeconds));
    return render(r.code === "too_many_attempts" ? 429 : 401, messageOf(r.code));
  });

  app.get(
    "/password/forgot",
    async (c) => c.html(<ForgotPasswordPage csrf={await csrfToken(c, deps)} />),
  );

  app.post("/password/forgot", async (c) => {
    const parsed = forgotBody.safeParse(await formRecord(c));
    const csrf = await csrfToken(c, deps);
    if (!parsed.success) {
      c.status(400);
      return c.html(<ForgotPasswordPage csrf={csrf} error={parsed.error.issues[0]?.message} />);
    }
    const meta = requestMeta(c, config);
    const blocked = await checkClient(deps, meta);
    if (blocked) {
      c.header("Retry-After", String(blocked.retryAfterSeconds ?? 60));
      c.status(429);
      return c.html(<ForgotPasswordPage csrf={csrf} error={messageOf("too_many_attempts")} />);
    }
    await requestPasswordReset(deps, {
      identifier: parsed.data.username,
      baseUrl: baseUrl(c),
      meta,
    });
    return c.html(<ForgotPasswordPage csrf={csrf} sent />);
  });

  app.get("/password/reset", async (c) => {
    const token = c.req.query("token") ?? "";
    return c.html(<ResetPasswordPage csrf={await csrfToken(c, deps)} token={token} />);
  });

  app.post("/password/reset", async (c) => {
    const form = await formRecord(c);
    const csrf = await csrfToken(c, deps);
    const render = (status: number, error?: string, problems?: string[]) => {
      c.status(status as 400);
      return c.html(
        <ResetPasswordPage
          csrf={csrf}
          token={form.token ?? ""}
          error={error}
          problems={problems}
        />,
      );
    };
    const parsed = resetBody.safeParse(form);
    if (!parsed.success) {
      return render(
        400,
        form.token ? parsed.error.issues[0]?.message : messageOf("invalid_reset_token"),
      );
    }
    const meta = requestMeta(c, config);
    const blocked = await checkClient(deps, meta);
    if (blocked) return render(429, messageOf("too_many_attempts"));
    const r = await confirmPasswordReset(deps, {
      token: parsed.data.token,
      newPassword: parsed.data.new_password,
      meta,
    });
    if (r.ok) {
      clearCookie(c, config, "session");
      clearCookie(c, config, "device");
      return c.html(
        <MessagePage
          title="Password changed"
          message="Sign in with your new password. You will still need a code from your authenticator app."
          link={{ href: "/login", text: "Sign in" }}
        />,
      );
    }
    if ("problems" in r) return render(400, undefined, r.problems);
    return render(400, messageOf(r.code));
  });

  return app;
}
