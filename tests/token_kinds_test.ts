/** Security property: each token kind is refused wherever another kind is expected. */
import { decodeJwt, SignJWT } from "jose";
import { signToken, TOKEN_KINDS, type TokenKind } from "../src/tokens/tokens.ts";
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

Deno.test("token kinds: session, pending and device tokens never stand in for one another", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  nextStep(env);
  const p = await pendingLogin(env);
  const done = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
    trust_device: true,
  });
  const session = done.json.session_token as string;
  const device = done.json.trusted_device_token as string;
  const p2 = await pendingLogin(env);
  const pending = p2.pending_token as string;

  // A pending or device token is not a session.
  for (const t of [pending, device]) {
    const r = await api(env, "GET", "/api/v1/session", undefined, t);
    assertEquals(r.status, 401);
    assertEquals(r.json.error.code, "unauthorized");
  }
  // A session or device token is not a pending token.
  for (const t of [session, device]) {
    const r = await api(env, "POST", "/api/v1/login/totp", { pending_token: t, code: "123456" });
    assertEquals(r.json.error.code, "invalid_pending_token");
  }
  // A session or pending token is not a trusted-device token: the challenge is still asked.
  for (const t of [session, pending]) {
    const r = await api(env, "POST", "/api/v1/login", {
      username: "alice",
      password: "correct horse battery staple",
      trusted_device_token: t,
    });
    assertEquals(r.json.status, "second_factor_required");
  }
  // The device token does its own job.
  const skip = await api(env, "POST", "/api/v1/login", {
    username: "alice",
    password: "correct horse battery staple",
    trusted_device_token: device,
  });
  assertEquals(skip.json.status, "authenticated");
});

Deno.test("token kinds: a forged session token for a live session id but another kind is refused", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  const me = await api(env, "GET", "/api/v1/session", undefined, e.sessionToken);
  const forged = await signToken(env.deps.keys, "pending", {
    sub: me.json.user.id,
    jti: me.json.session.id,
    expiresAt: new Date(env.clock.now().getTime() + 60_000),
  }, env.clock.now());
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, forged)).status, 401);
});

Deno.test("token kinds: expired session token and logged-out session are refused", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, e.sessionToken)).status, 200);
  const out = await api(env, "POST", "/api/v1/logout", undefined, e.sessionToken);
  assertEquals(out.status, 204);
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, e.sessionToken)).status, 401);
  assertEquals((await api(env, "POST", "/api/v1/logout", undefined, e.sessionToken)).status, 401);

  nextStep(env);
  const p = await pendingLogin(env);
  const r = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
  });
  env.clock.advance(24 * 3_600_000 + 1000);
  assertEquals(
    (await api(env, "GET", "/api/v1/session", undefined, r.json.session_token)).status,
    401,
  );
});

Deno.test("token kinds: a trusted-device token works only for the user it was issued to", async () => {
  const env = await testApp();
  await addUser(env, "alice");
  await addUser(env, "bob");
  const a = await enrollViaApi(env, "alice");
  await enrollViaApi(env, "bob");
  nextStep(env);
  const p = await pendingLogin(env, "alice");
  const done = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, a.secret),
    trust_device: true,
    device_name: "Laptop",
  });
  const r = await api(env, "POST", "/api/v1/login", {
    username: "bob",
    password: "correct horse battery staple",
    trusted_device_token: done.json.trusted_device_token,
  });
  assertEquals(r.json.status, "second_factor_required");
  // And it never replaces the password.
  const wrong = await api(env, "POST", "/api/v1/login", {
    username: "alice",
    password: "wrong password",
    trusted_device_token: done.json.trusted_device_token,
  });
  assertEquals(wrong.status, 401);
  // It expires after 30 days.
  env.clock.advance(30 * 86_400_000 + 1000);
  const late = await api(env, "POST", "/api/v1/login", {
    username: "alice",
    password: "correct horse battery staple",
    trusted_device_token: done.json.trusted_device_token,
  });
  assertEquals(late.json.status, "second_factor_required");
});

Deno.test("token kinds: the JWKS publishes public keys only", async () => {
  const env = await testApp();
  const r = await api(env, "GET", "/.well-known/jwks.json");
  assertEquals(r.status, 200);
  assertEquals(r.json.keys.length, 1);
  assertEquals([r.json.keys[0].kty, r.json.keys[0].crv, r.json.keys[0].alg], [
    "OKP",
    "Ed25519",
    "EdDSA",
  ]);
  assertEquals("d" in r.json.keys[0], false);
});

/**
 * The claims of a real token, re-signed with the service's own key after `change`: a forgery
 * only the key holder (or a bug) could make, so the time rules are all that stands in its way.
 */
async function reSigned(
  env: TestEnv,
  kind: TokenKind,
  token: string,
  change: (claims: Record<string, unknown>, now: number) => void,
): Promise<string> {
  const claims: Record<string, unknown> = { ...decodeJwt(token) };
  change(claims, Math.floor(env.clock.now().getTime() / 1000));
  const keys = env.deps.keys;
  // with the kind's real key: pending tokens are HS256 under their own key, the others signed
  return kind === "pending"
    ? await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: TOKEN_KINDS[kind].typ })
      .sign(keys.pending)
    : await new SignJWT(claims)
      .setProtectedHeader({ alg: keys.alg, typ: TOKEN_KINDS[kind].typ, kid: keys.kid })
      .sign(keys.privateKey);
}

type Claims = Record<string, unknown>;
const TEN_YEARS = 10 * 365 * 86_400;
/** Forgeries every kind refuses: iat or nbf an hour ahead, ten years to live, no iat. */
const REFUSED: Record<string, (c: Claims, now: number) => void> = {
  "iat an hour ahead": (c, now) => (c.iat = now + 3600),
  "iat past the 60 s skew": (c, now) => (c.iat = now + 61),
  "nbf an hour ahead": (c, now) => (c.nbf = now + 3600),
  "exp ten years ahead": (c, now) => (c.iat = now, c.exp = now + TEN_YEARS),
  "no iat": (c) => delete c.iat,
};
/** And what they accept: an issuer clock running 60 s fast. */
const AT_THE_EDGE = (c: Claims, now: number) => (c.iat = now + 60, c.nbf = now + 60);

Deno.test("token kinds: forged time claims are refused for session, device and pending tokens", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  nextStep(env);
  const p = await pendingLogin(env);
  const done = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
    trust_device: true,
  });
  const session = done.json.session_token as string;
  const device = done.json.trusted_device_token as string;

  // Session: GET /api/v1/session answers 401 to each forgery, 200 at the edge of the skew.
  for (const [name, change] of Object.entries(REFUSED)) {
    const forged = await reSigned(env, "session", session, change);
    assertEquals((await api(env, "GET", "/api/v1/session", undefined, forged)).status, 401, name);
  }
  const sessionEdge = await reSigned(env, "session", session, AT_THE_EDGE);
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, sessionEdge)).status, 200);

  // Trusted device: a forgery does not skip the second factor; the edge one does.
  const loginWith = async (trusted_device_token: string) =>
    (await api(env, "POST", "/api/v1/login", {
      username: "alice",
      password: "correct horse battery staple",
      trusted_device_token,
    })).json.status;
  for (const [name, change] of Object.entries(REFUSED)) {
    const forged = await reSigned(env, "device", device, change);
    assertEquals(await loginWith(forged), "second_factor_required", name);
  }
  assertEquals(
    await loginWith(await reSigned(env, "device", device, AT_THE_EDGE)),
    "authenticated",
  );

  // Pending: each forgery is not a pending token; the edge one completes the login.
  nextStep(env);
  const pending = (await pendingLogin(env)).pending_token as string;
  const code = codeNow(env, e.secret);
  for (const [name, change] of Object.entries(REFUSED)) {
    const forged = await reSigned(env, "pending", pending, change);
    const r = await api(env, "POST", "/api/v1/login/totp", { pending_token: forged, code });
    assertEquals(r.json.error?.code, "invalid_pending_token", name);
  }
  const pendingEdge = await reSigned(env, "pending", pending, AT_THE_EDGE);
  const ok = await api(env, "POST", "/api/v1/login/totp", { pending_token: pendingEdge, code });
  assertEquals(ok.json.status, "authenticated");
});
