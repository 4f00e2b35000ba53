/** Sessions: at most 3 per user (the oldest ends), idle timeout, absolute lifetime. */
import { assertEquals } from "./assert.ts";
import {
  addUser,
  api,
  codeNow,
  enrollViaApi,
  nextStep,
  pendingLogin,
  testApp,
  type TestEnv,
} from "./helpers.ts";
import type { Enrolled } from "./helpers.ts";

async function login(env: TestEnv, e: Enrolled, extra: object = {}) {
  nextStep(env);
  const p = await pendingLogin(env, "alice", extra);
  const r = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
  });
  return r.json.session_token as string;
}

const alive = async (env: TestEnv, t: string) =>
  (await api(env, "GET", "/api/v1/session", undefined, t)).status === 200;

Deno.test("sessions: a fourth session ends the oldest", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  const s2 = await login(env, e);
  const s3 = await login(env, e);
  assertEquals([await alive(env, e.sessionToken), await alive(env, s2), await alive(env, s3)], [
    true,
    true,
    true,
  ]);
  const s4 = await login(env, e);
  assertEquals(
    [
      await alive(env, e.sessionToken),
      await alive(env, s2),
      await alive(env, s3),
      await alive(env, s4),
    ],
    [false, true, true, true],
  );
});

Deno.test("sessions: idle for more than an hour ends a session; activity keeps it alive", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  const busy = await login(env, e);
  for (let i = 0; i < 3; i++) {
    env.clock.advance(50 * 60_000);
    assertEquals(await alive(env, busy), true);
  }
  assertEquals(await alive(env, e.sessionToken), false);
  env.clock.advance(61 * 60_000);
  assertEquals(await alive(env, busy), false);
});

Deno.test("sessions: remember-me sessions skip the idle timeout but not their 7-day limit", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  const remembered = await login(env, e, { remember_me: true });
  env.clock.advance(3 * 24 * 3_600_000);
  assertEquals(await alive(env, remembered), true);
  env.clock.advance(4 * 24 * 3_600_000 + 1000);
  assertEquals(await alive(env, remembered), false);
});

Deno.test("sessions: the absolute lifetime is 24 hours however active", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  for (let i = 0; i < 28; i++) {
    env.clock.advance(50 * 60_000); // active every 50 minutes: never idle
    assertEquals(await alive(env, e.sessionToken), true, `after ${(i + 1) * 50} minutes`);
  }
  env.clock.advance(50 * 60_000); // 24 h 10 min
  assertEquals(await alive(env, e.sessionToken), false);
});
