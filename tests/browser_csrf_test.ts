/**
 * @module The form Origin check in a real browser (Chromium through playwright-core): our own
 * login form is posted with the service's real Origin, and a form on another origin of the same
 * site (another port of 127.0.0.1, so the browser sends the SameSite=Lax CSRF cookie along) is
 * refused by the Origin check alone, although it carries the victim's valid CSRF token.
 */
import type { Page, Response } from "./browser_harness.ts";
import { assertEquals } from "./assert.ts";
import { fillPasswordForm, withBrowser } from "./browser_harness.ts";
import { PASSWORD, type TestEnv } from "./helpers.ts";

/** The reasons of the `csrf.rejected` log lines from now on. */
function captureRejections(env: TestEnv): unknown[] {
  const reasons: unknown[] = [];
  env.deps.log = (_level, msg, fields) => {
    if (msg === "csrf.rejected") reasons.push(fields?.reason);
  };
  return reasons;
}

/** Clicks `selector` and returns the response to the POST to `/login` that it sends. */
async function submitLogin(page: Page, origin: string, selector: string): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.url() === `${origin}/login`),
    page.click(selector),
  ]);
  return response;
}

/** An attacker's page: a login form for the service, auto-filled with a CSRF token. */
function attackerPage(target: string, csrfToken: string, referrerPolicy?: string): string {
  const meta = referrerPolicy ? `<meta name="referrer" content="${referrerPolicy}">` : "";
  return `<!doctype html><html><head>${meta}<title>prize</title></head><body>
<form method="post" action="${target}/login">
<input type="hidden" name="username" value="alice">
<input type="hidden" name="password" value="${PASSWORD}">
<input type="hidden" name="csrf_token" value="${csrfToken}">
<button id="claim" type="submit">Claim your prize</button>
</form></body></html>`;
}

Deno.test({
  name: "browser csrf: our login form is posted with the service's real Origin, not null",
  fn: () =>
    withBrowser(async ({ env, origin, page, path }) => {
      const rejections = captureRejections(env);
      await page.goto(`${origin}/login`);
      await fillPasswordForm(page);
      const response = await submitLogin(page, origin, "button[type=submit]");
      assertEquals(await response.request().headerValue("origin"), origin);
      assertEquals(response.status(), 303);
      await page.waitForURL("**/enroll");
      assertEquals(path(), "/enroll");
      assertEquals(rejections, []);
    }),
});

Deno.test({
  name: "browser csrf: a same-site form on another origin is refused by the Origin check alone",
  fn: () =>
    withBrowser(async ({ env, origin, page, path }) => {
      // The victim has the login page open: the browser holds the CSRF cookie.
      await page.goto(`${origin}/login`);
      const token = await page.getAttribute("input[name=csrf_token]", "value");
      assertEquals(typeof token, "string");

      // The attacker serves on another port of 127.0.0.1: another origin, the same site.
      const attacker = Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen() {} },
        (req) =>
          new Response(
            attackerPage(origin, token!, new URL(req.url).searchParams.get("policy") ?? undefined),
            { headers: { "content-type": "text/html; charset=utf-8" } },
          ),
      );
      const attackerOrigin = `http://127.0.0.1:${attacker.addr.port}`;
      try {
        const rejections = captureRejections(env);
        // With the attacker's own Origin, and with Origin: null (its page asks for no-referrer).
        for (const [query, sent] of [["", attackerOrigin], ["?policy=no-referrer", "null"]]) {
          await page.goto(`${attackerOrigin}/${query}`);
          const refused = await submitLogin(page, origin, "#claim");
          const request = refused.request();
          assertEquals(await request.headerValue("origin"), sent);
          // The CSRF cookie rode along (same site), so only the Origin was wrong.
          assertEquals(
            (await request.headerValue("cookie"))?.includes("twofold_csrf="),
            true,
            "the CSRF cookie was sent",
          );
          assertEquals(refused.status(), 403, sent);
        }
        // The token is checked first: "origin" means the token was good and the Origin was not.
        assertEquals(rejections, ["origin", "origin"]);

        // The very same token and cookie pass from the service's own page.
        await page.goto(`${origin}/login`);
        assertEquals(await page.getAttribute("input[name=csrf_token]", "value"), token);
        await fillPasswordForm(page);
        const accepted = await submitLogin(page, origin, "button[type=submit]");
        assertEquals(accepted.status(), 303);
        await page.waitForURL("**/enroll");
        assertEquals(path(), "/enroll");
        assertEquals(rejections, ["origin", "origin"]);
      } finally {
        await attacker.shutdown();
      }
    }),
});
