/**
 * @module Security keys and passkeys end to end over the JSON API, with a software
 * authenticator: registration, the second factor after the password, passkey sign-in; the
 * challenge is single use (also in parallel), origin and RP ID are checked, the signature
 * counter must move forward, and a passkey alone needs user verification.
 */
import { eq } from "drizzle-orm";
import { auditEvents, sessions, webauthnCredentials } from "../src/db/schema.ts";
import { DEFAULT_LOGIN_POLICY } from "../src/policy/policy.ts";
import { savePolicyStatement } from "../src/policy/repo.ts";
import { assert, assertEquals } from "./assert.ts";
import {
  addUser,
  api,
  Browser,
  enrollViaApi,
  PASSWORD,
  pendingLogin,
  testApp,
  type TestEnv,
} from "./helpers.ts";
import { softCreate, softGet, type SoftKey } from "./webauthn_authenticator.ts";

const ORIGIN = "http://localhost";

async function registerKey(env: TestEnv, token: string, name = "blue key") {
  const opts = await api(env, "POST", "/api/v1/me/security-keys/options", undefined, token);
  assertEquals(opts.status, 200);
  const { key, credential } = await softCreate(opts.json.options, ORIGIN);
  const r = await api(env, "POST", "/api/v1/me/security-keys", {
    challenge_id: opts.json.challenge_id,
    name,
    credential,
  }, token);
  assertEquals(r.status, 201, JSON.stringify(r.json));
  return {
    key,
    id: r.json.security_key.id as string,
    challengeId: opts.json.challenge_id,
    credential,
  };
}

async function setup() {
  const env = await testApp();
  await addUser(env);
  const enrolled = await enrollViaApi(env);
  const reg = await registerKey(env, enrolled.sessionToken);
  return { env, enrolled, ...reg };
}

async function keyOptions(env: TestEnv) {
  const pending = await pendingLogin(env);
  assertEquals(pending.methods, ["totp", "webauthn", "recovery_code"]);
  const opts = await api(env, "POST", "/api/v1/login/webauthn/options", {
    pending_token: pending.pending_token,
  });
  assertEquals(opts.status, 200);
  return { pendingToken: pending.pending_token as string, ...opts.json };
}

async function answer(
  env: TestEnv,
  key: SoftKey,
  input: Parameters<typeof softGet>[3] = {},
  origin = ORIGIN,
) {
  const o = await keyOptions(env);
  const credential = await softGet(key, o.options, origin, input);
  return await api(env, "POST", "/api/v1/login/webauthn", {
    pending_token: o.pendingToken,
    challenge_id: o.challenge_id,
    credential,
  });
}

Deno.test("webauthn: a registered key is listed without key material, and the challenge works once", async () => {
  const { env, enrolled, challengeId, credential } = await setup();
  const list = await api(env, "GET", "/api/v1/me/security-keys", undefined, enrolled.sessionToken);
  assertEquals(list.json.security_keys.length, 1);
  assertEquals(list.json.security_keys[0].name, "blue key");
  assert(!JSON.stringify(list.json).includes("public"), "key material in the list");
  const again = await api(env, "POST", "/api/v1/me/security-keys", {
    challenge_id: challengeId,
    name: "again",
    credential,
  }, enrolled.sessionToken);
  assertEquals(again.status, 401);
  assertEquals(again.json.error.code, "invalid_security_key");
  const audited = await env.deps.db.select().from(auditEvents).where(
    eq(auditEvents.event, "webauthn.register"),
  );
  assertEquals(audited.map((a) => a.outcome).sort(), ["failure", "success"]);
});

Deno.test("webauthn: registration from another origin or for another RP ID is refused", async () => {
  const env = await testApp();
  await addUser(env);
  const { sessionToken } = await enrollViaApi(env);
  for (const [origin, rpId] of [["https://evil.example", "localhost"], [ORIGIN, "evil.example"]]) {
    const opts = await api(
      env,
      "POST",
      "/api/v1/me/security-keys/options",
      undefined,
      sessionToken,
    );
    const { credential } = await softCreate(opts.json.options, origin, { uv: true }, rpId);
    const r = await api(env, "POST", "/api/v1/me/security-keys", {
      challenge_id: opts.json.challenge_id,
      name: "k",
      credential,
    }, sessionToken);
    assertEquals(r.status, 401, `${origin} ${rpId}`);
  }
  assertEquals((await env.deps.db.select().from(webauthnCredentials)).length, 0);
});

Deno.test("webauthn: password then key signs in with amr pwd+pop and records the use", async () => {
  const { env, key, id } = await setup();
  const r = await answer(env, key);
  assertEquals(r.status, 200, JSON.stringify(r.json));
  assertEquals(r.json.status, "authenticated");
  const rows = await env.deps.db.select().from(sessions);
  assert(rows.some((s) => s.amr === JSON.stringify(["pwd", "pop"])), "no pwd+pop session");
  const [stored] = await env.deps.db.select().from(webauthnCredentials)
    .where(eq(webauthnCredentials.id, id));
  assertEquals(stored.counter, 1);
  assertEquals(stored.lastUsedAt, env.clock.now().getTime());
});

Deno.test("webauthn: wrong origin, wrong RP ID, stale counter and a replayed challenge are refused", async () => {
  const { env, key } = await setup();
  assertEquals((await answer(env, key, {}, "https://evil.example")).status, 401);
  assertEquals((await answer(env, key, { rpId: "evil.example" })).status, 401);
  assertEquals((await answer(env, key, { counter: 5 })).status, 200);
  // A cloned key would present a counter at or below the last one seen.
  assertEquals((await answer(env, key, { counter: 5 })).status, 401);
  assertEquals((await answer(env, key, { counter: 3 })).status, 401);
  assertEquals((await answer(env, key, { counter: 6 })).status, 200);

  const o = await keyOptions(env);
  const credential = await softGet(key, o.options, ORIGIN);
  const body = { pending_token: o.pendingToken, challenge_id: o.challenge_id, credential };
  assertEquals((await api(env, "POST", "/api/v1/login/webauthn", body)).status, 200);
  assert((await api(env, "POST", "/api/v1/login/webauthn", body)).status >= 400, "replay passed");
});

Deno.test("webauthn: a challenge is bound to its pending login", async () => {
  const { env, key } = await setup();
  const a = await keyOptions(env);
  const b = await pendingLogin(env);
  const credential = await softGet(key, a.options, ORIGIN);
  const r = await api(env, "POST", "/api/v1/login/webauthn", {
    pending_token: b.pending_token,
    challenge_id: a.challenge_id,
    credential,
  });
  assertEquals(r.status, 401);
  assertEquals(r.json.error.code, "invalid_security_key");
});

Deno.test("webauthn: of parallel answers with one challenge, exactly one signs in", async () => {
  const { env, key } = await setup();
  const o = await keyOptions(env);
  const credential = await softGet(key, o.options, ORIGIN);
  const body = { pending_token: o.pendingToken, challenge_id: o.challenge_id, credential };
  const results = await Promise.all(
    Array.from({ length: 6 }, () => api(env, "POST", "/api/v1/login/webauthn", body)),
  );
  assertEquals(results.filter((r) => r.status === 200).length, 1);
});

Deno.test("webauthn: passkey sign-in is off by default, needs user verification when on", async () => {
  const { env, key } = await setup();
  const off = await api(env, "POST", "/api/v1/login/passkey/options");
  assertEquals(off.status, 403);
  assertEquals(off.json.error.code, "passkey_sign_in_disabled");
  await savePolicyStatement(
    env.deps.db,
    {
      ...DEFAULT_LOGIN_POLICY,
      webauthn: { ...DEFAULT_LOGIN_POLICY.webauthn, passkeySignIn: true },
    },
    env.clock.now(),
    "test",
  );

  const passkey = async (flags: { uv: boolean }) => {
    const o = await api(env, "POST", "/api/v1/login/passkey/options");
    assertEquals(o.status, 200);
    assertEquals(o.json.options.userVerification, "required");
    const credential = await softGet(key, o.json.options, ORIGIN, { flags });
    return await api(env, "POST", "/api/v1/login/passkey", {
      challenge_id: o.json.challenge_id,
      credential,
    });
  };
  assertEquals((await passkey({ uv: false })).status, 401);
  const ok = await passkey({ uv: true });
  assertEquals(ok.status, 200, JSON.stringify(ok.json));
  const me = await api(env, "GET", "/api/v1/me/sessions", undefined, ok.json.session_token);
  assertEquals(me.json.sessions.find((s: { current: boolean }) => s.current).amr, ["pop", "mfa"]);
});

Deno.test("webauthn: re-authentication by password and key makes the session fresh", async () => {
  const { env, key, enrolled } = await setup();
  env.clock.advance(10 * 60_000); // the login's proof is stale now
  const token = enrolled.sessionToken;
  const stale = await api(env, "POST", "/api/v1/me/security-keys/options", undefined, token);
  assertEquals(stale.json.error.code, "reauthentication_required");
  const o = await api(env, "POST", "/api/v1/me/reauth/webauthn/options", undefined, token);
  assertEquals(o.status, 200);
  const credential = await softGet(key, o.json.options, ORIGIN);
  const bad = await api(env, "POST", "/api/v1/me/reauth", {
    password: "wrong password",
    security_key: { challenge_id: o.json.challenge_id, credential },
  }, token);
  assertEquals(bad.status, 401);
  const o2 = await api(env, "POST", "/api/v1/me/reauth/webauthn/options", undefined, token);
  const r = await api(env, "POST", "/api/v1/me/reauth", {
    password: PASSWORD,
    security_key: {
      challenge_id: o2.json.challenge_id,
      credential: await softGet(key, o2.json.options, ORIGIN),
    },
  }, token);
  assertEquals(r.status, 200, JSON.stringify(r.json));
  const fresh = await api(env, "POST", "/api/v1/me/security-keys/options", undefined, token);
  assertEquals(fresh.status, 200);
});

Deno.test("webauthn: the last factor a required policy needs stays; keys count beside the app", async () => {
  const { env, enrolled, id } = await setup();
  const token = enrolled.sessionToken;
  // Two factors (an app and a key): the app may go, then the key is the last one.
  const app = await api(
    env,
    "DELETE",
    `/api/v1/me/authenticators/${enrolled.authenticatorId}`,
    undefined,
    token,
  );
  assertEquals(app.status, 204);
  const key = await api(env, "DELETE", `/api/v1/me/security-keys/${id}`, undefined, token);
  assertEquals(key.status, 409);
  assertEquals(key.json.error.code, "last_authenticator");
  assertEquals((await env.deps.db.select().from(webauthnCredentials)).length, 1);
});

Deno.test("webauthn: a required fallback keeps the last authenticator app beside keys", async () => {
  const { env, enrolled } = await setup();
  await savePolicyStatement(
    env.deps.db,
    {
      ...DEFAULT_LOGIN_POLICY,
      webauthn: { ...DEFAULT_LOGIN_POLICY.webauthn, fallback: "totp" },
    },
    env.clock.now(),
    "test",
  );
  const r = await api(
    env,
    "DELETE",
    `/api/v1/me/authenticators/${enrolled.authenticatorId}`,
    undefined,
    enrolled.sessionToken,
  );
  assertEquals(r.status, 409);
  assertEquals(r.json.error.code, "fallback_required");
});

Deno.test("webauthn: removing a key is audited and ends the other sessions", async () => {
  const { env, enrolled, key: soft } = await setup();
  const second = await registerKey(env, enrolled.sessionToken, "spare");
  const other = await answer(env, soft);
  assertEquals(other.status, 200);
  const r = await api(
    env,
    "DELETE",
    `/api/v1/me/security-keys/${second.id}`,
    undefined,
    enrolled.sessionToken,
  );
  assertEquals(r.status, 204);
  const gone = await api(env, "GET", "/api/v1/me/sessions", undefined, other.json.session_token);
  assertEquals(gone.status, 401);
  const audited = await env.deps.db.select().from(auditEvents).where(
    eq(auditEvents.event, "webauthn.remove"),
  );
  assertEquals(audited.length, 1);
});

Deno.test("webauthn: an admin lists a user's keys, removes one, and a 2FA reset removes the rest", async () => {
  const { env, id, enrolled } = await setup();
  const alice = (await env.deps.db.select().from(webauthnCredentials))[0].userId;
  await addUser(env, "root", ["admin"]);
  const { sessionToken: adminToken } = await enrollViaApi(env, "root");
  const list = await api(
    env,
    "GET",
    `/api/v1/admin/users/${alice}/security-keys`,
    undefined,
    adminToken,
  );
  assertEquals(list.status, 200);
  assertEquals(list.json.security_keys.map((k: { id: string }) => k.id), [id]);
  const r = await api(
    env,
    "DELETE",
    `/api/v1/admin/users/${alice}/security-keys/${id}`,
    undefined,
    adminToken,
  );
  assertEquals(r.status, 204);
  const audited = await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "admin.webauthn.remove"));
  assertEquals(audited.length, 1);

  // A fresh key for alice, then a reset: it goes, and her credential epoch moves.
  await registerKey(env, enrolled.sessionToken, "another");
  const alicePending = await pendingLogin(env);
  assertEquals(alicePending.methods, ["totp", "webauthn", "recovery_code"]);
  const reset = await api(
    env,
    "POST",
    `/api/v1/admin/users/${alice}/reset-2fa`,
    { mode: "plain" },
    adminToken,
  );
  assertEquals(reset.status, 200, JSON.stringify(reset.json));
  assertEquals((await env.deps.db.select().from(webauthnCredentials)).length, 0);
  const dead = await api(env, "POST", "/api/v1/login/webauthn/options", {
    pending_token: alicePending.pending_token,
  });
  assertEquals(dead.json.error.code, "invalid_pending_token");
  const refused = await api(
    env,
    "DELETE",
    `/api/v1/admin/users/${alice}/security-keys/${id}`,
    undefined,
    adminToken,
  );
  assertEquals(refused.status, 404);
});

Deno.test("webauthn pages: a refused key goes back to the code page with its message", async () => {
  const { env, key } = await setup();
  const browser = new Browser(env);
  await browser.get("/login");
  await browser.post("/login", { username: "alice", password: PASSWORD });
  const page = await browser.get("/login/totp");
  assertEquals(page.status, 200);
  const challengeId = browser.lastHtml.match(/name="challenge_id" value="([^"]+)"/)?.[1];
  assert(challengeId, "no security key form on the code page");
  // The options the page hands its script (JSON in an attribute; base64url needs no escaping).
  const options = JSON.parse(
    (browser.lastHtml.match(/data-options="([^"]+)"/)?.[1] ?? "").replaceAll("&quot;", '"'),
  );
  const forged = await softGet(key, options, "https://evil.example");
  const r = await browser.post("/login/webauthn", {
    challenge_id: challengeId,
    credential: JSON.stringify(forged),
  });
  assertEquals(r.status, 303);
  assertEquals(r.headers.get("location"), "/login/totp?error=invalid_security_key");
  await browser.get("/login/totp?error=invalid_security_key");
  assert(browser.lastHtml.includes("was not accepted"), "no message on the code page");
  await browser.get("/login/totp?error=%3Cscript%3E");
  assert(!browser.lastHtml.includes("script&gt;"), "query text on the page");
});
