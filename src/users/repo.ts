/** @module User rows. */
import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { users } from "../db/schema.ts";
import { randomId } from "../lib/crypto.ts";
import { normalizeUsername } from "./users.ts";

export type UserRow = typeof users.$inferSelect;

export async function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  return await db.query.users.findFirst({
    where: eq(users.username, normalizeUsername(username)),
  });
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return await db.query.users.findFirst({ where: eq(users.id, id) });
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

export async function updatePasswordHash(db: Db, userId: string, passwordHash: string) {
  await db.update(users).set({ passwordHash }).where(eq(users.id, userId));
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
