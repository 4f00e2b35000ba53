/**
 * @module A real browser signs in to an app through twofold's OpenID Connect provider: the app
 * (a small server on another port, using `openid-client`) sends Chromium to twofold, the user
 * types the password and a TOTP code, and lands back in the app signed in.
 */
import type { Browser } from "./browser_harness.ts";
import { assert, assertEquals } from "./assert.ts";
import { CHROMIUM, CHROMIUM_ARGS, chromiumInstalled, loadChromium } from "./browser_harness.ts";
import { codeNow, nextStep, PASSWORD } from "./helpers.ts";
import { client, discover, oidcEnv } from "./oidc_harness.ts";

/** The app: `/` shows who is signed in or starts the login; `/callback` finishes it. */
function serveApp(configOf: () => client.Configuration) {
  const pending = new Map<string, { verifier: string; nonce: string }>();
  const sessions = new Map<string, string>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const cookie = req.headers.get("cookie")?.match(/app_session=([^;]+)/)?.[1];
    if (url.pathname === "/") {
      const name = cookie ? sessions.get(cookie) : undefined;
      if (name) {
        return new Response(
          `<!doctype html><title>App</title><h1 id="who">Signed in to the app as ${name}</h1>`,
          { headers: { "content-type": "text/html" } },
        );
      }
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      pending.set(state, { verifier, nonce });
      const to = client.buildAuthorizationUrl(configOf(), {
        redirect_uri: `${url.origin}/callback`,
        scope: "openid profile",
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        state,
        nonce,
      });
      return Response.redirect(to.href, 303);
    }
    if (url.pathname === "/callback") {
      const state = url.searchParams.get("state") ?? "";
      const p = pending.get(state);
      if (!p) return new Response("unknown state", { status: 400 });
      pending.delete(state);
      const tokens = await client.authorizationCodeGrant(configOf(), url, {
        pkceCodeVerifier: p.verifier,
        expectedState: state,
        expectedNonce: p.nonce,
      });
      const id = crypto.randomUUID();
      sessions.set(id, String(tokens.claims()!.preferred_username));
      return new Response(null, {
        status: 303,
        headers: { location: "/", "set-cookie": `app_session=${id}; Path=/; HttpOnly` },
      });
    }
    return new Response("not found", { status: 404 });
  });
  return server;
}

Deno.test({
  name:
    "browser: an app sends Chromium to twofold, password and TOTP code, back in the app signed in",
  fn: async () => {
    assert(chromiumInstalled(), `${CHROMIUM} not found`);
    const env = await oidcEnv();
    let config: client.Configuration | undefined;
    const app = serveApp(() => config!);
    // The app on "localhost", twofold on 127.0.0.1: two sites, as in real life.
    const appOrigin = `http://localhost:${app.addr.port}`;
    let browser: Browser | undefined;
    try {
      const r = await fetch(`${env.issuer}/api/v1/admin/oidc-clients`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${env.adminToken}` },
        body: JSON.stringify({ name: "Browser app", redirect_uris: [`${appOrigin}/callback`] }),
      });
      assertEquals(r.status, 201);
      const registered = await r.json();
      config = await discover(env, registered.client_id, registered.client_secret);

      const chromium = await loadChromium();
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${appOrigin}/`);
      await page.waitForURL((u) => u.pathname === "/login");
      assertEquals(new URL(page.url()).origin, env.issuer);
      await page.fill("#username", "alice");
      await page.fill("#password", PASSWORD);
      await Promise.all([
        page.waitForURL((u) => u.pathname === "/login/totp"),
        page.click("button[type=submit]"),
      ]);
      nextStep(env);
      await page.fill("#code", codeNow(env, env.secret));
      await Promise.all([
        page.waitForURL((u) => u.origin === appOrigin && u.pathname === "/"),
        page.click("form[action='/login/totp'] button[type=submit]"),
      ]);
      assertEquals(await page.textContent("#who"), "Signed in to the app as alice");

      // A second visit to twofold's authorize endpoint needs no login: the app's session is
      // dropped, and the browser goes through twofold and straight back.
      await page.context().clearCookies({ name: "app_session" });
      await page.goto(`${appOrigin}/`);
      await page.waitForURL((u) => u.origin === appOrigin && u.pathname === "/");
      assertEquals(await page.textContent("#who"), "Signed in to the app as alice");
    } finally {
      await browser?.close();
      await app.shutdown();
      await env.close();
    }
  },
});
