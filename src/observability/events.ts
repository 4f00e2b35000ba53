/**
 * @module Security events to logs and metrics: every audit row becomes one JSON log line and,
 * for logins, second factors and locks, a counter step. Audit rows never hold a secret or a
 * code, so the log line is the row (without the user agent) and nothing else.
 */
import type { AuditRow } from "../audit/repo.ts";
import type { Logger } from "../lib/log.ts";
import { type Metrics, SECOND_FACTOR_METHODS } from "./metrics.ts";

function parseDetail(detail: string): Record<string, unknown> {
  try {
    const v = JSON.parse(detail);
    return v && typeof v === "object" && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

const LOCKS: Record<string, string> = {
  "account.locked": "password",
  "second_factor.locked": "second_factor",
  "client.blocked": "client",
};

/** Steps the counters an audit row stands for; other events leave them alone. */
export function countAuditEvent(metrics: Metrics, row: AuditRow): void {
  const detail = parseDetail(row.detail);
  const outcome = row.outcome === "success" ? "success" : "failure";
  switch (row.event) {
    case "login": // a session straight after the password (no second factor needed, a device)
      metrics.logins.inc({ outcome: "success" });
      return;
    case "login.password":
      // Success here only opens the second step; the login ends at "login.second_factor".
      if (outcome === "failure") metrics.logins.inc({ outcome: "failure" });
      return;
    case "enrollment.confirm": // the first authenticator, confirmed inside a login
      if (outcome === "success" && typeof detail.session === "string") {
        metrics.logins.inc({ outcome: "success" });
      }
      return;
    case "login.second_factor": {
      const method = (SECOND_FACTOR_METHODS as readonly unknown[]).includes(detail.method)
        ? detail.method as string
        : "totp";
      metrics.secondFactor.inc({ method, outcome });
      // A success without a session is a re-authentication or a new token, not a login.
      if (outcome === "success" && typeof detail.session === "string") {
        metrics.logins.inc({ outcome: "success" });
      }
      return;
    }
    case "reauth": // password and a code before a factor change
      if (
        outcome === "success" &&
        (SECOND_FACTOR_METHODS as readonly unknown[]).includes(detail.method)
      ) {
        metrics.secondFactor.inc({ method: detail.method as string, outcome });
      }
      return;
    case "pat.create": // a personal access token is made only after a current TOTP code
      if (outcome === "success") metrics.secondFactor.inc({ method: "totp", outcome });
      return;
    default:
      if (row.event in LOCKS) metrics.lockouts.inc({ kind: LOCKS[row.event] });
  }
}

/** The JSON log line of an audit row. */
export function logAuditEvent(log: Logger, row: AuditRow): void {
  log(row.outcome === "failure" ? "warn" : "info", "audit", {
    event: row.event,
    outcome: row.outcome,
    audit_id: row.id,
    user_id: row.userId,
    username: row.username,
    ip: row.ip,
    detail: parseDetail(row.detail),
  });
}
