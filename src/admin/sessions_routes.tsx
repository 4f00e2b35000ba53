/**
 * @module Active sessions for admins, over JSON (`/api/v1/admin/sessions`) and in the console
 * (`/admin/sessions`): every live session on the system, filterable by user; end one; end all
 * (confirmed, audited; the acting admin's own session survives only if they choose).
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Deps } from "../deps.ts";
import { withBody } from "../caller/resolve.ts";
import { clearCookie } from "../http/cookies.ts";
import { csrfToken, htmlWithCsrf } from "../http/csrf.ts";
import { errorBody, jsonDone } from "../http/respond.ts";
import { formRecord } from "../http/validate.ts";
import { t } from "../i18n/i18n.ts";
import { methodOf } from "../account/pages.tsx";
import {
  countLiveSessions,
  endAllSessionsByAdmin,
  endSessionByAdmin,
  listLiveSessionsForAdmin,
  type LiveSessionRow,
} from "../sessions/admin_service.ts";
import type { SessionContext } from "../sessions/service.ts";
import { adminCallers, adminDoc } from "./console_guard.tsx";
import { EndAllSessionsPage, SessionsPage } from "./sessions_page.tsx";

const PAGE_LIMIT = 500;

const listQuery = z.object({
  user: z.string().max(128).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});
const endAllBody = z.object({
  confirm: z.literal(true, "Send confirm: true to end every session on the system."),
  keep_own: z.boolean().default(false),
}).strict();

const iso = z.iso.datetime();
const sessionJson = z.object({
  id: z.string(),
  user: z.object({ id: z.string(), username: z.string() }),
  created_at: iso,
  last_seen_at: iso,
  expires_at: iso,
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  location: z.string().nullable().describe("Where the platform placed the client; null: unknown."),
  second_factor: z.string().describe("The second factor of that login, in words."),
  amr: z.array(z.string()),
  remember_me: z.boolean(),
  current: z.boolean().describe("Whether it is the caller's own session."),
});
const listResponse = z.object({ sessions: z.array(sessionJson) });
const endAllResponse = z.object({ ended: z.number().int(), kept_own: z.boolean() });

const doc = {
  list: adminDoc({
    summary: "Every active session on the system, newest activity first",
    description: "`user` filters by username or user id.",
    query: listQuery,
    success: { status: 200, description: "The sessions.", json: listResponse },
  }),
  end: adminDoc({
    summary: "End one session, whoever's it is",
    params: { id: "The session's id." },
    success: { status: 204, description: "Ended; its token is dead at once." },
    errors: ["not_found"],
  }),
  endAll: adminDoc({
    summary: "End every session on the system",
    description: "Everyone is signed out; the caller's own session too unless `keep_own`.",
    success: { status: 200, description: "How many ended.", json: endAllResponse },
  }),
};

function toJson(s: LiveSessionRow, currentId: string) {
  const at = (ms: number) => new Date(ms).toISOString();
  return {
    id: s.id,
    user: { id: s.userId, username: s.username },
    created_at: at(s.createdAt),
    last_seen_at: at(s.lastSeenAt),
    expires_at: at(s.expiresAt),
    ip: s.ip,
    user_agent: s.userAgent,
    location: s.location,
    second_factor: methodOf(s.amr),
    amr: JSON.parse(s.amr) as string[],
    remember_me: s.rememberMe,
    current: s.id === currentId,
  };
}

export function adminSessionRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { config } = deps;
  const { api, page: admin, who } = adminCallers(deps);

  // ---- JSON ----

  app.get(
    "/api/v1/admin/sessions",
    doc.list,
    api(async (c, ctx) => {
      const q = listQuery.safeParse(c.req.query());
      if (!q.success) {
        const fields: Record<string, string[]> = {};
        for (const i of q.error.issues) {
          (fields[String(i.path[0] ?? "_query")] ??= []).push(i.message);
        }
        return c.json(errorBody("validation_failed", fields), 400);
      }
      const rows = await listLiveSessionsForAdmin(deps, q.data);
      return c.json({ sessions: rows.map((s) => toJson(s, ctx.session.id)) });
    }),
  );

  app.post(
    "/api/v1/admin/sessions/end-all",
    doc.endAll,
    ...withBody(endAllBody, api, async (c, ctx, body) => {
      const r = await endAllSessionsByAdmin(deps, who(c, ctx), body.keep_own);
      return c.json({ ended: r.ended, kept_own: body.keep_own });
    }),
  );

  app.delete(
    "/api/v1/admin/sessions/:id",
    doc.end,
    api(async (c, ctx) => {
      const r = await endSessionByAdmin(deps, who(c, ctx), c.req.param("id")!);
      return jsonDone(c, r);
    }),
  );

  // ---- HTML ----

  const render = async (
    c: Context,
    ctx: SessionContext,
    extra: { notice?: string; error?: string; status?: number } = {},
  ) => {
    const user = c.req.query("user")?.trim() || undefined;
    const tooLong = (user?.length ?? 0) > 128;
    const rows = await listLiveSessionsForAdmin(deps, {
      user: tooLong ? undefined : user,
      limit: PAGE_LIMIT,
    });
    return await htmlWithCsrf(c, deps, tooLong ? 400 : extra.status ?? 200, (csrf) => (
      <SessionsPage
        csrf={csrf}
        rows={rows}
        limit={PAGE_LIMIT}
        user={tooLong ? undefined : user}
        currentSessionId={ctx.session.id}
        notice={extra.notice}
        error={tooLong ? t("admin.sessions.bad_filter") : extra.error}
      />
    ));
  };

  const NOTICES: Record<string, () => string> = {
    ended: () => t("admin.sessions.ended"),
    all_ended: () => t("admin.sessions.all_ended"),
  };

  app.get(
    "/admin/sessions",
    admin((c, ctx) => render(c, ctx, { notice: NOTICES[c.req.query("notice") ?? ""]?.() })),
  );

  app.post(
    "/admin/sessions/:id/end",
    admin(async (c, ctx) => {
      const form = await formRecord(c);
      const id = c.req.param("id")!;
      const r = await endSessionByAdmin(deps, who(c, ctx), id);
      if (!r.ok) return await render(c, ctx, { error: t("admin.sessions.gone"), status: 404 });
      if (id === ctx.session.id) {
        clearCookie(c, config, "session");
        return c.redirect("/login", 303);
      }
      // Back to the same filtered list: only a path of this page, never another target.
      const back = /^\/admin\/sessions(\?user=[^&#]*)?$/.test(form.back ?? "")
        ? form.back!
        : "/admin/sessions";
      return c.redirect(`${back}${back.includes("?") ? "&" : "?"}notice=ended`, 303);
    }),
  );

  app.get(
    "/admin/sessions/end-all",
    admin(async (c) => {
      const live = await countLiveSessions(deps);
      return c.html(<EndAllSessionsPage csrf={await csrfToken(c, deps)} live={live} />);
    }),
  );

  app.post(
    "/admin/sessions/end-all",
    admin(async (c, ctx) => {
      const form = await formRecord(c);
      if (form.confirm !== "1") return c.redirect("/admin/sessions/end-all", 303);
      const keepOwn = form.keep_own === "on";
      await endAllSessionsByAdmin(deps, who(c, ctx), keepOwn);
      if (keepOwn) return c.redirect("/admin/sessions?notice=all_ended", 303);
      clearCookie(c, config, "session");
      return c.redirect("/login", 303);
    }),
  );

  return app;
}
