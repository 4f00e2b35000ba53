/**
 * @module A real browser (Chromium through playwright-core) walks the whole login: password,
 * enrollment inside the login, recovery codes, account page, logout, then password and a TOTP
 * code. Screenshots of each page go to tests/.artifacts/.
 */
import type { Browser } from "playwright-core";
import { totpCodeAt } from "../src/totp/totp.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { addUser, PASSWORD, testApp } from "./helpers.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = new URL("./.artifacts/", import.meta.url);
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];

/**
 * playwright-core, loaded only once chromium is known to exist. At load it probes /proc for WSL
 * (the `is-wsl` package), and Deno grants /proc reads only under --allow-all, which the test
 * task does not give; `__IS_WSL_TEST__` makes is-wsl probe lazily, when something opens a URL
 * in a desktop app, which a test never does.
 */
async function loadChromium() {
  Deno.env.set("__IS_WSL_TEST__", "1");
  return (await import("playwright-core")).chromium;
}

function chromiumInstalled(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

Deno.test({
  name: "browser: password, enrollment inside the login, recovery codes, logout, TOTP sign-in",
  async fn() {
    assert(
      chromiumInstalled(),
      `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run this test`,
    );
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const shot = (name: string) => new URL(name, ARTIFACTS).pathname;

    const env = await testApp();
    // The browser judges cookie expiry by its own clock: the pending cookie lives 5 minutes of
    // the app's clock, so the fixed clock starts at the real time instead of T0.
    env.clock.set(Math.floor(Date.now() / 1000) * 1000);
    await addUser(env);

    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, env.app.fetch);
    const origin = `http://127.0.0.1:${server.addr.port}`;
    let browser: Browser | undefined;
    try {
      const chromium = await loadChromium();
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      const page = await browser.newPage();
      const path = () => new URL(page.url()).pathname;

      // Password step.
      await page.goto(`${origin}/login`);
      assertEquals(path(), "/login");
      await page.screenshot({ path: shot("login.png"), fullPage: true });
      await page.fill("#username", "alice");
      await page.fill("#password", PASSWORD);
      await Promise.all([page.waitForURL("**/enroll"), page.click("button[type=submit]")]);

      // Enrollment inside the login: no session yet, so no logout button.
      assertEquals(path(), "/enroll");
      assertEquals(await page.locator("header form[action='/logout']").count(), 0);
      const secret = await page.getAttribute("#secret", "data-secret");
      assert(secret, "#secret has no data-secret");
      assertMatch(secret, /^[A-Z2-7]{32}$/);
      assertEquals(await page.locator(".qr svg").count(), 1);
      const uri = await page.textContent("#otpauth-uri");
      assert(uri, "no otpauth URI on the page");
      assertMatch(uri, /^otpauth:\/\/totp\//);
      assertStringIncludes(uri, `secret=${secret}`);
      await page.screenshot({ path: shot("enroll.png"), fullPage: true });
      await page.fill("#code", totpCodeAt(secret, env.clock.now()));
      const [confirmed] = await Promise.all([
        page.waitForResponse((r) =>
          r.request().method() === "POST" && new URL(r.url()).pathname === "/enroll"
        ),
        page.click("form[action='/enroll'] button[type=submit]"),
      ]);
      assertEquals(confirmed.status(), 200);

      // Recovery codes, shown once.
      await page.waitForSelector("#recovery-codes");
      assertEquals(await page.locator("h1").textContent(), "Save your recovery codes");
      const codes = await page.locator("#recovery-codes li").allTextContents();
      assertEquals(codes.length, 10);
      assertEquals(new Set(codes.map((code) => code.trim()).filter(Boolean)).size, 10);
      await page.screenshot({ path: shot("recovery-codes.png"), fullPage: true });
      await Promise.all([page.waitForURL("**/account"), page.click("a:has-text('continue')")]);

      // Account page, then logout from the header.
      assertEquals(await page.textContent("#account-username"), "alice");
      await Promise.all([
        page.waitForURL("**/login"),
        page.click("header button:has-text('Log out')"),
      ]);
      assertEquals(path(), "/login");

      // Sign in again: password, then a code from the next time step (the enrollment code's step
      // is used up, and the replay rule refuses it).
      await page.fill("#username", "alice");
      await page.fill("#password", PASSWORD);
      await Promise.all([page.waitForURL("**/login/totp"), page.click("button[type=submit]")]);
      assertEquals(path(), "/login/totp");
      const input = page.locator("#code");
      assertEquals(await input.getAttribute("autocomplete"), "one-time-code");
      assertEquals(await input.getAttribute("inputmode"), "numeric");
      assertEquals(
        await page.evaluate("document.activeElement && document.activeElement.id"),
        "code",
      );
      await page.screenshot({ path: shot("challenge.png"), fullPage: true });
      env.clock.advance(30_000);
      await input.fill(totpCodeAt(secret, env.clock.now()));
      await Promise.all([
        page.waitForURL("**/account"),
        page.click("form[action='/login/totp'] button[type=submit]"),
      ]);

      // Signed in with the authenticator just set up and all recovery codes unused.
      assertEquals(path(), "/account");
      assertEquals(await page.textContent("#account-username"), "alice");
      assertEquals(await page.locator("#authenticators tbody tr").count(), 1);
      assertStringIncludes(
        (await page.textContent("#recovery-remaining")) ?? "",
        "10 of your recovery codes",
      );
      await page.screenshot({ path: shot("account.png"), fullPage: true });
    } finally {
      await browser?.close();
      await server.shutdown();
    }
  },
});
