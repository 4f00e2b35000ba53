import { assertEquals } from "../../tests/assert.ts";
import {
  decideNextStep,
  DEFAULT_LOGIN_POLICY,
  type LoginPolicy,
  type NextStep,
  type PolicySubject,
  secondFactorRequired,
} from "./policy.ts";

const now = new Date("2026-11-22T12:00:00Z");
const DAY = 86_400_000;
const user: PolicySubject = {
  roles: [],
  groups: [],
  explicitlyRequired: false,
  enrolled: false,
  requiredSince: null,
  graceUntil: null,
};
const admin: PolicySubject = { ...user, roles: ["admin"] };
const enrolledUser: PolicySubject = { ...user, enrolled: true };
const challenge: NextStep = { step: "challenge" };
const enroll: NextStep = { step: "enroll" };
const listed: LoginPolicy = {
  ...DEFAULT_LOGIN_POLICY,
  mode: "listed",
  requiredGroups: ["finance"],
  requiredRoles: ["ops"],
};
const office = {
  ...DEFAULT_LOGIN_POLICY,
  networkSkip: ["10.0.0.0/8"],
  networkRequire: ["10.66.0.0/16"],
};

type Row = {
  name: string;
  subject: PolicySubject;
  policy?: LoginPolicy;
  ip?: string;
  device?: boolean;
  expect: NextStep;
};

const rows: Row[] = [
  {
    name: "everyone: enrolled user is challenged",
    subject: enrolledUser,
    expect: challenge,
  },
  { name: "everyone: new user enrolls", subject: user, expect: enroll },
  {
    name: "trusted device skips the challenge",
    subject: enrolledUser,
    device: true,
    expect: { step: "done", amr: ["pwd", "dev"], reason: "device" },
  },
  {
    name: "trusted device is ignored while trusted devices are off",
    subject: enrolledUser,
    device: true,
    policy: { ...DEFAULT_LOGIN_POLICY, trustedDevicesEnabled: false },
    expect: challenge,
  },
  {
    name: "trusted device never stands in for enrollment",
    subject: user,
    device: true,
    expect: enroll,
  },
  {
    name: "listed: user outside the lists needs no 2FA",
    subject: user,
    policy: listed,
    expect: { step: "done", amr: ["pwd"], reason: "not_required" },
  },
  {
    name: "listed: member of a required group enrolls",
    subject: { ...user, groups: ["finance"] },
    policy: listed,
    expect: enroll,
  },
  {
    name: "listed: holder of a required role enrolls",
    subject: { ...user, roles: ["ops"] },
    policy: listed,
    expect: enroll,
  },
  { name: "listed: admins always", subject: admin, policy: listed, expect: enroll },
  {
    name: "listed: admins not covered when adminsAlways is off",
    subject: admin,
    policy: { ...listed, adminsAlways: false },
    expect: { step: "done", amr: ["pwd"], reason: "not_required" },
  },
  {
    name: "listed: an opted-in (enrolled) user is still challenged",
    subject: enrolledUser,
    policy: listed,
    expect: challenge,
  },
  {
    name: "listed: explicitly required user enrolls",
    subject: { ...user, explicitlyRequired: true },
    policy: listed,
    expect: enroll,
  },
  {
    name: "exempt group needs no 2FA",
    subject: { ...user, groups: ["service"] },
    policy: { ...DEFAULT_LOGIN_POLICY, exemptGroups: ["service"] },
    expect: { step: "done", amr: ["pwd"], reason: "not_required" },
  },
  {
    name: "exempt group does not exempt an admin",
    subject: { ...admin, groups: ["service"] },
    policy: { ...DEFAULT_LOGIN_POLICY, exemptGroups: ["service"] },
    expect: enroll,
  },
  {
    name: "network skip range skips the challenge",
    subject: enrolledUser,
    policy: office,
    ip: "10.1.2.3",
    expect: { step: "done", amr: ["pwd"], reason: "network" },
  },
  {
    name: "network skip does not apply to admins",
    subject: { ...admin, enrolled: true },
    policy: office,
    ip: "10.1.2.3",
    expect: challenge,
  },
  {
    name: "network require range wins over the skip range",
    subject: enrolledUser,
    policy: office,
    ip: "10.66.1.1",
    expect: challenge,
  },
  {
    name: "network require range overrides an exemption",
    subject: { ...user, groups: ["service"] },
    policy: { ...office, exemptGroups: ["service"] },
    ip: "10.66.1.1",
    expect: enroll,
  },
  {
    name: "outside both ranges: the normal rule",
    subject: enrolledUser,
    policy: office,
    ip: "192.0.2.1",
    expect: challenge,
  },
  {
    name: "grace period: not enrolled, within the days",
    subject: { ...user, requiredSince: now.getTime() - 2 * DAY },
    policy: { ...DEFAULT_LOGIN_POLICY, graceDays: 7 },
    expect: { step: "grace", deadline: now.getTime() + 5 * DAY },
  },
  {
    name: "grace period over: enroll",
    subject: { ...user, requiredSince: now.getTime() - 8 * DAY },
    policy: { ...DEFAULT_LOGIN_POLICY, graceDays: 7 },
    expect: enroll,
  },
  {
    name: "grace period extended by an admin",
    subject: { ...user, requiredSince: now.getTime() - 8 * DAY, graceUntil: now.getTime() + DAY },
    policy: { ...DEFAULT_LOGIN_POLICY, graceDays: 7 },
    expect: { step: "grace", deadline: now.getTime() + DAY },
  },
  {
    name: "grace period starts at the first login that finds 2FA required",
    subject: user,
    policy: { ...DEFAULT_LOGIN_POLICY, graceDays: 3 },
    expect: { step: "grace", deadline: now.getTime() + 3 * DAY },
  },
];

for (const row of rows) {
  Deno.test(`decideNextStep(): ${row.name}`, () => {
    assertEquals(
      decideNextStep({
        subject: row.subject,
        policy: row.policy ?? DEFAULT_LOGIN_POLICY,
        ip: row.ip ?? null,
        trustedDevice: row.device ?? false,
        now,
      }),
      row.expect,
    );
  });
}

Deno.test("secondFactorRequired() ignores unparsable addresses in ranges", () => {
  assertEquals(
    secondFactorRequired({ ...DEFAULT_LOGIN_POLICY, mode: "listed" }, user, "not-an-ip"),
    false,
  );
});
