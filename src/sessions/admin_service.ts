/**
 * @module Every live session on the system, for admins: the list (filterable by user), ending
 * one, and ending all of them at once (the acting admin's own session kept only if asked). Each
 * end is audited in the same batch as the change.
 */
import { and, desc, eq, gt, isNull, or, sql } from "drizzle-orm";
import { audit, auditRecorded, auditValues } from "../audit/repo.ts";
import { auditEvents, sessions, users } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import type { RequestMeta } from "../http/client.ts";
import { fail, type Failure } from "../lib/errors.ts";
import { normalizeUsername } from "../users/users.ts";
import type { SessionContext } from "./service.ts";

/** The admin acting, and where from (for the audit). */
export type Actor = { ctx: SessionContext; meta: RequestMeta };

export type LiveSessionRow = {
  id: string;
  userId: string;
  username: string;
  amr: string;
  rememberMe: boolean;
  ip: string | null;
  userAgent: string | null;
  location: string | null;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
};

/** Alive: not ended, not past its expiry, not idle too long (unless remember-me), user enabled. */
function liveCondition(deps: Deps, now: number) {
  const defaultIdle = deps.config.SESSION_IDLE_MINUTES * 60_000;
  return and(
    isNull(sessions.revokedAt),
    gt(sessions.expiresAt, now),
    sql`(${sessions.rememberMe} = 1 OR ${sessions.lastSeenAt} > ${now} - COALESCE(${sessions.idleMs}, ${defaultIdle}))`,
    eq(users.disabled, false),
  );
}

/**
 * The live sessions, newest first, at most `limit`. `user` filters by username (as typed, any
 * case) or user id.
 */
export async function listLiveSessionsForAdmin(
  deps: Deps,
  filter: { user?: string; limit: number },
): Promise<LiveSessionRow[]> {
  const now = deps.clock.now().getTime();
  const who = filter.user?.trim();
  return await deps.db.select({
    id: sessions.id,
    userId: sessions.userId,
    username: users.displayName,
    amr: sessions.amr,
    rememberMe: sessions.rememberMe,
    ip: sessions.ip,
    userAgent: sessions.userAgent,
    location: sessions.location,
    createdAt: sessions.createdAt,
    lastSeenAt: sessions.lastSeenAt,
    expiresAt: sessions.expiresAt,
  }).from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(
      liveCondition(deps, now),
      who ? or(eq(users.username, normalizeUsername(who)), eq(users.id, who)) : undefined,
    ))
    .orderBy(desc(sessions.lastSeenAt), desc(sessions.createdAt))
    .limit(filter.limit);
}

/** How many sessions are live now (for the confirmation before ending them all). */
export async function countLiveSessions(deps: Deps): Promise<number> {
  const now = deps.clock.now().getTime();
  const [row] = await deps.db.select({ n: sql<number>`count(*)` }).from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(liveCondition(deps, now));
  return Number(row?.n ?? 0);
}

/** Ends one session, whoever's it is; `not_found` when there is no such live session. */
export async function endSessionByAdmin(
  deps: Deps,
  actor: Actor,
  sessionId: string,
): Promise<{ ok: true } | Failure> {
  const now = deps.clock.now();
  const found = await deps.db.select({ userId: sessions.userId, username: users.username })
    .from(sessions).innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
    .limit(1);
  const target = found[0];
  if (!target) return fail("not_found");
  const row = auditValues({
    event: "admin.end_session",
    outcome: "success",
    userId: target.userId,
    username: target.username,
    ...actor.meta,
    detail: {
      admin: actor.ctx.user.username,
      admin_id: actor.ctx.user.id,
      session: sessionId,
      own: sessionId === actor.ctx.session.id,
    },
  }, now);
  // One batch; the audit row only if this request's UPDATE ended it (two admins at once: one).
  const [ended] = await deps.db.batch([
    deps.db.update(sessions).set({ revokedAt: now.getTime() })
      .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id }),
    deps.db.run(sql`INSERT INTO ${auditEvents}
      (id, at, event, outcome, user_id, username, ip, user_agent, detail)
      SELECT ${row.id}, ${row.at}, ${row.event}, ${row.outcome}, ${row.userId}, ${row.username},
        ${row.ip}, ${row.userAgent}, ${row.detail}
      WHERE changes() = 1`),
  ]);
  if (ended.length !== 1) return fail("not_found");
  auditRecorded(deps.db, row);
  return { ok: true };
}

/**
 * Ends every session on the system: everyone is signed out. The acting admin's own session
 * survives only with `keepOwn`. Audited with the count, in the same batch.
 */
export async function endAllSessionsByAdmin(
  deps: Deps,
  actor: Actor,
  keepOwn: boolean,
): Promise<{ ended: number }> {
  const now = deps.clock.now();
  const keep = keepOwn ? actor.ctx.session.id : null;
  const ended = await deps.db.update(sessions).set({ revokedAt: now.getTime() })
    .where(and(
      isNull(sessions.revokedAt),
      gt(sessions.expiresAt, now.getTime()),
      keep ? sql`${sessions.id} <> ${keep}` : undefined,
    ))
    .returning({ id: sessions.id });
  // After the UPDATE, so that it carries the count; an audit that fails here fails the request.
  await audit(deps.db, {
    event: "admin.end_all_sessions",
    outcome: "success",
    userId: actor.ctx.user.id,
    username: actor.ctx.user.username,
    ...actor.meta,
    detail: {
      admin: actor.ctx.user.username,
      admin_id: actor.ctx.user.id,
      kept_own: keepOwn,
      ended: ended.length,
    },
  }, now);
  return { ended: ended.length };
}
