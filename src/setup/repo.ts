/** @module The first admin: whether one exists, and the insert that only succeeds while none does. */
import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { randomId } from "../lib/crypto.ts";
import { normalizeUsername } from "../users/users.ts";

/** Any user with the admin role, disabled or not. */
const ANY_ADMIN = sql`SELECT 1 FROM users, json_each(users.roles) WHERE json_each.value = 'admin'`;

export async function adminExists(db: Db): Promise<boolean> {
  const rows = await db.all<{ one: number }>(sql`SELECT EXISTS (${ANY_ADMIN}) AS one`);
  return rows[0]?.one === 1;
}

/**
 * Inserts an admin in one statement that adds nothing once any admin exists, so that two setup
 * forms sent at once (or a setup link used twice) make one admin at most. Returns the new id, or
 * null: an admin exists already, or the username is taken.
 */
export async function insertFirstAdmin(db: Db, input: {
  username: string;
  passwordHash: string;
  now: Date;
}): Promise<string | null> {
  const id = randomId();
  const rows = await db.all<{ id: string }>(sql`
    INSERT INTO users (id, username, display_name, password_hash, roles, created_at)
    SELECT ${id}, ${normalizeUsername(input.username)}, ${input.username.trim()},
      ${input.passwordHash}, '["admin"]', ${input.now.getTime()}
    WHERE NOT EXISTS (${ANY_ADMIN})
    ON CONFLICT DO NOTHING
    RETURNING id`);
  return rows[0]?.id ?? null;
}
