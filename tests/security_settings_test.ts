/** Session and lockout settings in the database: edited by admins, in force for new logins at once. */
import { eq } from "drizzle-orm";
import { auditEvents } from "../src/db/schema.ts";
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

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

async function setup(env?: TestEnv) {
  env ??= await testApp({ IP_MAX_FAILURES: "1000" });
  await addUser(env, "root", ["admin"]);
  await addUser(env, "alice");
  const admin = await enrollViaApi(env, "root");
  const alice = await enrollViaApi(env, "alice");
  return { env, admin, alice, token: admin.sessionToken };
}

/** Alice signs in again over JSON; the login's answer. */
async function aliceLogin(env: TestEnv, secret: string, extra: object = {}) {
  nextStep(env);
  const p = await api(env, "POST", "/api/v1/login", {
    username: "alice",
    password: PASSWORD,
    ...extra,
  });
  const r = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.json.pending_token,
    code: codeNow(env, secret),
  });
  assertEquals(r.status, 200);
  return r.json;
}

const put = (env: TestEnv, token: string, body: unknown) =>
  api(env, "PUT", "/api/v1/admin/security-settings", body, token);

Deno.test("security settings: defaults come from the environment; stored ones override them, audited", async () => {
  const { env, token } = await setup(
    await testApp({ SESSION_HOURS: "12", IP_MAX_FAILURES: "1000" }),
  );
  let r = await api(env, "GET", "/api/v1/admin/security-settings", undefined, token);
  assertEquals(r.status, 200);
  assertEquals(r.json.defaults.sessionHours, 12);
  assertEquals(r.json.settings.sessionHours, 12);
  assertEquals(r.json.settings.idleMinutes, 60);
  assertEquals(r.json.stored, {});
  r = await put(env, token, { sessionHours: 2, idleMinutes: 5 });
  assertEquals(r.status, 200);
  assertEquals(r.json.settings.sessionHours, 2);
  assertEquals(r.json.stored, { sessionHours: 2, idleMinutes: 5 });
  // Omitted settings go back to their defaults.
  r = await put(env, token, { idleMinutes: 30 });
  assertEquals(r.json.settings.sessionHours, 12);
  const audits = await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "admin.security_settings"));
  assertEquals(audits.length, 2);
  assertEquals(JSON.parse(audits[0].detail).after.sessionHours, 2);
  assertEquals(JSON.parse(audits[1].detail).before.sessionHours, 2);
});

Deno.test("security settings: unknown fields and values out of range are refused with field errors", async () => {
  const { env, token } = await setup();
  for (
    const [body, field] of [
      [{ maxAgeDays: 90 }, "maxAgeDays"],
      [{ sessionHours: 25 }, "sessionHours"],
      [{ rememberMeDays: 31 }, "rememberMeDays"],
      [{ idleMinutes: 0 }, "idleMinutes"],
      [{ permanentLockoutAfter: -1 }, "permanentLockoutAfter"],
      [{ maxSessions: 1.5 }, "maxSessions"],
    ] as const
  ) {
    const r = await put(env, token, body);
    assertEquals(r.status, 400, JSON.stringify(body));
    const fields = Object.keys(r.json.error.fields).join(" ");
    // An unknown key is named in the body's message; a bad value under its own name.
    const where = JSON.stringify(r.json.error.fields);
    assert(fields.includes(field) || where.includes(field), `${field}: ${where}`);
  }
  const r = await api(env, "GET", "/api/v1/admin/security-settings", undefined, token);
  assertEquals(r.json.stored, {});
});

Deno.test("security settings: lifetime, idle timeout and cap apply to new logins; older sessions keep theirs", async () => {
  const { env, token, alice } = await setup();
  assertEquals(
    (await put(env, token, { sessionHours: 2, idleMinutes: 5, maxSessions: 1 })).status,
    200,
  );
  const login = await aliceLogin(env, alice.secret);
  assertEquals(Date.parse(login.expires_at), env.clock.now().getTime() + 2 * HOUR);
  // The cap of 1: alice's older session ended.
  assertEquals(
    (await api(env, "GET", "/api/v1/session", undefined, alice.sessionToken)).status,
    401,
  );
  // Six idle minutes: the new session (5 min) is gone, the admin's (issued under 60) is not.
  env.clock.advance(6 * MINUTE);
  assertEquals(
    (await api(env, "GET", "/api/v1/session", undefined, login.session_token)).status,
    401,
  );
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, token)).status, 200);
});

Deno.test("security settings: remember-me up to 30 days works above the environment's value", async () => {
  const { env, token, alice } = await setup();
  const label = async () => (await (await env.app.request("http://localhost/login")).text());
  assertStringIncludes(await label(), "Keep me signed in for 7 days");
  assertEquals((await put(env, token, { rememberMeDays: 30 })).status, 200);
  assertStringIncludes(await label(), "Keep me signed in for 30 days");
  const login = await aliceLogin(env, alice.secret, { remember_me: true });
  assertEquals(Date.parse(login.expires_at), env.clock.now().getTime() + 30 * 24 * HOUR);
  env.clock.advance(29 * 24 * HOUR);
  assertEquals(
    (await api(env, "GET", "/api/v1/session", undefined, login.session_token)).status,
    200,
  );
});

Deno.test("security settings: password and address thresholds apply to the next failure", async () => {
  const { env, token } = await setup();
  assertEquals(
    (await put(env, token, {
      passwordMaxFailures: 2,
      passwordLockMinutes: 5,
      ipMaxFailures: 4,
      ipBlockMinutes: 3,
    })).status,
    200,
  );
  const wrong = () => api(env, "POST", "/api/v1/login", { username: "alice", password: "nope" });
  const right = () => api(env, "POST", "/api/v1/login", { username: "alice", password: PASSWORD });
  await wrong();
  await wrong(); // the second locks alice
  assertEquals((await right()).status, 401);
  env.clock.advance(6 * MINUTE);
  assertEquals((await right()).status, 200);
  await wrong();
  await wrong(); // four failures from the address: blocked for 3 minutes
  assertEquals((await right()).status, 429);
  const [block] = (await api(env, "GET", "/api/v1/admin/ip-blocks", undefined, token)).json.blocks;
  assertEquals((Date.parse(block.until) - Date.parse(block.since)) / MINUTE, 3);
});

Deno.test("security settings page: shows defaults, refuses out-of-range values, saves", async () => {
  const { env, admin } = await setup();
  const b = new Browser(env);
  await b.get("/login");
  await b.post("/login", { username: "root", password: PASSWORD });
  nextStep(env);
  await b.get("/login/totp");
  await b.post("/login/totp", { code: codeNow(env, admin.secret) });
  let r = await b.get("/admin/security-settings");
  assertEquals(r.status, 200);
  assertStringIncludes(b.lastHtml, "1 to 24; default 24 (SESSION_HOURS).");
  r = await b.post("/admin/security-settings", { sessionHours: "48", idleMinutes: "ten" });
  assertEquals(r.status, 400);
  assertStringIncludes(b.lastHtml, "Use a whole number from 1 to 24.");
  assertStringIncludes(b.lastHtml, "Use a whole number from 1 to 1440.");
  assertStringIncludes(b.lastHtml, 'value="48"');
  r = await b.post("/admin/security-settings", { sessionHours: "8", idleMinutes: "" });
  assertEquals(r.status, 303);
  const j = await api(env, "GET", "/api/v1/admin/security-settings", undefined, admin.sessionToken);
  assertEquals(j.json.stored, { sessionHours: 8 });
  await b.get("/admin/security-settings?notice=saved");
  assertStringIncludes(b.lastHtml, "The settings are saved.");
  assertStringIncludes(b.lastHtml, 'value="8"');
});
