/**
 * @module "This was not me": the link at the end of every security notification. Using it
 * (a POST: a GET only shows what will happen, since mail scanners open links) signs the account
 * out everywhere, forgets every trusted device, kills pending logins, locks the account
 * (disabled, until an admin enables it again), raises an alert and audits it. The token is
 * single use: the UPDATE that consumes it writes a value of this request (`used_by`), and every
 * other statement of the batch requires that value, so of parallel uses exactly one acts.
 */
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { auditRecorded, auditValues } from "../audit/repo.ts";
import { alerts, auditEvents, noticeTokens, outbox, users } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import { revokeAllDevicesStatement } from "../devices/repo.ts";
import type { RequestMeta } from "../http/client.ts";
import { randomId, sha256Hex } from "../lib/crypto.ts";
import { markOutboxPending } from "../outbox/outbox.ts";
import { endOtherSessionsStatement } from "../sessions/repo.ts";
import { findUserById, nextCredentialEpoch } from "../users/repo.ts";

export const ACCOUNT_REPORTED_ALERT = "account_reported";

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Whether a "this was not me" token can still be used (to show the confirmation page). */
export async function noticeTokenLive(deps: Deps, token: string): Promise<boolean> {
  if (!TOKEN_SHAPE.test(token)) return false;
  const row = await deps.db.query.noticeTokens.findFirst({
    where: and(
      eq(noticeTokens.tokenHash, await sha256Hex(token)),
      isNull(noticeTokens.usedAt),
      gt(noticeTokens.expiresAt, deps.clock.now().getTime()),
    ),
  });
  return !!row;
}

/** Uses a "this was not me" token; false when it is unknown, used or expired. */
export async function reportNotMe(
  deps: Deps,
  input: { token: string; meta: RequestMeta },
): Promise<boolean> {
  const { db, config } = deps;
  if (!TOKEN_SHAPE.test(input.token)) return false;
  const now = deps.clock.now();
  const t = now.getTime();
  const hash = await sha256Hex(input.token);
  const row = await db.query.noticeTokens.findFirst({ where: eq(noticeTokens.tokenHash, hash) });
  const user = row ? await findUserById(db, row.userId) : undefined;
  if (!row || !user) return false;
  const by = randomId();
  const consumed = sql`EXISTS (SELECT 1 FROM ${noticeTokens} WHERE id = ${row.id}
    AND used_by = ${by})`;
  const alertId = randomId();
  const detail = { notification: row.kind, ip: input.meta.ip };
  const auditRow = auditValues({
    event: "account.reported",
    outcome: "success",
    userId: user.id,
    username: user.username,
    ...input.meta,
    detail: { notification: row.kind, alert: alertId },
  }, now);
  const alertPayload = JSON.stringify({
    alert: ACCOUNT_REPORTED_ALERT,
    alert_id: alertId,
    username: user.username,
    notification: row.kind,
    at: now.toISOString(),
  });
  if (config.ALERT_WEBHOOK_URL) markOutboxPending();
  const [used] = await db.batch([
    db.update(noticeTokens).set({ usedAt: t, usedBy: by })
      .where(and(
        eq(noticeTokens.id, row.id),
        isNull(noticeTokens.usedAt),
        gt(noticeTokens.expiresAt, t),
      ))
      .returning({ id: noticeTokens.id }),
    // Disabled is the lock an admin lifts; the epoch kills logins and enrollments under way.
    db.update(users).set({ disabled: true, credentialEpoch: nextCredentialEpoch })
      .where(and(eq(users.id, user.id), consumed)),
    endOtherSessionsStatement(db, user.id, null, now, consumed),
    revokeAllDevicesStatement(db, user.id, now, consumed),
    db.run(sql`INSERT INTO ${alerts} (id, at, kind, user_id, username, detail)
      SELECT ${alertId}, ${t}, ${ACCOUNT_REPORTED_ALERT}, ${user.id}, ${user.username},
        ${JSON.stringify(detail)}
      WHERE ${consumed}`),
    ...(config.ALERT_WEBHOOK_URL
      ? [db.run(sql`INSERT INTO ${outbox} (id, kind, url, payload, created_at, next_attempt_at)
          SELECT ${randomId()}, 'alert', ${config.ALERT_WEBHOOK_URL}, ${alertPayload}, ${t}, ${t}
          WHERE ${consumed}`)]
      : []),
    db.run(sql`INSERT INTO ${auditEvents}
      (id, at, event, outcome, user_id, username, ip, user_agent, detail)
      SELECT ${auditRow.id}, ${auditRow.at}, ${auditRow.event}, ${auditRow.outcome},
        ${auditRow.userId}, ${auditRow.username}, ${auditRow.ip}, ${auditRow.userAgent},
        ${auditRow.detail}
      WHERE ${consumed}`),
  ]);
  if (used.length !== 1) return false;
  auditRecorded(db, auditRow);
  deps.log("warn", "alert", { kind: ACCOUNT_REPORTED_ALERT, username: user.username });
  return true;
}
