/**
 * @module What the admin route files share: the console pages' guard (admins with a second
 * factor get in; others see the 403 page; strangers go to the login and back), the admin API's
 * guard, who acts (for the audit), the fixed notices of `?notice=`, and the API's doc entries.
 */
import type { Context, Hono } from "hono";
import { withCaller } from "../caller/resolve.ts";
import type { Deps } from "../deps.ts";
import { requestMeta } from "../http/client.ts";
import { csrfToken } from "../http/csrf.ts";
import { formRecord } from "../http/validate.ts";
import { type MessageKey, t } from "../i18n/i18n.ts";
import { describeAs } from "../openapi/describe.ts";
import type { SessionContext } from "../sessions/service.ts";
import { AdminForbiddenPage } from "./dashboard_page.tsx";
import { adminApiSession, adminPageSession } from "./guard.ts";

/** `describe()` for the admin API: tag `admin`, an admin's session only. */
export const adminDoc = describeAs("admin", ["admin"]);

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

/**
 * The guards of an admin route file and who acts: `api` for `/api/v1/admin/...` (refusals as
 * JSON), `page` for the console (see adminPageGuard; `home` as there).
 */
export function adminCallers(deps: Deps, home?: string) {
  return {
    api: withCaller(deps, adminApiSession),
    page: adminPageGuard(deps, home),
    who: (c: Context, ctx: SessionContext) => ({ ctx, meta: requestMeta(c, deps.config) }),
  };
}

/** The fixed notice `?notice=` names: a query parameter never puts its own text on the page. */
export function noticeOf(c: Context, notices: Record<string, MessageKey>): string | undefined {
  const name = c.req.query("notice") ?? "";
  return Object.hasOwn(notices, name) ? t(notices[name]) : undefined;
}

/**
 * A console page with one form, behind `guard`: GET shows it with the notice `?notice=` names
 * (message keys for noticeOf, or the page's own lookup); the form posts to `action` (by default the page itself), whose handler gets
 * the form's fields and answers (a redirect with a notice, or the page again).
 */
export function formPage(
  app: Hono,
  guard: ReturnType<typeof adminPageGuard>,
  path: string,
  page: {
    render: (c: Context, extra: { notice?: string }) => Promise<Response>;
    notices: Record<string, MessageKey> | ((c: Context) => string | undefined);
    action?: string;
    post: (c: Context, ctx: SessionContext, form: Record<string, string>) => Promise<Response>;
  },
) {
  const notice = (c: Context) =>
    typeof page.notices === "function" ? page.notices(c) : noticeOf(c, page.notices);
  app.get(path, guard((c) => page.render(c, { notice: notice(c) })));
  app.post(page.action ?? path, guard(async (c, ctx) => page.post(c, ctx, await formRecord(c))));
}
