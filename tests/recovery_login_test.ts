/** Recovery codes: shown once, each works once, stored only as keyed hashes. */
import { recoveryCodes } from "../src/db/schema.ts";
import { normalizeRecoveryCode } from "../src/recovery/recovery.ts";
import { assert, assertEquals } from "./assert.ts";
import { addUser, api, enrollViaApi, pendingLogin, testApp } from "./helpers.ts";

Deno.test("recovery: a code logs in once and the answer says how many remain", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  const p = await pendingLogin(env);
  const r = await api(env, "POST", "/api/v1/login/recovery", {
    pending_token: p.pending_token,
    recovery_code: e.recoveryCodes[3].toUpperCase().replaceAll("-", " "),
  });
  assertEquals(r.status, 200);
  assertEquals(r.json.status, "authenticated");
  assertEquals(r.json.recovery_codes_remaining, 9);
  const me = await api(env, "GET", "/api/v1/session", undefined, r.json.session_token);
  assertEquals(me.json.session.amr, ["pwd", "rec"]);

  const p2 = await pendingLogin(env);
  const again = await api(env, "POST", "/api/v1/login/recovery", {
    pending_token: p2.pending_token,
    recovery_code: e.recoveryCodes[3],
  });
  assertEquals(again.status, 401);
  assertEquals(again.json.error.code, "invalid_recovery_code");
  // A wrong code costs an attempt, not the pending login.
  const ok = await api(env, "POST", "/api/v1/login/recovery", {
    pending_token: p2.pending_token,
    recovery_code: e.recoveryCodes[4],
  });
  assertEquals(ok.json.recovery_codes_remaining, 8);
});

Deno.test("recovery: another user's code is refused", async () => {
  const env = await testApp();
  await addUser(env, "alice");
  await addUser(env, "bob");
  await enrollViaApi(env, "alice");
  const b = await enrollViaApi(env, "bob");
  const p = await pendingLogin(env, "alice");
  const r = await api(env, "POST", "/api/v1/login/recovery", {
    pending_token: p.pending_token,
    recovery_code: b.recoveryCodes[0],
  });
  assertEquals(r.json.error.code, "invalid_recovery_code");
});

Deno.test("recovery: a database dump does not reveal the codes", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  const rows = await env.deps.db.select().from(recoveryCodes);
  assertEquals(rows.length, 10);
  const dump = JSON.stringify(rows);
  for (const code of e.recoveryCodes) {
    assert(!dump.includes(code) && !dump.includes(normalizeRecoveryCode(code)));
  }
});

Deno.test("recovery: parallel use of one code succeeds once", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  const pendings = await Promise.all([1, 2, 3, 4].map(() => pendingLogin(env)));
  const results = await Promise.all(pendings.map((p) =>
    api(env, "POST", "/api/v1/login/recovery", {
      pending_token: p.pending_token,
      recovery_code: e.recoveryCodes[0],
    })
  ));
  assertEquals(results.filter((r) => r.status === 200).length, 1);
});
