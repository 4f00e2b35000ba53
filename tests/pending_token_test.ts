/** Security property: the pending token lives 5 minutes, is single use and allows 5 attempts. */
import { assertEquals } from "./assert.ts";
import { eq } from "drizzle-orm";
import { pendingLogins, settings } from "../src/db/schema.ts";
import {
  consumePendingStatement,
  findOpenPending,
  findUserAndOpenPending,
} from "../src/login/pending_repo.ts";
import { LOGIN_POLICY_KEY } from "../src/policy/repo.ts";
import { SECURITY_SETTINGS_KEY } from "../src/settings/security.ts";
import { writeSettingStatement } from "../src/settings/repo.ts";
import { findUserById } from "../src/users/repo.ts";
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

Deno.test("pending token: of parallel wrong codes, five are answered and the rest find it dead", async () => {
  const { env, e } = await setup();
  const p = await pendingLogin(env);
  const results = await Promise.all(
    Array.from(
      { length: 12 },
      () =>
        api(env, "POST", "/api/v1/login/totp", { pending_token: p.pending_token, code: "000000" }),
    ),
  );
  const codes = results.map((r) => r.json.error.code).sort();
  assertEquals(codes, [
    ...Array(5).fill("invalid_code"),
    ...Array(7).fill("invalid_pending_token"),
  ]);
  const r = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(r.json.error.code, "invalid_pending_token");
});

Deno.test("pending token: the right code racing four wrong ones signs in", async () => {
  const { env, e } = await setup();
  const p = await pendingLogin(env);
  const step = (code: string) =>
    api(env, "POST", "/api/v1/login/totp", { pending_token: p.pending_token, code });
  const results = await Promise.all([
    step("000000"),
    step("000000"),
    step(codeNow(env, e.secret)),
    step("000000"),
    step("000000"),
  ]);
  assertEquals(results.map((r) => r.status), [401, 401, 200, 401, 401]);
  for (const r of [results[0], results[1], results[3], results[4]]) {
    assertEquals(r.json.error.code, "invalid_code");
  }
});

Deno.test("pending token: a right code read before five wrong ones were counted does not sign in", async () => {
  const { env } = await setup();
  const p = await pendingLogin(env);
  // The right code's step has read the live pending login (attempts 0)...
  const live = () =>
    env.deps.db.select().from(pendingLogins).where(eq(pendingLogins.purpose, "challenge"));
  const [row] = await live();
  assertEquals(row.attempts, 0);
  // ...when five wrong codes are answered...
  for (let i = 0; i < 5; i++) {
    const r = await api(env, "POST", "/api/v1/login/totp", {
      pending_token: p.pending_token,
      code: "000000",
    });
    assertEquals(r.json.error.code, "invalid_code");
  }
  // ...so its batch consumes nothing, and no session follows.
  const consumed = await consumePendingStatement(env.deps.db, {
    id: row.id,
    sessionId: "late",
    now: env.clock.now(),
    maxAttempts: env.deps.config.PENDING_MAX_ATTEMPTS,
  });
  assertEquals(consumed, []);
  const [after] = await live();
  assertEquals([after.attempts, after.consumedAt], [5, null]);
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

Deno.test("a second-factor step's one read gives what the separate reads give: user, pending login, settings", async () => {
  const env = await testApp();
  await addUser(env);
  await enrollViaApi(env);
  await writeSettingStatement(
    env.deps.db,
    LOGIN_POLICY_KEY,
    { trustedDevicesEnabled: false },
    env.clock.now(),
    null,
  );
  nextStep(env);
  const p = await pendingLogin(env);
  const db = env.deps.db;
  const [row] = await db.select().from(pendingLogins).where(eq(pendingLogins.purpose, "challenge"));
  const user = await findUserById(db, row.userId);
  const keys = [LOGIN_POLICY_KEY, "no_such_setting", SECURITY_SETTINGS_KEY] as const;
  const lookup = {
    id: row.id,
    userId: row.userId,
    purpose: "challenge" as const,
    now: env.clock.now(),
    maxAttempts: 5,
  };
  const stored = await db.select().from(settings).where(eq(settings.key, LOGIN_POLICY_KEY));
  const found = await findUserAndOpenPending(db, lookup, keys);
  assertEquals(found?.user, user);
  assertEquals(found?.pending, await findOpenPending(db, lookup));
  assertEquals(found?.pending?.id, row.id);
  assertEquals(found?.settings, [stored[0].value, null, null]);
  // a pending login that is not open is null beside its user; an unknown user is no row
  const dead = await findUserAndOpenPending(db, { ...lookup, purpose: "enroll" }, keys);
  assertEquals([dead?.user, dead?.pending], [user, null]);
  assertEquals(await findUserAndOpenPending(db, { ...lookup, userId: "nobody" }, keys), undefined);
  assertEquals(typeof p.pending_token, "string");
});
