/**
 * @module `/setup`: the first-run page, open only with the setup link while no admin exists. It
 * creates the first admin and hands over to the normal login, which sends an admin without an
 * authenticator to enrollment (admins always need a second factor).
 */
import { type Context, Hono } from "hono";
import type { Deps } from "../deps.ts";
import { requestMeta } from "../http/client.ts";
import { writeCookieUntil } from "../http/cookies.ts";
import { csrfToken } from "../http/csrf.ts";
import { formRecord } from "../http/validate.ts";
import { passwordStep } from "../login/flow.ts";
import { MessagePage } from "../views/layout.tsx";
import { SetupPage } from "./pages.tsx";
import { checkSetupToken, createFirstAdmin, type SetupCheck, type SetupToken } from "./service.ts";

export function setupRoutes(deps: Deps, setup: SetupToken | undefined): Hono {
  const app = new Hono();
  const { config } = deps;

  const refused = (c: Context, check: Exclude<SetupCheck, "ok">) =>
    check === "admin_exists"
      ? c.html(
        <MessagePage
          title="Setup is done"
          message="An admin exists, so this setup link no longer works."
          link={{ href: "/login", text: "Sign in" }}
        />,
        410,
      )
      : c.html(
        <MessagePage
          title="Setup link not valid"
          message="This setup link is not valid or has expired. Restart the service for a new one."
        />,
        404,
      );

  app.get("/setup", async (c) => {
    const token = c.req.query("token") ?? "";
    const check = await checkSetupToken(deps, setup, token);
    if (check !== "ok") return refused(c, check);
    return c.html(
      <SetupPage
        csrf={await csrfToken(c, deps)}
        token={token}
        issuer={config.BRAND_NAME ?? config.ISSUER}
      />,
    );
  });

  app.post("/setup", async (c) => {
    const form = await formRecord(c);
    const token = form.token ?? "";
    const check = await checkSetupToken(deps, setup, token);
    if (check !== "ok") return refused(c, check);
    const username = form.username ?? "";
    const password = form.password ?? "";
    const meta = requestMeta(c, config);
    const r = await createFirstAdmin(deps, { username, password, ip: meta.ip });
    if (!r.ok) {
      if (r.reason === "admin_exists") return refused(c, "admin_exists");
      c.status(400);
      return c.html(
        <SetupPage
          csrf={await csrfToken(c, deps)}
          token={token}
          issuer={config.BRAND_NAME ?? config.ISSUER}
          values={{ username }}
          errors={{ [r.field]: r.message }}
        />,
      );
    }
    // The password step of a normal login: the new admin has no authenticator yet, so it
    // answers with a pending enrollment, and /enroll walks them through adding one.
    const login = await passwordStep(deps, {
      username: r.username,
      password,
      rememberMe: false,
      meta,
    });
    if (!login.ok || login.value.status === "authenticated") return c.redirect("/login", 303);
    const v = login.value;
    writeCookieUntil(c, deps, "pending", v.pendingToken, v.expiresAt);
    return c.redirect(v.status === "enrollment_required" ? "/enroll" : "/login/totp", 303);
  });

  return app;
}
