/**
 * The access rules of single sign-on applied to OpenID Connect sign-ins: the app's redirect_uri
 * is the request decided. A user the rules refuse gets `access_denied` back at the app (audited,
 * no code); a user they allow signs in; with no rules saved, every signed-in user signs in.
 */
import { eq } from "drizzle-orm";
import { accessRulesSaved } from "../src/access/service.ts";
import { auditEvents } from "../src/db/schema.ts";
import { DEFAULT_LOGIN_POLICY } from "../src/policy/policy.ts";
import { savePolicyStatement } from "../src/policy/repo.ts";
import { assert, assertEquals } from "./assert.ts";
import { addUser, api, Browser, PASSWORD } from "./helpers.ts";
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

async function saveRules(env: OidcEnv, doc: unknown): Promise<void> {
  const put = await api(env, "PUT", "/api/v1/admin/access-rules", doc, env.adminToken);
  assertEquals(put.status, 200, JSON.stringify(put.json));
}

async function deniedAudits(env: OidcEnv) {
  return await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "oidc.access_denied"));
}

Deno.test("oidc access: a user the access rules deny gets access_denied back at the app, audited, no code", async () => {
  const env = await oidcEnv();
  try {
    const registered = await registerClient(env);
    const config = await discover(env, registered.client_id, registered.client_secret);
    // app.test is for root only; nothing else matches, and the default denies.
    await saveRules(env, {
      default: "deny",
      rules: [{ hosts: ["app.test"], users: ["root"], action: "two_factor" }],
    });

    const started = await startLogin(config);
    const browser = new Browser(env, env.issuer);
    const callback = await signInThrough(env, browser, started.url);
    assertEquals(callback.origin + callback.pathname, CALLBACK);
    assertEquals(callback.searchParams.get("error"), "access_denied");
    assertEquals(callback.searchParams.get("state"), started.state);
    assertEquals(callback.searchParams.get("iss"), env.issuer);
    assertEquals(callback.searchParams.get("code"), null);

    const rows = await deniedAudits(env);
    assertEquals(rows.length, 1);
    assertEquals(rows[0].username, "alice");
    assertEquals(rows[0].outcome, "failure");
    const detail = JSON.parse(rows[0].detail);
    assertEquals(detail.client, registered.client_id);
    assertEquals(detail.reason, "rule_denies");
    assertEquals(detail.rule, null, "decided by the default");

    // The same signed-in browser, once a rule names alice: straight back with a code.
    await saveRules(env, {
      default: "deny",
      rules: [{
        hosts: ["app.test"],
        paths: ["/callback"],
        users: ["alice"],
        action: "two_factor",
      }],
    });
    const again = await startLogin(config);
    const res = await browser.get(again.url.pathname + again.url.search);
    assertEquals(res.status, 303);
    const back = new URL(res.headers.get("location")!);
    assertEquals(back.searchParams.get("error"), null);
    assert(back.searchParams.get("code"), "a code once the rules allow alice");
    assertEquals((await deniedAudits(env)).length, 1);
  } finally {
    await env.close();
  }
});

Deno.test("oidc access: a user the access rules allow signs in and gets tokens", async () => {
  const env = await oidcEnv();
  try {
    const registered = await registerClient(env);
    const config = await discover(env, registered.client_id, registered.client_secret);
    await saveRules(env, {
      default: "deny",
      rules: [
        { hosts: ["other.test"], action: "deny" },
        { hosts: ["app.test"], users: ["alice"], action: "two_factor" },
      ],
    });

    const started = await startLogin(config);
    const callback = await signInThrough(env, new Browser(env, env.issuer), started.url);
    assertEquals(callback.searchParams.get("error"), null);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
      idTokenExpected: true,
    });
    assertEquals(tokens.claims()!.preferred_username, "alice");
    assertEquals((await deniedAudits(env)).length, 0);
  } finally {
    await env.close();
  }
});

Deno.test("oidc access: with no rules saved, every signed-in user signs in as before", async () => {
  const env = await oidcEnv();
  try {
    assertEquals(await accessRulesSaved(env.deps), false);
    const registered = await registerClient(env);
    const config = await discover(env, registered.client_id, registered.client_secret);
    const started = await startLogin(config);
    const callback = await signInThrough(env, new Browser(env, env.issuer), started.url);
    assertEquals(callback.searchParams.get("error"), null);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
      idTokenExpected: true,
    });
    assertEquals(tokens.claims()!.preferred_username, "alice");
    assertEquals((await deniedAudits(env)).length, 0);
    assertEquals(await accessRulesSaved(env.deps), false);
  } finally {
    await env.close();
  }
});

Deno.test("oidc access: a two_factor rule refuses a session that signed in with the password only", async () => {
  const env = await oidcEnv();
  try {
    const registered = await registerClient(env);
    const config = await discover(env, registered.client_id, registered.client_secret);
    await saveRules(env, {
      default: "deny",
      rules: [{ hosts: ["app.test"], action: "two_factor" }],
    });
    // A grace period lets carol, who has no authenticator yet, in with her password only.
    await env.deps.db.batch([
      savePolicyStatement(
        env.deps.db,
        { ...DEFAULT_LOGIN_POLICY, graceDays: 7 },
        env.clock.now(),
        "t",
      ),
    ]);
    await addUser(env, "carol", []);

    const started = await startLogin(config);
    const browser = new Browser(env, env.issuer);
    const first = await browser.get(started.url.pathname + started.url.search);
    assertEquals(first.status, 303);
    const login = new URL(first.headers.get("location")!, env.issuer);
    const redirect = login.searchParams.get("redirect")!;
    await browser.get(login.pathname + login.search);
    const signedIn = await browser.post("/login", {
      username: "carol",
      password: PASSWORD,
      redirect,
    });
    // The grace notice, whose "Not now" goes on to the authorization request.
    assertEquals(signedIn.status, 200, browser.lastHtml.slice(0, 300));
    const notNow = browser.lastHtml.match(/href="(\/oidc\/authorize[^"]*)"/)![1]
      .replaceAll("&amp;", "&");
    const res = await browser.get(notNow);
    assertEquals(res.status, 303);
    const back = new URL(res.headers.get("location")!);
    assertEquals(back.origin + back.pathname, CALLBACK);
    assertEquals(back.searchParams.get("error"), "access_denied");
    assertEquals(back.searchParams.get("state"), started.state);
    assertEquals(back.searchParams.get("code"), null);
    const rows = await deniedAudits(env);
    assertEquals(rows.length, 1);
    assertEquals(rows[0].username, "carol");
    assertEquals(JSON.parse(rows[0].detail).reason, "second_factor_required");
  } finally {
    await env.close();
  }
});
