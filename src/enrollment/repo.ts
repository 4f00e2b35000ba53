/** @module Enrollment rows: an authenticator in the making, until its first code verifies. */
import { and, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { authenticators, enrollments } from "../db/schema.ts";
import { stillOpen } from "../users/repo.ts";

export type EnrollmentRow = typeof enrollments.$inferSelect;

export async function insertEnrollment(db: Db, row: typeof enrollments.$inferInsert) {
  await db.insert(enrollments).values(row);
}

export async function findLiveEnrollment(
  db: Db,
  input: { id: string; userId: string; now: Date },
): Promise<EnrollmentRow | undefined> {
  return await db.query.enrollments.findFirst({
    where: and(
      eq(enrollments.id, input.id),
      eq(enrollments.userId, input.userId),
      stillOpen(enrollments, input.now.getTime()),
    ),
  });
}

/** Counts one confirmation attempt; a used, expired or exhausted enrollment yields nothing. */
export async function countEnrollmentAttempt(
  db: Db,
  input: { id: string; userId: string; now: Date; maxAttempts: number },
): Promise<EnrollmentRow | undefined> {
  const rows = await db.update(enrollments)
    .set({ attempts: sql`${enrollments.attempts} + 1` })
    .where(and(
      eq(enrollments.id, input.id),
      eq(enrollments.userId, input.userId),
      lt(enrollments.attempts, input.maxAttempts),
      stillOpen(enrollments, input.now.getTime()),
    ))
    .returning();
  return rows[0];
}

/** Consumes the enrollment (optionally only after the batch's previous statement changed a row). */
export function consumeEnrollmentStatement(
  db: Db,
  input: { id: string; now: Date; afterChange: boolean },
) {
  return db.update(enrollments)
    .set({ consumedAt: input.now.getTime() })
    .where(and(
      eq(enrollments.id, input.id),
      // Started before a credential change: dead, also if the change lands mid-confirmation.
      stillOpen(enrollments, input.now.getTime()),
      input.afterChange ? sql`changes() = 1` : undefined,
    ))
    .returning({ id: enrollments.id });
}

/**
 * Turns the just-consumed enrollment into an authenticator whose last step is the step of the
 * confirming code, so that code cannot be used again to log in.
 */
export function authenticatorFromEnrollmentStatement(
  db: Db,
  input: { enrollmentId: string; authenticatorId: string; step: number; offset: number; now: Date },
) {
  return db.run(sql`INSERT INTO ${authenticators}
    (id, user_id, label, secret_enc, algorithm, digits, period, window, last_step, last_offset,
     recent_offsets, created_at, last_used_at)
    SELECT ${input.authenticatorId}, user_id, label, secret_enc, algorithm, digits, period, window,
      ${input.step}, ${input.offset}, ${JSON.stringify([input.offset])}, ${input.now.getTime()},
      ${input.now.getTime()}
    FROM ${enrollments} WHERE id = ${input.enrollmentId} AND changes() = 1`);
}
