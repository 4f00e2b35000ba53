/**
 * @module Security keys and passkeys: registration from the account (fresh proof needed), the
 * second factor after the password, passkey sign-in without one, and the list, rename and
 * removal. The WebAuthn protocol is `@simplewebauthn/server`'s; this module binds challenges to
 * what they were issued for, applies the policy, writes the rows and audits every step.
 */
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { and, eq, sql } from "drizzle-orm";
import { audit, auditInsert, userAudit } from "../audit/repo.ts";
import { users, webauthnCredentials } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import type { RequestMeta } from "../http/client.ts";
import { randomId, timeOrderedId } from "../lib/crypto.ts";
import { fromBase64Url, toBase64Url } from "../lib/encoding.ts";
import { fail, type Failure } from "../lib/errors.ts";
import { notify } from "../mail/notify.ts";
import {
  type AttemptCount,
  type Authenticated,
  completeSecondFactor,
  openChallenge,
  secondFactorFailure,
  type StepInput,
  type StepResult,
  type TrustRequest,
} from "../login/flow.ts";
import { findOpenPending } from "../login/pending_repo.ts";
import { secondFactorRequired as policyRequires } from "../policy/policy.ts";
import { loadPolicy, subjectOf } from "../policy/repo.ts";
import { isFreshlyAuthenticated } from "../reauth/reauth.ts";
import { countUnusedRecoveryCodes } from "../recovery/repo.ts";
import { checkClient, clientFailed } from "../protection/guard.ts";
import {
  endOtherSessionsStatement,
  enforceSessionLimitStatement,
  insertSession,
} from "../sessions/repo.ts";
import {
  type Amr,
  currentUser,
  issueSessionToken,
  renameOwn,
  sessionAudit,
  type SessionContext,
  sessionTerms,
} from "../sessions/service.ts";
import { verifyToken } from "../tokens/tokens.ts";
import { countAuthenticators } from "../totp/repo.ts";
import { bumpCredentialEpochStatement, findUserById, type UserRow } from "../users/repo.ts";
import {
  type ChallengePurpose,
  consumeChallenge,
  type CredentialRow,
  deleteCredentialStatement,
  findCredential,
  insertChallenge,
  insertCredentialStatement,
  listCredentials,
  recordUseStatement,
  renameCredentialStatement,
} from "./repo.ts";
import {
  CEREMONY_TIMEOUT_MS,
  CHALLENGE_TTL_MS,
  type FactorCounts,
  mayRegister,
  mayRemove,
  PASSKEY_AMR,
  type RelyingParty,
  SECOND_FACTOR_AMR,
} from "./webauthn.ts";

/**
 * The WebAuthn library, loaded at the first ceremony: 6 MB of heap that a server whose users
 * have no security key never needs.
 */
let library: Promise<typeof import("@simplewebauthn/server")> | undefined;
const webauthn = () => library ??= import("@simplewebauthn/server");

type Ok<T = Record<never, never>> = { ok: true } & T;
export type CreationOptions = {
  challengeId: string;
  options: PublicKeyCredentialCreationOptionsJSON;
};
export type RequestOptions = {
  challengeId: string;
  options: PublicKeyCredentialRequestOptionsJSON;
};

const RP_NAME = "twofold";

/** base64url to the plain ArrayBuffer-backed bytes the library's types ask for. */
const bytes = (b64url: string) => new Uint8Array(fromBase64Url(b64url));

/** What a challenge is issued for: its purpose, the user (none for a passkey), what it is bound to. */
type ChallengeFor = {
  purpose: ChallengePurpose;
  userId: string | null;
  boundTo: string;
  rp: RelyingParty;
};

async function newChallenge(deps: Deps, input: ChallengeFor) {
  const now = deps.clock.now();
  const challenge = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const id = randomId();
  await insertChallenge(deps.db, {
    id,
    purpose: input.purpose,
    userId: input.userId,
    boundTo: input.boundTo,
    challenge,
    rpId: input.rp.rpId,
    origin: input.rp.origin,
    createdAt: now.getTime(),
    expiresAt: now.getTime() + CHALLENGE_TTL_MS,
  });
  return { id, challenge };
}

async function factorCounts(deps: Deps, userId: string): Promise<FactorCounts> {
  const [authenticators, keys, recoveryCodes] = await Promise.all([
    countAuthenticators(deps.db, userId),
    listCredentials(deps.db, userId).then((k) => k.length),
    countUnusedRecoveryCodes(deps.db, userId),
  ]);
  return { authenticators, keys, recoveryCodes };
}

const stale = (deps: Deps, ctx: SessionContext) =>
  !isFreshlyAuthenticated({ ...ctx.session, amr: ctx.amr }, deps.clock.now());

// ---- registration ----

/** Registration options for the signed-in user; needs a fresh proof (sudo mode). */
export async function registrationOptions(
  deps: Deps,
  ctx: SessionContext,
  rp: RelyingParty,
): Promise<Ok<CreationOptions> | Failure> {
  if (stale(deps, ctx)) return fail("reauthentication_required");
  const policy = (await loadPolicy(deps.db)).webauthn;
  if (!mayRegister(policy, await factorCounts(deps, ctx.user.id))) {
    return fail("fallback_required");
  }
  const existing = await listCredentials(deps.db, ctx.user.id);
  const { id, challenge } = await newChallenge(deps, {
    purpose: "register",
    userId: ctx.user.id,
    boundTo: ctx.session.id,
    rp,
  });
  const options = await (await webauthn()).generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: rp.rpId,
    userName: ctx.user.username,
    userDisplayName: ctx.user.displayName,
    userID: new TextEncoder().encode(ctx.user.id),
    challenge: bytes(challenge),
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: "none",
    excludeCredentials: existing.map((k) => ({
      id: k.credentialId,
      transports: JSON.parse(k.transports),
    })),
    // A passkey where the authenticator can keep one; user verification where it can do it.
    authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
  });
  return { ok: true, challengeId: id, options };
}

/** Verifies a registration answer and stores the key; the other sessions end (ASVS 7.4.3). */
export async function finishRegistration(deps: Deps, ctx: SessionContext, input: {
  challengeId: string;
  name: string;
  response: RegistrationResponseJSON;
  meta: RequestMeta;
}): Promise<Ok<{ key: CredentialRow }> | Failure> {
  if (stale(deps, ctx)) return fail("reauthentication_required");
  const { db } = deps;
  const now = deps.clock.now();
  const challenge = await consumeChallenge(db, {
    id: input.challengeId,
    purpose: "register",
    boundTo: ctx.session.id,
    now,
  });
  const refuse = async (reason: string) => {
    await audit(db, {
      ...sessionAudit(ctx, input.meta, "webauthn.register", { reason }),
      outcome: "failure",
    }, now);
    return fail("invalid_security_key");
  };
  if (!challenge || challenge.userId !== ctx.user.id) return await refuse("challenge");
  let info;
  try {
    const verified = await (await webauthn()).verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: challenge.origin,
      expectedRPID: challenge.rpId,
      requireUserVerification: false,
    });
    if (!verified.verified) return await refuse("unverified");
    info = verified.registrationInfo;
  } catch (e) {
    return await refuse(e instanceof Error ? e.message.slice(0, 200) : "invalid");
  }
  if (await findCredential(db, info.credential.id)) return await refuse("already_registered");
  const row = {
    id: randomId(),
    userId: ctx.user.id,
    credentialId: info.credential.id,
    publicKey: toBase64Url(info.credential.publicKey),
    counter: info.credential.counter,
    transports: JSON.stringify(
      (input.response.response.transports ?? []).filter((t) => typeof t === "string").slice(0, 8),
    ),
    name: input.name,
    rpId: challenge.rpId,
    backupEligible: info.credentialDeviceType === "multiDevice",
    backedUp: info.credentialBackedUp,
    userVerified: info.userVerified,
    discoverable: input.response.clientExtensionResults?.credProps?.rk === true,
    createdAt: now.getTime(),
  };
  await db.batch([
    insertCredentialStatement(db, row),
    ...await notify(deps, ctx.user.id, "security_key_added", {
      meta: input.meta,
      label: row.name,
      onlyIf: sql`EXISTS (SELECT 1 FROM ${webauthnCredentials} WHERE id = ${row.id})`,
    }),
    endOtherSessionsStatement(db, ctx.user.id, ctx.session.id, now),
    auditInsert(
      db,
      sessionAudit(ctx, input.meta, "webauthn.register", {
        key: row.id,
        user_verified: row.userVerified,
        backed_up: row.backedUp,
      }),
      now,
    ),
  ]);
  return { ok: true, key: { ...row, lastUsedAt: null } };
}

// ---- list, rename, remove ----

export async function myKeys(deps: Deps, userId: string): Promise<CredentialRow[]> {
  return await listCredentials(deps.db, userId);
}

/** Renaming changes no factor, so it needs no fresh proof. */
export async function renameKey(
  deps: Deps,
  ctx: SessionContext,
  input: { id: string; name: string; meta: RequestMeta },
): Promise<Ok | Failure> {
  const update = renameCredentialStatement(deps.db, {
    id: input.id,
    userId: ctx.user.id,
    name: input.name,
  });
  return await renameOwn(
    deps,
    update,
    sessionAudit(ctx, input.meta, "webauthn.rename", { key: input.id }),
  );
}

/**
 * SQL that holds while the user keeps what the policy needs after one key or one authenticator
 * app goes: another counted factor when 2FA is required (an app, or a key while keys count),
 * the fallback while keys remain. Checked inside the DELETE, so two parallel removals cannot
 * both pass.
 */
export function keepAfterRemoval(userId: string, policy: {
  required: boolean;
  secondFactor: boolean;
  fallback: "none" | "totp" | "totp_or_recovery";
}, removing: "key" | "authenticator") {
  const apps = sql`(SELECT count(*) FROM authenticators WHERE user_id = ${userId})`;
  const keys = sql`(SELECT count(*) FROM webauthn_credentials WHERE user_id = ${userId})`;
  const codes =
    sql`(SELECT count(*) FROM recovery_codes WHERE user_id = ${userId} AND used_at IS NULL)`;
  // The one being removed still counts inside the DELETE: what is left is one fewer.
  const appLeft = removing === "authenticator" ? sql`${apps} > 1` : sql`${apps} > 0`;
  const keyLeft = removing === "key" ? sql`${keys} > 1` : sql`${keys} > 0`;
  const noKeyLeft = removing === "key" ? sql`${keys} <= 1` : sql`${keys} = 0`;
  const conditions = [];
  if (policy.required) {
    conditions.push(policy.secondFactor ? sql`(${appLeft} OR ${keyLeft})` : appLeft);
  }
  if (policy.fallback === "totp") conditions.push(sql`(${noKeyLeft} OR ${appLeft})`);
  if (policy.fallback === "totp_or_recovery") {
    conditions.push(sql`(${noKeyLeft} OR ${appLeft} OR ${codes} > 0)`);
  }
  return conditions.length ? sql.join(conditions, sql` AND `) : undefined;
}

/** Why removing an authenticator app was refused: the last factor, or the last fallback. */
export async function authenticatorRemovalRefusal(
  deps: Deps,
  userId: string,
  required: boolean,
): Promise<"last_authenticator" | "fallback_required"> {
  const verdict = mayRemove({
    policy: (await loadPolicy(deps.db)).webauthn,
    required,
    counts: await factorCounts(deps, userId),
    kind: "authenticator",
  });
  return !verdict.ok && verdict.reason === "fallback_required"
    ? "fallback_required"
    : "last_authenticator";
}

async function isRequired(deps: Deps, user: UserRow): Promise<boolean> {
  return policyRequires(await loadPolicy(deps.db), subjectOf(user, true), null);
}

/** Removes one of the caller's keys, unless the policy needs it; needs a fresh proof. */
export async function removeKey(
  deps: Deps,
  ctx: SessionContext,
  input: { id: string; meta: RequestMeta },
): Promise<Ok | Failure> {
  if (stale(deps, ctx)) return fail("reauthentication_required");
  const current = await currentUser(deps, ctx);
  if (!current.ok) return current;
  const { db } = deps;
  const now = deps.clock.now();
  const policy = (await loadPolicy(db)).webauthn;
  const required = await isRequired(deps, current.user);
  const keys = await listCredentials(db, ctx.user.id);
  const key = keys.find((k) => k.id === input.id);
  if (!key) return fail("not_found");
  const verdict = mayRemove({
    policy,
    required,
    counts: await factorCounts(deps, ctx.user.id),
    kind: "key",
  });
  if (!verdict.ok) {
    return fail(verdict.reason === "last_factor" ? "last_authenticator" : "fallback_required");
  }
  const [deleted] = await db.batch([
    deleteCredentialStatement(db, {
      id: input.id,
      userId: ctx.user.id,
      condition: keepAfterRemoval(ctx.user.id, { required, ...policy }, "key"),
    }),
    // Right after the DELETE, so `changes()` is its count. The mail's last statement inserts
    // one row exactly when the first did, so the next `changes() = 1` still means "deleted".
    ...await notify(deps, current.user, "security_key_removed", {
      meta: input.meta,
      label: key.name,
      onlyIf: sql`changes() = 1`,
    }),
    endOtherSessionsStatement(db, ctx.user.id, ctx.session.id, now, sql`changes() = 1`),
  ]);
  if (deleted.length !== 1) return fail("last_authenticator");
  await audit(db, sessionAudit(ctx, input.meta, "webauthn.remove", { key: input.id }), now);
  return { ok: true };
}

/**
 * An admin removes one of a user's keys (no policy check: an admin may also reset all of them).
 * Pending logins of the user die with it (credential epoch), and it is audited with the admin.
 */
export async function adminRemoveKey(deps: Deps, input: {
  admin: SessionContext;
  meta: RequestMeta;
  userId: string;
  keyId: string;
}): Promise<Ok | Failure> {
  const { db } = deps;
  const now = deps.clock.now();
  const target = await findUserById(db, input.userId);
  if (!target) return fail("not_found");
  const key = (await listCredentials(db, input.userId)).find((k) => k.id === input.keyId);
  if (!key) return fail("not_found");
  const [deleted] = await db.batch([
    deleteCredentialStatement(db, { id: input.keyId, userId: input.userId }),
    // No request facts: the address and device would be the admin's (as for twofa_reset).
    ...await notify(deps, target, "security_key_removed_by_admin", {
      label: key.name,
      onlyIf: sql`changes() = 1`,
    }),
    bumpCredentialEpochStatement(db, input.userId),
  ]);
  if (deleted.length !== 1) return fail("not_found");
  await audit(
    db,
    userAudit(target, input.meta, "admin.webauthn.remove", {
      key: input.keyId,
      name: deleted[0].name,
      admin: input.admin.user.username,
    }),
    now,
  );
  return { ok: true };
}

// ---- the second factor after the password ----

/**
 * Options for the second factor of a pending login: a challenge bound to that pending login,
 * for the user's keys only. Showing them counts no attempt; the answer does.
 */
export async function secondFactorOptions(
  deps: Deps,
  pendingToken: string,
  rp: RelyingParty,
): Promise<Ok<RequestOptions> | Failure> {
  const now = deps.clock.now();
  const verified = await verifyToken(deps.keys, "pending", pendingToken, now);
  if (!verified.ok) return fail("invalid_pending_token");
  const pending = await findOpenPending(deps.db, {
    id: verified.token.jti,
    userId: verified.token.sub,
    purpose: "challenge",
    now,
    maxAttempts: deps.config.PENDING_MAX_ATTEMPTS,
  });
  if (!pending) return fail("invalid_pending_token");
  if (!(await loadPolicy(deps.db)).webauthn.secondFactor) return fail("security_keys_disabled");
  const options = await keyOptions(deps, {
    purpose: "second_factor",
    userId: pending.userId,
    boundTo: pending.id,
    rp,
  });
  return options ? { ok: true, ...options } : fail("not_found");
}

/**
 * A challenge for `purpose`, bound to `boundTo`, and the options that allow the user's keys for
 * this RP ID; null when the user has none here.
 */
async function keyOptions(
  deps: Deps,
  input: ChallengeFor & { userId: string },
): Promise<RequestOptions | null> {
  const { rp } = input;
  const keys = (await listCredentials(deps.db, input.userId)).filter((k) => k.rpId === rp.rpId);
  if (keys.length === 0) return null;
  const { id, challenge } = await newChallenge(deps, input);
  const options = await (await webauthn()).generateAuthenticationOptions({
    rpID: rp.rpId,
    challenge: bytes(challenge),
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: "preferred",
    allowCredentials: keys.map((k) => ({
      id: k.credentialId,
      transports: JSON.parse(k.transports),
    })),
  });
  return { challengeId: id, options };
}

type Verified = { key: CredentialRow; newCounter: number; userVerified: boolean };

/** Checks an assertion against a consumed challenge and the stored key. */
async function verifyAssertion(input: {
  response: AuthenticationResponseJSON;
  challenge: { challenge: string; origin: string; rpId: string };
  key: CredentialRow;
  requireUserVerification: boolean;
  /** For a passkey sign-in: the user handle, when the authenticator sends one, must name them. */
  userHandleOf?: string;
}): Promise<{ ok: true; value: Verified } | { ok: false; reason: string }> {
  const handle = input.response.response.userHandle;
  if (
    input.userHandleOf !== undefined && handle &&
    new TextDecoder().decode(fromBase64Url(handle)) !== input.userHandleOf
  ) {
    return { ok: false, reason: "user_handle" };
  }
  if (input.key.rpId !== input.challenge.rpId) return { ok: false, reason: "rp_id" };
  try {
    const v = await (await webauthn()).verifyAuthenticationResponse({
      response: input.response,
      expectedChallenge: input.challenge.challenge,
      expectedOrigin: input.challenge.origin,
      expectedRPID: input.challenge.rpId,
      credential: {
        id: input.key.credentialId,
        publicKey: bytes(input.key.publicKey),
        counter: input.key.counter,
        transports: JSON.parse(input.key.transports),
      },
      requireUserVerification: input.requireUserVerification,
    });
    if (!v.verified) return { ok: false, reason: "signature" };
    return {
      ok: true,
      value: {
        key: input.key,
        newCounter: v.authenticationInfo.newCounter,
        userVerified: v.authenticationInfo.userVerified,
      },
    };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message.slice(0, 200) : "invalid" };
  }
}

/** Step two by security key or passkey, in place of a code. */
export async function webauthnStep(
  deps: Deps,
  input: StepInput & {
    challengeId: string;
    response: AuthenticationResponseJSON;
    trustDevice: TrustRequest;
  },
): Promise<StepResult> {
  const opened = await openChallenge(deps, input.pendingToken);
  if (!opened.ok) return opened;
  const { user, pending, policy, now, settings } = opened.value;
  if (!policy.webauthn.secondFactor) return fail("security_keys_disabled");
  const failed = (reason: string, attempt: AttemptCount = "count") =>
    secondFactorFailure(deps, user, pending, input.meta, reason, "invalid_security_key", attempt);

  const challenge = await consumeChallenge(deps.db, {
    id: input.challengeId,
    purpose: "second_factor",
    boundTo: pending.id,
    now,
  });
  // A challenge used or unknown: no key was checked, so no attempt is spent.
  if (!challenge || challenge.userId !== user.id) return await failed("challenge", "none");
  const key = await findCredential(deps.db, input.response.id);
  if (!key || key.userId !== user.id) return await failed("unknown_key");
  const checked = await verifyAssertion({
    response: input.response,
    challenge,
    key,
    requireUserVerification: false,
  });
  if (!checked.ok) return await failed(checked.reason);

  const done = await completeSecondFactor(deps, {
    user,
    pending,
    amr: [...SECOND_FACTOR_AMR],
    trustDevice: policy.trustedDevicesEnabled ? input.trustDevice : null,
    trustedDeviceDays: policy.trustedDeviceDays,
    meta: input.meta,
    now,
    consume: recordUseStatement(deps.db, { id: key.id, counter: checked.value.newCounter, now }),
    detail: { method: "webauthn", key: key.id, user_verified: checked.value.userVerified },
    settings,
  });
  if (done === "pending_lost") return fail("invalid_pending_token");
  if (done === "factor_lost") return await failed("counter", "counted");
  return { ok: true, value: done };
}

// ---- re-authentication (sudo mode) with a key ----

/** Options to prove a key again inside a session; null when the user has no key here. */
export async function reauthOptions(
  deps: Deps,
  ctx: SessionContext,
  rp: RelyingParty,
): Promise<RequestOptions | null> {
  if (!(await loadPolicy(deps.db)).webauthn.secondFactor) return null;
  return await keyOptions(deps, {
    purpose: "reauth",
    userId: ctx.user.id,
    boundTo: ctx.session.id,
    rp,
  });
}

/**
 * Checks a key inside a session (for re-authentication): the challenge must be this session's.
 * Answers the statement that records the use (the counter), for the caller's batch.
 */
export async function checkKeyForSession(deps: Deps, ctx: SessionContext, input: {
  challengeId: string;
  response: AuthenticationResponseJSON;
}): Promise<{ ok: true; consume: ReturnType<typeof recordUseStatement> } | { ok: false }> {
  const now = deps.clock.now();
  if (!(await loadPolicy(deps.db)).webauthn.secondFactor) return { ok: false };
  const challenge = await consumeChallenge(deps.db, {
    id: input.challengeId,
    purpose: "reauth",
    boundTo: ctx.session.id,
    now,
  });
  if (!challenge || challenge.userId !== ctx.user.id) return { ok: false };
  const key = await findCredential(deps.db, input.response.id);
  if (!key || key.userId !== ctx.user.id) return { ok: false };
  const checked = await verifyAssertion({
    response: input.response,
    challenge,
    key,
    requireUserVerification: false,
  });
  if (!checked.ok) return { ok: false };
  return {
    ok: true,
    consume: recordUseStatement(deps.db, { id: key.id, counter: checked.value.newCounter, now }),
  };
}

// ---- passkey sign-in without a password ----

/** Options for a passkey sign-in: any discoverable credential, user verification required. */
export async function passkeyOptions(
  deps: Deps,
  rp: RelyingParty,
): Promise<Ok<RequestOptions> | Failure> {
  if (!(await loadPolicy(deps.db)).webauthn.passkeySignIn) return fail("passkey_sign_in_disabled");
  const { id, challenge } = await newChallenge(deps, {
    purpose: "passkey",
    userId: null,
    boundTo: "",
    rp,
  });
  const options = await (await webauthn()).generateAuthenticationOptions({
    rpID: rp.rpId,
    challenge: bytes(challenge),
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: "required",
  });
  return { ok: true, challengeId: id, options };
}

/**
 * A passkey sign-in: a discoverable credential whose authenticator verified the user is two
 * factors in one (something you have, and a PIN or biometric), so the session's `amr` is
 * PASSKEY_AMR. Refused while the user's second factor is locked, for a disabled or service
 * account, and without user verification.
 */
export async function passkeyStep(deps: Deps, input: {
  challengeId: string;
  response: AuthenticationResponseJSON;
  rememberMe: boolean;
  meta: RequestMeta;
}): Promise<{ ok: true; value: Authenticated } | Failure> {
  const { db } = deps;
  const now = deps.clock.now();
  const policy = await loadPolicy(db);
  if (!policy.webauthn.passkeySignIn) return fail("passkey_sign_in_disabled");
  // A client address blocked for failures is refused here too, as at the password.
  const blocked = await checkClient(deps, input.meta);
  if (blocked) return blocked;
  const challenge = await consumeChallenge(db, {
    id: input.challengeId,
    purpose: "passkey",
    boundTo: "",
    now,
  });
  const key = challenge ? await findCredential(db, input.response.id) : undefined;
  const user = key ? await findUserById(db, key.userId) : undefined;
  const refuse = async (reason: string) => {
    await clientFailed(deps, input.meta);
    await audit(db, {
      event: "login.passkey",
      outcome: "failure",
      userId: user?.id ?? null,
      username: user?.username ?? null,
      ...input.meta,
      detail: { reason, key: key?.id ?? null },
    }, now);
    return fail("invalid_security_key");
  };
  if (!challenge) return await refuse("challenge");
  if (!key || !user || user.disabled || user.isService) return await refuse("unknown_key");
  if ((user.secondFactorLockedUntil ?? 0) > now.getTime()) {
    return fail(
      "too_many_attempts",
      Math.ceil((user.secondFactorLockedUntil! - now.getTime()) / 1000),
    );
  }
  const checked = await verifyAssertion({
    response: input.response,
    challenge,
    key,
    requireUserVerification: true,
    userHandleOf: user.id,
  });
  if (!checked.ok) return await refuse(checked.reason);

  const sessionId = timeOrderedId(now);
  const terms = await sessionTerms(deps, now, input.rememberMe);
  const expiresAt = terms.expiresAt;
  const amr: Amr[] = [...PASSKEY_AMR];
  const [used] = await db.batch([
    recordUseStatement(db, { id: key.id, counter: checked.value.newCounter, now }),
    db.update(users).set({ secondFactorFailures: 0 })
      .where(and(eq(users.id, user.id), sql`changes() = 1`)),
  ]);
  if (used.length !== 1) return await refuse("counter");
  await db.batch([
    insertSession(db, {
      id: sessionId,
      userId: user.id,
      amr: JSON.stringify(amr),
      rememberMe: input.rememberMe,
      ip: input.meta.ip,
      userAgent: input.meta.userAgent?.slice(0, 512),
      createdAt: now.getTime(),
      lastSeenAt: now.getTime(),
      expiresAt: expiresAt.getTime(),
      idleMs: terms.idleMs,
    }),
    enforceSessionLimitStatement(
      db,
      { userId: user.id, max: terms.maxSessions, now },
      sql`1 = 1`,
    ),
    auditInsert(db, {
      event: "login",
      outcome: "success",
      userId: user.id,
      username: user.username,
      ...input.meta,
      detail: { amr, session: sessionId, method: "passkey", key: key.id },
    }, now),
  ]);
  return {
    ok: true,
    value: {
      status: "authenticated",
      userId: user.id,
      sessionId,
      sessionToken: await issueSessionToken(
        deps,
        { id: sessionId, userId: user.id, expiresAt },
        now,
      ),
      expiresAt,
    },
  };
}

/** Whether the pending login's user has keys for this RP ID (the code page then offers them). */
export async function pendingHasKeys(
  deps: Deps,
  pendingToken: string,
  rp: RelyingParty,
): Promise<boolean> {
  const r = await secondFactorOptions(deps, pendingToken, rp);
  return r.ok;
}
