/**
 * @module A real browser (Chromium through playwright-core) walks the admin console: bob, in no
 * required group, signs in with his password alone; an admin enrolls during her first login, puts
 * bob in the group "finance" (after a confirmation page) and requires 2FA for that group on
 * /admin/policy (after a preview that names bob); bob's next login is sent to enrollment.
 * Screenshots of /admin, /admin/users and the policy preview go to tests/.artifacts/.
 */
import { eq } from "drizzle-orm";
import type { BrowserContext, Page } from "./browser_harness.ts";
import { audit } from "../src/audit/repo.ts";
import { alerts, sessions, users } from "../src/db/schema.ts";
import { randomId } from "../src/lib/crypto.ts";
import { DEFAULT_LOGIN_POLICY } from "../src/policy/policy.ts";
import { loadPolicy, savePolicyStatement } from "../src/policy/repo.ts";
import { totpCodeAt } from "../src/totp/totp.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { fillPasswordForm, withBrowser } from "./browser_harness.ts";
import { addUser, PASSWORD } from "./helpers.ts";

/** Bob signs in with his password in a fresh browser context; returns where he lands. */
async function bobSignsIn(context: BrowserContext, origin: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin}/login`);
  await page.fill("#username", "bob");
  await page.fill("#password", PASSWORD);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== "/login"),
    page.click("form[action='/login'] button[type=submit]"),
  ]);
  return page;
}

const pathOf = (page: Page) => new URL(page.url()).pathname;

Deno.test({
  name: "browser: an admin requires 2FA for a group and its member is sent to enrollment",
  fn: () =>
    withBrowser(async ({ env, userId, origin, context, page, path, shot }) => {
      const { db } = env.deps;
      const browser = context.browser();
      assert(browser, "no browser behind the context");
      // Alice is the admin; before the change only admins must use 2FA.
      await db.update(users).set({ roles: JSON.stringify(["admin"]) }).where(eq(users.id, userId));
      await savePolicyStatement(
        db,
        { ...DEFAULT_LOGIN_POLICY, mode: "listed" },
        env.clock.now(),
        "test",
      );
      const bob = await addUser(env, "bob");
      await addUser(env, "carol");

      // 1. Bob, in no group, signs in with his password alone.
      const before = await browser.newContext();
      const bobPage = await bobSignsIn(before, origin);
      assertEquals(pathOf(bobPage), "/account");
      assertEquals(await bobPage.textContent("#account-username"), "bob");
      const bobSessions = await db.select().from(sessions).where(eq(sessions.userId, bob.id));
      assertEquals(bobSessions.map((s) => JSON.parse(s.amr)), [["pwd"]]);
      await before.close();

      // Something for the dashboard to show: an open alert and an emergency access.
      await db.insert(alerts).values({
        id: randomId(),
        at: env.clock.now().getTime(),
        kind: "second_factor_failures",
        userId: bob.id,
        username: "bob",
        detail: JSON.stringify({ failures: 4, window_minutes: 5, threshold: 3 }),
      });
      await audit(db, {
        event: "emergency.bypass",
        outcome: "success",
        userId,
        username: "alice",
        detail: { via: "cli", mode: "pass" },
      }, env.clock.now());

      // 2. The admin opens /admin: the login, enrollment inside it, then back to /admin.
      await page.goto(`${origin}/admin`);
      assertEquals(path(), "/login");
      await fillPasswordForm(page);
      await Promise.all([
        page.waitForURL((url) => url.pathname === "/enroll"),
        page.click("form[action='/login'] button[type=submit]"),
      ]);
      const secret = await page.getAttribute("#secret", "data-secret");
      assert(secret, "#secret has no data-secret");
      await page.fill("#code", totpCodeAt(secret, env.clock.now()));
      await page.click("form[action='/enroll'] button[type=submit]");
      await page.waitForSelector("#recovery-codes");
      await Promise.all([
        page.waitForURL((url) => url.pathname === "/admin"),
        page.click("a:has-text('continue')"),
      ]);
      assertEquals(await page.textContent("h1"), "Admin console");
      assertStringIncludes(
        (await page.textContent("#emergency-access")) ?? "",
        "Emergency access was used",
      );
      assertEquals(await page.locator("#alerts tbody tr").count(), 1);
      await page.screenshot({ path: shot("admin-dashboard.png"), fullPage: true });
      await page.emulateMedia({ colorScheme: "dark" });
      await page.screenshot({ path: shot("admin-dashboard-dark.png"), fullPage: true });
      await page.emulateMedia({ colorScheme: "light" });

      // 3. Users: bob is not enrolled and not required.
      await Promise.all([
        page.waitForURL((url) => url.pathname === "/admin/users"),
        page.click("nav.admin a:has-text('Users')"),
      ]);
      const bobRow = page.locator("#users tr[data-user=bob]");
      assertStringIncludes((await bobRow.textContent()) ?? "", "Not enrolled");
      await page.screenshot({ path: shot("admin-users.png"), fullPage: true });

      // 4. Bob joins "finance", after a confirmation page.
      await Promise.all([
        page.waitForURL((url) => url.pathname === `/admin/users/${bob.id}`),
        bobRow.locator("a").click(),
      ]);
      await page.fill("#edit-groups", "finance");
      await Promise.all([
        page.waitForURL((url) => url.pathname === `/admin/users/${bob.id}/confirm`),
        page.click("button:has-text('Review the change')"),
      ]);
      assertStringIncludes((await page.textContent("#confirm-question")) ?? "", "Are you sure?");
      assertStringIncludes((await page.textContent("#edit-changes")) ?? "", "finance");
      assertEquals((await db.select().from(users).where(eq(users.id, bob.id)))[0].groups, "[]");
      await page.screenshot({ path: shot("admin-confirm.png"), fullPage: true });
      await Promise.all([
        page.waitForURL((url) => url.search === "?notice=updated"),
        page.click("#confirm-button"),
      ]);
      assertEquals(await page.textContent("#user-groups"), "finance");
      await page.screenshot({ path: shot("admin-user.png"), fullPage: true });
      assertEquals(
        (await db.select().from(users).where(eq(users.id, bob.id)))[0].groups,
        '["finance"]',
      );

      // 5. The policy: only the listed groups, "finance" among them. The preview names bob.
      await Promise.all([
        page.waitForURL((url) => url.pathname === "/admin/policy"),
        page.click("nav.admin a:has-text('Policy')"),
      ]);
      assert(await page.isVisible("#exempt-warning"), "the exempt-groups warning is hidden");
      await page.check("input[name=mode][value=listed]");
      await page.fill("#requiredGroups", "finance");
      await page.screenshot({ path: shot("admin-policy.png"), fullPage: true });
      await Promise.all([
        page.waitForResponse((r) =>
          r.request().method() === "POST" && new URL(r.url()).pathname === "/admin/policy"
        ),
        page.click("#preview-button"),
      ]);
      await page.waitForSelector("#would-block");
      assertStringIncludes(
        (await page.textContent("#would-block")) ?? "",
        "This change would block 1 user who is not enrolled.",
      );
      assertEquals(await page.locator("#would-block-users li").allTextContents(), ["bob"]);
      assertEquals((await loadPolicy(db)).requiredGroups, [], "the preview saved the policy");
      await page.screenshot({ path: shot("admin-policy-preview.png"), fullPage: true });
      await Promise.all([
        page.waitForURL((url) => url.search === "?notice=policy_saved"),
        page.click("#save-policy"),
      ]);
      const saved = await loadPolicy(db);
      assertEquals([saved.mode, saved.requiredGroups], ["listed", ["finance"]]);

      // The audit log has the change, and the emergency access highlighted.
      await Promise.all([
        page.waitForURL((url) => url.pathname === "/admin/audit"),
        page.click("nav.admin a:has-text('Audit log')"),
      ]);
      assertEquals(await page.locator("#audit tr.emergency").count(), 1);
      assertStringIncludes((await page.textContent("#audit")) ?? "", "policy.change");
      await page.screenshot({ path: shot("admin-audit.png"), fullPage: true });
      await page.setViewportSize({ width: 390, height: 800 });
      await page.goto(`${origin}/admin/users`);
      await page.screenshot({ path: shot("admin-users-narrow.png"), fullPage: true });

      // 6. Bob's next login goes to enrollment.
      const after = await browser.newContext();
      const bobAgain = await bobSignsIn(after, origin);
      assertEquals(pathOf(bobAgain), "/enroll");
      assert(await bobAgain.isVisible("#secret"), "no enrollment key on bob's page");
      await after.close();
    }),
});
