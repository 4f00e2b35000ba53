/**
 * @module Alerts: more than N failed second-factor attempts for one user within M minutes
 * (policy, default 3 in 5) raise one alert, shown on the admin dashboard and POSTed to the alert
 * webhook through the outbox (with retries, never blocking the login).
 */
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { alerts, auditEvents, outbox } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import { MINUTE } from "../lib/clock.ts";
import { randomId } from "../lib/crypto.ts";
import type { LoginPolicy } from "../policy/policy.ts";
import { markOutboxPending } from "../outbox/outbox.ts";

export const SECOND_FACTOR_ALERT = "second_factor_failures";

export type AlertRow = typeof alerts.$inferSelect;

/** Checks the threshold after a failure; raises at most one alert per user and window. */
export async function checkSecondFactorAlert(
  deps: Deps,
  policy: LoginPolicy,
  user: { id: string; username: string },
): Promise<boolean> {
  const { db } = deps;
  const now = deps.clock.now().getTime();
  const since = now - policy.alertWindowMinutes * MINUTE;
  const [row] = await db.select({ n: sql<number>`count(*)` }).from(auditEvents).where(and(
    eq(auditEvents.userId, user.id),
    eq(auditEvents.event, "login.second_factor"),
    eq(auditEvents.outcome, "failure"),
    gt(auditEvents.at, since),
  ));
  const failures = Number(row?.n ?? 0);
  if (failures <= policy.alertThreshold) return false;
  const id = randomId();
  const detail = JSON.stringify({
    failures,
    window_minutes: policy.alertWindowMinutes,
    threshold: policy.alertThreshold,
  });
  const url = deps.config.ALERT_WEBHOOK_URL;
  const payload = JSON.stringify({
    alert: SECOND_FACTOR_ALERT,
    alert_id: id,
    username: user.username,
    failures,
    window_minutes: policy.alertWindowMinutes,
    at: new Date(now).toISOString(),
  });
  if (url) markOutboxPending();
  // One statement decides whether this window already has an alert, so parallel failures
  // raise one; the webhook message exists only if the alert does.
  const [inserted] = await db.batch([
    db.run(sql`INSERT INTO ${alerts} (id, at, kind, user_id, username, detail)
      SELECT ${id}, ${now}, ${SECOND_FACTOR_ALERT}, ${user.id}, ${user.username}, ${detail}
      WHERE NOT EXISTS (SELECT 1 FROM ${alerts} WHERE user_id = ${user.id}
        AND kind = ${SECOND_FACTOR_ALERT} AND at > ${since})`),
    ...(url
      ? [db.run(sql`INSERT INTO ${outbox} (id, kind, url, payload, created_at, next_attempt_at)
          SELECT ${randomId()}, 'alert', ${url}, ${payload}, ${now}, ${now}
          WHERE EXISTS (SELECT 1 FROM ${alerts} WHERE id = ${id})`)]
      : []),
  ]);
  const raised =
    (inserted as { rowsAffected?: number; meta?: { changes?: number } }).rowsAffected ??
      (inserted as { meta?: { changes?: number } }).meta?.changes ?? 0;
  if (raised > 0) {
    deps.log("warn", "alert", { kind: SECOND_FACTOR_ALERT, username: user.username, failures });
  }
  return raised > 0;
}

export async function openAlerts(deps: Deps): Promise<AlertRow[]> {
  return await deps.db.select().from(alerts).where(isNull(alerts.acknowledgedAt))
    .orderBy(desc(alerts.at)).limit(200);
}

/** Marks an alert as handled by an admin; audited. */
export async function acknowledgeAlert(deps: Deps, id: string, by: string): Promise<boolean> {
  const now = deps.clock.now();
  const [rows] = await deps.db.batch([
    deps.db.update(alerts)
      .set({ acknowledgedAt: now.getTime(), acknowledgedBy: by })
      .where(and(eq(alerts.id, id), isNull(alerts.acknowledgedAt)))
      .returning({ id: alerts.id, username: alerts.username, kind: alerts.kind }),
    deps.db.run(sql`INSERT INTO ${auditEvents} (id, at, event, outcome, detail)
      SELECT ${randomId()}, ${now.getTime()}, 'alert.acknowledge', 'success',
        json_object('alert', ${id}, 'admin_id', ${by})
      WHERE changes() = 1`),
  ]);
  return rows.length === 1;
}
