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
import { ipBlockedUntil, recordIpFailure, recordPasswordFailure, type WindowRule } from "./repo.ts";
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

const ipRule = ({ config: c }: Deps) =>
  rule(c.IP_MAX_FAILURES, c.IP_FAILURE_WINDOW_MINUTES, c.IP_BLOCK_MINUTES);

const passwordRule = ({ config: c }: Deps) =>
  rule(c.PASSWORD_MAX_FAILURES, c.PASSWORD_FAILURE_WINDOW_MINUTES, c.PASSWORD_LOCK_MINUTES);

/** Refuses a client address that is blocked; null when it may go on. */
export async function checkClient(deps: Deps, meta: RequestMeta): Promise<Failure | null> {
  if (allowlisted(deps, meta.ip)) return null;
  const now = deps.clock.now();
  const until = await ipBlockedUntil(deps.db, rateLimitKey(meta.ip), now);
  return until ? fail("too_many_attempts", Math.ceil((until - now.getTime()) / 1000)) : null;
}

/** Counts a failed attempt from this client address, and audits a new block. */
export async function clientFailed(deps: Deps, meta: RequestMeta): Promise<void> {
  if (allowlisted(deps, meta.ip)) return;
  const now = deps.clock.now();
  const key = rateLimitKey(meta.ip);
  const blocked = await recordIpFailure(deps.db, key, now, ipRule(deps));
  if (blocked) {
    await audit(deps.db, {
      event: "client.blocked",
      outcome: "failure",
      ...meta,
      detail: { key, until: new Date(blocked).toISOString() },
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
  const locked = await recordPasswordFailure(deps.db, user?.id ?? null, now, passwordRule(deps));
  if (locked && user) {
    await deps.db.batch([
      auditInsert(deps.db, {
        event: "account.locked",
        outcome: "failure",
        userId: user.id,
        username: user.username,
        ...meta,
        detail: { until: new Date(locked).toISOString(), reason: "password_failures" },
      }, now),
      ...await notify(deps, user, "account_locked", { meta, until: new Date(locked) }),
    ]);
  }
}
