/** @module Recovery-code rows: issued as a set, consumed one at a time by a conditional UPDATE. */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { recoveryCodes } from "../db/schema.ts";

/** Uses up one code: only an unused code of this user changes, in one statement. */
export function consumeRecoveryCodeStatement(
  db: Db,
  input: { userId: string; codeHash: string; now: Date; afterChange?: boolean },
) {
  return db.update(recoveryCodes)
    .set({ usedAt: input.now.getTime() })
    .where(and(
      eq(recoveryCodes.userId, input.userId),
      eq(recoveryCodes.codeHash, input.codeHash),
      isNull(recoveryCodes.usedAt),
      input.afterChange ? sql`changes() = 1` : undefined,
    ))
    .returning({ id: recoveryCodes.id });
}

export async function countUnusedRecoveryCodes(db: Db, userId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)` }).from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return Number(row?.n ?? 0);
}

/** Replaces a user's whole set, only if `condition` holds (inside a batch). */
export function replaceRecoveryCodesWhere(
  db: Db,
  input: { userId: string; hashes: { id: string; hash: string }[]; now: Date },
  condition: ReturnType<typeof sql>,
) {
  const values = sql.join(
    input.hashes.map((h) => sql`(${h.id}, ${input.userId}, ${h.hash}, ${input.now.getTime()})`),
    sql`, `,
  );
  return [
    db.run(sql`DELETE FROM ${recoveryCodes} WHERE user_id = ${input.userId} AND ${condition}`),
    db.run(sql`INSERT INTO ${recoveryCodes} (id, user_id, code_hash, created_at)
      SELECT column1, column2, column3, column4 FROM (VALUES ${values}) WHERE ${condition}`),
  ] as const;
}

/** Whether an unused code with this hash exists (the batch that consumes it checks again). */
export async function hasUnusedRecoveryCode(
  db: Db,
  input: { userId: string; codeHash: string },
): Promise<boolean> {
  const row = await db.query.recoveryCodes.findFirst({
    columns: { id: true },
    where: and(
      eq(recoveryCodes.userId, input.userId),
      eq(recoveryCodes.codeHash, input.codeHash),
      isNull(recoveryCodes.usedAt),
    ),
  });
  return !!row;
}
