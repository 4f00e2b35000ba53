/**
 * Password expiry and history: an expired password is changed after the second factor and
 * before any session, in a single-use step bound to that login; recent passwords are refused;
 * the admin policy refuses unknown fields. The clock is fixed and moved by whole days.
 */
import { and, eq, isNull } from "drizzle-orm";
import { passwordHistory, sessions } from "../src/db/schema.ts";
import { DAY } from "../src/lib/clock.ts";
import { assert, assertEquals } from "./assert.ts";
import {
  addUser,
  api,
  Browser,
  codeNow,
  enrollViaApi,
  nextStep,
  PASSWORD,
  testApp,
  type TestEnv,
} from "./helpers.ts";

const NEW_PASSWORD = "a brand new passphrase for her";

async function setup(policy: Record<string, unknown> = { maxAgeDays: 90 }) {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  const admin = await enrollViaApi(env, "root");
  const alice = await addUser(env, "alice");
  const enrolled = await enrollViaApi(env, "alice");
  const put = await api(env, "PUT", "/api/v1/admin/password-policy", policy, admin.sessionToken);
  assertEquals(put.status, 200, JSON.stringify(put.json));
  return { env, admin, alice, secret: enrolled.secret };
}

async function liveSessions(env: TestEnv, userId: string) {
  return await env.deps.db.select().from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)));
}

/** Password and code over JSON; returns the answer of the code step. */
async function loginWithCode(env: TestEnv, secret: string, password = PASSWORD) {
  nextStep(env);
  const login = await api(env, "POST", "/api/v1/login", { username: "alice", password });
  assertEquals(login.json.status, "second_factor_required", JSON.stringify(login.json));
  return await api(env, "POST", "/api/v1/login/totp", {
    pending_token: login.json.pending_token,
    code: codeNow(env, secret),
  });
}

Deno.test("password policy: unknown fields are refused with a field error, known ones saved", async () => {
  const { env, admin } = await setup({});
  const bad = await api(env, "PUT", "/api/v1/admin/password-policy", {
    minLength: 12,
    maxAgeDays: 30,
    maxAge: 30,
  }, admin.sessionToken);
  assertEquals(bad.status, 400);
  assertEquals(bad.json.error.code, "validation_failed");
  assertEquals(bad.json.error.fields.maxAge, ["Unknown field."], JSON.stringify(bad.json));
  const saved = await api(
    env,
    "GET",
    "/api/v1/admin/password-policy",
    undefined,
    admin.sessionToken,
  );
  assertEquals(saved.json.policy.maxAgeDays, 0, "the refused body saved nothing");
  assertEquals(saved.json.policy.historyCount, 5);
  const ok = await api(env, "PUT", "/api/v1/admin/password-policy", {
    maxAgeDays: 30,
    historyCount: 3,
  }, admin.sessionToken);
  assertEquals(ok.status, 200);
  const after = await api(
    env,
    "GET",
    "/api/v1/admin/password-policy",
    undefined,
    admin.sessionToken,
  );
  assertEquals([after.json.policy.maxAgeDays, after.json.policy.historyCount], [30, 3]);
  // Other admin and self-service bodies are strict too.
  const users = await api(env, "POST", "/api/v1/admin/users", {
    username: "carol",
    password: "carol's long passphrase",
    admin: true,
  }, admin.sessionToken);
  assertEquals(users.status, 400);
  assertEquals(users.json.error.fields.admin, ["Unknown field."]);
  const policy = await api(env, "PUT", "/api/v1/admin/policy", { nope: true }, admin.sessionToken);
  assertEquals(policy.status, 400);
  assertEquals(policy.json.error.fields.nope, ["Unknown field."]);
  const me = await api(env, "POST", "/api/v1/me/password", {
    current_password: PASSWORD,
    new_password: NEW_PASSWORD,
    extra: 1,
  }, admin.sessionToken);
  assertEquals(me.status, 400);
  assertEquals(me.json.error.fields.extra, ["Unknown field."]);
});

Deno.test("password expiry: not before maxAgeDays; after it the change step comes after the code and before any session", async () => {
  const { env, alice, secret } = await setup();
  env.clock.advance(89 * DAY);
  const early = await loginWithCode(env, secret);
  assertEquals(early.json.status, "authenticated", "89 days: still valid");

  env.clock.advance(1 * DAY);
  const before = (await liveSessions(env, alice.id)).length;
  const step = await loginWithCode(env, secret);
  assertEquals(step.status, 200);
  assertEquals(step.json.status, "password_change_required");
  assertEquals(step.json.session_token, undefined);
  assertEquals((await liveSessions(env, alice.id)).length, before, "no session yet");
  // The change token is not a session.
  const asSession = await api(env, "GET", "/api/v1/session", undefined, step.json.pending_token);
  assertEquals(asSession.status, 401);

  // The current password is refused (history), and a weak one, each with its reason.
  const same = await api(env, "POST", "/api/v1/login/password", {
    pending_token: step.json.pending_token,
    new_password: PASSWORD,
  });
  assertEquals(same.status, 400);
  assertEquals(same.json.error.fields.new_password, [
    "Choose a password you have not used recently.",
  ]);

  const done = await api(env, "POST", "/api/v1/login/password", {
    pending_token: step.json.pending_token,
    new_password: NEW_PASSWORD,
  });
  assertEquals(done.status, 200, JSON.stringify(done.json));
  assertEquals(done.json.status, "authenticated");
  const s = await api(env, "GET", "/api/v1/session", undefined, done.json.session_token);
  assertEquals(s.status, 200);
  // Every earlier session ended with the password change; only the new one lives.
  assertEquals((await liveSessions(env, alice.id)).map((r) => r.id).length, 1);

  // Single use: the same step cannot set a password again.
  const again = await api(env, "POST", "/api/v1/login/password", {
    pending_token: step.json.pending_token,
    new_password: "yet another passphrase entirely",
  });
  assertEquals(again.status, 401);
  assertEquals(again.json.error.code, "invalid_pending_token");

  // The old password is gone, the new one works, and it is not expired.
  nextStep(env);
  const old = await api(env, "POST", "/api/v1/login", { username: "alice", password: PASSWORD });
  assertEquals(old.status, 401);
  const fresh = await loginWithCode(env, secret, NEW_PASSWORD);
  assertEquals(fresh.json.status, "authenticated");
  // Only hashes are kept.
  const history = await env.deps.db.select().from(passwordHistory)
    .where(eq(passwordHistory.userId, alice.id));
  assertEquals(history.length, 1);
  assert(history[0].passwordHash.startsWith("pbkdf2"), history[0].passwordHash);
  assert(!history[0].passwordHash.includes(PASSWORD));
  const audit = await env.deps.db.query.auditEvents.findFirst({
    where: (a, { eq }) => eq(a.event, "password.expired_change"),
  });
  assertEquals(audit?.userId, alice.id);
});

Deno.test("password expiry: of parallel change requests with one token exactly one wins", async () => {
  const { env, alice, secret } = await setup();
  env.clock.advance(91 * DAY);
  const step = await loginWithCode(env, secret);
  assertEquals(step.json.status, "password_change_required");
  const passwords = Array.from({ length: 4 }, (_, i) => `parallel expired passphrase ${i} ok`);
  const answers = await Promise.all(
    passwords.map((new_password) =>
      api(env, "POST", "/api/v1/login/password", {
        pending_token: step.json.pending_token,
        new_password,
      })
    ),
  );
  const won = answers.flatMap((a, i) => a.status === 200 ? [i] : []);
  assertEquals(won.length, 1, JSON.stringify(answers.map((a) => a.json)));
  for (const a of answers) {
    if (a.status !== 200) assertEquals(a.json.error.code, "invalid_pending_token");
  }
  assertEquals((await liveSessions(env, alice.id)).length, 1);
  const fresh = await loginWithCode(env, secret, passwords[won[0]]);
  assertEquals(fresh.json.status, "authenticated");
});

Deno.test("password expiry: a user still to enroll changes the password first, then enrolls", async () => {
  const { env } = await setup();
  await addUser(env, "bob");
  const bob = await api(env, "POST", "/api/v1/login", { username: "bob", password: PASSWORD });
  assertEquals(bob.json.status, "enrollment_required");
  env.clock.advance(120 * DAY);
  const login = await api(env, "POST", "/api/v1/login", { username: "bob", password: PASSWORD });
  assertEquals(login.json.status, "password_change_required");
  const changed = await api(env, "POST", "/api/v1/login/password", {
    pending_token: login.json.pending_token,
    new_password: "he has a long new passphrase",
  });
  assertEquals(changed.status, 200);
  assertEquals(changed.json.status, "enrollment_required");
  assertEquals(changed.json.session_token, undefined);
  const start = await api(env, "POST", "/api/v1/enrollments", {}, changed.json.pending_token);
  assertEquals(start.status, 201);
  const confirm = await api(
    env,
    "POST",
    `/api/v1/enrollments/${start.json.enrollment_id}/confirm`,
    {
      code: codeNow(env, start.json.secret),
    },
    changed.json.pending_token,
  );
  assertEquals(confirm.status, 200);
  assert(confirm.json.session_token);
});

Deno.test("password history: the last historyCount passwords are refused, older ones allowed", async () => {
  const { env, admin, secret } = await setup({ historyCount: 3 });
  const passwords = [PASSWORD, "second passphrase of hers", "third passphrase of hers"];
  let token = (await loginWithCode(env, secret)).json.session_token;
  for (let i = 1; i < passwords.length; i++) {
    const r = await api(env, "POST", "/api/v1/me/password", {
      current_password: passwords[i - 1],
      new_password: passwords[i],
    }, token);
    assertEquals(r.status, 204, JSON.stringify(r.json));
  }
  token = (await loginWithCode(env, secret, passwords[2])).json.session_token;
  for (const p of passwords) {
    const r = await api(env, "POST", "/api/v1/me/password", {
      current_password: passwords[2],
      new_password: p,
    }, token);
    assertEquals(r.status, 400, p);
    assertEquals(r.json.error.fields.new_password, [
      "Choose a password you have not used recently.",
    ]);
  }
  // With a shorter history the first password is allowed again.
  await api(env, "PUT", "/api/v1/admin/password-policy", { historyCount: 2 }, admin.sessionToken);
  const r = await api(env, "POST", "/api/v1/me/password", {
    current_password: passwords[2],
    new_password: PASSWORD,
  }, token);
  assertEquals(r.status, 204);
});

Deno.test("password expiry pages: code, then the change page, then the account", async () => {
  const { env, secret } = await setup();
  env.clock.advance(91 * DAY);
  const b = new Browser(env);
  await b.get("/login");
  let res = await b.post("/login", { username: "alice", password: PASSWORD });
  assertEquals(res.headers.get("location"), "/login/totp");
  await b.get("/login/totp");
  nextStep(env);
  res = await b.post("/login/totp", { code: codeNow(env, secret) });
  assertEquals(res.status, 303);
  assertEquals(res.headers.get("location"), "/login/password");
  assert(
    !b.cookies.has("twofold_session") && ![...b.cookies.keys()].some((k) => k.includes("session")),
  );
  res = await b.get("/login/password");
  assertEquals(res.status, 200);
  assert(b.lastHtml.includes('autocomplete="new-password"'));
  res = await b.post("/login/password", { new_password: "short" });
  assertEquals(res.status, 400);
  res = await b.post("/login/password", { new_password: PASSWORD });
  assertEquals(res.status, 400);
  assert(b.lastHtml.includes("not used recently"));
  res = await b.post("/login/password", { new_password: NEW_PASSWORD });
  assertEquals(res.status, 303);
  assertEquals(res.headers.get("location"), "/account");
  res = await b.get("/account");
  assertEquals(res.status, 200);
});
