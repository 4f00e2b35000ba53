/** Security property: a TOTP code is accepted at most once (RFC 6238 5.2). */
import { eq } from "drizzle-orm";
import { authenticators } from "../src/db/schema.ts";
import { timeStep } from "../src/totp/totp.ts";
import { assertEquals } from "./assert.ts";
import { addUser, api, codeNow, enrollViaApi, nextStep, pendingLogin, testApp } from "./helpers.ts";

Deno.test("replay: the code that confirmed enrollment cannot log in again", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  const p = await pendingLogin(env);
  const r = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(r.status, 401);
  assertEquals(r.json.error.code, "invalid_code");
});

Deno.test("replay: a code accepted once is refused on a second login in the same step", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  nextStep(env);
  const code = codeNow(env, e.secret);
  const first = await pendingLogin(env);
  const ok = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: first.pending_token,
    code,
  });
  assertEquals(ok.status, 200);
  const second = await pendingLogin(env);
  const again = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: second.pending_token,
    code,
  });
  assertEquals(again.status, 401);
  assertEquals(again.json.error.code, "invalid_code");
  // The previous step's code is older than the accepted one, so it is refused too.
  const older = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: second.pending_token,
    code: codeNow(env, e.secret, -30),
  });
  assertEquals(older.json.error.code, "invalid_code");
  const [row] = await env.deps.db.select().from(authenticators).where(
    eq(authenticators.id, e.authenticatorId),
  );
  assertEquals(row.lastStep, timeStep(env.clock.now(), 30));
});

Deno.test("replay: of parallel submissions of one code on two logins, exactly one wins", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  nextStep(env);
  const code = codeNow(env, e.secret);
  const pendings = await Promise.all(Array.from({ length: 8 }, () => pendingLogin(env)));
  const results = await Promise.all(
    pendings.map((p) =>
      api(env, "POST", "/api/v1/login/totp", { pending_token: p.pending_token, code })
    ),
  );
  assertEquals(results.filter((r) => r.status === 200).length, 1);
  assertEquals(results.filter((r) => r.status === 401).length, 7);
  const sessions = await env.deps.db.query.sessions.findMany();
  // One session from enrollment, one from the winning challenge.
  assertEquals(sessions.length, 2);
});

Deno.test("replay: parallel submissions on one pending token create one session", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  nextStep(env);
  const code = codeNow(env, e.secret);
  const p = await pendingLogin(env);
  const results = await Promise.all(
    Array.from(
      { length: 4 },
      () => api(env, "POST", "/api/v1/login/totp", { pending_token: p.pending_token, code }),
    ),
  );
  assertEquals(results.filter((r) => r.status === 200).length, 1);
  assertEquals((await env.deps.db.query.sessions.findMany()).length, 2);
});

Deno.test("replay: a code from the next step is accepted, then the current one is refused", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  nextStep(env);
  const p1 = await pendingLogin(env);
  const ahead = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p1.pending_token,
    code: codeNow(env, e.secret, 30),
  });
  assertEquals(ahead.status, 200);
  const p2 = await pendingLogin(env);
  const current = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p2.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(current.status, 401);
});
