/**
 * @module The console pages' guard as a handler wrapper, for the console's route files: admins
 * with a second factor get in; others see the 403 page; strangers go to the login and back.
 */
import type { Context } from "hono";
import type { Deps } from "../deps.ts";
import { csrfToken } from "../http/csrf.ts";
import type { SessionContext } from "../sessions/service.ts";
import { AdminForbiddenPage } from "./dashboard_page.tsx";
import { adminPageSession } from "./guard.ts";

export type AdminPageHandler = (c: Context, ctx: SessionContext) => Promise<Response>;

export function adminPageGuard(deps: Deps) {
  return (h: AdminPageHandler) => async (c: Context) => {
    const s = await adminPageSession(c, deps);
    if (s.ok) return await h(c, s.ctx);
    if (s.code === "forbidden") {
      c.status(403);
      return c.html(<AdminForbiddenPage csrf={await csrfToken(c, deps)} />);
    }
    const url = new URL(c.req.url);
    const back = c.req.method === "GET" ? url.pathname + url.search : "/admin";
    return c.redirect(`/login?redirect=${encodeURIComponent(back)}`, 303);
  };
}
