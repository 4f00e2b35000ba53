/**
 * @module Brute-force counters, kept in the database so they survive restarts and hold on Workers
 * where every isolate is separate: password failures per account, failures per client address.
 * Each counter moves in one conditional statement.
 */
import { and, eq, gt, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { ipThrottle, users } from "../db/schema.ts";

export type WindowRule = { max: number; windowMs: number; lockMs: number };

/**
 * Counts a password failure against an account. The window restarts when it has passed; the
 * failure that reaches `max` locks the account. Returns the lock end if this failure locked it.
 * For an unknown user the same statement runs against no row, so both cost the same.
 */
export async function recordPasswordFailure(
  db: Db,
  userId: string | null,
  now: Date,
  rule: WindowRule,
): Promise<number | null> {
  const t = now.getTime();
  const fresh = sql`(${users.passwordWindowStart} IS NULL OR ${users.passwordWindowStart} <= ${
    t - rule.windowMs
  })`;
  const count = sql`CASE WHEN ${fresh} THEN 1 ELSE ${users.passwordFailures} + 1 END`;
  const lockUntil = t + rule.lockMs;
  const rows = await db.update(users).set({
    passwordFailures: sql`CASE WHEN ${count} >= ${rule.max} THEN 0 ELSE ${count} END`,
    passwordWindowStart: sql`CASE WHEN ${fresh} THEN ${t} ELSE ${users.passwordWindowStart} END`,
    passwordLockedUntil:
      sql`CASE WHEN ${count} >= ${rule.max} THEN ${lockUntil} ELSE ${users.passwordLockedUntil} END`,
  }).where(eq(users.id, userId ?? "\u0000no-user")).returning({
    lockedUntil: users.passwordLockedUntil,
  });
  return rows[0]?.lockedUntil === lockUntil ? lockUntil : null;
}

export async function clearPasswordFailures(db: Db, userId: string): Promise<void> {
  await db.update(users).set({ passwordFailures: 0, passwordWindowStart: null })
    .where(and(eq(users.id, userId), gt(users.passwordFailures, 0)));
}

/** When the client address is blocked until, or null. */
export async function ipBlockedUntil(db: Db, key: string, now: Date): Promise<number | null> {
  const row = await db.query.ipThrottle.findFirst({
    where: and(eq(ipThrottle.key, key), gt(ipThrottle.blockedUntil, now.getTime())),
  });
  return row?.blockedUntil ?? null;
}

/** Counts a failure from a client address; returns the block end if this failure set it. */
export async function recordIpFailure(
  db: Db,
  key: string,
  now: Date,
  rule: WindowRule,
): Promise<number | null> {
  const t = now.getTime();
  const blockUntil = t + rule.lockMs;
  const fresh = sql`(${ipThrottle.windowStart} <= ${t - rule.windowMs})`;
  const count = sql`CASE WHEN ${fresh} THEN 1 ELSE ${ipThrottle.failures} + 1 END`;
  const rows = await db.insert(ipThrottle)
    .values({ key, failures: 1, windowStart: t, blockedUntil: rule.max <= 1 ? blockUntil : null })
    .onConflictDoUpdate({
      target: ipThrottle.key,
      set: {
        failures: sql`CASE WHEN ${count} >= ${rule.max} THEN 0 ELSE ${count} END`,
        windowStart: sql`CASE WHEN ${fresh} THEN ${t} ELSE ${ipThrottle.windowStart} END`,
        blockedUntil:
          sql`CASE WHEN ${count} >= ${rule.max} THEN ${blockUntil} ELSE ${ipThrottle.blockedUntil} END`,
      },
    })
    .returning({ blockedUntil: ipThrottle.blockedUntil });
  return rows[0]?.blockedUntil === blockUntil ? blockUntil : null;
}
