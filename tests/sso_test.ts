/**
 * Single sign-on across hosts and root domains through `app.request()`: the portal
 * (login.alpha.test) hands a signed-in browser to app.alpha.test and wiki.beta.test with a
 * one-time code that the host's callback trades for a host-only cookie. The code is single use,
 * bound to its host and short-lived; an unknown host gets a page, not a redirect; logging out
 * at the portal ends every host at once.
 */
import { eq } from "drizzle-orm";
import { auditEvents } from "../src/db/schema.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { Browser } from "./helpers.ts";
import {
  APP,
  caddyVerify,
  HTML,
  local,
  PORTAL,
  portalSignIn,
  reach,
  SSO_COOKIE,
  ssoSetup,
  WIKI,
} from "./sso_helpers.ts";

Deno.test("SSO: one login at the portal reaches two hosts on two root domains", async () => {
  const { env, secret } = await ssoSetup();
  const portal = new Browser(env, PORTAL);
  const app = new Browser(env, APP);
  const wiki = new Browser(env, WIKI);

  await reach(env, `${APP}/dash?x=1`, portal, app, secret);
  const ok = await caddyVerify(env, `${APP}/dash?x=1`, app);
  assertEquals(ok.status, 200);
  assertEquals(ok.headers.get("remote-user"), "alice");
  assertEquals(ok.headers.get("x-auth-user"), "alice");

  // The second host: no new login, the portal's session hands it a code at once.
  await reach(env, `${WIKI}/page`, portal, wiki);
  assertEquals((await caddyVerify(env, `${WIKI}/page`, wiki)).status, 200);

  // The cookie is host-only (no Domain), HttpOnly, Secure, SameSite=Lax, and names no token.
  const again = await reach(env, `${WIKI}/other`, portal, new Browser(env, WIKI));
  const res = await new Browser(env, WIKI).get(again.slice(WIKI.length));
  assertEquals(res.status, 400, "a used code");
  const fresh = await caddyVerify(env, `${WIKI}/x`, new Browser(env, WIKI));
  const cb = await portal.get(local(fresh.headers.get("location")!));
  const set = await env.app.request(cb.headers.get("location")!);
  const line = set.headers.getSetCookie().find((l) => l.startsWith(`${SSO_COOKIE}=`))!;
  assertStringIncludes(line, "HttpOnly");
  assertStringIncludes(line, "Secure");
  assertStringIncludes(line, "SameSite=Lax");
  assertStringIncludes(line, "Path=/");
  assert(!/domain=/i.test(line), line);
});

Deno.test("SSO: a host's cookie is worth nothing on another host", async () => {
  const { env, secret } = await ssoSetup();
  const portal = new Browser(env, PORTAL);
  const app = new Browser(env, APP);
  await reach(env, `${APP}/`, portal, app, secret);
  const stolen = new Browser(env, WIKI);
  stolen.cookies.set(SSO_COOKIE, app.cookies.get(SSO_COOKIE)!);
  const res = await caddyVerify(env, `${WIKI}/`, stolen);
  assertEquals(res.status, 302, "asked to sign in, not let in");
  // Tampered with on its own host: the same.
  const tampered = new Browser(env, APP);
  tampered.cookies.set(
    SSO_COOKIE,
    app.cookies.get(SSO_COOKIE)!.replace(/.$/, (c) => c === "0" ? "1" : "0"),
  );
  assertEquals((await caddyVerify(env, `${APP}/`, tampered)).status, 302);
});

Deno.test("SSO: a code is single use, bound to its host, and expires in seconds", async () => {
  const { env, secret } = await ssoSetup();
  const portal = new Browser(env, PORTAL);
  await portalSignIn(env, portal, secret, "/account");
  const codeFor = async (url: string) => {
    const r = await portal.get(`/sso/authorize?rd=${encodeURIComponent(url)}`);
    assertEquals(r.status, 302);
    return r.headers.get("location")!;
  };

  // Replay: the second presentation of a callback URL is refused.
  const cb = await codeFor(`${APP}/a`);
  const first = await new Browser(env, APP).get(cb.slice(APP.length));
  assertEquals(first.status, 302);
  const replay = new Browser(env, APP);
  const second = await replay.get(cb.slice(APP.length));
  assertEquals(second.status, 400);
  assertEquals(replay.cookies.has(SSO_COOKIE), false);
  assertStringIncludes(replay.lastHtml, "already used or has expired");

  // Bound to its host: shown on another host it fails, and is spent.
  const forApp = await codeFor(`${APP}/b`);
  const code = new URL(forApp).search;
  const onWiki = await new Browser(env, WIKI).get(`/.twofold/callback${code}`);
  assertEquals(onWiki.status, 400);
  const thenOnApp = await new Browser(env, APP).get(`/.twofold/callback${code}`);
  assertEquals(thenOnApp.status, 400, "a code shown on the wrong host is dead");
  // Through a proxy that names the host in X-Forwarded-Host, the same rule.
  const forApp2 = await codeFor(`${APP}/c`);
  const forged = await env.app.request(
    `http://127.0.0.1:8000/.twofold/callback${new URL(forApp2).search}`,
    { headers: { "x-forwarded-host": "wiki.beta.test", "x-forwarded-proto": "https" } },
  );
  assertEquals(forged.status, 400);

  // Expiry: SSO_CODE_SECONDS (30 s).
  const late = await codeFor(`${APP}/d`);
  env.clock.advance(31_000);
  const tooLate = await new Browser(env, APP).get(late.slice(APP.length));
  assertEquals(tooLate.status, 400);
  // Within the time it works.
  const inTime = await codeFor(`${APP}/e`);
  env.clock.advance(29_000);
  assertEquals((await new Browser(env, APP).get(inTime.slice(APP.length))).status, 302);

  // Nonsense codes.
  for (const bad of ["", "?code=", "?code=nope", `?code=${"A".repeat(500)}`]) {
    assertEquals((await new Browser(env, APP).get(`/.twofold/callback${bad}`)).status, 400);
  }

  // The audit log has every hand-off, never the code.
  const rows = await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "sso.handoff"));
  const outcomes = rows.map((r) => r.outcome);
  assert(outcomes.includes("success") && outcomes.includes("failure"), outcomes.join());
  const reasons = rows.map((r) => JSON.parse(r.detail).reason).filter(Boolean);
  for (const r of ["unknown", "wrong_host", "expired"]) assert(reasons.includes(r), reasons.join());
  const all = rows.map((r) => r.detail).join(" ");
  assertEquals(all.includes(new URL(cb).searchParams.get("code")!), false);
});

Deno.test("SSO: parallel presentations of one code set one cookie", async () => {
  const { env, secret } = await ssoSetup();
  const portal = new Browser(env, PORTAL);
  await portalSignIn(env, portal, secret, "/account");
  const r = await portal.get(`/sso/authorize?rd=${encodeURIComponent(`${APP}/p`)}`);
  const path = r.headers.get("location")!.slice(APP.length);
  const results = await Promise.all(
    Array.from({ length: 8 }, () => env.app.request(`${APP}${path}`)),
  );
  const statuses = results.map((x) => x.status).sort();
  assertEquals(statuses, [302, 400, 400, 400, 400, 400, 400, 400]);
  const withCookie = results.filter((x) =>
    x.headers.getSetCookie().some((l) => l.startsWith(`${SSO_COOKIE}=`))
  );
  assertEquals(withCookie.length, 1);
});

Deno.test("SSO: an unknown host gets a page, not a redirect", async () => {
  const { env, secret } = await ssoSetup();
  const portal = new Browser(env, PORTAL);
  for (const signedIn of [false, true]) {
    if (signedIn) await portalSignIn(env, portal, secret, "/account");
    for (
      const rd of [
        "https://evil.test/",
        "https://app.alpha.test.evil.test/",
        "https://evil.test@app.alpha.test/",
        "javascript:alert(1)",
        "//evil.test/",
        "",
      ]
    ) {
      const res = await portal.get(`/sso/authorize?rd=${encodeURIComponent(rd)}`);
      assertEquals(res.status, 400, rd);
      assertEquals(res.headers.get("location"), null);
      assertStringIncludes(portal.lastHtml, "Unknown app");
    }
  }
  // The portal's own host needs no hand-off.
  const own = await portal.get(`/sso/authorize?rd=${encodeURIComponent(`${PORTAL}/account`)}`);
  assertEquals(own.headers.get("location"), `${PORTAL}/account`);
});

Deno.test("SSO: logging out at the portal ends every host at once", async () => {
  const { env, secret } = await ssoSetup();
  const portal = new Browser(env, PORTAL);
  const app = new Browser(env, APP);
  const wiki = new Browser(env, WIKI);
  await reach(env, `${APP}/`, portal, app, secret);
  await reach(env, `${WIKI}/`, portal, wiki);
  assertEquals((await caddyVerify(env, `${APP}/`, app)).status, 200);
  assertEquals((await caddyVerify(env, `${WIKI}/`, wiki)).status, 200);

  await portal.get("/logout");
  const out = await portal.post("/logout", {});
  assertEquals(out.status, 303);

  for (const [url, jar] of [[`${APP}/`, app], [`${WIKI}/`, wiki]] as const) {
    const res = await caddyVerify(env, url, jar);
    assertEquals(res.status, 302, url);
    assertStringIncludes(res.headers.get("location")!, `${PORTAL}/sso/authorize`);
    // And the portal asks for a login again (the session is gone).
    const auth = await portal.get(local(res.headers.get("location")!));
    assert(auth.headers.get("location")!.startsWith("/login?redirect="));
  }
  // A host's own logout link drops its cookie and goes to the portal's logout.
  const bye = await app.get("/.twofold/logout");
  assertEquals(bye.headers.get("location"), `${PORTAL}/logout`);
  assertEquals(app.cookies.has(SSO_COOKIE), false);
});

Deno.test("SSO: an ended session cannot be handed on by a code issued before", async () => {
  const { env, secret } = await ssoSetup();
  const portal = new Browser(env, PORTAL);
  await portalSignIn(env, portal, secret, "/account");
  const r = await portal.get(`/sso/authorize?rd=${encodeURIComponent(`${APP}/`)}`);
  await portal.get("/logout");
  await portal.post("/logout", {});
  const host = new Browser(env, APP);
  const res = await host.get(r.headers.get("location")!.slice(APP.length));
  assertEquals(res.status, 400);
  assertStringIncludes(host.lastHtml, "session has ended");
  assertEquals(host.cookies.has(SSO_COOKIE), false);
});

Deno.test("SSO: nginx asks first with X-Original-URI (401), then its named location gets the hand-off", async () => {
  const { env } = await ssoSetup();
  const first = await env.app.request("http://127.0.0.1:8000/api/v1/verify", {
    headers: {
      host: "app.alpha.test",
      "x-forwarded-host": "app.alpha.test",
      "x-forwarded-proto": "https",
      "x-original-uri": "/dash",
      "x-original-method": "GET",
      accept: HTML,
    },
  });
  assertEquals(first.status, 401);
  const named = await env.app.request("http://127.0.0.1:8000/api/v1/verify", {
    headers: {
      host: "app.alpha.test",
      "x-forwarded-host": "app.alpha.test",
      "x-forwarded-proto": "https",
      "x-forwarded-uri": "/dash",
      accept: HTML,
    },
  });
  assertEquals(named.status, 302);
  assertEquals(
    named.headers.get("location"),
    `${PORTAL}/sso/authorize?rd=${encodeURIComponent(`${APP}/dash`)}`,
  );
});
