/**
 * @module Self-service: a signed-in user manages their own authenticators, recovery codes,
 * trusted devices and sessions. Factor changes need a fresh proof (sudo mode), are audited, and
 * end the user's other sessions (ASVS 7.4.3), each in one batch.
 */
import { and, eq, sql } from "drizzle-orm";
import { auditInsert } from "../audit/repo.ts";
import { authenticators, enrollments, recoveryCodes } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import {
  listLiveDevices,
  revokeAllDevicesStatement,
  revokeTrustedDevice,
  type TrustedDeviceRow,
} from "../devices/repo.ts";
import { randomId } from "../lib/crypto.ts";
import { notify } from "../mail/notify.ts";
import { fail, type Failure } from "../lib/errors.ts";
import { secondFactorRequired as policyRequires } from "../policy/policy.ts";
import { loadPolicy, subjectOf } from "../policy/repo.ts";
import { isFreshlyAuthenticated } from "../reauth/reauth.ts";
import { generateRecoveryCode, hashRecoveryCode } from "../recovery/recovery.ts";
import { countUnusedRecoveryCodes, replaceRecoveryCodesWhere } from "../recovery/repo.ts";
import {
  endOtherSessionsStatement,
  listLiveSessions,
  revokeUserSession,
  type SessionRow,
} from "../sessions/repo.ts";
import type { RequestMeta } from "../http/client.ts";
import { currentUser, renameOwn, sessionAudit, type SessionContext } from "../sessions/service.ts";
import { detectDrift, type Drift, parseOffsets } from "../totp/drift.ts";
import { bumpCredentialEpochStatement } from "../users/repo.ts";
import { type AuthenticatorRow, listAuthenticators } from "../totp/repo.ts";
import { deleteAllCredentialsStatement } from "../webauthn/repo.ts";
import { authenticatorRemovalRefusal, keepAfterRemoval } from "../webauthn/service.ts";

type Ok<T = Record<never, never>> = { ok: true } & T;

/** Whether policy makes this user use a second factor (wherever they log in from). */
export async function secondFactorRequired(
  deps: Deps,
  ctx: SessionContext,
): Promise<Ok<{ required: boolean }> | Failure> {
  const current = await currentUser(deps, ctx);
  if (!current.ok) return current;
  const policy = await loadPolicy(deps.db);
  return { ok: true, required: policyRequires(policy, subjectOf(current.user, true), null) };
}

function requireFresh(deps: Deps, ctx: SessionContext): Failure | null {
  return isFreshlyAuthenticated({ ...ctx.session, amr: ctx.amr }, deps.clock.now())
    ? null
    : fail("reauthentication_required");
}

export type AuthenticatorView = AuthenticatorRow & { drift: Drift };

export async function myAuthenticators(deps: Deps, userId: string): Promise<AuthenticatorView[]> {
  return (await listAuthenticators(deps.db, userId)).map((a) => ({
    ...a,
    drift: detectDrift(parseOffsets(a.recentOffsets), a.period),
  }));
}

/** Renaming changes no factor, so it needs no fresh proof. */
export async function renameAuthenticator(
  deps: Deps,
  ctx: SessionContext,
  input: { id: string; label: string; meta: RequestMeta },
): Promise<Ok | Failure> {
  const update = deps.db.update(authenticators).set({ label: input.label })
    .where(and(eq(authenticators.id, input.id), eq(authenticators.userId, ctx.user.id)))
    .returning({ id: authenticators.id });
  return await renameOwn(
    deps,
    update,
    sessionAudit(ctx, input.meta, "authenticator.rename", { authenticator: input.id }),
  );
}

/**
 * Removes an authenticator. Under a 2FA-required policy the last one stays: the DELETE itself
 * carries the "another remains" condition, so two parallel removals cannot both succeed.
 */
export async function removeAuthenticator(
  deps: Deps,
  ctx: SessionContext,
  input: { id: string; meta: RequestMeta },
): Promise<Ok | Failure> {
  const stale = requireFresh(deps, ctx);
  if (stale) return stale;
  const { db } = deps;
  const now = deps.clock.now();
  const userId = ctx.user.id;
  const policy = await secondFactorRequired(deps, ctx);
  if (!policy.ok) return policy;
  // Keys count as a remaining factor when the policy lets them; a required fallback stays.
  const keepOne = keepAfterRemoval(userId, {
    required: policy.required,
    ...(await loadPolicy(db)).webauthn,
  }, "authenticator");
  const [deleted] = await db.batch([
    db.delete(authenticators)
      .where(and(eq(authenticators.id, input.id), eq(authenticators.userId, userId), keepOne))
      .returning({ id: authenticators.id, label: authenticators.label }),
    endOtherSessionsStatement(db, userId, ctx.session.id, now, sql`changes() = 1`),
  ]);
  if (deleted.length !== 1) {
    const exists = (await listAuthenticators(db, userId)).some((a) => a.id === input.id);
    if (!exists) return fail("not_found");
    return fail(await authenticatorRemovalRefusal(deps, userId, policy.required));
  }
  await db.batch([
    auditInsert(
      db,
      sessionAudit(ctx, input.meta, "authenticator.remove", { authenticator: input.id }),
      now,
    ),
    ...await notify(deps, userId, "factor_removed", {
      meta: input.meta,
      label: deleted[0].label,
    }),
  ]);
  return { ok: true };
}

/** A new set of recovery codes; the old set dies in the same batch. Shown once. */
export async function regenerateRecoveryCodes(
  deps: Deps,
  ctx: SessionContext,
  meta: RequestMeta,
): Promise<Ok<{ codes: string[] }> | Failure> {
  const stale = requireFresh(deps, ctx);
  if (stale) return stale;
  const { db, config } = deps;
  const now = deps.clock.now();
  const userId = ctx.user.id;
  if ((await listAuthenticators(db, userId)).length === 0) return fail("not_enrolled");
  if (!(await loadPolicy(db)).recoveryCodesEnabled) return fail("recovery_codes_disabled");
  const codes = Array.from({ length: config.RECOVERY_CODE_COUNT }, generateRecoveryCode);
  const hashes = await Promise.all(codes.map(async (code) => ({
    id: randomId(),
    hash: await hashRecoveryCode(deps.secrets.recoveryHmac, userId, code),
  })));
  await db.batch([
    ...replaceRecoveryCodesWhere(db, { userId, hashes, now }, sql`1 = 1`),
    endOtherSessionsStatement(db, userId, ctx.session.id, now),
    auditInsert(
      db,
      sessionAudit(ctx, meta, "recovery_codes.regenerate", { count: codes.length }),
      now,
    ),
    ...await notify(deps, userId, "recovery_regenerated", { meta }),
  ]);
  return { ok: true, codes };
}

export async function recoveryCodesRemaining(deps: Deps, userId: string): Promise<number> {
  return await countUnusedRecoveryCodes(deps.db, userId);
}

/**
 * Turns 2FA off entirely, only where policy allows: authenticators, recovery codes, open
 * enrollments and trusted devices go in one batch, and other sessions and pending logins end.
 */
export async function disableTwoFactor(
  deps: Deps,
  ctx: SessionContext,
  meta: RequestMeta,
): Promise<Ok | Failure> {
  const policy = await secondFactorRequired(deps, ctx);
  if (!policy.ok) return policy;
  if (policy.required) return fail("policy_requires_2fa");
  const stale = requireFresh(deps, ctx);
  if (stale) return stale;
  const { db } = deps;
  const now = deps.clock.now();
  const userId = ctx.user.id;
  await db.batch([
    db.delete(authenticators).where(eq(authenticators.userId, userId)),
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
    db.delete(enrollments).where(eq(enrollments.userId, userId)),
    deleteAllCredentialsStatement(db, userId),
    revokeAllDevicesStatement(db, userId, now),
    endOtherSessionsStatement(db, userId, ctx.session.id, now),
    bumpCredentialEpochStatement(db, userId),
    auditInsert(db, sessionAudit(ctx, meta, "2fa.disable"), now),
    ...await notify(deps, userId, "twofa_turned_off", { meta }),
  ]);
  return { ok: true };
}

export async function myDevices(deps: Deps, userId: string): Promise<TrustedDeviceRow[]> {
  return await listLiveDevices(deps.db, userId, deps.clock.now());
}

/** One thing of the caller's, by its id. */
type One = { id: string; meta: RequestMeta };

/**
 * Ends one of the caller's own things (a trusted device, a session) by `end`, which says whether
 * it was live; audited, or `not_found` when it was not the caller's or was already gone.
 */
async function endMine(
  deps: Deps,
  ctx: SessionContext,
  meta: RequestMeta,
  end: (now: Date) => Promise<boolean>,
  event: string,
  detail: object,
): Promise<Ok | Failure> {
  const now = deps.clock.now();
  if (!(await end(now))) return fail("not_found");
  await auditInsert(deps.db, sessionAudit(ctx, meta, event, detail), now);
  return { ok: true };
}

/** Forgets one of the caller's trusted devices. */
export function revokeMyDevice(deps: Deps, ctx: SessionContext, input: One): Promise<Ok | Failure> {
  const end = (now: Date) =>
    revokeTrustedDevice(deps.db, { id: input.id, userId: ctx.user.id, now });
  return endMine(deps, ctx, input.meta, end, "trusted_device.revoke", { device: input.id });
}

export async function mySessions(deps: Deps, userId: string): Promise<SessionRow[]> {
  return await listLiveSessions(deps.db, userId, deps.clock.now());
}

/** Ends one of the caller's sessions. */
export function endMySession(deps: Deps, ctx: SessionContext, input: One): Promise<Ok | Failure> {
  const end = (now: Date) =>
    revokeUserSession(deps.db, { userId: ctx.user.id, sessionId: input.id, now });
  return endMine(deps, ctx, input.meta, end, "session.end", { ended: input.id });
}

/**
 * Ends the user's other sessions, or all of them ("log out everywhere", which also forgets
 * every trusted device).
 */
export async function endSessions(
  deps: Deps,
  ctx: SessionContext,
  input: { scope: "others" | "all"; meta: RequestMeta },
): Promise<Ok> {
  const { db } = deps;
  const now = deps.clock.now();
  const userId = ctx.user.id;
  const everywhere = input.scope === "all";
  await db.batch([
    endOtherSessionsStatement(db, userId, everywhere ? null : ctx.session.id, now),
    ...(everywhere ? [revokeAllDevicesStatement(db, userId, now)] : []),
    auditInsert(
      db,
      sessionAudit(ctx, input.meta, everywhere ? "session.end_all" : "session.end_others"),
      now,
    ),
  ]);
  return { ok: true };
}
