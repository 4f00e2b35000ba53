/** Active sessions for admins: the list, ending one, ending every session; JSON and pages. */
import { eq, isNull } from "drizzle-orm";
import { auditEvents, sessions } from "../src/db/schema.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
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

async function setup(env?: TestEnv) {
  env ??= await testApp();
  await addUser(env, "root", ["admin"]);
  await addUser(env, "alice");
  await addUser(env, "bob");
  const admin = await enrollViaApi(env, "root");
  const alice = await enrollViaApi(env, "alice");
  const bob = await enrollViaApi(env, "bob");
  return { env, admin, alice, bob, token: admin.sessionToken };
}

/** Signs an admin in through the pages (password, then code). */
async function adminBrowser(env: TestEnv, secret: string) {
  const b = new Browser(env);
  await b.get("/login");
  await b.post("/login", { username: "root", password: PASSWORD });
  nextStep(env);
  await b.get("/login/totp");
  const r = await b.post("/login/totp", { code: codeNow(env, secret) });
  assertEquals(r.status, 303);
  return b;
}

Deno.test("admin sessions API: lists every live session with user, times, address, agent, factor", async () => {
  const { env, token } = await setup();
  const r = await api(env, "GET", "/api/v1/admin/sessions", undefined, token, {});
  assertEquals(r.status, 200);
  assertEquals(r.json.sessions.length, 3);
  const names = r.json.sessions.map((s: { user: { username: string } }) => s.user.username).sort();
  assertEquals(names, ["alice", "bob", "root"]);
  const own = r.json.sessions.find((s: { current: boolean }) => s.current);
  assertEquals(own.user.username, "root");
  assertEquals(own.second_factor, "authenticator code");
  assertEquals(own.amr, ["pwd", "otp"]);
  assertEquals(own.location, null); // nothing invented where the platform says nothing
  assertEquals(own.created_at, env.clock.now().toISOString().replace(/\.\d+Z$/, ".000Z"));
  for (const k of ["last_seen_at", "expires_at", "ip", "user_agent", "remember_me"]) {
    assert(k in own, k);
  }

  const filtered = await api(env, "GET", "/api/v1/admin/sessions?user=ALICE", undefined, token);
  assertEquals(filtered.json.sessions.length, 1);
  assertEquals(filtered.json.sessions[0].user.username, "alice");
  const bad = await api(env, "GET", "/api/v1/admin/sessions?limit=0", undefined, token);
  assertEquals(bad.status, 400);
  assertEquals(bad.json.error.code, "validation_failed");
});

Deno.test("admin sessions API: an ended, expired or idle session is not listed", async () => {
  const { env, token, alice } = await setup();
  const bob =
    (await env.deps.db.query.users.findFirst({ where: (u, { eq }) => eq(u.username, "bob") }))!;
  await api(env, "POST", "/api/v1/logout", undefined, alice.sessionToken);
  let r = await api(env, "GET", "/api/v1/admin/sessions", undefined, token);
  assertEquals(r.json.sessions.length, 2);
  // Bob idle past the timeout (60 min), then an expired one: neither is listed.
  const [bobRow] = await env.deps.db.select().from(sessions).where(eq(sessions.userId, bob.id));
  const t = env.clock.now().getTime();
  await env.deps.db.update(sessions).set({ lastSeenAt: t - 61 * 60_000 })
    .where(eq(sessions.id, bobRow.id));
  r = await api(env, "GET", "/api/v1/admin/sessions", undefined, token);
  assertEquals(r.json.sessions.map((s: { user: { username: string } }) => s.user.username), [
    "root",
  ]);
  await env.deps.db.update(sessions).set({ lastSeenAt: t, expiresAt: t - 1 })
    .where(eq(sessions.id, bobRow.id));
  r = await api(env, "GET", "/api/v1/admin/sessions", undefined, token);
  assertEquals(r.json.sessions.length, 1);
});

Deno.test("admin sessions API: ending one session kills its token at once and is audited", async () => {
  const { env, token, alice } = await setup();
  const list = await api(env, "GET", "/api/v1/admin/sessions?user=alice", undefined, token);
  const id = list.json.sessions[0].id;
  const r = await api(env, "DELETE", `/api/v1/admin/sessions/${id}`, undefined, token);
  assertEquals(r.status, 204);
  assertEquals(
    (await api(env, "GET", "/api/v1/session", undefined, alice.sessionToken)).status,
    401,
  );
  const again = await api(env, "DELETE", `/api/v1/admin/sessions/${id}`, undefined, token);
  assertEquals(again.status, 404);
  const rows = await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "admin.end_session"));
  assertEquals(rows.length, 1);
  assertEquals(rows[0].username, "alice");
  assertEquals(JSON.parse(rows[0].detail).admin, "root");
  assertEquals(JSON.parse(rows[0].detail).session, id);
});

Deno.test("admin sessions API: end-all needs confirm, keeps the admin's own session only if asked", async () => {
  const { env, token, alice, bob } = await setup();
  const noConfirm = await api(env, "POST", "/api/v1/admin/sessions/end-all", {}, token);
  assertEquals(noConfirm.status, 400);
  assert(noConfirm.json.error.fields.confirm);
  const kept = await api(env, "POST", "/api/v1/admin/sessions/end-all", {
    confirm: true,
    keep_own: true,
  }, token);
  assertEquals(kept.status, 200);
  assertEquals(kept.json, { ended: 2, kept_own: true });
  assertEquals(
    (await api(env, "GET", "/api/v1/session", undefined, alice.sessionToken)).status,
    401,
  );
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, bob.sessionToken)).status, 401);
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, token)).status, 200);

  const all = await api(env, "POST", "/api/v1/admin/sessions/end-all", { confirm: true }, token);
  assertEquals(all.json, { ended: 1, kept_own: false });
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, token)).status, 401);
  const audits = await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "admin.end_all_sessions"));
  assertEquals(audits.map((a) => JSON.parse(a.detail).ended), [2, 1]);
  assertEquals(audits.map((a) => JSON.parse(a.detail).kept_own), [true, false]);
  const live = await env.deps.db.select().from(sessions).where(isNull(sessions.revokedAt));
  assertEquals(live.length, 0);
});

Deno.test("admin sessions API: users and nobody are refused", async () => {
  const { env, alice } = await setup();
  for (
    const [method, path, body] of [
      ["GET", "/api/v1/admin/sessions", undefined],
      ["DELETE", "/api/v1/admin/sessions/x", undefined],
      ["POST", "/api/v1/admin/sessions/end-all", { confirm: true }],
    ] as const
  ) {
    assertEquals((await api(env, method, path, body)).status, 401);
    assertEquals((await api(env, method, path, body, alice.sessionToken)).status, 403);
  }
  // Alice is still signed in: nothing ended.
  assertEquals(
    (await api(env, "GET", "/api/v1/session", undefined, alice.sessionToken)).status,
    200,
  );
});

Deno.test("admin sessions pages: list, filter, end one, confirm and end all keeping one's own", async () => {
  const { env, admin, alice } = await setup();
  const b = await adminBrowser(env, admin.secret);
  let r = await b.get("/admin/sessions");
  assertEquals(r.status, 200);
  assertStringIncludes(b.lastHtml, "Active sessions");
  assertStringIncludes(b.lastHtml, "4 active sessions");
  r = await b.get("/admin/sessions?user=alice");
  assertStringIncludes(b.lastHtml, "1 active session");
  const aliceId = b.lastHtml.match(/action="\/admin\/sessions\/([^/]+)\/end"/)![1];
  r = await b.post(`/admin/sessions/${aliceId}/end`, { back: "/admin/sessions?user=alice" });
  assertEquals(r.status, 303);
  assertEquals(r.headers.get("location"), "/admin/sessions?user=alice&notice=ended");
  assertEquals(
    (await api(env, "GET", "/api/v1/session", undefined, alice.sessionToken)).status,
    401,
  );
  // A foreign return address is never followed.
  const bobId =
    (await api(env, "GET", "/api/v1/admin/sessions?user=bob", undefined, admin.sessionToken))
      .json.sessions[0].id;
  await b.get("/admin/sessions");
  r = await b.post(`/admin/sessions/${bobId}/end`, { back: "https://evil.example/" });
  assertEquals(r.headers.get("location"), "/admin/sessions?notice=ended");

  r = await b.get("/admin/sessions/end-all");
  assertEquals(r.status, 200);
  assertStringIncludes(b.lastHtml, "Keep my own session");
  assertStringIncludes(b.lastHtml, "2 sessions are active."); // root twice; alice and bob ended
  r = await b.post("/admin/sessions/end-all", { confirm: "1", keep_own: "on" });
  assertEquals(r.headers.get("location"), "/admin/sessions?notice=all_ended");
  assertEquals(
    (await api(env, "GET", "/api/v1/session", undefined, admin.sessionToken)).status,
    401,
  );
  r = await b.get("/admin/sessions?notice=all_ended");
  assertEquals(r.status, 200);
  assertStringIncludes(b.lastHtml, "1 active session");

  await b.get("/admin/sessions/end-all");
  r = await b.post("/admin/sessions/end-all", { confirm: "1" });
  assertEquals(r.headers.get("location"), "/login");
  r = await b.get("/admin/sessions");
  assertEquals(r.status, 303); // signed out: to the login
});

Deno.test("admin sessions API: ending one session twice at once ends it once, audited once", async () => {
  const { env, token } = await setup();
  const id = (await api(env, "GET", "/api/v1/admin/sessions?user=bob", undefined, token))
    .json.sessions[0].id;
  const end = () => api(env, "DELETE", `/api/v1/admin/sessions/${id}`, undefined, token);
  const statuses = (await Promise.all([end(), end()])).map((r) => r.status).sort();
  assertEquals(statuses, [204, 404]);
  const rows = await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "admin.end_session"));
  assertEquals(rows.length, 1);
});
