/** @module Sessions: issuing the session token and checking one on every request. */
import type { Deps } from "../deps.ts";
import { DAY, HOUR, MINUTE } from "../lib/clock.ts";
import { type SecuritySettings, securitySettings } from "../settings/security.ts";
import { fail, type Failure } from "../lib/errors.ts";
import { signToken, verifyToken } from "../tokens/tokens.ts";
import { findUserById, type UserRow } from "../users/repo.ts";
import { parseRoles } from "../users/users.ts";
import { audit, type AuditEvent, auditInsert, userAudit } from "../audit/repo.ts";
import type { BatchItem } from "drizzle-orm/batch";
import type { RequestMeta } from "../http/client.ts";
import { rateLimitKey } from "../lib/ip.ts";
import { type ActiveSession, findActiveSession, revokeSession, touchSession } from "./repo.ts";

/**
 * RFC 8176 methods; "dlg": a delegated session, an admin acting as this user (src/delegation/);
 * `pop` and `mfa` come from security keys and passkeys (src/webauthn/).
 */
export type Amr = "pwd" | "otp" | "rec" | "dev" | "dlg" | "pop" | "mfa";

/** What a new session is issued under, from the settings in force at its sign-in. */
export type SessionTerms = { expiresAt: Date; idleMs: number; maxSessions: number };

/**
 * The lifetime (SESSION_HOURS, or REMEMBER_ME_DAYS with remember-me, honoured only once the
 * second factor passed), idle timeout and session cap for a session signed in now: the console's
 * settings (src/settings/security.ts), read at each sign-in so that a change needs no restart.
 */
export async function sessionTerms(
  deps: Deps,
  now: Date,
  rememberMe: boolean,
  /** The settings in force when the caller has just read them (a login), else read here. */
  settings?: SecuritySettings,
): Promise<SessionTerms> {
  const s = settings ?? await securitySettings(deps);
  const ms = rememberMe ? s.rememberMeDays * DAY : s.sessionHours * HOUR;
  return {
    expiresAt: new Date(now.getTime() + ms),
    idleMs: s.idleMinutes * MINUTE,
    maxSessions: s.maxSessions,
  };
}

/**
 * The token names the session by id (`jti`); the row decides whether it is alive. It also
 * carries the username and roles as they were at sign-in, for apps that read it through the
 * JWKS; a role change applies to the session check at once, to these claims at the next token.
 */
export async function issueSessionToken(
  deps: Deps,
  s: {
    id: string;
    userId: string;
    expiresAt: Date;
    actor?: { id: string; username: string };
    /** The user's row when the caller has just read it (a login), else it is read here. */
    user?: UserRow;
  },
  now: Date,
): Promise<string> {
  const user = s.user ?? await findUserById(deps.db, s.userId);
  // A delegated session names the admin acting (RFC 8693's "act", flattened).
  const act: Record<string, string> = s.actor
    ? { act_sub: s.actor.id, act_username: s.actor.username }
    : {};
  return await signToken(deps.keys, "session", {
    sub: s.userId,
    jti: s.id,
    expiresAt: s.expiresAt,
    extra: {
      sid: s.id,
      username: user?.displayName ?? "",
      roles: user ? parseRoles(user.roles) : [],
      ...act,
    },
  }, now);
}

export type SessionContext = ActiveSession & { roles: string[]; amr: Amr[] };

/** The audit entry for something the signed-in user did: a success, with the session named. */
export function sessionAudit(
  ctx: SessionContext,
  meta: RequestMeta,
  event: string,
  detail: object = {},
): AuditEvent {
  return userAudit(ctx.user, meta, event, { session: ctx.session.id, ...detail });
}

/**
 * Renames one of the signed-in user's own things: `update` (an UPDATE ... RETURNING scoped to
 * the user) and its audit entry in one batch; not_found when no row was renamed.
 */
export async function renameOwn(
  deps: Deps,
  update: BatchItem<"sqlite">,
  entry: AuditEvent,
): Promise<{ ok: true } | Failure> {
  const [rows] = await deps.db.batch([update, auditInsert(deps.db, entry, deps.clock.now())]);
  return (rows as unknown[]).length === 1 ? { ok: true } : fail("not_found");
}

/**
 * The roles and methods parsed from a session answer. A kept answer (src/sessions/check_cache.ts)
 * is one frozen object for many requests: it is parsed once, and the lists are frozen too.
 */
const parsed = new WeakMap<ActiveSession, { roles: string[]; amr: Amr[] }>();

/** The context of a live session: the answer with its roles and methods parsed. */
export function sessionContextOf(found: ActiveSession): SessionContext {
  let p = parsed.get(found);
  if (!p) {
    p = {
      roles: parseRoles(found.user.roles),
      amr: JSON.parse(found.session.amr),
    };
    if (Object.isFrozen(found)) {
      Object.freeze(p.roles);
      Object.freeze(p.amr);
      parsed.set(found, p);
    }
  }
  return { session: found.session, user: found.user, roles: p.roles, amr: p.amr };
}

/** Checks a session token: signature and kind, then the live session row and its user. */
export async function authenticateSession(
  deps: Deps,
  token: string | undefined,
  /** The request's origin: with SESSION_BIND_ADDRESS, a session used from elsewhere ends. */
  meta?: RequestMeta,
  /** The request's number (src/db/changes.ts `requestArrived()`). */
  arrival?: number,
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
    arrival,
  );
  if (!found || found.user.id !== verified.token.sub) return fail("unauthorized");
  if (deps.config.SESSION_BIND_ADDRESS && meta && movedAway(found.session.ip, meta.ip)) {
    await endMovedSession(deps, found, meta, now);
    return fail("unauthorized");
  }
  if (found.session.lastSeenAt < now.getTime() - 60_000) {
    await touchSession(deps.db, found.session.id, now);
  }
  return { ok: true, ctx: sessionContextOf(found) };
}

/**
 * Whether a request comes from another network than the session's sign-in: another IPv4
 * address, or another IPv6 /64 (one host usually holds a whole /64 and moves within it). A
 * session signed in from an unknown address is not bound.
 */
function movedAway(sessionIp: string | null, requestIp: string | null): boolean {
  if (sessionIp === null) return false;
  return rateLimitKey(sessionIp) !== rateLimitKey(requestIp);
}

/** Ends a session used from another address, audited with both addresses. */
async function endMovedSession(deps: Deps, found: ActiveSession, meta: RequestMeta, now: Date) {
  if (!(await revokeSession(deps.db, found.session.id, now))) return;
  await audit(deps.db, {
    event: "session.address_changed",
    outcome: "failure",
    userId: found.user.id,
    username: found.user.username,
    ...meta,
    detail: { session: found.session.id, signed_in_from: found.session.ip, used_from: meta.ip },
  }, now);
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

/**
 * The signed-in user about to prove a second factor inside the session (re-authentication,
 * step-up): refused, with the wait, while their second factor is locked.
 */
export async function currentUserUnlocked(
  deps: Deps,
  ctx: SessionContext,
  now: Date,
): Promise<{ ok: true; user: UserRow } | Failure> {
  const current = await currentUser(deps, ctx);
  if (!current.ok) return current;
  const lockedFor = (current.user.secondFactorLockedUntil ?? 0) - now.getTime();
  if (lockedFor > 0) return fail("too_many_attempts", Math.ceil(lockedFor / 1000));
  return current;
}
