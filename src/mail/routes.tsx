/**
 * @module Mail over HTTP: the "this was not me" link of security notifications (`/not-me`).
 * GET shows what confirming does and changes nothing (mail scanners open links); the form's
 * POST does it.
 */
import { Hono } from "hono";
import type { Deps } from "../deps.ts";
import { requestMeta } from "../http/client.ts";
import { csrfToken } from "../http/csrf.ts";
import { formRecord } from "../http/validate.ts";
import { checkClient, clientFailed } from "../protection/guard.ts";
import { noticeTokenLive, reportNotMe } from "./not_me.ts";
import { NotMeDonePage, NotMeInvalidPage, NotMePage } from "./pages.tsx";

export function mailRoutes(deps: Deps): Hono {
  const app = new Hono();

  app.get("/not-me", async (c) => {
    const token = c.req.query("token") ?? "";
    c.header("Cache-Control", "no-store");
    if (!(await noticeTokenLive(deps, token))) {
      c.status(400);
      return c.html(<NotMeInvalidPage />);
    }
    return c.html(<NotMePage csrf={await csrfToken(c, deps)} token={token} />);
  });

  app.post("/not-me", async (c) => {
    const form = await formRecord(c);
    const meta = requestMeta(c, deps.config);
    c.header("Cache-Control", "no-store");
    const blocked = await checkClient(deps, meta);
    if (blocked) {
      c.header("Retry-After", String(blocked.retryAfterSeconds ?? 60));
      c.status(429);
      return c.html(<NotMeInvalidPage />);
    }
    if (!(await reportNotMe(deps, { token: form.token ?? "", meta }))) {
      await clientFailed(deps, meta);
      c.status(400);
      return c.html(<NotMeInvalidPage />);
    }
    return c.html(<NotMeDonePage />);
  });

  return app;
}
