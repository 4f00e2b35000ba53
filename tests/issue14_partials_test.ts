/**
 * The smaller pieces of issue 14: recovery codes downloadable at enrollment, an expiry for
 * personal access tokens on the account page, username and roles in the session token,
 * exemption by role, and who may set up 2FA at all.
 */
import { eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { apiKeys, auditEvents, users } from "../src/db/schema.ts";
import { DAY } from "../src/lib/clock.ts";
import { totpCodeAt } from "../src/totp/totp.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import {
  addUser,
  api,
  Browser,
  enrollViaApi,
  nextStep,
  PASSWORD,
  testApp,
  type TestEnv,
} from "./helpers.ts";

/** Password then enrollment in a browser; returns the secret and the codes page's HTML. */
async function enrollInBrowser(env: TestEnv, b: Browser) {
  await b.get("/login");
  await b.post("/login", { username: "alice", password: PASSWORD });
  await b.get("/enroll");
  const secret = b.attr("secret", "data-secret")!;
  const enrollmentId = b.lastHtml.match(/name="enrollment_id" value="([^"]+)"/)![1];
  const ok = await b.post("/enroll", {
    enrollment_id: enrollmentId,
    code: totpCodeAt(secret, env.clock.now()),
  });
  assertEquals(ok.status, 200);
  return { secret, html: b.lastHtml };
}

Deno.test("recovery codes: downloadable as a text file right at enrollment", async () => {
  const env = await testApp();
  await addUser(env);
  const { html } = await enrollInBrowser(env, new Browser(env));
  const codes = [...html.matchAll(/<li><code>([0-9a-z-]+)<\/code><\/li>/g)].map((m) => m[1]);
  assertEquals(codes.length, 10);
  const href = html.match(
    /id="download-codes" download="twofold-recovery-codes.txt" href="([^"]+)"/,
  )
    ?.[1];
  assert(href?.startsWith("data:text/plain;charset=utf-8,"), html);
  const text = decodeURIComponent(href!.slice(href!.indexOf(",") + 1).replaceAll("&amp;", "&"));
  for (const code of codes) assertStringIncludes(text, `${code}\n`);
});

Deno.test("personal access tokens: the account page sets the expiry", async () => {
  const env = await testApp();
  await addUser(env);
  const b = new Browser(env);
  const { secret } = await enrollInBrowser(env, b);
  await b.get("/account");
  assertStringIncludes(b.lastHtml, 'name="expires_in_days"');
  nextStep(env);
  const made = await b.post("/account/tokens", {
    name: "ci",
    scope_read: "true",
    expires_in_days: "3",
    code: totpCodeAt(secret, env.clock.now()),
  });
  assertEquals(made.status, 200);
  const [row] = await env.deps.db.select().from(apiKeys).where(eq(apiKeys.name, "ci"));
  assertEquals(row.expiresAt - env.clock.now().getTime(), 3 * DAY);
  // Out of range: refused, nothing made.
  nextStep(env);
  await b.get("/account");
  const bad = await b.post("/account/tokens", {
    name: "too long",
    scope_read: "true",
    expires_in_days: "999",
    code: totpCodeAt(secret, env.clock.now()),
  });
  assertEquals(bad.status, 303);
  assertEquals((await env.deps.db.select().from(apiKeys)).length, 1);
});

Deno.test("session token: carries username and roles; the session row still decides", async () => {
  const env = await testApp();
  await addUser(env, "Root", ["admin"]);
  const { sessionToken } = await enrollViaApi(env, "root");
  const claims = decodeJwt(sessionToken);
  assertEquals(claims.username, "Root");
  assertEquals(claims.roles, ["admin"]);
  assertEquals(claims.sid, claims.jti);
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, sessionToken)).status, 200);
  assertEquals((await api(env, "POST", "/api/v1/logout", undefined, sessionToken)).status, 204);
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, sessionToken)).status, 401);
});

async function withPolicy(policy: Record<string, unknown>) {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  const admin = await enrollViaApi(env, "root");
  const put = await api(env, "PUT", "/api/v1/admin/policy", policy, admin.sessionToken);
  assertEquals(put.status, 200, JSON.stringify(put.json));
  return env;
}

Deno.test("2FA policy: exemption by role as well as by group", async () => {
  const env = await withPolicy({ exemptRoles: ["user"] });
  await addUser(env, "bot", ["user"]);
  await addUser(env, "alice");
  const bot = await api(env, "POST", "/api/v1/login", { username: "bot", password: PASSWORD });
  assertEquals(bot.json.status, "authenticated");
  const alice = await api(env, "POST", "/api/v1/login", { username: "alice", password: PASSWORD });
  assertEquals(alice.json.status, "enrollment_required");
});

Deno.test("2FA policy: who may set up 2FA at all, beside who must", async () => {
  const env = await withPolicy({
    mode: "listed",
    requiredRoles: ["user"],
    mayEnrollGroups: ["staff"],
  });
  await addUser(env, "guest");
  await addUser(env, "staffer");
  await addUser(env, "payroll", ["user"]);
  await env.deps.db.update(users).set({ groups: '["staff"]' }).where(eq(users.username, "staffer"));

  const start = async (username: string) => {
    const login = await api(env, "POST", "/api/v1/login", { username, password: PASSWORD });
    return await api(
      env,
      "POST",
      "/api/v1/enrollments",
      {},
      login.json.session_token ?? login.json.pending_token,
    );
  };
  // The account page offers no "add" to someone who may not.
  const page = new Browser(env);
  await page.get("/login");
  await page.post("/login", { username: "guest", password: PASSWORD });
  await page.get("/account");
  assert(!page.lastHtml.includes('id="add-authenticator"'), "guest is offered enrollment");
  const guest = await start("guest");
  assertEquals(guest.status, 403);
  assertEquals(guest.json.error.code, "enrollment_not_allowed");
  assertEquals((await start("staffer")).status, 201);
  // Required of payroll (role user), so always allowed, though not in the list.
  assertEquals((await start("payroll")).status, 201);
  const refused = await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "enrollment.start"));
  assertEquals(
    refused.filter((r) => r.outcome === "failure").map((r) => JSON.parse(r.detail).reason),
    ["not_allowed_by_policy"],
  );
});

Deno.test("2FA policy page: exempt roles and who may set up 2FA are on the form and saved", async () => {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  const b = new Browser(env);
  const { secret } = await (async () => {
    await b.get("/login");
    await b.post("/login", { username: "root", password: PASSWORD });
    await b.get("/enroll");
    const secret = b.attr("secret", "data-secret")!;
    const id = b.lastHtml.match(/name="enrollment_id" value="([^"]+)"/)![1];
    await b.post("/enroll", { enrollment_id: id, code: totpCodeAt(secret, env.clock.now()) });
    return { secret };
  })();
  assert(secret);
  await b.get("/admin/policy");
  for (const name of ["exemptRoles", "mayEnrollRoles", "mayEnrollGroups"]) {
    assertStringIncludes(b.lastHtml, `name="${name}"`);
  }
  const { DEFAULT_LOGIN_POLICY } = await import("../src/policy/policy.ts");
  const form = Object.fromEntries(
    Object.entries(DEFAULT_LOGIN_POLICY)
      .filter(([, v]) => typeof v === "number" || typeof v === "string")
      .map(([k, v]) => [k, String(v)]),
  );
  const preview = await b.post("/admin/policy", {
    ...form,
    mode: "everyone",
    adminsAlways: "on",
    recoveryCodesEnabled: "on",
    trustedDevicesEnabled: "on",
    exemptRoles: "user",
    mayEnrollGroups: "staff, ops",
    confirm: "1",
  });
  assertEquals(preview.headers.get("location"), "/admin/policy?notice=policy_saved", b.lastHtml);
  const { loadPolicy } = await import("../src/policy/repo.ts");
  const policy = await loadPolicy(env.deps.db);
  assertEquals(policy.exemptRoles, ["user"]);
  assertEquals(policy.mayEnrollGroups, ["staff", "ops"]);
});
