/**
 * @module The change-password step of a login whose password is past the policy's maximum age.
 * It comes after the second factor (or after the password, when no factor is asked) and before
 * any session: the step before it ends in a pending login of purpose "password_change" instead
 * of a session, and only that pending login (single-use, bound to this login by its token and
 * row) can set the new password and receive the session. A user who still has to enroll a
 * factor changes the password first and then enrolls.
 */
import { sql } from "drizzle-orm";
import { auditInsert, conditionalAudit, userAudit } from "../audit/repo.ts";
import { pendingLogins, users } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import { revokeAllDevicesStatement } from "../devices/repo.ts";
import type { RequestMeta } from "../http/client.ts";
import { MINUTE } from "../lib/clock.ts";
import { randomId } from "../lib/crypto.ts";
import { fail, type Failure } from "../lib/errors.ts";
import { rememberPasswordStatements } from "../passwords/history.ts";
import { passwordExpired, type PasswordPolicy } from "../passwords/policy.ts";
import { newPasswordHash, passwordPolicy, type PasswordProblem } from "../passwords/service.ts";
import { enforceSessionLimitStatement, insertSessionWhere } from "../sessions/repo.ts";
import { type Amr, issueSessionToken, sessionTerms } from "../sessions/service.ts";
import { signToken } from "../tokens/tokens.ts";
import { setNewPasswordStatement, type UserRow } from "../users/repo.ts";
import { consumePendingStatement, countPendingAttempt, type PendingRow } from "./pending_repo.ts";
import type { Authenticated, PendingResult } from "./flow.ts";
import { openPending } from "./flow.ts";

export type PasswordChangeRequired = {
  status: "password_change_required";
  pendingToken: string;
  expiresAt: Date;
};

/** Whether this user's password is past the policy's maximum age now. */
export async function mustChangePassword(
  deps: Deps,
  user: UserRow,
  now: Date,
  /** The password policy when the caller has just read it (a login), else read here. */
  policy?: PasswordPolicy,
): Promise<boolean> {
  if (user.isService) return false;
  const { maxAgeDays } = policy ?? await passwordPolicy(deps);
  return passwordExpired({
    maxAgeDays,
    passwordChangedAt: user.passwordChangedAt,
    createdAt: user.createdAt,
    now,
  });
}

function changeExpiry(deps: Deps, now: Date): Date {
  return new Date(now.getTime() + deps.config.PENDING_TOKEN_MINUTES * MINUTE);
}

async function changeToken(deps: Deps, userId: string, id: string, expiresAt: Date, now: Date) {
  return await signToken(deps.keys, "pending", {
    sub: userId,
    jti: id,
    expiresAt,
    extra: { purpose: "password_change" },
  }, now);
}

/**
 * Right after the password, when no second factor is asked (exempt, trusted device, grace, or
 * a factor still to enroll: `amr` null): a change step instead of the session.
 */
export async function startPasswordChange(deps: Deps, input: {
  user: UserRow;
  amr: Amr[] | null;
  rememberMe: boolean;
  meta: RequestMeta;
  now: Date;
}): Promise<PasswordChangeRequired> {
  const { db } = deps;
  const { user, now } = input;
  const id = randomId();
  const expiresAt = changeExpiry(deps, now);
  await db.batch([
    db.insert(pendingLogins).values({
      id,
      userId: user.id,
      purpose: "password_change",
      rememberMe: input.rememberMe,
      createdAt: now.getTime(),
      expiresAt: expiresAt.getTime(),
      credentialEpoch: user.credentialEpoch,
      amr: input.amr ? JSON.stringify(input.amr) : null,
    }),
    auditInsert(
      db,
      userAudit(user, input.meta, "login.password", {
        next: "password_change",
        reason: "password_expired",
      }),
      now,
    ),
  ]);
  return {
    status: "password_change_required",
    pendingToken: await changeToken(deps, user.id, id, expiresAt, now),
    expiresAt,
  };
}

/**
 * The batch of a passed second factor for a user whose password expired: consume the pending
 * login (naming its successor), use up the factor, and only if both happened create the change
 * step and audit. Same shape as the session batch in flow.ts, with the change step in place of
 * the session.
 */
export async function secondFactorThenChange(deps: Deps, input: {
  user: UserRow;
  pending: PendingRow;
  amr: Amr[];
  meta: RequestMeta;
  now: Date;
  // deno-lint-ignore no-explicit-any -- a drizzle batch item (the factor's conditional UPDATE)
  consume: any;
  detail: Record<string, unknown>;
}): Promise<PasswordChangeRequired | "pending_lost" | "factor_lost"> {
  const { db } = deps;
  const { user, pending, now } = input;
  const nextId = randomId();
  const expiresAt = changeExpiry(deps, now);
  const created = sql`EXISTS (SELECT 1 FROM ${pendingLogins} WHERE id = ${nextId})`;
  const audited = conditionalAudit(
    db,
    userAudit(user, input.meta, "login.second_factor", {
      ...input.detail,
      next: "password_change",
      reason: "password_expired",
    }),
    now,
    created,
  );
  const [pendingRows, factorRows] = await db.batch([
    consumePendingStatement(db, {
      id: pending.id,
      sessionId: nextId,
      now,
      maxAttempts: deps.config.PENDING_MAX_ATTEMPTS,
    }),
    input.consume,
    db.run(sql`INSERT INTO ${pendingLogins}
      (id, user_id, purpose, remember_me, attempts, created_at, expires_at, credential_epoch, amr)
      SELECT ${nextId}, ${user.id}, 'password_change', ${pending.rememberMe ? 1 : 0}, 0,
        ${now.getTime()}, ${expiresAt.getTime()}, ${pending.credentialEpoch},
        ${JSON.stringify(input.amr)}
      WHERE changes() = 1 AND EXISTS (SELECT 1 FROM ${pendingLogins}
        WHERE id = ${pending.id} AND session_id = ${nextId})`),
    db.run(sql`UPDATE ${users} SET second_factor_failures = 0, second_factor_locked_until = NULL
      WHERE id = ${user.id} AND ${created}`),
    audited.insert,
  ]);
  if ((pendingRows as unknown[]).length !== 1) return "pending_lost";
  if ((factorRows as unknown[]).length !== 1) return "factor_lost";
  audited.recorded();
  return {
    status: "password_change_required",
    pendingToken: await changeToken(deps, user.id, nextId, expiresAt, now),
    expiresAt,
  };
}

/**
 * The change step: a new password that meets the policy and the history rule. One batch
 * consumes the pending login, keeps the old hash as history, sets the new password (moving the
 * credential epoch), ends every other session and trusted device, and issues the session (or,
 * when a factor is still to enroll, the enrollment's pending login). Each write after the first
 * is conditional on this request having consumed the pending login, so of two parallel
 * requests with the same token exactly one changes anything.
 */
export async function passwordChangeStep(deps: Deps, input: {
  pendingToken: string;
  newPassword: string;
  meta: RequestMeta;
}): Promise<{ ok: true; value: Authenticated | PendingResult } | Failure | PasswordProblem> {
  const { db, config } = deps;
  const now = deps.clock.now();
  const opened = await openPending(deps, input.pendingToken, "password_change", now);
  if (!opened.ok) return opened;
  const { user, pending } = opened.value;
  const fresh = await newPasswordHash(deps, user, input.newPassword);
  if (!fresh.ok) {
    // A refused password is an attempt: count it (the batch below counts a passing one).
    const counted = await countPendingAttempt(db, {
      id: pending.id,
      userId: user.id,
      purpose: "password_change",
      now,
      maxAttempts: config.PENDING_MAX_ATTEMPTS,
    });
    return counted ? fresh : fail("invalid_pending_token");
  }
  const { hash } = fresh;

  const amr: Amr[] | null = pending.amr ? JSON.parse(pending.amr) : null;
  const nextId = randomId();
  const t = now.getTime();
  const won = sql`EXISTS (SELECT 1 FROM ${pendingLogins}
    WHERE id = ${pending.id} AND session_id = ${nextId})`;
  const terms = await sessionTerms(deps, now, pending.rememberMe);
  const sessionExpiresAt = terms.expiresAt;
  const enrollExpiresAt = new Date(t + config.ENROLLMENT_MINUTES * MINUTE);
  const [keepOld, prune] = rememberPasswordStatements(db, user.id, now, won);
  const audited = conditionalAudit(
    db,
    userAudit(
      user,
      input.meta,
      "password.expired_change",
      amr ? { session: nextId, amr } : { next: "enroll" },
    ),
    now,
    won,
  );

  const [consumed] = await db.batch([
    consumePendingStatement(db, {
      id: pending.id,
      sessionId: nextId,
      now,
      maxAttempts: deps.config.PENDING_MAX_ATTEMPTS,
    }),
    keepOld,
    setNewPasswordStatement(db, { userId: user.id, hash, now, condition: won }),
    db.run(sql`UPDATE sessions SET revoked_at = ${t}
      WHERE user_id = ${user.id} AND revoked_at IS NULL AND ${won}`),
    revokeAllDevicesStatement(db, user.id, now, won),
    ...(amr
      ? [
        insertSessionWhere(db, {
          id: nextId,
          userId: user.id,
          amr: JSON.stringify(amr),
          rememberMe: pending.rememberMe,
          ip: input.meta.ip,
          userAgent: input.meta.userAgent?.slice(0, 512),
          createdAt: t,
          lastSeenAt: t,
          expiresAt: sessionExpiresAt.getTime(),
          idleMs: terms.idleMs,
        }, won),
        enforceSessionLimitStatement(
          db,
          { userId: user.id, max: terms.maxSessions, now },
          won,
        ),
      ]
      : [
        // The enrollment's pending login carries the new epoch (the UPDATE above moved it).
        db.run(sql`INSERT INTO ${pendingLogins}
          (id, user_id, purpose, remember_me, attempts, created_at, expires_at, credential_epoch)
          SELECT ${nextId}, ${user.id}, 'enroll', ${pending.rememberMe ? 1 : 0}, 0, ${t},
            ${enrollExpiresAt.getTime()}, credential_epoch
          FROM ${users} WHERE id = ${user.id} AND ${won}`),
      ]),
    audited.insert,
    prune,
  ]);
  if ((consumed as unknown[]).length !== 1) {
    return fail("invalid_pending_token");
  }
  audited.recorded();

  if (!amr) {
    return {
      ok: true,
      value: {
        status: "enrollment_required",
        pendingToken: await signToken(deps.keys, "pending", {
          sub: user.id,
          jti: nextId,
          expiresAt: enrollExpiresAt,
          extra: { purpose: "enroll" },
        }, now),
        expiresAt: enrollExpiresAt,
        methods: [],
      },
    };
  }
  return {
    ok: true,
    value: {
      status: "authenticated",
      userId: user.id,
      sessionId: nextId,
      sessionToken: await issueSessionToken(deps, {
        id: nextId,
        userId: user.id,
        expiresAt: sessionExpiresAt,
      }, now),
      expiresAt: sessionExpiresAt,
      secondFactor: amr.includes("otp") || amr.includes("rec"),
    },
  };
}
