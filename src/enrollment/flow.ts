/**
 * @module Enrollment: a new authenticator counts only once its first code verifies. Inside a
 * login (pending token of purpose "enroll") the confirmation also creates the session; from a
 * session it needs a fresh login (password and code within the last five minutes).
 */
import { sql } from "drizzle-orm";
import { audit, auditRecorded, auditValues } from "../audit/repo.ts";
import { auditEvents, authenticators, pendingLogins, users } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import { decryptSecret, encryptSecret, randomId, timeOrderedId } from "../lib/crypto.ts";
import { MINUTE } from "../lib/clock.ts";
import { type ErrorCode, fail, type Failure } from "../lib/errors.ts";
import {
  consumePendingStatement,
  findOpenPending,
  type PendingRow,
} from "../login/pending_repo.ts";
import { generateRecoveryCode, hashRecoveryCode } from "../recovery/recovery.ts";
import { replaceRecoveryCodesWhere } from "../recovery/repo.ts";
import type { RequestMeta } from "../http/client.ts";
import {
  enforceSessionLimitStatement,
  insertSessionWhere,
  newSessionRow,
} from "../sessions/repo.ts";
import {
  currentUser,
  issueSessionToken,
  type SessionContext,
  sessionTerms,
} from "../sessions/service.ts";
import { verifyToken } from "../tokens/tokens.ts";
import { countAuthenticators, listAuthenticators } from "../totp/repo.ts";
import {
  generateTotpSecret,
  groupSecret,
  otpauthUri,
  qrSvg,
  type TotpAlgorithm,
  type TotpParams,
  verifyTotp,
} from "../totp/totp.ts";
import { findUserById, type UserRow } from "../users/repo.ts";
import { isFreshlyAuthenticated, REAUTH_WINDOW_MS } from "../reauth/reauth.ts";
import { loadPolicy, subjectOf } from "../policy/repo.ts";
import { mayEnroll } from "../policy/policy.ts";
import { enrollmentPassMatches } from "./pass.ts";
import { authenticatorReplaceStatements } from "../totp/repo.ts";
import {
  consumeEnrollmentStatement,
  countEnrollmentAttempt,
  type EnrollmentRow,
  findLiveEnrollment,
  insertEnrollment,
} from "./repo.ts";
import { authenticatorFromEnrollmentStatement } from "./repo.ts";
import { notify } from "../mail/notify.ts";
import { sessionCreated, signInStatements } from "../mail/sign_ins.ts";

export const MAX_ENROLLMENT_ATTEMPTS = 5;
export const DEFAULT_LABEL = "Authenticator app";

/** Who is enrolling: a login in progress, or a signed-in user. */
export type EnrollAuth =
  | { kind: "pending"; token: string }
  | { kind: "session"; ctx: SessionContext };

type Enroller = { user: UserRow; pending: PendingRow | null };

/** Resolves who is enrolling; a pending token must be of purpose "enroll" and alive. */
export async function resolveEnroller(
  deps: Deps,
  auth: EnrollAuth,
  now: Date,
  needsFreshSession = true,
): Promise<{ ok: true; value: Enroller } | Failure> {
  if (auth.kind === "session") {
    // An admin acting as the user never touches the user's factors.
    if (auth.ctx.session.delegatedBy) return fail("forbidden");
    // Starting needs a fresh proof; confirming an enrollment that was started with one does not
    // (the enrollment lives 15 minutes, longer than the 5-minute window).
    if (
      needsFreshSession && !isFreshlyAuthenticated({ ...auth.ctx.session, amr: auth.ctx.amr }, now)
    ) {
      // A user without any factor (e.g. in a grace period) proves what they have: a recent
      // password, at login or by re-authentication.
      const firstFactor = (await countAuthenticators(deps.db, auth.ctx.user.id)) === 0;
      const recentPassword = Math.max(auth.ctx.session.createdAt, auth.ctx.session.reauthAt ?? 0) >=
        now.getTime() - REAUTH_WINDOW_MS;
      if (!(firstFactor && recentPassword)) return fail("reauthentication_required");
    }
    const current = await currentUser(deps, auth.ctx);
    if (!current.ok) return current;
    return { ok: true, value: { user: current.user, pending: null } };
  }
  const verified = await verifyToken(deps.keys, "pending", auth.token, now);
  if (!verified.ok || verified.token.payload.purpose !== "enroll") {
    return fail("invalid_pending_token");
  }
  const pending = await findOpenPending(deps.db, {
    id: verified.token.jti,
    userId: verified.token.sub,
    purpose: "enroll",
    now,
    maxAttempts: deps.config.PENDING_MAX_ATTEMPTS,
  });
  const user = pending && await findUserById(deps.db, pending.userId);
  if (!pending || !user || user.disabled) return fail("invalid_pending_token");
  return { ok: true, value: { user, pending } };
}

export type EnrollmentView = {
  enrollmentId: string;
  label: string;
  secret: string;
  groupedSecret: string;
  otpauthUri: string;
  qrSvg: string;
  params: TotpParams;
  expiresAt: Date;
};

function paramsOf(e: EnrollmentRow): TotpParams {
  return {
    algorithm: e.algorithm as TotpAlgorithm,
    digits: e.digits,
    period: e.period,
    window: e.window,
  };
}

async function viewOf(
  deps: Deps,
  user: UserRow,
  e: EnrollmentRow,
  secret: string,
): Promise<EnrollmentView> {
  const params = paramsOf(e);
  const uri = otpauthUri({ issuer: deps.config.ISSUER, account: user.displayName, secret, params });
  return {
    enrollmentId: e.id,
    label: e.label,
    secret,
    groupedSecret: groupSecret(secret),
    otpauthUri: uri,
    qrSvg: await qrSvg(uri),
    params,
    expiresAt: new Date(e.expiresAt),
  };
}

/** Starts an enrollment: a new secret, stored encrypted, shown as QR code, key and URI. */
export async function startEnrollment(
  deps: Deps,
  input: {
    auth: EnrollAuth;
    label?: string;
    replacesId?: string;
    enrollmentPass?: string;
    meta: RequestMeta;
  },
): Promise<{ ok: true; value: EnrollmentView } | Failure> {
  const now = deps.clock.now();
  const who = await resolveEnroller(deps, input.auth, now);
  if (!who.ok) return who;
  const { user, pending } = who.value;
  const refuse = async (reason: string, code: ErrorCode) => {
    await audit(deps.db, {
      event: "enrollment.start",
      outcome: "failure",
      userId: user.id,
      username: user.username,
      ...input.meta,
      detail: { reason },
    }, now);
    return fail(code);
  };
  // After an admin reset with a pass, the password alone cannot enroll a new phone.
  if (user.enrollmentPassHash && !enrollmentPassMatches(user, input.enrollmentPass, now)) {
    return await refuse(
      input.enrollmentPass ? "wrong_enrollment_pass" : "enrollment_pass_missing",
      "enrollment_pass_required",
    );
  }
  // Who may use 2FA at all: a new factor (not a replacement) only for those the policy allows.
  const allowedBy = await loadPolicy(deps.db);
  const enrolled = (await countAuthenticators(deps.db, user.id)) > 0;
  if (
    !input.replacesId && !mayEnroll(allowedBy, subjectOf(user, enrolled), input.meta.ip)
  ) {
    return await refuse("not_allowed_by_policy", "enrollment_not_allowed");
  }
  let replaced: { label: string } | undefined;
  if (input.replacesId) {
    // Only a signed-in user replaces, and only one of their own authenticators.
    if (pending) return fail("forbidden");
    replaced = (await listAuthenticators(deps.db, user.id)).find((a) => a.id === input.replacesId);
    if (!replaced) return fail("not_found");
  }
  const secret = generateTotpSecret();
  const policy = await loadPolicy(deps.db);
  const params: TotpParams = {
    algorithm: policy.totpAlgorithm,
    digits: policy.totpDigits,
    period: policy.totpPeriod,
    window: policy.totpWindow,
  };
  const limit = now.getTime() + deps.config.ENROLLMENT_MINUTES * MINUTE;
  const row: EnrollmentRow = {
    id: randomId(),
    userId: user.id,
    label: input.label?.trim() || replaced?.label || DEFAULT_LABEL,
    secretEnc: await encryptSecret(deps.secrets.encryption, secret, `totp:${user.id}`),
    ...params,
    replacesId: input.replacesId ?? null,
    attempts: 0,
    createdAt: now.getTime(),
    expiresAt: pending ? Math.min(pending.expiresAt, limit) : limit,
    consumedAt: null,
    credentialEpoch: user.credentialEpoch,
  };
  await insertEnrollment(deps.db, row);
  await audit(deps.db, {
    event: "enrollment.start",
    outcome: "success",
    userId: user.id,
    username: user.username,
    ...input.meta,
    detail: { enrollment: row.id, during_login: !!pending, replaces: row.replacesId },
  }, now);
  return { ok: true, value: await viewOf(deps, user, row, secret) };
}

/** Shows an enrollment again (a form re-rendered after a wrong code). */
export async function showEnrollment(
  deps: Deps,
  input: { auth: EnrollAuth; enrollmentId: string },
): Promise<{ ok: true; value: EnrollmentView } | Failure> {
  const now = deps.clock.now();
  const who = await resolveEnroller(deps, input.auth, now, false);
  if (!who.ok) return who;
  const e = await findLiveEnrollment(deps.db, {
    id: input.enrollmentId,
    userId: who.value.user.id,
    now,
  });
  if (!e || e.attempts >= MAX_ENROLLMENT_ATTEMPTS) return fail("enrollment_expired");
  const secret = await decryptSecret(deps.secrets.encryption, e.secretEnc, `totp:${e.userId}`);
  return { ok: true, value: await viewOf(deps, who.value.user, e, secret) };
}

export type ConfirmedEnrollment = {
  authenticator: { id: string; label: string; createdAt: Date };
  /** Shown once: the user's new set when this is their first authenticator, else empty. */
  recoveryCodes: string[];
  session?: { id: string; token: string; expiresAt: Date };
};

/** Confirms an enrollment with its first code; in a login this also signs the user in. */
export async function confirmEnrollment(
  deps: Deps,
  input: { auth: EnrollAuth; enrollmentId: string; code: string; meta: RequestMeta },
): Promise<{ ok: true; value: ConfirmedEnrollment } | Failure> {
  const { db, config } = deps;
  const now = deps.clock.now();
  const who = await resolveEnroller(deps, input.auth, now, false);
  if (!who.ok) return who;
  const { user, pending } = who.value;
  const e = await countEnrollmentAttempt(db, {
    id: input.enrollmentId,
    userId: user.id,
    now,
    maxAttempts: MAX_ENROLLMENT_ATTEMPTS,
  });
  if (!e) return fail("enrollment_expired");
  const secret = await decryptSecret(deps.secrets.encryption, e.secretEnc, `totp:${user.id}`);
  const verified = verifyTotp({
    secret,
    code: input.code,
    now,
    params: paramsOf(e),
    lastStep: null,
  });
  if (!verified.ok) {
    await audit(db, {
      event: "enrollment.confirm",
      outcome: "failure",
      userId: user.id,
      username: user.username,
      ...input.meta,
      detail: { enrollment: e.id, reason: verified.reason, attempts: e.attempts },
    }, now);
    return fail("invalid_code");
  }

  const firstFactor = (await countAuthenticators(db, user.id)) === 0 &&
    (await loadPolicy(db)).recoveryCodesEnabled;
  const authenticatorId = randomId();
  const sessionId = pending ? timeOrderedId(now) : null;
  const terms = await sessionTerms(deps, now, pending?.rememberMe ?? false);
  const sessionExpiresAt = terms.expiresAt;
  const created = sql`EXISTS (SELECT 1 FROM ${authenticators} WHERE id = ${authenticatorId})`;
  const recoveryCodes = firstFactor
    ? Array.from({ length: config.RECOVERY_CODE_COUNT }, generateRecoveryCode)
    : [];
  const hashes = await Promise.all(recoveryCodes.map(async (code) => ({
    id: randomId(),
    hash: await hashRecoveryCode(deps.secrets.recoveryHmac, user.id, code),
  })));
  const auditRow = auditValues({
    event: e.replacesId ? "authenticator.replace" : "enrollment.confirm",
    outcome: "success",
    userId: user.id,
    username: user.username,
    ...input.meta,
    detail: {
      enrollment: e.id,
      replaced: e.replacesId,
      authenticator: authenticatorId,
      recovery_codes_issued: recoveryCodes.length,
      session: sessionId,
    },
  }, now);

  // Inside a login the pending login goes first: without it nothing else happens.
  const results = await db.batch([
    pending
      ? consumePendingStatement(db, {
        id: pending.id,
        sessionId: sessionId!,
        now,
        maxAttempts: deps.config.PENDING_MAX_ATTEMPTS,
      })
      : db.run(sql`SELECT 1`),
    consumeEnrollmentStatement(db, { id: e.id, now, afterChange: !!pending }),
    authenticatorFromEnrollmentStatement(db, {
      enrollmentId: e.id,
      authenticatorId,
      step: verified.step,
      offset: verified.offset,
      now,
    }),
    ...(firstFactor
      ? replaceRecoveryCodesWhere(db, { userId: user.id, hashes, now }, created)
      : []),
    // From a session: the factor change ends the user's other sessions, and a replacement
    // drops the old authenticator in the same batch, so the account is never without one.
    ...(!pending && input.auth.kind === "session"
      ? authenticatorReplaceStatements(db, {
        userId: user.id,
        replacesId: e.replacesId,
        keepSessionId: input.auth.ctx.session.id,
        now,
      }, created)
      : []),
    ...(pending
      ? [
        insertSessionWhere(
          db,
          newSessionRow({
            id: sessionId!,
            userId: user.id,
            amr: ["pwd", "otp"],
            rememberMe: pending.rememberMe,
            meta: input.meta,
            now,
            expiresAt: sessionExpiresAt,
            idleMs: terms.idleMs,
          }),
          sql`${created} AND EXISTS (SELECT 1 FROM ${pendingLogins} WHERE id = ${pending.id} AND session_id = ${sessionId})`,
        ),
        enforceSessionLimitStatement(db, {
          userId: user.id,
          max: terms.maxSessions,
          now,
        }, created),
        ...await signInStatements(deps, user, input.meta, sessionCreated(sessionId!)),
      ]
      : []),
    db.run(sql`UPDATE ${users} SET enrollment_pass_hash = NULL, enrollment_pass_expires_at = NULL
      WHERE id = ${user.id} AND ${created}`),
    ...await notify(deps, user, e.replacesId ? "factor_replaced" : "factor_added", {
      meta: input.meta,
      label: e.label,
      onlyIf: created,
    }),
    db.run(
      sql`INSERT INTO ${auditEvents} (id, at, event, outcome, user_id, username, ip, user_agent, detail)
      SELECT ${auditRow.id}, ${auditRow.at}, ${auditRow.event}, ${auditRow.outcome}, ${auditRow.userId},
        ${auditRow.username}, ${auditRow.ip}, ${auditRow.userAgent}, ${auditRow.detail}
      WHERE ${created}`,
    ),
  ]);
  const consumed = results[1] as unknown[];
  if (consumed.length !== 1) return fail(pending ? "invalid_pending_token" : "enrollment_expired");
  auditRecorded(db, auditRow);

  return {
    ok: true,
    value: {
      authenticator: { id: authenticatorId, label: e.label, createdAt: now },
      recoveryCodes,
      ...(pending
        ? {
          session: {
            id: sessionId!,
            token: await issueSessionToken(deps, {
              id: sessionId!,
              userId: user.id,
              expiresAt: sessionExpiresAt,
            }, now),
            expiresAt: sessionExpiresAt,
          },
        }
        : {}),
    },
  };
}
