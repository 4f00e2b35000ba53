/** @module Authenticator rows and the replay-proof step update. */
import { and, asc, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { statementTemplate, wholeRows } from "../db/prepared.ts";
import { authenticators } from "../db/schema.ts";
import { endOtherSessionsStatement } from "../sessions/repo.ts";

export type AuthenticatorRow = typeof authenticators.$inferSelect;

const byUser = wholeRows(authenticators, (db) =>
  db.select().from(authenticators)
    .where(eq(authenticators.userId, sql.placeholder("userId")))
    .orderBy(asc(authenticators.createdAt))
    .prepare());

export async function listAuthenticators(db: Db, userId: string): Promise<AuthenticatorRow[]> {
  return await byUser(db, { userId });
}

export async function countAuthenticators(db: Db, userId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)` }).from(authenticators)
    .where(eq(authenticators.userId, userId));
  return Number(row?.n ?? 0);
}

/**
 * Advances an authenticator's last accepted step, only to a strictly newer step: of two
 * parallel submissions of one code, exactly one updates a row (RFC 6238 5.2). With `afterChange`
 * it also requires the previous statement of the batch to have changed one row.
 */
export function advanceStepStatement(
  db: Db,
  input: {
    id: string;
    step: number;
    offset: number;
    recentOffsets: string;
    now: Date;
    afterChange?: boolean;
  },
) {
  return (input.afterChange ? advanceStepAfterChange : advanceStep)(db, {
    id: input.id,
    step: input.step,
    offset: input.offset,
    recentOffsets: input.recentOffsets,
    now: input.now.getTime(),
  });
}

function advanceStepQuery(db: Db, afterChange: boolean) {
  const p = sql.placeholder;
  return db.update(authenticators)
    .set({
      lastStep: sql`${p("step")}`,
      lastOffset: sql`${p("offset")}`,
      recentOffsets: sql`${p("recentOffsets")}`,
      lastUsedAt: sql`${p("now")}`,
    })
    .where(and(
      eq(authenticators.id, p("id")),
      or(isNull(authenticators.lastStep), lt(authenticators.lastStep, p("step"))),
      afterChange ? sql`changes() = 1` : undefined,
    ))
    .returning({ id: authenticators.id });
}

// by primary key: at most one row
const advanceStep = statementTemplate((db) => advanceStepQuery(db, false), { oneRow: true });
const advanceStepAfterChange = statementTemplate((db) => advanceStepQuery(db, true), {
  oneRow: true,
});

/**
 * Statements for a batch that changed a user's factors from a session, guarded by `condition`
 * (the change happened): drop the replaced authenticator, end the user's other sessions.
 */
export function authenticatorReplaceStatements(
  db: Db,
  input: { userId: string; replacesId: string | null; keepSessionId: string; now: Date },
  condition: ReturnType<typeof sql>,
) {
  return [
    ...(input.replacesId
      ? [db.run(sql`DELETE FROM ${authenticators}
          WHERE id = ${input.replacesId} AND user_id = ${input.userId} AND ${condition}`)]
      : []),
    endOtherSessionsStatement(db, input.userId, input.keepSessionId, input.now, condition),
  ];
}
