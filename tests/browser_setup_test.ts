/**
 * @module First run in a real browser: from an empty database, the setup link creates the first
 * admin, enrollment follows at once, and the admin ends signed in with a code, on /admin.
 */
import { totpCodeAt } from "../src/totp/totp.ts";
import { assert, assertEquals } from "./assert.ts";
import { withBrowser } from "./browser_harness.ts";
import { PASSWORD } from "./helpers.ts";

const TOKEN = "setup-token-for-the-browser-test-0123456789";

Deno.test({
  name: "browser: first run from an empty database to a signed-in admin with a code",
  fn: () =>
    withBrowser(async ({ env, origin, page, path, shot }) => {
      // Nobody exists yet; the link printed at the start opens the setup page.
      const [{ n }] = await env.deps.db.all<{ n: number }>("SELECT count(*) AS n FROM users");
      assertEquals(n, 0);
      await page.goto(`${origin}/setup?token=${TOKEN}`);
      assertEquals(await page.locator("h1").textContent(), "Set up Acme");
      await page.screenshot({ path: shot("setup.png"), fullPage: true });
      await page.fill("#username", "root-admin");
      await page.fill("#password", PASSWORD);
      await Promise.all([page.waitForURL("**/enroll"), page.click("button[type=submit]")]);

      // Straight into enrollment: scan (read the key), type a code.
      assertEquals(path(), "/enroll");
      const secret = await page.getAttribute("#secret", "data-secret");
      assert(secret, "#secret has no data-secret");
      await page.fill("#code", totpCodeAt(secret, env.clock.now()));
      await page.click("form[action='/enroll'] button[type=submit]");
      await page.waitForSelector("#recovery-codes");
      await Promise.all([page.waitForURL("**/account"), page.click("a:has-text('continue')")]);
      assertEquals(await page.textContent("#account-username"), "root-admin");

      // Signed in as an admin with a code: the console opens.
      await page.goto(`${origin}/admin`);
      assertEquals(path(), "/admin");
      const [session] = await env.deps.db.all<{ amr: string }>(
        "SELECT amr FROM sessions ORDER BY created_at DESC LIMIT 1",
      );
      assert(JSON.parse(session.amr).includes("otp"), `amr: ${session.amr}`);

      // The link is spent.
      const again = await page.goto(`${origin}/setup?token=${TOKEN}`);
      assertEquals(again?.status(), 410);
    }, { env: { SETUP_TOKEN: TOKEN, ISSUER: "Acme" }, noUser: true }),
});
