/** The admin console's API keys page: list, create (shown once), revoke; admins only. */
import { eq } from "drizzle-orm";
import { apiKeys } from "../src/db/schema.ts";
import { totpCodeAt } from "../src/totp/totp.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { addUser, api, Browser, PASSWORD, testApp, type TestEnv } from "./helpers.ts";

async function signedIn(env: TestEnv, username: string) {
  const b = new Browser(env);
  await b.get("/login");
  await b.post("/login", { username, password: PASSWORD });
  await b.get("/enroll");
  const secret = b.attr("secret", "data-secret")!;
  const id = b.lastHtml.match(/name="enrollment_id" value="([^"]+)"/)![1];
  const ok = await b.post("/enroll", {
    enrollment_id: id,
    code: totpCodeAt(secret, env.clock.now()),
  });
  assertEquals(ok.status, 200);
  return b;
}

Deno.test("admin api keys page: create with errors, create, use, list, revoke", async () => {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  await addUser(env, "alice");
  const b = await signedIn(env, "root");
  let res = await b.get("/admin/api-keys");
  assertEquals(res.status, 200);
  assertStringIncludes(b.lastHtml, 'id="no-keys"');
  assertStringIncludes(b.lastHtml, 'href="/admin/api-keys" aria-current="page"');

  res = await b.post("/admin/api-keys", { username: "nobody", name: "", expires_in_days: "0" });
  assertEquals(res.status, 400);
  assertStringIncludes(b.lastHtml, 'id="key-name-error"');
  assertStringIncludes(b.lastHtml, 'id="key-days-error"');
  assertStringIncludes(b.lastHtml, 'id="key-scopes-error"');
  res = await b.post("/admin/api-keys", { username: "nobody", name: "job", scope_read: "on" });
  assertEquals(res.status, 400);
  assertStringIncludes(b.lastHtml, "There is no user with this username.");
  assertStringIncludes(b.lastHtml, 'value="job"', "the form keeps what was typed");

  res = await b.post("/admin/api-keys", {
    username: "alice",
    name: "backup job",
    scope_read: "on",
    expires_in_days: "30",
  });
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("cache-control"), "no-store");
  const key = b.lastHtml.match(/id="new-api-key">([^<]+)</)![1];
  assert(key.startsWith("tfk_"));
  const me = await api(env, "GET", "/api/v1/session", undefined, key);
  assertEquals(me.json.user.username, "alice");
  const [row] = await env.deps.db.select().from(apiKeys).where(eq(apiKeys.name, "backup job"));
  assertEquals(row.expiresAt - row.createdAt, 30 * 86_400_000);

  await b.get("/admin/api-keys");
  assertStringIncludes(b.lastHtml, "backup job");
  assert(!b.lastHtml.includes(key), "the list never shows the key");
  res = await b.post(`/admin/api-keys/${row.id}/revoke`, {});
  assertEquals(res.headers.get("location"), "/admin/api-keys?notice=key_revoked");
  await b.get("/admin/api-keys?notice=key_revoked");
  assertStringIncludes(b.lastHtml, "The API key is revoked.");
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, key)).status, 401);
});

Deno.test("admin api keys page: not for non-admins, and strangers go to the login", async () => {
  const env = await testApp();
  await addUser(env, "alice");
  const stranger = new Browser(env);
  const res = await stranger.get("/admin/api-keys");
  assertEquals(res.status, 303);
  assertEquals(res.headers.get("location"), "/login?redirect=%2Fadmin%2Fapi-keys");
  const b = await signedIn(env, "alice");
  assertEquals((await b.get("/admin/api-keys")).status, 403);
  assertEquals(
    (await b.post("/admin/api-keys", { username: "alice", name: "x", scope_read: "on" })).status,
    403,
  );
  assertEquals((await env.deps.db.select().from(apiKeys)).length, 0);
});
