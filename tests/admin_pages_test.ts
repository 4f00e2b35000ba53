/**
 * The HTML admin console (/admin): who gets in, the user list and its filters, creating users,
 * every user action behind its confirmation page (checked against the stored state), the
 * enrollment pass shown once, the policy preview before saving, the audit log and its CSV, alerts
 * and emergency access on the dashboard.
 */
import { eq } from "drizzle-orm";
import { audit } from "../src/audit/repo.ts";
import { alerts, users } from "../src/db/schema.ts";
import { DAY } from "../src/lib/clock.ts";
import { randomId } from "../src/lib/crypto.ts";
import { loadPolicy, savePolicyStatement } from "../src/policy/repo.ts";
import { DEFAULT_LOGIN_POLICY, type LoginPolicy } from "../src/policy/policy.ts";
import { passwordPolicy } from "../src/passwords/service.ts";
import { listAuthenticators } from "../src/totp/repo.ts";
import { totpCodeAt } from "../src/totp/totp.ts";
import { findUserByUsername } from "../src/users/repo.ts";
import { assert, assertEquals, assertFalse, assertMatch, assertStringIncludes } from "./assert.ts";
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

/** Signs `username` in through the pages, enrolling an authenticator on the way. */
async function signIn(env: TestEnv, username: string) {
  const b = new Browser(env);
  await b.get("/login");
  const login = await b.post("/login", { username, password: PASSWORD });
  assertEquals(login.headers.get("location"), "/enroll");
  await b.get("/enroll");
  const secret = b.attr("secret", "data-secret")!;
  const enrollmentId = b.lastHtml.match(/name="enrollment_id" value="([^"]+)"/)![1];
  await b.post("/enroll", {
    enrollment_id: enrollmentId,
    code: totpCodeAt(secret, env.clock.now()),
  });
  return b;
}

/** A fresh app with the admin "root" signed in (with a code) on the pages. */
async function asAdmin() {
  const env = await testApp();
  const root = await addUser(env, "root", ["admin"]);
  const b = await signIn(env, "root");
  return { env, b, root };
}

const user = async (env: TestEnv, name: string) => (await findUserByUsername(env.deps.db, name))!;

async function setPolicy(env: TestEnv, change: Partial<LoginPolicy>) {
  await savePolicyStatement(
    env.deps.db,
    { ...DEFAULT_LOGIN_POLICY, ...change },
    env.clock.now(),
    "test",
  );
}

const unescapeHtml = (s: string) =>
  s.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">").replaceAll("&amp;", "&");

/** The hidden fields of the page's form that contains `marker`. */
function hiddenFields(html: string, marker: string): Record<string, string> {
  const form = html.split("<form").map((f) => f.slice(0, f.indexOf("</form>")))
    .find((f) => f.includes(marker));
  assert(form, `no form with ${marker}`);
  const out: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    out[m[1]] = unescapeHtml(m[2]);
  }
  return out;
}

/** Opens the confirmation page of an action, checks it, and posts its form. */
async function confirmAndPost(
  b: Browser,
  userId: string,
  action: string,
  fields: Record<string, string> = {},
  query: Record<string, string> = {},
) {
  const page = await b.get(
    `/admin/users/${userId}/confirm?${new URLSearchParams({ action, ...query })}`,
  );
  assertEquals(page.status, 200);
  assertStringIncludes(b.lastHtml, "Are you sure?");
  assertStringIncludes(b.lastHtml, `action="/admin/users/${userId}/${action}"`);
  return await b.post(`/admin/users/${userId}/${action}`, fields);
}

Deno.test("admin pages: strangers go to the login and come back; non-admins get a 403 page", async () => {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  await addUser(env, "alice");
  const stranger = new Browser(env);
  for (const path of ["/admin", "/admin/users?status=grace", "/admin/audit.csv"]) {
    const r = await stranger.get(path);
    assertEquals(r.status, 303, path);
    assertEquals(r.headers.get("location"), `/login?redirect=${encodeURIComponent(path)}`);
  }

  const alice = await signIn(env, "alice");
  const root = await user(env, "root");
  for (const path of ["/admin", "/admin/users", `/admin/users/${root.id}`, "/admin/audit.csv"]) {
    const r = await alice.get(path);
    assertEquals(r.status, 403, path);
    assertStringIncludes(alice.lastHtml, "Admins only");
    assertFalse(alice.lastHtml.includes("root"), "the 403 page names no user");
  }
  // A POST with a valid CSRF token is refused just the same, and changes nothing.
  await alice.get("/account");
  const r = await alice.post(`/admin/users/${root.id}/disable`, {});
  assertEquals(r.status, 403);
  assertEquals((await user(env, "root")).disabled, false);
});

Deno.test("admin pages: an admin signed in with the password alone is refused", async () => {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  // Nobody needs 2FA (admins included), so the password alone signs root in.
  await setPolicy(env, { mode: "listed", adminsAlways: false });
  const b = new Browser(env);
  await b.get("/login");
  const login = await b.post("/login", { username: "root", password: PASSWORD });
  assertEquals(login.headers.get("location"), "/account");
  assertEquals((await b.get("/account")).status, 200);
  assertEquals((await b.get("/admin")).status, 403);
  assertStringIncludes(b.lastHtml, "signed in with a second factor");
});

Deno.test("admin pages: the dashboard counts users per 2FA status and links the reports", async () => {
  const { env, b } = await asAdmin();
  await addUser(env, "bob");
  await addUser(env, "carol");
  await enrollViaApi(env, "carol");
  const dave = await addUser(env, "dave");
  await env.deps.db.update(users).set({ graceUntil: env.clock.now().getTime() + 3 * DAY })
    .where(eq(users.id, dave.id));
  const res = await b.get("/admin");
  assertEquals(res.status, 200);
  const count = (s: string) => b.lastHtml.match(new RegExp(`data-status="${s}">(\\d+)<`))?.[1];
  assertEquals(count("enrolled"), "2");
  assertEquals(count("required_not_enrolled"), "1");
  assertEquals(count("grace"), "1");
  assertEquals(count("total"), "4");
  for (const href of ["/admin/users", "/admin/policy", "/admin/audit", "/admin/compliance.csv"]) {
    assertStringIncludes(b.lastHtml, `href="${href}"`);
  }
  assertFalse(b.lastHtml.includes('id="emergency-access"'));
  const csv = await b.get("/admin/compliance.csv");
  assertEquals(csv.headers.get("content-type"), "text/csv; charset=utf-8");
  assertStringIncludes(csv.headers.get("content-disposition")!, "attachment");
  const lines = (await csv.text()).trim().split("\r\n");
  assertEquals(lines.length, 5);
  assertMatch(lines[0], /^username,roles,groups,/);
  assert(lines.some((l) => l.startsWith("dave,") && l.includes(",grace,")), lines.join("\n"));
});

Deno.test("admin pages: the user list searches, filters by 2FA status and pages by 50", async () => {
  const { env, b } = await asAdmin();
  await addUser(env, "bob");
  await addUser(env, "carol");
  await enrollViaApi(env, "carol");
  const dave = await addUser(env, "dave");
  await env.deps.db.update(users).set({
    graceUntil: env.clock.now().getTime() + 3 * DAY,
    groups: JSON.stringify(["finance"]),
  }).where(eq(users.id, dave.id));
  const eve = await addUser(env, "eve");
  await env.deps.db.update(users)
    .set({ passwordLockedUntil: env.clock.now().getTime() + 60_000 })
    .where(eq(users.id, eve.id));

  const listed = () => [...b.lastHtml.matchAll(/<tr data-user="([^"]+)"/g)].map((m) => m[1]);
  await b.get("/admin/users");
  assertEquals(listed(), ["bob", "carol", "dave", "eve", "root"]);
  assertStringIncludes(b.lastHtml, '<th scope="col">2FA status</th>');
  await b.get("/admin/users?status=required_not_enrolled");
  assertEquals(listed(), ["bob", "eve"]);
  assertStringIncludes(b.lastHtml, '<option value="required_not_enrolled" selected>');
  await b.get("/admin/users?status=enrolled");
  assertEquals(listed(), ["carol", "root"]);
  await b.get("/admin/users?status=grace");
  assertEquals(listed(), ["dave"]);
  assertStringIncludes(b.lastHtml, "In grace period");
  assertStringIncludes(b.lastHtml, "until 2026-11-25 12:00 UTC");
  assertStringIncludes(b.lastHtml, "finance");
  await b.get("/admin/users?status=locked");
  assertEquals(listed(), ["eve"]);
  await b.get("/admin/users?q=AR");
  assertEquals(listed(), ["carol"]);
  const bad = await b.get("/admin/users?status=nonsense");
  assertEquals(bad.status, 400);
  assertStringIncludes(b.lastHtml, 'role="alert"');

  for (let i = 0; i < 50; i++) await addUser(env, `user${String(i).padStart(2, "0")}`);
  await b.get("/admin/users");
  assertEquals(listed().length, 50);
  assertStringIncludes(b.lastHtml, "55 users");
  assertStringIncludes(b.lastHtml, "Page 1 of 2");
  assertStringIncludes(b.lastHtml, 'href="/admin/users?page=2"');
  await b.get("/admin/users?page=2");
  assertEquals(listed(), ["user45", "user46", "user47", "user48", "user49"]);
  await b.get("/admin/users?q=user&page=2");
  assertEquals(listed().length, 0);
  await b.get("/admin/users?q=user");
  assertFalse(b.lastHtml.includes("Page 1 of"), "50 matches fit on one page");
  // An underscore in the search is a character, not a LIKE wildcard.
  await addUser(env, "x_y");
  await addUser(env, "xzy");
  await b.get("/admin/users?q=x_y");
  assertEquals(listed(), ["x_y"]);
});

Deno.test("admin pages: creating a user re-renders bad input with 400 and stores a good one", async () => {
  const { env, b } = await asAdmin();
  await b.get("/admin/users/new");
  assertStringIncludes(b.lastHtml, '<label for="password">Initial password</label>');
  const weak = await b.post("/admin/users/new", {
    username: "frank",
    password: "short",
    roles: "",
    groups: "finance, support",
    email: "frank@example.com",
  });
  assertEquals(weak.status, 400);
  assertStringIncludes(b.lastHtml, 'id="password-error" role="alert"');
  assertStringIncludes(b.lastHtml, 'aria-describedby="password-error"');
  assertStringIncludes(b.lastHtml, "Use at least 12 characters.");
  assertStringIncludes(b.lastHtml, 'value="frank"');
  assertStringIncludes(b.lastHtml, 'value="finance, support"');
  assertFalse(b.lastHtml.includes('value="short"'), "the password is never echoed");
  assertEquals(await findUserByUsername(env.deps.db, "frank"), undefined);

  const badEmail = await b.post("/admin/users/new", {
    username: "frank",
    password: PASSWORD,
    email: "not an email",
  });
  assertEquals(badEmail.status, 400);
  assertStringIncludes(b.lastHtml, 'id="email-error" role="alert"');
  const taken = await b.post("/admin/users/new", { username: "ROOT", password: PASSWORD });
  assertEquals(taken.status, 400);
  assertStringIncludes(b.lastHtml, "That username is taken.");

  const ok = await b.post("/admin/users/new", {
    username: "Frank",
    password: PASSWORD,
    roles: "user",
    groups: "support, finance",
    email: "Frank@Example.com",
  });
  assertEquals(ok.status, 303);
  const frank = await user(env, "frank");
  assertEquals(ok.headers.get("location"), `/admin/users/${frank.id}?notice=user_created`);
  assertEquals([frank.roles, frank.groups, frank.email], [
    '["user"]',
    '["finance","support"]',
    "frank@example.com",
  ]);
  await b.get(ok.headers.get("location")!);
  assertStringIncludes(b.lastHtml, "User created.");
  assertFalse(b.lastHtml.includes("password_hash") || b.lastHtml.includes("pbkdf2"));

  const service = await b.post("/admin/users/new", {
    username: "ci-bot",
    password: "",
    service_account: "on",
  });
  assertEquals(service.status, 303);
  assertEquals((await user(env, "ci-bot")).isService, true);
});

Deno.test("admin pages: require, stop requiring, end sessions, unlock, grace, disable and enable, each confirmed", async () => {
  const { env, b, root } = await asAdmin();
  await addUser(env, "bob");
  const bob = await enrollViaApi(env, "bob");
  const bobId = (await user(env, "bob")).id;

  await b.get(`/admin/users/${bobId}`);
  const confirmLink = (id: string, action: string) =>
    `/admin/users/${id}/confirm?action=${action}"`;
  for (const action of ["require-2fa", "end-sessions", "disable"]) {
    assertStringIncludes(b.lastHtml, confirmLink(bobId, action));
  }
  assertStringIncludes(b.lastHtml, `/admin/users/${bobId}/confirm?action=reset-2fa&amp;mode=pass"`);
  assertFalse(b.lastHtml.includes("action=disable-2fa"), "policy requires 2FA for bob");
  assertFalse(b.lastHtml.includes("action=extend-grace"), "bob is enrolled: no grace to extend");
  assertFalse(b.lastHtml.includes("action=unlock"), "bob is not locked");

  // A POST without the form's CSRF token does nothing.
  const forged = await b.post(`/admin/users/${bobId}/require-2fa`, {}, { csrf: null });
  assertEquals(forged.status, 403);
  assertEquals((await user(env, "bob")).twofaRequired, false);

  let r = await confirmAndPost(b, bobId, "require-2fa");
  assertEquals(r.headers.get("location"), `/admin/users/${bobId}?notice=required`);
  assertEquals((await user(env, "bob")).twofaRequired, true);
  await b.get(r.headers.get("location")!);
  assertStringIncludes(b.lastHtml, "Yes, by an admin");
  r = await confirmAndPost(b, bobId, "unrequire-2fa");
  assertEquals(r.status, 303);
  assertEquals((await user(env, "bob")).twofaRequired, false);

  assertEquals((await api(env, "GET", "/api/v1/session", undefined, bob.sessionToken)).status, 200);
  r = await confirmAndPost(b, bobId, "end-sessions");
  assertEquals(r.headers.get("location"), `/admin/users/${bobId}?notice=sessions_ended`);
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, bob.sessionToken)).status, 401);

  await env.deps.db.update(users).set({
    passwordFailures: 5,
    passwordLockedUntil: env.clock.now().getTime() + 30 * 60_000,
  }).where(eq(users.id, bobId));
  await b.get(`/admin/users/${bobId}`);
  assertStringIncludes(b.lastHtml, "action=unlock");
  r = await confirmAndPost(b, bobId, "unlock");
  assertEquals(r.headers.get("location"), `/admin/users/${bobId}?notice=unlocked`);
  const unlocked = await user(env, "bob");
  assertEquals([unlocked.passwordLockedUntil, unlocked.passwordFailures], [null, 0]);

  // Grace: days are checked, then counted from now.
  await b.get(`/admin/users/${bobId}/confirm?action=extend-grace`);
  assertStringIncludes(b.lastHtml, '<label for="days">Days from now</label>');
  const zero = await b.post(`/admin/users/${bobId}/extend-grace`, { days: "0" });
  assertEquals(zero.status, 400);
  assertStringIncludes(b.lastHtml, 'id="days-error" role="alert"');
  assertEquals((await user(env, "bob")).graceUntil, null);
  r = await confirmAndPost(b, bobId, "extend-grace", { days: "10" });
  assertEquals(r.status, 303);
  assertEquals((await user(env, "bob")).graceUntil, env.clock.now().getTime() + 10 * DAY);

  // Disable ends sessions and blocks the login; enable lets it in again.
  nextStep(env);
  const login = await api(env, "POST", "/api/v1/login", { username: "bob", password: PASSWORD });
  const fresh = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: login.json.pending_token,
    code: codeNow(env, bob.secret),
  });
  assertEquals(fresh.status, 200);
  r = await confirmAndPost(b, bobId, "disable");
  assertEquals(r.headers.get("location"), `/admin/users/${bobId}?notice=disabled`);
  assertEquals((await user(env, "bob")).disabled, true);
  assertEquals(
    (await api(env, "GET", "/api/v1/session", undefined, fresh.json.session_token)).status,
    401,
  );
  r = await confirmAndPost(b, bobId, "enable");
  assertEquals(r.status, 303);
  assertEquals((await user(env, "bob")).disabled, false);

  // An admin cannot disable themselves: not offered, and refused with the service's message.
  await b.get(`/admin/users/${root.id}`);
  assertStringIncludes(b.lastHtml, confirmLink(root.id, "end-sessions"));
  assertFalse(b.lastHtml.includes(confirmLink(root.id, "disable")), "self-disable is offered");
  const self = await b.post(`/admin/users/${root.id}/disable`, {});
  assertEquals(self.status, 403);
  assertStringIncludes(b.lastHtml, "You are not allowed to do that.");
  assertEquals((await user(env, "root")).disabled, false);

  const unknown = await b.get(`/admin/users/${bobId}/confirm?action=drop-tables`);
  assertEquals(unknown.status, 404);
  assertEquals((await b.get("/admin/users/nobody")).status, 404);
});

Deno.test("admin pages: reset with a pass shows it once; a plain reset and disable 2FA remove the factors", async () => {
  const { env, b } = await asAdmin();
  await addUser(env, "bob");
  const bob = await enrollViaApi(env, "bob");
  const bobId = (await user(env, "bob")).id;

  // The user's page lists the authenticator by its label, never its secret.
  await b.get(`/admin/users/${bobId}`);
  const [stored0] = await listAuthenticators(env.deps.db, bobId);
  assertStringIncludes(b.lastHtml, `<th scope="row">${stored0.label}</th>`);
  assertFalse(b.lastHtml.includes(stored0.secretEnc), "the encrypted secret is shown");
  assertFalse(b.lastHtml.includes(bob.secret), "the secret is shown");

  // The confirmation page offers both modes, the pass first and chosen.
  await b.get(`/admin/users/${bobId}/confirm?action=reset-2fa`);
  assertStringIncludes(b.lastHtml, 'name="mode" value="pass" checked');
  let r = await confirmAndPost(b, bobId, "reset-2fa", { mode: "pass" });
  assertEquals(r.status, 200);
  const pass = b.lastHtml.match(/<code id="enrollment-pass">([^<]+)<\/code>/)?.[1];
  assert(pass, "the pass is on the result page");
  assertMatch(pass, /^[A-Z2-9]{5}(-[A-Z2-9]{5}){3}$/);
  assertStringIncludes(b.lastHtml, "shown only this once");
  assertStringIncludes(b.lastHtml, "2026-11-23 12:00 UTC");
  assertEquals(r.headers.get("cache-control"), "no-store");
  assertEquals((await listAuthenticators(env.deps.db, bobId)).length, 0);
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, bob.sessionToken)).status, 401);
  const stored = await user(env, "bob");
  assert(stored.enrollmentPassHash && stored.enrollmentPassHash !== pass, "the pass is hashed");
  assertEquals(stored.enrollmentPassExpiresAt, env.clock.now().getTime() + DAY);
  await b.get(`/admin/users/${bobId}`);
  assertFalse(b.lastHtml.includes(pass), "the pass is never shown again");
  assertStringIncludes(b.lastHtml, "Issued, valid until 2026-11-23 12:00 UTC");

  // Plain reset: no pass.
  await enrollViaPass(env, pass);
  assertEquals((await listAuthenticators(env.deps.db, bobId)).length, 1);
  r = await confirmAndPost(b, bobId, "reset-2fa", { mode: "plain" }, { mode: "plain" });
  assertEquals(r.status, 200);
  assertFalse(b.lastHtml.includes('id="enrollment-pass"'));
  assertStringIncludes(b.lastHtml, "password alone lets them");
  assertEquals((await listAuthenticators(env.deps.db, bobId)).length, 0);
  assertEquals((await user(env, "bob")).enrollmentPassHash, null);

  // Disable 2FA: refused with the service's message while policy requires it...
  await enrollViaApi(env, "bob");
  await b.get(`/admin/users/${bobId}/confirm?action=disable-2fa`);
  assertStringIncludes(b.lastHtml, "cannot be turned off");
  assertFalse(b.lastHtml.includes(`action="/admin/users/${bobId}/disable-2fa"`));
  const refused = await b.post(`/admin/users/${bobId}/disable-2fa`, {});
  assertEquals(refused.status, 409);
  assertStringIncludes(b.lastHtml, "cannot be turned off");
  assertEquals((await listAuthenticators(env.deps.db, bobId)).length, 1);
  // ...and offered and done once it does not.
  await setPolicy(env, { mode: "listed" });
  await b.get(`/admin/users/${bobId}`);
  assertStringIncludes(b.lastHtml, "action=disable-2fa");
  r = await confirmAndPost(b, bobId, "disable-2fa");
  assertEquals(r.headers.get("location"), `/admin/users/${bobId}?notice=twofa_disabled`);
  assertEquals((await listAuthenticators(env.deps.db, bobId)).length, 0);
});

/** Bob enrolls again over JSON with the pass an admin gave him. */
async function enrollViaPass(env: TestEnv, pass: string) {
  const login = await api(env, "POST", "/api/v1/login", { username: "bob", password: PASSWORD });
  assertEquals(login.json.status, "enrollment_required");
  const start = await api(env, "POST", "/api/v1/enrollments", {
    enrollment_pass: pass,
  }, login.json.pending_token);
  assertEquals(start.status, 201, JSON.stringify(start.json));
  const confirm = await api(
    env,
    "POST",
    `/api/v1/enrollments/${start.json.enrollment_id}/confirm`,
    { code: codeNow(env, start.json.secret) },
    login.json.pending_token,
  );
  assertEquals(confirm.status, 200);
}

Deno.test("admin pages: roles and groups are edited after a review page; trusted devices are revoked", async () => {
  const { env, b } = await asAdmin();
  await addUser(env, "bob");
  const bob = await enrollViaApi(env, "bob");
  const bobId = (await user(env, "bob")).id;

  const bad = await b.get(
    `/admin/users/${bobId}/confirm?action=edit&roles=&groups=${"x".repeat(65)}`,
  );
  assertEquals(bad.status, 400);
  assertStringIncludes(b.lastHtml, 'id="edit-groups-error" role="alert"');
  await b.get(`/admin/users/${bobId}/confirm?action=edit&roles=user&groups=finance,+ops`);
  assertStringIncludes(b.lastHtml, "Are you sure?");
  assertStringIncludes(b.lastHtml, "<td>finance, ops</td>");
  assertEquals((await user(env, "bob")).groups, "[]");
  const r = await b.post(
    `/admin/users/${bobId}/edit`,
    hiddenFields(b.lastHtml, `/admin/users/${bobId}/edit`),
  );
  assertEquals(r.headers.get("location"), `/admin/users/${bobId}?notice=updated`);
  const edited = await user(env, "bob");
  assertEquals([edited.roles, edited.groups], ['["user"]', '["finance","ops"]']);

  // Bob trusts a device at his next login; the admin revokes it.
  nextStep(env);
  const login = await api(env, "POST", "/api/v1/login", { username: "bob", password: PASSWORD });
  const done = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: login.json.pending_token,
    code: codeNow(env, bob.secret),
    trust_device: true,
    device_name: "Bob's laptop",
  });
  assertEquals(done.status, 200);
  await b.get(`/admin/users/${bobId}`);
  assertStringIncludes(b.lastHtml, "Bob&#39;s laptop");
  const deviceId = b.lastHtml.match(/action=revoke-device&amp;device=([^"&]+)"/)?.[1];
  assert(deviceId, "no revoke link");
  const revoke = await confirmAndPost(b, bobId, "revoke-device", { device: deviceId }, {
    device: deviceId,
  });
  assertEquals(revoke.headers.get("location"), `/admin/users/${bobId}?notice=device_revoked`);
  await b.get(revoke.headers.get("location")!);
  assertStringIncludes(b.lastHtml, "No device skips the code.");
  assertEquals(
    (await b.get(`/admin/users/${bobId}/confirm?action=revoke-device&device=x`)).status,
    404,
  );
});

Deno.test("admin pages: a policy change is previewed with the users it would block, and saved only on confirm", async () => {
  const { env, b } = await asAdmin();
  await addUser(env, "carol");
  await enrollViaApi(env, "carol");
  await setPolicy(env, { mode: "listed", requiredGroups: ["finance"] });
  await addUser(env, "bob");
  const fin = await addUser(env, "fin");
  await env.deps.db.update(users).set({ groups: JSON.stringify(["finance"]) })
    .where(eq(users.id, fin.id));

  await b.get("/admin/policy");
  assertStringIncludes(b.lastHtml, 'id="exempt-warning"');
  assertStringIncludes(b.lastHtml, 'name="mode" value="listed" checked');
  assertStringIncludes(b.lastHtml, 'id="requiredGroups" name="requiredGroups"');
  for (const field of ["networkRequire", "networkSkip", "graceDays", "totpDigits"]) {
    assertStringIncludes(b.lastHtml, `<label for="${field}">`);
  }
  const form = {
    mode: "everyone",
    requiredRoles: "",
    requiredGroups: "finance",
    adminsAlways: "on",
    exemptGroups: "robots",
    networkRequire: "203.0.113.0/24\n198.51.100.7/32",
    networkSkip: "",
    graceDays: "0",
    recoveryCodesEnabled: "on",
    trustedDevicesEnabled: "on",
    trustedDeviceDays: "14",
    totpAlgorithm: "SHA1",
    totpDigits: "6",
    totpPeriod: "30",
    totpWindow: "1",
    alertThreshold: "3",
    alertWindowMinutes: "5",
  };

  // Invalid values come back with their messages, and nothing is saved.
  const bad = await b.post("/admin/policy", {
    ...form,
    totpDigits: "11",
    networkSkip: "10.0.0.0/8\nnot-a-range",
    graceDays: "",
  });
  assertEquals(bad.status, 400);
  assertStringIncludes(b.lastHtml, 'id="totpDigits-error" role="alert">Use 10 or less.');
  assertStringIncludes(b.lastHtml, "&quot;not-a-range&quot; is not a CIDR range");
  assertStringIncludes(b.lastHtml, 'id="graceDays-error" role="alert">Enter a whole number.');
  assertStringIncludes(b.lastHtml, 'aria-describedby="totpDigits-error"');
  assertStringIncludes(b.lastHtml, 'value="11"');

  // The preview names the users who are not enrolled and would have to enroll now.
  const preview = await b.post("/admin/policy", form);
  assertEquals(preview.status, 200);
  assertStringIncludes(b.lastHtml, "This change would block 2 users who are");
  const blocked = b.lastHtml.match(/<ul id="would-block-users">(.*?)<\/ul>/)?.[1];
  assertEquals(blocked, "<li><strong>bob</strong></li><li><strong>fin</strong></li>");
  assertStringIncludes(
    b.lastHtml,
    "<td>Only the roles and groups listed below</td><td>Everyone</td>",
  );
  assertEquals((await loadPolicy(env.deps.db)).mode, "listed", "a preview saves nothing");

  const save = hiddenFields(b.lastHtml, 'id="save-policy"');
  assertEquals(save.confirm, "1");
  const saved = await b.post("/admin/policy", save);
  assertEquals(saved.headers.get("location"), "/admin/policy?notice=policy_saved");
  const policy = await loadPolicy(env.deps.db);
  assertEquals(policy, {
    ...DEFAULT_LOGIN_POLICY,
    requiredGroups: ["finance"],
    exemptGroups: ["robots"],
    networkRequire: ["203.0.113.0/24", "198.51.100.7/32"],
    trustedDeviceDays: 14,
  });
  await b.get("/admin/audit?event=policy.change");
  assertStringIncludes(b.lastHtml, "<code>policy.change</code>");

  // "Back to the form" shows the previewed values, still unsaved.
  await b.post("/admin/policy", { ...form, graceDays: "7", mode: "listed" });
  assertStringIncludes(b.lastHtml, "This change blocks nobody");
  const back = await b.post("/admin/policy", hiddenFields(b.lastHtml, 'name="edit"'));
  assertEquals(back.status, 200);
  assertStringIncludes(b.lastHtml, 'id="graceDays" name="graceDays" type="number"');
  assertStringIncludes(b.lastHtml, 'value="7"');
  assertEquals((await loadPolicy(env.deps.db)).graceDays, 0);
});

Deno.test("admin pages: the password policy form validates and saves", async () => {
  const { env, b } = await asAdmin();
  await b.get("/admin/policy");
  const bad = await b.post("/admin/password-policy", { minLength: "7", minClasses: "2" });
  assertEquals(bad.status, 400);
  assertStringIncludes(b.lastHtml, 'id="minLength-error" role="alert">Use 8 or more.');
  const ok = await b.post("/admin/password-policy", {
    minLength: "16",
    minClasses: "2",
    forbidCommon: "on",
  });
  assertEquals(ok.headers.get("location"), "/admin/policy?notice=password_policy_saved");
  assertEquals(await passwordPolicy(env.deps), {
    minLength: 16,
    minClasses: 2,
    forbidUsername: false,
    forbidCommon: true,
    maxAgeDays: 0,
    historyCount: 5,
  });
  await b.get("/admin/users/new");
  const short = await b.post("/admin/users/new", { username: "gina", password: "twelve chars" });
  assertEquals(short.status, 400);
  assertStringIncludes(b.lastHtml, "Use at least 16 characters.");
});

Deno.test("admin pages: the audit log filters by user, event and UTC time, and exports CSV", async () => {
  const { env, b } = await asAdmin();
  await addUser(env, "bob");
  const bobId = (await user(env, "bob")).id;
  // Steps under the session's idle timeout (60 minutes).
  env.clock.advance(50 * 60_000); // 12:50:10
  await confirmAndPost(b, bobId, "require-2fa");
  env.clock.advance(50 * 60_000); // 13:40:10
  await confirmAndPost(b, bobId, "end-sessions");

  const events = () =>
    [...b.lastHtml.matchAll(/<td><code>([^<]+)<\/code><\/td>/g)].map((m) => m[1]);
  await b.get("/admin/audit?user=bob&event=admin.");
  assertEquals(events(), ["admin.end_sessions", "admin.require_2fa"]);
  assertStringIncludes(b.lastHtml, '<th scope="col">Event</th>');
  assertStringIncludes(b.lastHtml, 'type="datetime-local"');
  await b.get("/admin/audit?user=bob&from=2026-11-22T12:30&to=2026-11-22T13:39");
  assertEquals(events(), ["admin.require_2fa"]);
  await b.get("/admin/audit?user=bob&from=2026-11-22T12:51");
  assertEquals(events(), ["admin.end_sessions"]);
  await b.get("/admin/audit?user=bob&event=admin.&to=2026-11-22T13:40");
  assertEquals(events(), ["admin.end_sessions", "admin.require_2fa"], "to includes its minute");
  await b.get("/admin/audit?event=admin.require_2fa");
  assertEquals(events(), ["admin.require_2fa"], "an underscore is no wildcard, and matches");
  await b.get("/admin/audit?event=user.create");
  assertEquals(events(), ["user.create", "user.create"]);
  const bad = await b.get("/admin/audit?from=yesterday");
  assertEquals(bad.status, 400);
  assertStringIncludes(b.lastHtml, 'id="from-error" role="alert"');

  await b.get("/admin/audit?user=bob&event=admin.require");
  const href = b.attr("export-csv", "href");
  assertEquals(href, "/admin/audit.csv?user=bob&amp;event=admin.require");
  const csv = await b.get(unescapeHtml(href!));
  assertEquals(csv.status, 200);
  assertEquals(csv.headers.get("content-type"), "text/csv; charset=utf-8");
  assertEquals(
    csv.headers.get("content-disposition"),
    'attachment; filename="twofold-audit.csv"',
  );
  const lines = (await csv.text()).trim().split("\r\n");
  assertEquals(lines[0], "at,event,outcome,username,user_id,ip,user_agent,detail");
  assertEquals(lines.length, 2);
  assertMatch(lines[1], /^2026-11-22T12:50:10\.000Z,admin\.require_2fa,success,bob,/);
  assertEquals((await b.get("/admin/audit.csv?to=soon")).status, 400);
});

Deno.test("admin pages: an alert is acknowledged from the dashboard", async () => {
  const { env, b, root } = await asAdmin();
  const bob = await addUser(env, "bob");
  const id = randomId();
  await env.deps.db.insert(alerts).values({
    id,
    at: env.clock.now().getTime(),
    kind: "second_factor_failures",
    userId: bob.id,
    username: "bob",
    detail: JSON.stringify({ failures: 4, window_minutes: 5, threshold: 3 }),
  });
  await b.get("/admin");
  assertStringIncludes(b.lastHtml, "4 failed second-factor attempts within 5 minutes");
  assertStringIncludes(b.lastHtml, `action="/admin/alerts/${id}/ack"`);
  const r = await b.post(`/admin/alerts/${id}/ack`, {});
  assertEquals(r.headers.get("location"), "/admin?notice=alert_acknowledged");
  const [row] = await env.deps.db.select().from(alerts).where(eq(alerts.id, id));
  assertEquals([row.acknowledgedAt, row.acknowledgedBy], [env.clock.now().getTime(), root.id]);
  await b.get("/admin?notice=alert_acknowledged");
  assertStringIncludes(b.lastHtml, "Alert acknowledged.");
  assertStringIncludes(b.lastHtml, "No open alerts.");
  const again = await b.post(`/admin/alerts/${id}/ack`, {});
  assertEquals(again.status, 404);
});

Deno.test("admin pages: emergency access is highlighted on the dashboard and in the audit log", async () => {
  const { env, b, root } = await asAdmin();
  const bypass = (at: Date) =>
    audit(env.deps.db, {
      event: "emergency.bypass",
      outcome: "success",
      userId: root.id,
      username: "root",
      detail: { via: "cli", mode: "pass" },
    }, at);
  // Older than 30 days it stays off the dashboard (the audit log keeps it).
  await bypass(new Date(env.clock.now().getTime() - 31 * DAY));
  await b.get("/admin");
  assertFalse(b.lastHtml.includes('id="emergency-access"'));

  await bypass(env.clock.now());
  await b.get("/admin");
  const section = b.lastHtml.match(/<section class="emergency" id="emergency-access".*?<\/section>/)
    ?.[0];
  assert(section, "no emergency section");
  assertStringIncludes(section, "Emergency access was used");
  assertStringIncludes(section, "<strong>root</strong>");
  assertStringIncludes(section, "with an enrollment pass via cli");
  assertEquals([...section.matchAll(/<li>/g)].length, 1, "only the recent event");
  assert(
    b.lastHtml.indexOf('id="emergency-access"') < b.lastHtml.indexOf("Open alerts"),
    "the emergency section comes first",
  );
  await b.get("/admin/audit?event=emergency.");
  assertEquals([...b.lastHtml.matchAll(/<tr class="emergency">/g)].length, 2);
});
