/** @module Sessions: issuing the session token and checking one on every request. */
import type { Deps } from "../deps.ts";
import { DAY, HOUR } from "../lib/clock.ts";
import { fail, type Failure } from "../lib/errors.ts";
import { signToken, verifyToken } from "../tokens/tokens.ts";
import { findUserById, type UserRow } from "../users/repo.ts";
import { parseRoles } from "../users/users.ts";
import { type ActiveSession, findActiveSession, touchSession } from "./repo.ts";

/** RFC 8176 methods; `pop` and `mfa` come from security keys and passkeys (src/webauthn/). */
export type Amr = "pwd" | "otp" | "rec" | "dev" | "pop" | "mfa";

/** 24 h, or 7 days with remember-me (honoured only once the second factor passed). */
export function sessionExpiry(deps: Deps, now: Date, rememberMe: boolean): Date {
  const ms = rememberMe ? deps.config.REMEMBER_ME_DAYS * DAY : deps.config.SESSION_HOURS * HOUR;
  return new Date(now.getTime() + ms);
}

/** The token names the session by id (`jti`); the row decides whether it is alive. */
export async function issueSessionToken(
  deps: Deps,
  s: { id: string; userId: string; expiresAt: Date },
  now: Date,
): Promise<string> {
  return await signToken(deps.keys, "session", {
    sub: s.userId,
    jti: s.id,
    expiresAt: s.expiresAt,
    extra: { sid: s.id },
  }, now);
}

export type SessionContext = ActiveSession & { roles: string[]; amr: Amr[] };

/** Checks a session token: signature and kind, then the live session row and its user. */
export async function authenticateSession(
  deps: Deps,
  token: string | undefined,
): Promise<{ ok: true; ctx: SessionContext } | Failure> {
  if (!token) return fail("unauthorized");
  const now = deps.clock.now();
  const verified = await verifyToken(deps.keys, "session", token, now);
  if (!verified.ok) return fail("unauthorized");
  const found = await findActiveSession(
    deps.db,
    verified.token.jti,
    now,
    deps.config.SESSION_IDLE_MINUTES * 60_000,
  );
  if (!found || found.user.id !== verified.token.sub) return fail("unauthorized");
  if (found.session.lastSeenAt < now.getTime() - 60_000) {
    await touchSession(deps.db, found.session.id, now);
  }
  return {
    ok: true,
    ctx: { ...found, roles: parseRoles(found.user.roles), amr: JSON.parse(found.session.amr) },
  };
}

/**
 * The signed-in user's full, current row, for the few actions that need more than the session
 * check loads (the password hash, lockout counters, policy inputs). Read fresh, so a lock set
 * since the check counts; a user deleted or disabled since then fails like the check would.
 */
export async function currentUser(
  deps: Deps,
  ctx: SessionContext,
): Promise<{ ok: true; user: UserRow } | Failure> {
  const user = await findUserById(deps.db, ctx.user.id);
  return user && !user.disabled ? { ok: true, user } : fail("unauthorized");
}
