/**
 * @module Re-authentication inside a session: password plus a current code (or a recovery code)
 * marks the session fresh for five minutes. The code is consumed like at login (single use),
 * and failures count toward the same second-factor lock. The password goes through the same
 * guard as at the login: its failures lock the account and throttle the address.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { audit } from "../audit/repo.ts";
import { sessions } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import { fail, type Failure } from "../lib/errors.ts";
import { secondFactorFailure, wrongTotpCode } from "../login/flow.ts";
import { checkSessionPassword } from "../protection/password.ts";
import {
  hashRecoveryCode,
  isWellFormedRecoveryCode,
  normalizeRecoveryCode,
} from "../recovery/recovery.ts";
import { consumeRecoveryCodeStatement } from "../recovery/repo.ts";
import type { RequestMeta } from "../http/client.ts";
import { currentUserUnlocked, type SessionContext } from "../sessions/service.ts";
import { matchTotp } from "../totp/match.ts";
import { advanceStepStatement, countAuthenticators } from "../totp/repo.ts";
import { REAUTH_WINDOW_MS } from "./reauth.ts";
import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { countCredentials } from "../webauthn/repo.ts";
import { loadPolicy } from "../policy/repo.ts";
import { checkKeyForSession } from "../webauthn/service.ts";

export async function reauthenticate(deps: Deps, input: {
  ctx: SessionContext;
  password: string;
  code?: string;
  recoveryCode?: string;
  /** A security key's answer to a "reauth" challenge of this session (src/webauthn/). */
  securityKey?: { challengeId: string; response: AuthenticationResponseJSON };
  meta: RequestMeta;
}): Promise<{ ok: true; freshUntil: Date } | Failure> {
  const { db } = deps;
  const { session } = input.ctx;
  const now = deps.clock.now();
  const current = await currentUserUnlocked(deps, input.ctx, now);
  if (!current.ok) return current;
  const { user } = current;

  const refused = await checkSessionPassword(deps, user, input.password, {
    meta: input.meta,
    event: "reauth",
    detail: { session: session.id },
  });
  if (refused) return refused;

  const markFresh = db.update(sessions).set({ reauthAt: now.getTime() })
    .where(and(eq(sessions.id, session.id), isNull(sessions.revokedAt), sql`changes() = 1`))
    .returning({ id: sessions.id });
  let method: "totp" | "recovery_code" | "password" | "webauthn";
  let consumed: unknown[];
  if (input.code) {
    method = "totp";
    const { match, replayed } = await matchTotp(deps, user.id, input.code, now);
    if (!match) {
      return await wrongTotpCode(deps, user, null, input.meta, replayed);
    }
    [consumed] = await db.batch([advanceStepStatement(db, { ...match, now }), markFresh]);
  } else if (input.recoveryCode) {
    method = "recovery_code";
    const normalized = normalizeRecoveryCode(input.recoveryCode);
    const codeHash = isWellFormedRecoveryCode(normalized)
      ? await hashRecoveryCode(deps.secrets.recoveryHmac, user.id, normalized)
      : "";
    [consumed] = await db.batch([
      consumeRecoveryCodeStatement(db, { userId: user.id, codeHash, now }),
      markFresh,
    ]);
  } else if (input.securityKey) {
    method = "webauthn";
    const key = await checkKeyForSession(deps, input.ctx, input.securityKey);
    if (!key.ok) {
      return await secondFactorFailure(
        deps,
        user,
        null,
        input.meta,
        "rejected",
        "invalid_security_key",
      );
    }
    [consumed] = await db.batch([key.consume, markFresh]);
  } else if (
    (await countAuthenticators(db, user.id)) === 0 &&
    // Keys count only while the policy lets them stand in (else they cannot be proved here).
    (!(await loadPolicy(db)).webauthn.secondFactor || (await countCredentials(db, user.id)) === 0)
  ) {
    // A user with no factor yet (a grace period, or 2FA not required) can only prove the
    // password; that is enough to set up a first factor.
    method = "password";
    [consumed] = await db.batch([
      db.update(sessions).set({ reauthAt: now.getTime() })
        .where(and(eq(sessions.id, session.id), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id }),
    ]);
  } else {
    return fail("validation_failed");
  }
  if (consumed.length !== 1) {
    const code = method === "totp"
      ? "invalid_code"
      : method === "webauthn"
      ? "invalid_security_key"
      : "invalid_recovery_code";
    return await secondFactorFailure(deps, user, null, input.meta, `${method}_rejected`, code);
  }
  await audit(db, {
    event: "reauth",
    outcome: "success",
    userId: user.id,
    username: user.username,
    ...input.meta,
    detail: { method, session: session.id },
  }, now);
  return { ok: true, freshUntil: new Date(now.getTime() + REAUTH_WINDOW_MS) };
}
