/** Self-service over JSON: sudo mode, authenticators, recovery codes, devices, sessions, drift. */
import { eq } from "drizzle-orm";
import { auditEvents, authenticators, sessions } from "../src/db/schema.ts";
import { assert, assertEquals } from "./assert.ts";
import {
  addUser,
  api,
  codeNow,
  type Enrolled,
  enrollViaApi,
  nextStep,
  PASSWORD,
  pendingLogin,
  testApp,
  type TestEnv,
} from "./helpers.ts";

/** A second session for the same user, by password and code. */
async function loginAgain(env: TestEnv, e: Enrolled, extra: object = {}) {
  nextStep(env);
  const p = await pendingLogin(env);
  const r = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
    ...extra,
  });
  assertEquals(r.status, 200);
  return r.json;
}

async function addSecondAuthenticator(env: TestEnv, token: string, label = "Tablet") {
  const start = await api(env, "POST", "/api/v1/me/authenticators", { label }, token);
  assertEquals(start.status, 201);
  const ok = await api(
    env,
    "POST",
    `/api/v1/enrollments/${start.json.enrollment_id}/confirm`,
    { code: codeNow(env, start.json.secret) },
    token,
  );
  assertEquals(ok.status, 200);
  return { id: ok.json.authenticator.id as string, secret: start.json.secret as string };
}

async function alive(env: TestEnv, token: string) {
  return (await api(env, "GET", "/api/v1/session", undefined, token)).status === 200;
}

Deno.test("self-service: a stale session must re-authenticate before changing factors", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  env.clock.advance(6 * 60_000);
  for (
    const [method, path] of [
      ["POST", "/api/v1/me/authenticators"],
      ["DELETE", `/api/v1/me/authenticators/${e.authenticatorId}`],
      ["POST", `/api/v1/me/authenticators/${e.authenticatorId}/replace`],
      ["POST", "/api/v1/me/recovery-codes"],
    ]
  ) {
    const r = await api(env, method, path, method === "POST" ? {} : undefined, e.sessionToken);
    assertEquals(r.status, 403, path);
    assertEquals(r.json.error.code, "reauthentication_required");
  }
  // Password alone is not enough; wrong password or code fail.
  const noCode = await api(
    env,
    "POST",
    "/api/v1/me/reauth",
    { password: PASSWORD },
    e.sessionToken,
  );
  assertEquals(noCode.status, 400);
  const wrongPw = await api(env, "POST", "/api/v1/me/reauth", {
    password: "nope",
    code: codeNow(env, e.secret),
  }, e.sessionToken);
  assertEquals(wrongPw.json.error.code, "invalid_credentials");
  const wrongCode = await api(env, "POST", "/api/v1/me/reauth", {
    password: PASSWORD,
    code: "000000",
  }, e.sessionToken);
  assertEquals(wrongCode.json.error.code, "invalid_code");

  const ok = await api(env, "POST", "/api/v1/me/reauth", {
    password: PASSWORD,
    code: codeNow(env, e.secret),
  }, e.sessionToken);
  assertEquals(ok.status, 200);
  assertEquals(new Date(ok.json.fresh_until).getTime() - env.clock.now().getTime(), 5 * 60_000);
  // The code is consumed: replaying it for another re-auth fails.
  const replay = await api(env, "POST", "/api/v1/me/reauth", {
    password: PASSWORD,
    code: codeNow(env, e.secret),
  }, e.sessionToken);
  assertEquals(replay.json.error.code, "invalid_code");
  const r = await api(env, "POST", "/api/v1/me/recovery-codes", undefined, e.sessionToken);
  assertEquals(r.status, 201);
});

Deno.test("self-service: a trusted-device session is never fresh until re-authenticated", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  const trusted = await loginAgain(env, e, { trust_device: true });
  const viaDevice = await api(env, "POST", "/api/v1/login", {
    username: "alice",
    password: PASSWORD,
    trusted_device_token: trusted.trusted_device_token,
  });
  assertEquals(viaDevice.json.status, "authenticated");
  const r = await api(
    env,
    "POST",
    "/api/v1/me/recovery-codes",
    undefined,
    viaDevice.json.session_token,
  );
  assertEquals(r.json.error.code, "reauthentication_required");
  const reauth = await api(env, "POST", "/api/v1/me/reauth", {
    password: PASSWORD,
    recovery_code: e.recoveryCodes[0],
  }, viaDevice.json.session_token);
  assertEquals(reauth.status, 200);
  const r2 = await api(
    env,
    "POST",
    "/api/v1/me/recovery-codes",
    undefined,
    viaDevice.json.session_token,
  );
  assertEquals(r2.status, 201);
});

Deno.test("self-service: old recovery codes die at regenerate; the new set works", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  const r = await api(env, "POST", "/api/v1/me/recovery-codes", undefined, e.sessionToken);
  assertEquals(r.json.recovery_codes.length, 10);
  assertEquals(
    (await api(env, "GET", "/api/v1/me/recovery-codes", undefined, e.sessionToken)).json,
    { remaining: 10 },
  );
  const p = await pendingLogin(env);
  const old = await api(env, "POST", "/api/v1/login/recovery", {
    pending_token: p.pending_token,
    recovery_code: e.recoveryCodes[0],
  });
  assertEquals(old.json.error.code, "invalid_recovery_code");
  const fresh = await api(env, "POST", "/api/v1/login/recovery", {
    pending_token: p.pending_token,
    recovery_code: r.json.recovery_codes[0],
  });
  assertEquals(fresh.status, 200);
  assertEquals(fresh.json.recovery_codes_remaining, 9);
});

Deno.test("self-service: removing the last authenticator is refused under a 2FA-required policy", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  const r = await api(
    env,
    "DELETE",
    `/api/v1/me/authenticators/${e.authenticatorId}`,
    undefined,
    e.sessionToken,
  );
  assertEquals(r.status, 409);
  assertEquals(r.json.error.code, "last_authenticator");
  assertEquals((await env.deps.db.select().from(authenticators)).length, 1);
  const disable = await api(env, "DELETE", "/api/v1/me/2fa", undefined, e.sessionToken);
  assertEquals(disable.json.error.code, "policy_requires_2fa");
  // With a second one, either can go, and not both in parallel.
  const second = await addSecondAuthenticator(env, e.sessionToken);
  const both = await Promise.all(
    [e.authenticatorId, second.id].map((id) =>
      api(env, "DELETE", `/api/v1/me/authenticators/${id}`, undefined, e.sessionToken)
    ),
  );
  assertEquals(both.map((b) => b.status).sort(), [204, 409]);
  assertEquals((await env.deps.db.select().from(authenticators)).length, 1);
  const unknown = await api(
    env,
    "DELETE",
    "/api/v1/me/authenticators/nope",
    undefined,
    e.sessionToken,
  );
  assertEquals(unknown.status, 404);
});

Deno.test("self-service: factor changes end the user's other sessions and are audited", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  const other = await loginAgain(env, e);
  assert(await alive(env, other.session_token));
  // Adding an authenticator ends the others.
  const fresh = await loginAgain(env, e);
  const second = await addSecondAuthenticator(env, fresh.session_token);
  assert(!(await alive(env, other.session_token)));
  assert(!(await alive(env, e.sessionToken)));
  assert(await alive(env, fresh.session_token));
  // So does removing one, and regenerating codes.
  const another = await loginAgain(env, e);
  const rm = await api(
    env,
    "DELETE",
    `/api/v1/me/authenticators/${second.id}`,
    undefined,
    fresh.session_token,
  );
  assertEquals(rm.status, 204);
  assert(!(await alive(env, another.session_token)));
  const third = await loginAgain(env, e);
  await api(env, "POST", "/api/v1/me/recovery-codes", undefined, fresh.session_token);
  assert(!(await alive(env, third.session_token)));
  const events = (await env.deps.db.select().from(auditEvents)).map((a) => a.event);
  for (const ev of ["enrollment.confirm", "authenticator.remove", "recovery_codes.regenerate"]) {
    assert(events.includes(ev), ev);
  }
});

Deno.test("self-service: replace swaps the authenticator in one step", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  const start = await api(
    env,
    "POST",
    `/api/v1/me/authenticators/${e.authenticatorId}/replace`,
    {},
    e.sessionToken,
  );
  assertEquals(start.status, 201);
  // Until confirmed, the old one still works and is the only one.
  assertEquals((await env.deps.db.select().from(authenticators)).length, 1);
  const ok = await api(env, "POST", `/api/v1/enrollments/${start.json.enrollment_id}/confirm`, {
    code: codeNow(env, start.json.secret),
  }, e.sessionToken);
  assertEquals(ok.status, 200);
  const rows = await env.deps.db.select().from(authenticators);
  assertEquals(rows.map((r) => r.id), [ok.json.authenticator.id]);
  assertEquals(rows[0].label, "Authenticator app");
  // The old secret no longer logs in; the new one does.
  nextStep(env);
  const p = await pendingLogin(env);
  const old = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(old.status, 401);
  const neu = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, start.json.secret),
  });
  assertEquals(neu.status, 200);
  // Replacing someone else's or an unknown authenticator is refused.
  const bad = await api(
    env,
    "POST",
    "/api/v1/me/authenticators/nope/replace",
    {},
    neu.json.session_token,
  );
  assertEquals(bad.status, 404);
});

Deno.test("self-service: rename needs no re-auth and validates the label", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  env.clock.advance(10 * 60_000);
  const r = await api(env, "PATCH", `/api/v1/me/authenticators/${e.authenticatorId}`, {
    label: "Work phone",
  }, e.sessionToken);
  assertEquals(r.status, 200);
  assertEquals(r.json.authenticator.label, "Work phone");
  const bad = await api(env, "PATCH", `/api/v1/me/authenticators/${e.authenticatorId}`, {
    label: "",
  }, e.sessionToken);
  assertEquals(bad.status, 400);
  const list = await api(env, "GET", "/api/v1/me/authenticators", undefined, e.sessionToken);
  assertEquals(list.json.authenticators[0].label, "Work phone");
});

Deno.test("self-service: a revoked trusted device is ignored", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  const t = await loginAgain(env, e, { trust_device: true, device_name: "Laptop" });
  const list = await api(env, "GET", "/api/v1/me/trusted-devices", undefined, t.session_token, {
    "x-trusted-device-token": t.trusted_device_token,
  });
  assertEquals(list.json.trusted_devices.length, 1);
  assertEquals(list.json.trusted_devices[0].name, "Laptop");
  assertEquals(list.json.trusted_devices[0].current, true);
  const id = list.json.trusted_devices[0].id;
  assertEquals(
    (await api(env, "DELETE", `/api/v1/me/trusted-devices/${id}`, undefined, t.session_token))
      .status,
    204,
  );
  const r = await api(env, "POST", "/api/v1/login", {
    username: "alice",
    password: PASSWORD,
    trusted_device_token: t.trusted_device_token,
  });
  assertEquals(r.json.status, "second_factor_required");
  assertEquals(
    (await api(env, "DELETE", `/api/v1/me/trusted-devices/${id}`, undefined, t.session_token))
      .status,
    404,
  );
});

Deno.test("self-service: sessions list, end one, end others, log out everywhere", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  const b = await loginAgain(env, e, { trust_device: true });
  const c = await loginAgain(env, e);
  const list = await api(env, "GET", "/api/v1/me/sessions", undefined, e.sessionToken);
  assertEquals(list.json.sessions.length, 3);
  assertEquals(list.json.sessions.filter((s: { current: boolean }) => s.current).length, 1);
  assertEquals(list.json.sessions[0].second_factor, "authenticator code");
  const cId =
    (await api(env, "GET", "/api/v1/session", undefined, c.session_token)).json.session.id;
  assertEquals(
    (await api(env, "DELETE", `/api/v1/me/sessions/${cId}`, undefined, e.sessionToken)).status,
    204,
  );
  assert(!(await alive(env, c.session_token)));
  assertEquals(
    (await api(env, "POST", "/api/v1/me/sessions/end-others", undefined, e.sessionToken)).status,
    204,
  );
  assert(!(await alive(env, b.session_token)));
  assert(await alive(env, e.sessionToken));
  // The device still skips the code until "log out everywhere".
  const d = await api(env, "POST", "/api/v1/login", {
    username: "alice",
    password: PASSWORD,
    trusted_device_token: b.trusted_device_token,
  });
  assertEquals(d.json.status, "authenticated");
  assertEquals(
    (await api(env, "POST", "/api/v1/me/sessions/end-all", undefined, e.sessionToken)).status,
    204,
  );
  assert(!(await alive(env, e.sessionToken)));
  assert(!(await alive(env, d.json.session_token)));
  const after = await api(env, "POST", "/api/v1/login", {
    username: "alice",
    password: PASSWORD,
    trusted_device_token: b.trusted_device_token,
  });
  assertEquals(after.json.status, "second_factor_required");
  const live = await env.deps.db.select().from(sessions).where(eq(sessions.revokedAt, 0));
  assertEquals(live.length, 0);
});

Deno.test("self-service: codes that keep landing one step early produce a clock drift warning", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  let token = e.sessionToken;
  for (let i = 0; i < 3; i++) {
    env.clock.advance(60_000); // two steps, so the code one step back is still a newer step
    const p = await pendingLogin(env);
    const r = await api(env, "POST", "/api/v1/login/totp", {
      pending_token: p.pending_token,
      code: codeNow(env, e.secret, -30),
    });
    assertEquals(r.status, 200);
    token = r.json.session_token;
  }
  const list = await api(env, "GET", "/api/v1/me/authenticators", undefined, token);
  assertEquals(list.json.authenticators[0].clock_drift, { direction: "behind", seconds: 30 });
  // Two steps off is still refused.
  nextStep(env);
  const p = await pendingLogin(env);
  const far = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret, -60),
  });
  assertEquals(far.status, 401);
});

Deno.test("self-service: where policy allows, turning 2FA off removes factors, codes and devices in one go", async () => {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  const admin = await enrollViaApi(env, "root");
  await api(env, "PUT", "/api/v1/admin/policy", { mode: "listed" }, admin.sessionToken);
  await addUser(env);
  // Not required: the password signs in, and the user opts in from that session.
  const first = await api(env, "POST", "/api/v1/login", { username: "alice", password: PASSWORD });
  assertEquals(first.json.status, "authenticated");
  const start = await api(env, "POST", "/api/v1/enrollments", {}, first.json.session_token);
  const ok = await api(env, "POST", `/api/v1/enrollments/${start.json.enrollment_id}/confirm`, {
    code: codeNow(env, start.json.secret),
  }, first.json.session_token);
  assertEquals(ok.json.recovery_codes.length, 10);
  const e = { secret: start.json.secret, sessionToken: first.json.session_token } as Enrolled;
  const t = await loginAgain(env, e, { trust_device: true });
  const off = await api(env, "DELETE", "/api/v1/me/2fa", undefined, t.session_token);
  assertEquals(off.status, 204);
  assertEquals(
    (await api(env, "GET", "/api/v1/me/authenticators", undefined, t.session_token)).json
      .authenticators,
    [],
  );
  assertEquals(
    (await api(env, "GET", "/api/v1/me/recovery-codes", undefined, t.session_token)).json.remaining,
    0,
  );
  assertEquals(
    (await api(env, "GET", "/api/v1/me/trusted-devices", undefined, t.session_token)).json
      .trusted_devices,
    [],
  );
  assert(!(await alive(env, e.sessionToken)));
  const next = await api(env, "POST", "/api/v1/login", { username: "alice", password: PASSWORD });
  assertEquals(next.json.status, "authenticated");
  assertEquals(
    (await env.deps.db.select().from(auditEvents).where(eq(auditEvents.event, "2fa.disable")))
      .length,
    1,
  );
});

Deno.test("self-service: admins see each authenticator's clock drift, never its secret", async () => {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  const admin = await enrollViaApi(env, "root");
  const alice = await addUser(env);
  const e = await enrollViaApi(env);
  for (let i = 0; i < 3; i++) {
    env.clock.advance(60_000);
    const p = await pendingLogin(env);
    await api(env, "POST", "/api/v1/login/totp", {
      pending_token: p.pending_token,
      code: codeNow(env, e.secret, 30),
    });
  }
  const view = await api(
    env,
    "GET",
    `/api/v1/admin/users/${alice.id}`,
    undefined,
    admin.sessionToken,
  );
  assertEquals(view.json.authenticators[0].clock_drift, { direction: "ahead", seconds: 30 });
  assert(!JSON.stringify(view.json).includes(e.secret));
});
