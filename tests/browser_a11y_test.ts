/**
 * @module Accessibility and looks in a real browser (Chromium through playwright-core): every page
 * a person meets, in English, French and German, passes axe-core with no serious or critical
 * violation in light mode, and its colours pass in dark mode too. German, the language with the
 * longest words, is walked on a 375 px phone screen, where no page may scroll sideways. The login
 * form is completed with the keyboard alone, with the focus visible; the copy buttons work under
 * the real Content-Security-Policy and stay hidden without JavaScript. The English walk writes the
 * screenshots in docs/screenshots/ that README.md and docs/pages.md show.
 *
 * axe is injected as an inline script, which the CSP forbids, so the axe walks use contexts that
 * bypass the CSP; the keyboard and copy checks run in the harness's context, which does not.
 */
// Not in deno.json's import map: a test-only package (see browser_harness.ts).
// deno-lint-ignore no-import-prefix
import axe from "npm:axe-core@^4.14.1";
import type { Browser, Page } from "./browser_harness.ts";
import { eq } from "drizzle-orm";
import { noticeTokens, users, webauthnCredentials } from "../src/db/schema.ts";
import { sha256Hex } from "../src/lib/crypto.ts";
import { type Locale, type MessageKey, runWithLocale, t } from "../src/i18n/i18n.ts";
import { DEFAULT_LOGIN_POLICY } from "../src/policy/policy.ts";
import { DAY } from "../src/lib/clock.ts";
import { DEFAULT_PASSWORD_POLICY } from "../src/passwords/policy.ts";
import { PASSWORD_POLICY_KEY } from "../src/passwords/service.ts";
import { writeSettingStatement } from "../src/settings/repo.ts";
import { loadPolicy, savePolicyStatement } from "../src/policy/repo.ts";
import { totpCodeAt } from "../src/totp/totp.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { type BrowserRun, withBrowser } from "./browser_harness.ts";
import { addUser, PASSWORD } from "./helpers.ts";

const SCREENSHOTS = new URL("../docs/screenshots/", import.meta.url);
const DESKTOP = { width: 1000, height: 750 };
/** The screenshots of README.md and docs/pages.md: page name -> file, per walk. */
const SCREENSHOT_PAGES: Record<Locale, Record<string, string>> = {
  en: {
    login: "login",
    enroll: "enroll",
    "code challenge": "challenge",
    account: "account",
    "admin dashboard": "admin",
  },
  fr: { "admin users": "admin-users-fr" },
  de: { "code challenge": "challenge-de-phone" },
};
const PHONE = { width: 375, height: 740 };

type Violation = { id: string; impact: string | null; help: string; nodes: string[] };

/** axe's violations on the page as it is now; `rules` limits the run (the dark pass). */
async function axeViolations(page: Page, rules?: string[]): Promise<Violation[]> {
  if (await page.evaluate("typeof window.axe") !== "object") {
    await page.addScriptTag({ content: axe.source });
  }
  const options = rules
    ? { runOnly: { type: "rule", values: rules }, resultTypes: ["violations"] }
    : { resultTypes: ["violations"] };
  return await page.evaluate(
    `axe.run(document, ${JSON.stringify(options)}).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => n.target.join(" ") + " " + (n.failureSummary || "")),
    })))`,
  ) as Violation[];
}

/** Clicks something that loads a new page and waits until it has loaded. */
async function go(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForEvent("load"), page.click(selector)]);
}

const path = (page: Page) => new URL(page.url()).pathname;

/**
 * Sends the headers of a form POST and half of its body, then waits: the server answers once
 * BODY_TIMEOUT_SECONDS have passed. Its status and (Content-Length) body.
 */
async function bodyThatStops(
  origin: string,
  target: string,
): Promise<{ status: number; body: string }> {
  const { hostname, port, host } = new URL(origin);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(new TextEncoder().encode(
      `POST ${target} HTTP/1.1\r\nHost: ${host}\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n` +
        `username=half`,
    ));
    let bytes = new Uint8Array(0);
    const chunk = new Uint8Array(64 * 1024);
    for (;;) {
      const text = new TextDecoder().decode(bytes);
      const end = text.indexOf("\r\n\r\n");
      const length = /\r\ncontent-length: *(\d+)/i.exec(text)?.[1];
      if (end >= 0 && length !== undefined) {
        const body = bytes.subarray(new TextEncoder().encode(text.slice(0, end + 4)).length);
        if (body.length >= Number(length)) {
          return {
            status: Number(text.slice(9, 12)),
            body: new TextDecoder().decode(body.subarray(0, Number(length))),
          };
        }
      }
      const n = await conn.read(chunk);
      if (n === null) throw new Error(`the connection closed: ${text.slice(0, 200)}`);
      const grown = new Uint8Array(bytes.length + n);
      grown.set(bytes);
      grown.set(chunk.subarray(0, n), bytes.length);
      bytes = grown;
    }
  } finally {
    conn.close();
  }
}

/** One walk through the pages in one language, checking each. */
class Walk {
  checked: string[] = [];
  problems: string[] = [];
  constructor(
    readonly page: Page,
    readonly locale: Locale,
    readonly phone: boolean,
    /** Page name -> the screenshot it makes (docs/screenshots/<file>.png). */
    readonly screenshots: Record<string, string>,
  ) {}

  /** axe in light mode, the contrast rules again in dark mode; on a phone, no sideways scroll. */
  async check(name: string) {
    const { page, locale } = this;
    assertEquals(await page.getAttribute("html", "lang"), locale, `${name}: <html lang>`);
    assert(!(await page.content()).includes("⟦missing:"), `${locale} ${name}: a missing key`);
    const shot = this.screenshots[name];
    if (shot) await page.evaluate("window.scrollTo(0, 0)");
    const light = await axeViolations(page);
    await page.emulateMedia({ colorScheme: "dark" });
    const dark = await axeViolations(page, ["color-contrast", "link-in-text-block"]);
    if (shot === "login") await this.screenshot("login-dark");
    if (Deno.env.get("A11Y_SHOTS")) await this.artifact(name, "dark");
    await page.emulateMedia({ colorScheme: "light" });
    for (const [mode, list] of [["light", light], ["dark", dark]] as const) {
      for (const v of list) {
        const line = `${locale} ${name} (${mode}): ${v.impact} ${v.id}: ${v.help}\n    ` +
          v.nodes.slice(0, 3).join("\n    ");
        if (v.impact === "serious" || v.impact === "critical") this.problems.push(line);
        else console.log(`axe, not failing: ${line}`);
      }
    }
    if (this.phone) {
      const overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      );
      if (overflow as number > 0) {
        this.problems.push(`${locale} ${name}: scrolls ${overflow}px sideways at 375 px`);
      }
    }
    if (shot) await this.screenshot(shot);
    if (Deno.env.get("A11Y_SHOTS")) await this.artifact(name, "light");
    this.checked.push(name);
  }

  /** A screenshot for the docs: the top of the page, or all of the enrollment page. */
  async screenshot(file: string) {
    await this.page.screenshot({
      path: new URL(`${file}.png`, SCREENSHOTS).pathname,
      fullPage: file === "enroll",
      animations: "disabled",
      caret: "hide",
    });
  }

  /** With A11Y_SHOTS=1, every page of every walk goes to tests/.artifacts/a11y/ for a look. */
  async artifact(name: string, mode: string) {
    const dir = new URL("./.artifacts/a11y/", import.meta.url);
    await Deno.mkdir(dir, { recursive: true });
    const file = `${this.locale}-${mode}-${name.replace(/[^a-z0-9]+/gi, "-")}.png`;
    await this.page.screenshot({ path: new URL(file, dir).pathname, fullPage: true });
  }

  /** Submits the form `form` and waits for the page it leads to. */
  async submit(form: string) {
    await go(this.page, `${form} button[type=submit]`);
  }
}

/**
 * A security key row for `userId` (the pages only show it and offer it; no ceremony runs here),
 * under the RP ID of the served origin.
 */
async function addKey(run: BrowserRun, userId: string) {
  await run.env.deps.db.insert(webauthnCredentials).values({
    id: crypto.randomUUID(),
    userId,
    credentialId: crypto.randomUUID().replaceAll("-", ""),
    publicKey: "AQID",
    name: "blue key",
    rpId: new URL(run.origin).hostname,
    discoverable: true,
    createdAt: run.env.clock.now().getTime(),
  });
}

/** An admin of this language, a user to act on, and one who will get a grace period. */
async function people(run: BrowserRun, locale: Locale) {
  const admin = await addUser(run.env, `admin-${locale}`, ["admin"]);
  const member = await addUser(run.env, `member-${locale}`);
  const late = await addUser(run.env, `late-${locale}`);
  return { admin, member, late };
}

/** Everything a person meets, in `locale`, in a context that lets axe in. */
async function walk(
  run: BrowserRun,
  browser: Browser,
  locale: Locale,
  screenshots: Record<string, string>,
) {
  const { env, origin } = run;
  const phone = locale === "de";
  const context = await browser.newContext({
    bypassCSP: true,
    viewport: phone ? PHONE : DESKTOP,
    deviceScaleFactor: 1,
  });
  // axe in every document of this context, before the page's own script.
  await context.addInitScript({ content: axe.source });
  const page = await context.newPage();
  const w = new Walk(page, locale, phone, screenshots);
  const { admin, member, late } = await people(run, locale);
  const code = (secret: string) => totpCodeAt(secret, env.clock.now());
  try {
    // Sign in: the language comes from the switcher's ?lang= and sticks through its cookie.
    await page.goto(`${origin}/login?lang=${locale}`);
    await w.check("login");
    if (locale === "en") {
      // axe sees what it should: a planted image without a text alternative is reported.
      await page.evaluate(`document.querySelector("main").append(document.createElement("img"))`);
      const planted = await axeViolations(page);
      assertEquals(planted.map((v) => v.id), ["image-alt"]);
      await page.reload();
    }
    await page.fill("#username", admin.username);
    await page.fill("#password", "not the password");
    await w.submit("form[action='/login']");
    await w.check("login with an error");
    await page.fill("#password", PASSWORD);
    await w.submit("form[action='/login']");
    assertEquals(path(page), "/enroll");

    // Enrollment inside the login: a QR code big enough to scan from the screen.
    const qr = await page.locator(".qr svg").boundingBox();
    assert(qr && qr.width >= (phone ? 300 : 280), `QR code only ${qr?.width}px wide`);
    await w.check("enroll");
    const secret = await page.getAttribute("#secret", "data-secret");
    assert(secret, "no key on the enrollment page");
    await page.fill("#code", "000000");
    await w.submit("form[action='/enroll']");
    await w.check("enroll with an error");
    await page.fill("#code", code(secret));
    await w.submit("form[action='/enroll']");
    await page.waitForSelector("#recovery-codes");
    await w.check("recovery codes");
    await go(page, "main a.button");

    // The account and the pages around it; with a security key, its table and forms show too.
    assertEquals(path(page), "/account");
    await addKey(run, admin.id);
    await page.reload();
    await w.check("account");
    await page.goto(`${origin}/account/password`);
    await w.check("change password");
    await page.fill("#current_password", PASSWORD);
    await page.fill("#new_password", admin.username);
    await w.submit("form[action='/account/password']");
    await w.check("change password with errors");
    await page.goto(`${origin}/account/reauth?next=%2Faccount`);
    await w.check("confirm it's you");
    await page.goto(`${origin}/account/security-keys/new`);
    await w.check("add a security key");
    await page.goto(`${origin}/account`);
    env.clock.advance(30_000);
    await page.fill("#token-name", "ci");
    await page.fill("#token-code", code(secret));
    await w.submit("form[action='/account/tokens']");
    assert(await page.isVisible("#new-token"), "no new token");
    await w.check("new token");
    await page.goto(`${origin}/account`);
    await w.submit("form[action='/account/recovery-codes']");
    await page.waitForSelector("#download-codes");
    await w.check("new recovery codes");
    await page.goto(`${origin}/logout`);
    await w.check("log out");

    // The admin console.
    await page.goto(`${origin}/admin`);
    await w.check("admin dashboard");
    await page.goto(`${origin}/admin/users`);
    await w.check("admin users");
    await page.goto(`${origin}/admin/users/${member.id}`);
    await addKey(run, member.id);
    await page.reload();
    await w.check("admin user");
    await page.goto(`${origin}/admin/users/${member.id}/confirm?action=reset-2fa`);
    await w.check("admin confirm");
    await w.submit("form[action$='/reset-2fa']");
    assert(await page.isVisible("#enrollment-pass"), "no enrollment pass");
    await w.check("admin 2FA reset");
    await page.goto(`${origin}/admin/users/new`);
    await w.check("admin new user");
    await page.fill("#email", "not an email");
    await w.submit("form[action='/admin/users/new']");
    await w.check("admin new user with errors");
    await page.goto(`${origin}/admin/policy`);
    await w.check("admin policy");
    await page.fill("#graceDays", "-3");
    await page.fill("#networkSkip", "10.0.0.300/8");
    await w.submit("form[action='/admin/policy']");
    await w.check("admin policy with errors");
    await page.fill("#graceDays", "0");
    await page.fill("#networkSkip", "");
    await page.check("input[name=mode][value=listed]");
    await page.fill("#requiredGroups", "finance");
    await w.submit("form[action='/admin/policy']");
    await page.waitForSelector("#would-block");
    await w.check("admin policy preview");
    await page.goto(`${origin}/admin/audit`);
    await w.check("admin audit");
    await page.goto(`${origin}/admin/sessions`);
    await w.check("admin sessions");
    await page.goto(`${origin}/admin/sessions/end-all`);
    await w.check("admin end all sessions");
    await page.goto(`${origin}/admin/ip-blocks`);
    await w.check("admin blocked addresses");
    await page.goto(`${origin}/admin/security-settings`);
    await w.check("admin security settings");
    await page.fill("#sessionHours", "99");
    await w.submit("form[action='/admin/security-settings']");
    await w.check("admin security settings with errors");
    await page.goto(
      `${origin}/admin/access?user=${admin.username}&url=${
        encodeURIComponent("https://app.example.com/x")
      }`,
    );
    await page.waitForSelector("#access-test-result");
    await w.check("admin access rules");
    await page.fill("#rules", "{ not json");
    await w.submit("form[action='/admin/access']");
    await page.waitForSelector("#rules-error");
    await w.check("admin access rules with errors");
    // Single sign-on's pages: an unknown app, a spent hand-off code, an access rule's refusal.
    await page.goto(`${origin}/sso/authorize?rd=${encodeURIComponent("https://evil.test/")}`);
    await w.check("single sign-on unknown app");
    await page.goto(`${origin}/.twofold/callback?code=spent`);
    await w.check("single sign-on code spent");
    // Rules that refuse everyone, saved through the console, make verify answer its 403 page.
    await page.goto(`${origin}/admin/access`);
    const builtin = await page.inputValue("#rules");
    await page.fill("#rules", '{"default": "deny", "rules": []}');
    await w.submit("form[action='/admin/access']");
    await page.waitForSelector("#page-notice, .notice");
    await page.goto(`${origin}/api/v1/verify`);
    await page.waitForSelector("#denied-reason");
    await w.check("access denied");
    await page.goto(`${origin}/admin/access`);
    await page.fill("#rules", builtin);
    await w.submit("form[action='/admin/access']");
    await page.goto(`${origin}/admin/api-keys`);
    await w.check("admin api keys");
    await w.submit("form[action='/admin/api-keys']");
    await w.check("admin api keys with errors");
    await page.fill("#key-username", member.username);
    await page.fill("#key-name", "backup");
    await w.submit("form[action='/admin/api-keys']");
    assert(await page.isVisible("#new-api-key"), "no new API key");
    await w.check("admin new api key");

    // Delegation (turned on for this part): the banner on the user's pages, and the way back.
    const delegation = (on: boolean) =>
      (env.deps.config as { DELEGATION_ENABLED: boolean }).DELEGATION_ENABLED = on;
    delegation(true);
    await page.goto(`${origin}/admin/users/${late.id}`);
    await w.submit("form[action$='/delegate']");
    assertEquals(path(page), "/account");
    assert(await page.isVisible("#delegation-banner"), "no delegation banner");
    await w.check("delegated account");
    await w.submit("form[action='/delegation/end']");
    assertEquals(path(page), `/admin/users/${late.id}`);
    delegation(false);

    // OpenID Connect: the console's apps, the user's apps, a logout an app asks for, an error.
    await page.goto(`${origin}/admin/apps`);
    await w.check("admin apps");
    await page.fill("#name", `App ${locale}`);
    await page.fill("#redirect_uris", "not a url");
    await w.submit("form[action='/admin/apps']");
    await w.check("admin apps with errors");
    await page.fill("#redirect_uris", `https://app-${locale}.example.com/callback`);
    await w.submit("form[action='/admin/apps']");
    assert(await page.isVisible("#client-secret"), "no client secret shown");
    await w.check("admin app registered");
    await page.goto(`${origin}/account/apps`);
    await w.check("account apps");
    await page.goto(`${origin}/oidc/logout`);
    await w.check("app asks to log out");
    await page.goto(`${origin}/oidc/authorize?client_id=nope`);
    await w.check("app sign-in refused");
    await page.goto(`${origin}/account`);

    // Sign in again: the code challenge and the recovery code.
    await go(page, "header form[action='/logout'] button");
    await page.fill("#username", admin.username);
    await page.fill("#password", PASSWORD);
    await w.submit("form[action='/login']");
    assertEquals(path(page), "/login/totp");
    await w.check("code challenge");
    await page.fill("#code", "000000");
    await w.submit("form[action='/login/totp']");
    await w.check("code challenge with an error");
    await go(page, "main a[href^='/login/recovery']");
    await w.check("recovery code");
    await w.submit("form[action='/login/cancel']");

    // Signed out.
    // Passkey sign-in offered on the password page (then off again for the next language).
    const before = await loadPolicy(env.deps.db);
    const passkeyOn = { ...before, webauthn: { ...before.webauthn, passkeySignIn: true } };
    await savePolicyStatement(env.deps.db, passkeyOn, env.clock.now(), "test");
    await page.goto(`${origin}/login`);
    assert(await page.isVisible("#use-passkey"), "no passkey button");
    await w.check("login with a passkey");
    await savePolicyStatement(env.deps.db, before, env.clock.now(), "test");
    await page.goto(`${origin}/password/forgot`);
    await w.check("forgot password");
    await w.submit("form[action='/password/forgot']");
    await w.check("forgot password with an error");
    await page.goto(`${origin}/password/reset?token=abcdefghijklmnopqrstuvwxyz`);
    await w.check("reset password");
    await page.goto(`${origin}/no/such/page`);
    await w.check("not found");
    // A form whose body is over MAX_BODY_BYTES: refused 413 by its Content-Length, unread.
    await Promise.all([
      page.waitForURL(`${origin}/login`),
      page.evaluate(`(() => {
        const form = document.createElement("form");
        form.method = "post";
        form.action = "/login";
        const filler = document.createElement("input");
        filler.type = "hidden";
        filler.name = "filler";
        filler.value = "x".repeat(${env.deps.config.MAX_BODY_BYTES});
        form.append(filler);
        document.body.append(form);
        form.submit();
      })()`),
    ]);
    const titled = (key: MessageKey) => runWithLocale(locale, () => t(key));
    assertMatch(await page.title(), new RegExp(`^${titled("errors.too_large.title")}`));
    await w.check("payload too large");
    // A body that stops half-way gets the 408 page. A browser sends its bodies whole, so the
    // page comes from a raw connection, and the browser is handed those exact bytes at an
    // address of this origin (its stylesheet is then the server's own).
    const timedOut = await bodyThatStops(origin, `/login?lang=${locale}`);
    assertEquals(timedOut.status, 408);
    await page.route(`${origin}/request-timeout-page`, (route) =>
      route.fulfill({
        status: 408,
        headers: { "content-type": "text/html; charset=utf-8" },
        body: timedOut.body,
      }));
    await page.goto(`${origin}/request-timeout-page`);
    await page.unroute(`${origin}/request-timeout-page`);
    assertMatch(await page.title(), new RegExp(`^${titled("errors.timeout.title")}`));
    await w.check("request timeout");
    const reporter = await addUser(env, `reporter-${locale}`);
    const token = "N".repeat(42) + locale.slice(0, 1);
    await env.deps.db.insert(noticeTokens).values({
      id: `notice-${locale}`,
      userId: reporter.id,
      tokenHash: await sha256Hex(token),
      kind: "password_changed",
      createdAt: env.clock.now().getTime(),
      expiresAt: env.clock.now().getTime() + 3_600_000,
    });
    await page.goto(`${origin}/not-me?token=${token}`);
    await w.check("this was not me");
    await w.submit("form[action='/not-me']");
    await w.check("this was not me: locked");
    await page.goto(`${origin}/not-me?token=${token}`);
    await w.check("this was not me: used link");

    // The member, whose 2FA the admin reset: asked for the pass; then a non-admin at /admin.
    await page.goto(`${origin}/login`);
    await page.fill("#username", member.username);
    await page.fill("#password", PASSWORD);
    await w.submit("form[action='/login']");
    await page.goto(`${origin}/enroll`);
    assert(await page.isVisible("#enrollment_pass"), "no enrollment pass form");
    await w.check("enrollment pass");
    await page.goto(`${origin}/login`);

    // A user with a grace period signs in without a second factor.
    const policy = (graceDays: number) =>
      savePolicyStatement(
        env.deps.db,
        { ...DEFAULT_LOGIN_POLICY, graceDays },
        env.clock.now(),
        "t",
      );
    await policy(7);
    await page.fill("#username", late.username);
    await page.fill("#password", PASSWORD);
    await w.submit("form[action='/login']");
    await policy(0);
    assert(await page.isVisible("#enrollment-deadline"), "no grace page");
    await w.check("grace period");
    await page.goto(`${origin}/admin`);
    await w.check("admins only");

    // A password past the policy's maximum age: a new one before any session.
    const expired = await addUser(run.env, `expired-${locale}`);
    await env.deps.db.update(users).set({
      passwordChangedAt: env.clock.now().getTime() - 400 * DAY,
    })
      .where(eq(users.id, expired.id));
    const maxAge = (maxAgeDays: number) =>
      writeSettingStatement(
        env.deps.db,
        PASSWORD_POLICY_KEY,
        {
          ...DEFAULT_PASSWORD_POLICY,
          maxAgeDays,
        },
        env.clock.now(),
        "t",
      );
    await maxAge(365);
    await context.clearCookies();
    await page.goto(`${origin}/login?lang=${locale}`);
    await page.fill("#username", expired.username);
    await page.fill("#password", PASSWORD);
    await w.submit("form[action='/login']");
    assertEquals(path(page), "/login/password");
    await w.check("expired password");
    await page.fill("#new_password", expired.username);
    await w.submit("form[action='/login/password']");
    await w.check("expired password with errors");
    await maxAge(0);
  } catch (e) {
    throw new Error(`${locale}, after the page "${w.checked.at(-1)}": ${(e as Error).message}`);
  } finally {
    await context.close();
  }
  return w;
}

/** The first-run page (before any admin exists, so before the walks), in `locale`. */
async function setupWalk(run: BrowserRun, browser: Browser, locale: Locale) {
  const context = await browser.newContext({ bypassCSP: true, viewport: DESKTOP });
  await context.addInitScript({ content: axe.source });
  const page = await context.newPage();
  const w = new Walk(page, locale, false, {});
  try {
    await page.goto(`${run.origin}/setup?token=${SETUP_TOKEN}&lang=${locale}`);
    await w.check("first-run setup");
    await page.fill("#username", "root");
    await page.fill("#password", "short");
    await w.submit("form[action='/setup']");
    await w.check("first-run setup with an error");
  } finally {
    await context.close();
  }
  return w;
}

const SETUP_TOKEN = "a11y-walk-setup-token-0123456789abcdef";

Deno.test({
  name: "browser a11y: every page passes axe in English, French and German, light and dark",
  fn: () =>
    withBrowser(async (run) => {
      const browser = run.context.browser();
      assert(browser, "no browser behind the context");
      await Deno.mkdir(SCREENSHOTS, { recursive: true });
      const problems: string[] = [];
      const checked: Record<string, number> = {};
      for (const locale of ["en", "fr", "de"] as const) {
        problems.push(...(await setupWalk(run, browser, locale)).problems);
      }
      for (const locale of ["en", "fr", "de"] as const) {
        const w = await walk(run, browser, locale, SCREENSHOT_PAGES[locale]);
        problems.push(...w.problems);
        checked[locale] = w.checked.length;
      }
      assertEquals(problems, [], `\n${problems.join("\n")}`);
      assertEquals(checked.fr, checked.en);
      assertEquals(checked.de, checked.en);
      assert(checked.en >= 30, `only ${checked.en} pages checked`);
    }, { env: { SETUP_TOKEN, BODY_TIMEOUT_SECONDS: "1" } }),
});

Deno.test({
  name: "browser a11y: the login form works with the keyboard alone, with the focus visible",
  fn: () =>
    withBrowser(async ({ origin, page, path }) => {
      await page.goto(`${origin}/login`);
      const focused = () => page.evaluate("document.activeElement && document.activeElement.id");
      /** The focused element's outline, which :focus-visible draws for keyboard focus. */
      const outline = () =>
        page.evaluate(`(() => {
          const s = getComputedStyle(document.activeElement);
          return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
        })()`) as Promise<{ style: string; width: number }>;
      const visibleFocus = async (what: string) => {
        const o = await outline();
        assert(
          o.style !== "none" && o.width >= 2,
          `${what}: no visible focus (${JSON.stringify(o)})`,
        );
      };

      // The page opens with the username focused; Tab walks the form in order.
      assertEquals(await focused(), "username");
      await page.keyboard.type("alice");
      await page.keyboard.press("Tab");
      assertEquals(await focused(), "password");
      await visibleFocus("password");
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press("Tab");
      assertEquals(await page.evaluate("document.activeElement.name"), "remember_me");
      await visibleFocus("remember me");
      await page.keyboard.press("Space");
      assert(await page.isChecked("input[name=remember_me]"), "Space did not tick the box");
      await page.keyboard.press("Tab");
      assertEquals(await page.evaluate("document.activeElement.type"), "submit");
      await visibleFocus("the submit button");
      await Promise.all([page.waitForEvent("load"), page.keyboard.press("Enter")]);
      assertEquals(path(), "/enroll");

      // On a page without a form, the first Tab reaches the skip link, shown on focus; it
      // leads to <main>.
      await page.goto(`${origin}/no/such/page?lang=fr`);
      await page.keyboard.press("Tab");
      assertEquals(await page.evaluate("document.activeElement.className"), "skip");
      await visibleFocus("skip link");
      const box = await page.locator("a.skip").boundingBox();
      assert(box && box.y >= 0, "the skip link stays off screen when focused");
      await page.keyboard.press("Enter");
      assertEquals(await focused(), "main");
    }),
});

Deno.test({
  name: "browser: copy buttons copy the key and the codes under the CSP, and hide without JS",
  fn: () =>
    withBrowser(async ({ env, origin, context, page, userId }) => {
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
      const errors: string[] = [];
      page.on("console", (m) => {
        // Chromium asks for /favicon.ico, which twofold does not have.
        if (m.type() === "error" && !m.location().url.endsWith("/favicon.ico")) {
          errors.push(m.text());
        }
      });
      await page.goto(`${origin}/login`);
      await page.fill("#username", "alice");
      await page.fill("#password", PASSWORD);
      await go(page, "form[action='/login'] button[type=submit]");
      const secret = await page.getAttribute("#secret", "data-secret");
      assert(secret, "no key");

      // The script ran (the CSP allows /assets/app.js) and showed the button.
      const copyKey = page.locator("button[data-copy=secret]");
      assert(await copyKey.isVisible(), "the copy button stayed hidden");
      await copyKey.focus();
      await page.keyboard.press("Enter");
      // A selector, not waitForFunction: its polling evaluates strings, which the CSP forbids.
      await page.waitForSelector("button[data-copy=secret]:text-is('Copied')");
      assertEquals(await page.evaluate("navigator.clipboard.readText()"), secret);
      assertEquals(await page.textContent("button[data-copy=secret] + [role=status]"), "Copied");

      await page.fill("#code", totpCodeAt(secret, env.clock.now()));
      await go(page, "form[action='/enroll'] button[type=submit]");
      const codes = (await page.locator("#recovery-codes li").allTextContents()).map((c) =>
        c.trim()
      );
      await page.click("button[data-copy=recovery-codes]");
      // A selector, not waitForFunction: its polling evaluates strings, which the CSP forbids.
      await page.waitForSelector("button[data-copy=recovery-codes]:text-is('Copied')");
      assertEquals(await page.evaluate("navigator.clipboard.readText()"), codes.join("\n"));
      assertEquals(errors, [], "console errors (a CSP refusal?)");

      // Without JavaScript: no button, the key and codes are there to copy by hand.
      const browser = context.browser()!;
      const noJs = await browser.newContext({ javaScriptEnabled: false });
      try {
        await env.deps.db.update(users).set({ twofaRequired: true }).where(eq(users.id, userId));
        const other = await addUser(env, "nojs");
        const p = await noJs.newPage();
        await p.goto(`${origin}/login`);
        await p.fill("#username", other.username);
        await p.fill("#password", PASSWORD);
        await go(p, "form[action='/login'] button[type=submit]");
        assertEquals(new URL(p.url()).pathname, "/enroll");
        assertEquals(await p.locator("button[data-copy]").count(), 1);
        assertEquals(await p.isVisible("button[data-copy]"), false);
        assertMatch((await p.textContent("#secret")) ?? "", /^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$/);
        const key = await p.getAttribute("#secret", "data-secret");
        await p.fill("#code", totpCodeAt(key!, env.clock.now()));
        await go(p, "form[action='/enroll'] button[type=submit]");
        assertEquals(await p.locator("#recovery-codes li").count(), 10);
        assertEquals(await p.isVisible("button[data-copy]"), false);
      } finally {
        await noJs.close();
      }
    }),
});
