/** Every policy rule end to end: the admin sets the policy, a user logs in from an address. */
import { eq } from "drizzle-orm";
import { users } from "../src/db/schema.ts";
import { assertEquals } from "./assert.ts";
import {
  addUser,
  api,
  codeNow,
  enrollViaApi,
  nextStep,
  PASSWORD,
  pendingLogin,
  testApp,
} from "./helpers.ts";

type Row = {
  name: string;
  policy: Record<string, unknown>;
  user: { roles?: string[]; groups?: string[]; enrolled?: boolean; trusted?: boolean };
  ip?: string;
  expect: "authenticated" | "second_factor_required" | "enrollment_required";
  amr?: string[];
};

const rows: Row[] = [
  {
    name: "everyone: enrolled user is challenged",
    policy: {},
    user: { enrolled: true },
    expect: "second_factor_required",
  },
  { name: "everyone: new user must enroll", policy: {}, user: {}, expect: "enrollment_required" },
  {
    name: "listed: outsider logs in with the password",
    policy: { mode: "listed", requiredGroups: ["finance"] },
    user: {},
    expect: "authenticated",
    amr: ["pwd"],
  },
  {
    name: "listed: group member must enroll",
    policy: { mode: "listed", requiredGroups: ["finance"] },
    user: { groups: ["finance"] },
    expect: "enrollment_required",
  },
  {
    name: "listed: role holder must enroll",
    policy: { mode: "listed", requiredRoles: ["ops"] },
    user: { roles: ["ops"] },
    expect: "enrollment_required",
  },
  {
    name: "listed: a group named like a required role does not count",
    policy: { mode: "listed", requiredRoles: ["ops"] },
    user: { groups: ["ops"] },
    expect: "authenticated",
    amr: ["pwd"],
  },
  {
    name: "listed: admins always",
    policy: { mode: "listed" },
    user: { roles: ["admin"] },
    expect: "enrollment_required",
  },
  {
    name: "listed: admins not always when turned off",
    policy: { mode: "listed", adminsAlways: false },
    user: { roles: ["admin"] },
    expect: "authenticated",
    amr: ["pwd"],
  },
  {
    name: "exempt group",
    policy: { exemptGroups: ["svc"] },
    user: { groups: ["svc"] },
    expect: "authenticated",
    amr: ["pwd"],
  },
  {
    name: "exempt group does not cover admins",
    policy: { exemptGroups: ["svc"] },
    user: { groups: ["svc"], roles: ["admin"] },
    expect: "enrollment_required",
  },
  {
    name: "network skip",
    policy: { networkSkip: ["192.168.0.0/16"] },
    user: { enrolled: true },
    ip: "192.168.4.4",
    expect: "authenticated",
    amr: ["pwd"],
  },
  {
    name: "network skip not for admins",
    policy: { networkSkip: ["192.168.0.0/16"] },
    user: { enrolled: true, roles: ["admin"] },
    ip: "192.168.4.4",
    expect: "second_factor_required",
  },
  {
    name: "network require beats exemption",
    policy: { exemptGroups: ["svc"], networkRequire: ["203.0.113.0/24"] },
    user: { groups: ["svc"] },
    ip: "203.0.113.5",
    expect: "enrollment_required",
  },
  {
    name: "network require beats listed",
    policy: { mode: "listed", networkRequire: ["2001:db8::/32"] },
    user: {},
    ip: "2001:db8::1",
    expect: "enrollment_required",
  },
  {
    name: "grace period",
    policy: { graceDays: 5 },
    user: {},
    expect: "authenticated",
    amr: ["pwd"],
  },
  {
    name: "trusted device skips",
    policy: {},
    user: { enrolled: true, trusted: true },
    expect: "authenticated",
    amr: ["pwd", "dev"],
  },
  {
    name: "trusted devices off",
    policy: { trustedDevicesEnabled: false },
    user: { enrolled: true, trusted: true },
    expect: "second_factor_required",
  },
];

for (const row of rows) {
  Deno.test(`policy: ${row.name}`, async () => {
    const env = await testApp({ CLIENT_IP_HEADER: "X-Real-IP" });
    await addUser(env, "root", ["admin"]);
    const admin = await enrollViaApi(env, "root");
    const bob = await addUser(env, "bob");
    await env.deps.db.update(users).set({
      roles: JSON.stringify(row.user.roles ?? []),
      groups: JSON.stringify(row.user.groups ?? []),
    }).where(eq(users.id, bob.id));
    let deviceToken: string | undefined;
    if (row.user.enrolled) {
      const e = await enrollViaApi(env, "bob");
      if (row.user.trusted) {
        nextStep(env);
        const p = await pendingLogin(env, "bob");
        const t = await api(env, "POST", "/api/v1/login/totp", {
          pending_token: p.pending_token,
          code: codeNow(env, e.secret),
          trust_device: true,
        });
        deviceToken = t.json.trusted_device_token;
      }
    }
    const saved = await api(env, "PUT", "/api/v1/admin/policy", row.policy, admin.sessionToken);
    assertEquals(saved.status, 200);
    const r = await api(
      env,
      "POST",
      "/api/v1/login",
      {
        username: "bob",
        password: PASSWORD,
        ...(deviceToken ? { trusted_device_token: deviceToken } : {}),
      },
      undefined,
      row.ip ? { "x-real-ip": row.ip } : {},
    );
    assertEquals(r.json.status, row.expect);
    if (row.amr) {
      const me = await api(env, "GET", "/api/v1/session", undefined, r.json.session_token);
      assertEquals(me.json.session.amr, row.amr);
    }
  });
}

Deno.test("policy: new enrollments use the policy's TOTP parameters", async () => {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  const admin = await enrollViaApi(env, "root");
  await api(env, "PUT", "/api/v1/admin/policy", {
    totpAlgorithm: "SHA256",
    totpDigits: 8,
    totpPeriod: 60,
  }, admin.sessionToken);
  await addUser(env, "bob");
  const p = await pendingLogin(env, "bob");
  const start = await api(env, "POST", "/api/v1/enrollments", {}, p.pending_token);
  const q = new URL(start.json.otpauth_uri).searchParams;
  assertEquals([q.get("algorithm"), q.get("digits"), q.get("period")], ["SHA256", "8", "60"]);
});

Deno.test("policy: with recovery codes off none are issued and the recovery login is refused", async () => {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  const admin = await enrollViaApi(env, "root");
  await api(
    env,
    "PUT",
    "/api/v1/admin/policy",
    { recoveryCodesEnabled: false },
    admin.sessionToken,
  );
  await addUser(env, "bob");
  const e = await enrollViaApi(env, "bob");
  assertEquals(e.recoveryCodes, []);
  const p = await pendingLogin(env, "bob");
  assertEquals(p.methods, ["totp"]);
  const r = await api(env, "POST", "/api/v1/login/recovery", {
    pending_token: p.pending_token,
    recovery_code: "aaaa-bbbb-cccc-dddd-eeee-ffff",
  });
  assertEquals(r.json.error.code, "recovery_codes_disabled");
});

Deno.test("policy: trusted-device validity comes from the policy", async () => {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  const admin = await enrollViaApi(env, "root");
  await api(env, "PUT", "/api/v1/admin/policy", { trustedDeviceDays: 2 }, admin.sessionToken);
  await addUser(env, "bob");
  const e = await enrollViaApi(env, "bob");
  nextStep(env);
  const p = await pendingLogin(env, "bob");
  const t = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
    trust_device: true,
  });
  env.clock.advance(2 * 86_400_000 + 1000);
  const r = await api(env, "POST", "/api/v1/login", {
    username: "bob",
    password: PASSWORD,
    trusted_device_token: t.json.trusted_device_token,
  });
  assertEquals(r.json.status, "second_factor_required");
});
