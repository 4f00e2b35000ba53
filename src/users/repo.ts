/** @module User rows. */
import { and, asc, eq, gt, isNull, type Placeholder, type SQL, sql } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client.ts";
import { wholeRows } from "../db/prepared.ts";
import { users } from "../db/schema.ts";
import { randomId } from "../lib/crypto.ts";
import { normalizeUsername } from "./users.ts";

export type UserRow = typeof users.$inferSelect;

const byUsername = wholeRows(
  users,
  (db) =>
    db.select().from(users).where(eq(users.username, sql.placeholder("username"))).limit(1)
      .prepare(),
);

export async function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  return (await byUsername(db, { username: normalizeUsername(username) }))[0];
}

const byId = wholeRows(
  users,
  (db) => db.select().from(users).where(eq(users.id, sql.placeholder("id"))).limit(1).prepare(),
);

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return (await byId(db, { id }))[0];
}

export type CreateUser = { username: string; passwordHash: string; roles: string[]; now: Date };

/** Inserts a user; returns null when the (normalised) username is taken. */
export async function insertUser(db: Db, input: CreateUser): Promise<UserRow | null> {
  const rows = await db.insert(users).values({
    id: randomId(),
    username: normalizeUsername(input.username),
    displayName: input.username.trim(),
    passwordHash: input.passwordHash,
    roles: JSON.stringify(input.roles),
    createdAt: input.now.getTime(),
  }).onConflictDoNothing().returning();
  return rows[0] ?? null;
}

/**
 * Stores a fresh hash of the same password (new parameters), only if the stored hash is still
 * the one that was checked: a password changed in the meantime is never overwritten.
 */
export async function updatePasswordHash(
  db: Db,
  input: { userId: string; checkedHash: string; passwordHash: string },
) {
  await db.update(users).set({ passwordHash: input.passwordHash })
    .where(and(eq(users.id, input.userId), eq(users.passwordHash, input.checkedHash)));
}

/**
 * The SET value that moves a user's credential epoch, for the statement of a credential change
 * (password changed or reset, 2FA reset or disabled, account disabled). Every pending login
 * and enrollment issued before it dies, since each is only alive while it carries the current
 * epoch (`credentialEpochCurrent`).
 */
export const nextCredentialEpoch = sql`${users.credentialEpoch} + 1`;

/**
 * Sets a new password (a reset, or the change a login asked for) only while `condition` holds,
 * i.e. this request won its race: clears the password lock and moves the credential epoch.
 */
export function setNewPasswordStatement(db: Db, input: {
  userId: string;
  hash: string;
  now: Date;
  condition: SQL;
}) {
  return db.update(users).set({
    passwordHash: input.hash,
    passwordChangedAt: input.now.getTime(),
    passwordFailures: 0,
    passwordWindowStart: null,
    passwordLockedUntil: null,
    credentialEpoch: nextCredentialEpoch,
  }).where(and(eq(users.id, input.userId), input.condition));
}

/** Moves the user's credential epoch, as a statement of the change's batch. */
export function bumpCredentialEpochStatement(db: Db, userId: string) {
  return db.update(users).set({ credentialEpoch: nextCredentialEpoch })
    .where(eq(users.id, userId));
}

/**
 * The condition that a row issued to a user (pending login, enrollment) carries the user's
 * current credential epoch, checked inside the statement that opens or consumes it.
 */
export function credentialEpochCurrent(row: {
  credentialEpoch: AnySQLiteColumn;
  userId: AnySQLiteColumn;
}) {
  // The users columns are written out: drizzle's relational queries would re-alias them as
  // columns of the outer table.
  return sql`${row.credentialEpoch} = (SELECT "users"."credential_epoch" FROM ${users}
    WHERE "users"."id" = ${row.userId})`;
}

/**
 * A single-use row issued to a user (pending login, enrollment) that is still open: not
 * consumed, not expired at `now`, and issued under the user's current credentials.
 */
export function stillOpen(
  row: {
    consumedAt: AnySQLiteColumn;
    expiresAt: AnySQLiteColumn;
    credentialEpoch: AnySQLiteColumn;
    userId: AnySQLiteColumn;
  },
  now: number | Placeholder,
) {
  return and(isNull(row.consumedAt), gt(row.expiresAt, now), credentialEpochCurrent(row));
}

export type UserSummary = UserRow & { authenticatorCount: number };

export async function listUsers(db: Db): Promise<UserSummary[]> {
  const rows = await db.select({
    user: users,
    authenticatorCount: sql<
      number
    >`(SELECT count(*) FROM authenticators a WHERE a.user_id = "users"."id")`,
  }).from(users).orderBy(asc(users.username));
  return rows.map((r) => ({ ...r.user, authenticatorCount: Number(r.authenticatorCount) }));
}
