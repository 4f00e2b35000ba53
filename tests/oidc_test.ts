/**
 * twofold as an OpenID Connect provider, seen by a real relying party (`openid-client`): it
 * discovers the provider, runs the code flow with PKCE through twofold's login (password and
 * TOTP), validates the ID token, calls userinfo, refreshes, and logs out.
 */
import { api, Browser, testApp } from "./helpers.ts";
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

Deno.test("oidc: a public client (no secret) with PKCE, and an RS256 client, both validated by openid-client", async () => {
  const env = await oidcEnv({}, true);
  try {
    const jwks = await (await fetch(`${env.issuer}/.well-known/jwks.json`)).json();
    assertEquals(jwks.keys.map((k: { alg: string }) => k.alg).sort(), ["EdDSA", "RS256"]);
    const discovery = await (await fetch(`${env.issuer}/.well-known/openid-configuration`)).json();
    assertEquals(discovery.id_token_signing_alg_values_supported, ["EdDSA", "RS256"]);

    const browser = new Browser(env, env.issuer);
    const pub = await registerClient(env, { name: "SPA", public: true });
    assertEquals(pub.client_secret, null);
    const pubConfig = await discover(env, pub.client_id, null, "none");
    const started = await startLogin(pubConfig);
    const callback = await signInThrough(env, browser, started.url);
    const t = await client.authorizationCodeGrant(pubConfig, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
    });
    assertEquals(t.claims()!.aud, pub.client_id);

    const rsa = await registerClient(env, { name: "Legacy", signing_alg: "RS256" });
    const rsaConfig = await client.discovery(
      new URL(env.issuer),
      rsa.client_id,
      { id_token_signed_response_alg: "RS256" },
      client.ClientSecretPost(rsa.client_secret!),
      { execute: [client.allowInsecureRequests] },
    );
    const s2 = await startLogin(rsaConfig);
    const cb2 = await signInThrough(env, browser, s2.url);
    const t2 = await client.authorizationCodeGrant(rsaConfig, cb2, {
      pkceCodeVerifier: s2.verifier,
      expectedState: s2.state,
      expectedNonce: s2.nonce,
    });
    assertEquals(JSON.parse(atob(t2.id_token!.split(".")[0])).alg, "RS256");
    await client.fetchUserInfo(rsaConfig, t2.access_token, t2.claims()!.sub);
  } finally {
    await env.close();
  }
});

Deno.test("oidc: prompt=login and max_age make a signed-in user sign in again; prompt=none never shows a page", async () => {
  const env = await oidcEnv();
  try {
    const registered = await registerClient(env);
    const config = await discover(env, registered.client_id, registered.client_secret);
    const browser = new Browser(env, env.issuer);

    // prompt=none without a session: login_required, back to the app.
    const none = await startLogin(config, { prompt: "none" });
    let res = await browser.get(none.url.pathname + none.url.search);
    const to = new URL(res.headers.get("location")!);
    assertEquals(to.searchParams.get("error"), "login_required");
    assertEquals(to.searchParams.get("state"), none.state);

    const first = await startLogin(config);
    await signInThrough(env, browser, first.url);
    const firstAuthTime = Math.floor(env.clock.now().getTime() / 1000);

    // Signed in: prompt=none now gets a code.
    const silent = await startLogin(config, { prompt: "none" });
    res = await browser.get(silent.url.pathname + silent.url.search);
    assert(new URL(res.headers.get("location")!).searchParams.get("code"), "a code");

    env.clock.advance(120_000);
    const fresh: Record<string, string>[] = [{ prompt: "login" }, { max_age: "60" }, {
      max_age: "0",
    }];
    for (const extra of fresh) {
      const s = await startLogin(config, extra);
      res = await browser.get(s.url.pathname + s.url.search);
      assertEquals(res.status, 303);
      const login = res.headers.get("location")!;
      assert(login.startsWith("/login?force=1&"), login);
      res = await browser.get(login);
      assertEquals(res.status, 200, "the form, although signed in");
      const callback = await signInThrough(env, browser, s.url);
      const t = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: s.verifier,
        expectedState: s.state,
        expectedNonce: s.nonce,
        ...(extra.max_age ? { maxAge: Number(extra.max_age) } : {}),
      });
      const authTime = t.claims()!.auth_time!;
      assert(authTime >= firstAuthTime + 120, `a fresh login: ${authTime} vs ${firstAuthTime}`);
      env.clock.advance(120_000);
    }
    // max_age that the session still meets: straight back.
    const recent = await startLogin(config, { max_age: "3600" });
    res = await browser.get(recent.url.pathname + recent.url.search);
    assert(res.headers.get("location")!.startsWith(CALLBACK));
  } finally {
    await env.close();
  }
});

Deno.test("oidc: the clients API is for admins; the secret is never shown again; deleting a client ends its tokens", async () => {
  const env = await oidcEnv();
  try {
    const registered = await registerClient(env);
    const config = await discover(env, registered.client_id, registered.client_secret);
    const s = await startLogin(config);
    const browser = new Browser(env, env.issuer);
    const t = await client.authorizationCodeGrant(
      config,
      await signInThrough(env, browser, s.url),
      {
        pkceCodeVerifier: s.verifier,
        expectedState: s.state,
        expectedNonce: s.nonce,
      },
    );
    const list = await api(env, "GET", "/api/v1/admin/oidc-clients", undefined, env.adminToken);
    assertEquals(list.status, 200);
    assertEquals(list.json.clients.length, 1);
    assert(!JSON.stringify(list.json).includes(registered.client_secret!), "no secret in the list");
    const one = await api(
      env,
      "GET",
      `/api/v1/admin/oidc-clients/${registered.client_id}`,
      undefined,
      env.adminToken,
    );
    assertEquals(one.json.redirect_uris, [CALLBACK]);
    assertEquals("client_secret" in one.json, false);

    // alice is no admin; no session at all.
    const alice = await api(env, "POST", "/api/v1/login", { username: "alice", password: "x" });
    assertEquals(alice.status, 401);
    assertEquals((await api(env, "GET", "/api/v1/admin/oidc-clients")).status, 401);
    const bad = await api(env, "POST", "/api/v1/admin/oidc-clients", {
      name: "x",
      redirect_uris: ["https://a.test/cb#frag"],
    }, env.adminToken);
    assertEquals(bad.status, 400);
    assert(bad.json.error.fields["redirect_uris.0"], JSON.stringify(bad.json));
    const rs = await api(env, "POST", "/api/v1/admin/oidc-clients", {
      name: "x",
      redirect_uris: ["https://a.test/cb"],
      signing_alg: "RS256",
    }, env.adminToken);
    assertEquals(rs.status, 400, "no RSA key in this set");

    // Changing the addresses (audited), and a new secret: the old one stops working.
    const patched = await api(env, "PATCH", `/api/v1/admin/oidc-clients/${registered.client_id}`, {
      redirect_uris: [CALLBACK, "https://second.test/cb"],
    }, env.adminToken);
    assertEquals(patched.status, 200);
    assertEquals(patched.json.redirect_uris, [CALLBACK, "https://second.test/cb"]);
    assertEquals(
      (await api(env, "PATCH", `/api/v1/admin/oidc-clients/${registered.client_id}`, {
        client_secret: "mine",
      }, env.adminToken)).status,
      400,
    );
    const rotated = await api(
      env,
      "POST",
      `/api/v1/admin/oidc-clients/${registered.client_id}/secret`,
      undefined,
      env.adminToken,
    );
    assertEquals(rotated.status, 200);
    const oldSecret = await client.refreshTokenGrant(config, t.refresh_token!).catch((e) => e);
    assert(oldSecret instanceof Error, "the old secret no longer authenticates");
    const fresh = await discover(env, registered.client_id, rotated.json.client_secret);
    const refreshed = await client.refreshTokenGrant(fresh, t.refresh_token!);
    const updates = await api(
      env,
      "GET",
      "/api/v1/admin/audit?event=oidc.client_update",
      undefined,
      env.adminToken,
    );
    assertEquals(updates.json.events.length, 1);

    const del = await api(
      env,
      "DELETE",
      `/api/v1/admin/oidc-clients/${registered.client_id}`,
      undefined,
      env.adminToken,
    );
    assertEquals(del.status, 204);
    let refused = false;
    try {
      await client.fetchUserInfo(fresh, refreshed.access_token, t.claims()!.sub);
    } catch {
      refused = true;
    }
    assert(refused, "tokens of a deleted client are dead");
    const audit = await api(
      env,
      "GET",
      "/api/v1/admin/audit?event=oidc.client_create",
      undefined,
      env.adminToken,
    );
    assertEquals(audit.json.events.length, 1);
  } finally {
    await env.close();
  }
});

Deno.test("oidc: without PUBLIC_URL there is no provider (no issuer to name)", async () => {
  const env = await testApp();
  assertEquals((await env.app.request("/.well-known/openid-configuration")).status, 404);
  assertEquals((await env.app.request("/oidc/authorize?client_id=x")).status, 404);
});

Deno.test("oidc: the token and userinfo endpoints answer a browser app's preflight (CORS, no cookies)", async () => {
  const env = await testApp({ PUBLIC_URL: "https://login.example.com" });
  for (const path of ["/oidc/token", "/oidc/userinfo"]) {
    const res = await env.app.request(path, {
      method: "OPTIONS",
      headers: { origin: "https://spa.example.com", "access-control-request-method": "POST" },
    });
    assertEquals(res.status, 204);
    assertEquals(res.headers.get("access-control-allow-origin"), "*");
    assertEquals(res.headers.get("access-control-allow-credentials"), null);
  }
  const token = await env.app.request("/oidc/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  assertEquals(token.status, 400);
  assertEquals((await token.json()).error, "invalid_request");
});
