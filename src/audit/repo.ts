/**
 * @module The audit log: every authentication decision with its outcome, never a secret or code.
 * `auditInsert` returns a statement so that callers can put it in the same batch as the change
 * it records. Observers (the JSON log and the metrics, see `observeAudit`) hear of every row.
 */
import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { auditEvents } from "../db/schema.ts";
import { timeOrderedId } from "../lib/crypto.ts";
import type { RequestMeta } from "../http/client.ts";

export type AuditEvent = {
  event: string;
  outcome: "success" | "failure";
  userId?: string | null;
  username?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  detail?: Record<string, unknown>;
};

/** A success of `user`'s, with the request's address and user agent. */
export function userAudit(
  user: { id: string; username: string },
  meta: RequestMeta,
  event: string,
  detail?: Record<string, unknown>,
): AuditEvent {
  return {
    event,
    outcome: "success",
    userId: user.id,
    username: user.username,
    ...meta,
    ...(detail ? { detail } : {}),
  };
}

/**
 * A success of an admin's, about `target` (a user, or nothing), with the admin named in the
 * detail.
 */
export function adminAudit(
  admin: { ctx: { user: { id: string; username: string } }; meta: RequestMeta },
  event: string,
  target: { id: string; username: string } | null,
  detail: object = {},
): AuditEvent {
  return {
    event,
    outcome: "success",
    userId: target?.id ?? null,
    username: target?.username ?? null,
    ...admin.meta,
    detail: { admin: admin.ctx.user.username, admin_id: admin.ctx.user.id, ...detail },
  };
}

export function auditValues(e: AuditEvent, now: Date) {
  return {
    id: timeOrderedId(now),
    at: now.getTime(),
    event: e.event,
    outcome: e.outcome,
    userId: e.userId ?? null,
    username: e.username ?? null,
    ip: e.ip ?? null,
    userAgent: e.userAgent?.slice(0, 512) ?? null,
    detail: JSON.stringify(e.detail ?? {}),
  };
}

export type AuditRow = ReturnType<typeof auditValues>;
export type AuditObserver = (row: AuditRow) => void;

const observers = new WeakMap<object, AuditObserver[]>();

/** Calls `observer` with every audit row written through `db` (by buildDeps: log and metrics). */
export function observeAudit(db: Db, observer: AuditObserver): void {
  observers.set(db, [...(observers.get(db) ?? []), observer]);
}

/**
 * Tells the observers of `db` about a row. `auditInsert` does so itself; a caller that writes
 * its row with its own conditional INSERT calls this once the row is known to be stored.
 * Observers never break the request that is being audited.
 */
export function auditRecorded(db: Db, row: AuditRow): void {
  for (const observer of observers.get(db) ?? []) {
    try {
      observer(row);
    } catch {
      // A failing log or metric must not turn an authentication decision into an error.
    }
  }
}

/**
 * The insert as a statement for a caller's batch. Observers hear of it when it is built, just
 * before the batch runs: a batch that then fails throws, and the error is logged too.
 */
export function auditInsert(db: Db, e: AuditEvent, now: Date) {
  const row = auditValues(e, now);
  auditRecorded(db, row);
  return db.insert(auditEvents).values(row);
}

export async function audit(db: Db, e: AuditEvent, now: Date): Promise<void> {
  const row = auditValues(e, now);
  await db.insert(auditEvents).values(row);
  auditRecorded(db, row);
}

/**
 * The insert of `row` as a statement that only writes when `condition` holds (a conditional
 * batch: "only if this request won the race"). The caller tells the observers with
 * `auditRecorded` once it knows the row was written.
 */
export function auditInsertWhere(db: Db, row: AuditRow, condition: SQL) {
  return db.run(sql`INSERT INTO ${auditEvents}
    (id, at, event, outcome, user_id, username, ip, user_agent, detail)
    SELECT ${row.id}, ${row.at}, ${row.event}, ${row.outcome}, ${row.userId}, ${row.username},
      ${row.ip}, ${row.userAgent}, ${row.detail}
    WHERE ${condition}`);
}

/**
 * An audit row that a caller's batch writes only if `condition` holds ("this request won"):
 * `insert` goes in the batch, `recorded()` tells the observers once the caller knows it won.
 */
export function conditionalAudit(db: Db, e: AuditEvent, now: Date, condition: SQL) {
  const row = auditValues(e, now);
  return {
    row,
    insert: auditInsertWhere(db, row, condition),
    recorded: () => auditRecorded(db, row),
  };
}
