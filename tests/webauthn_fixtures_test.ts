/**
 * @module Answers made by a real authenticator implementation (Chromium's virtual CTAP2
 * authenticator, tests/fixtures/webauthn_chromium.json, made by make_webauthn_fixtures.ts)
 * replayed through the API: registration, the second factor, passkey sign-in, and the refusals
 * (origin, RP ID, a used challenge, a counter that did not move, no user verification). The
 * fixtures carry fixed challenges, so the test stores the matching challenge rows itself.
 */
import { eq, sql } from "drizzle-orm";
import { fromBase64Url } from "../src/lib/encoding.ts";
import { sessions, users, webauthnCredentials } from "../src/db/schema.ts";
import { DEFAULT_LOGIN_POLICY } from "../src/policy/policy.ts";
import { savePolicyStatement } from "../src/policy/repo.ts";
import { insertChallenge } from "../src/webauthn/repo.ts";
import { assertEquals } from "./assert.ts";
import { addUser, api, enrollViaApi, pendingLogin, testApp, type TestEnv } from "./helpers.ts";

const fixture = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/webauthn_chromium.json", import.meta.url)),
);

let n = 0;
async function challengeRow(env: TestEnv, input: {
  purpose: "register" | "second_factor" | "passkey";
  boundTo: string;
  challenge: string;
  origin?: string;
  rpId?: string;
}) {
  const id = `fixture-${++n}`;
  const now = env.clock.now().getTime();
  await insertChallenge(env.deps.db, {
    id,
    purpose: input.purpose,
    userId: input.purpose === "passkey" ? null : fixture.userId,
    boundTo: input.boundTo,
    challenge: input.challenge,
    rpId: input.rpId ?? fixture.rpId,
    origin: input.origin ?? fixture.origin,
    createdAt: now,
    expiresAt: now + 60_000,
  });
  return id;
}

async function setup() {
  const env = await testApp();
  await addUser(env);
  // The fixtures' user handle names this id.
  await env.deps.db.update(users).set({ id: fixture.userId }).where(eq(users.username, "alice"));
  const { sessionToken } = await enrollViaApi(env);
  const [session] = await env.deps.db.select().from(sessions).where(
    eq(sessions.userId, fixture.userId),
  );
  const register = async (reg: { challenge: string; credential: unknown }, name: string) => {
    const id = await challengeRow(env, {
      purpose: "register",
      boundTo: session.id,
      challenge: reg.challenge,
    });
    return await api(env, "POST", "/api/v1/me/security-keys", {
      challenge_id: id,
      name,
      credential: reg.credential,
    }, sessionToken);
  };
  return { env, register };
}

async function secondFactor(
  env: TestEnv,
  answer: { challenge: string; credential: unknown },
  row: { origin?: string; rpId?: string } = {},
) {
  const pending = await pendingLogin(env);
  // The pending login's id is the token's jti.
  const claims = JSON.parse(
    new TextDecoder().decode(fromBase64Url(pending.pending_token.split(".")[1])),
  );
  const p = { id: claims.jti as string };
  const id = await challengeRow(env, {
    purpose: "second_factor",
    boundTo: p.id,
    challenge: answer.challenge,
    ...row,
  });
  const body = {
    pending_token: pending.pending_token,
    challenge_id: id,
    credential: answer.credential,
  };
  return { r: await api(env, "POST", "/api/v1/login/webauthn", body), body };
}

async function passkey(env: TestEnv, answer: { challenge: string; credential: unknown }) {
  const id = await challengeRow(env, {
    purpose: "passkey",
    boundTo: "",
    challenge: answer.challenge,
  });
  return await api(env, "POST", "/api/v1/login/passkey", {
    challenge_id: id,
    credential: answer.credential,
  });
}

Deno.test("chromium fixtures: registration, second factor, passkey, and every refusal", async () => {
  const { env, register } = await setup();
  const reg = await register(fixture.registration, "virtual key");
  assertEquals(reg.status, 201, JSON.stringify(reg.json));
  assertEquals(reg.json.security_key.discoverable, true);
  assertEquals(reg.json.security_key.user_verified, true);
  const [first, second] = fixture.assertions;

  // Origin and RP ID are the challenge's: answers made for another are refused.
  assertEquals((await secondFactor(env, first, { origin: "https://evil.example" })).r.status, 401);
  assertEquals((await secondFactor(env, first, { rpId: "example.com" })).r.status, 401);

  const ok = await secondFactor(env, first);
  assertEquals(ok.r.status, 200, JSON.stringify(ok.r.json));
  // The same answer again: its challenge is used up.
  assertEquals((await api(env, "POST", "/api/v1/login/webauthn", ok.body)).status, 401);
  const [stored] = await env.deps.db.select().from(webauthnCredentials);
  assertEquals(stored.counter, 2);

  // Passkey sign-in (allowed now) with the next answer; the first one's counter is behind.
  await savePolicyStatement(
    env.deps.db,
    {
      ...DEFAULT_LOGIN_POLICY,
      webauthn: { ...DEFAULT_LOGIN_POLICY.webauthn, passkeySignIn: true },
    },
    env.clock.now(),
    "test",
  );
  const pk = await passkey(env, second);
  assertEquals(pk.status, 200, JSON.stringify(pk.json));
  const me = await api(env, "GET", "/api/v1/session", undefined, pk.json.session_token);
  assertEquals(me.json.session.amr, ["pop", "mfa"]);
  assertEquals((await passkey(env, first)).status, 401);

  // An authenticator without user verification: a second factor, never a passkey alone.
  const noUv = fixture.withoutUserVerification;
  assertEquals((await register(noUv.registration, "no uv")).status, 201);
  assertEquals((await passkey(env, noUv.assertion)).status, 401);
  assertEquals((await secondFactor(env, noUv.assertion)).r.status, 200);
  const counts = await env.deps.db.select({ n: sql<number>`count(*)` }).from(sessions);
  assertEquals(Number(counts[0].n) >= 3, true);
});
