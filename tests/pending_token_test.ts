/** Security property: the pending token lives 5 minutes, is single use and allows 5 attempts. */
import { assertEquals } from "./assert.ts";
import { addUser, api, codeNow, enrollViaApi, nextStep, pendingLogin, testApp } from "./helpers.ts";

async function setup() {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  nextStep(env);
  return { env, e };
}

Deno.test("pending token: five wrong codes kill it, even for the right code after", async () => {
  const { env, e } = await setup();
  const p = await pendingLogin(env);
  for (let i = 0; i < 5; i++) {
    const r = await api(env, "POST", "/api/v1/login/totp", {
      pending_token: p.pending_token,
      code: "000000",
    });
    assertEquals(r.json.error.code, "invalid_code", `attempt ${i + 1}`);
  }
  const r = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(r.status, 401);
  assertEquals(r.json.error.code, "invalid_pending_token");
});

Deno.test("pending token: the fifth attempt may still succeed", async () => {
  const { env, e } = await setup();
  const p = await pendingLogin(env);
  for (let i = 0; i < 4; i++) {
    await api(env, "POST", "/api/v1/login/totp", {
      pending_token: p.pending_token,
      code: "000000",
    });
  }
  const r = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(r.status, 200);
});

Deno.test("pending token: expires after five minutes", async () => {
  const { env, e } = await setup();
  const p = await pendingLogin(env);
  assertEquals(new Date(p.expires_at).getTime() - env.clock.now().getTime(), 5 * 60_000);
  env.clock.advance(5 * 60_000 + 1000);
  const r = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(r.json.error.code, "invalid_pending_token");
});

Deno.test("pending token: single use - after a success it is dead", async () => {
  const { env, e } = await setup();
  const p = await pendingLogin(env);
  const ok = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(ok.status, 200);
  nextStep(env);
  const again = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(again.json.error.code, "invalid_pending_token");
  const rec = await api(env, "POST", "/api/v1/login/recovery", {
    pending_token: p.pending_token,
    recovery_code: e.recoveryCodes[0],
  });
  assertEquals(rec.json.error.code, "invalid_pending_token");
});

Deno.test("pending token: cancel kills it and answers 204 even for junk", async () => {
  const { env, e } = await setup();
  const p = await pendingLogin(env);
  const c = await api(env, "POST", "/api/v1/login/cancel", { pending_token: p.pending_token });
  assertEquals(c.status, 204);
  const r = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(r.json.error.code, "invalid_pending_token");
  assertEquals(
    (await api(env, "POST", "/api/v1/login/cancel", { pending_token: "x.y.z" })).status,
    204,
  );
});

Deno.test("pending token: an enrollment pending token cannot answer a challenge", async () => {
  const env = await testApp();
  await addUser(env);
  const p = await pendingLogin(env);
  assertEquals(p.status, "enrollment_required");
  const r = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: "123456",
  });
  assertEquals(r.json.error.code, "invalid_pending_token");
});

Deno.test("pending token: remember-me is carried to the session only after the second factor", async () => {
  const { env, e } = await setup();
  const p = await pendingLogin(env, "alice", { remember_me: true });
  assertEquals(p.status, "second_factor_required");
  const r = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(new Date(r.json.expires_at).getTime() - env.clock.now().getTime(), 7 * 86_400_000);
  nextStep(env);
  const plain = await pendingLogin(env);
  const r2 = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: plain.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(new Date(r2.json.expires_at).getTime() - env.clock.now().getTime(), 24 * 3_600_000);
});
