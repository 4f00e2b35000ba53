/** Enrollment over JSON: the first code must verify; who may enroll; limits and expiry. */
import { authenticators, enrollments } from "../src/db/schema.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { addUser, api, codeNow, enrollViaApi, nextStep, pendingLogin, testApp } from "./helpers.ts";

Deno.test("enrollment: start returns secret, otpauth URI, QR SVG and expiry; the secret is encrypted at rest", async () => {
  const env = await testApp();
  await addUser(env);
  const p = await pendingLogin(env);
  const r = await api(env, "POST", "/api/v1/enrollments", { label: "Phone" }, p.pending_token);
  assertEquals(r.status, 201);
  assertMatch(r.json.secret, /^[A-Z2-7]{32}$/);
  assertMatch(r.json.otpauth_uri, /^otpauth:\/\/totp\/twofold:alice\?/);
  assertMatch(r.json.qr_svg, /^<svg/);
  assert(new Date(r.json.expires_at) > env.clock.now());
  const rows = await env.deps.db.select().from(enrollments);
  assertEquals(rows.length, 1);
  assert(!JSON.stringify(rows).includes(r.json.secret), "secret stored in clear");
  assertMatch(rows[0].secretEnc, /^v1\./);
  // Nothing counts until a code verifies.
  assertEquals((await env.deps.db.select().from(authenticators)).length, 0);
  const again = await pendingLogin(env);
  assertEquals(again.status, "enrollment_required");
});

Deno.test("enrollment: a wrong code is refused and five wrong codes end the enrollment", async () => {
  const env = await testApp();
  await addUser(env);
  const p = await pendingLogin(env);
  const start = await api(env, "POST", "/api/v1/enrollments", {}, p.pending_token);
  const url = `/api/v1/enrollments/${start.json.enrollment_id}/confirm`;
  for (let i = 0; i < 5; i++) {
    const r = await api(env, "POST", url, { code: "000000" }, p.pending_token);
    assertEquals(r.json.error.code, "invalid_code");
  }
  const late = await api(
    env,
    "POST",
    url,
    { code: codeNow(env, start.json.secret) },
    p.pending_token,
  );
  assertEquals(late.status, 410);
  assertEquals(late.json.error.code, "enrollment_expired");
  // A new enrollment on the same login still works.
  const fresh = await api(env, "POST", "/api/v1/enrollments", {}, p.pending_token);
  const ok = await api(
    env,
    "POST",
    `/api/v1/enrollments/${fresh.json.enrollment_id}/confirm`,
    { code: codeNow(env, fresh.json.secret) },
    p.pending_token,
  );
  assertEquals(ok.status, 200);
  assertEquals(ok.json.recovery_codes.length, 10);
  assertEquals(typeof ok.json.session_token, "string");
});

Deno.test("enrollment: needs a token; a challenge pending token cannot enroll", async () => {
  const env = await testApp();
  await addUser(env);
  await enrollViaApi(env);
  const none = await api(env, "POST", "/api/v1/enrollments", {});
  assertEquals(none.status, 401);
  const p = await pendingLogin(env);
  assertEquals(p.status, "second_factor_required");
  const r = await api(env, "POST", "/api/v1/enrollments", {}, p.pending_token);
  assertEquals(r.json.error.code, "invalid_pending_token");
});

Deno.test("enrollment: another user's enrollment id cannot be confirmed", async () => {
  const env = await testApp();
  await addUser(env, "alice");
  await addUser(env, "bob");
  const a = await pendingLogin(env, "alice");
  const b = await pendingLogin(env, "bob");
  const start = await api(env, "POST", "/api/v1/enrollments", {}, a.pending_token);
  const r = await api(
    env,
    "POST",
    `/api/v1/enrollments/${start.json.enrollment_id}/confirm`,
    { code: codeNow(env, start.json.secret) },
    b.pending_token,
  );
  assertEquals(r.json.error.code, "enrollment_expired");
});

Deno.test("enrollment: expires with its pending login", async () => {
  const env = await testApp();
  await addUser(env);
  const p = await pendingLogin(env);
  const start = await api(env, "POST", "/api/v1/enrollments", {}, p.pending_token);
  env.clock.advance(15 * 60_000 + 1000);
  const r = await api(
    env,
    "POST",
    `/api/v1/enrollments/${start.json.enrollment_id}/confirm`,
    { code: codeNow(env, start.json.secret) },
    p.pending_token,
  );
  assertEquals(r.status, 401);
  assertEquals(r.json.error.code, "invalid_pending_token");
});

Deno.test("enrollment: a fresh session may add a second authenticator; a stale one must log in again", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  const start = await api(env, "POST", "/api/v1/enrollments", { label: "Tablet" }, e.sessionToken);
  assertEquals(start.status, 201);
  const ok = await api(
    env,
    "POST",
    `/api/v1/enrollments/${start.json.enrollment_id}/confirm`,
    { code: codeNow(env, start.json.secret) },
    e.sessionToken,
  );
  assertEquals(ok.status, 200);
  assertEquals(ok.json.authenticator.label, "Tablet");
  assertEquals(ok.json.recovery_codes, []); // the first set stays valid
  assertEquals("session_token" in ok.json, false);
  assertEquals((await env.deps.db.select().from(authenticators)).length, 2);

  // Either authenticator answers a challenge.
  nextStep(env);
  const p = await pendingLogin(env);
  const viaTablet = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, start.json.secret),
  });
  assertEquals(viaTablet.status, 200);

  env.clock.advance(6 * 60_000);
  const stale = await api(env, "POST", "/api/v1/enrollments", {}, e.sessionToken);
  assertEquals(stale.status, 403);
  assertEquals(stale.json.error.code, "reauthentication_required");
});

Deno.test("enrollment: the confirmed code is checked by oathtool, an independent TOTP implementation", async () => {
  const env = await testApp();
  await addUser(env);
  const p = await pendingLogin(env);
  const start = await api(env, "POST", "/api/v1/enrollments", {}, p.pending_token);
  const out = await new Deno.Command("oathtool", {
    args: [
      "--totp",
      "--base32",
      `--now=${env.clock.now().toISOString().replace("T", " ").slice(0, 19)} UTC`,
      start.json.secret,
    ],
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  const code = new TextDecoder().decode(out.stdout).trim();
  const ok = await api(
    env,
    "POST",
    `/api/v1/enrollments/${start.json.enrollment_id}/confirm`,
    { code },
    p.pending_token,
  );
  assertEquals(ok.status, 200);
});

Deno.test("enrollment: the QR code decodes (rsvg-convert + zbarimg) to the otpauth URI", async () => {
  const env = await testApp();
  await addUser(env);
  const p = await pendingLogin(env);
  const start = await api(env, "POST", "/api/v1/enrollments", {}, p.pending_token);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/qr.svg`, start.json.qr_svg);
    const png = await new Deno.Command("rsvg-convert", {
      args: ["-w", "400", "-b", "white", "-o", `${dir}/qr.png`, `${dir}/qr.svg`],
    }).output();
    assertEquals(png.code, 0, new TextDecoder().decode(png.stderr));
    const scan = await new Deno.Command("zbarimg", { args: ["--quiet", "--raw", `${dir}/qr.png`] })
      .output();
    assertEquals(scan.code, 0, new TextDecoder().decode(scan.stderr));
    assertEquals(new TextDecoder().decode(scan.stdout).trim(), start.json.otpauth_uri);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
