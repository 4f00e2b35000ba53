/**
 * Every page in English, French and German, through app.request: no missing key, `<html lang>`
 * set, no English text that localize() could not translate, and the French and German pages
 * differ from the English ones. Also how the language is chosen (Accept-Language with q-values,
 * the `lang` cookie, `?lang=`) and that the JSON API stays English.
 */
import { audit } from "../src/audit/repo.ts";
import { alerts } from "../src/db/schema.ts";
import { en } from "../src/i18n/en.ts";
import { type Locale, LOCALES, runWithLocale, untranslated } from "../src/i18n/i18n.ts";
import { randomId } from "../src/lib/crypto.ts";
import { DEFAULT_LOGIN_POLICY } from "../src/policy/policy.ts";
import { savePolicyStatement } from "../src/policy/repo.ts";
import { totpCodeAt } from "../src/totp/totp.ts";
import { internalErrorPage } from "../src/views/errors.tsx";
import {
  assert,
  assertEquals,
  assertMatch,
  assertNotEquals,
  assertStringIncludes,
} from "./assert.ts";
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

const ACCOUNT_NOTICES = [
  "authenticator_added",
  "authenticator_renamed",
  "authenticator_removed",
  "device_revoked",
  "session_ended",
  "sessions_ended",
  "reauthenticated",
  "twofa_disabled",
  "password_changed",
  "token_revoked",
];
const ADMIN_NOTICES = [
  "alert_acknowledged",
  "policy_saved",
  "password_policy_saved",
  "user_created",
  "required",
  "unrequired",
  "twofa_disabled",
  "unlocked",
  "sessions_ended",
  "grace_extended",
  "disabled",
  "enabled",
  "updated",
  "device_revoked",
];
const CONFIRMED_ACTIONS = [
  "require-2fa",
  "unrequire-2fa",
  "reset-2fa",
  "disable-2fa",
  "unlock",
  "end-sessions",
  "extend-grace",
  "disable",
  "enable",
];

const unescapeHtml = (s: string) =>
  s.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">").replaceAll("&amp;", "&");

/** The text a person reads in <main>. */
function mainText(html: string): string {
  const main = html.slice(html.indexOf("<main"), html.indexOf("</main>"));
  return unescapeHtml(main.replace(/<[^>]+>/g, " ")).replace(/\s+/g, " ").trim();
}

/** Signs in on the pages and enrolls during the login; returns the secret. */
async function signInAndEnroll(b: Browser, username: string): Promise<string> {
  const env = b.env;
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
  return secret;
}

/** Walks every page as people see them, in `locale`; returns page name -> HTML. */
async function everyPage(locale: Locale): Promise<Map<string, string>> {
  const env: TestEnv = await testApp();
  const pages = new Map<string, string>();
  const browser = () => {
    const b = new Browser(env);
    b.cookies.set("lang", locale);
    return b;
  };
  const alice = await addUser(env, "alice", ["admin"]);
  const bob = await addUser(env, "bob");
  const carol = await addUser(env, "carol");
  await addUser(env, "dave");
  const b = browser();
  const keep = (name: string) => {
    assert(!pages.has(name), `page ${name} twice`);
    pages.set(name, b.lastHtml);
  };

  // Password step, its errors, enrollment inside the login, recovery codes.
  await b.get("/login?redirect=%2Fadmin");
  keep("login");
  await b.post("/login", { username: "", password: "" });
  keep("login: empty");
  await b.post("/login", { username: "alice", password: "wrong password" });
  keep("login: wrong password");
  await b.post("/login", { username: "alice", password: PASSWORD });
  await b.get("/enroll");
  keep("enroll");
  const secret = b.attr("secret", "data-secret")!;
  const enrollmentId = b.lastHtml.match(/name="enrollment_id" value="([^"]+)"/)![1];
  await b.post("/enroll", { enrollment_id: enrollmentId, code: "" });
  keep("enroll: empty code");
  await b.post("/enroll", { enrollment_id: enrollmentId, code: "12345" });
  keep("enroll: wrong code");
  await b.post("/enroll", { enrollment_id: enrollmentId, code: codeNow(env, secret) });
  keep("recovery codes");

  // The account and what hangs off it.
  await b.get("/account");
  keep("account");
  for (const notice of ACCOUNT_NOTICES) {
    await b.get(`/account?notice=${notice}`);
    keep(`account: ${notice}`);
  }
  await b.get("/account?token_error=invalid_code");
  keep("account: token error");
  await b.post("/account/authenticators/nope/rename", { label: "" });
  keep("account: empty name");
  await b.get("/account/reauth?next=%2Faccount");
  keep("reauth");
  await b.post("/account/reauth", { next: "/account", password: PASSWORD });
  keep("reauth: no code");
  await b.post("/account/reauth", { next: "/account", password: "wrong", code: "123456" });
  keep("reauth: wrong");
  await b.get("/account/password");
  keep("password change");
  await b.post("/account/password", { current_password: "", new_password: "" });
  keep("password change: empty");
  await b.post("/account/password", { current_password: "nope", new_password: "x" });
  keep("password change: wrong current");
  await b.post("/account/password", { current_password: PASSWORD, new_password: "alice1" });
  keep("password change: weak");
  nextStep(env);
  await b.post("/account/tokens", { name: "ci", scope_read: "true", code: codeNow(env, secret) });
  keep("new token");
  await b.post("/account/recovery-codes", {});
  keep("new recovery codes");
  const codes = [...b.lastHtml.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((m) => m[1]);
  assertEquals(codes.length, 10);
  await b.get("/logout");
  keep("logout");

  // The admin console.
  await db(env).insert(alerts).values({
    id: randomId(),
    at: env.clock.now().getTime(),
    kind: "second_factor_failures",
    userId: bob.id,
    username: "bob",
    detail: JSON.stringify({ failures: 4, window_minutes: 5, threshold: 3 }),
  });
  await audit(db(env), {
    event: "emergency.bypass",
    outcome: "success",
    userId: alice.id,
    username: "alice",
    detail: { via: "cli", mode: "pass" },
  }, env.clock.now());
  await b.get("/admin");
  keep("admin dashboard");
  for (const notice of ADMIN_NOTICES) {
    await b.get(`/admin/users/${bob.id}?notice=${notice}`);
    keep(`admin user: ${notice}`);
  }
  await b.post("/admin/alerts/nope/ack", {});
  keep("admin dashboard: unknown alert");
  await b.get("/admin/users");
  keep("admin users");
  await b.get("/admin/users?status=bogus");
  keep("admin users: bad filter");
  await b.get("/admin/users/new");
  keep("admin new user");
  await b.post("/admin/users/new", {
    username: "",
    password: "",
    roles: "a".repeat(70),
    groups: "",
    email: "not-an-email",
  });
  keep("admin new user: errors");
  await b.post("/admin/users/new", { username: "erin", password: "erin-erin-1", roles: "" });
  keep("admin new user: weak password");
  await b.post("/admin/users/new", { username: "bob", password: "a long passphrase here" });
  keep("admin new user: taken");
  await b.get(`/admin/users/${bob.id}`);
  keep("admin user");
  for (const action of CONFIRMED_ACTIONS) {
    await b.get(`/admin/users/${bob.id}/confirm?action=${action}`);
    keep(`admin confirm: ${action}`);
  }
  await b.get(`/admin/users/${bob.id}/confirm?action=edit&roles=&groups=finance`);
  keep("admin confirm: edit");
  await b.get(`/admin/users/${bob.id}/confirm?action=edit&roles=&groups=${"g".repeat(70)}`);
  keep("admin user: bad groups");
  await b.post(`/admin/users/${bob.id}/extend-grace`, { days: "0" });
  keep("admin confirm: bad days");
  await b.post(`/admin/users/${alice.id}/disable-2fa`, {});
  keep("admin user: refused");
  await b.get("/admin/policy");
  keep("admin policy");
  const policyForm = {
    mode: "listed",
    requiredRoles: "",
    requiredGroups: "finance",
    adminsAlways: "on",
    exemptGroups: "",
    networkRequire: "",
    networkSkip: "",
    graceDays: "0",
    recoveryCodesEnabled: "on",
    trustedDevicesEnabled: "on",
    trustedDeviceDays: "30",
    totpAlgorithm: "SHA1",
    totpDigits: "6",
    totpPeriod: "30",
    totpWindow: "1",
    alertThreshold: "3",
    alertWindowMinutes: "5",
  };
  await b.post("/admin/policy", {
    ...policyForm,
    networkRequire: "10.0.0.300/8",
    graceDays: "-1",
    totpDigits: "x",
    alertThreshold: "100000",
    requiredGroups: "g".repeat(70),
  });
  keep("admin policy: errors");
  await b.post("/admin/password-policy", { minLength: "3", minClasses: "9" });
  keep("admin password policy: errors");
  // Bob, carol and dave have no authenticator: requiring 2FA of everyone would block them.
  await b.post("/admin/policy", { ...policyForm, mode: "everyone" });
  keep("admin policy preview");
  await b.post("/admin/policy", { ...policyForm, mode: "everyone", graceDays: "3" });
  keep("admin policy preview: nobody");
  await b.get("/admin/audit");
  keep("admin audit");
  await b.get("/admin/audit?from=yesterday&user=" + "u".repeat(200));
  keep("admin audit: errors");
  await b.get("/admin/api-keys");
  keep("admin api keys");
  await b.post("/admin/api-keys", { username: "", name: "", expires_in_days: "0" });
  keep("admin api keys: errors");
  await b.post("/admin/api-keys", { username: "nobody", name: "job", scope_read: "on" });
  keep("admin api keys: unknown user");
  await b.post("/admin/api-keys", { username: "bob", name: "job", scope_read: "on" });
  keep("admin new api key");
  await b.get("/admin/api-keys?notice=key_revoked");
  keep("admin api keys: notice");
  const carolEnrolled = await enrollViaApi(env, "carol");
  assert(carolEnrolled.secret);
  await b.get(`/admin/users/${carol.id}/confirm?action=reset-2fa`);
  await b.post(`/admin/users/${carol.id}/reset-2fa`, { mode: "pass" });
  keep("admin reset done");

  // Bob, not an admin, at the console.
  const bobPages = browser();
  await signInAndEnroll(bobPages, "bob");
  await bobPages.get("/admin");
  assertEquals(bobPages.lastHtml.includes('id="main"'), true);
  pages.set("admin forbidden", bobPages.lastHtml);

  // Carol, after the reset, is asked for her enrollment pass.
  const carolPages = browser();
  await carolPages.get("/login");
  await carolPages.post("/login", { username: "carol", password: PASSWORD });
  await carolPages.get("/enroll");
  pages.set("enrollment pass", carolPages.lastHtml);
  await carolPages.post("/enroll/pass", { enrollment_pass: "AAAAA-BBBBB" });
  pages.set("enrollment pass: wrong", carolPages.lastHtml);

  // The challenge, and the recovery code instead.
  nextStep(env);
  const c = browser();
  await c.get("/login");
  await c.post("/login", { username: "alice", password: PASSWORD });
  await c.get("/login/totp");
  pages.set("totp", c.lastHtml);
  await c.post("/login/totp", { code: "" });
  pages.set("totp: empty", c.lastHtml);
  await c.post("/login/totp", { code: "000000" });
  pages.set("totp: wrong", c.lastHtml);
  await c.get("/login/recovery");
  pages.set("recovery", c.lastHtml);
  await c.post("/login/recovery", { recovery_code: "nope" });
  pages.set("recovery: wrong", c.lastHtml);
  await c.post("/login/recovery", { recovery_code: codes[1] });
  pages.set("recovery used", c.lastHtml);
  const expired = browser();
  await expired.get("/login");
  await expired.post("/login/totp", { code: "123456" });
  pages.set("login: sign-in expired", expired.lastHtml);

  // A grace period: dave may still sign in without a second factor.
  await savePolicyStatement(
    db(env),
    { ...DEFAULT_LOGIN_POLICY, graceDays: 7 },
    env.clock.now(),
    "test",
  );
  const d = browser();
  await d.get("/login");
  await d.post("/login", { username: "dave", password: PASSWORD });
  pages.set("grace", d.lastHtml);

  // Signed out: password reset, not found, expired form.
  const out = browser();
  await out.get("/password/forgot");
  pages.set("password forgot", out.lastHtml);
  await out.post("/password/forgot", { username: "" });
  pages.set("password forgot: empty", out.lastHtml);
  await out.post("/password/forgot", { username: "alice" });
  pages.set("password forgot: sent", out.lastHtml);
  await out.get("/password/reset?token=abcdefghijklmnopqrstuvwxyz");
  pages.set("password reset", out.lastHtml);
  await out.post("/password/reset", { token: "abcdefghijklmnopqrstuvwxyz", new_password: "x" });
  pages.set("password reset: bad token", out.lastHtml);
  await out.get("/no/such/page");
  pages.set("not found", out.lastHtml);
  await out.post("/login", { username: "alice", password: PASSWORD }, { csrf: null });
  pages.set("form expired", out.lastHtml);
  pages.set(
    "internal error",
    await runWithLocale(locale, async () => String(await internalErrorPage().toString())),
  );
  return pages;
}

const db = (env: TestEnv) => env.deps.db;

/** English catalogue texts long enough not to turn up by chance, for spotting leftovers. */
const englishSentences = Object.values(en).filter((text) =>
  text.length >= 20 && !text.includes("{")
);

Deno.test("i18n pages: every page in English, French and German, with no missing key", async () => {
  const byLocale = new Map<Locale, Map<string, string>>();
  for (const locale of LOCALES) {
    untranslated.clear();
    const pages = await everyPage(locale);
    byLocale.set(locale, pages);
    for (const [name, html] of pages) {
      const where = `${locale} ${name}`;
      assert(!html.includes("⟦missing:"), `${where}: ${html.match(/⟦missing:[^⟧]*⟧/)?.[0]}`);
      assertStringIncludes(html, `<html lang="${locale}">`, where);
      assertMatch(html, /<main id="main"/, where);
      if (name !== "internal error") assertStringIncludes(html, 'class="lang"', where);
      // The CSP allows scripts and styles from /assets/ only: nothing inline.
      assert(!/<script(?![^>]*\bsrc=)/.test(html), `${where}: an inline script`);
      assert(!/<[^>]+\sstyle=/.test(html), `${where}: an inline style`);
      if (locale === "en") continue;
      const text = mainText(html);
      for (const sentence of englishSentences) {
        assert(!text.includes(sentence), `${where} shows English: "${sentence}"`);
      }
    }
    if (locale !== "en") assertEquals([...untranslated], [], `${locale}: English left on pages`);
  }
  const english = byLocale.get("en")!;
  assert(english.size >= 80, `only ${english.size} pages`);
  for (const locale of ["fr", "de"] as const) {
    const pages = byLocale.get(locale)!;
    assertEquals([...pages.keys()].sort(), [...english.keys()].sort());
    for (const [name, html] of pages) {
      assertNotEquals(mainText(html), mainText(english.get(name)!), `${locale} ${name} is English`);
      assertNotEquals(
        html.match(/<title>(.*?)<\/title>/)?.[1],
        english.get(name)!.match(/<title>(.*?)<\/title>/)?.[1],
        `${locale} ${name}: title`,
      );
    }
  }
});

Deno.test("i18n pages: Accept-Language picks the language, q-values honoured", async () => {
  const env = await testApp();
  const page = async (headers: Record<string, string>, path = "/login") => {
    const res = await env.app.request(`http://localhost${path}`, { headers });
    return { res, html: await res.text() };
  };
  for (
    const [header, lang] of [
      ["", "en"],
      ["de-DE,de;q=0.9,en;q=0.8", "de"],
      ["en;q=0.5, fr-CA", "fr"],
      ["fr;q=0, de;q=0.1, it", "de"],
      ["it, es", "en"],
    ] as const
  ) {
    const { res, html } = await page(header ? { "accept-language": header } : {});
    assertStringIncludes(html, `<html lang="${lang}">`, header);
    assertEquals(res.headers.get("content-language"), lang);
    assertStringIncludes(res.headers.get("vary") ?? "", "Accept-Language");
  }
  // The cookie wins over the header, ?lang= over both; an unknown ?lang= changes nothing.
  const de = { "accept-language": "de", cookie: "lang=fr" };
  assertStringIncludes((await page(de)).html, '<html lang="fr">');
  assertStringIncludes((await page(de, "/login?lang=en")).html, '<html lang="en">');
  assertStringIncludes((await page(de, "/login?lang=xx")).html, '<html lang="fr">');
  assertStringIncludes((await page({ cookie: "lang=xx" })).html, '<html lang="en">');
  // The stylesheet and the script are the same in every language.
  for (const asset of ["/assets/app.css", "/assets/app.js"]) {
    const { res } = await page({ "accept-language": "fr" }, asset);
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("vary"), null, asset);
    assertStringIncludes(res.headers.get("cache-control") ?? "", "public");
  }
});

Deno.test("i18n pages: ?lang= sets a plain lang cookie and the switcher is on the page", async () => {
  const env = await testApp();
  const res = await env.app.request(
    "http://localhost/login?lang=de&redirect=%2Faccount%2Fpassword",
  );
  const html = await res.text();
  assertStringIncludes(html, '<html lang="de">');
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("lang="));
  assert(cookie, "no lang cookie");
  assertMatch(cookie, /^lang=de; Max-Age=\d+; Path=\/; SameSite=Lax$/);
  assert(!/HttpOnly/i.test(cookie), "the lang cookie need not be HttpOnly");
  // The switcher keeps the page and its checked return URL.
  for (const lang of LOCALES) {
    assertStringIncludes(
      html,
      `href="/login?redirect=%2Faccount%2Fpassword&amp;lang=${lang}" lang="${lang}"`,
    );
  }
  assertStringIncludes(html, 'aria-current="true">Deutsch</a>');
  // Asking for the language the cookie already holds sets nothing.
  const again = await env.app.request("http://localhost/login?lang=de", {
    headers: { cookie: "lang=de" },
  });
  assertEquals(again.headers.getSetCookie().filter((c) => c.startsWith("lang=")), []);
  // Other query parameters stay; an unchecked return URL does not.
  const b = new Browser(env);
  await b.get("/password/reset?token=abcdefghijklmnop&next=https%3A%2F%2Fevil.example");
  assertStringIncludes(b.lastHtml, 'href="/password/reset?token=abcdefghijklmnop&amp;lang=fr"');
  assert(!b.lastHtml.includes("evil.example"), "the switcher echoes an unchecked URL");
});

Deno.test("i18n pages: the JSON API answers in English whatever the language asked", async () => {
  const env = await testApp();
  await addUser(env);
  const headers = { "accept-language": "fr", cookie: "lang=de" };
  const wrong = await api(
    env,
    "POST",
    "/api/v1/login?lang=fr",
    { username: "alice", password: "nope" },
    undefined,
    headers,
  );
  assertEquals(wrong.status, 401);
  assertEquals(wrong.json.error.message, "Invalid username or password.");
  assertEquals(wrong.res.headers.getSetCookie().filter((c) => c.startsWith("lang=")), []);
  const tooLong = await api(
    env,
    "POST",
    "/api/v1/login",
    {
      username: "a".repeat(200),
      password: "x",
    },
    undefined,
    headers,
  );
  assertEquals(tooLong.status, 400);
  assertMatch(tooLong.json.error.fields.username[0], /^Too big/);
  const missing = await api(
    env,
    "POST",
    "/api/v1/login",
    { username: "", password: "x" },
    undefined,
    headers,
  );
  assertEquals(missing.json.error.fields.username, ["Enter your username."]);
});

Deno.test("i18n pages: zod's own messages follow the page language", async () => {
  const env = await testApp();
  const b = new Browser(env);
  b.cookies.set("lang", "fr");
  await b.get("/login");
  await b.post("/login", { username: "a".repeat(200), password: "x" });
  assertStringIncludes(b.lastHtml, "Trop grand");
  const sentence = "Saisissez votre nom d&#39;utilisateur.";
  await b.post("/login", { username: "", password: "x" });
  assertStringIncludes(b.lastHtml, sentence);
});
