/**
 * @module The login: password, then a TOTP code or a recovery code. Shared by the HTML pages
 * and the JSON API, which only translate these results.
 *
 * Every success writes in one `db.batch`: consume the pending login, use up the factor (a time
 * step or a recovery code), create the session, reset the failure count, audit, and trust the
 * device if asked. Each statement after the first only acts if the one before changed a row, so
 * a lost race leaves no session behind (D1 has no interactive transactions).
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { auditInsert, auditRecorded, auditValues, userAudit } from "../audit/repo.ts";
import { pendingLogins, users } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import { useTrustedDevice } from "../devices/repo.ts";
import { randomId, timeOrderedId } from "../lib/crypto.ts";
import { DAY, MINUTE } from "../lib/clock.ts";
import { fail, type Failure } from "../lib/errors.ts";
import {
  hashRecoveryCode,
  isWellFormedRecoveryCode,
  normalizeRecoveryCode,
} from "../recovery/recovery.ts";
import {
  consumeRecoveryCodeStatement,
  countUnusedRecoveryCodes,
  hasUnusedRecoveryCode,
} from "../recovery/repo.ts";
import type { RequestMeta } from "../http/client.ts";
import { enforceSessionLimitStatement, insertSession, newSessionRow } from "../sessions/repo.ts";
import { refreshChainStart, type RefreshIssued } from "../sessions/refresh.ts";
import { type Amr, issueSessionToken, sessionTerms } from "../sessions/service.ts";
import {
  SECURITY_SETTINGS_KEY,
  type SecuritySettings,
  securitySettings,
  securitySettingsInput,
  withDefaults,
} from "../settings/security.ts";
import { signToken, verifyToken } from "../tokens/tokens.ts";
import { advanceStepStatement, listAuthenticators } from "../totp/repo.ts";
import { secondFactorSuccessStatements } from "./complete_repo.ts";
import { matchTotp } from "../totp/match.ts";
import { countCredentials, recordUseStatement } from "../webauthn/repo.ts";
import { findUserByUsername, type UserRow } from "../users/repo.ts";
import { decideNextStep, secondFactorRequired as policyRequires } from "../policy/policy.ts";
import { loadPolicy, LOGIN_POLICY_KEY, subjectOf } from "../policy/repo.ts";
import { type LoginPolicy, loginPolicySchema } from "../policy/policy.ts";
import { type PasswordPolicy, passwordPolicySchema } from "../passwords/policy.ts";
import { PASSWORD_POLICY_KEY } from "../passwords/service.ts";
import { parseSettings } from "../settings/repo.ts";
import { checkSecondFactorAlert } from "../alerts/service.ts";
import { clientFailed } from "../protection/guard.ts";
import { checkPasswordAttempt, loginRefusal } from "../protection/password.ts";
import {
  cancelPending,
  consumePendingStatement,
  countPendingAttempt,
  findUserAndOpenPending,
  type LoginSettingKeys,
  type PendingPurpose,
  type PendingRow,
} from "./pending_repo.ts";
import {
  mustChangePassword,
  type PasswordChangeRequired,
  secondFactorThenChange,
  startPasswordChange,
} from "./password_change.ts";
import { notify } from "../mail/notify.ts";
import { sessionCreated, signInStatements } from "../mail/sign_ins.ts";

export type Authenticated = {
  status: "authenticated";
  userId: string;
  sessionId: string;
  sessionToken: string;
  expiresAt: Date;
  trustedDeviceToken?: string;
  trustedDeviceExpiresAt?: Date;
  recoveryCodesRemaining?: number;
  /** Set during a grace period: the user must enroll a second factor by then. */
  enrollmentDeadline?: Date;
  /** Whether a second factor passed in this login (programs then get a refresh token). */
  secondFactor?: boolean;
  /** The refresh token written with the session, when the step was asked for one. */
  refresh?: RefreshIssued | null;
};

export type PendingResult = {
  status: "second_factor_required" | "enrollment_required";
  pendingToken: string;
  expiresAt: Date;
  methods: ("totp" | "recovery_code" | "webauthn")[];
};

export type LoginResult =
  | { ok: true; value: Authenticated | PendingResult | PasswordChangeRequired }
  | Failure;

/** Step one: the password. Unknown users cost the same work and get the same answer. */
export async function passwordStep(deps: Deps, input: {
  username: string;
  password: string;
  rememberMe: boolean;
  trustedDeviceToken?: string;
  meta: RequestMeta;
}): Promise<LoginResult> {
  const { db, config } = deps;
  const now = deps.clock.now();
  const user = await findUserByUsername(db, input.username);
  const verdict = await checkPasswordAttempt(deps, {
    user,
    username: input.username,
    password: input.password,
    meta: input.meta,
    event: "login.password",
  });
  if (!verdict.ok) return loginRefusal(verdict);
  if (!user) return fail("invalid_credentials"); // unreachable: narrows the type

  const authenticators = await listAuthenticators(db, user.id);
  const policy = await loadPolicy(db);
  // Security keys count as a factor when the policy lets them stand in for the code.
  const keys = policy.webauthn.secondFactor ? await countCredentials(db, user.id) : 0;
  const subject = subjectOf(user, authenticators.length > 0 || keys > 0);
  if (
    !subject.enrolled && subject.requiredSince === null &&
    policyRequires(policy, subject, input.meta.ip)
  ) {
    // The grace period (if any) starts at the first login that finds 2FA required.
    subject.requiredSince = now.getTime();
    await db.update(users).set({ twofaRequiredSince: now.getTime() })
      .where(and(eq(users.id, user.id), isNull(users.twofaRequiredSince)));
  }
  const device = input.trustedDeviceToken && policy.trustedDevicesEnabled && subject.enrolled
    ? await checkTrustedDevice(deps, user.id, input.trustedDeviceToken, now)
    : false;
  const next = decideNextStep({ subject, policy, ip: input.meta.ip, trustedDevice: device, now });

  // An expired password is changed before any session: here when no second factor follows.
  if (next.step !== "challenge" && await mustChangePassword(deps, user, now)) {
    const amr: Amr[] | null = next.step === "done"
      ? next.amr
      : next.step === "grace"
      ? ["pwd"]
      : null;
    return {
      ok: true,
      value: await startPasswordChange(deps, {
        user,
        amr,
        rememberMe: next.step === "done" && next.reason === "device" && input.rememberMe ||
          next.step === "enroll" && input.rememberMe,
        meta: input.meta,
        now,
      }),
    };
  }

  if (next.step === "done" || next.step === "grace") {
    const session = await createSessionNow(deps, {
      user,
      amr: next.step === "done" ? next.amr : ["pwd"],
      // Remember-me is honoured only once a second factor (or a trusted device) has passed.
      rememberMe: next.step === "done" && next.reason === "device" && input.rememberMe,
      meta: input.meta,
      now,
      detail: { decision: next.step === "done" ? next.reason : "grace" },
    });
    return {
      ok: true,
      value: next.step === "grace"
        ? { ...session, enrollmentDeadline: new Date(next.deadline) }
        : session,
    };
  }

  const purpose: PendingPurpose = next.step === "challenge" ? "challenge" : "enroll";
  const minutes = purpose === "challenge"
    ? config.PENDING_TOKEN_MINUTES
    : config.ENROLLMENT_MINUTES;
  const expiresAt = new Date(now.getTime() + minutes * MINUTE);
  const pendingId = timeOrderedId(now);
  await db.batch([
    db.insert(pendingLogins).values({
      id: pendingId,
      userId: user.id,
      purpose,
      rememberMe: input.rememberMe,
      createdAt: now.getTime(),
      expiresAt: expiresAt.getTime(),
      // As read before the password was checked: a change since then kills this login.
      credentialEpoch: user.credentialEpoch,
    }),
    auditInsert(db, userAudit(user, input.meta, "login.password", { next: purpose }), now),
  ]);
  const pendingToken = await signToken(deps.keys, "pending", {
    sub: user.id,
    jti: pendingId,
    expiresAt,
    extra: { purpose },
  }, now);
  return {
    ok: true,
    value: {
      status: purpose === "challenge" ? "second_factor_required" : "enrollment_required",
      pendingToken,
      expiresAt,
      methods: purpose === "challenge"
        ? [
          ...(authenticators.length > 0 ? ["totp" as const] : []),
          ...(keys > 0 ? ["webauthn" as const] : []),
          ...(policy.recoveryCodesEnabled ? ["recovery_code" as const] : []),
        ]
        : [],
    },
  };
}

async function checkTrustedDevice(deps: Deps, userId: string, token: string, now: Date) {
  const verified = await verifyToken(deps.keys, "device", token, now);
  if (!verified.ok || verified.token.sub !== userId) return false;
  return !!(await useTrustedDevice(deps.db, { id: verified.token.jti, userId, now }));
}

async function createSessionNow(deps: Deps, input: {
  user: UserRow;
  amr: Amr[];
  rememberMe: boolean;
  meta: RequestMeta;
  now: Date;
  detail?: Record<string, unknown>;
}): Promise<Authenticated> {
  const { db } = deps;
  const { now } = input;
  const id = timeOrderedId(now);
  const { expiresAt, idleMs, maxSessions } = await sessionTerms(deps, now, input.rememberMe);
  await db.batch([
    insertSession(
      db,
      newSessionRow({
        id,
        userId: input.user.id,
        amr: input.amr,
        rememberMe: input.rememberMe,
        meta: input.meta,
        now,
        expiresAt,
        idleMs,
      }),
    ),
    enforceSessionLimitStatement(
      db,
      { userId: input.user.id, max: maxSessions, now },
      sql`1 = 1`,
    ),
    auditInsert(db, {
      event: "login",
      outcome: "success",
      userId: input.user.id,
      username: input.user.username,
      ...input.meta,
      detail: { amr: input.amr, session: id, ...input.detail },
    }, now),
    ...await signInStatements(deps, input.user, input.meta, sessionCreated(id)),
  ]);
  return {
    status: "authenticated",
    userId: input.user.id,
    sessionId: id,
    sessionToken: await issueSessionToken(deps, { id, userId: input.user.id, expiresAt }, now),
    expiresAt,
  };
}

/**
 * A verified pending token and its live row. No attempt is counted yet: the step counts it in
 * the statement that settles it (see `findOpenPending`).
 */
type Challenge = { user: UserRow; pending: PendingRow };

/** The settings every second-factor step reads, in the order `openChallenge` parses them. */
const LOGIN_SETTINGS = [
  [LOGIN_POLICY_KEY, loginPolicySchema],
  [PASSWORD_POLICY_KEY, passwordPolicySchema],
  [SECURITY_SETTINGS_KEY, securitySettingsInput],
] as const;
const LOGIN_SETTING_KEYS = LOGIN_SETTINGS.map(([key]) => key) as unknown as LoginSettingKeys;

/**
 * Checks a pending token of the given purpose and reads its live row, or says why not; with it,
 * in the same statement, the stored text of the login settings (`openChallenge` parses them).
 */
export async function openPending(
  deps: Deps,
  token: string,
  purpose: PendingPurpose,
  now: Date,
): Promise<{ ok: true; value: Challenge & { settingTexts: (string | null)[] } } | Failure> {
  const verified = await verifyToken(deps.keys, "pending", token, now);
  if (!verified.ok) return fail("invalid_pending_token");
  const found = await findUserAndOpenPending(deps.db, {
    id: verified.token.jti,
    userId: verified.token.sub,
    purpose,
    now,
    maxAttempts: deps.config.PENDING_MAX_ATTEMPTS,
  }, LOGIN_SETTING_KEYS);
  if (!found) return fail("invalid_pending_token");
  const { user, pending } = found;
  if (user.disabled) return fail("invalid_pending_token");
  if (purpose === "challenge") {
    const lockedFor = (user.secondFactorLockedUntil ?? 0) - now.getTime();
    if (lockedFor > 0) return fail("too_many_attempts", Math.ceil(lockedFor / 1000));
  }
  if (!pending) return fail("invalid_pending_token");
  return { ok: true, value: { user, pending, settingTexts: found.settings } };
}

export type TrustRequest = { name: string } | null;

/** What every second-factor step is given, and what it answers. */
export type StepInput = { pendingToken: string; meta: RequestMeta };
export type StepResult = { ok: true; value: Authenticated | PasswordChangeRequired } | Failure;

/**
 * The start of every second-factor step (code, recovery code, security key): the time, the
 * live pending login (no attempt counted yet), and the policy in force.
 */
export async function openChallenge(
  deps: Deps,
  pendingToken: string,
): Promise<
  | { ok: true; value: Challenge & { now: Date; policy: LoginPolicy; settings: LoginSettings } }
  | Failure
> {
  const now = deps.clock.now();
  const opened = await openPending(deps, pendingToken, "challenge", now);
  if (!opened.ok) return opened;
  // Read with the pending login; shared and frozen: the steps only read them.
  const [policy, password, security] = parseSettings(
    LOGIN_SETTINGS,
    opened.value.settingTexts,
    { shared: true },
  );
  const { user, pending } = opened.value;
  return {
    ok: true,
    value: {
      user,
      pending,
      now,
      policy,
      settings: { password, security: withDefaults(deps.config, security) },
    },
  };
}

/**
 * The settings a passed second factor is written under, read with the login policy in one
 * statement: the same values `passwordPolicy` and `securitySettings` would read a moment later.
 */
export type LoginSettings = { password: PasswordPolicy; security: SecuritySettings };

/**
 * Step two by TOTP code. With `refresh` (programs, over JSON), the session comes with the first
 * token of a refresh chain, written in the login's own batch.
 */
export async function totpStep(
  deps: Deps,
  input: StepInput & {
    code: string;
    trustDevice: TrustRequest;
    refresh?: boolean;
  },
): Promise<StepResult> {
  const opened = await openChallenge(deps, input.pendingToken);
  if (!opened.ok) return opened;
  const { user, pending, policy, now, settings } = opened.value;

  const { match, replayed } = await matchTotp(deps, user.id, input.code, now);
  if (!match) {
    return await wrongTotpCode(deps, user, pending, input.meta, replayed);
  }

  const done = await completeSecondFactor(deps, {
    user,
    pending,
    amr: ["pwd", "otp"],
    trustDevice: policy.trustedDevicesEnabled ? input.trustDevice : null,
    trustedDeviceDays: policy.trustedDeviceDays,
    meta: input.meta,
    now,
    consume: advanceStepStatement(deps.db, { ...match, now, afterChange: true }),
    detail: { method: "totp", authenticator: match.id, offset: match.offset },
    refresh: input.refresh,
    settings,
  });
  if (done === "pending_lost") return fail("invalid_pending_token");
  if (done === "factor_lost") {
    return await secondFactorFailure(
      deps,
      user,
      pending,
      input.meta,
      "replayed",
      "invalid_code",
      "counted",
    );
  }
  return { ok: true, value: done };
}

/** Step two by recovery code; the answer says how many codes remain. */
export async function recoveryStep(
  deps: Deps,
  input: StepInput & { recoveryCode: string; refresh?: boolean },
): Promise<StepResult> {
  const opened = await openChallenge(deps, input.pendingToken);
  if (!opened.ok) return opened;
  const { user, pending, policy, now, settings } = opened.value;
  if (!policy.recoveryCodesEnabled) return fail("recovery_codes_disabled");
  const normalized = normalizeRecoveryCode(input.recoveryCode);
  if (!isWellFormedRecoveryCode(normalized)) {
    return await secondFactorFailure(
      deps,
      user,
      pending,
      input.meta,
      "malformed_recovery_code",
      "invalid_recovery_code",
    );
  }
  const codeHash = await hashRecoveryCode(deps.secrets.recoveryHmac, user.id, normalized);
  const wrongCode = (attempt: AttemptCount = "count") =>
    secondFactorFailure(
      deps,
      user,
      pending,
      input.meta,
      "invalid_recovery_code",
      "invalid_recovery_code",
      attempt,
    );
  // Look before the batch: a wrong code must cost an attempt, not the whole pending login.
  if (!(await hasUnusedRecoveryCode(deps.db, { userId: user.id, codeHash }))) {
    return await wrongCode();
  }
  const done = await completeSecondFactor(deps, {
    user,
    pending,
    amr: ["pwd", "rec"],
    trustDevice: null,
    trustedDeviceDays: 0,
    meta: input.meta,
    now,
    consume: consumeRecoveryCodeStatement(deps.db, {
      userId: user.id,
      codeHash,
      now,
      afterChange: true,
    }),
    detail: { method: "recovery_code" },
    refresh: input.refresh,
    settings,
  });
  if (done === "pending_lost") return fail("invalid_pending_token");
  if (done === "factor_lost") {
    return await wrongCode("counted");
  }
  const remaining = await countUnusedRecoveryCodes(deps.db, user.id);
  await deps.db.batch([
    auditInsert(deps.db, {
      event: "recovery_code.used",
      outcome: "success",
      userId: user.id,
      username: user.username,
      ...input.meta,
      detail: { remaining },
    }, now),
    ...await notify(deps, user, "recovery_used", { meta: input.meta, remaining }),
  ]);
  if (done.status === "password_change_required") return { ok: true, value: done };
  return { ok: true, value: { ...done, recoveryCodesRemaining: remaining } };
}

type Consume =
  | ReturnType<typeof advanceStepStatement>
  | ReturnType<typeof consumeRecoveryCodeStatement>
  | ReturnType<typeof recordUseStatement>;

/**
 * Writes a passed second factor in one batch. Order matters: the pending login is consumed
 * first (naming the new session), the factor is used up only if that happened (`changes() = 1`),
 * and the session exists only if the factor was used up.
 */
export async function completeSecondFactor(deps: Deps, input: {
  user: UserRow;
  pending: PendingRow;
  amr: Amr[];
  trustDevice: TrustRequest;
  trustedDeviceDays: number;
  meta: RequestMeta;
  now: Date;
  consume: Consume;
  detail: Record<string, unknown>;
  /** Also start a refresh chain for the new session (see `startRefreshChain`). */
  refresh?: boolean;
  /** The settings as `openChallenge` read them (else they are read here). */
  settings?: LoginSettings;
}): Promise<Authenticated | PasswordChangeRequired | "pending_lost" | "factor_lost"> {
  const { db } = deps;
  const { user, pending, now, settings } = input;
  // An expired password: the factor is used up, and a change step stands in for the session.
  if (await mustChangePassword(deps, user, now, settings?.password)) {
    return await secondFactorThenChange(deps, input);
  }
  const sessionId = timeOrderedId(now);
  const { expiresAt, idleMs, maxSessions } = await sessionTerms(
    deps,
    now,
    pending.rememberMe,
    settings?.security,
  );
  const deviceId = input.trustDevice ? randomId() : null;
  const deviceExpiresAt = new Date(now.getTime() + input.trustedDeviceDays * DAY);
  const auditRow = auditValues({
    event: "login.second_factor",
    outcome: "success",
    userId: user.id,
    username: user.username,
    ...input.meta,
    detail: { ...input.detail, session: sessionId, trusted_device: deviceId },
  }, now);

  const refresh = input.refresh
    ? refreshChainStart(deps, { userId: user.id, sessionId, now })
    : null;

  const [pendingRows, factorRows, ...rest] = await db.batch([
    consumePendingStatement(db, {
      id: pending.id,
      sessionId,
      now,
      maxAttempts: deps.config.PENDING_MAX_ATTEMPTS,
    }),
    input.consume,
    ...secondFactorSuccessStatements(db, {
      pendingId: pending.id,
      sessionId,
      userId: user.id,
      amr: JSON.stringify(input.amr),
      rememberMe: pending.rememberMe,
      ip: auditRow.ip,
      userAgent: auditRow.userAgent,
      location: input.meta.location ?? null,
      idleMs,
      now: now.getTime(),
      expiresAt: expiresAt.getTime(),
      maxSessions,
      clearFailures: user.secondFactorFailures !== 0 || user.secondFactorLockedUntil !== null,
      audit: {
        id: auditRow.id,
        event: auditRow.event,
        username: user.username,
        detail: auditRow.detail,
      },
      device: deviceId
        ? { id: deviceId, name: input.trustDevice!.name, expiresAt: deviceExpiresAt.getTime() }
        : null,
    }),
    ...await signInStatements(deps, user, input.meta, sessionCreated(sessionId)),
    // Last: it needs the session alive, as `startRefreshChain` does after a commit.
    ...(refresh ? [refresh.statement] : []),
  ]);
  if (pendingRows.length !== 1) return "pending_lost";
  if (factorRows.length !== 1) return "factor_lost";
  auditRecorded(db, auditRow);

  return {
    status: "authenticated",
    userId: user.id,
    sessionId,
    sessionToken: await issueSessionToken(
      deps,
      { id: sessionId, userId: user.id, expiresAt, user },
      now,
    ),
    expiresAt,
    secondFactor: true,
    ...(refresh
      ? { refresh: (rest.at(-1) as unknown[]).length === 1 ? refresh.issued : null }
      : {}),
    ...(deviceId
      ? {
        trustedDeviceExpiresAt: deviceExpiresAt,
        trustedDeviceToken: await signToken(deps.keys, "device", {
          sub: user.id,
          jti: deviceId,
          expiresAt: deviceExpiresAt,
        }, now),
      }
      : {}),
  };
}

/** A wrong (or replayed) authenticator code: a failed second factor like any other. */
export async function wrongTotpCode(
  deps: Deps,
  user: UserRow,
  pending: PendingRow | null,
  meta: RequestMeta,
  replayed: boolean,
): Promise<Failure> {
  const reason = replayed ? "replayed" : "invalid";
  return await secondFactorFailure(deps, user, pending, meta, reason, "invalid_code");
}

/**
 * How a failed step stands to its pending login's attempt count: `count` it now; already
 * `counted` by the step's batch (it consumed the pending login, then lost the factor to a
 * parallel request); or `none`, when nothing was guessed (a security-key challenge that a
 * parallel answer already used), so that such duplicates cannot use up the attempts of the
 * answer that is still being checked.
 */
export type AttemptCount = "count" | "counted" | "none";

/**
 * Records a failed second factor: count the attempt against the pending login (if there is one;
 * see `AttemptCount`), audit, and count it against the account. The tenth consecutive failure
 * locks the second factor for 15 minutes (both settable). A pending login that other attempts
 * used up meanwhile answers as dead, as it would have before the step.
 */
export async function secondFactorFailure(
  deps: Deps,
  user: UserRow,
  pending: PendingRow | null,
  meta: RequestMeta,
  reason: string,
  code: "invalid_code" | "invalid_recovery_code" | "invalid_security_key",
  attempt: AttemptCount = "count",
): Promise<Failure> {
  const { db, config } = deps;
  const now = deps.clock.now();
  let attemptsLeft: number | null = null;
  if (pending) {
    const row = attempt === "none"
      ? pending
      : attempt === "counted"
      ? { ...pending, attempts: pending.attempts + 1 }
      : await countPendingAttempt(
        db,
        {
          id: pending.id,
          userId: user.id,
          purpose: pending.purpose as PendingPurpose,
          now,
          maxAttempts: config.PENDING_MAX_ATTEMPTS,
        },
      );
    if (!row) return fail("invalid_pending_token");
    attemptsLeft = Math.max(0, config.PENDING_MAX_ATTEMPTS - row.attempts);
  }
  const settings = await securitySettings(deps);
  const max = settings.secondFactorMaxFailures;
  const lockUntil = now.getTime() + settings.secondFactorLockMinutes * MINUTE;
  // SQLite evaluates every SET expression against the old row, so both CASEs see the old count.
  const [updated] = await db.update(users).set({
    secondFactorFailures:
      sql`CASE WHEN ${users.secondFactorFailures} + 1 >= ${max} THEN 0 ELSE ${users.secondFactorFailures} + 1 END`,
    secondFactorLockedUntil:
      sql`CASE WHEN ${users.secondFactorFailures} + 1 >= ${max} THEN ${lockUntil} ELSE ${users.secondFactorLockedUntil} END`,
  }).where(eq(users.id, user.id)).returning({ lockedUntil: users.secondFactorLockedUntil });
  const locked = updated?.lockedUntil === lockUntil;
  await clientFailed(deps, meta, user.username);
  await db.batch([
    auditInsert(db, {
      event: "login.second_factor",
      outcome: "failure",
      userId: user.id,
      username: user.username,
      ...meta,
      detail: {
        method: code === "invalid_code"
          ? "totp"
          : code === "invalid_security_key"
          ? "webauthn"
          : "recovery_code",
        reason,
        pending_attempts_left: attemptsLeft,
      },
    }, now),
    ...(locked
      ? [auditInsert(db, {
        event: "second_factor.locked",
        outcome: "failure",
        userId: user.id,
        username: user.username,
        ...meta,
        detail: { until: new Date(lockUntil).toISOString(), failures: max },
      }, now)]
      : []),
  ]);
  await checkSecondFactorAlert(deps, await loadPolicy(db), user);
  if (locked) return fail("too_many_attempts", config.SECOND_FACTOR_LOCK_MINUTES * 60);
  return fail(code);
}

/** Ends a pending login on request. Unknown or dead tokens are fine: the result is the same. */
export async function cancelLogin(deps: Deps, pendingToken: string): Promise<void> {
  const now = deps.clock.now();
  const verified = await verifyToken(deps.keys, "pending", pendingToken, now);
  if (!verified.ok) return;
  await cancelPending(deps.db, { id: verified.token.jti, userId: verified.token.sub, now });
}
