/** Permanent lockout (optional): after N lockouts an account stays locked until an admin unlocks it. */
import { eq } from "drizzle-orm";
import { auditEvents, users } from "../src/db/schema.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import {
  addUser,
  api,
  Browser,
  codeNow,
  enrollViaApi,
  nextStep,
  PASSWORD,
  testApp,
  type TestEnv,
} from "./helpers.ts";

const MINUTE = 60_000;

async function lockOnce(env: TestEnv) {
  for (let i = 0; i < 3; i++) {
    const r = await api(env, "POST", "/api/v1/login", { username: "alice", password: "nope" });
    assertEquals(r.status, 401);
  }
}

const login = (env: TestEnv) =>
  api(env, "POST", "/api/v1/login", { username: "alice", password: PASSWORD });

Deno.test("permanent lockout: the Nth lockout locks until an admin unlocks; time does not", async () => {
  const env = await testApp({
    PASSWORD_MAX_FAILURES: "3",
    PASSWORD_LOCK_MINUTES: "30",
    PERMANENT_LOCKOUT_AFTER: "2",
    IP_MAX_FAILURES: "1000",
  });
  await addUser(env, "root", ["admin"]);
  const alice = await addUser(env, "alice");
  await lockOnce(env);
  assertEquals((await login(env)).status, 401); // locked for 30 minutes
  env.clock.advance(31 * MINUTE);
  assertEquals((await login(env)).status, 200); // a first lockout ends by itself
  await lockOnce(env);
  env.clock.advance(7 * 24 * 60 * MINUTE);
  const refused = await login(env);
  assertEquals(refused.status, 401);
  assertEquals(refused.json.error.code, "invalid_credentials"); // no enumeration

  const locks = await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "account.locked"));
  assertEquals(locks.map((l) => JSON.parse(l.detail).permanent ?? false), [false, true]);

  const admin = await enrollViaApi(env, "root");
  const view = await api(
    env,
    "GET",
    `/api/v1/admin/users/${alice.id}`,
    undefined,
    admin.sessionToken,
  );
  assertEquals(view.json.user.locked, true);
  assertEquals(view.json.user.locked_permanently, true);
  const listed = await api(
    env,
    "GET",
    "/api/v1/admin/users?status=locked",
    undefined,
    admin.sessionToken,
  );
  assertEquals(listed.json.users.map((u: { username: string }) => u.username), ["alice"]);

  // A password reset does not lift it: only an admin does.
  await env.deps.db.update(users).set({ passwordLockedUntil: null }).where(eq(users.id, alice.id));
  assertEquals((await login(env)).status, 401);

  const unlock = await api(
    env,
    "POST",
    `/api/v1/admin/users/${alice.id}/unlock`,
    undefined,
    admin.sessionToken,
  );
  assertEquals(unlock.status, 204);
  const unlocks = await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "admin.unlock"));
  assertEquals(JSON.parse(unlocks[0].detail).permanent, true);
  assertEquals((await login(env)).status, 200);
  // The count starts again: one more lockout is not permanent.
  await lockOnce(env);
  env.clock.advance(31 * MINUTE);
  assertEquals((await login(env)).status, 200);
});

Deno.test("permanent lockout: off by default, however many lockouts", async () => {
  const env = await testApp({ PASSWORD_MAX_FAILURES: "3", IP_MAX_FAILURES: "1000" });
  await addUser(env, "alice");
  for (let i = 0; i < 5; i++) {
    await lockOnce(env);
    env.clock.advance(31 * MINUTE);
  }
  assertEquals((await login(env)).status, 200);
  const [row] = await env.deps.db.select().from(users).where(eq(users.username, "alice"));
  assertEquals(row.lockoutCount, 5);
  assertEquals(row.lockedPermanentlyAt, null);
});

Deno.test("permanent lockout: the admin's user page says so, and unlocks", async () => {
  const env = await testApp({
    PASSWORD_MAX_FAILURES: "3",
    PERMANENT_LOCKOUT_AFTER: "1",
    IP_MAX_FAILURES: "1000",
  });
  await addUser(env, "root", ["admin"]);
  const alice = await addUser(env, "alice");
  const admin = await enrollViaApi(env, "root");
  await lockOnce(env);
  const b = new Browser(env);
  await b.get("/login");
  await b.post("/login", { username: "root", password: PASSWORD });
  nextStep(env);
  await b.get("/login/totp");
  await b.post("/login/totp", { code: codeNow(env, admin.secret) });
  await b.get(`/admin/users/${alice.id}`);
  assertStringIncludes(b.lastHtml, "Until an admin unlocks the account");
  await b.get(`/admin/users/${alice.id}/confirm?action=unlock`);
  const r = await b.post(`/admin/users/${alice.id}/unlock`, {});
  assertEquals(r.status, 303);
  const [row] = await env.deps.db.select().from(users).where(eq(users.id, alice.id));
  assert(row.lockedPermanentlyAt === null && row.lockoutCount === 0);
});
