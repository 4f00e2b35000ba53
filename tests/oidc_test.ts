/**
 * twofold as an OpenID Connect provider, seen by a real relying party (`openid-client`): it
 * discovers the provider, runs the code flow with PKCE through twofold's login (password and
 * TOTP), validates the ID token, calls userinfo, refreshes, and logs out.
 */
import { Browser } from "./helpers.ts";
import { assert, assertEquals } from "./assert.ts";
import {
  AFTER_LOGOUT,
  CALLBACK,
  client,
  discover,
  oidcEnv,
  registerClient,
  signInThrough,
  startLogin,
} from "./oidc_harness.ts";

Deno.test("oidc: openid-client signs in with PKCE through password and TOTP, reads userinfo, refreshes and logs out", async () => {
  const env = await oidcEnv();
  try {
    const registered = await registerClient(env);
    assert(registered.client_secret, "a confidential client gets a secret");
    const config = await discover(env, registered.client_id, registered.client_secret, "basic");
    const meta = config.serverMetadata();
    assertEquals(meta.issuer, env.issuer);
    assertEquals(meta.code_challenge_methods_supported, ["S256"]);

    const started = await startLogin(config);
    const browser = new Browser(env, env.issuer);
    const callback = await signInThrough(env, browser, started.url);
    assertEquals(callback.origin + callback.pathname, CALLBACK);

    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    assertEquals(claims.aud, registered.client_id);
    assertEquals(claims.iss, env.issuer);
    assertEquals(claims.nonce, started.nonce);
    assertEquals(claims.name, "alice");
    assertEquals(claims.preferred_username, "alice");
    assertEquals(claims.amr, ["pwd", "otp", "mfa"]);
    assertEquals(claims.acr, "urn:twofold:acr:2fa");
    const now = Math.floor(env.clock.now().getTime() / 1000);
    assert(typeof claims.auth_time === "number" && now - claims.auth_time < 5, "auth_time");
    assert(tokens.refresh_token, "offline_access gives a refresh token");
    const header = JSON.parse(atob(tokens.id_token!.split(".")[0]));
    assertEquals(header.alg, "EdDSA");

    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    assertEquals(info.sub, claims.sub);
    assertEquals(info.preferred_username, "alice");
    assertEquals(info.groups, []);
    assertEquals(info.roles, []);

    // Already signed in: the next app login goes straight back with a code.
    const again = await startLogin(config);
    const direct = await browser.get(again.url.pathname + again.url.search);
    assertEquals(direct.status, 303);
    assert(direct.headers.get("location")!.startsWith(CALLBACK), "no login page the second time");

    env.clock.advance(60_000);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token, "rotated");
    assertEquals(refreshed.claims()!.sub, claims.sub);
    await client.fetchUserInfo(config, refreshed.access_token, claims.sub);

    const end = client.buildEndSessionUrl(config, {
      id_token_hint: refreshed.id_token!,
      post_logout_redirect_uri: AFTER_LOGOUT,
      state: "bye",
    });
    const out = await browser.get(end.pathname + end.search);
    assertEquals(out.status, 303);
    assertEquals(out.headers.get("location"), `${AFTER_LOGOUT}?state=bye`);

    // The twofold session ended, and every token that came from it with it.
    const page = await browser.get("/account");
    assertEquals(page.status, 303);
    let refused = false;
    try {
      await client.fetchUserInfo(config, refreshed.access_token, claims.sub);
    } catch {
      refused = true;
    }
    assert(refused, "userinfo refuses the access token after logout");
    let refreshRefused = false;
    try {
      await client.refreshTokenGrant(config, refreshed.refresh_token!);
    } catch (e) {
      refreshRefused = (e as { error?: string }).error === "invalid_grant";
    }
    assert(refreshRefused, "the refresh token died with the session");
  } finally {
    await env.close();
  }
});
