/** @module WebAuthn credential rows and single-use challenges. */
import { and, asc, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { webauthnChallenges, webauthnCredentials } from "../db/schema.ts";

export type CredentialRow = typeof webauthnCredentials.$inferSelect;
export type ChallengeRow = typeof webauthnChallenges.$inferSelect;
export type ChallengePurpose = "register" | "second_factor" | "passkey" | "reauth";

export async function listCredentials(db: Db, userId: string): Promise<CredentialRow[]> {
  return await db.select().from(webauthnCredentials)
    .where(eq(webauthnCredentials.userId, userId))
    .orderBy(asc(webauthnCredentials.createdAt));
}

export async function countCredentials(db: Db, userId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)` }).from(webauthnCredentials)
    .where(eq(webauthnCredentials.userId, userId));
  return Number(row?.n ?? 0);
}

export async function findCredential(
  db: Db,
  credentialId: string,
): Promise<CredentialRow | undefined> {
  return await db.query.webauthnCredentials.findFirst({
    where: eq(webauthnCredentials.credentialId, credentialId),
  });
}

export function insertCredentialStatement(db: Db, row: typeof webauthnCredentials.$inferInsert) {
  return db.insert(webauthnCredentials).values(row).returning({ id: webauthnCredentials.id });
}

/**
 * Records a use: the new signature counter and the time, only if the counter moved forward (or
 * the authenticator keeps none: 0 then and 0 now). Of two parallel uses of one assertion, at most
 * one passes this; a cloned key's stale counter never does (WebAuthn 6.1.1).
 */
export function recordUseStatement(
  db: Db,
  input: { id: string; counter: number; now: Date },
) {
  return db.update(webauthnCredentials)
    .set({ counter: input.counter, lastUsedAt: input.now.getTime() })
    .where(and(
      eq(webauthnCredentials.id, input.id),
      or(
        lt(webauthnCredentials.counter, input.counter),
        and(eq(webauthnCredentials.counter, 0), sql`${input.counter} = 0`),
      ),
    ))
    .returning({ id: webauthnCredentials.id });
}

export function renameCredentialStatement(
  db: Db,
  input: { id: string; userId: string; name: string },
) {
  return db.update(webauthnCredentials).set({ name: input.name })
    .where(and(eq(webauthnCredentials.id, input.id), eq(webauthnCredentials.userId, input.userId)))
    .returning({ id: webauthnCredentials.id });
}

/** Deletes one key of a user, only while `condition` (the policy's "what must remain") holds. */
export function deleteCredentialStatement(
  db: Db,
  input: { id: string; userId: string; condition?: ReturnType<typeof sql> },
) {
  return db.delete(webauthnCredentials)
    .where(and(
      eq(webauthnCredentials.id, input.id),
      eq(webauthnCredentials.userId, input.userId),
      input.condition,
    ))
    .returning({ id: webauthnCredentials.id, name: webauthnCredentials.name });
}

export function deleteAllCredentialsStatement(db: Db, userId: string) {
  return db.delete(webauthnCredentials).where(eq(webauthnCredentials.userId, userId));
}

export async function insertChallenge(db: Db, row: typeof webauthnChallenges.$inferInsert) {
  // Old challenges go on the way: expired rows are never read again.
  await db.batch([
    db.delete(webauthnChallenges).where(lt(webauthnChallenges.expiresAt, row.createdAt)),
    db.insert(webauthnChallenges).values(row),
  ]);
}

/**
 * Consumes a challenge in one conditional UPDATE: it must be live, unused, of this purpose and
 * bound to the same pending login or session. Of two parallel answers, one gets the row.
 */
export async function consumeChallenge(db: Db, input: {
  id: string;
  purpose: ChallengePurpose;
  boundTo: string;
  now: Date;
}): Promise<ChallengeRow | undefined> {
  const [row] = await db.update(webauthnChallenges)
    .set({ consumedAt: input.now.getTime() })
    .where(and(
      eq(webauthnChallenges.id, input.id),
      eq(webauthnChallenges.purpose, input.purpose),
      eq(webauthnChallenges.boundTo, input.boundTo),
      isNull(webauthnChallenges.consumedAt),
      gt(webauthnChallenges.expiresAt, input.now.getTime()),
    ))
    .returning();
  return row;
}
