/**
 * @module Brute-force counters, kept in the database so they survive restarts and hold on Workers
 * where every isolate is separate: password failures per account, failures per client address.
 * Each counter moves in one conditional statement.
 */
import { and, desc, eq, gt, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { ipThrottle, users } from "../db/schema.ts";

export type WindowRule = { max: number; windowMs: number; lockMs: number };

/** The password rule: a window rule, and after how many lockouts the lock is permanent (0: never). */
export type PasswordRule = WindowRule & { permanentAfter: number };

export type PasswordLock = { until: number; permanent: boolean; lockouts: number };

/**
 * Counts a password failure against an account. The window restarts when it has passed; the
 * failure that reaches `max` locks the account, and counts a lockout: with `permanentAfter` set,
 * the lockout that reaches it locks the account until an admin unlocks it. Returns the lock if
 * this failure set one. For an unknown user the same statement runs against no row, so both cost
 * the same.
 */
export async function recordPasswordFailure(
  db: Db,
  userId: string | null,
  now: Date,
  rule: PasswordRule,
): Promise<PasswordLock | null> {
  const t = now.getTime();
  const fresh = sql`(${users.passwordWindowStart} IS NULL OR ${users.passwordWindowStart} <= ${
    t - rule.windowMs
  })`;
  const count = sql`CASE WHEN ${fresh} THEN 1 ELSE ${users.passwordFailures} + 1 END`;
  const lockUntil = t + rule.lockMs;
  const locks = sql`${count} >= ${rule.max}`;
  const permanent = rule.permanentAfter > 0
    ? sql`${locks} AND ${users.lockoutCount} + 1 >= ${rule.permanentAfter}`
    : sql`0`;
  // SQLite evaluates every SET expression against the old row.
  const rows = await db.update(users).set({
    passwordFailures: sql`CASE WHEN ${locks} THEN 0 ELSE ${count} END`,
    passwordWindowStart: sql`CASE WHEN ${fresh} THEN ${t} ELSE ${users.passwordWindowStart} END`,
    passwordLockedUntil:
      sql`CASE WHEN ${locks} THEN ${lockUntil} ELSE ${users.passwordLockedUntil} END`,
    lockoutCount:
      sql`CASE WHEN ${locks} THEN ${users.lockoutCount} + 1 ELSE ${users.lockoutCount} END`,
    lockedPermanentlyAt:
      sql`CASE WHEN ${users.lockedPermanentlyAt} IS NULL AND ${permanent} THEN ${t} ELSE ${users.lockedPermanentlyAt} END`,
  }).where(eq(users.id, userId ?? "\u0000no-user")).returning({
    lockedUntil: users.passwordLockedUntil,
    lockedPermanentlyAt: users.lockedPermanentlyAt,
    lockoutCount: users.lockoutCount,
  });
  const r = rows[0];
  if (r?.lockedUntil !== lockUntil) return null;
  return { until: lockUntil, permanent: r.lockedPermanentlyAt === t, lockouts: r.lockoutCount };
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

/** The rule for addresses: a window rule, and how repeat blocks grow. */
export type IpRule = WindowRule & {
  /** The longest block: each repeat block lasts twice the one before, up to this. */
  maxLockMs: number;
  /** A block that began within this long before counts as a previous offence. */
  repeatWindowMs: number;
};

export type NewBlock = { until: number; number: number; failures: number };

/**
 * Counts a failure from a client address (noting the username tried); returns the block if
 * this failure set one. A repeat offender's block doubles each time (block n lasts
 * lockMs * 2^(n-1)), up to maxLockMs; offences older than the repeat window are forgotten.
 */
export async function recordIpFailure(
  db: Db,
  key: string,
  now: Date,
  rule: IpRule,
  username: string | null = null,
): Promise<NewBlock | null> {
  const t = now.getTime();
  const fresh = sql`(${ipThrottle.windowStart} <= ${t - rule.windowMs})`;
  const count = sql`CASE WHEN ${fresh} THEN 1 ELSE ${ipThrottle.failures} + 1 END`;
  const reached = sql`${count} >= ${rule.max}`;
  // Offences so far that still count; SQLite's << doubles without a math extension (D1 too).
  const previous = sql`CASE WHEN ${ipThrottle.blockedAt} > ${
    t - rule.repeatWindowMs
  } THEN ${ipThrottle.blockCount} ELSE 0 END`;
  const lockMs = sql`MIN(${rule.maxLockMs}, ${rule.lockMs} << MIN(${previous}, 30))`;
  const name = username?.slice(0, 128) ?? null;
  const first = rule.max <= 1;
  const rows = await db.insert(ipThrottle)
    .values({
      key,
      failures: first ? 0 : 1,
      windowStart: t,
      blockedUntil: first ? t + Math.min(rule.maxLockMs, rule.lockMs) : null,
      blockedAt: first ? t : null,
      blockCount: first ? 1 : 0,
      blockedFailures: first ? 1 : null,
      lastUsername: name,
    })
    .onConflictDoUpdate({
      target: ipThrottle.key,
      // SQLite evaluates every SET expression against the old row.
      set: {
        failures: sql`CASE WHEN ${reached} THEN 0 ELSE ${count} END`,
        windowStart: sql`CASE WHEN ${fresh} THEN ${t} ELSE ${ipThrottle.windowStart} END`,
        blockedUntil:
          sql`CASE WHEN ${reached} THEN ${t} + ${lockMs} ELSE ${ipThrottle.blockedUntil} END`,
        blockedAt: sql`CASE WHEN ${reached} THEN ${t} ELSE ${ipThrottle.blockedAt} END`,
        blockCount:
          sql`CASE WHEN ${reached} THEN ${previous} + 1 ELSE ${ipThrottle.blockCount} END`,
        blockedFailures:
          sql`CASE WHEN ${reached} THEN ${count} ELSE ${ipThrottle.blockedFailures} END`,
        lastUsername: name === null ? sql`${ipThrottle.lastUsername}` : name,
      },
    })
    .returning({
      blockedUntil: ipThrottle.blockedUntil,
      blockedAt: ipThrottle.blockedAt,
      blockCount: ipThrottle.blockCount,
      blockedFailures: ipThrottle.blockedFailures,
    });
  const r = rows[0];
  return r && r.blockedAt === t && r.blockedUntil !== null && r.blockedUntil > t
    ? { until: r.blockedUntil, number: r.blockCount, failures: r.blockedFailures ?? 0 }
    : null;
}

export type IpBlockRow = typeof ipThrottle.$inferSelect;

/** The addresses blocked now, the longest-blocked last. */
export async function listIpBlocks(db: Db, now: Date): Promise<IpBlockRow[]> {
  return await db.select().from(ipThrottle)
    .where(gt(ipThrottle.blockedUntil, now.getTime()))
    .orderBy(desc(ipThrottle.blockedAt));
}

/**
 * Lifts the block on `key`, and forgives its failures and past offences; returns the row as it
 * was, or null when it was not blocked.
 */
export async function liftIpBlock(db: Db, key: string, now: Date): Promise<IpBlockRow | null> {
  const t = now.getTime();
  const before = await db.select().from(ipThrottle)
    .where(and(eq(ipThrottle.key, key), gt(ipThrottle.blockedUntil, t))).limit(1);
  if (!before[0]) return null;
  // Conditional on the block still standing, so two admins lifting at once audit it once.
  const lifted = await db.update(ipThrottle)
    .set({ blockedUntil: null, failures: 0, windowStart: t, blockCount: 0 })
    .where(and(eq(ipThrottle.key, key), gt(ipThrottle.blockedUntil, t)))
    .returning({ key: ipThrottle.key });
  return lifted.length === 1 ? before[0] : null;
}
