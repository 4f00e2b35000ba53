/**
 * @module Changing and resetting passwords. A change needs the current password and ends every
 * other session and trusted device. A reset answers the same whether or not the account exists,
 * uses a single-use token valid one hour, and never bypasses the second factor: it creates no
 * session, ends all of them, and the next login still asks for the code.
 */
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { audit, auditInsert, userAudit } from "../audit/repo.ts";
import { passwordResets, sessions, users } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import { revokeAllDevicesStatement } from "../devices/repo.ts";
import { randomBytes, randomId, sha256Hex } from "../lib/crypto.ts";
import { toBase64Url } from "../lib/encoding.ts";
import { fail, type Failure } from "../lib/errors.ts";
import { hashPassword } from "../lib/password.ts";
import { MINUTE } from "../lib/clock.ts";
import { enqueueStatement } from "../outbox/outbox.ts";
import { notify, resetMailStatements } from "../mail/notify.ts";
import { clientFailed } from "../protection/guard.ts";
import { checkSessionPassword } from "../protection/password.ts";
import { endOtherSessionsStatement } from "../sessions/repo.ts";
import type { RequestMeta } from "../http/client.ts";
import { currentUser, type SessionContext } from "../sessions/service.ts";
import { readSetting } from "../settings/repo.ts";
import {
  findUserById,
  findUserByUsername,
  nextCredentialEpoch,
  setNewPasswordStatement,
  type UserRow,
} from "../users/repo.ts";
import { isRecentPassword, rememberPasswordStatements } from "./history.ts";
import {
  checkPassword,
  type PasswordPolicy,
  passwordPolicySchema,
  REUSED_PASSWORD,
} from "./policy.ts";

export const PASSWORD_POLICY_KEY = "password_policy";

export async function passwordPolicy(deps: Deps): Promise<PasswordPolicy> {
  return await readSetting(deps.db, PASSWORD_POLICY_KEY, passwordPolicySchema);
}

export type PasswordProblem = { ok: false; code: "weak_password"; problems: string[] };

/** A new password as a person sends it (to change it, or to complete a reset), and the answer. */
type NewPasswordRequest = { newPassword: string; meta: RequestMeta };
type NewPasswordResult = { ok: true } | Failure | PasswordProblem;

/**
 * Checks a new password against the policy; for an existing account (`user`) also against its
 * latest passwords (`historyCount`).
 */
export async function validateNewPassword(
  deps: Deps,
  password: string,
  username: string,
  user?: { id: string; passwordHash: string },
): Promise<PasswordProblem | null> {
  const policy = await passwordPolicy(deps);
  const problems = await checkPassword(policy, password, username);
  if (
    !problems.length && user && await isRecentPassword(deps, user, password, policy.historyCount)
  ) {
    problems.push(REUSED_PASSWORD);
  }
  return problems.length ? { ok: false, code: "weak_password", problems } : null;
}

/**
 * A user's new password: checked against the policy and their latest passwords, then hashed
 * with the configured parameters.
 */
export async function newPasswordHash(
  deps: Deps,
  user: UserRow,
  password: string,
): Promise<{ ok: true; hash: string } | PasswordProblem> {
  const weak = await validateNewPassword(deps, password, user.username, user);
  if (weak) return weak;
  return {
    ok: true,
    hash: await hashPassword(password, deps.config.PBKDF2_ITERATIONS, deps.pbkdf2),
  };
}

/**
 * Changes the password of the signed-in user; other sessions, all trusted devices, pending
 * logins and unconfirmed enrollments end. The current password is checked under the login's
 * guard (lockout and address throttle).
 */
export async function changePassword(
  deps: Deps,
  ctx: SessionContext,
  input: NewPasswordRequest & { currentPassword: string },
): Promise<NewPasswordResult> {
  const { db } = deps;
  const now = deps.clock.now();
  // An admin acting as the user never changes the user's password.
  if (ctx.session.delegatedBy) return fail("forbidden");
  const found = await currentUser(deps, ctx);
  if (!found.ok) return found;
  const { user } = found;
  const refused = await checkSessionPassword(deps, user, input.currentPassword, {
    meta: input.meta,
    event: "password.change",
  });
  if (refused) return refused;
  const fresh = await newPasswordHash(deps, user, input.newPassword);
  if (!fresh.ok) return fresh;
  const { hash } = fresh;
  const [keepOld, prune] = rememberPasswordStatements(db, user.id, now);
  await db.batch([
    keepOld,
    prune,
    db.update(users).set({
      passwordHash: hash,
      passwordChangedAt: now.getTime(),
      credentialEpoch: nextCredentialEpoch,
    }).where(eq(users.id, user.id)),
    endOtherSessionsStatement(db, user.id, ctx.session.id, now),
    revokeAllDevicesStatement(db, user.id, now),
    ...await notify(deps, user, "password_changed", { meta: input.meta }),
    auditInsert(
      db,
      userAudit(user, input.meta, "password.change", { session: ctx.session.id }),
      now,
    ),
  ]);
  return { ok: true };
}

const tokenHash = sha256Hex;

async function findResetTarget(deps: Deps, identifier: string): Promise<UserRow | undefined> {
  const byName = await findUserByUsername(deps.db, identifier);
  if (byName) return byName;
  if (!identifier.includes("@")) return undefined;
  return await deps.db.query.users.findFirst({
    where: eq(users.email, identifier.trim().toLowerCase()),
  });
}

/**
 * Starts a reset. The answer never says whether the account exists. For a real account a
 * token (256 bits, stored as SHA-256) replaces any older one, and the link goes by mail to the
 * account's address (SMTP_URL or MAIL_WEBHOOK_URL) and to RESET_WEBHOOK_URL, through the
 * outbox. With neither the link goes nowhere (the log only says a reset was asked for) unless
 * the operator opted in to links in the log with RESET_LINKS_IN_LOG.
 */
export async function requestPasswordReset(deps: Deps, input: {
  identifier: string;
  baseUrl: string;
  meta: RequestMeta;
}): Promise<void> {
  const { db, config } = deps;
  const now = deps.clock.now();
  const token = toBase64Url(randomBytes(32));
  const hash = await tokenHash(token);
  const user = await findResetTarget(deps, input.identifier);
  if (!user || user.disabled || user.isService) {
    await audit(db, {
      event: "password.reset_request",
      outcome: "failure",
      username: input.identifier.slice(0, 128),
      ...input.meta,
      detail: { reason: !user ? "unknown_account" : "not_eligible" },
    }, now);
    await clientFailed(deps, input.meta, input.identifier);
    return;
  }
  const expiresAt = new Date(now.getTime() + config.RESET_TOKEN_MINUTES * MINUTE);
  const url = `${input.baseUrl.replace(/\/$/, "")}/password/reset?token=${token}`;
  const mail = resetMailStatements(deps, user, { url, expiresAt, meta: input.meta });
  const delivery = mail.length && config.RESET_WEBHOOK_URL
    ? "mail+webhook"
    : mail.length
    ? "mail"
    : config.RESET_WEBHOOK_URL
    ? "webhook"
    : config.RESET_LINKS_IN_LOG
    ? "log"
    : "none";
  const message = {
    username: user.displayName,
    email: user.email,
    reset_url: url,
    expires_at: expiresAt.toISOString(),
  };
  await db.batch([
    // A newer request kills older tokens.
    db.update(passwordResets).set({ usedAt: now.getTime() })
      .where(and(eq(passwordResets.userId, user.id), isNull(passwordResets.usedAt))),
    db.insert(passwordResets).values({
      id: randomId(),
      userId: user.id,
      tokenHash: hash,
      createdAt: now.getTime(),
      expiresAt: expiresAt.getTime(),
    }),
    ...(config.RESET_WEBHOOK_URL
      ? [
        enqueueStatement(db, {
          kind: "password_reset",
          url: config.RESET_WEBHOOK_URL,
          payload: message,
          now,
        }),
      ]
      : []),
    ...mail,
    auditInsert(db, userAudit(user, input.meta, "password.reset_request", { delivery }), now),
  ]);
  // The link holds a live token: it reaches the log only when the operator asked for that.
  if (delivery === "log") {
    deps.log("info", "password reset link (RESET_LINKS_IN_LOG=true)", message);
  } else if (delivery === "none") {
    deps.log("warn", "password reset requested, but no delivery is configured", {
      username: user.username,
      expires_at: message.expires_at,
      hint: user.email
        ? "set SMTP_URL or MAIL_WEBHOOK_URL (mail), or RESET_WEBHOOK_URL"
        : "the account has no email address; set one, or set RESET_WEBHOOK_URL",
    });
  }
}

/** Who a live reset token is for, without using it (to check the new password against). */
export async function resetTokenUser(deps: Deps, token: string): Promise<UserRow | undefined> {
  const row = await deps.db.query.passwordResets.findFirst({
    where: and(
      eq(passwordResets.tokenHash, await tokenHash(token)),
      isNull(passwordResets.usedAt),
      gt(passwordResets.expiresAt, deps.clock.now().getTime()),
    ),
  });
  return row ? await findUserById(deps.db, row.userId) : undefined;
}

/**
 * Completes a reset: the token is consumed by the same batch that sets the password, ends every
 * session, trusted device and pending login, and clears the password lock. No session is
 * created; the second factor stays in force.
 */
export async function confirmPasswordReset(
  deps: Deps,
  input: NewPasswordRequest & { token: string },
): Promise<NewPasswordResult> {
  const { db } = deps;
  const now = deps.clock.now();
  const user = await resetTokenUser(deps, input.token);
  if (!user) {
    await clientFailed(deps, input.meta);
    return fail("invalid_reset_token");
  }
  const fresh = await newPasswordHash(deps, user, input.newPassword);
  if (!fresh.ok) return fresh;
  const { hash } = fresh;
  const t = now.getTime();
  const [keepOld, prune] = rememberPasswordStatements(db, user.id, now, sql`changes() = 1`);
  // Only the request whose UPDATE consumed the token writes: the password UPDATE follows it
  // directly and needs `changes() = 1` (D1 has no interactive transactions), and the rest needs
  // the hash this request computed (its salt is random) to be the one in force. A marker such
  // as `used_at = now` would not do: parallel requests share the millisecond.
  const written = sql`EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${user.id}
    AND ${users.passwordHash} = ${hash})`;
  const [used] = await db.batch([
    db.update(passwordResets).set({ usedAt: t })
      .where(and(
        eq(passwordResets.tokenHash, await tokenHash(input.token)),
        eq(passwordResets.userId, user.id),
        isNull(passwordResets.usedAt),
        gt(passwordResets.expiresAt, t),
      ))
      .returning({ id: passwordResets.id }),
    // Copies the old hash only after the token was consumed; it inserts one row, so the
    // password UPDATE's `changes() = 1` still means "this request consumed the token".
    keepOld,
    setNewPasswordStatement(db, { userId: user.id, hash, now, condition: sql`changes() = 1` }),
    db.update(sessions).set({ revokedAt: t })
      .where(and(eq(sessions.userId, user.id), isNull(sessions.revokedAt), written)),
    revokeAllDevicesStatement(db, user.id, now, written),
    prune,
    ...await notify(deps, user, "password_reset", { meta: input.meta, onlyIf: written }),
  ]);
  if (used.length !== 1) return fail("invalid_reset_token");
  await audit(db, userAudit(user, input.meta, "password.reset"), now);
  return { ok: true };
}
