/**
 * @module Administration: users and their 2FA status, the admin actions on a user, the policy
 * with its preview, the audit log and the compliance report. Every action is audited with the
 * admin's identity; actions that change a user's factors end that user's sessions. Admins never
 * see secrets or recovery codes.
 */
import { deleteAllCredentialsStatement } from "../webauthn/repo.ts";
import { and, asc, desc, eq, gte, like, lte, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { adminAudit, audit, auditInsert } from "../audit/repo.ts";
import {
  auditEvents,
  authenticators,
  enrollments,
  recoveryCodes,
  sessions,
  users,
} from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import {
  listLiveDevices,
  revokeAllDevicesStatement,
  revokeTrustedDevice,
} from "../devices/repo.ts";
import { generateEnrollmentPass, hashEnrollmentPass, passExpiry } from "../enrollment/pass.ts";
import { DAY } from "../lib/clock.ts";
import { fail, type Failure } from "../lib/errors.ts";
import { hashPassword } from "../lib/password.ts";
import { PASSWORD_POLICY_KEY, validateNewPassword } from "../passwords/service.ts";
import type { PasswordPolicy } from "../passwords/policy.ts";
import { graceDeadline, type LoginPolicy, secondFactorRequired } from "../policy/policy.ts";
import { loadPolicy, savePolicyStatement, subjectOf } from "../policy/repo.ts";
import type { RequestMeta } from "../http/client.ts";
import type { SessionContext } from "../sessions/service.ts";
import { writeSettingStatement } from "../settings/repo.ts";
import {
  bumpCredentialEpochStatement,
  findUserById,
  insertUser,
  nextCredentialEpoch,
  type UserRow,
} from "../users/repo.ts";
import { USERNAME_RULE, validUsername } from "../users/users.ts";
import { parseRoles } from "../users/users.ts";
import { notify } from "../mail/notify.ts";

export type TwofaStatus =
  | "enrolled"
  | "not_enrolled"
  | "required_not_enrolled"
  | "grace";

export type AdminUserView = {
  user: UserRow;
  roles: string[];
  groups: string[];
  authenticatorCount: number;
  status: TwofaStatus;
  required: boolean;
  graceDeadline: number | null;
  locked: boolean;
  lockedUntil: number | null;
  /** Locked after too many lockouts, until an admin unlocks (PERMANENT_LOCKOUT_AFTER). */
  lockedPermanently: boolean;
};

export const STATUS_FILTERS = [
  "enrolled",
  "not_enrolled",
  "required_not_enrolled",
  "grace",
  "locked",
] as const;
export type StatusFilter = typeof STATUS_FILTERS[number];

/** Describes one user for admins (no secrets). */
export function describeUser(
  policy: LoginPolicy,
  user: UserRow,
  authenticatorCount: number,
  now: Date,
): AdminUserView {
  const subject = subjectOf(user, authenticatorCount > 0);
  const required = secondFactorRequired(policy, subject, null);
  const deadline = !subject.enrolled && required && subject.requiredSince !== null
    ? graceDeadline(policy, subject, now)
    : !subject.enrolled && required && user.graceUntil
    ? user.graceUntil
    : null;
  const inGrace = deadline !== null && deadline > now.getTime();
  const lockedUntil = Math.max(user.passwordLockedUntil ?? 0, user.secondFactorLockedUntil ?? 0);
  return {
    user,
    roles: parseRoles(user.roles),
    groups: parseRoles(user.groups),
    authenticatorCount,
    required,
    status: subject.enrolled
      ? "enrolled"
      : required
      ? (inGrace ? "grace" : "required_not_enrolled")
      : "not_enrolled",
    graceDeadline: inGrace ? deadline : null,
    locked: user.lockedPermanentlyAt !== null || lockedUntil > now.getTime(),
    lockedUntil: lockedUntil > now.getTime() ? lockedUntil : null,
    lockedPermanently: user.lockedPermanentlyAt !== null,
  };
}

const escapeLike = (s: string) => s.replace(/[%_\\]/g, "\\$&");
/** SQLite's LIKE has no escape character unless one is named, so `\_` would be literal. */
const likeEscaped = (column: Parameters<typeof like>[0], pattern: string) =>
  sql`${column} LIKE ${pattern} ESCAPE '\\'`;

async function allUsersWithCounts(deps: Deps, q?: string) {
  const term = q?.trim().toLowerCase();
  return await deps.db.select({
    user: users,
    count: sql<
      number
    >`(SELECT count(*) FROM authenticators a WHERE a.user_id = "users"."id")`,
  }).from(users)
    .where(
      term
        ? or(
          likeEscaped(users.username, `%${escapeLike(term)}%`),
          likeEscaped(users.email, `%${escapeLike(term)}%`),
        )
        : undefined,
    )
    .orderBy(asc(users.username));
}

/** Users with their 2FA status, searched, filtered and paged. */
export async function listUsersForAdmin(deps: Deps, input: {
  q?: string;
  status?: StatusFilter;
  page: number;
  pageSize: number;
}): Promise<{ users: AdminUserView[]; total: number }> {
  const now = deps.clock.now();
  const policy = await loadPolicy(deps.db);
  const all = (await allUsersWithCounts(deps, input.q))
    .map((r) => describeUser(policy, r.user, Number(r.count), now))
    .filter((v) =>
      !input.status || (input.status === "locked" ? v.locked : v.status === input.status)
    );
  const start = (input.page - 1) * input.pageSize;
  return { users: all.slice(start, start + input.pageSize), total: all.length };
}

export async function userForAdmin(deps: Deps, id: string): Promise<AdminUserView | null> {
  const user = await findUserById(deps.db, id);
  if (!user) return null;
  const [row] = await deps.db.select({ n: sql<number>`count(*)` }).from(authenticators)
    .where(eq(authenticators.userId, id));
  return describeUser(await loadPolicy(deps.db), user, Number(row?.n ?? 0), deps.clock.now());
}

type Admin = { ctx: SessionContext; meta: RequestMeta };

/**
 * The common shape of an admin action on one user: the user must exist; then the action's
 * statements and its audit event run in one batch.
 */
async function actOnUser(
  deps: Deps,
  admin: Admin,
  id: string,
  event: string,
  statements: (now: Date) => [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]],
  detail?: object | ((target: UserRow) => object),
): Promise<{ ok: true } | Failure> {
  const target = await findUserById(deps.db, id);
  if (!target) return fail("not_found");
  const now = deps.clock.now();
  const details = typeof detail === "function" ? detail(target) : detail;
  await deps.db.batch([
    ...statements(now),
    auditInsert(deps.db, adminAudit(admin, event, target, details), now),
  ]);
  return { ok: true };
}

const cleanNames = (names: string[]) =>
  [...new Set(names.map((n) => n.trim()).filter(Boolean))].sort();

export async function createUserByAdmin(deps: Deps, admin: Admin, input: {
  username: string;
  password: string;
  roles: string[];
  groups: string[];
  email?: string;
  service?: boolean;
}): Promise<{ ok: true; user: UserRow } | { ok: false; field: string; message: string }> {
  if (validUsername(input.username) === null) {
    return { ok: false, field: "username", message: USERNAME_RULE };
  }
  const weak = input.service
    ? null
    : await validateNewPassword(deps, input.password, input.username);
  if (weak) return { ok: false, field: "password", message: weak.problems.join(" ") };
  const now = deps.clock.now();
  const user = await insertUser(deps.db, {
    username: input.username,
    // A service account has no usable password: it is reached only through API keys.
    passwordHash: input.service
      ? "!service-account"
      : await hashPassword(input.password, deps.config.PBKDF2_ITERATIONS, deps.pbkdf2),
    roles: cleanNames(input.roles),
    now,
  });
  if (!user) return { ok: false, field: "username", message: "That username is taken." };
  const [updated] = await deps.db.update(users).set({
    groups: JSON.stringify(cleanNames(input.groups)),
    email: input.email?.trim().toLowerCase() || null,
    isService: !!input.service,
  }).where(eq(users.id, user.id)).returning();
  await audit(
    deps.db,
    adminAudit(admin, "admin.user_create", updated, {
      roles: input.roles,
      groups: input.groups,
      service: !!input.service,
    }),
    now,
  );
  return { ok: true, user: updated };
}

/** Edits roles, groups, email and the disabled flag (never secrets). Disabling ends sessions. */
export async function updateUserByAdmin(deps: Deps, admin: Admin, id: string, input: {
  roles?: string[];
  groups?: string[];
  email?: string | null;
  disabled?: boolean;
}): Promise<{ ok: true } | Failure> {
  const target = await findUserById(deps.db, id);
  if (!target) return fail("not_found");
  if (input.disabled && id === admin.ctx.user.id) return fail("forbidden");
  const changes = {
    ...(input.roles ? { roles: JSON.stringify(cleanNames(input.roles)) } : {}),
    ...(input.groups ? { groups: JSON.stringify(cleanNames(input.groups)) } : {}),
    ...(input.email !== undefined ? { email: input.email?.trim().toLowerCase() || null } : {}),
    ...(input.disabled !== undefined ? { disabled: input.disabled } : {}),
    // Disabling kills pending logins and enrollments too, so re-enabling revives none.
    ...(input.disabled ? { credentialEpoch: nextCredentialEpoch } : {}),
  };
  // An empty patch changes nothing: no write, no audit event (an UPDATE needs a column to set).
  if (Object.keys(changes).length === 0) return { ok: true };
  const now = deps.clock.now();
  const { db } = deps;
  await db.batch([
    db.update(users).set(changes).where(eq(users.id, id)),
    ...(input.disabled ? [endAllSessionsStatement(deps, id, now)] : []),
    auditInsert(db, adminAudit(admin, "admin.user_update", target, { changes: input }), now),
  ]);
  return { ok: true };
}

function endAllSessionsStatement(deps: Deps, userId: string, now: Date) {
  return deps.db.update(sessions).set({ revokedAt: now.getTime() })
    .where(and(eq(sessions.userId, userId), sql`${sessions.revokedAt} IS NULL`));
}

/** Requires 2FA for one user whatever the policy says (or lifts that requirement). */
export async function setTwofaRequired(
  deps: Deps,
  admin: Admin,
  id: string,
  required: boolean,
): Promise<{ ok: true } | Failure> {
  return await actOnUser(
    deps,
    admin,
    id,
    required ? "admin.require_2fa" : "admin.unrequire_2fa",
    () => [deps.db.update(users).set({ twofaRequired: required }).where(eq(users.id, id))],
  );
}

/**
 * Resets a user's 2FA: authenticators, recovery codes, open enrollments and trusted devices go,
 * and every session ends, in one batch. In "pass" mode (the default) the user also needs a
 * one-time enrollment pass, valid 24 h and returned once here, to enroll again.
 */
export async function resetTwofa(
  deps: Deps,
  admin: Admin | { cli: true },
  id: string,
  mode: "pass" | "plain",
): Promise<{ ok: true; pass: string | null; expiresAt: number | null } | Failure> {
  const target = await findUserById(deps.db, id);
  if (!target) return fail("not_found");
  const now = deps.clock.now();
  const pass = mode === "pass" ? generateEnrollmentPass() : null;
  const { db } = deps;
  const event = "cli" in admin ? "emergency.bypass" : "admin.reset_2fa";
  const auditEvent = "cli" in admin
    ? {
      event,
      outcome: "success" as const,
      userId: target.id,
      username: target.username,
      detail: { via: "cli", mode },
    }
    : adminAudit(admin, event, target, { mode });
  await db.batch([
    ...removeFactorsStatements(deps, id, now),
    db.update(users).set({
      enrollmentPassHash: pass ? hashEnrollmentPass(pass) : null,
      enrollmentPassExpiresAt: pass ? passExpiry(now) : null,
      secondFactorFailures: 0,
      secondFactorLockedUntil: null,
    }).where(eq(users.id, id)),
    auditInsert(db, auditEvent, now),
    ...await notify(deps, target, "twofa_reset"),
  ]);
  return { ok: true, pass, expiresAt: pass ? passExpiry(now) : null };
}

function removeFactorsStatements(deps: Deps, userId: string, now: Date) {
  const { db } = deps;
  return [
    db.delete(authenticators).where(eq(authenticators.userId, userId)),
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
    db.delete(enrollments).where(eq(enrollments.userId, userId)),
    // Security keys and passkeys are factors too: a reset leaves none.
    deleteAllCredentialsStatement(db, userId),
    revokeAllDevicesStatement(db, userId, now),
    endAllSessionsStatement(deps, userId, now),
    // Pending logins die too: one begun before the reset must not finish with an old factor.
    bumpCredentialEpochStatement(db, userId),
  ] as const;
}

/** Turns a user's 2FA off, only where policy does not require it for them. */
export async function disableTwofaByAdmin(
  deps: Deps,
  admin: Admin,
  id: string,
): Promise<{ ok: true } | Failure> {
  const view = await userForAdmin(deps, id);
  if (!view) return fail("not_found");
  if (view.required) return fail("policy_requires_2fa");
  const now = deps.clock.now();
  await deps.db.batch([
    ...removeFactorsStatements(deps, id, now),
    auditInsert(deps.db, adminAudit(admin, "admin.disable_2fa", view.user), now),
    ...await notify(deps, view.user, "twofa_disabled"),
  ]);
  return { ok: true };
}

export async function endUserSessions(
  deps: Deps,
  admin: Admin,
  id: string,
): Promise<{ ok: true } | Failure> {
  return await actOnUser(
    deps,
    admin,
    id,
    "admin.end_sessions",
    (now) => [endAllSessionsStatement(deps, id, now)],
  );
}

export async function userDevices(deps: Deps, id: string) {
  return await listLiveDevices(deps.db, id, deps.clock.now());
}

export async function revokeUserDevice(
  deps: Deps,
  admin: Admin,
  userId: string,
  deviceId: string,
): Promise<{ ok: true } | Failure> {
  const target = await findUserById(deps.db, userId);
  if (!target) return fail("not_found");
  const now = deps.clock.now();
  if (!(await revokeTrustedDevice(deps.db, { id: deviceId, userId, now }))) {
    return fail("not_found");
  }
  await audit(deps.db, adminAudit(admin, "admin.revoke_device", target, { device: deviceId }), now);
  return { ok: true };
}

/** Gives a user more days to enroll, counted from now. */
export async function extendGrace(
  deps: Deps,
  admin: Admin,
  id: string,
  days: number,
): Promise<{ ok: true; until: number } | Failure> {
  const until = deps.clock.now().getTime() + days * DAY;
  const done = await actOnUser(
    deps,
    admin,
    id,
    "admin.extend_grace",
    () => [deps.db.update(users).set({ graceUntil: until }).where(eq(users.id, id))],
    { days, until: new Date(until).toISOString() },
  );
  return done.ok ? { ok: true, until } : done;
}

/**
 * What a policy change would do before it is saved: the users who are not enrolled and would
 * have to enroll at their next login (no grace left), so nobody is locked out by surprise.
 */
export async function previewPolicy(
  deps: Deps,
  next: LoginPolicy,
): Promise<{ wouldBlock: string[] }> {
  const now = deps.clock.now();
  const rows = await allUsersWithCounts(deps);
  const wouldBlock = rows
    .filter((r) => Number(r.count) === 0 && !r.user.disabled && !r.user.isService)
    .map((r) => describeUser(next, r.user, 0, now))
    .filter((v) => {
      if (!v.required) return false;
      // Under the new policy a first login starts the grace period now.
      const subject = subjectOf(v.user, false);
      const deadline = graceDeadline(next, subject, now);
      return deadline === null || deadline <= now.getTime();
    })
    .map((v) => v.user.displayName);
  return { wouldBlock };
}

export async function savePolicy(
  deps: Deps,
  admin: Admin,
  next: LoginPolicy,
  previous: LoginPolicy,
) {
  const now = deps.clock.now();
  await deps.db.batch([
    savePolicyStatement(deps.db, next, now, admin.ctx.user.id),
    auditInsert(
      deps.db,
      adminAudit(admin, "policy.change", null, { before: previous, after: next }),
      now,
    ),
  ]);
}

export type AuditFilter = {
  user?: string;
  event?: string;
  from?: number;
  to?: number;
  limit: number;
};

export async function queryAudit(deps: Deps, f: AuditFilter) {
  return await deps.db.select().from(auditEvents).where(and(
    f.user
      ? or(eq(auditEvents.username, f.user.trim().toLowerCase()), eq(auditEvents.userId, f.user))
      : undefined,
    f.event ? likeEscaped(auditEvents.event, `${escapeLike(f.event)}%`) : undefined,
    f.from !== undefined ? gte(auditEvents.at, f.from) : undefined,
    f.to !== undefined ? lte(auditEvents.at, f.to) : undefined,
  )).orderBy(desc(auditEvents.at)).limit(f.limit);
}

/** RFC 4180 CSV, with cells that could start a spreadsheet formula neutralised. */
export function toCsv(header: string[], rows: (string | number | null | boolean)[][]): string {
  const cell = (v: string | number | null | boolean) => {
    let s = v === null ? "" : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

export function auditCsv(rows: Awaited<ReturnType<typeof queryAudit>>): string {
  return toCsv(
    ["at", "event", "outcome", "username", "user_id", "ip", "user_agent", "detail"],
    rows.map((r) => [
      new Date(r.at).toISOString(),
      r.event,
      r.outcome,
      r.username,
      r.userId,
      r.ip,
      r.userAgent,
      r.detail,
    ]),
  );
}

export async function complianceCsv(deps: Deps): Promise<string> {
  const { users: views } = await listUsersForAdmin(deps, { page: 1, pageSize: 1_000_000 });
  return toCsv(
    [
      "username",
      "roles",
      "groups",
      "disabled",
      "service_account",
      "2fa_required",
      "2fa_status",
      "authenticators",
      "grace_deadline",
      "locked",
    ],
    views.map((v) => [
      v.user.displayName,
      v.roles.join(" "),
      v.groups.join(" "),
      v.user.disabled,
      v.user.isService,
      v.required,
      v.status,
      v.authenticatorCount,
      v.graceDeadline ? new Date(v.graceDeadline).toISOString() : null,
      v.locked,
    ]),
  );
}

export function userJson(v: AdminUserView, now: Date) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: v.user.id,
    username: v.user.displayName,
    email: v.user.email,
    roles: v.roles,
    groups: v.groups,
    disabled: v.user.disabled,
    service_account: v.user.isService,
    twofa: {
      status: v.status,
      required: v.required,
      explicitly_required: v.user.twofaRequired,
      authenticators: v.authenticatorCount,
      grace_deadline: iso(v.graceDeadline),
      enrollment_pass_pending: !!v.user.enrollmentPassHash &&
        (v.user.enrollmentPassExpiresAt ?? 0) > now.getTime(),
    },
    locked: v.locked,
    locked_until: iso(v.lockedUntil),
    locked_permanently: v.lockedPermanently,
    created_at: iso(v.user.createdAt),
  };
}

// ---- Added for the HTML console (src/admin/console_routes.tsx) ----

/** Lifts the password lock and the second-factor lock of a user. */
export async function unlockUser(
  deps: Deps,
  admin: Admin,
  id: string,
): Promise<{ ok: true } | Failure> {
  return await actOnUser(deps, admin, id, "admin.unlock", () => [
    deps.db.update(users).set({
      passwordFailures: 0,
      passwordWindowStart: null,
      passwordLockedUntil: null,
      secondFactorFailures: 0,
      secondFactorLockedUntil: null,
      lockoutCount: 0,
      lockedPermanentlyAt: null,
    }).where(eq(users.id, id)),
  ], (target) => target.lockedPermanentlyAt !== null ? { permanent: true } : {});
}

/** How many users are in each 2FA status (and locked), for the dashboard. */
export async function twofaStatusCounts(
  deps: Deps,
): Promise<Record<StatusFilter, number> & { total: number }> {
  const { users: all } = await listUsersForAdmin(deps, {
    page: 1,
    pageSize: Number.MAX_SAFE_INTEGER,
  });
  const out = {
    total: all.length,
    enrolled: 0,
    not_enrolled: 0,
    required_not_enrolled: 0,
    grace: 0,
    locked: 0,
  };
  for (const v of all) {
    out[v.status]++;
    if (v.locked) out.locked++;
  }
  return out;
}

/** Stores the password policy, audited with the admin's identity. */
export async function savePasswordPolicy(deps: Deps, admin: Admin, policy: PasswordPolicy) {
  const now = deps.clock.now();
  await deps.db.batch([
    writeSettingStatement(deps.db, PASSWORD_POLICY_KEY, policy, now, admin.ctx.user.id),
    auditInsert(deps.db, adminAudit(admin, "policy.password_change", null, { policy }), now),
  ]);
}
