/** @module Pending logins: the single-use state behind a pending token. */
import { and, eq, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { joinedRows, statementTemplate, wholeRows } from "../db/prepared.ts";
import { pendingLogins, settings, users } from "../db/schema.ts";
import { stillOpen, type UserRow } from "../users/repo.ts";

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

/** The three settings a login step reads with its pending login (`findUserAndOpenPending`). */
export type LoginSettingKeys = readonly [string, string, string];

/**
 * The user, their live pending login (null unless `findOpenPending` would find it) and the
 * stored text of three settings (null where unset), in one statement: every second-factor step
 * reads all three, and on the embedded engine each statement costs 15 to 20 us of a step.
 * Undefined when there is no such user.
 */
export async function findUserAndOpenPending(
  db: Db,
  input: PendingLookup,
  keys: LoginSettingKeys,
): Promise<
  {
    user: UserRow;
    pending: PendingRow | null;
    settings: [string | null, string | null, string | null];
  } | undefined
> {
  const [row] = await selectUserAndOpen(db, {
    ...lookupValues(input),
    k0: keys[0],
    k1: keys[1],
    k2: keys[2],
  });
  return row
    ? { user: row.user, pending: row.pending, settings: [row.s0, row.s1, row.s2] }
    : undefined;
}

/** The stored text of the setting whose key is in placeholder `key`, as column `as`. */
const settingText = (key: string, as: string) =>
  sql<string | null>`(SELECT ${settings.value} FROM ${settings} WHERE ${settings.key} = ${
    sql.placeholder(key)
  })`.as(as);

// by the users primary key, the pending login by its own: at most one row
const selectUserAndOpen = joinedRows<{
  user: UserRow;
  pending: PendingRow | null;
  s0: string | null;
  s1: string | null;
  s2: string | null;
}>(
  { user: users, pending: pendingLogins },
  ["s0", "s1", "s2"],
  (db) =>
    db.select({
      user: users,
      pending: pendingLogins,
      s0: settingText("k0", "s0"),
      s1: settingText("k1", "s1"),
      s2: settingText("k2", "s2"),
    }).from(users)
      .leftJoin(pendingLogins, and(openConditions, eq(pendingLogins.userId, users.id)))
      .where(eq(users.id, sql.placeholder("userId")))
      .prepare(),
  { oneRow: true },
);

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
