import { assertEquals } from "../../tests/assert.ts";
import { type AuditEvent, auditValues } from "../audit/repo.ts";
import type { Level } from "../lib/log.ts";
import { countAuditEvent, logAuditEvent } from "./events.ts";
import { createMetrics } from "./metrics.ts";

const NOW = new Date("2026-11-22T12:00:00Z");
const row = (e: Partial<AuditEvent> & { event: string }) =>
  auditValues({ outcome: "success", userId: "u1", username: "alice", ...e }, NOW);

Deno.test("countAuditEvent() counts ended logins, second factors by method, and locks", () => {
  const m = createMetrics();
  const events = [
    row({ event: "login.password", outcome: "failure", detail: { reason: "wrong_password" } }),
    row({ event: "login.password", detail: { next: "challenge" } }), // not an end
    row({ event: "login.second_factor", detail: { method: "totp", session: "s1" } }),
    row({ event: "login.second_factor", detail: { method: "recovery_code", session: "s2" } }),
    row({ event: "login.second_factor", outcome: "failure", detail: { method: "totp" } }),
    row({
      event: "login.second_factor",
      outcome: "failure",
      detail: { method: "recovery_code", reason: "invalid_recovery_code" },
    }),
    row({ event: "login", detail: { amr: ["pwd", "dev"], session: "s3" } }),
    row({ event: "enrollment.confirm", detail: { session: "s4" } }),
    row({ event: "enrollment.confirm", detail: { session: null } }), // from the account page
    row({ event: "reauth", detail: { method: "totp" } }),
    row({ event: "reauth", detail: { method: "password" } }), // no second factor
    row({ event: "pat.create" }),
    row({ event: "account.locked", outcome: "failure" }),
    row({ event: "second_factor.locked", outcome: "failure" }),
    row({ event: "client.blocked", outcome: "failure" }),
    row({ event: "client.blocked", outcome: "failure" }),
    row({ event: "logout" }),
  ];
  for (const e of events) countAuditEvent(m, e);
  assertEquals(m.logins.get({ outcome: "success" }), 4);
  assertEquals(m.logins.get({ outcome: "failure" }), 1);
  assertEquals(m.secondFactor.get({ method: "totp", outcome: "success" }), 3);
  assertEquals(m.secondFactor.get({ method: "totp", outcome: "failure" }), 1);
  assertEquals(m.secondFactor.get({ method: "recovery_code", outcome: "success" }), 1);
  assertEquals(m.secondFactor.get({ method: "recovery_code", outcome: "failure" }), 1);
  assertEquals(m.lockouts.get({ kind: "password" }), 1);
  assertEquals(m.lockouts.get({ kind: "second_factor" }), 1);
  assertEquals(m.lockouts.get({ kind: "client" }), 2);
});

Deno.test("countAuditEvent() keeps label values to the known methods", () => {
  const m = createMetrics();
  countAuditEvent(m, row({ event: "login.second_factor", detail: { method: "x\ny" } }));
  assertEquals(m.secondFactor.get({ method: "totp", outcome: "success" }), 1);
  assertEquals(m.registry.render().includes("x\ny"), false);
});

Deno.test("logAuditEvent() writes the row without the user agent, failures as warnings", () => {
  const lines: [Level, string, Record<string, unknown> | undefined][] = [];
  const r = row({
    event: "login.password",
    outcome: "failure",
    ip: "203.0.113.9",
    userAgent: "Mozilla/5.0",
    detail: { reason: "wrong_password" },
  });
  logAuditEvent((level, msg, fields) => lines.push([level, msg, fields]), r);
  assertEquals(lines, [[
    "warn",
    "audit",
    {
      event: "login.password",
      outcome: "failure",
      audit_id: r.id,
      user_id: "u1",
      username: "alice",
      ip: "203.0.113.9",
      detail: { reason: "wrong_password" },
    },
  ]]);
});
