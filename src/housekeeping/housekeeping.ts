/**
 * @module Housekeeping: deletes rows that can no longer change any decision, so that the
 * single-use and time-bound tables do not grow forever. One `db.batch` of conditional DELETEs
 * (D1 has no interactive transactions); every rule keeps a grace margin past the moment the row
 * went dead, and a row whose state still matters (a used token that has not expired yet, a spent
 * refresh token of a chain that is still alive) stays.
 *
 * Every consumer refuses a token whose row is missing (the lookups and conditional UPDATEs all
 * need the row), so a deleted "used" marker never makes a token usable again; and "used" rows
 * are only deleted once they would have expired anyway.
 *
 * Not touched: the audit log (the security record), alerts, users and their live data
 * (authenticators, recovery codes, WebAuthn credentials, known sign-ins, password history,
 * API keys), settings and OpenID clients.
 */
import { getTableName, type SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { DAY, SECOND } from "../lib/clock.ts";
import type { Deps } from "../deps.ts";
import {
  enrollments,
  ipThrottle,
  noticeTokens,
  oidcCodes,
  oidcGrants,
  oidcRefreshTokens,
  outbox,
  passwordResets,
  pendingLogins,
  refreshTokens,
  sessions,
  ssoCodes,
  trustedDevices,
  webauthnChallenges,
} from "../db/schema.ts";
import { ipRule } from "../protection/guard.ts";

/** Short-lived tokens and codes go this long after they expired. */
export const TOKEN_GRACE_MS = DAY;
/** Sessions, trusted devices, address throttles and outbox rows go this long after they ended. */
export const RECORD_GRACE_MS = 30 * DAY;
/** Delivered outbox rows go this long after delivery. */
export const DELIVERED_GRACE_MS = 7 * DAY;
/** How soon after start the Deno server runs the first pass (then every HOUSEKEEPING_MINUTES). */
export const HOUSEKEEPING_FIRST_RUN_MS = 5 * SECOND;

/**
 * At most this many rows per table per pass: a pass is one transaction, and a large backlog (the
 * first pass on an old database) is worked off over the next passes instead of holding the
 * write lock (and, on D1, a statement's time limit) for all of it at once.
 */
export const PASS_LIMIT = 10_000;

/** Rows deleted per table by one pass. */
export type HousekeepingCounts = Record<string, number>;

/** Runs one pass: deletes dead rows, returns how many per table (no secrets). */
export async function runHousekeeping(deps: Deps): Promise<HousekeepingCounts> {
  const { db } = deps;
  const t = deps.clock.now().getTime();
  const token = t - TOKEN_GRACE_MS;
  const record = t - RECORD_GRACE_MS;
  const delivered = t - DELIVERED_GRACE_MS;
  const ip = await ipRule(deps);

  // A grant is dead once revoked, or once the session it hangs on is revoked, expired or gone
  // (oidc/repo.ts: grantAndSessionLive); none of these come back.
  const grantDead = (grantId: string) =>
    sql.raw(`NOT EXISTS (SELECT 1 FROM oidc_grants g JOIN sessions s ON s.id = g.session_id
      WHERE g.id = ${grantId} AND g.revoked_at IS NULL AND s.revoked_at IS NULL
        AND s.expires_at > ${token})`);

  /**
   * At most PASS_LIMIT rows of `table` that match `where` (SQLite's DELETE has no LIMIT without
   * a compile option), one returned row per deletion for the count.
   */
  const purge = (table: SQLiteTable, where: SQL) => ({
    table: getTableName(table),
    statement: db.delete(table)
      .where(sql`rowid IN (SELECT rowid FROM ${table} WHERE ${where} LIMIT ${PASS_LIMIT})`)
      .returning({ deleted: sql<number>`1` }),
  });
  type BatchStatement = ReturnType<typeof purge>["statement"];

  const statements = [
    // refresh_tokens (JSON API): a spent token is what detects reuse, and reuse is detected
    // (chain ended, audited) whatever the chain's state. So a token goes only with its whole
    // chain: once the chain's lifetime (`chain_expires_at`, the same on every token of the
    // chain) ended past the grace, or once the chain was ended (reuse ends every token of a
    // chain in one statement) past the grace. Deleted before sessions, which they name.
    purge(
      refreshTokens,
      sql`${refreshTokens.chainExpiresAt} < ${token}
      OR ${refreshTokens.chainId} IN (SELECT chain_id FROM refresh_tokens
        WHERE revoked_at IS NOT NULL AND revoked_at < ${token})`,
    ),
    // oidc_refresh_tokens: a spent token used again revokes its grant, whatever its expiry. A
    // token goes once it expired past the grace and either its grant is dead, or every token
    // of the grant expired past the grace (nothing of the grant can be refreshed any more).
    purge(
      oidcRefreshTokens,
      sql`${oidcRefreshTokens.expiresAt} < ${token} AND (
      ${grantDead("oidc_refresh_tokens.grant_id")}
      OR NOT EXISTS (SELECT 1 FROM oidc_refresh_tokens o
        WHERE o.grant_id = oidc_refresh_tokens.grant_id AND o.expires_at >= ${token}))`,
    ),
    // oidc_codes: a used code presented again revokes the grant it turned into. A code goes
    // once it expired past the grace and it was never used, or its grant is dead.
    purge(
      oidcCodes,
      sql`${oidcCodes.expiresAt} < ${token} AND (
      ${oidcCodes.grantId} IS NULL OR ${grantDead("oidc_codes.grant_id")})`,
    ),
    // oidc_grants: a dead grant refuses everything that names it (findLiveGrant needs the row
    // alive), and so does a missing one. A grant goes a month after it died (revoked, or its
    // session revoked or expired, or that session gone), once no refresh token or code names it
    // (those go first, above, by their own rules: a token that can still reveal a reuse keeps
    // its grant). Before sessions, which grants name. The codes' list is computed once per
    // statement (grant_id has no index); the refresh tokens are looked up by theirs.
    purge(
      oidcGrants,
      sql`((${oidcGrants.revokedAt} IS NOT NULL AND ${oidcGrants.revokedAt} < ${record})
        OR NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = oidc_grants.session_id
          AND (s.revoked_at IS NULL OR s.revoked_at >= ${record}) AND s.expires_at >= ${record}))
      AND NOT EXISTS (SELECT 1 FROM oidc_refresh_tokens o WHERE o.grant_id = oidc_grants.id)
      AND ${oidcGrants.id} NOT IN (SELECT grant_id FROM oidc_codes WHERE grant_id IS NOT NULL)`,
    ),
    // sso_codes: spent by the first presentation; the callback refuses a missing code. Gone
    // once expired past the grace (the issuing batch also drops those a minute past expiry).
    purge(ssoCodes, sql`${ssoCodes.expiresAt} < ${token}`),
    // pending_logins: only an unconsumed, unexpired row is usable (stillOpen); a consumed one
    // stays until it would have expired anyway, then the grace.
    purge(pendingLogins, sql`${pendingLogins.expiresAt} < ${token}`),
    // enrollments: same rule as pending logins (stillOpen).
    purge(enrollments, sql`${enrollments.expiresAt} < ${token}`),
    // password_resets: usable only unused and unexpired; a used one stays until it would have
    // expired anyway, then the grace.
    purge(passwordResets, sql`${passwordResets.expiresAt} < ${token}`),
    // notice_tokens ("this wasn't me" links): same rule.
    purge(noticeTokens, sql`${noticeTokens.expiresAt} < ${token}`),
    // webauthn_challenges: usable only unconsumed and unexpired; same rule.
    purge(webauthnChallenges, sql`${webauthnChallenges.expiresAt} < ${token}`),
    // trusted_devices: count only unrevoked and unexpired; gone a month after either.
    purge(
      trustedDevices,
      sql`${trustedDevices.expiresAt} < ${record}
      OR (${trustedDevices.revokedAt} IS NOT NULL AND ${trustedDevices.revokedAt} < ${record})`,
    ),
    // outbox: a delivered row is never sent again (a week of grace); an undelivered one only
    // goes a month after it was written, long after its last retry.
    purge(
      outbox,
      sql`(${outbox.deliveredAt} IS NOT NULL
        AND ${outbox.deliveredAt} < ${delivered})
      OR (${outbox.deliveredAt} IS NULL AND ${outbox.createdAt} < ${record})`,
    ),
    // ip_throttle: a row counts failures in its window, blocks until `blocked_until`, and makes
    // the next block longer while its last block is within IP_BLOCK_REPEAT_HOURS. It goes a
    // month after all three ended (a missing row is a clean slate, which it then is anyway).
    purge(
      ipThrottle,
      sql`${ipThrottle.windowStart} < ${record - ip.windowMs}
      AND (${ipThrottle.blockedUntil} IS NULL OR ${ipThrottle.blockedUntil} < ${record})
      AND (${ipThrottle.blockedAt} IS NULL
        OR ${ipThrottle.blockedAt} < ${record - ip.repeatWindowMs})`,
    ),
    // sessions: dead once revoked or expired (neither comes back); gone a month later, and only
    // when nothing still names them: a refresh token (reuse detection looks the session up), an
    // OpenID grant or code, or a delegated session (whose life hangs on its delegator's). Last
    // in the batch, after the refresh tokens above. sso_codes cascade (they are dead with it).
    // The NOT IN lists are computed once per statement (not per row): these columns are never
    // NULL, and the delegator list leaves NULLs out, so NOT IN cannot turn into "unknown".
    purge(
      sessions,
      sql`(${sessions.expiresAt} < ${record}
        OR (${sessions.revokedAt} IS NOT NULL AND ${sessions.revokedAt} < ${record}))
      AND ${sessions.id} NOT IN (SELECT session_id FROM refresh_tokens)
      AND ${sessions.id} NOT IN (SELECT session_id FROM oidc_grants)
      AND ${sessions.id} NOT IN (SELECT session_id FROM oidc_codes)
      AND ${sessions.id} NOT IN (SELECT delegator_session_id FROM sessions
        WHERE delegator_session_id IS NOT NULL)`,
    ),
  ];
  const results = await db.batch(
    statements.map((p) => p.statement) as [BatchStatement, ...BatchStatement[]],
  );
  const counts: HousekeepingCounts = {};
  results.forEach((rows, i) => counts[statements[i].table] = rows.length);
  return counts;
}

/** Runs a pass and logs its summary; an error is logged, never thrown. */
export async function housekeepingTick(deps: Deps): Promise<HousekeepingCounts | null> {
  try {
    const counts = await runHousekeeping(deps);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    for (const [table, n] of Object.entries(counts)) deps.metrics.housekeeping.inc({ table }, n);
    deps.log("info", "housekeeping", { deleted: total, ...counts });
    return counts;
  } catch (e) {
    deps.log("error", "housekeeping.failed", { error: String(e) });
    return null;
  }
}
