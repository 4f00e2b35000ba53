/** API keys and personal access tokens: scoped, expiring, hashed, never for auth management. */
import { eq } from "drizzle-orm";
import { apiKeys, auditEvents } from "../src/db/schema.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { addUser, api, codeNow, enrollViaApi, nextStep, testApp } from "./helpers.ts";

async function setup() {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  await addUser(env, "alice");
  const admin = await enrollViaApi(env, "root");
  const alice = await enrollViaApi(env, "alice");
  const made = await api(env, "POST", "/api/v1/admin/api-keys", {
    username: "alice",
    name: "backup job",
    scopes: ["read"],
  }, admin.sessionToken);
  assertEquals(made.status, 201);
  return { env, admin, alice, key: made.json.api_key as string, keyId: made.json.id as string };
}

/** Every route that manages authentication (factors, keys, passwords, sessions, policy, admin). */
function authManagementRoutes(ids: { authenticator: string; key: string }) {
  return [
    ["POST", "/api/v1/enrollments", {}],
    ["POST", "/api/v1/enrollments/x/confirm", { code: "123456" }],
    ["POST", "/api/v1/me/reauth", { password: "x", code: "123456" }],
    ["GET", "/api/v1/me/authenticators"],
    ["POST", "/api/v1/me/authenticators", {}],
    ["PATCH", `/api/v1/me/authenticators/${ids.authenticator}`, { label: "x" }],
    ["DELETE", `/api/v1/me/authenticators/${ids.authenticator}`],
    ["POST", `/api/v1/me/authenticators/${ids.authenticator}/replace`, {}],
    ["GET", "/api/v1/me/recovery-codes"],
    ["POST", "/api/v1/me/recovery-codes"],
    ["GET", "/api/v1/me/trusted-devices"],
    ["DELETE", "/api/v1/me/trusted-devices/x"],
    ["GET", "/api/v1/me/sessions"],
    ["DELETE", "/api/v1/me/sessions/x"],
    ["POST", "/api/v1/me/sessions/end-others"],
    ["POST", "/api/v1/me/sessions/end-all"],
    ["DELETE", "/api/v1/me/2fa"],
    ["POST", "/api/v1/me/password", { current_password: "x", new_password: "y" }],
    ["GET", "/api/v1/me/tokens"],
    ["POST", "/api/v1/me/tokens", { name: "x", scopes: ["read"], code: "123456" }],
    ["DELETE", `/api/v1/me/tokens/${ids.key}`],
    ["GET", "/api/v1/admin/api-keys"],
    ["POST", "/api/v1/admin/api-keys", { username: "alice", name: "x", scopes: ["read"] }],
    ["DELETE", `/api/v1/admin/api-keys/${ids.key}`],
    ["POST", "/api/v1/admin/users/x/unlock"],
    ["POST", "/api/v1/logout"],
  ] as [string, string, unknown?][];
}

Deno.test("api keys: a key authenticates as its user on GET /api/v1/session and records its use", async () => {
  const { env, key, keyId } = await setup();
  assertMatch(key, /^tfk_[A-Za-z0-9_-]{43}$/);
  const me = await api(env, "GET", "/api/v1/session", undefined, key);
  assertEquals(me.status, 200);
  assertEquals(me.json.user.username, "alice");
  assertEquals(me.json.api_key.scopes, ["read"]);
  const [row] = await env.deps.db.select().from(apiKeys).where(eq(apiKeys.id, keyId));
  assert(row.lastUsedAt !== null);
  assert(!JSON.stringify(row).includes(key.slice(4)), "key stored in clear");
  assertEquals(
    new Date(me.json.api_key.expires_at).getTime() - env.clock.now().getTime(),
    90 * 86_400_000,
  );
});

Deno.test("api keys: refused on every authentication-management route", async () => {
  const { env, key, keyId, alice } = await setup();
  for (
    const [method, path, body] of authManagementRoutes({
      authenticator: alice.authenticatorId,
      key: keyId,
    })
  ) {
    const r = await api(env, method, path, body, key);
    assertEquals(r.status === 403 || r.status === 400, true, `${method} ${path}: ${r.status}`);
    if (r.status === 403) {
      assertEquals(r.json.error.code, "api_key_not_allowed", `${method} ${path}`);
    }
  }
  // Nothing changed: the key still exists and alice still has her authenticator.
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, key)).status, 200);
});

Deno.test("api keys: expired, revoked and unknown keys are refused and audited", async () => {
  const { env, admin, key, keyId } = await setup();
  assertEquals(
    (await api(env, "GET", "/api/v1/session", undefined, "tfk_" + "A".repeat(43))).status,
    401,
  );
  const revoke = await api(
    env,
    "DELETE",
    `/api/v1/admin/api-keys/${keyId}`,
    undefined,
    admin.sessionToken,
  );
  assertEquals(revoke.status, 204);
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, key)).status, 401);
  const short = await api(env, "POST", "/api/v1/admin/api-keys", {
    username: "alice",
    name: "1 day",
    scopes: ["read"],
    expires_in_days: 1,
  }, admin.sessionToken);
  env.clock.advance(86_400_000 + 1000);
  assertEquals(
    (await api(env, "GET", "/api/v1/session", undefined, short.json.api_key)).status,
    401,
  );
  const failures = await env.deps.db.select().from(auditEvents).where(
    eq(auditEvents.event, "api_key.use"),
  );
  assertEquals(failures.map((f) => JSON.parse(f.detail).reason).sort(), [
    "expired",
    "revoked",
    "unknown_key",
  ]);
  const created = await env.deps.db.select().from(auditEvents).where(
    eq(auditEvents.event, "api_key.create"),
  );
  assertEquals(created.length, 2);
  const revoked = await env.deps.db.select().from(auditEvents).where(
    eq(auditEvents.event, "api_key.revoke"),
  );
  assertEquals(revoked.length, 1);
});

Deno.test("api keys: only admins create them, and the admin scope only for admins", async () => {
  const { env, admin, alice } = await setup();
  const byUser = await api(env, "POST", "/api/v1/admin/api-keys", {
    username: "alice",
    name: "x",
    scopes: ["read"],
  }, alice.sessionToken);
  assertEquals(byUser.status, 403);
  const adminScope = await api(env, "POST", "/api/v1/admin/api-keys", {
    username: "alice",
    name: "x",
    scopes: ["admin"],
  }, admin.sessionToken);
  assertEquals(adminScope.json.error.code, "insufficient_scope");
  const bad = await api(env, "POST", "/api/v1/admin/api-keys", {
    username: "alice",
    name: "x",
    scopes: ["root"],
  }, admin.sessionToken);
  assertEquals(bad.status, 400);
});

Deno.test("personal access tokens: cannot be created without a valid current code", async () => {
  const { env, alice } = await setup();
  const none = await api(
    env,
    "POST",
    "/api/v1/me/tokens",
    { name: "ci", scopes: ["read"] },
    alice.sessionToken,
  );
  assertEquals(none.status, 400);
  const wrong = await api(env, "POST", "/api/v1/me/tokens", {
    name: "ci",
    scopes: ["read"],
    code: "000000",
  }, alice.sessionToken);
  assertEquals(wrong.status, 401);
  assertEquals(wrong.json.error.code, "invalid_code");
  // The code that enrolled (this step) is already used: a replay is refused too.
  const replay = await api(env, "POST", "/api/v1/me/tokens", {
    name: "ci",
    scopes: ["read"],
    code: codeNow(env, alice.secret),
  }, alice.sessionToken);
  assertEquals(replay.json.error.code, "invalid_code");
  assertEquals((await env.deps.db.select().from(apiKeys).where(eq(apiKeys.kind, "pat"))).length, 0);

  nextStep(env);
  const ok = await api(env, "POST", "/api/v1/me/tokens", {
    name: "ci",
    scopes: ["read", "write"],
    code: codeNow(env, alice.secret),
  }, alice.sessionToken);
  assertEquals(ok.status, 201);
  assertMatch(ok.json.token, /^tfk_/);
  assertEquals(ok.json.scopes, ["read", "write"]);
  const me = await api(env, "GET", "/api/v1/session", undefined, ok.json.token);
  assertEquals(me.json.api_key.kind, "pat");
  const list = await api(env, "GET", "/api/v1/me/tokens", undefined, alice.sessionToken);
  assertEquals(list.json.tokens.length, 1);
  assert(!JSON.stringify(list.json).includes(ok.json.token));
  const del = await api(
    env,
    "DELETE",
    `/api/v1/me/tokens/${ok.json.id}`,
    undefined,
    alice.sessionToken,
  );
  assertEquals(del.status, 204);
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, ok.json.token)).status, 401);
  const adminPat = await api(env, "POST", "/api/v1/me/tokens", {
    name: "x",
    scopes: ["admin"],
    code: codeNow(env, alice.secret, 30),
  }, alice.sessionToken);
  assertEquals(adminPat.json.error.code, "insufficient_scope");
});
