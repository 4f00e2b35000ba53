/**
 * Delegation: an admin acts as a user for a limited time, only from a session with a recent
 * second factor, never for an admin, never changing the user's password, factors or tokens,
 * with a banner and a way back on every page, audited with both identities; off by default.
 */
import { eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { auditEvents } from "../src/db/schema.ts";
import { MINUTE } from "../src/lib/clock.ts";
import { totpCodeAt } from "../src/totp/totp.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { addUser, api, Browser, enrollViaApi, PASSWORD, testApp, type TestEnv } from "./helpers.ts";

async function setup(env: TestEnv) {
  const root = await addUser(env, "root", ["admin"]);
  const alice = await addUser(env, "alice");
  const other = await addUser(env, "other", ["admin"]);
  await enrollViaApi(env, "alice");
  const admin = await enrollViaApi(env, "root");
  return { root, alice, other, admin: admin.sessionToken };
}

const start = (env: TestEnv, id: string, token: string) =>
  api(env, "POST", `/api/v1/admin/users/${id}/delegate`, undefined, token);

Deno.test("delegation: off by default", async () => {
  const env = await testApp();
  const { alice, admin } = await setup(env);
  const r = await start(env, alice.id, admin);
  assertEquals(r.status, 403);
  assertEquals(r.json.error.code, "delegation_disabled");
});

Deno.test("delegation: a fresh admin acts as a user, audited with both identities, for a limited time", async () => {
  const env = await testApp({ DELEGATION_ENABLED: "true", DELEGATION_MINUTES: "20" });
  const { root, alice, other, admin } = await setup(env);
  const r = await start(env, alice.id, admin);
  assertEquals(r.status, 201, JSON.stringify(r.json));
  const claims = decodeJwt(r.json.session_token);
  assertEquals([claims.username, claims.act_sub, claims.act_username], ["alice", root.id, "root"]);
  const me = await api(env, "GET", "/api/v1/session", undefined, r.json.session_token);
  assertEquals(me.json.user.username, "alice");
  const [row] = await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "delegation.start"));
  assertEquals(row.userId, root.id);
  assertEquals(JSON.parse(row.detail).acting_as, alice.id);

  // Never for another admin.
  const refused = await start(env, other.id, admin);
  assertEquals(refused.status, 403);
  assertEquals(refused.json.error.code, "forbidden");
  // Not from a delegated session.
  assertEquals((await start(env, alice.id, r.json.session_token)).status, 403);

  // Limited: gone after DELEGATION_MINUTES (keeping the session active meanwhile).
  for (let i = 0; i < 4; i++) {
    env.clock.advance(5 * MINUTE);
    assertEquals((await api(env, "GET", "/api/v1/session", undefined, admin)).status, 200);
  }
  env.clock.advance(1000);
  assertEquals(
    (await api(env, "GET", "/api/v1/session", undefined, r.json.session_token)).status,
    401,
  );
  // The admin's second factor is no longer recent: no new delegation without re-authenticating.
  const stale = await start(env, alice.id, admin);
  assertEquals(stale.json.error.code, "reauthentication_required");
});

Deno.test("delegation: the user's password, factors and tokens cannot be changed", async () => {
  const env = await testApp({ DELEGATION_ENABLED: "true" });
  const { alice, admin } = await setup(env);
  // 2FA optional for alice: turning it off is refused for the delegation, not by the policy.
  await api(env, "PUT", "/api/v1/admin/policy", { mode: "listed" }, admin);
  const token = (await start(env, alice.id, admin)).json.session_token;
  const refused: [string, string, unknown?][] = [
    ["POST", "/api/v1/me/password", { current_password: PASSWORD, new_password: "x".repeat(20) }],
    ["POST", "/api/v1/me/tokens", { name: "t", scopes: ["read"], code: "123456" }],
    ["DELETE", "/api/v1/me/tokens/any"],
    ["POST", "/api/v1/enrollments", {}],
    ["DELETE", "/api/v1/me/2fa"],
    ["POST", "/api/v1/me/recovery-codes"],
    ["POST", "/api/v1/me/authenticators", {}],
  ];
  for (const [method, path, body] of refused) {
    const r = await api(env, method, path, body, token);
    assertEquals(r.status, 403, `${method} ${path}: ${JSON.stringify(r.json)}`);
  }
  // Reading is fine.
  assertEquals((await api(env, "GET", "/api/v1/me/authenticators", undefined, token)).status, 200);
  // The JSON way back ends only the delegated session.
  assertEquals((await api(env, "POST", "/api/v1/delegation/end", undefined, token)).status, 204);
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, token)).status, 401);
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, admin)).status, 200);
  const ended = await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "delegation.end"));
  assertEquals(ended.length, 1);
});

Deno.test("delegation: ends with the admin's own session", async () => {
  const env = await testApp({ DELEGATION_ENABLED: "true" });
  const { alice, admin } = await setup(env);
  const token = (await start(env, alice.id, admin)).json.session_token;
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, token)).status, 200);
  assertEquals((await api(env, "POST", "/api/v1/logout", undefined, admin)).status, 204);
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, token)).status, 401);
});

Deno.test("delegation pages: the button, the banner on every page, and the way back", async () => {
  const env = await testApp({ DELEGATION_ENABLED: "true" });
  const root = await addUser(env, "root", ["admin"]);
  const alice = await addUser(env, "alice");
  const b = new Browser(env);
  await b.get("/login");
  await b.post("/login", { username: "root", password: PASSWORD });
  await b.get("/enroll");
  const secret = b.attr("secret", "data-secret")!;
  const id = b.lastHtml.match(/name="enrollment_id" value="([^"]+)"/)![1];
  await b.post("/enroll", { enrollment_id: id, code: totpCodeAt(secret, env.clock.now()) });

  await b.get(`/admin/users/${root.id}`);
  assert(!b.lastHtml.includes('id="delegate"'), "not for oneself (an admin)");
  await b.get(`/admin/users/${alice.id}`);
  assertStringIncludes(b.lastHtml, 'id="delegate"');
  const res = await b.post(`/admin/users/${alice.id}/delegate`, {});
  assertEquals(res.headers.get("location"), "/account");
  for (const path of ["/account", "/account/password"]) {
    await b.get(path);
    assertStringIncludes(b.lastHtml, 'id="delegation-banner"');
    assertStringIncludes(b.lastHtml, "You are acting as alice (signed in as root)");
  }
  assertEquals((await b.get("/admin")).status, 403, "the delegated session is alice's");
  await b.get("/account");
  const back = await b.post("/delegation/end", {});
  assertEquals(back.headers.get("location"), `/admin/users/${alice.id}`);
  assertEquals((await b.get(`/admin/users/${alice.id}`)).status, 200);
  assert(!b.lastHtml.includes('id="delegation-banner"'));
});
