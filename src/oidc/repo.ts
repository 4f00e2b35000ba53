/**
 * @module The OpenID Connect provider's SQL: clients, codes, grants and refresh tokens. Codes
 * and refresh tokens are consumed by one conditional UPDATE ... RETURNING each; a grant is
 * alive only while its session, its user and the user's credential epoch are.
 */
import { and, asc, desc, eq, gt, isNotNull, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import {
  oidcClients,
  oidcCodes,
  oidcGrants,
  oidcRefreshTokens,
  sessions,
  users,
} from "../db/schema.ts";

export type OidcClientRow = typeof oidcClients.$inferSelect;
export type OidcCodeRow = typeof oidcCodes.$inferSelect;
export type OidcGrantRow = typeof oidcGrants.$inferSelect;

export async function findClient(db: Db, id: string): Promise<OidcClientRow | undefined> {
  if (id.length > 200) return undefined;
  const rows = await db.select().from(oidcClients).where(eq(oidcClients.id, id)).limit(1);
  return rows[0];
}

export async function listClients(db: Db): Promise<OidcClientRow[]> {
  return await db.select().from(oidcClients).orderBy(asc(oidcClients.name), asc(oidcClients.id));
}

export function insertClientStatement(db: Db, row: OidcClientRow) {
  return db.insert(oidcClients).values(row);
}

export function updateClientStatement(db: Db, id: string, set: Partial<OidcClientRow>) {
  return db.update(oidcClients).set(set).where(eq(oidcClients.id, id));
}

/** Changes a client; returns the new row, or undefined if there is no such client. */
export async function updateClientRow(
  db: Db,
  id: string,
  set: Partial<OidcClientRow>,
): Promise<OidcClientRow | undefined> {
  if (Object.keys(set).length === 0) return await findClient(db, id);
  const rows = await updateClientStatement(db, id, set).returning();
  return rows[0];
}

/** Deletes a client; its codes, grants and refresh tokens go with it (foreign keys cascade). */
export async function deleteClient(db: Db, id: string): Promise<boolean> {
  const rows = await db.delete(oidcClients).where(eq(oidcClients.id, id))
    .returning({ id: oidcClients.id });
  return rows.length === 1;
}

export async function insertCode(db: Db, row: OidcCodeRow): Promise<void> {
  await db.insert(oidcCodes).values(row);
}

/**
 * Consumes a code and opens its grant, atomically: the UPDATE marks the code used and names the
 * grant, and the INSERT copies the code's values into the grant only if the code now names it
 * (so only the one caller that consumed it opens a grant). Returns the code row, or undefined if
 * the code was unknown or already used.
 */
export async function consumeCode(
  db: Db,
  input: { codeHash: string; grantId: string; now: Date },
): Promise<OidcCodeRow | undefined> {
  const t = input.now.getTime();
  const [consumed] = await db.batch([
    db.update(oidcCodes).set({ usedAt: t, grantId: input.grantId })
      .where(and(eq(oidcCodes.id, input.codeHash), isNull(oidcCodes.usedAt)))
      .returning(),
    db.run(sql`INSERT INTO ${oidcGrants} (id, client_id, user_id, session_id, scope, nonce,
        credential_epoch, created_at, last_used_at)
      SELECT ${input.grantId}, client_id, user_id, session_id, scope, nonce, credential_epoch,
        ${t}, ${t}
      FROM ${oidcCodes} WHERE id = ${input.codeHash} AND grant_id = ${input.grantId}
        AND used_at = ${t}`),
  ]);
  return consumed[0];
}

/** The code row by hash (to tell a replay from an unknown code). */
export async function findCode(db: Db, codeHash: string): Promise<OidcCodeRow | undefined> {
  const rows = await db.select().from(oidcCodes).where(eq(oidcCodes.id, codeHash)).limit(1);
  return rows[0];
}

/** Revokes a grant (and so every token under it); returns whether it was alive. */
export async function revokeGrant(
  db: Db,
  grantId: string,
  reason: string,
  now: Date,
): Promise<boolean> {
  const rows = await db.update(oidcGrants)
    .set({ revokedAt: now.getTime(), revokedReason: reason })
    .where(and(eq(oidcGrants.id, grantId), isNull(oidcGrants.revokedAt)))
    .returning({ id: oidcGrants.id });
  return rows.length === 1;
}

export type LiveGrant = {
  grant: OidcGrantRow;
  user: typeof users.$inferSelect;
  session: typeof sessions.$inferSelect;
};

/** The grant is not revoked, and the session it hangs on is neither revoked nor expired. */
function grantAndSessionLive(t: number) {
  return and(isNull(oidcGrants.revokedAt), isNull(sessions.revokedAt), gt(sessions.expiresAt, t));
}

/**
 * A grant that is still alive: not revoked; its session not revoked, not expired and (unless
 * remember-me) not idle; its user not disabled and still at the credential epoch it was issued
 * under (a 2FA reset, a password reset or a disabled account move it).
 */
export async function findLiveGrant(
  db: Db,
  grantId: string,
  now: Date,
  idleMs: number,
): Promise<LiveGrant | undefined> {
  const t = now.getTime();
  const rows = await db.select({ grant: oidcGrants, user: users, session: sessions })
    .from(oidcGrants)
    .innerJoin(users, eq(users.id, oidcGrants.userId))
    .innerJoin(sessions, eq(sessions.id, oidcGrants.sessionId))
    .where(and(
      eq(oidcGrants.id, grantId),
      grantAndSessionLive(t),
      sql`(${sessions.rememberMe} = 1 OR ${sessions.lastSeenAt} > ${t - idleMs})`,
      eq(users.disabled, false),
      eq(users.credentialEpoch, oidcGrants.credentialEpoch),
    ))
    .limit(1);
  return rows[0];
}

/** Stores a new refresh token (hash) of a grant, and marks the grant used. */
export async function insertRefreshToken(
  db: Db,
  row: { id: string; grantId: string; createdAt: number; expiresAt: number },
): Promise<void> {
  await db.batch([
    db.insert(oidcRefreshTokens).values({ ...row, usedAt: null }),
    db.update(oidcGrants).set({ lastUsedAt: row.createdAt }).where(eq(oidcGrants.id, row.grantId)),
  ]);
}

/**
 * Uses a refresh token once: marks it used if it is unused and unexpired, and returns its grant
 * id. Undefined for an unknown, used or expired token.
 */
export async function useRefreshToken(
  db: Db,
  tokenHash: string,
  now: Date,
): Promise<string | undefined> {
  const rows = await db.update(oidcRefreshTokens).set({ usedAt: now.getTime() })
    .where(and(
      eq(oidcRefreshTokens.id, tokenHash),
      isNull(oidcRefreshTokens.usedAt),
      gt(oidcRefreshTokens.expiresAt, now.getTime()),
    ))
    .returning({ grantId: oidcRefreshTokens.grantId });
  return rows[0]?.grantId;
}

/** The grant of a refresh token that was already used: its reuse reveals a theft. */
export async function grantOfUsedRefreshToken(
  db: Db,
  tokenHash: string,
): Promise<OidcGrantRow | undefined> {
  const rows = await db.select({ grant: oidcGrants }).from(oidcRefreshTokens)
    .innerJoin(oidcGrants, eq(oidcGrants.id, oidcRefreshTokens.grantId))
    .where(and(eq(oidcRefreshTokens.id, tokenHash), isNotNull(oidcRefreshTokens.usedAt)))
    .limit(1);
  return rows[0]?.grant;
}

export async function findGrant(db: Db, grantId: string): Promise<OidcGrantRow | undefined> {
  const rows = await db.select().from(oidcGrants).where(eq(oidcGrants.id, grantId)).limit(1);
  return rows[0];
}

export type AppSummary = {
  clientId: string;
  name: string;
  firstAt: number;
  lastUsedAt: number;
};

/** The apps a user is signed in to: clients with a grant that is not revoked, newest use first. */
export async function listUserApps(db: Db, userId: string, now: Date): Promise<AppSummary[]> {
  const rows = await db.select({
    clientId: oidcGrants.clientId,
    name: oidcClients.name,
    firstAt: sql<number>`min(${oidcGrants.createdAt})`,
    lastUsedAt: sql<number>`max(${oidcGrants.lastUsedAt})`,
  })
    .from(oidcGrants)
    .innerJoin(oidcClients, eq(oidcClients.id, oidcGrants.clientId))
    .innerJoin(sessions, eq(sessions.id, oidcGrants.sessionId))
    .where(and(
      eq(oidcGrants.userId, userId),
      grantAndSessionLive(now.getTime()),
    ))
    .groupBy(oidcGrants.clientId, oidcClients.name)
    .orderBy(desc(sql`max(${oidcGrants.lastUsedAt})`));
  return rows.map((r) => ({ ...r, firstAt: Number(r.firstAt), lastUsedAt: Number(r.lastUsedAt) }));
}

/** Revokes every grant of a user to one client; returns how many were alive. */
export async function revokeUserApp(
  db: Db,
  input: { userId: string; clientId: string; now: Date },
): Promise<number> {
  const rows = await db.update(oidcGrants)
    .set({ revokedAt: input.now.getTime(), revokedReason: "user" })
    .where(and(
      eq(oidcGrants.userId, input.userId),
      eq(oidcGrants.clientId, input.clientId),
      isNull(oidcGrants.revokedAt),
    ))
    .returning({ id: oidcGrants.id });
  return rows.length;
}
