/**
 * The provider's pages without a browser engine: the admin console registers an app (the
 * secret shown once) and deletes it; the user's list of apps; the logout confirmation when an
 * app cannot prove it is the session's.
 */
import { assert, assertEquals } from "./assert.ts";
import {
  AFTER_LOGOUT,
  CALLBACK,
  client,
  discover,
  oidcEnv,
  pageLogin,
  signInThrough,
  startLogin,
} from "./oidc_harness.ts";

Deno.test("oidc pages: an admin registers an app in the console, the secret shows once and works", async () => {
  const env = await oidcEnv();
  try {
    const admin = await pageLogin(env, "root", env.adminSecret);
    let res = await admin.get("/admin/apps");
    assertEquals(res.status, 200);
    assert(admin.lastHtml.includes(`${env.issuer}/.well-known/openid-configuration`));
    assert(admin.lastHtml.includes('id="no-clients"'));

    res = await admin.post("/admin/apps", {
      name: "Grafana",
      redirect_uris: "not a url\r\nhttps://ok.test/cb",
      post_logout_redirect_uris: "",
    });
    assertEquals(res.status, 400);
    assert(admin.lastHtml.includes("not a url: "), "the bad line is named");
    assert(admin.lastHtml.includes('value="Grafana"'), "values kept");

    res = await admin.post("/admin/apps", {
      name: "Grafana",
      redirect_uris: `${CALLBACK}\r\n`,
      post_logout_redirect_uris: AFTER_LOGOUT,
    });
    assertEquals(res.status, 201);
    const clientId = admin.lastHtml.match(/id="client-id"[^>]*>\s*<code>([^<]+)</)?.[1] ??
      admin.lastHtml.match(/<code>([A-Za-z0-9_-]{22})<\/code>/)?.[1];
    const secret = admin.lastHtml.match(/id="client-secret">\s*([^<\s]+)\s*</)?.[1];
    assert(clientId && secret, "client id and secret on the page");

    // Shown once: the list does not repeat it.
    await admin.get("/admin/apps");
    assert(!admin.lastHtml.includes(secret), "the secret is not shown again");
    assert(admin.lastHtml.includes(clientId));

    const config = await discover(env, clientId, secret);
    const s = await startLogin(config);
    const t = await client.authorizationCodeGrant(
      config,
      await signInThrough(env, await pageLogin(env, "alice", env.secret), s.url),
      { pkceCodeVerifier: s.verifier, expectedState: s.state, expectedNonce: s.nonce },
    );
    assert(t.id_token);

    res = await admin.post(`/admin/apps/${clientId}/delete`, {});
    assertEquals(res.status, 303);
    await admin.get("/admin/apps");
    assert(admin.lastHtml.includes('id="no-clients"'));

    // alice is no admin.
    const alice = await pageLogin(env, "alice", env.secret);
    assertEquals((await alice.get("/admin/apps")).status, 403);
  } finally {
    await env.close();
  }
});

Deno.test("oidc pages: a logout link without the session's ID token asks first", async () => {
  const env = await oidcEnv();
  try {
    const alice = await pageLogin(env, "alice", env.secret);
    const res = await alice.get(
      `/oidc/logout?post_logout_redirect_uri=${encodeURIComponent(AFTER_LOGOUT)}`,
    );
    assertEquals(res.status, 200);
    assert(alice.lastHtml.includes('action="/oidc/logout"'));
    assertEquals((await alice.get("/account")).status, 200, "still signed in");
    // Without a CSRF token the confirmation is refused.
    assertEquals((await alice.post("/oidc/logout", {}, { csrf: null })).status, 403);
    await alice.get("/oidc/logout");
    const out = await alice.post("/oidc/logout", {});
    assertEquals(out.status, 200);
    assert(alice.lastHtml.includes('id="signed-out"'));
    assertEquals((await alice.get("/account")).status, 303, "signed out");
  } finally {
    await env.close();
  }
});
