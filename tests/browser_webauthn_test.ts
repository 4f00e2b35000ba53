/**
 * @module A real browser (Chromium with a virtual authenticator from the DevTools protocol's
 * WebAuthn domain: CTAP2, resident keys, user verification) registers a security key on the
 * account page, signs out, signs in with password + key, and, with passkey sign-in allowed,
 * with the passkey alone (offered by browser autofill).
 */
import { desc } from "drizzle-orm";
import { sessions } from "../src/db/schema.ts";
import { DEFAULT_LOGIN_POLICY } from "../src/policy/policy.ts";
import { savePolicyStatement } from "../src/policy/repo.ts";
import { totpCodeAt } from "../src/totp/totp.ts";
import { listCredentials } from "../src/webauthn/repo.ts";
import { assertEquals } from "./assert.ts";
import { clickAndWait, fillPasswordForm, withBrowser } from "./browser_harness.ts";
import { enrollViaApi } from "./helpers.ts";

Deno.test({
  name: "browser: register a security key, sign in with password + key, then with the passkey",
  fn: () =>
    withBrowser(async ({ env, userId, origin: ip, context, page, shot }) => {
      // WebAuthn refuses IP addresses as RP IDs: the browser talks to localhost.
      const origin = ip.replace("127.0.0.1", "localhost");
      const { db } = env.deps;
      const { secret } = await enrollViaApi(env);
      env.clock.advance(30_000);
      const lastAmr = async () =>
        JSON.parse(
          (await db.select().from(sessions).orderBy(desc(sessions.createdAt)).limit(1))[0].amr,
        );

      const cdp = await context.newCDPSession(page);
      await cdp.send("WebAuthn.enable");
      await cdp.send("WebAuthn.addVirtualAuthenticator", {
        options: {
          protocol: "ctap2",
          transport: "internal",
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
        },
      });

      // 1. Password and code; the login is fresh, so the key can be added right away.
      await page.goto(`${origin}/login`);
      await fillPasswordForm(page);
      await clickAndWait(page, "form[action='/login'] button[type=submit]", "/login/totp");
      await page.fill("#code", totpCodeAt(secret, env.clock.now()));
      await clickAndWait(page, "form[action='/login/totp'] button[type=submit]", "/account");
      await clickAndWait(page, "#add-security-key", "/account/security-keys/new");
      await page.fill("#name", "virtual key");
      await page.screenshot({ path: shot("webauthn-new.png"), fullPage: true });
      await clickAndWait(
        page,
        "form[action='/account/security-keys'] button[type=submit]",
        "/account?notice=security_key_added",
      );
      const keys = await listCredentials(db, userId);
      assertEquals(keys.map((k) => [k.name, k.discoverable, k.userVerified]), [
        ["virtual key", true, true],
      ]);
      assertEquals(await page.locator("#security-keys tbody tr").count(), 1);

      // 2. Sign out; password, then the key instead of a code.
      env.clock.advance(1000); // the newest session is the next sign-in's
      await clickAndWait(page, "header form[action='/logout'] button", "/login");
      await fillPasswordForm(page);
      await clickAndWait(page, "form[action='/login'] button[type=submit]", "/login/totp");
      await page.screenshot({ path: shot("webauthn-login.png"), fullPage: true });
      await clickAndWait(page, "#use-security-key", "/account");
      assertEquals(await lastAmr(), ["pwd", "pop"]);

      // 3. Passkey sign-in allowed: the passkey alone signs in.
      await savePolicyStatement(
        db,
        {
          ...DEFAULT_LOGIN_POLICY,
          webauthn: { ...DEFAULT_LOGIN_POLICY.webauthn, passkeySignIn: true },
        },
        env.clock.now(),
        "test",
      );
      env.clock.advance(1000); // the newest session is the next sign-in's
      await clickAndWait(page, "header form[action='/logout'] button", "/login");
      // Chromium offers the passkey through autofill (conditional mediation) as soon as the
      // page asks, and the virtual authenticator accepts it: the page signs in by itself.
      await page.waitForURL((url) => url.pathname === "/account");
      assertEquals(await lastAmr(), ["pop", "mfa"]);
      assertEquals((await listCredentials(db, userId))[0].lastUsedAt !== null, true);
    }),
});
