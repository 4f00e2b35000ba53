/**
 * What the provider refuses, seen by the relying party `openid-client` where it can express it:
 * a redirect URI not registered exactly, a missing or wrong PKCE verifier, a reused code (which
 * revokes what it issued), a reused refresh token (which revokes the chain), a wrong client
 * secret, an expired code; and that tokens end with the session, a disabled user or a 2FA reset.
 */
import { api, Browser } from "./helpers.ts";
import { assert, assertEquals } from "./assert.ts";
import {
  CALLBACK,
  client,
  discover,
  type OidcEnv,
  oidcEnv,
  registerClient,
  signInThrough,
  startLogin,
} from "./oidc_harness.ts";

/** The OAuth error code a call fails with, or "ok". */
async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    const err = e as { error?: string; code?: string; cause?: { error?: string } };
    return err.error ?? err.cause?.error ?? err.code ?? String(e);
  }
}

async function signedIn(env: OidcEnv, body: Record<string, unknown> = {}) {
  const registered = await registerClient(env, body);
  const config = await discover(env, registered.client_id, registered.client_secret);
  const started = await startLogin(config);
  const browser = new Browser(env, env.issuer);
  const callback = await signInThrough(env, browser, started.url);
  return { registered, config, started, browser, callback };
}

const checks = (s: { started: { verifier: string; state: string; nonce: string } }) => ({
  pkceCodeVerifier: s.started.verifier,
  expectedState: s.started.state,
  expectedNonce: s.started.nonce,
});

async function auditEvents(env: OidcEnv, event: string) {
  const r = await api(env, "GET", `/api/v1/admin/audit?event=${event}`, undefined, env.adminToken);
  assertEquals(r.status, 200);
  return r.json.events as { event: string; outcome: string; detail: Record<string, unknown> }[];
}

Deno.test("oidc: a redirect_uri not registered exactly gets an error page, never a redirect", async () => {
  const env = await oidcEnv();
  try {
    const { client_id } = await registerClient(env);
    const browser = new Browser(env, env.issuer);
    for (
      const uri of [
        `${CALLBACK}/`,
        `${CALLBACK}?x=1`,
        "http://app.test:8080/callback",
        "https://evil.test/callback",
        "HTTP://APP.TEST/callback",
      ]
    ) {
      const q = new URLSearchParams({
        client_id,
        redirect_uri: uri,
        response_type: "code",
        scope: "openid",
        code_challenge: "a".repeat(43),
        code_challenge_method: "S256",
      });
      const res = await browser.get(`/oidc/authorize?${q}`);
      assertEquals(res.status, 400, uri);
      assertEquals(res.headers.get("location"), null);
      assert(browser.lastHtml.includes('id="oidc-error"'));
    }
    // An unknown client too.
    const res = await browser.get(`/oidc/authorize?client_id=nope&redirect_uri=${CALLBACK}`);
    assertEquals(res.status, 400);
    assertEquals(res.headers.get("location"), null);
  } finally {
    await env.close();
  }
});

Deno.test("oidc: a bad request from a known app goes back to it as an error (no PKCE for a public client, implicit flow)", async () => {
  const env = await oidcEnv();
  try {
    const { client_id } = await registerClient(env, { public: true });
    const browser = new Browser(env, env.issuer);
    const base = { client_id, redirect_uri: CALLBACK, scope: "openid", state: "s1" };
    let res = await browser.get(
      `/oidc/authorize?${new URLSearchParams({ ...base, response_type: "code" })}`,
    );
    let to = new URL(res.headers.get("location")!);
    assertEquals(to.searchParams.get("error"), "invalid_request");
    assertEquals(to.searchParams.get("state"), "s1");
    res = await browser.get(
      `/oidc/authorize?${new URLSearchParams({ ...base, response_type: "token" })}`,
    );
    to = new URL(res.headers.get("location")!);
    assertEquals(to.searchParams.get("error"), "unsupported_response_type");
    res = await browser.get(
      `/oidc/authorize?${new URLSearchParams({
        ...base,
        response_type: "code",
        code_challenge: "a".repeat(43),
        code_challenge_method: "plain",
      })}`,
    );
    to = new URL(res.headers.get("location")!);
    assertEquals(to.searchParams.get("error"), "invalid_request");
  } finally {
    await env.close();
  }
});

Deno.test("oidc: a missing or wrong PKCE verifier is refused, and the code is dead afterwards", async () => {
  const env = await oidcEnv();
  try {
    const s = await signedIn(env);
    assertEquals(
      await errorOf(client.authorizationCodeGrant(s.config, s.callback, {
        ...checks(s),
        pkceCodeVerifier: client.randomPKCECodeVerifier(),
      })),
      "invalid_grant",
    );
    // Even the right verifier now: the code was used by the failed attempt.
    assertEquals(
      await errorOf(client.authorizationCodeGrant(s.config, s.callback, checks(s))),
      "invalid_grant",
    );
    const s2 = await startLogin(s.config);
    const cb2 = await signInThrough(env, s.browser, s2.url);
    assertEquals(
      await errorOf(client.authorizationCodeGrant(s.config, cb2, {
        expectedState: s2.state,
        expectedNonce: s2.nonce,
      })),
      "invalid_grant",
    );
  } finally {
    await env.close();
  }
});

Deno.test("oidc: a reused code is refused and revokes the tokens its first use issued", async () => {
  const env = await oidcEnv();
  try {
    const s = await signedIn(env);
    const first = await client.authorizationCodeGrant(s.config, s.callback, checks(s));
    const sub = first.claims()!.sub;
    await client.fetchUserInfo(s.config, first.access_token, sub);
    assertEquals(
      await errorOf(client.authorizationCodeGrant(s.config, s.callback, checks(s))),
      "invalid_grant",
    );
    assertEquals(
      await errorOf(client.fetchUserInfo(s.config, first.access_token, sub)),
      "OAUTH_WWW_AUTHENTICATE_CHALLENGE",
    );
    assertEquals(
      await errorOf(client.refreshTokenGrant(s.config, first.refresh_token!)),
      "invalid_grant",
    );
    const events = await auditEvents(env, "oidc.code_reuse");
    assertEquals(events.length, 1);
    assertEquals(events[0].detail.revoked, true);
  } finally {
    await env.close();
  }
});

Deno.test("oidc: the same code exchanged in parallel is consumed once and, replayed, revokes what it issued", async () => {
  const env = await oidcEnv();
  try {
    const s = await signedIn(env);
    const results = await Promise.all(
      Array.from(
        { length: 5 },
        () => errorOf(client.authorizationCodeGrant(s.config, s.callback, checks(s))),
      ),
    );
    // One request consumes the code; the four others present it again, which revokes the grant
    // it opened (RFC 6749 4.1.2). Whether the winner answers before that revocation is a race:
    // at most one "ok", and never a token that outlives the replay.
    const oks = results.filter((r) => r === "ok").length;
    assert(oks <= 1, results.join(","));
    assertEquals(results.filter((r) => r === "invalid_grant").length, 5 - oks, results.join(","));
    const events = await auditEvents(env, "oidc.code_reuse");
    assertEquals(events.length, 4);
    assert(events.some((e) => e.detail.revoked === true), "the grant was revoked");
  } finally {
    await env.close();
  }
});

Deno.test("oidc: a reused refresh token revokes the whole chain", async () => {
  const env = await oidcEnv();
  try {
    const s = await signedIn(env);
    const first = await client.authorizationCodeGrant(s.config, s.callback, checks(s));
    const second = await client.refreshTokenGrant(s.config, first.refresh_token!);
    const third = await client.refreshTokenGrant(s.config, second.refresh_token!);
    // The first (rotated) token comes back: someone else holds it.
    assertEquals(
      await errorOf(client.refreshTokenGrant(s.config, first.refresh_token!)),
      "invalid_grant",
    );
    assertEquals(
      await errorOf(client.refreshTokenGrant(s.config, third.refresh_token!)),
      "invalid_grant",
    );
    assertEquals(
      await errorOf(client.fetchUserInfo(s.config, third.access_token, first.claims()!.sub)),
      "OAUTH_WWW_AUTHENTICATE_CHALLENGE",
    );
    const events = await auditEvents(env, "oidc.refresh_reuse");
    assertEquals(events.length, 1);
    assertEquals(events[0].outcome, "failure");
  } finally {
    await env.close();
  }
});

Deno.test("oidc: a wrong client secret is refused (basic and post), and so is another client's code", async () => {
  const env = await oidcEnv();
  try {
    const s = await signedIn(env);
    // Basic: 401 with a Basic challenge (which the library reports as a challenge).
    for (const auth of ["basic", "post"] as const) {
      const wrong = await discover(env, s.registered.client_id, "not-the-secret", auth);
      assertEquals(
        await errorOf(client.authorizationCodeGrant(wrong, s.callback, checks(s))),
        auth === "basic" ? "OAUTH_WWW_AUTHENTICATE_CHALLENGE" : "invalid_client",
      );
    }
    const raw = await env.app.request("/oidc/token", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${btoa(`${s.registered.client_id}:wrong`)}`,
      },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: s.callback.searchParams.get("code")!,
        redirect_uri: CALLBACK,
        code_verifier: s.started.verifier,
      }).toString(),
    });
    assertEquals(raw.status, 401);
    assertEquals(raw.headers.get("www-authenticate"), 'Basic realm="twofold"');
    assertEquals((await raw.json()).error, "invalid_client");
    // Another registered client cannot redeem this one's code (and burns it).
    const other = await registerClient(env, { name: "Other" });
    const otherConfig = await discover(env, other.client_id, other.client_secret, "post");
    assertEquals(
      await errorOf(client.authorizationCodeGrant(otherConfig, s.callback, checks(s))),
      "invalid_grant",
    );
    // A public client id with no secret cannot stand in for a confidential one.
    const bare = await discover(env, s.registered.client_id, null, "none");
    assertEquals(
      await errorOf(client.authorizationCodeGrant(bare, s.callback, checks(s))),
      "invalid_client",
    );
  } finally {
    await env.close();
  }
});

Deno.test("oidc: a code older than a minute is refused", async () => {
  const env = await oidcEnv();
  try {
    const s = await signedIn(env);
    env.clock.advance(61_000);
    assertEquals(
      await errorOf(client.authorizationCodeGrant(s.config, s.callback, checks(s))),
      "invalid_grant",
    );
  } finally {
    await env.close();
  }
});

for (const end of ["reset", "disable", "app"] as const) {
  Deno.test(
    `oidc: tokens end when ${
      {
        reset: "an admin resets 2FA",
        disable: "the user is disabled",
        app: "the user signs the app out",
      }[end]
    }`,
    async () => {
      const env = await oidcEnv();
      try {
        const s = await signedIn(env, { name: "App one" });
        const t = await client.authorizationCodeGrant(s.config, s.callback, checks(s));
        const sub = t.claims()!.sub;
        await client.fetchUserInfo(s.config, t.access_token, sub);
        if (end === "reset") {
          const r = await api(env, "POST", `/api/v1/admin/users/${sub}/reset-2fa`, {
            mode: "plain",
          }, env.adminToken);
          assertEquals(r.status, 200);
        } else if (end === "disable") {
          const r = await api(
            env,
            "PATCH",
            `/api/v1/admin/users/${sub}`,
            { disabled: true },
            env.adminToken,
          );
          assertEquals(r.status, 200);
        } else {
          const page = await s.browser.get("/account/apps");
          assertEquals(page.status, 200);
          assert(s.browser.lastHtml.includes("App one"), "the app is listed");
          const res = await s.browser.post(`/account/apps/${s.registered.client_id}/revoke`, {});
          assertEquals(res.status, 303);
          await s.browser.get("/account/apps");
          assert(!s.browser.lastHtml.includes("App one"), "no longer listed");
          assertEquals((await auditEvents(env, "oidc.app_revoke")).length, 1);
        }
        assertEquals(
          await errorOf(client.fetchUserInfo(s.config, t.access_token, sub)),
          "OAUTH_WWW_AUTHENTICATE_CHALLENGE",
        );
        assertEquals(
          await errorOf(client.refreshTokenGrant(s.config, t.refresh_token!)),
          "invalid_grant",
        );
      } finally {
        await env.close();
      }
    },
  );
}

Deno.test("oidc: refreshing counts as activity of the session; a session idle past the timeout ends its tokens", async () => {
  const env = await oidcEnv({ SESSION_IDLE_MINUTES: "30" });
  try {
    const s = await signedIn(env);
    const t = await client.authorizationCodeGrant(s.config, s.callback, checks(s));
    const refresh = async (token: string) => {
      const res = await env.app.request("/oidc/token", {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${btoa(`${s.registered.client_id}:${s.registered.client_secret}`)}`,
        },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: token }).toString(),
      });
      return { status: res.status, json: await res.json() };
    };
    let token = t.refresh_token!;
    for (let i = 0; i < 3; i++) {
      env.clock.advance(25 * 60_000);
      const r = await refresh(token);
      assertEquals(r.status, 200, `refresh ${i}: ${JSON.stringify(r.json)}`);
      token = r.json.refresh_token;
    }
    env.clock.advance(31 * 60_000);
    const late = await refresh(token);
    assertEquals([late.status, late.json.error], [400, "invalid_grant"]);
  } finally {
    await env.close();
  }
});
