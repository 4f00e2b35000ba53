/** Shared by the single sign-on tests: the hosts, the setup, and a browser's trip through the hand-off. */
import { assert, assertEquals } from "./assert.ts";
import {
  addUser,
  Browser,
  codeNow,
  enrollViaApi,
  nextStep,
  PASSWORD,
  testApp,
  type TestEnv,
} from "./helpers.ts";

export const PORTAL = "https://login.alpha.test";
export const APP = "https://app.alpha.test";
export const WIKI = "https://wiki.beta.test";
export const HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
export const SSO_COOKIE = "__Host-twofold_sso";

export async function ssoSetup(env: Record<string, string> = {}) {
  const t = await testApp({
    PUBLIC_URL: PORTAL,
    FORWARD_AUTH_ALLOWED_HOSTS: "app.alpha.test,wiki.beta.test",
    COOKIE_SECURE: "true",
    ...env,
  });
  await addUser(t, "alice", ["admin"]);
  const enrolled = await enrollViaApi(t, "alice");
  nextStep(t);
  return { env: t, secret: enrolled.secret, adminToken: enrolled.sessionToken };
}

/** Where Caddy's forward_auth asks. */
export const CADDY_VERIFY = "http://127.0.0.1:8000/api/v1/verify";

/** The headers Caddy's forward_auth sends for a browser's request to `url`. */
export function caddyHeaders(url: string, extra: Record<string, string> = {}) {
  const u = new URL(url);
  return {
    host: u.host,
    accept: HTML,
    "x-forwarded-proto": "https",
    "x-forwarded-host": u.host,
    "x-forwarded-uri": u.pathname + u.search,
    "x-forwarded-method": "GET",
    ...extra,
  };
}

/** What Caddy's forward_auth sends for a browser's request to `url`. */
export function caddyVerify(
  env: TestEnv,
  url: string,
  jar: Browser,
  extra: Record<string, string> = {},
) {
  return env.app.request(CADDY_VERIFY, {
    headers: caddyHeaders(url, {
      cookie: [...jar.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
      ...extra,
    }),
  });
}

/** Signs in at the portal, starting from a login page that returns to `redirect`. */
export async function portalSignIn(t: TestEnv, portal: Browser, secret: string, redirect: string) {
  await portal.get(`/login?redirect=${encodeURIComponent(redirect)}`);
  const first = await portal.post("/login", { username: "alice", password: PASSWORD, redirect });
  assertEquals(first.status, 303);
  await portal.get(first.headers.get("location")!);
  const done = await portal.post("/login/totp", { code: codeNow(t, secret), redirect });
  assertEquals(done.status, 303);
  nextStep(t);
  return done.headers.get("location")!;
}

/** The path and query of a portal URL. */
export const local = (url: string) => {
  const u = new URL(url);
  assertEquals(u.origin, PORTAL);
  return u.pathname + u.search;
};

/**
 * A browser's whole trip to `url` on a protected host, from the proxy's first "no" to the
 * host's cookie: returns the callback URL it went through.
 */
export async function reach(
  t: TestEnv,
  url: string,
  portal: Browser,
  host: Browser,
  secret?: string,
): Promise<string> {
  const first = await caddyVerify(t, url, host);
  assertEquals(first.status, 302);
  const authorize = first.headers.get("location")!;
  assertEquals(authorize, `${PORTAL}/sso/authorize?rd=${encodeURIComponent(url)}`);
  let res = await portal.get(local(authorize));
  if (res.headers.get("location")?.startsWith("/login")) {
    assert(secret, "a login was needed");
    const back = await portalSignIn(t, portal, secret, local(authorize));
    assertEquals(back, local(authorize));
    res = await portal.get(back);
  }
  assertEquals(res.status, 302);
  const callback = res.headers.get("location")!;
  assert(callback.startsWith(`${new URL(url).origin}/.twofold/callback?code=`), callback);
  const done = await host.get(callback.slice(new URL(url).origin.length));
  assertEquals(done.status, 302);
  assertEquals(done.headers.get("location"), url);
  assert(host.cookies.has(SSO_COOKIE), "the host's own cookie");
  return callback;
}
