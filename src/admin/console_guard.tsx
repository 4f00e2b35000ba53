/**
 * @module The console pages' guard as a handler wrapper, for the console's route files: admins
 * with a second factor get in; others see the 403 page; strangers go to the login and back.
 */
import type { Context } from "hono";
import { withCaller } from "../caller/resolve.ts";
import type { Deps } from "../deps.ts";
import { csrfToken } from "../http/csrf.ts";
import { AdminForbiddenPage } from "./dashboard_page.tsx";
import { adminPageSession } from "./guard.ts";

/**
 * `home` is where a stranger comes back to after the login from a form post (a POST cannot be
 * replayed); a GET comes back to itself, unless `always` sends every request back to `home`.
 */
export function adminPageGuard(deps: Deps, home = "/admin", always = false) {
  return withCaller(deps, adminPageSession, async (c: Context, s) => {
    if (s.code === "forbidden") {
      c.status(403);
      return c.html(<AdminForbiddenPage csrf={await csrfToken(c, deps)} />);
    }
    const url = new URL(c.req.url);
    const back = c.req.method === "GET" && !always ? url.pathname + url.search : home;
    return c.redirect(`/login?redirect=${encodeURIComponent(back)}`, 303);
  });
}
