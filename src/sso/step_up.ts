/**
 * @module Step-up for an access rule: a current code (no password, no new login) marks the
 * session's second factor as fresh. The code is consumed like at login (single use, the step
 * advanced in the same batch), and failures count toward the same second-factor lock.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { audit } from "../audit/repo.ts";
import { sessions } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import type { RequestMeta } from "../http/client.ts";
import type { Failure } from "../lib/errors.ts";
import { secondFactorFailure } from "../login/flow.ts";
import { currentUserUnlocked, type SessionContext } from "../sessions/service.ts";
import { matchTotp } from "../totp/match.ts";
import { advanceStepStatement } from "../totp/repo.ts";

export async function stepUp(deps: Deps, input: {
  ctx: SessionContext;
  code: string;
  meta: RequestMeta;
}): Promise<{ ok: true } | Failure> {
  const { db } = deps;
  const now = deps.clock.now();
  const current = await currentUserUnlocked(deps, input.ctx, now);
  if (!current.ok) return current;
  const { user } = current;

  const { match, replayed } = await matchTotp(deps, user.id, input.code, now);
  if (!match) {
    return await secondFactorFailure(
      deps,
      user,
      null,
      input.meta,
      replayed ? "replayed" : "invalid",
      "invalid_code",
    );
  }
  // The session is marked only if the step advanced (changes() = 1): a code raced by another
  // request is accepted once.
  const [advanced] = await db.batch([
    advanceStepStatement(db, { ...match, now }),
    db.update(sessions).set({ secondFactorAt: now.getTime() })
      .where(and(
        eq(sessions.id, input.ctx.session.id),
        isNull(sessions.revokedAt),
        sql`changes() = 1`,
      )),
  ]);
  if (advanced.length !== 1) {
    return await secondFactorFailure(deps, user, null, input.meta, "totp_rejected", "invalid_code");
  }
  await audit(db, {
    event: "sso.step_up",
    outcome: "success",
    userId: user.id,
    username: user.username,
    ...input.meta,
    detail: { session: input.ctx.session.id },
  }, now);
  return { ok: true };
}
