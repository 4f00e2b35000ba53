/**
 * @module Refresh tokens for programs that signed in through the JSON API with a second factor.
 * The token is opaque (256 random bits behind the time it was issued) and names a chain. It is
 * stored as its time and SHA-256 (`storedKey`), so that the unique index on that key grows at
 * one end, as the table's other keys do, instead of each login writing one of its pages at a
 * random place (bench/RESULTS.md, thirteenth session). Each use spends it in
 * one conditional UPDATE and, in the same batch, issues the next pair: a new session (the old
 * one ends) and a new refresh token of the same chain. A spent token used again ends the whole
 * chain (every token and every session it issued) and is audited: someone holds a copy.
 *
 * A chain never outlives the remember-me lifetime counted from the login (`chain_expires_at`),
 * nor the session it was last issued with (logout or an admin ending it kills the chain), nor a
 * credential change (password changed or reset, 2FA reset or disabled: `credential_epoch`).
 */
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { audit, auditInsert, conditionalAudit, userAudit } from "../audit/repo.ts";
import type { Db } from "../db/client.ts";
import { refreshTokens, sessions, users } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import type { RequestMeta } from "../http/client.ts";
import { DAY } from "../lib/clock.ts";
import { randomBytes, sha256Hex, timeOrderedId, timePrefix } from "../lib/crypto.ts";
import { toBase64Url } from "../lib/encoding.ts";
import { fail, type Failure } from "../lib/errors.ts";
import { statementTemplate } from "../db/prepared.ts";
import { enforceSessionLimitStatement } from "./repo.ts";
import { issueSessionToken, sessionTerms } from "./service.ts";

const PREFIX = "tfr_";

export type RefreshPair = {
  sessionId: string;
  sessionToken: string;
  expiresAt: Date;
  refreshToken: string;
  refreshExpiresAt: Date;
};

/** A new token: the prefix, the time (8 characters that sort as it does), 256 random bits. */
function newToken(t: number): string {
  return PREFIX + timePrefix(t) + toBase64Url(randomBytes(32));
}

/** The length of `newToken`'s tokens; those issued before had no time (47 characters). */
const TIMED_LENGTH = PREFIX.length + 8 + 43;

/**
 * What the table keeps of a token (`token_hash`): its time characters, then its SHA-256 in hex.
 * A token of the earlier format (no time) is kept as its SHA-256 alone, as it was stored then.
 */
function storedKey(token: string): string {
  const hash = sha256Hex(token);
  return token.length === TIMED_LENGTH
    ? token.slice(PREFIX.length, PREFIX.length + 8) + hash
    : hash;
}

/** The token's chain is still alive: the user's epoch unchanged and its session not ended. */
const chainAlive = (row: string) =>
  sql.raw(`${row}.credential_epoch = (SELECT credential_epoch FROM users
      WHERE users.id = ${row}.user_id AND users.disabled = 0)
    AND EXISTS (SELECT 1 FROM sessions WHERE sessions.id = ${row}.session_id
      AND sessions.revoked_at IS NULL)`);

/**
 * Issues the first refresh token of a new chain beside a session just created by a login. It is
 * written only if that session is still alive and carries the user's current epoch, so a
 * credential change that landed in between leaves no live token.
 */
export async function startRefreshChain(deps: Deps, input: {
  userId: string;
  sessionId: string;
  now: Date;
}): Promise<RefreshIssued | null> {
  const start = refreshChainStart(deps, input);
  return ((await start.statement) as unknown[]).length === 1 ? start.issued : null;
}

export type RefreshIssued = { refreshToken: string; refreshExpiresAt: Date };

/**
 * `startRefreshChain` as a statement, for a login to put in its own batch after the session's
 * insert: the token is issued only if the statement returns a row.
 */
export function refreshChainStart(deps: Deps, input: {
  userId: string;
  sessionId: string;
  now: Date;
}): { statement: ReturnType<typeof insertChainStart>; issued: RefreshIssued } {
  const t = input.now.getTime();
  const token = newToken(t);
  const chainExpiresAt = t + deps.config.REMEMBER_ME_DAYS * DAY;
  return {
    statement: insertChainStart(deps.db, {
      id: timeOrderedId(t),
      userId: input.userId,
      chainId: timeOrderedId(t),
      sessionId: input.sessionId,
      tokenHash: storedKey(token),
      now: t,
      chainExpiresAt,
    }),
    issued: { refreshToken: token, refreshExpiresAt: new Date(chainExpiresAt) },
  };
}

const insertChainStart = statementTemplate((db) => {
  const p = sql.placeholder;
  return db.all(sql`INSERT INTO ${refreshTokens}
    (id, user_id, chain_id, session_id, token_hash, credential_epoch, created_at, chain_expires_at)
    SELECT ${p("id")}, ${p("userId")}, ${p("chainId")}, ${p("sessionId")}, ${p("tokenHash")},
      credential_epoch, ${p("now")}, ${p("chainExpiresAt")}
    FROM ${users} WHERE id = ${p("userId")} AND disabled = 0
      AND EXISTS (SELECT 1 FROM ${sessions} WHERE id = ${p("sessionId")}
        AND revoked_at IS NULL)
    RETURNING id`);
}, { oneRow: true }); // one user row by primary key: at most one row

/** Ends every token and every session of a chain (a spent token came back). */
function endChainStatements(db: Db, chainId: string, t: number) {
  return [
    db.run(sql`UPDATE ${sessions} SET revoked_at = ${t} WHERE revoked_at IS NULL
      AND id IN (SELECT session_id FROM ${refreshTokens} WHERE chain_id = ${chainId})`),
    db.run(sql`UPDATE ${refreshTokens} SET revoked_at = ${t}
      WHERE chain_id = ${chainId} AND revoked_at IS NULL`),
  ] as const;
}

/**
 * Trades a refresh token for a new session and refresh token. Of parallel uses of one token
 * exactly one consumes it; the others are uses of a spent token and end the chain.
 */
export async function refreshSession(deps: Deps, input: {
  refreshToken: string;
  meta: RequestMeta;
}): Promise<{ ok: true; value: RefreshPair } | Failure> {
  const { db } = deps;
  const now = deps.clock.now();
  const t = now.getTime();
  const hash = storedKey(input.refreshToken);
  const row = await db.query.refreshTokens.findFirst({
    where: (r, { eq }) => eq(r.tokenHash, hash),
  });
  if (!row) return fail("invalid_refresh_token");
  const user = await db.query.users.findFirst({ where: (u, { eq }) => eq(u.id, row.userId) });
  const old = await db.query.sessions.findFirst({ where: (s, { eq }) => eq(s.id, row.sessionId) });
  if (!user || !old) return fail("invalid_refresh_token");

  const sessionId = timeOrderedId(t);
  const next = newToken(t);
  const nextKey = storedKey(next);
  const terms = await sessionTerms(deps, now, false);
  const sessionExpiresAt = new Date(Math.min(terms.expiresAt.getTime(), row.chainExpiresAt));
  const created = sql`EXISTS (SELECT 1 FROM ${sessions} WHERE id = ${sessionId})`;
  const audited = conditionalAudit(
    db,
    userAudit(user, input.meta, "session.refresh", {
      chain: row.chainId,
      session: sessionId,
      previous_session: row.sessionId,
    }),
    now,
    created,
  );

  const [spent] = await db.batch([
    // The one statement that decides: spend a live, unspent token of a live chain.
    db.update(refreshTokens).set({ usedAt: t }).where(and(
      eq(refreshTokens.id, row.id),
      isNull(refreshTokens.usedAt),
      isNull(refreshTokens.revokedAt),
      gt(refreshTokens.chainExpiresAt, t),
      chainAlive("refresh_tokens"),
    )).returning({ id: refreshTokens.id }),
    db.run(sql`INSERT INTO ${sessions}
      (id, user_id, amr, remember_me, ip, user_agent, location, created_at, last_seen_at,
        expires_at, idle_ms)
      SELECT ${sessionId}, ${user.id}, ${old.amr}, 0, ${audited.row.ip}, ${audited.row.userAgent},
        ${old.location}, ${t}, ${t}, ${sessionExpiresAt.getTime()}, ${terms.idleMs}
      WHERE changes() = 1`),
    db.run(sql`UPDATE ${sessions} SET revoked_at = ${t}
      WHERE id = ${row.sessionId} AND revoked_at IS NULL AND ${created}`),
    db.run(sql`INSERT INTO ${refreshTokens}
      (id, user_id, chain_id, session_id, token_hash, credential_epoch, created_at,
        chain_expires_at)
      SELECT ${timeOrderedId(t)}, ${user.id}, ${row.chainId}, ${sessionId}, ${nextKey},
        ${row.credentialEpoch}, ${t}, ${row.chainExpiresAt}
      WHERE ${created}`),
    enforceSessionLimitStatement(
      db,
      { userId: user.id, max: terms.maxSessions, now },
      created,
    ),
    audited.insert,
  ]);
  if (spent.length === 1) {
    audited.recorded();
    return {
      ok: true,
      value: {
        sessionId,
        sessionToken: await issueSessionToken(deps, {
          id: sessionId,
          userId: user.id,
          expiresAt: sessionExpiresAt,
        }, now),
        expiresAt: sessionExpiresAt,
        refreshToken: next,
        refreshExpiresAt: new Date(row.chainExpiresAt),
      },
    };
  }

  // Not spent by this request: if it was spent before (now or by a parallel request), someone
  // else holds a copy, so the chain ends. Otherwise it is simply dead (expired, logged out,
  // credentials changed, chain already ended).
  const after = await db.query.refreshTokens.findFirst({
    where: (r, { eq }) => eq(r.id, row.id),
  });
  if (after?.usedAt !== null && after?.usedAt !== undefined) {
    await db.batch([
      ...endChainStatements(db, row.chainId, t),
      auditInsert(db, {
        event: "session.refresh_reuse",
        outcome: "failure",
        userId: user.id,
        username: user.username,
        ...input.meta,
        detail: { chain: row.chainId, reason: "spent_token_reused", chain_ended: true },
      }, now),
    ]);
    return fail("invalid_refresh_token");
  }
  await audit(db, {
    event: "session.refresh",
    outcome: "failure",
    userId: user.id,
    username: user.username,
    ...input.meta,
    detail: { chain: row.chainId, reason: "dead_chain" },
  }, now);
  return fail("invalid_refresh_token");
}
