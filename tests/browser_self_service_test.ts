/**
 * @module A real browser (Chromium through playwright-core) walks self-service from the account
 * page: a second authenticator added while the login is fresh and renamed, a trusted device that
 * skips the code until it is revoked, and sudo mode sending a stale session through
 * /account/reauth. Screenshots go to tests/.artifacts/.
 */
import { eq } from "drizzle-orm";
import type { Page } from "./browser_harness.ts";
import { sessions, trustedDevices } from "../src/db/schema.ts";
import { MINUTE } from "../src/lib/clock.ts";
import { listAuthenticators } from "../src/totp/repo.ts";
import { totpCodeAt } from "../src/totp/totp.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { clickAndWait, fillPasswordForm, withBrowser } from "./browser_harness.ts";
import { PASSWORD } from "./helpers.ts";

/** The TOTP key an enrollment page shows. */
async function secretOnPage(page: Page): Promise<string> {
  const secret = await page.getAttribute("#secret", "data-secret");
  assert(secret, "#secret has no data-secret");
  assertMatch(secret, /^[A-Z2-7]{32}$/);
  return secret;
}

/** The authenticator ids in the account page's table, from their rename forms, in page order. */
async function authenticatorIds(page: Page): Promise<string[]> {
  const forms = page.locator("#authenticators form.rename");
  const ids: string[] = [];
  for (let i = 0; i < await forms.count(); i++) {
    const action = await forms.nth(i).getAttribute("action");
    const id = action?.match(/^\/account\/authenticators\/([^/]+)\/rename$/)?.[1];
    assert(id, `unexpected rename form action ${action}`);
    ids.push(id);
  }
  return ids;
}

/** "Signed in as alice…": the line that says how this session signed in. */
async function signedInLine(page: Page): Promise<string> {
  return (await page.locator("main p:has(#account-username)").textContent()) ?? "";
}

Deno.test({
  name:
    "browser: second authenticator, rename, trusted device skips the code until revoked, sudo mode",
  fn: () =>
    withBrowser(async ({ env, userId, origin, context, page, path, shot }) => {
      const { db } = env.deps;
      const codeNow = (secret: string) => totpCodeAt(secret, env.clock.now());
      const cookieNames = async () => (await context.cookies()).map((c) => c.name);

      // 1. Password, enrollment inside the login, recovery codes, account.
      await page.goto(`${origin}/login`);
      await fillPasswordForm(page);
      await clickAndWait(page, "form[action='/login'] button[type=submit]", "/enroll");
      const firstSecret = await secretOnPage(page);
      await page.fill("#code", codeNow(firstSecret));
      await page.click("form[action='/enroll'] button[type=submit]");
      await page.waitForSelector("#recovery-codes");
      assertEquals(await page.locator("#recovery-codes li").count(), 10);
      await clickAndWait(page, "a:has-text('continue')", "/account");
      const [firstId, ...others] = await authenticatorIds(page);
      assertEquals(others, []);

      // 2. A second authenticator: the login proved a code under five minutes ago, so the link
      // goes straight to /enroll, signed in.
      assertEquals(await page.getAttribute("#add-authenticator", "href"), "/enroll");
      await clickAndWait(page, "#add-authenticator", "/enroll");
      assertEquals(await page.locator("header form[action='/logout']").count(), 1);
      const secondSecret = await secretOnPage(page);
      assert(secondSecret !== firstSecret, "the second enrollment reused the first secret");
      await page.screenshot({ path: shot("enroll-second.png"), fullPage: true });
      // The same time step as the first enrollment: the new secret has no step used yet.
      await page.fill("#code", codeNow(secondSecret));
      await clickAndWait(
        page,
        "form[action='/enroll'] button[type=submit]",
        "/account?notice=authenticator_added",
      );
      assertStringIncludes(
        (await page.textContent(".notice")) ?? "",
        "Your new authenticator is ready.",
      );
      const ids = await authenticatorIds(page);
      assertEquals(ids.length, 2);
      const secondId = ids.find((id) => id !== firstId);
      assert(secondId, "the first authenticator is gone from the table");

      // Rename the new one in place.
      await page.fill(`#label-${secondId}`, "Tablet");
      await clickAndWait(
        page,
        `form[action='/account/authenticators/${secondId}/rename'] button[type=submit]`,
        "/account?notice=authenticator_renamed",
      );
      assertEquals(await page.inputValue(`#label-${secondId}`), "Tablet");
      assertEquals(await page.inputValue(`#label-${firstId}`), "Authenticator app");
      assertEquals(
        (await listAuthenticators(db, userId)).map((a) => [a.id, a.label]).sort(),
        [[firstId, "Authenticator app"], [secondId, "Tablet"]].sort(),
      );

      // 3. Log out, sign in with a code from the second authenticator and trust this device.
      await clickAndWait(page, "header button:has-text('Log out')", "/login");
      env.clock.advance(30_000);
      await fillPasswordForm(page);
      await clickAndWait(page, "form[action='/login'] button[type=submit]", "/login/totp");
      assertEquals(await page.inputValue("#device_name"), "Chrome on Linux");
      await page.check("input[name=trust_device]");
      await page.fill("#code", codeNow(secondSecret));
      await clickAndWait(page, "form[action='/login/totp'] button[type=submit]", "/account");
      const tablet = (await listAuthenticators(db, userId)).find((a) => a.id === secondId);
      assertEquals(tablet?.lastUsedAt, env.clock.now().getTime());
      const deviceRows = page.locator("#devices tbody tr");
      assertEquals(await deviceRows.count(), 1);
      const deviceCell = (await deviceRows.first().locator("td").first().textContent()) ?? "";
      assertStringIncludes(deviceCell, "Chrome on Linux");
      assertStringIncludes(deviceCell, "(this device)");
      assert((await cookieNames()).includes("twofold_device"), "no device cookie was set");

      // 4. Logging out would forget the device, so drop only the session cookie: the password
      // alone now signs in, without the code.
      await context.clearCookies({ name: "twofold_session" });
      await page.goto(`${origin}/login`);
      assertEquals(path(), "/login");
      await fillPasswordForm(page);
      await clickAndWait(page, "form[action='/login'] button[type=submit]", "/account");
      assertStringIncludes(await signedInLine(page), "on a trusted device");
      const deviceSessions = (await db.select().from(sessions).where(eq(sessions.userId, userId)))
        .filter((s) => JSON.parse(s.amr).includes("dev"));
      assertEquals(deviceSessions.map((s) => [JSON.parse(s.amr), s.revokedAt]), [
        [["pwd", "dev"], null],
      ]);
      // A device proves no second factor, so this session is not fresh for factor changes.
      assertEquals(
        await page.getAttribute("#add-authenticator", "href"),
        `/account/reauth?next=${encodeURIComponent("/enroll")}`,
      );
      await page.screenshot({ path: shot("account-full.png"), fullPage: true });

      // 5. Revoke the device (no fresh proof needed); the next password login is challenged
      // again, although the browser still sends the device cookie.
      await clickAndWait(
        page,
        "#devices button:has-text('Revoke')",
        "/account?notice=device_revoked",
      );
      assertEquals(await page.locator("#devices").count(), 0);
      assertStringIncludes((await page.textContent("main")) ?? "", "No device skips the code.");
      const [device] = await db.select().from(trustedDevices)
        .where(eq(trustedDevices.userId, userId));
      assertEquals(device.revokedAt, env.clock.now().getTime());
      await context.clearCookies({ name: "twofold_session" });
      assert((await cookieNames()).includes("twofold_device"), "the device cookie went away");
      await page.goto(`${origin}/login`);
      await fillPasswordForm(page);
      await clickAndWait(page, "form[action='/login'] button[type=submit]", "/login/totp");
      env.clock.advance(30_000);
      await page.fill("#code", codeNow(firstSecret));
      await clickAndWait(page, "form[action='/login/totp'] button[type=submit]", "/account");
      const line = await signedInLine(page);
      assertEquals(line.includes("trusted device"), false, line);

      // 6. Sudo mode. The link was drawn while the login was fresh; six minutes on, following it
      // must still end at /account/reauth, because /enroll checks again.
      assertEquals(await page.getAttribute("#add-authenticator", "href"), "/enroll");
      env.clock.advance(6 * MINUTE);
      await clickAndWait(
        page,
        "#add-authenticator",
        `/account/reauth?next=${encodeURIComponent("/enroll")}`,
      );
      assertEquals(await page.inputValue("input[name=next]"), "/enroll");
      await page.screenshot({ path: shot("reauth.png"), fullPage: true });
      env.clock.advance(30_000);
      await page.fill("#password", PASSWORD);
      await page.fill("#code", codeNow(secondSecret));
      await clickAndWait(page, "form[action='/account/reauth'] button[type=submit]", "/enroll");
      const thirdSecret = await secretOnPage(page);
      assert(![firstSecret, secondSecret].includes(thirdSecret), "enrollment reused a secret");
      const fresh = (await db.select().from(sessions).where(eq(sessions.userId, userId)))
        .filter((s) => s.reauthAt !== null);
      assertEquals(fresh.map((s) => [s.reauthAt, s.revokedAt]), [
        [env.clock.now().getTime(), null],
      ]);

      // The enrollment page has no cancel button: leave through the header's home link. An
      // unconfirmed enrollment adds nothing, and the session is fresh again.
      await clickAndWait(page, "header a.brand", "/account");
      assertEquals((await authenticatorIds(page)).sort(), [firstId, secondId].sort());
      assertEquals((await listAuthenticators(db, userId)).length, 2);
      assertEquals(await page.getAttribute("#add-authenticator", "href"), "/enroll");
      assertEquals(await page.locator('main a:has-text("Confirm it\'s you")').count(), 0);
    }),
});
