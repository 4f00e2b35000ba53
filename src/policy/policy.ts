/**
 * @module The 2FA policy: who must use a second factor, from where, with which grace period,
 * and the settings of recovery codes, trusted devices and new authenticators. Stored as the
 * "login_policy" setting and edited on /admin/policy. Pure: no I/O here.
 */
import { z } from "zod";
import { DAY } from "../lib/clock.ts";
import { inAnyCidr, parseCidr } from "../lib/ip.ts";
import { webauthnPolicySchema } from "../webauthn/webauthn.ts";

/** The longest an admin may let a trusted device skip the second factor. */
export const TRUSTED_DEVICE_MAX_DAYS = 365;

const cidrList = z.array(
  z.string().trim().refine((c) => parseCidr(c) !== null, { message: "not a CIDR range" }),
).max(200);
const nameList = z.array(z.string().trim().min(1).max(64)).max(200);

export const loginPolicySchema = z.object({
  /** "everyone": all users must use 2FA; "listed": only the roles and groups below. */
  mode: z.enum(["everyone", "listed"]).default("everyone"),
  requiredRoles: nameList.default([]),
  requiredGroups: nameList.default([]),
  /** Admins always need 2FA, whatever else says. */
  adminsAlways: z.boolean().default(true),
  /** Groups that never need 2FA (e.g. service accounts); admins stay covered by adminsAlways. */
  exemptGroups: nameList.default([]),
  /** Client ranges where 2FA is always required, over exemptions and skips. */
  networkRequire: cidrList.default([]),
  /** Client ranges where the second factor is skipped (not for admins while adminsAlways). */
  networkSkip: cidrList.default([]),
  /** Days a user may still log in without enrolling after 2FA becomes required for them. */
  graceDays: z.number().int().min(0).max(365).default(0),
  recoveryCodesEnabled: z.boolean().default(true),
  trustedDevicesEnabled: z.boolean().default(true),
  trustedDeviceDays: z.number().int().min(1).max(TRUSTED_DEVICE_MAX_DAYS).default(30),
  totpAlgorithm: z.enum(["SHA1", "SHA256", "SHA512"]).default("SHA1"),
  totpDigits: z.number().int().min(6).max(10).default(6),
  totpPeriod: z.number().int().min(15).max(120).default(30),
  totpWindow: z.number().int().min(0).max(2).default(1),
  /** Alert when a user's second-factor failures within the window exceed the threshold. */
  alertThreshold: z.number().int().min(1).max(100).default(3),
  alertWindowMinutes: z.number().int().min(1).max(1440).default(5),
  /** Roles that never need 2FA, like exemptGroups; admins stay covered by adminsAlways. */
  exemptRoles: nameList.default([]),
  /**
   * Who may set up a second factor at all (Icinga's permission): when either list is non-empty,
   * only members of these roles or groups, and anyone the policy requires 2FA of. Empty: all.
   */
  mayEnrollRoles: nameList.default([]),
  mayEnrollGroups: nameList.default([]),
  // ---- webauthn (issue 19): its own object, kept apart from the fields above ----
  webauthn: webauthnPolicySchema.prefault({}),
});

export type LoginPolicy = z.infer<typeof loginPolicySchema>;

export const DEFAULT_LOGIN_POLICY: LoginPolicy = loginPolicySchema.parse({});

/** What the policy needs to know about a user. */
export type PolicySubject = {
  roles: string[];
  groups: string[];
  /** An admin required 2FA for this user explicitly. */
  explicitlyRequired: boolean;
  enrolled: boolean;
  /** When 2FA was first found required for this user (start of the grace period). */
  requiredSince: number | null;
  /** An admin's per-user extension of the grace period. */
  graceUntil: number | null;
};

const isAdmin = (s: PolicySubject) => s.roles.includes("admin");

/** Whether policy makes this user use a second factor, from this client address. */
export function secondFactorRequired(
  policy: LoginPolicy,
  subject: PolicySubject,
  ip: string | null,
): boolean {
  if (isAdmin(subject) && policy.adminsAlways) return true;
  if (inAnyCidr(ip, policy.networkRequire)) return true;
  if (subject.explicitlyRequired) return true;
  if (inAnyCidr(ip, policy.networkSkip)) return false;
  if (subject.groups.some((g) => policy.exemptGroups.includes(g))) return false;
  if (subject.roles.some((r) => policy.exemptRoles.includes(r))) return false;
  if (policy.mode === "everyone") return true;
  return subject.roles.some((r) => policy.requiredRoles.includes(r)) ||
    subject.groups.some((g) => policy.requiredGroups.includes(g));
}

/**
 * Whether this user may set up a second factor: anyone when the policy names no one, else the
 * listed roles and groups, and always whoever the policy requires 2FA of (so no one is both
 * required and refused).
 */
export function mayEnroll(policy: LoginPolicy, subject: PolicySubject, ip: string | null): boolean {
  if (!policy.mayEnrollRoles.length && !policy.mayEnrollGroups.length) return true;
  if (subject.roles.some((r) => policy.mayEnrollRoles.includes(r))) return true;
  if (subject.groups.some((g) => policy.mayEnrollGroups.includes(g))) return true;
  return secondFactorRequired(policy, subject, ip);
}

/** Whether the second factor is skipped for this address (a network skip rule applies). */
export function networkSkips(
  policy: LoginPolicy,
  subject: PolicySubject,
  ip: string | null,
): boolean {
  if (isAdmin(subject) && policy.adminsAlways) return false;
  if (inAnyCidr(ip, policy.networkRequire) || subject.explicitlyRequired) return false;
  return inAnyCidr(ip, policy.networkSkip);
}

/** The end of the user's grace period, or null when there is none. */
export function graceDeadline(
  policy: LoginPolicy,
  subject: PolicySubject,
  now: Date,
): number | null {
  const start = subject.requiredSince ?? now.getTime();
  const byPolicy = policy.graceDays > 0 ? start + policy.graceDays * DAY : null;
  const deadline = Math.max(byPolicy ?? 0, subject.graceUntil ?? 0);
  return deadline > 0 ? deadline : null;
}

export type NextStep =
  /** Logged in without a code: not required, a network skip, or a valid trusted device. */
  | { step: "done"; amr: ("pwd" | "dev")[]; reason: "not_required" | "network" | "device" }
  /** Logged in without a factor during the grace period; the deadline is shown. */
  | { step: "grace"; deadline: number }
  /** The user has a factor: ask for a code or a recovery code. */
  | { step: "challenge" }
  /** 2FA is required and the user has no factor (grace over): enroll inside the login. */
  | { step: "enroll" };

/**
 * What a login needs after a correct password: one pure function of the user, the policy, the
 * client address and the presented trusted device. A trusted device only ever skips the second
 * factor of a user who has one (and only while the policy allows trusted devices).
 */
export function decideNextStep(input: {
  subject: PolicySubject;
  policy: LoginPolicy;
  ip: string | null;
  trustedDevice: boolean;
  now: Date;
}): NextStep {
  const { subject, policy, ip, now } = input;
  if (networkSkips(policy, subject, ip)) return { step: "done", amr: ["pwd"], reason: "network" };
  if (subject.enrolled) {
    return input.trustedDevice && policy.trustedDevicesEnabled
      ? { step: "done", amr: ["pwd", "dev"], reason: "device" }
      : { step: "challenge" };
  }
  if (!secondFactorRequired(policy, subject, ip)) {
    return { step: "done", amr: ["pwd"], reason: "not_required" };
  }
  const deadline = graceDeadline(policy, subject, now);
  return deadline !== null && now.getTime() < deadline
    ? { step: "grace", deadline }
    : { step: "enroll" };
}
