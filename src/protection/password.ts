/**
 * @module The one way a password is checked. Every place that takes a password (the login
 * pages and API, re-authentication, the password change) goes through `checkPasswordAttempt`, which
 * applies the same controls everywhere (ASVS 5.0 6.3.4): a blocked client address is refused,
 * a locked account is refused even with the right password, and every failure is audited and
 * counted against the account and the address, so that no endpoint is a side door for guessing.
 * `verifyPassword` itself is called nowhere else (tests/password_guard_test.ts checks that).
 */
import { audit } from "../audit/repo.ts";
import type { Deps } from "../deps.ts";
import { fail, type Failure } from "../lib/errors.ts";
import { hashPassword, verifyPassword } from "../lib/password.ts";
import type { RequestMeta } from "../http/client.ts";
import { updatePasswordHash, type UserRow } from "../users/repo.ts";
import { checkClient, clientFailed, passwordFailed } from "./guard.ts";
import { clearPasswordFailures } from "./repo.ts";

export type PasswordRefusal =
  | "client_blocked"
  | "unknown_user"
  | "service_account"
  | "disabled"
  | "locked"
  | "wrong_password";

export type PasswordVerdict =
  | { ok: true }
  | { ok: false; reason: PasswordRefusal; retryAfterSeconds?: number };

/**
 * Checks `password` for `user` (undefined: no such account) under the brute-force guard. A
 * failure is audited as `event` with its reason and `detail`, and counted; a success clears the
 * account's failure count and stores a fresh hash when the parameters changed. The hash is
 * computed for unknown, service, disabled and locked accounts too, so every refusal costs the
 * same (no enumeration by timing).
 */
export async function checkPasswordAttempt(deps: Deps, input: {
  user: UserRow | undefined;
  /** As typed, for the audit when there is no such account. */
  username: string;
  password: string;
  meta: RequestMeta;
  event: string;
  detail?: Record<string, unknown>;
}): Promise<PasswordVerdict> {
  const { db, config } = deps;
  const { user, meta } = input;
  const now = deps.clock.now();
  const refuse = async (reason: PasswordRefusal) => {
    await audit(db, {
      event: input.event,
      outcome: "failure",
      userId: user?.id,
      username: input.username.slice(0, 128),
      ...meta,
      detail: { reason, ...input.detail },
    }, now);
  };

  const blocked = await checkClient(deps, meta);
  if (blocked) {
    await refuse("client_blocked");
    return { ok: false, reason: "client_blocked", retryAfterSeconds: blocked.retryAfterSeconds };
  }
  const usable = !!user && !user.isService;
  const check = await verifyPassword(
    input.password,
    usable ? user.passwordHash : deps.dummyPasswordHash,
    config.PBKDF2_ITERATIONS,
    deps.pbkdf2,
  );
  const lockedUntil = user?.passwordLockedUntil ?? 0;
  const reason: PasswordRefusal | null = !user
    ? "unknown_user"
    : user.isService
    ? "service_account"
    : user.disabled
    ? "disabled"
    : user.lockedPermanentlyAt !== null || lockedUntil > now.getTime()
    ? "locked"
    : !check.ok
    ? "wrong_password"
    : null;
  if (reason) {
    await refuse(reason);
    // A correct password on a locked account is not a failure to count.
    if (reason !== "locked" || !check.ok) await passwordFailed(deps, user ?? null, meta);
    await clientFailed(deps, meta, input.username);
    // A permanent lock has no end to wait for.
    return reason === "locked" && user?.lockedPermanentlyAt === null
      ? { ok: false, reason, retryAfterSeconds: Math.ceil((lockedUntil - now.getTime()) / 1000) }
      : { ok: false, reason };
  }
  if (!user) return { ok: false, reason: "unknown_user" }; // unreachable: narrows the type
  if (user.passwordFailures > 0) await clearPasswordFailures(db, user.id);
  if (check.needsRehash) {
    await updatePasswordHash(db, {
      userId: user.id,
      checkedHash: user.passwordHash,
      passwordHash: await hashPassword(input.password, config.PBKDF2_ITERATIONS, deps.pbkdf2),
    });
  }
  return { ok: true };
}

/**
 * The answer to a refused password at the login: a blocked address is told to wait; anything
 * else, a locked account included, is answered exactly like a wrong password (no enumeration).
 */
export function loginRefusal(verdict: { reason: PasswordRefusal; retryAfterSeconds?: number }) {
  return verdict.reason === "client_blocked"
    ? fail("too_many_attempts", verdict.retryAfterSeconds)
    : fail("invalid_credentials");
}

/**
 * The signed-in user's password, checked under the same guard as at the login (its failures
 * lock the account and throttle the address): null when right, else the session's refusal.
 */
export async function checkSessionPassword(
  deps: Deps,
  user: UserRow,
  password: string,
  audited: { meta: RequestMeta; event: string; detail?: Record<string, unknown> },
): Promise<Failure | null> {
  const verdict = await checkPasswordAttempt(deps, {
    user,
    username: user.username,
    password,
    ...audited,
  });
  return verdict.ok ? null : sessionRefusal(verdict);
}

/**
 * The answer to a refused password inside a session (re-authentication, password change): the
 * caller is signed in, so a locked account or blocked address is told to wait until it ends.
 */
export function sessionRefusal(
  verdict: { reason: PasswordRefusal; retryAfterSeconds?: number },
): Failure {
  return verdict.reason === "client_blocked" || verdict.reason === "locked"
    ? fail("too_many_attempts", verdict.retryAfterSeconds)
    : fail("invalid_credentials");
}
