/** The admin API: who gets in, every action, the policy preview, audit and reports, alerts. */
import { eq } from "drizzle-orm";
import { alerts, auditEvents, authenticators, users } from "../src/db/schema.ts";
import { deliverDue } from "../src/outbox/outbox.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import {
  addUser,
  api,
  codeNow,
  enrollViaApi,
  nextStep,
  PASSWORD,
  pendingLogin,
  testApp,
  type TestEnv,
} from "./helpers.ts";

async function setup(env?: TestEnv) {
  env ??= await testApp();
  await addUser(env, "root", ["admin"]);
  const alice = await addUser(env, "alice");
  const admin = await enrollViaApi(env, "root");
  return { env, admin, alice, token: admin.sessionToken };
}

const ADMIN_ROUTES: [string, string, unknown?][] = [
  ["GET", "/api/v1/admin/users"],
  ["POST", "/api/v1/admin/users", { username: "x", password: "a long passphrase here" }],
  ["GET", "/api/v1/admin/users/ID"],
  ["PATCH", "/api/v1/admin/users/ID", { groups: ["x"] }],
  ["POST", "/api/v1/admin/users/ID/require-2fa"],
  ["DELETE", "/api/v1/admin/users/ID/require-2fa"],
  ["POST", "/api/v1/admin/users/ID/reset-2fa", {}],
  ["POST", "/api/v1/admin/users/ID/disable-2fa"],
  ["POST", "/api/v1/admin/users/ID/unlock"],
  ["POST", "/api/v1/admin/users/ID/end-sessions"],
  ["POST", "/api/v1/admin/users/ID/extend-grace", { days: 3 }],
  ["GET", "/api/v1/admin/users/ID/trusted-devices"],
  ["DELETE", "/api/v1/admin/users/ID/trusted-devices/x"],
  ["GET", "/api/v1/admin/policy"],
  ["PUT", "/api/v1/admin/policy", {}],
  ["POST", "/api/v1/admin/policy/preview", {}],
  ["GET", "/api/v1/admin/password-policy"],
  ["PUT", "/api/v1/admin/password-policy", {}],
  ["GET", "/api/v1/admin/audit"],
  ["GET", "/api/v1/admin/reports/compliance.csv"],
  ["GET", "/api/v1/admin/alerts"],
  ["POST", "/api/v1/admin/alerts/x/ack"],
  ["GET", "/api/v1/admin/api-keys"],
  ["POST", "/api/v1/admin/api-keys", { username: "alice", name: "k", scopes: ["read"] }],
  ["DELETE", "/api/v1/admin/api-keys/x"],
];

Deno.test("admin API: non-admins, pending tokens, API keys and nobody are refused on every route", async () => {
  const { env, token, alice } = await setup();
  const aliceSession = (await enrollViaApi(env, "alice")).sessionToken;
  const pending = (await pendingLogin(env, "root")).pending_token;
  const key = (await api(env, "POST", "/api/v1/admin/api-keys", {
    username: "root",
    name: "k",
    scopes: ["admin"],
  }, token)).json.api_key;
  const before = await env.deps.db.select().from(users);
  for (const [method, path, body] of ADMIN_ROUTES) {
    const p = path.replace("ID", alice.id);
    for (
      const [who, t, status] of [["nobody", undefined, 401], ["user", aliceSession, 403], [
        "pending",
        pending,
        401,
      ], ["api key", key, 403]] as const
    ) {
      const r = await api(env, method, p, body, t);
      assertEquals(r.status, status, `${who} ${method} ${p}`);
    }
  }
  assertEquals(await env.deps.db.select().from(users), before);
});

Deno.test("admin API: a password-only admin session (2FA not required by policy) is not enough", async () => {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  await env.deps.db.run(
    `INSERT INTO settings (key, value, updated_at) VALUES ('login_policy', '{"adminsAlways": false, "mode": "listed"}', 0)`,
  );
  const r = await api(env, "POST", "/api/v1/login", { username: "root", password: PASSWORD });
  assertEquals(r.json.status, "authenticated");
  const list = await api(env, "GET", "/api/v1/admin/users", undefined, r.json.session_token);
  assertEquals(list.status, 403);
});

Deno.test("admin API: users list with search, status filter and paging", async () => {
  const { env, token } = await setup();
  for (const n of ["bob", "carol", "dave"]) await addUser(env, n);
  await enrollViaApi(env, "bob");
  const all = await api(env, "GET", "/api/v1/admin/users?page_size=2", undefined, token);
  assertEquals(all.json.total, 5);
  assertEquals(all.json.users.length, 2);
  const page3 = await api(env, "GET", "/api/v1/admin/users?page_size=2&page=3", undefined, token);
  assertEquals(page3.json.users.length, 1);
  const enrolled = await api(env, "GET", "/api/v1/admin/users?status=enrolled", undefined, token);
  assertEquals(enrolled.json.users.map((u: { username: string }) => u.username), ["bob", "root"]);
  const missing = await api(
    env,
    "GET",
    "/api/v1/admin/users?status=required_not_enrolled",
    undefined,
    token,
  );
  assertEquals(missing.json.users.map((u: { username: string }) => u.username), [
    "alice",
    "carol",
    "dave",
  ]);
  const search = await api(env, "GET", "/api/v1/admin/users?q=car", undefined, token);
  assertEquals(search.json.users.map((u: { username: string }) => u.username), ["carol"]);
  const bad = await api(env, "GET", "/api/v1/admin/users?status=nonsense", undefined, token);
  assertEquals(bad.status, 400);
  assert(!JSON.stringify(all.json).includes("secret"), "no secrets in admin views");
});

Deno.test("admin API: create, edit roles and groups, disable and enable a user", async () => {
  const { env, token } = await setup();
  const weak = await api(env, "POST", "/api/v1/admin/users", {
    username: "erin",
    password: "short",
  }, token);
  assertEquals(weak.status, 400);
  assert(weak.json.error.fields.password);
  const made = await api(env, "POST", "/api/v1/admin/users", {
    username: "Erin",
    password: "a long passphrase of hers",
    roles: ["user"],
    groups: ["finance"],
    email: "erin@example.com",
  }, token);
  assertEquals(made.status, 201);
  assertEquals([made.json.user.username, made.json.user.groups], ["Erin", ["finance"]]);
  const id = made.json.user.id;
  const dup = await api(env, "POST", "/api/v1/admin/users", {
    username: "erin",
    password: "another long passphrase",
  }, token);
  assertEquals(dup.json.error.fields.username, ["That username is taken."]);
  const edit = await api(env, "PATCH", `/api/v1/admin/users/${id}`, {
    groups: ["ops", "finance"],
    roles: ["admin"],
  }, token);
  assertEquals(edit.json.user.groups, ["finance", "ops"]);
  assertEquals(edit.json.user.roles, ["admin"]);
  const mass = await api(env, "PATCH", `/api/v1/admin/users/${id}`, { password_hash: "x" }, token);
  assertEquals(mass.status, 400); // no mass assignment
  const login = await api(env, "POST", "/api/v1/login", {
    username: "erin",
    password: "a long passphrase of hers",
  });
  assertEquals(login.json.status, "enrollment_required");
  await api(env, "PATCH", `/api/v1/admin/users/${id}`, { disabled: true }, token);
  const refused = await api(env, "POST", "/api/v1/login", {
    username: "erin",
    password: "a long passphrase of hers",
  });
  assertEquals(refused.status, 401);
  await api(env, "PATCH", `/api/v1/admin/users/${id}`, { disabled: false }, token);
  const back = await api(env, "POST", "/api/v1/login", {
    username: "erin",
    password: "a long passphrase of hers",
  });
  assertEquals(back.status, 200);
});

Deno.test("admin API: reset 2FA with an enrollment pass; the password alone cannot enroll", async () => {
  const { env, token, alice } = await setup();
  const a = await enrollViaApi(env, "alice");
  const r = await api(env, "POST", `/api/v1/admin/users/${alice.id}/reset-2fa`, {}, token);
  assertEquals(r.status, 200);
  assertMatch(r.json.enrollment_pass, /^([A-Z2-9]{5}-){3}[A-Z2-9]{5}$/);
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, a.sessionToken)).status, 401);
  assertEquals(
    (await env.deps.db.select().from(authenticators).where(eq(authenticators.userId, alice.id)))
      .length,
    0,
  );
  // The user (or whoever has the password) logs in and must enroll, but needs the pass.
  const p = await pendingLogin(env, "alice");
  assertEquals(p.status, "enrollment_required");
  const noPass = await api(env, "POST", "/api/v1/enrollments", {}, p.pending_token);
  assertEquals(noPass.json.error.code, "enrollment_pass_required");
  const wrongPass = await api(env, "POST", "/api/v1/enrollments", {
    enrollment_pass: "AAAAA-AAAAA-AAAAA-AAAAA",
  }, p.pending_token);
  assertEquals(wrongPass.status, 403);
  const start = await api(env, "POST", "/api/v1/enrollments", {
    enrollment_pass: r.json.enrollment_pass.toLowerCase(),
  }, p.pending_token);
  assertEquals(start.status, 201);
  const ok = await api(env, "POST", `/api/v1/enrollments/${start.json.enrollment_id}/confirm`, {
    code: codeNow(env, start.json.secret),
  }, p.pending_token);
  assertEquals(ok.status, 200);
  // The pass is used up with the enrollment.
  const [row] = await env.deps.db.select().from(users).where(eq(users.id, alice.id));
  assertEquals(row.enrollmentPassHash, null);
  // Admin views never show the pass.
  const view = await api(env, "GET", `/api/v1/admin/users/${alice.id}`, undefined, token);
  assert(!JSON.stringify(view.json).includes(r.json.enrollment_pass));
});

Deno.test("admin API: the enrollment pass expires after 24 hours", async () => {
  const { env, token, alice } = await setup();
  await enrollViaApi(env, "alice");
  const r = await api(
    env,
    "POST",
    `/api/v1/admin/users/${alice.id}/reset-2fa`,
    { mode: "pass" },
    token,
  );
  env.clock.advance(24 * 3_600_000 + 1000);
  const p = await pendingLogin(env, "alice");
  const late = await api(env, "POST", "/api/v1/enrollments", {
    enrollment_pass: r.json.enrollment_pass,
  }, p.pending_token);
  assertEquals(late.json.error.code, "enrollment_pass_required");
});

Deno.test("admin API: plain reset lets the password enroll again", async () => {
  const { env, token, alice } = await setup();
  await enrollViaApi(env, "alice");
  const r = await api(
    env,
    "POST",
    `/api/v1/admin/users/${alice.id}/reset-2fa`,
    { mode: "plain" },
    token,
  );
  assertEquals(r.json.enrollment_pass, null);
  await enrollViaApi(env, "alice");
});

Deno.test("admin API: require 2FA for one user, disable 2FA only where policy allows", async () => {
  const { env, token, alice } = await setup();
  await api(env, "PUT", "/api/v1/admin/policy", { mode: "listed" }, token);
  const free = await api(env, "POST", "/api/v1/login", { username: "alice", password: PASSWORD });
  assertEquals(free.json.status, "authenticated");
  assertEquals(
    (await api(env, "POST", `/api/v1/admin/users/${alice.id}/require-2fa`, undefined, token))
      .status,
    204,
  );
  const must = await api(env, "POST", "/api/v1/login", { username: "alice", password: PASSWORD });
  assertEquals(must.json.status, "enrollment_required");
  await enrollViaApi(env, "alice");
  const refused = await api(
    env,
    "POST",
    `/api/v1/admin/users/${alice.id}/disable-2fa`,
    undefined,
    token,
  );
  assertEquals(refused.json.error.code, "policy_requires_2fa");
  await api(env, "DELETE", `/api/v1/admin/users/${alice.id}/require-2fa`, undefined, token);
  assertEquals(
    (await api(env, "POST", `/api/v1/admin/users/${alice.id}/disable-2fa`, undefined, token))
      .status,
    204,
  );
  const after = await api(env, "POST", "/api/v1/login", { username: "alice", password: PASSWORD });
  assertEquals(after.json.status, "authenticated");
});

Deno.test("admin API: end sessions, list and revoke trusted devices, unlock", async () => {
  const { env, token, alice } = await setup();
  const a = await enrollViaApi(env, "alice");
  nextStep(env);
  const p = await pendingLogin(env, "alice");
  const t = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, a.secret),
    trust_device: true,
    device_name: "Phone",
  });
  const devices = await api(
    env,
    "GET",
    `/api/v1/admin/users/${alice.id}/trusted-devices`,
    undefined,
    token,
  );
  assertEquals(devices.json.trusted_devices.map((d: { name: string }) => d.name), ["Phone"]);
  assertEquals(
    (await api(
      env,
      "DELETE",
      `/api/v1/admin/users/${alice.id}/trusted-devices/${devices.json.trusted_devices[0].id}`,
      undefined,
      token,
    )).status,
    204,
  );
  const skip = await api(env, "POST", "/api/v1/login", {
    username: "alice",
    password: PASSWORD,
    trusted_device_token: t.json.trusted_device_token,
  });
  assertEquals(skip.json.status, "second_factor_required");
  assertEquals(
    (await api(env, "POST", `/api/v1/admin/users/${alice.id}/end-sessions`, undefined, token))
      .status,
    204,
  );
  assertEquals(
    (await api(env, "GET", "/api/v1/session", undefined, t.json.session_token)).status,
    401,
  );
  assertEquals(
    (await api(env, "POST", "/api/v1/admin/users/nope/end-sessions", undefined, token)).status,
    404,
  );
  const events = (await env.deps.db.select().from(auditEvents)).filter((e) =>
    e.event.startsWith("admin.")
  );
  assert(
    events.every((e) => JSON.parse(e.detail).admin === "root"),
    "audited with the admin's identity",
  );
  assertEquals(events.map((e) => e.event).sort(), ["admin.end_sessions", "admin.revoke_device"]);
});

Deno.test("admin API: policy preview names the users a change would block, and saving is audited", async () => {
  const { env, token } = await setup();
  await addUser(env, "bob");
  await env.deps.db.update(users).set({ groups: '["finance"]' }).where(eq(users.username, "bob"));
  await enrollViaApi(env, "alice");
  await api(env, "PUT", "/api/v1/admin/policy", { mode: "listed" }, token);
  const preview = await api(env, "POST", "/api/v1/admin/policy/preview", {
    mode: "listed",
    requiredGroups: ["finance"],
  }, token);
  assertEquals(preview.json, { would_block: ["bob"], count: 1 });
  const withGrace = await api(env, "POST", "/api/v1/admin/policy/preview", {
    mode: "listed",
    requiredGroups: ["finance"],
    graceDays: 7,
  }, token);
  assertEquals(withGrace.json.count, 0);
  const everyone = await api(
    env,
    "POST",
    "/api/v1/admin/policy/preview",
    { mode: "everyone" },
    token,
  );
  assertEquals(everyone.json.would_block, ["bob"]); // alice and root are enrolled
  const bad = await api(env, "PUT", "/api/v1/admin/policy", {
    mode: "sometimes",
    networkSkip: ["10.0.0.0/99"],
  }, token);
  assertEquals(bad.status, 400);
  assert(bad.json.error.fields.mode && bad.json.error.fields["networkSkip.0"]);
  const saved = await api(env, "PUT", "/api/v1/admin/policy", {
    mode: "listed",
    requiredGroups: ["finance"],
  }, token);
  assertEquals(saved.json.would_block, ["bob"]);
  const changes = await env.deps.db.select().from(auditEvents).where(
    eq(auditEvents.event, "policy.change"),
  );
  assertEquals(changes.length, 2);
  const bob = await api(env, "POST", "/api/v1/login", { username: "bob", password: PASSWORD });
  assertEquals(bob.json.status, "enrollment_required");
});

/** A new admin session (the first one expires when the tests move the clock by days). */
async function adminLogin(env: TestEnv, admin: Awaited<ReturnType<typeof setup>>["admin"]) {
  nextStep(env);
  const p = await pendingLogin(env, "root");
  const r = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, admin.secret),
  });
  return r.json.session_token as string;
}

Deno.test("admin API: grace period shown at login, enforced after, extended per user", async () => {
  const { env, token, alice, admin } = await setup();
  await api(env, "PUT", "/api/v1/admin/policy", { graceDays: 3 }, token);
  const first = await api(env, "POST", "/api/v1/login", { username: "alice", password: PASSWORD });
  assertEquals(first.json.status, "authenticated");
  assertEquals(
    new Date(first.json.enrollment_deadline).getTime() - env.clock.now().getTime(),
    3 * 86_400_000,
  );
  const list = await api(env, "GET", "/api/v1/admin/users?status=grace", undefined, token);
  assertEquals(list.json.users[0].twofa.grace_deadline, first.json.enrollment_deadline);
  env.clock.advance(2 * 86_400_000);
  const second = await api(env, "POST", "/api/v1/login", { username: "alice", password: PASSWORD });
  assertEquals(second.json.enrollment_deadline, first.json.enrollment_deadline); // counted from the first login
  env.clock.advance(86_400_000 + 1000);
  const late = await api(env, "POST", "/api/v1/login", { username: "alice", password: PASSWORD });
  assertEquals(late.json.status, "enrollment_required");
  const fresh = await adminLogin(env, admin);
  const ext = await api(
    env,
    "POST",
    `/api/v1/admin/users/${alice.id}/extend-grace`,
    { days: 2 },
    fresh,
  );
  assertEquals(ext.status, 200);
  const again = await api(env, "POST", "/api/v1/login", { username: "alice", password: PASSWORD });
  assertEquals(again.json.status, "authenticated");
  assertEquals(again.json.enrollment_deadline, ext.json.grace_until);
  // A grace session can set up the first factor without a code.
  const start = await api(env, "POST", "/api/v1/enrollments", {}, again.json.session_token);
  assertEquals(start.status, 201);
});

Deno.test("admin API: audit filters and CSV export; compliance report", async () => {
  const { env, token } = await setup();
  await api(env, "POST", "/api/v1/login", { username: "alice", password: "wrong" });
  env.clock.advance(60_000);
  await api(env, "POST", "/api/v1/login", { username: "alice", password: "=cmd|wrong" });
  const byUser = await api(
    env,
    "GET",
    "/api/v1/admin/audit?user=alice&event=login.password",
    undefined,
    token,
  );
  assertEquals(byUser.json.events.length, 2);
  assert(byUser.json.events.every((e: { outcome: string }) => e.outcome === "failure"));
  const from = new Date(env.clock.now().getTime() - 30_000).toISOString();
  const ranged = await api(
    env,
    "GET",
    `/api/v1/admin/audit?user=alice&from=${encodeURIComponent(from)}`,
    undefined,
    token,
  );
  assertEquals(ranged.json.events.length, 1);
  const csv = await env.app.request("/api/v1/admin/audit?format=csv&user=alice&event=login", {
    headers: { authorization: `Bearer ${token}` },
  });
  assertEquals(csv.headers.get("content-type"), "text/csv; charset=utf-8");
  const text = await csv.text();
  assertMatch(text, /^at,event,outcome,username,user_id,ip,user_agent,detail\r\n/);
  assertEquals(text.trim().split("\r\n").length, 3);
  const report = await env.app.request("/api/v1/admin/reports/compliance.csv", {
    headers: { authorization: `Bearer ${token}` },
  });
  const rows = (await report.text()).trim().split("\r\n");
  assertEquals(
    rows[0],
    "username,roles,groups,disabled,service_account,2fa_required,2fa_status,authenticators,grace_deadline,locked",
  );
  assertStringIncludes(rows.find((r) => r.startsWith("alice,"))!, "required_not_enrolled");
  assertStringIncludes(rows.find((r) => r.startsWith("root,"))!, "enrolled,1");
});

Deno.test("admin API: more than 3 second-factor failures in 5 minutes raise one alert and a webhook POST", async () => {
  const received: { alert: string; username: string; failures: number }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    received.push(await req.json());
    return new Response(null, { status: 200 });
  });
  try {
    const env = await testApp({ ALERT_WEBHOOK_URL: `http://127.0.0.1:${server.addr.port}/alerts` });
    const { token } = await setup(env);
    await enrollViaApi(env, "alice");
    const fail = async () => {
      const p = await pendingLogin(env, "alice");
      await api(env, "POST", "/api/v1/login/totp", {
        pending_token: p.pending_token,
        code: "000000",
      });
    };
    for (let i = 0; i < 3; i++) {
      await fail();
      env.clock.advance(2 * 60_000); // spread out: never more than 3 within 5 minutes
    }
    assertEquals((await env.deps.db.select().from(alerts)).length, 0);
    for (let i = 0; i < 3; i++) await fail(); // now 4 or more within 5 minutes
    const raised = await env.deps.db.select().from(alerts);
    assertEquals(raised.length, 1);
    assertEquals(raised[0].username, "alice");
    assertEquals(await deliverDue(env.deps), 1);
    assertEquals(received.length, 1);
    assertEquals([received[0].alert, received[0].username], ["second_factor_failures", "alice"]);
    const open = await api(env, "GET", "/api/v1/admin/alerts", undefined, token);
    assertEquals(open.json.alerts.length, 1);
    assertEquals(
      (await api(
        env,
        "POST",
        `/api/v1/admin/alerts/${open.json.alerts[0].id}/ack`,
        undefined,
        token,
      )).status,
      204,
    );
    assertEquals(
      (await api(env, "GET", "/api/v1/admin/alerts", undefined, token)).json.alerts.length,
      0,
    );
  } finally {
    await server.shutdown();
  }
});
