import { assert, assertEquals, assertMatch } from "./assert.ts";
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

Deno.test("JSON login: a user without a factor is sent to enrollment, then gets a session", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  assertEquals(e.recoveryCodes.length, 10);
  const me = await api(env, "GET", "/api/v1/session", undefined, e.sessionToken);
  assertEquals(me.status, 200);
  assertEquals(me.json.user.username, "alice");
  assertEquals(me.json.session.amr, ["pwd", "otp"]);
});

Deno.test("JSON login: password then TOTP code gives a session token", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  nextStep(env);
  const p = await pendingLogin(env);
  assertEquals(p.status, "second_factor_required");
  assertEquals(p.methods, ["totp", "recovery_code"]);
  const r = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(r.status, 200);
  assertEquals(r.json.status, "authenticated");
  assertMatch(r.json.expires_at, /^2026-11-23T/);
  const me = await api(env, "GET", "/api/v1/session", undefined, r.json.session_token);
  assertEquals(me.status, 200);
});

Deno.test("JSON login: wrong password and unknown user answer identically", async () => {
  const env = await testApp();
  await addUser(env);
  const wrong = await api(env, "POST", "/api/v1/login", { username: "alice", password: "nope" });
  const unknown = await api(env, "POST", "/api/v1/login", { username: "bob", password: "nope" });
  assertEquals(wrong.status, 401);
  assertEquals(unknown.status, 401);
  assertEquals(wrong.json, unknown.json);
  assertEquals(wrong.json.error.code, "invalid_credentials");
  assert(PASSWORD);
});
