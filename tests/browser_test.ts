/**
 * @module A real browser (Chromium through playwright-core) walks the whole login: password,
 * enrollment inside the login, recovery codes, account page, logout, then password and a TOTP
 * code. Screenshots of each page go to tests/.artifacts/.
 */
import { totpCodeAt } from "../src/totp/totp.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { fillPasswordForm, withBrowser } from "./browser_harness.ts";

Deno.test({
  name: "browser: password, enrollment inside the login, recovery codes, logout, TOTP sign-in",
  fn: () =>
    withBrowser(async ({ env, origin, page, path, shot }) => {
      // Password step.
      await page.goto(`${origin}/login`);
      assertEquals(path(), "/login");
      await page.screenshot({ path: shot("login.png"), fullPage: true });
      await fillPasswordForm(page);
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
      await fillPasswordForm(page);
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
    }),
});
