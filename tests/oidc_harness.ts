/**
 * @module The OpenID Connect tests' harness: twofold served over real HTTP (Deno.serve on a free
 * port, because the relying-party library speaks real HTTP), an admin who registers clients
 * through the API, and a user signed in with password and TOTP through the login pages.
 */
// A test-only package, named here rather than in deno.json's import map (see browser_harness.ts).
// deno-lint-ignore no-import-prefix
import * as client from "npm:openid-client@^6.9.0";
import { assert, assertEquals } from "./assert.ts";
import {
  addUser,
  api,
  Browser,
  codeNow,
  enrollViaApi,
  nextStep,
  PASSWORD,
  testApp,
  type TestEnv,
} from "./helpers.ts";

export type OidcEnv = TestEnv & {
  issuer: string;
  adminToken: string;
  /** alice's TOTP secret. */
  secret: string;
  /** root's (the admin's) TOTP secret. */
  adminSecret: string;
  close(): Promise<void>;
};

export const APP = "http://app.test";
export const CALLBACK = `${APP}/callback`;
export const AFTER_LOGOUT = `${APP}/signed-out`;

/** twofold on 127.0.0.1:<free port>, clock at the real time (the library checks token times). */
export async function oidcEnv(env: Record<string, string> = {}, rsa = false): Promise<OidcEnv> {
  let handler: (req: Request) => Response | Promise<Response> = () =>
    new Response(null, { status: 503 });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => handler(req),
  );
  const issuer = `http://127.0.0.1:${server.addr.port}`;
  const t = await testApp({ PUBLIC_URL: issuer, ...env }, { rsa });
  handler = (req) => t.app.fetch(req);
  t.clock.set(new Date());
  if (Deno.env.get("OIDC_DEBUG")) t.deps.log = (l, m, d) => console.error(l, m, d);
  await addUser(t, "root", ["admin"]);
  const admin = await enrollViaApi(t, "root");
  nextStep(t);
  await addUser(t, "alice");
  const alice = await enrollViaApi(t, "alice");
  nextStep(t);
  return {
    ...t,
    issuer,
    adminToken: admin.sessionToken,
    secret: alice.secret,
    adminSecret: admin.secret,
    close: () => server.shutdown(),
  };
}

/** Registers a client through the admin API. */
export async function registerClient(
  env: OidcEnv,
  body: Record<string, unknown> = {},
): Promise<{ client_id: string; client_secret: string | null }> {
  const r = await api(env, "POST", "/api/v1/admin/oidc-clients", {
    name: "Test app",
    redirect_uris: [CALLBACK],
    post_logout_redirect_uris: [AFTER_LOGOUT],
    ...body,
  }, env.adminToken);
  assertEquals(r.status, 201, JSON.stringify(r.json));
  return r.json;
}

/** The relying party's view of twofold, found through discovery. */
export async function discover(
  env: OidcEnv,
  clientId: string,
  secret: string | null,
  auth: "basic" | "post" | "none" = "basic",
): Promise<client.Configuration> {
  const method = auth === "none"
    ? client.None()
    : auth === "basic"
    ? client.ClientSecretBasic(secret!)
    : client.ClientSecretPost(secret!);
  return await client.discovery(new URL(env.issuer), clientId, undefined, method, {
    execute: [client.allowInsecureRequests],
  });
}

export type Started = { url: URL; verifier: string; state: string; nonce: string };

/** The authorization request an app would send the browser to. */
export async function startLogin(
  config: client.Configuration,
  extra: Record<string, string> = {},
): Promise<Started> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: "openid profile email groups offline_access",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

const pathOf = (url: string | URL) => {
  const u = new URL(url, "http://x");
  return u.pathname + u.search;
};

/**
 * Follows the browser from the authorization URL through the login pages (password, then the
 * TOTP code) and back; returns the URL twofold finally sends it to (the app's callback).
 */
export async function signInThrough(
  env: TestEnv & { secret?: string },
  browser: Browser,
  authorizeUrl: URL,
  username = "alice",
  secret = env.secret!,
  app = APP,
): Promise<URL> {
  let res = await browser.get(pathOf(authorizeUrl));
  let location = res.headers.get("location");
  assertEquals(res.status, 303);
  if (location?.startsWith(app)) return new URL(location);
  assert(location?.startsWith("/login?"), `expected the login page, got ${location}`);
  res = await browser.get(location!);
  assertEquals(res.status, 200);
  const redirect = new URL(location!, browser.origin).searchParams.get("redirect")!;
  res = await browser.post("/login", { username, password: PASSWORD, redirect });
  assertEquals(res.status, 303);
  location = res.headers.get("location")!;
  assert(location.startsWith("/login/totp"), location);
  await browser.get(location);
  nextStep(env);
  res = await browser.post("/login/totp", { code: codeNow(env, secret), redirect });
  // A page that goes on to the authorization request (a redirect would break form-action).
  assertEquals(res.status, 200, browser.lastHtml.slice(0, 300));
  location = browser.attr("continue", "href")!.replaceAll("&amp;", "&");
  assert(location.startsWith("/oidc/authorize"), location);
  res = await browser.get(location);
  assertEquals(res.status, 303);
  return new URL(res.headers.get("location")!);
}

/** A browser signed in through the login pages (password, then TOTP). */
export async function pageLogin(env: OidcEnv, username: string, secret: string): Promise<Browser> {
  const browser = new Browser(env, env.issuer);
  await browser.get("/login");
  let res = await browser.post("/login", { username, password: PASSWORD });
  assertEquals(res.status, 303);
  await browser.get(res.headers.get("location")!);
  nextStep(env);
  res = await browser.post("/login/totp", { code: codeNow(env, secret) });
  assertEquals(res.status, 303);
  return browser;
}

export { client };
