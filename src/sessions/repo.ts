/** @module Session rows: the row, not the token, decides whether a session is alive. */
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { sessions, trustedDevices, users } from "../db/schema.ts";
import type { RequestMeta } from "../http/client.ts";
import { aliveAt, sessionCheckCache } from "./check_cache.ts";

export type SessionRow = typeof sessions.$inferSelect;
export type NewSession = typeof sessions.$inferInsert;

/** A new session's row: from the request's client (address, user agent, place), created `now`. */
export function newSessionRow(input: {
  id: string;
  userId: string;
  amr: string[];
  rememberMe: boolean;
  meta: RequestMeta;
  now: Date;
  expiresAt: Date;
  idleMs: number;
}): NewSession {
  return {
    id: input.id,
    userId: input.userId,
    amr: JSON.stringify(input.amr),
    rememberMe: input.rememberMe,
    ip: input.meta.ip,
    userAgent: input.meta.userAgent?.slice(0, 512),
    location: input.meta.location ?? null,
    createdAt: input.now.getTime(),
    lastSeenAt: input.now.getTime(),
    expiresAt: input.expiresAt.getTime(),
    idleMs: input.idleMs,
  };
}

/** An INSERT of a session that happens only if `condition` holds (used inside batches). */
export function insertSessionWhere(db: Db, s: NewSession, condition: ReturnType<typeof sql>) {
  return db.run(sql`INSERT INTO ${sessions}
    (id, user_id, amr, remember_me, ip, user_agent, location, created_at, last_seen_at,
      expires_at, idle_ms)
    SELECT ${s.id}, ${s.userId}, ${s.amr}, ${s.rememberMe ? 1 : 0}, ${s.ip ?? null},
      ${s.userAgent ?? null}, ${s.location ?? null}, ${s.createdAt}, ${s.lastSeenAt},
      ${s.expiresAt}, ${s.idleMs ?? null}
    WHERE ${condition}`);
}

export function insertSession(db: Db, s: NewSession) {
  return db.insert(sessions).values(s);
}

/**
 * What ordinary request handling needs to know about the signed-in user. Code that needs
 * more (the password hash, lockout counters, policy inputs) loads the current row itself.
 */
export type SessionUser = Pick<
  typeof users.$inferSelect,
  "id" | "username" | "displayName" | "roles" | "groups" | "email"
>;

export type ActiveSession = { session: SessionRow; user: SessionUser };

/**
 * A live session and its user: not revoked, not past its absolute expiry, and (unless
 * remember-me) seen within the idle timeout. On the embedded database a live answer is kept in
 * memory until the database changes in a way that could alter it (src/sessions/check_cache.ts);
 * the clock's part is decided again each time. The answer is frozen: it may be shared.
 */
export async function findActiveSession(
  db: Db,
  sessionId: string,
  now: Date,
  idleMs: number,
  /** The request's number (`requestArrived()`), when a check answers one. */
  arrival?: number,
): Promise<ActiveSession | undefined> {
  const cache = sessionCheckCache(db);
  const generation = cache ? cache.open(arrival) : null;
  const t = now.getTime();
  if (generation !== null) {
    const kept = cache!.get(sessionId);
    // A kept session that looks expired or idle is asked again: another process may have
    // touched it since.
    if (kept && aliveAt(kept, t, idleMs)) return kept;
  }
  const rows = await activeSessionQuery(db).execute({ id: sessionId, now: t, idleMs });
  const found = rows[0];
  if (generation !== null) {
    if (found) cache!.put(sessionId, found, generation);
    else cache!.delete(sessionId);
  }
  return found;
}

/**
 * The session check runs on every request, so its query is built once per database and
 * reused with placeholders (building it each time cost more than running it).
 */
const preparedActiveSession = new WeakMap<Db, ReturnType<typeof buildActiveSessionQuery>>();

function activeSessionQuery(db: Db) {
  let q = preparedActiveSession.get(db);
  if (!q) preparedActiveSession.set(db, q = buildActiveSessionQuery(db));
  return q;
}

/** Selects only the user columns in `SessionUser`: each column costs on every request. */
function buildActiveSessionQuery(db: Db) {
  return db.select({
    session: sessions,
    user: {
      id: users.id,
      username: users.username,
      displayName: users.displayName,
      roles: users.roles,
      groups: users.groups,
      email: users.email,
    },
  })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(
      eq(sessions.id, sql.placeholder("id")),
      isNull(sessions.revokedAt),
      gt(sessions.expiresAt, sql.placeholder("now")),
      // The idle timeout the session was issued under; the configured one for older rows.
      sql`(${sessions.rememberMe} = 1 OR ${sessions.lastSeenAt} > ${
        sql.placeholder("now")
      } - COALESCE(${sessions.idleMs}, ${sql.placeholder("idleMs")}))`,
      eq(users.disabled, false),
      // A delegated session lives only while the admin's own session does (src/delegation/).
      sql`(${sessions.delegatorSessionId} IS NULL OR EXISTS (SELECT 1 FROM sessions AS d
        WHERE d.id = ${sessions.delegatorSessionId} AND d.revoked_at IS NULL))`,
    ))
    .limit(1)
    .prepare();
}

/**
 * Records activity at most once a minute, so reads stay reads. It sets `last_seen_at` alone:
 * the session-change triggers (src/sessions/check_cache.ts) let exactly that update pass.
 */
export async function touchSession(db: Db, sessionId: string, now: Date) {
  const result = await db.update(sessions).set({ lastSeenAt: now.getTime() }).where(and(
    eq(sessions.id, sessionId),
    sql`${sessions.lastSeenAt} < ${now.getTime() - 60_000}`,
  ));
  sessionCheckCache(db)?.touched(sessionId, now.getTime(), result.rowsAffected === 1);
}

/** Ends a session; returns whether it was alive. */
export async function revokeSession(db: Db, sessionId: string, now: Date): Promise<boolean> {
  const rows = await db.update(sessions).set({ revokedAt: now.getTime() })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return rows.length === 1;
}

/** Ends every live session of a user but one (ASVS 7.4.3), optionally guarded. */
export function endOtherSessionsStatement(
  db: Db,
  userId: string,
  keepSessionId: string | null,
  now: Date,
  condition?: ReturnType<typeof sql>,
) {
  return db.run(sql`UPDATE ${sessions} SET revoked_at = ${now.getTime()}
    WHERE user_id = ${userId} AND revoked_at IS NULL
      AND id IS NOT ${keepSessionId} ${condition ? sql`AND ${condition}` : sql``}`);
}

/** The user's live sessions, newest first. */
export async function listLiveSessions(db: Db, userId: string, now: Date): Promise<SessionRow[]> {
  return await db.select().from(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, now.getTime()),
      ),
    )
    .orderBy(desc(sessions.createdAt));
}

/**
 * Revokes one live row of a user (a session, a trusted device) in one conditional UPDATE;
 * returns whether it was live.
 */
export async function revokeOwnedRow(
  db: Db,
  table: typeof sessions | typeof trustedDevices,
  input: { id: string; userId: string; now: Date },
): Promise<boolean> {
  const rows = await db.update(table).set({ revokedAt: input.now.getTime() })
    .where(and(eq(table.id, input.id), eq(table.userId, input.userId), isNull(table.revokedAt)))
    .returning({ id: table.id });
  return rows.length === 1;
}

/** Ends one session of a user; returns whether it was live. */
export async function revokeUserSession(
  db: Db,
  input: { userId: string; sessionId: string; now: Date },
): Promise<boolean> {
  return await revokeOwnedRow(db, sessions, { ...input, id: input.sessionId });
}

/**
 * Keeps at most `max` live sessions per user by ending the oldest, guarded by `condition`
 * (the new session exists). Runs in the batch that creates a session.
 */
export function enforceSessionLimitStatement(
  db: Db,
  input: { userId: string; max: number; now: Date },
  condition: ReturnType<typeof sql>,
) {
  return db.run(sessionLimitSql(input.userId, input.max, input.now.getTime(), condition));
}

/**
 * The UPDATE of `enforceSessionLimitStatement`; values may be `sql.placeholder()`s. It first
 * counts the live sessions: at or under `max` (1-100), the newest `max` are all of them and
 * nothing is ended, so SQLite, which evaluates that term once before any row, skips the sorted
 * list of the newest and the update's scan (most sign-ins: 9 → 5 µs in memory).
 */
export function sessionLimitSql(
  userId: unknown,
  max: unknown,
  t: unknown,
  condition: ReturnType<typeof sql>,
) {
  return sql`UPDATE ${sessions} SET revoked_at = ${t}
    WHERE (SELECT count(*) FROM ${sessions} WHERE user_id = ${userId}
        AND revoked_at IS NULL AND expires_at > ${t}) > ${max}
      AND user_id = ${userId} AND revoked_at IS NULL AND expires_at > ${t} AND ${condition}
      AND id NOT IN (SELECT id FROM ${sessions} WHERE user_id = ${userId}
        AND revoked_at IS NULL AND expires_at > ${t}
        ORDER BY created_at DESC, id DESC LIMIT ${max})`;
}
