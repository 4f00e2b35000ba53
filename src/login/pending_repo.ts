/** @module Pending logins: the single-use state behind a pending token. */
import { and, eq, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { statementTemplate, wholeRows } from "../db/prepared.ts";
import { pendingLogins } from "../db/schema.ts";
import { stillOpen } from "../users/repo.ts";

export type PendingRow = typeof pendingLogins.$inferSelect;
export type PendingPurpose = "challenge" | "enroll" | "password_change";

export async function insertPending(db: Db, row: typeof pendingLogins.$inferInsert) {
  await db.insert(pendingLogins).values(row);
}

/** Which live pending login, for whom, and how many attempts it may take. */
export type PendingLookup = {
  id: string;
  userId: string;
  purpose: PendingPurpose;
  now: Date;
  maxAttempts: number;
};

/**
 * A live pending login, read without counting an attempt: the second-factor steps count theirs
 * in the statement that settles it (a failure: `countPendingAttempt`; a success: the consuming
 * `consumePendingStatement`), so a login commits once. Each of those statements checks the
 * count again, so racing attempts get no more than `maxAttempts` answers between them, as when
 * the count came first.
 */
export async function findOpenPending(
  db: Db,
  input: PendingLookup,
): Promise<PendingRow | undefined> {
  return (await selectOpen(db, lookupValues(input)))[0];
}

/** A lookup as the placeholders of `openConditions` take it. */
const lookupValues = (input: PendingLookup) => ({ ...input, now: input.now.getTime() });

const openConditions = and(
  eq(pendingLogins.id, sql.placeholder("id")),
  eq(pendingLogins.userId, sql.placeholder("userId")),
  eq(pendingLogins.purpose, sql.placeholder("purpose")),
  lt(pendingLogins.attempts, sql.placeholder("maxAttempts")),
  stillOpen(pendingLogins, sql.placeholder("now")),
);

// by primary key: at most one row
const selectOpen = wholeRows(
  pendingLogins,
  (db) => db.select().from(pendingLogins).where(openConditions).prepare(),
  { oneRow: true },
);

/**
 * Counts one attempt against a live pending login, in one conditional statement: a consumed,
 * expired or exhausted pending login, or one issued before a credential change, yields nothing,
 * so it is dead.
 */
export async function countPendingAttempt(
  db: Db,
  input: PendingLookup,
): Promise<PendingRow | undefined> {
  return (await countAttempt(db, lookupValues(input)))[0];
}

// by primary key: at most one row
const countAttempt = wholeRows(pendingLogins, (db) =>
  db.update(pendingLogins)
    .set({ attempts: sql`${pendingLogins.attempts} + 1` })
    .where(openConditions)
    .returning()
    .prepare(), { oneRow: true });

/**
 * Consumes a pending login and names the session it becomes, in one conditional UPDATE that
 * also counts the attempt that passed: an exhausted pending login (other attempts counted
 * since it was read) is not consumed. The session insert in the same batch is conditional on
 * this row carrying that session id.
 */
export function consumePendingStatement(
  db: Db,
  input: { id: string; sessionId: string; now: Date; maxAttempts: number },
) {
  return consumePending(db, { ...input, now: input.now.getTime() });
}

const consumePending = statementTemplate((db) =>
  db.update(pendingLogins)
    .set({
      consumedAt: sql`${sql.placeholder("now")}`,
      sessionId: sql`${sql.placeholder("sessionId")}`,
      attempts: sql`${pendingLogins.attempts} + 1`,
    })
    .where(and(
      eq(pendingLogins.id, sql.placeholder("id")),
      lt(pendingLogins.attempts, sql.placeholder("maxAttempts")),
      // A credential change since the password was checked kills the pending login, also
      // when the change lands between opening it and this batch.
      stillOpen(pendingLogins, sql.placeholder("now")),
    ))
    .returning({ id: pendingLogins.id }), { oneRow: true });

/** Ends a pending login without a session (cancel). */
export async function cancelPending(db: Db, input: { id: string; userId: string; now: Date }) {
  await db.update(pendingLogins)
    .set({ consumedAt: input.now.getTime() })
    .where(and(
      eq(pendingLogins.id, input.id),
      eq(pendingLogins.userId, input.userId),
      isNull(pendingLogins.consumedAt),
    ));
}
