/**
 * @module The audit log: every authentication decision with its outcome, never a secret or code.
 * `auditInsert` returns a statement so that callers can put it in the same batch as the change
 * it records.
 */
import type { Db } from "../db/client.ts";
import { auditEvents } from "../db/schema.ts";
import { randomId } from "../lib/crypto.ts";

export type AuditEvent = {
  event: string;
  outcome: "success" | "failure";
  userId?: string | null;
  username?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  detail?: Record<string, unknown>;
};

export function auditValues(e: AuditEvent, now: Date) {
  return {
    id: randomId(),
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

export function auditInsert(db: Db, e: AuditEvent, now: Date) {
  return db.insert(auditEvents).values(auditValues(e, now));
}

export async function audit(db: Db, e: AuditEvent, now: Date): Promise<void> {
  await auditInsert(db, e, now);
}
