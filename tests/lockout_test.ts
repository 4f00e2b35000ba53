/** Brute force: per-account password lockout and per-address throttling, with a moved clock. */
import { eq } from "drizzle-orm";
import { auditEvents, users } from "../src/db/schema.ts";
import { assertEquals } from "./assert.ts";
import {
  addUser,
  api,
  enrollViaApi,
  PASSWORD,
  pendingLogin,
  testApp,
  type TestEnv,
} from "./helpers.ts";

const wrong = (env: TestEnv, username = "alice", headers: Record<string, string> = {}) =>
  api(env, "POST", "/api/v1/login", { username, password: "wrong password!" }, undefined, headers);
const right = (env: TestEnv, username = "alice", headers: Record<string, string> = {}) =>
  api(env, "POST", "/api/v1/login", { username, password: PASSWORD }, undefined, headers);

Deno.test("lockout: five password failures lock the account for 30 minutes, answered like a wrong password", async () => {
  const env = await testApp();
  const alice = await addUser(env);
  await enrollViaApi(env);
  for (let i = 0; i < 5; i++) assertEquals((await wrong(env)).status, 401);
  const locked = await right(env);
  const plainWrong = await wrong(env, "nobody");
  assertEquals(locked.status, 401);
  assertEquals(locked.json, plainWrong.json);
  const events = await env.deps.db.select().from(auditEvents).where(
    eq(auditEvents.event, "account.locked"),
  );
  assertEquals(events.length, 1);
  assertEquals(events[0].userId, alice.id);

  env.clock.advance(29 * 60_000);
  assertEquals((await right(env)).status, 401);
  env.clock.advance(60_000 + 1000);
  const after = await right(env);
  assertEquals(after.json.status, "second_factor_required");
});

Deno.test("lockout: case variants of a username share one counter", async () => {
  const env = await testApp();
  await addUser(env, "Alice");
  for (const name of ["alice", "ALICE", "Alice", "aLiCe", "ALIce"]) await wrong(env, name);
  assertEquals((await right(env, "alice")).status, 401);
});

Deno.test("lockout: failures outside the window do not add up; a success clears the count", async () => {
  const env = await testApp();
  const alice = await addUser(env);
  for (let i = 0; i < 4; i++) await wrong(env);
  env.clock.advance(16 * 60_000);
  for (let i = 0; i < 4; i++) await wrong(env);
  assertEquals((await right(env)).json.status, "enrollment_required");
  const [row] = await env.deps.db.select().from(users).where(eq(users.id, alice.id));
  assertEquals(row.passwordFailures, 0);
  for (let i = 0; i < 4; i++) await wrong(env);
  assertEquals((await right(env)).status, 200);
});

Deno.test("lockout: a stranger's password guesses never lock the owner's second factor", async () => {
  const env = await testApp();
  const alice = await addUser(env);
  await enrollViaApi(env);
  for (let i = 0; i < 12; i++) await wrong(env);
  const [row] = await env.deps.db.select().from(users).where(eq(users.id, alice.id));
  assertEquals(row.secondFactorFailures, 0);
  assertEquals(row.secondFactorLockedUntil, null);
});

Deno.test("lockout: an admin unlocks the account", async () => {
  const env = await testApp();
  const alice = await addUser(env);
  await addUser(env, "root", ["admin"]);
  const admin = await enrollViaApi(env, "root");
  for (let i = 0; i < 5; i++) await wrong(env);
  assertEquals((await right(env)).status, 401);
  const r = await api(
    env,
    "POST",
    `/api/v1/admin/users/${alice.id}/unlock`,
    undefined,
    admin.sessionToken,
  );
  assertEquals(r.status, 204);
  assertEquals((await right(env)).status, 200);
});

Deno.test("throttle: repeated failures from one address block it with Retry-After; an allowlisted range is never blocked", async () => {
  const env = await testApp({
    CLIENT_IP_HEADER: "X-Real-IP",
    IP_MAX_FAILURES: "6",
    IP_ALLOWLIST: "10.0.0.0/8",
  });
  await addUser(env);
  const from = (ip: string) => ({ "x-real-ip": ip });
  for (let i = 0; i < 6; i++) await wrong(env, `user${i}`, from("203.0.113.7"));
  const blocked = await right(env, "alice", from("203.0.113.7"));
  assertEquals(blocked.status, 429);
  assertEquals(blocked.json.error.code, "too_many_attempts");
  assertEquals(blocked.res.headers.get("retry-after"), String(15 * 60));
  // Another address is fine.
  assertEquals((await right(env, "alice", from("198.51.100.1"))).status, 200);
  // The block ends.
  env.clock.advance(15 * 60_000 + 1000);
  assertEquals((await right(env, "alice", from("203.0.113.7"))).status, 200);
  // The allowlist never blocks.
  for (let i = 0; i < 10; i++) await wrong(env, `user${i}`, from("10.1.2.3"));
  assertEquals((await right(env, "alice", from("10.1.2.3"))).status, 200);
});

Deno.test("throttle: IPv6 addresses count per /64", async () => {
  const env = await testApp({ CLIENT_IP_HEADER: "X-Real-IP", IP_MAX_FAILURES: "4" });
  await addUser(env);
  for (let i = 0; i < 4; i++) {
    await wrong(env, `u${i}`, { "x-real-ip": `2001:db8:1:2::${i + 1}` });
  }
  const sameNet = await right(env, "alice", { "x-real-ip": "2001:db8:1:2:ffff::9" });
  assertEquals(sameNet.status, 429);
  const otherNet = await right(env, "alice", { "x-real-ip": "2001:db8:1:3::1" });
  assertEquals(otherNet.status, 200);
});

Deno.test("throttle: X-Forwarded-For is not trusted unless configured", async () => {
  const env = await testApp({ IP_MAX_FAILURES: "3" });
  await addUser(env);
  for (let i = 0; i < 3; i++) await wrong(env, "x", { "x-forwarded-for": `198.51.100.${i}` });
  // All from the same (unknown) socket address: blocked despite the spoofed header.
  assertEquals((await right(env, "alice", { "x-forwarded-for": "192.0.2.1" })).status, 429);
});

Deno.test("throttle: counters live in the database and survive a new app on the same database", async () => {
  const env = await testApp({ PASSWORD_MAX_FAILURES: "3" });
  await addUser(env);
  for (let i = 0; i < 3; i++) await wrong(env);
  const { createApp } = await import("../src/app.ts");
  const restarted = { ...env, app: createApp(env.deps) };
  assertEquals((await right(restarted)).status, 401);
});

Deno.test("lockout: second-factor failures still count separately from password failures", async () => {
  const env = await testApp();
  await addUser(env);
  await enrollViaApi(env);
  const p = await pendingLogin(env);
  for (let i = 0; i < 5; i++) {
    await api(env, "POST", "/api/v1/login/totp", {
      pending_token: p.pending_token,
      code: "000000",
    });
  }
  assertEquals((await right(env)).json.status, "second_factor_required");
});
