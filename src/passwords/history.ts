/**
 * @module Password history: the hashes (never the passwords) a user had before, so that the
 * policy's `historyCount` can refuse a recent one. Written in the batch of every password change
 * or reset, before the statement that replaces the hash.
 */
import { desc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { passwordHistory, users } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import { randomId } from "../lib/crypto.ts";
import { verifyPassword } from "../lib/password.ts";
import { PASSWORD_HISTORY_MAX } from "./policy.ts";

/**
 * Whether `password` is one of the user's `count` latest passwords: the current one and the
 * `count - 1` before it. Each check costs one password hash, so `count` is bounded (24).
 */
export async function isRecentPassword(
  deps: Deps,
  user: { id: string; passwordHash: string },
  password: string,
  count: number,
): Promise<boolean> {
  if (count <= 0) return false;
  const earlier = count > 1
    ? await deps.db.select({ hash: passwordHistory.passwordHash }).from(passwordHistory)
      .where(eq(passwordHistory.userId, user.id))
      .orderBy(desc(passwordHistory.createdAt), sql`rowid DESC`)
      .limit(Math.min(count, PASSWORD_HISTORY_MAX) - 1)
    : [];
  for (const hash of [user.passwordHash, ...earlier.map((r) => r.hash)]) {
    const check = await verifyPassword(password, hash, deps.config.PBKDF2_ITERATIONS, deps.pbkdf2);
    if (check.ok) return true;
  }
  return false;
}

/**
 * Statements that keep the user's current hash as history and drop what is past the longest
 * history kept. Put them before the statement that sets the new hash; `condition` makes them
 * act only when the change itself will (for example `changes() = 1` after a consumed token).
 */
export function rememberPasswordStatements(
  db: Db,
  userId: string,
  now: Date,
  condition?: ReturnType<typeof sql>,
) {
  return [
    db.run(sql`INSERT INTO ${passwordHistory} (id, user_id, password_hash, created_at)
      SELECT ${randomId()}, id, password_hash, ${now.getTime()} FROM ${users}
      WHERE id = ${userId} ${condition ? sql`AND ${condition}` : sql``}`),
    db.run(sql`DELETE FROM ${passwordHistory} WHERE user_id = ${userId} AND id NOT IN
      (SELECT id FROM ${passwordHistory} WHERE user_id = ${userId}
        ORDER BY created_at DESC, rowid DESC LIMIT ${PASSWORD_HISTORY_MAX})`),
  ] as const;
}
