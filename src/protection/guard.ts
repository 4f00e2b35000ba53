/**
 * @module The brute-force guard around every way in: per-account password lockout (answered
 * exactly like a wrong password) and per-address throttling (429 with Retry-After).
 */
import { audit, auditInsert } from "../audit/repo.ts";
import type { Deps } from "../deps.ts";
import { MINUTE } from "../lib/clock.ts";
import { fail, type Failure } from "../lib/errors.ts";
import { inAnyCidr, rateLimitKey } from "../lib/ip.ts";
import type { RequestMeta } from "../http/client.ts";
import { securitySettings } from "../settings/security.ts";
import {
  ipBlockedUntil,
  type IpRule,
  type PasswordRule,
  recordIpFailure,
  recordPasswordFailure,
  type WindowRule,
} from "./repo.ts";
import { type MailRecipient, notify } from "../mail/notify.ts";

function allowlisted(deps: Deps, ip: string | null): boolean {
  const list = deps.config.IP_ALLOWLIST.split(",").map((s) => s.trim()).filter(Boolean);
  return list.length > 0 && inAnyCidr(ip, list);
}

/** `max` failures within `windowMinutes` lock for `lockMinutes` (the config counts in minutes). */
const rule = (max: number, windowMinutes: number, lockMinutes: number): WindowRule => ({
  max,
  windowMs: windowMinutes * MINUTE,
  lockMs: lockMinutes * MINUTE,
});

/** The address rule in force (the console's settings over the environment's defaults). */
export async function ipRule(deps: Deps): Promise<IpRule> {
  const s = await securitySettings(deps);
  return {
    ...rule(s.ipMaxFailures, s.ipWindowMinutes, s.ipBlockMinutes),
    maxLockMs: Math.max(s.ipBlockMinutes, s.ipBlockMaxMinutes) * MINUTE,
    repeatWindowMs: deps.config.IP_BLOCK_REPEAT_HOURS * 60 * MINUTE,
  };
}

/** The password rule in force. */
async function passwordRule(deps: Deps): Promise<PasswordRule> {
  const s = await securitySettings(deps);
  return {
    ...rule(s.passwordMaxFailures, s.passwordWindowMinutes, s.passwordLockMinutes),
    permanentAfter: s.permanentLockoutAfter,
  };
}

/** Refuses a client address that is blocked; null when it may go on. */
export async function checkClient(deps: Deps, meta: RequestMeta): Promise<Failure | null> {
  if (allowlisted(deps, meta.ip)) return null;
  const now = deps.clock.now();
  const until = await ipBlockedUntil(deps.db, rateLimitKey(meta.ip), now);
  return until ? fail("too_many_attempts", Math.ceil((until - now.getTime()) / 1000)) : null;
}

/**
 * Counts a failed attempt from this client address (with the username tried, when there was
 * one), and audits a new block.
 */
export async function clientFailed(
  deps: Deps,
  meta: RequestMeta,
  username: string | null = null,
): Promise<void> {
  if (allowlisted(deps, meta.ip)) return;
  const now = deps.clock.now();
  const key = rateLimitKey(meta.ip);
  const blocked = await recordIpFailure(deps.db, key, now, await ipRule(deps), username);
  if (blocked) {
    await audit(deps.db, {
      event: "client.blocked",
      outcome: "failure",
      username: username?.slice(0, 128),
      ...meta,
      detail: {
        key,
        until: new Date(blocked.until).toISOString(),
        minutes: Math.round((blocked.until - now.getTime()) / MINUTE),
        block: blocked.number,
        failures: blocked.failures,
      },
    }, now);
  }
}

/** Counts a password failure for the account (or for nobody, at the same cost); audits a lock. */
export async function passwordFailed(
  deps: Deps,
  user: MailRecipient | null,
  meta: RequestMeta,
): Promise<void> {
  const now = deps.clock.now();
  const locked = await recordPasswordFailure(
    deps.db,
    user?.id ?? null,
    now,
    await passwordRule(deps),
  );
  if (locked && user) {
    await deps.db.batch([
      auditInsert(deps.db, {
        event: "account.locked",
        outcome: "failure",
        userId: user.id,
        username: user.username,
        ...meta,
        detail: {
          until: new Date(locked.until).toISOString(),
          reason: "password_failures",
          lockouts: locked.lockouts,
          ...(locked.permanent ? { permanent: true } : {}),
        },
      }, now),
      ...await notify(deps, user, "account_locked", { meta, until: new Date(locked.until) }),
    ]);
  }
}
