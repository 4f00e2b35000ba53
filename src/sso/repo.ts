/** @module Hand-off codes: written once, consumed by the first presentation in one statement. */
import { and, eq, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { ssoCodes } from "../db/schema.ts";

export type SsoCodeRow = typeof ssoCodes.$inferSelect;

export function insertSsoCodeStatement(db: Db, row: typeof ssoCodes.$inferInsert) {
  return db.insert(ssoCodes).values(row);
}

/**
 * Marks a code used and returns it, or nothing if it is unknown or was used before: one
 * conditional `UPDATE ... RETURNING`, so two presentations never both get the row. The host and
 * the expiry are checked by the caller on the returned row, after the code is spent: a code
 * shown on the wrong host or too late is dead as well.
 */
export async function consumeSsoCode(
  db: Db,
  codeHash: string,
  now: Date,
): Promise<SsoCodeRow | undefined> {
  const rows = await db.update(ssoCodes).set({ usedAt: now.getTime() })
    .where(and(eq(ssoCodes.codeHash, codeHash), isNull(ssoCodes.usedAt)))
    .returning();
  return rows[0];
}

/** Drops codes that expired more than a minute ago (they are useless; this keeps the table small). */
export function purgeSsoCodesStatement(db: Db, now: Date) {
  return db.delete(ssoCodes).where(lt(ssoCodes.expiresAt, sql`${now.getTime() - 60_000}`));
}
