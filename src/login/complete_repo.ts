/**
 * @module The writes of a passed second factor, built once per database (src/db/prepared.ts):
 * this batch runs on every login, and building its statements with drizzle each time cost
 * more than running them. Each statement after the first two is conditional on the new session
 * existing, which the session insert makes conditional on the pending login and the factor
 * both having been used up in this batch (see `completeSecondFactor` in flow.ts).
 */
import { and, eq, isNotNull, ne, or, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { statementTemplate } from "../db/prepared.ts";
import { auditEvents, pendingLogins, sessions, trustedDevices, users } from "../db/schema.ts";
import { sessionLimitSql } from "../sessions/repo.ts";

const p = sql.placeholder;
const sessionExists = sql`EXISTS (SELECT 1 FROM ${sessions} WHERE id = ${p("sessionId")})`;

const insertSession = statementTemplate((db) =>
  db.run(sql`INSERT INTO ${sessions}
    (id, user_id, amr, remember_me, ip, user_agent, location, created_at, last_seen_at,
      expires_at, idle_ms)
    SELECT ${p("sessionId")}, ${p("userId")}, ${p("amr")}, ${p("rememberMe")}, ${p("ip")},
      ${p("userAgent")}, ${p("location")}, ${p("now")}, ${p("now")}, ${p("expiresAt")},
      ${p("idleMs")}
    WHERE changes() = 1 AND EXISTS (SELECT 1 FROM ${pendingLogins}
      WHERE id = ${p("pendingId")} AND session_id = ${p("sessionId")})`)
);

/**
 * Only a row with something to clear is written: most logins follow no failure. Left out of the
 * batch altogether when the user row the step read had nothing to clear (see `clearFailures`).
 */
const resetFailures = statementTemplate((db) =>
  db.update(users).set({ secondFactorFailures: 0, secondFactorLockedUntil: null })
    .where(and(
      eq(users.id, p("userId")),
      or(ne(users.secondFactorFailures, 0), isNotNull(users.secondFactorLockedUntil)),
      sessionExists,
    ))
);

const enforceLimit = statementTemplate((db) =>
  db.run(sessionLimitSql(p("userId"), p("maxSessions"), p("now"), sessionExists))
);

const insertAudit = statementTemplate((db) =>
  db.run(sql`INSERT INTO ${auditEvents}
    (id, at, event, outcome, user_id, username, ip, user_agent, detail)
    SELECT ${p("auditId")}, ${p("now")}, ${p("event")}, 'success', ${p("userId")},
      ${p("username")}, ${p("ip")}, ${p("userAgent")}, ${p("detail")}
    WHERE ${sessionExists}`)
);

const insertDevice = statementTemplate((db) =>
  db.run(sql`INSERT INTO ${trustedDevices} (id, user_id, name, created_at, expires_at)
    SELECT ${p("deviceId")}, ${p("userId")}, ${p("deviceName")}, ${p("now")},
      ${p("deviceExpiresAt")}
    WHERE ${sessionExists}`)
);

export type SecondFactorSuccess = {
  pendingId: string;
  sessionId: string;
  userId: string;
  amr: string;
  rememberMe: boolean;
  ip: string | null;
  userAgent: string | null;
  location: string | null;
  /** The idle timeout the session is issued under. */
  idleMs: number | null;
  now: number;
  expiresAt: number;
  maxSessions: number;
  /**
   * Whether the user row the step read had failures or a lock to clear. When it had none, the
   * reset is left out: a failure counted by a parallel request after that read then stays
   * counted, as if it had come after this success (both orders are possible), which can only
   * make the lock stricter, never looser.
   */
  clearFailures: boolean;
  audit: { id: string; event: string; username: string; detail: string };
  device: { id: string; name: string; expiresAt: number } | null;
};

/**
 * The statements that follow the pending login's consumption and the factor's in the success
 * batch: create the session, clear the failure count, keep the session limit, audit, and
 * remember the device if asked.
 */
export function secondFactorSuccessStatements(db: Db, v: SecondFactorSuccess) {
  const common = { sessionId: v.sessionId, userId: v.userId, now: v.now };
  return [
    insertSession(db, {
      ...common,
      pendingId: v.pendingId,
      amr: v.amr,
      rememberMe: v.rememberMe ? 1 : 0,
      ip: v.ip,
      userAgent: v.userAgent,
      location: v.location,
      idleMs: v.idleMs,
      expiresAt: v.expiresAt,
    }),
    ...(v.clearFailures ? [resetFailures(db, common)] : []),
    enforceLimit(db, { ...common, maxSessions: v.maxSessions }),
    insertAudit(db, {
      ...common,
      auditId: v.audit.id,
      event: v.audit.event,
      username: v.audit.username,
      ip: v.ip,
      userAgent: v.userAgent,
      detail: v.audit.detail,
    }),
    ...(v.device
      ? [insertDevice(db, {
        ...common,
        deviceId: v.device.id,
        deviceName: v.device.name,
        deviceExpiresAt: v.device.expiresAt,
      })]
      : []),
  ];
}
