/**
 * Access rules end to end: the admin API (validated, audited), the verify endpoint deciding by
 * them (bypass without a login, 403 pages that never loop, Remote-* headers), the in-memory
 * cache and its reload across processes without a change count, and step-up through the code
 * prompt only.
 */
import { eq } from "drizzle-orm";
import type { Deps } from "../src/deps.ts";
import { accessRules } from "../src/access/service.ts";
import { auditEvents } from "../src/db/schema.ts";
import { DEFAULT_LOGIN_POLICY } from "../src/policy/policy.ts";
import { savePolicyStatement } from "../src/policy/repo.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { addUser, api, Browser, codeNow, nextStep, PASSWORD } from "./helpers.ts";
import { APP, caddyVerify, PORTAL, portalSignIn, reach, ssoSetup, WIKI } from "./sso_helpers.ts";

const RULES = {
  default: "deny",
  rules: [
    { paths: ["/health"], action: "bypass" },
    { hosts: ["wiki.beta.test"], groups: ["wiki"], action: "one_factor" },
    { hosts: ["app.alpha.test"], paths: ["/admin"], action: "two_factor", step_up_minutes: 10 },
    { hosts: ["*.alpha.test"], action: "two_factor" },
  ],
};

Deno.test("access rules API: admins read and replace them; bad documents get field errors", async () => {
  const { env, adminToken } = await ssoSetup();
  const initial = await api(env, "GET", "/api/v1/admin/access-rules", undefined, adminToken);
  assertEquals(initial.status, 200);
  assertEquals(initial.json.default, "deny");
  assertEquals(initial.json.rules.length, 1);
  assertEquals(initial.json.rules[0].action, "one_factor");

  const bad = await api(env, "PUT", "/api/v1/admin/access-rules", {
    default: "open",
    rules: [{ hosts: ["https://x"], networks: ["10.0.0.0/99"], action: "allow", color: "red" }],
  }, adminToken);
  assertEquals(bad.status, 400);
  assertEquals(bad.json.error.code, "validation_failed");
  for (const f of ["default", "rules.0.hosts.0", "rules.0.networks.0", "rules.0.action"]) {
    assert(f in bad.json.error.fields, `${f} in ${Object.keys(bad.json.error.fields)}`);
  }

  const put = await api(env, "PUT", "/api/v1/admin/access-rules", RULES, adminToken);
  assertEquals(put.status, 200);
  assertEquals(put.json.rules[2].step_up_minutes, 10);
  const read = await api(env, "GET", "/api/v1/admin/access-rules", undefined, adminToken);
  assertEquals(read.json, put.json);

  const changes = await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "access_rules.change"));
  assertEquals(changes.length, 1);
  const detail = JSON.parse(changes[0].detail);
  assertEquals(detail.admin, "alice");
  assertEquals(detail.before.rules.length, 1);
  assertEquals(detail.after.rules.length, 4);

  // Nobody else: no token, a non-admin, an API key.
  await addUser(env, "bob", []);
  assertEquals((await api(env, "GET", "/api/v1/admin/access-rules")).status, 401);
  assertEquals((await api(env, "PUT", "/api/v1/admin/access-rules", RULES)).status, 401);
  const key = await api(env, "POST", "/api/v1/admin/api-keys", {
    username: "alice",
    name: "k",
    scopes: ["admin"],
  }, adminToken);
  assertEquals(
    (await api(env, "GET", "/api/v1/admin/access-rules", undefined, key.json.api_key)).status,
    403,
  );
});

Deno.test("access rules tester API: the decision and the rule that made it", async () => {
  const { env, adminToken } = await ssoSetup();
  await api(env, "PUT", "/api/v1/admin/access-rules", RULES, adminToken);
  const test = (body: object) =>
    api(env, "POST", "/api/v1/admin/access-rules/test", body, adminToken);
  assertEquals((await test({ url: `${WIKI}/health` })).json, {
    outcome: "allow",
    action: "bypass",
    rule: 0,
  });
  assertEquals((await test({ url: `${WIKI}/`, username: "alice" })).json, {
    outcome: "deny",
    action: "deny",
    rule: null,
  });
  assertEquals((await test({ url: `${WIKI}/` })).json, { outcome: "login", action: null, rule: 1 });
  assertEquals((await test({ url: `${APP}/x`, username: "alice" })).json, {
    outcome: "allow",
    action: "two_factor",
    rule: 3,
  });
  const bad = await test({ url: "not a url", username: "nobody" });
  assertEquals(bad.status, 400);
  assert("url" in bad.json.error.fields);
  const nobody = await test({ url: `${APP}/`, username: "nobody" });
  assertEquals(nobody.status, 400);
  assert("username" in nobody.json.error.fields);
});

Deno.test("verify by the rules: bypass needs no login, a refusal is a 403 page that says why", async () => {
  const { env, secret, adminToken } = await ssoSetup();
  await api(env, "PUT", "/api/v1/admin/access-rules", RULES, adminToken);
  const portal = new Browser(env, PORTAL);
  const app = new Browser(env, APP);
  const wiki = new Browser(env, WIKI);

  // Bypass: nobody signed in, 200, and every identity header present but empty.
  const health = await caddyVerify(env, `${WIKI}/health`, wiki);
  assertEquals(health.status, 200);
  for (const h of ["x-auth-user", "remote-user", "remote-groups", "x-auth-key"]) {
    assertEquals(health.headers.get(h), "", h);
  }
  // Not signed in on a host with a subject rule: sign in first.
  assertEquals((await caddyVerify(env, `${WIKI}/`, wiki)).status, 302);
  // Nothing matches (another host): 403 straight away, no login offered.
  const other = await env.app.request("http://127.0.0.1:8000/api/v1/verify", {
    headers: {
      host: "app.gamma.test",
      "x-forwarded-host": "app.gamma.test",
      "x-forwarded-proto": "https",
      "x-forwarded-uri": "/",
      accept: "text/html",
    },
  });
  assertEquals(other.status, 403);
  assertStringIncludes(await other.text(), "No access rule lets you reach app.gamma.test");

  // alice reaches app (two_factor), then wiki refuses her: she is not in the group.
  await reach(env, `${APP}/`, portal, app, secret);
  const ok = await caddyVerify(env, `${APP}/`, app);
  assertEquals(ok.status, 200);
  assertEquals(ok.headers.get("remote-user"), "alice");
  assertEquals(ok.headers.get("remote-name"), "alice");
  assertEquals(ok.headers.get("remote-groups"), "");
  await reach(env, `${WIKI}/`, portal, wiki);
  const refused = await caddyVerify(env, `${WIKI}/`, wiki);
  assertEquals(refused.status, 403);
  assertEquals(refused.headers.get("location"), null);
  const page = await refused.text();
  assertStringIncludes(page, "No access rule lets you reach wiki.beta.test");
  assertStringIncludes(page, "You are signed in as alice");
  assertStringIncludes(page, `href="${PORTAL}/logout"`);
  // In the browser's language.
  const fr = await caddyVerify(env, `${WIKI}/`, wiki, { "accept-language": "fr" });
  assertStringIncludes(await fr.text(), "Aucune règle d&#39;accès");
  // A program gets the JSON error; nginx's first ask a bare 403 (its error_page asks again).
  const json = await caddyVerify(env, `${WIKI}/`, wiki, { accept: "application/json" });
  assertEquals(json.status, 403);
  assertEquals((await json.json()).error.code, "forbidden");

  // In the group, she passes, and the app learns her groups and email.
  const me = await api(env, "GET", "/api/v1/admin/users?q=alice", undefined, adminToken);
  const id = me.json.users[0].id;
  const patched = await api(env, "PATCH", `/api/v1/admin/users/${id}`, {
    groups: ["wiki", "staff"],
    email: "alice@example.com",
  }, adminToken);
  assertEquals(patched.status, 200);
  const now = await caddyVerify(env, `${WIKI}/`, wiki);
  assertEquals(now.status, 200);
  assertEquals(now.headers.get("remote-groups"), "staff,wiki");
  assertEquals(now.headers.get("remote-email"), "alice@example.com");
});

Deno.test("network rules use the configured client address", async () => {
  const { env, adminToken } = await ssoSetup({ CLIENT_IP_HEADER: "X-Real-IP" });
  await api(env, "PUT", "/api/v1/admin/access-rules", {
    default: "deny",
    rules: [{ networks: ["10.0.0.0/8"], action: "bypass" }],
  }, adminToken);
  const ask = (ip: string) =>
    caddyVerify(env, `${APP}/`, new Browser(env, APP), { "x-real-ip": ip, accept: "*/*" });
  assertEquals((await ask("10.1.2.3")).status, 200);
  assertEquals((await ask("192.0.2.1")).status, 403);
});

Deno.test("rules are cached: no database read per verify; without a change count, other processes reload within the interval", async () => {
  const { env, adminToken } = await ssoSetup();
  // A handle the embedded client is not registered for stands for remote libSQL or D1 (no
  // change count); on the embedded file every process is exact (src/access/service_test.ts,
  // tests/access_rules_processes_test.ts).
  let reads = 0;
  const countingDb = Object.create(env.deps.db);
  countingDb.select = (...a: unknown[]) => {
    reads++;
    return (env.deps.db.select as (...b: unknown[]) => unknown)(...a);
  };
  // Another process: its own cache, the same database.
  const other = { ...env.deps, db: countingDb } as Deps;
  assertEquals((await accessRules(other)).rules[0].action, "one_factor");
  const afterFirst = reads;
  for (let i = 0; i < 50; i++) await accessRules(other);
  assertEquals(reads, afterFirst, "no read while the rules are fresh");

  await api(env, "PUT", "/api/v1/admin/access-rules", RULES, adminToken);
  // The saving process has them at once.
  assertEquals((await accessRules(env.deps)).rules.length, 4);
  // The other within ACCESS_RULES_RELOAD_SECONDS (5 s).
  assertEquals((await accessRules(other)).rules.length, 1);
  env.clock.advance(5_000);
  assertEquals((await accessRules(other)).rules.length, 4);
  assertEquals(reads, afterFirst + 1);
});

Deno.test("step-up: a rule wants a recent code; the prompt takes only a code, not a login", async () => {
  const { env, secret, adminToken } = await ssoSetup();
  await api(env, "PUT", "/api/v1/admin/access-rules", RULES, adminToken);
  const portal = new Browser(env, PORTAL);
  const app = new Browser(env, APP);
  await reach(env, `${APP}/admin/users`, portal, app, secret);
  assertEquals((await caddyVerify(env, `${APP}/admin/users`, app)).status, 200);

  env.clock.advance(11 * 60_000);
  // The rest of the app still passes; /admin wants a fresh code.
  assertEquals((await caddyVerify(env, `${APP}/`, app)).status, 200);
  const stale = await caddyVerify(env, `${APP}/admin/users`, app);
  assertEquals(stale.status, 302);
  const prompt = stale.headers.get("location")!;
  assertEquals(
    prompt,
    `${PORTAL}/sso/step-up?redirect=${encodeURIComponent(`${APP}/admin/users`)}`,
  );
  const form = await portal.get(prompt.slice(PORTAL.length));
  assertEquals(form.status, 200);
  assertStringIncludes(portal.lastHtml, 'autocomplete="one-time-code"');
  assertEquals(portal.lastHtml.includes('type="password"'), false, "no password asked");

  const wrong = await portal.post("/sso/step-up", {
    code: "000000",
    redirect: `${APP}/admin/users`,
  });
  assertEquals(wrong.status, 401);
  assertEquals((await caddyVerify(env, `${APP}/admin/users`, app)).status, 302);

  const code = codeNow(env, secret);
  const done = await portal.post("/sso/step-up", { code, redirect: `${APP}/admin/users` });
  assertEquals(done.status, 303);
  assertEquals(done.headers.get("location"), `${APP}/admin/users`);
  assertEquals((await caddyVerify(env, `${APP}/admin/users`, app)).status, 200);
  // The same code again is a replay.
  const replay = await portal.post("/sso/step-up", { code, redirect: `${APP}/admin/users` });
  assertEquals(replay.status, 401);
  // Ten minutes later, once more.
  nextStep(env);
  env.clock.advance(10 * 60_000);
  assertEquals((await caddyVerify(env, `${APP}/admin/users`, app)).status, 302);
  // A redirect to a host we do not serve is refused.
  const evil = await portal.get(
    `/sso/step-up?redirect=${encodeURIComponent("https://evil.test/")}`,
  );
  assertEquals(evil.status, 400);
  const steps = await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "sso.step_up"));
  assertEquals(steps.length, 1);
});

Deno.test("console: the access rules page shows the rules, tests a URL, saves valid JSON only", async () => {
  const { env, secret } = await ssoSetup();
  const admin = new Browser(env, PORTAL);
  await portalSignIn(env, admin, secret, "/admin/access");
  const page = await admin.get("/admin/access");
  assertEquals(page.status, 200);
  assertStringIncludes(admin.lastHtml, 'id="access-builtin"');
  assertStringIncludes(admin.lastHtml, 'id="access-rules"');

  // Invalid JSON and an invalid document: the form again, with the message and the text kept.
  const broken = await admin.post("/admin/access", { rules: "{ nope" });
  assertEquals(broken.status, 400);
  assertStringIncludes(admin.lastHtml, 'id="rules-error"');
  assertStringIncludes(admin.lastHtml, "{ nope");
  const invalid = await admin.post("/admin/access", {
    rules: JSON.stringify({ rules: [{ hosts: ["https://x"], action: "open" }] }),
  });
  assertEquals(invalid.status, 400);
  assertStringIncludes(admin.lastHtml, "rules.0.hosts.0");
  assertStringIncludes(admin.lastHtml, "rules.0.action");

  // Without the CSRF token: refused by the global check.
  const forged = await admin.post("/admin/access", { rules: JSON.stringify(RULES) }, {
    csrf: null,
  });
  assertEquals(forged.status, 403);

  const saved = await admin.post("/admin/access", { rules: JSON.stringify(RULES) });
  assertEquals(saved.status, 303);
  assertEquals(saved.headers.get("location"), "/admin/access?notice=saved");
  await admin.get("/admin/access?notice=saved");
  assertStringIncludes(admin.lastHtml, "The access rules are saved and in force.");
  assertEquals(admin.lastHtml.includes('id="access-builtin"'), false);
  const changes = await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "access_rules.change"));
  assertEquals(changes.length, 1);

  // The tester: a user and a URL give the decision and the rule that made it.
  const q = (user: string, url: string) =>
    `/admin/access?user=${encodeURIComponent(user)}&url=${encodeURIComponent(url)}`;
  await admin.get(q("alice", `${WIKI}/`));
  assertStringIncludes(admin.lastHtml, '<dd id="access-test-outcome">Denied</dd>');
  assertStringIncludes(admin.lastHtml, "Decided by the default action.");
  await admin.get(q("", `${WIKI}/health`));
  assertStringIncludes(admin.lastHtml, '<dd id="access-test-outcome">Allowed</dd>');
  assertStringIncludes(admin.lastHtml, "Decided by rule 1.");
  await admin.get(q("", `${APP}/`));
  assertStringIncludes(admin.lastHtml, "Must sign in first");
  await admin.get(q("nobody", `${APP}/`));
  assertStringIncludes(admin.lastHtml, 'id="test-user-error"');
  await admin.get(q("alice", "ftp://x"));
  assertStringIncludes(admin.lastHtml, 'id="test-url-error"');

  // Not for someone signed out: the login first.
  const stranger = new Browser(env, PORTAL);
  const away = await stranger.get("/admin/access");
  assertEquals(away.status, 303);
  assertEquals(away.headers.get("location"), "/login?redirect=%2Fadmin%2Faccess");
});

Deno.test("two_factor for a session without a second factor: the prompt says to add one, no loop", async () => {
  const { env, adminToken } = await ssoSetup();
  await api(env, "PUT", "/api/v1/admin/access-rules", {
    rules: [{ hosts: ["app.alpha.test"], paths: ["/open"], action: "one_factor" }, {
      action: "two_factor",
    }],
  }, adminToken);
  // A grace period lets carol in with her password only.
  await env.deps.db.batch([
    savePolicyStatement(
      env.deps.db,
      { ...DEFAULT_LOGIN_POLICY, graceDays: 7 },
      env.clock.now(),
      "t",
    ),
  ]);
  await addUser(env, "carol", []);
  const portal = new Browser(env, PORTAL);
  const app = new Browser(env, APP);
  const first = await caddyVerify(env, `${APP}/open`, app);
  await portal.get(
    `/login?redirect=${
      encodeURIComponent(
        new URL(first.headers.get("location")!).pathname +
          new URL(first.headers.get("location")!).search,
      )
    }`,
  );
  const signedIn = await portal.post("/login", {
    username: "carol",
    password: PASSWORD,
    redirect: new URL(first.headers.get("location")!).pathname +
      new URL(first.headers.get("location")!).search,
  });
  // The grace notice, whose "Not now" goes on to the hand-off.
  assertEquals(signedIn.status, 200);
  assertStringIncludes(portal.lastHtml, "enrollment-deadline");
  const notNow = portal.lastHtml.match(/href="(\/sso\/authorize[^"]*)"/)![1].replaceAll(
    "&amp;",
    "&",
  );
  const handoff = await portal.get(notNow);
  assertEquals(handoff.status, 302);
  const next = handoff.headers.get("location")!;
  assert(next.startsWith(`${APP}/.twofold/callback`), next);
  await app.get(next.slice(APP.length));
  // one_factor passes; two_factor sends her to the prompt, which can only say to add a factor.
  assertEquals((await caddyVerify(env, `${APP}/open`, app)).status, 200);
  const wants = await caddyVerify(env, `${APP}/other`, app);
  assertEquals(wants.status, 302);
  const prompt = wants.headers.get("location")!;
  assertStringIncludes(prompt, `${PORTAL}/sso/step-up?redirect=`);
  const page = await portal.get(prompt.slice(PORTAL.length));
  assertEquals(page.status, 200);
  assertStringIncludes(portal.lastHtml, "Add an authenticator to your account first");
  assertStringIncludes(portal.lastHtml, 'href="/account"');
  // nginx's first ask: 401, so its named location can ask for the prompt.
  const nginx = await caddyVerify(env, `${APP}/other`, app, { "x-original-uri": "/other" });
  assertEquals(nginx.status, 401);
});
