/** Security property: 10 consecutive second-factor failures lock the second factor for 15 min. */
import { eq } from "drizzle-orm";
import { auditEvents, users } from "../src/db/schema.ts";
import { assert, assertEquals } from "./assert.ts";
import { addUser, api, codeNow, enrollViaApi, nextStep, pendingLogin, testApp } from "./helpers.ts";

async function failTimes(env: Awaited<ReturnType<typeof testApp>>, n: number) {
  let last;
  for (let i = 0; i < n; i++) {
    if (i % 5 === 0) last = await pendingLogin(env);
    const r = await api(env, "POST", "/api/v1/login/totp", {
      pending_token: last!.pending_token,
      code: "000000",
    });
    if (i < n - 1) assertEquals(r.json.error.code, "invalid_code", `failure ${i + 1}`);
    else return r;
  }
}

Deno.test("lock: the tenth consecutive failure locks the second factor with Retry-After", async () => {
  const env = await testApp();
  const alice = await addUser(env);
  const e = await enrollViaApi(env);
  nextStep(env);
  const tenth = await failTimes(env, 10);
  assertEquals(tenth!.status, 429);
  assertEquals(tenth!.json.error.code, "too_many_attempts");
  assertEquals(tenth!.res.headers.get("retry-after"), "900");

  // Even the right code is refused while locked; the password step still works.
  const p = await pendingLogin(env);
  const locked = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(locked.status, 429);
  assert(Number(locked.res.headers.get("retry-after")) > 0);

  const events = await env.deps.db.select().from(auditEvents).where(
    eq(auditEvents.event, "second_factor.locked"),
  );
  assertEquals(events.length, 1);
  assertEquals(events[0].userId, alice.id);

  // After 15 minutes the right code works again.
  env.clock.advance(15 * 60_000 + 1000);
  const p2 = await pendingLogin(env);
  const ok = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p2.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(ok.status, 200);
});

Deno.test("lock: a success resets the count, so failures must be consecutive", async () => {
  const env = await testApp();
  const alice = await addUser(env);
  const e = await enrollViaApi(env);
  nextStep(env);
  await failTimes(env, 9);
  const p = await pendingLogin(env);
  const ok = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(ok.status, 200);
  const [row] = await env.deps.db.select().from(users).where(eq(users.id, alice.id));
  assertEquals(row.secondFactorFailures, 0);
  const tenth = await failTimes(env, 9);
  assertEquals(tenth!.json.error.code, "invalid_code");
});

Deno.test("lock: recovery-code failures count toward the same lock", async () => {
  const env = await testApp();
  await addUser(env);
  await enrollViaApi(env);
  nextStep(env);
  let pendingToken = "";
  let r;
  for (let i = 0; i < 10; i++) {
    if (i % 5 === 0) pendingToken = (await pendingLogin(env)).pending_token;
    r = await api(env, "POST", "/api/v1/login/recovery", {
      pending_token: pendingToken,
      recovery_code: "aaaa-bbbb-cccc-dddd-eeee-ffff",
    });
    if (i < 9) assertEquals(r.json.error.code, "invalid_recovery_code", `failure ${i + 1}`);
  }
  assertEquals(r!.status, 429);
});

Deno.test("lock: password failures never lock the second factor", async () => {
  const env = await testApp();
  const alice = await addUser(env);
  await enrollViaApi(env);
  for (let i = 0; i < 20; i++) {
    await api(env, "POST", "/api/v1/login", { username: "alice", password: "wrong" });
  }
  const [row] = await env.deps.db.select().from(users).where(eq(users.id, alice.id));
  assertEquals(row.secondFactorFailures, 0);
  assertEquals(row.secondFactorLockedUntil, null);
});
