/**
 * Forward-auth (`GET /api/v1/verify`) driven the way each reverse proxy drives it: nginx
 * `auth_request` (the original Cookie and X-Original-URI; only 200 or 401 will do), Traefik
 * `forwardAuth` (X-Forwarded-Method/Proto/Host/Uri; our answer goes to the browser as it is) and
 * Caddy `forward_auth` (the same headers, Host kept, then `copy_headers` into the app's request).
 * The browser signs in on the protected host, where the proxy routes twofold's pages.
 */
import { createRemoteJWKSet, jwtVerify } from "jose";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
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

const APP = "https://app.example.com";
const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const AUTH_HEADERS = [
  "x-auth-user",
  "x-auth-user-id",
  "x-auth-roles",
  "x-auth-session",
  "x-auth-key",
];

async function setup(env: Record<string, string> = {}) {
  const t = await testApp({ FORWARD_AUTH_ALLOWED_HOSTS: "app.example.com", ...env });
  const user = await addUser(t, "Alice", ["admin"]);
  const enrolled = await enrollViaApi(t, "alice");
  nextStep(t);
  return { env: t, user, enrolled };
}

/** Signs in through the pages on the protected host; returns the login's final redirect. */
async function signIn(t: TestEnv, b: Browser, secret: string, redirect?: string) {
  await b.get(redirect ? `/login?redirect=${encodeURIComponent(redirect)}` : "/login");
  const first = await b.post("/login", {
    username: "alice",
    password: PASSWORD,
    ...(redirect ? { redirect } : {}),
  });
  assertEquals(first.status, 303);
  await b.get(first.headers.get("location")!);
  const done = await b.post("/login/totp", {
    code: codeNow(t, secret),
    ...(redirect ? { redirect } : {}),
  });
  assertEquals(done.status, 303);
  nextStep(t);
  return done.headers.get("location");
}

function cookieHeader(b: Browser): string {
  return [...b.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
}

/**
 * The identity headers that carry a value. A 200 carries every one, empty when it does not
 * apply (so Caddy 2.6's copy_headers has a value to copy; see docs/protecting-apps.md).
 */
function authHeaders(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of AUTH_HEADERS) {
    const v = res.headers.get(h);
    if (v) out[h] = v;
  }
  return out;
}

// ---- nginx auth_request ----

/** What nginx sends: the original headers (Cookie, Accept...), Host kept, X-Original-URI. */
function nginxVerify(env: TestEnv, headers: Record<string, string>) {
  return env.app.request("http://app.example.com/api/v1/verify", {
    headers: {
      accept: BROWSER_ACCEPT,
      "x-original-uri": "/reports/2026?page=2",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "app.example.com",
      ...headers,
    },
  });
}

Deno.test("nginx auth_request: 401 without a session, 200 with the page cookie and identity headers", async () => {
  const { env, user, enrolled } = await setup();
  const denied = await nginxVerify(env, {});
  assertEquals(denied.status, 401);
  assertEquals(authHeaders(denied), {});
  const body = await denied.text();
  assertEquals(JSON.parse(body).error.code, "unauthorized");

  const b = new Browser(env, APP);
  await signIn(env, b, enrolled.secret);
  assert(b.cookies.has("__Host-twofold_session"), "the protected host's own __Host- cookie");
  const ok = await nginxVerify(env, { cookie: cookieHeader(b) });
  assertEquals(ok.status, 200);
  const me = await api(
    env,
    "GET",
    "/api/v1/session",
    undefined,
    b.cookies.get("__Host-twofold_session"),
  );
  assertEquals(authHeaders(ok), {
    "x-auth-user": "Alice",
    "x-auth-user-id": user.id,
    "x-auth-roles": "admin",
    "x-auth-session": me.json.session.id,
  });
  assertEquals(ok.headers.get("cache-control"), "no-store");
  assertEquals(await ok.text(), "");
});

Deno.test("nginx auth_request: never a redirect, even for a browser with X-Forwarded-Uri set", async () => {
  const { env } = await setup();
  // auth_request turns any 3xx into a 500; a request that names X-Original-URI gets a 401.
  const res = await nginxVerify(env, { "x-forwarded-uri": "/reports", cookie: "x=1" });
  assertEquals(res.status, 401);
  assertEquals(res.headers.get("location"), null);
  // With ?rd= as well.
  const rd = await env.app.request("http://app.example.com/api/v1/verify?rd=%2Freports", {
    headers: { accept: BROWSER_ACCEPT, "x-original-uri": "/reports" },
  });
  assertEquals(rd.status, 401);
});

Deno.test("nginx error_page 401 = @login: the named location asks again and gets the login redirect", async () => {
  const { env, enrolled } = await setup();
  // `location @login` proxies to /api/v1/verify with X-Forwarded-Uri $request_uri and without
  // X-Original-URI, so twofold builds the encoded redirect that nginx cannot.
  const res = await env.app.request("http://app.example.com/api/v1/verify", {
    headers: { accept: BROWSER_ACCEPT, "x-forwarded-uri": "/reports/2026?page=2&sort=date" },
  });
  assertEquals(res.status, 302);
  const location = res.headers.get("location")!;
  assertEquals(location, "/login?redirect=%2Freports%2F2026%3Fpage%3D2%26sort%3Ddate");
  const b = new Browser(env, APP);
  const back = await signIn(
    env,
    b,
    enrolled.secret,
    new URL(location, APP).searchParams.get("redirect")!,
  );
  assertEquals(back, "/reports/2026?page=2&sort=date");
});

// ---- Traefik forwardAuth ----

/** What Traefik sends: the original headers plus X-Forwarded-*, to the configured address. */
function traefikVerify(
  env: TestEnv,
  headers: Record<string, string>,
  forwarded: { host?: string; uri?: string; method?: string } = {},
) {
  return env.app.request("http://twofold:8000/api/v1/verify", {
    headers: {
      accept: BROWSER_ACCEPT,
      "x-forwarded-method": forwarded.method ?? "GET",
      "x-forwarded-proto": "https",
      "x-forwarded-host": forwarded.host ?? "app.example.com",
      "x-forwarded-uri": forwarded.uri ?? "/dashboard?tab=keys",
      "x-forwarded-for": "203.0.113.7",
      ...headers,
    },
  });
}

Deno.test("Traefik forwardAuth: a browser without a session is sent to the login and back", async () => {
  const { env, user, enrolled } = await setup();
  const res = await traefikVerify(env, {});
  assertEquals(res.status, 302);
  const location = res.headers.get("location")!;
  assertEquals(
    location,
    "/login?redirect=" + encodeURIComponent("https://app.example.com/dashboard?tab=keys"),
  );
  assertEquals(authHeaders(res), {});

  // The browser follows the relative Location on the protected host.
  const b = new Browser(env, APP);
  const login = await b.get(location);
  assertEquals(login.status, 200);
  assertStringIncludes(b.lastHtml, 'value="https://app.example.com/dashboard?tab=keys"');
  const back = await signIn(env, b, enrolled.secret, "https://app.example.com/dashboard?tab=keys");
  assertEquals(back, "https://app.example.com/dashboard?tab=keys");

  // Traefik then forwards with the cookie; authResponseHeaders copies the identity.
  const ok = await traefikVerify(env, { cookie: cookieHeader(b) });
  assertEquals(ok.status, 200);
  assertEquals(ok.headers.get("x-auth-user"), "Alice");
  assertEquals(ok.headers.get("x-auth-user-id"), user.id);
  assertEquals(ok.headers.get("x-auth-roles"), "admin");
  assert(ok.headers.get("x-auth-session"));

  // Signed in already: /login sends the browser straight back.
  const again = await b.get(location);
  assertEquals(again.status, 303);
  assertEquals(again.headers.get("location"), "https://app.example.com/dashboard?tab=keys");
});

Deno.test("Traefik forwardAuth: the return URL is only ever a path or an allowed host", async () => {
  const { env } = await setup();
  const loc = async (h: Record<string, string>, f: Parameters<typeof traefikVerify>[2], q = "") => {
    const res = q
      ? await env.app.request(`http://twofold:8000/api/v1/verify${q}`, {
        headers: { accept: BROWSER_ACCEPT, "x-forwarded-uri": "/x", ...h },
      })
      : await traefikVerify(env, h, f);
    assertEquals(res.status, 302);
    return res.headers.get("location");
  };
  // A host not in FORWARD_AUTH_ALLOWED_HOSTS keeps only its path (the browser is on that host).
  assertEquals(
    await loc({}, { host: "evil.example" }),
    "/login?redirect=%2Fdashboard%3Ftab%3Dkeys",
  );
  assertEquals(
    await loc({}, { host: "app.example.com:8443" }),
    "/login?redirect=%2Fdashboard%3Ftab%3Dkeys",
  );
  assertEquals(await loc({}, { uri: "//evil.example/x" }), "/login");
  assertEquals(await loc({}, { uri: "/\\evil.example" }), "/login");
  // An explicit rd is taken whole or not at all.
  assertEquals(
    await loc({}, {}, "?rd=" + encodeURIComponent("https://app.example.com/a")),
    "/login?redirect=" + encodeURIComponent("https://app.example.com/a"),
  );
  assertEquals(await loc({}, {}, "?rd=" + encodeURIComponent("https://evil.example/a")), "/login");
  assertEquals(await loc({}, {}, "?rd=javascript%3Aalert(1)"), "/login");

  // And the login itself refuses what the proxy would not have sent.
  const b = new Browser(env, APP);
  for (
    const evil of ["https://evil.example/", "https://app.example.com@evil.example/", "data:,x"]
  ) {
    await b.get(`/login?redirect=${encodeURIComponent(evil)}`);
    assert(!b.lastHtml.includes("evil.example") && !b.lastHtml.includes("data:,x"), evil);
  }
});

Deno.test("Traefik forwardAuth: programs get 401, tokens and keys work, write-only keys get 403", async () => {
  const { env, enrolled } = await setup();
  const json = await traefikVerify(env, { accept: "application/json" });
  assertEquals(json.status, 401);

  const bearer = await traefikVerify(env, { authorization: `Bearer ${enrolled.sessionToken}` });
  assertEquals(bearer.status, 200);
  assertEquals(bearer.headers.get("x-auth-user"), "Alice");
  assert(bearer.headers.get("x-auth-session"));

  const makeKey = async (scopes: string[]) => {
    const r = await api(env, "POST", "/api/v1/admin/api-keys", {
      username: "alice",
      name: `proxy ${scopes.join(" ")}`,
      scopes,
    }, enrolled.sessionToken);
    assertEquals(r.status, 201);
    return r.json as { api_key: string; id: string };
  };
  const read = await makeKey(["read"]);
  const viaKey = await traefikVerify(env, { authorization: `Bearer ${read.api_key}` });
  assertEquals(viaKey.status, 200);
  assertEquals(viaKey.headers.get("x-auth-key"), read.id);
  assertEquals(viaKey.headers.get("x-auth-session"), "");
  assertEquals(viaKey.headers.get("x-auth-roles"), "admin");

  const write = await makeKey(["write"]);
  const refused = await traefikVerify(env, { authorization: `Bearer ${write.api_key}` });
  assertEquals(refused.status, 403);
  assertEquals(authHeaders(refused), {});

  // A Bearer that is not ours (the app's own, say) is no redirect and no identity.
  const foreign = await traefikVerify(env, { authorization: "Bearer not-a-twofold-token" });
  assertEquals(foreign.status, 401);
  assertEquals(authHeaders(foreign), {});
});

Deno.test("forward-auth sees logout at once (unlike services that verify tokens themselves)", async () => {
  const { env, enrolled } = await setup();
  const b = new Browser(env, APP);
  await signIn(env, b, enrolled.secret);
  const cookie = cookieHeader(b);
  assertEquals((await traefikVerify(env, { cookie })).status, 200);
  await b.get("/account");
  await b.post("/logout", {});
  assertEquals((await traefikVerify(env, { cookie, accept: "*/*" })).status, 401);
  const token = await api(env, "POST", "/api/v1/logout", undefined, enrolled.sessionToken);
  assertEquals(token.status, 204);
  const bearer = await traefikVerify(env, {
    accept: "*/*",
    authorization: `Bearer ${enrolled.sessionToken}`,
  });
  assertEquals(bearer.status, 401);
});

// ---- Caddy forward_auth ----

/** What Caddy sends: method GET, Host kept, X-Forwarded-Method/Uri plus reverse_proxy's own. */
function caddyVerify(env: TestEnv, original: Request) {
  const url = new URL(original.url);
  const headers = new Headers(original.headers);
  headers.set("x-forwarded-method", original.method);
  headers.set("x-forwarded-uri", url.pathname + url.search);
  headers.set("x-forwarded-proto", url.protocol.slice(0, -1));
  headers.set("x-forwarded-host", url.host);
  headers.set("x-forwarded-for", "198.51.100.4");
  return env.app.request(`http://${url.host}/api/v1/verify`, { method: "GET", headers });
}

/** `copy_headers`: the auth answer's headers replace the client's in the request to the app. */
function copyHeaders(original: Request, auth: Response, names: string[]): Headers {
  const out = new Headers(original.headers);
  for (const n of names) {
    out.delete(n);
    const v = auth.headers.get(n);
    if (v !== null) out.set(n, v);
  }
  return out;
}

Deno.test("Caddy forward_auth: 302 for browsers, and copy_headers hands the app the identity", async () => {
  const { env } = await setup();
  const zoe = await addUser(env, "Zoë", ["user"]);
  const z = await enrollViaApi(env, "zoë");
  nextStep(env);
  const b = new Browser(env, APP);

  const anonymous = new Request(`${APP}/wiki/Start?x=1`, {
    method: "POST",
    headers: { accept: BROWSER_ACCEPT, "x-auth-user": "admin", "x-auth-roles": "admin" },
  });
  const denied = await caddyVerify(env, anonymous);
  assertEquals(denied.status, 302);
  assertEquals(
    denied.headers.get("location"),
    "/login?redirect=" + encodeURIComponent(`${APP}/wiki/Start?x=1`),
  );
  // What the client sent is never echoed as identity.
  assertEquals(authHeaders(denied), {});

  await b.get("/login");
  const first = await b.post("/login", { username: "zoë", password: PASSWORD });
  await b.get(first.headers.get("location")!);
  await b.post("/login/totp", { code: codeNow(env, z.secret) });
  const signedIn = new Request(`${APP}/wiki/Start?x=1`, {
    headers: {
      accept: BROWSER_ACCEPT,
      cookie: cookieHeader(b),
      "x-auth-user": "admin",
      "x-auth-roles": "admin",
    },
  });
  const ok = await caddyVerify(env, signedIn);
  assertEquals(ok.status, 200);
  const toApp = copyHeaders(signedIn, ok, [
    "X-Auth-User",
    "X-Auth-User-Id",
    "X-Auth-Roles",
    "X-Auth-Session",
  ]);
  // Non-ASCII names arrive percent-encoded (UTF-8); the app decodes them.
  assertEquals(toApp.get("x-auth-user"), "Zo%C3%AB");
  assertEquals(decodeURIComponent(toApp.get("x-auth-user")!), "Zoë");
  assertEquals(toApp.get("x-auth-user-id"), zoe.id);
  assertEquals(toApp.get("x-auth-roles"), "user");
  assert(toApp.get("x-auth-session"));
});

Deno.test("forward-auth answers HEAD like GET, without a body", async () => {
  const { env, enrolled } = await setup();
  const res = await env.app.request("http://twofold:8000/api/v1/verify", {
    method: "HEAD",
    headers: { authorization: `Bearer ${enrolled.sessionToken}` },
  });
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("x-auth-user"), "Alice");
  assertEquals(await res.text(), "");
  const anon = await env.app.request("http://twofold:8000/api/v1/verify", { method: "HEAD" });
  assertEquals(anon.status, 401);
});

Deno.test("forward-auth behind a proxy on localhost needs COOKIE_SECURE=true to read the __Host- cookie", async () => {
  const { env, enrolled } = await setup({ COOKIE_SECURE: "true" });
  const b = new Browser(env, APP);
  await signIn(env, b, enrolled.secret);
  // e.g. Traefik's address http://127.0.0.1:8000/api/v1/verify
  const res = await env.app.request("http://127.0.0.1:8000/api/v1/verify", {
    headers: { cookie: cookieHeader(b) },
  });
  assertEquals(res.status, 200);

  // With the default (auto), plain http on localhost means plain cookie names: no match.
  const auto = await setup();
  const b2 = new Browser(auto.env, APP);
  await signIn(auto.env, b2, auto.enrolled.secret);
  const miss = await auto.env.app.request("http://127.0.0.1:8000/api/v1/verify", {
    headers: { cookie: cookieHeader(b2) },
  });
  assertEquals(miss.status, 401);
});

Deno.test("the login returns to allowed absolute URLs through enrollment too", async () => {
  const t = await testApp({ FORWARD_AUTH_ALLOWED_HOSTS: "app.example.com" });
  await addUser(t, "bob");
  const b = new Browser(t, APP);
  const target = "https://app.example.com/after-enroll";
  await b.get(`/login?redirect=${encodeURIComponent(target)}`);
  const r = await b.post("/login", { username: "bob", password: PASSWORD, redirect: target });
  assertEquals(r.headers.get("location"), `/enroll?redirect=${encodeURIComponent(target)}`);
  await b.get(r.headers.get("location")!);
  const secret = b.attr("secret", "data-secret")!;
  const enrollmentId = b.lastHtml.match(/name="enrollment_id" value="([^"]+)"/)![1];
  const done = await b.post("/enroll", {
    enrollment_id: enrollmentId,
    code: codeNow(t, secret),
    redirect: target,
  });
  assertEquals(done.status, 200); // the recovery codes, once, with a link onwards
  assertStringIncludes(b.lastHtml, `href="${target}"`);
});

Deno.test("self-verification: the jose example of docs/protecting-apps.md accepts a session token and refuses the others", async () => {
  const { env, enrolled } = await setup();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, env.app.fetch);
  try {
    const base = `http://127.0.0.1:${server.addr.port}`;
    // As in docs/protecting-apps.md (plus currentDate: the test clock is fixed).
    const JWKS = createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`));
    const verifySession = (token: string) =>
      jwtVerify(token, JWKS, {
        issuer: "twofold",
        audience: "twofold:session",
        algorithms: ["EdDSA", "ES256"],
        typ: "twofold-session+jwt",
        requiredClaims: ["exp", "iat", "jti", "sub"],
        currentDate: env.clock.now(),
      });
    const { payload } = await verifySession(enrolled.sessionToken);
    const me = await api(env, "GET", "/api/v1/session", undefined, enrolled.sessionToken);
    assertEquals(payload.sub, me.json.user.id);
    assertEquals(payload.sid, me.json.session.id);
    // A pending token (another typ and aud) is refused.
    const p = await api(env, "POST", "/api/v1/login", { username: "alice", password: PASSWORD });
    let refused = false;
    try {
      await verifySession(p.json.pending_token);
    } catch {
      refused = true;
    }
    assert(refused, "a pending token must not pass as a session");
  } finally {
    await server.shutdown();
  }
});

Deno.test("behind a TLS-terminating proxy the pages' forms need PUBLIC_URL to be the protected host", async () => {
  // The proxy speaks plain http to twofold, so the request URL is http://app.example.com/...
  // while the browser's Origin is https://app.example.com.
  const passwordStep = async (env: TestEnv) => {
    const page = await env.app.request("http://app.example.com/login");
    const cookie = page.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const csrf = (await page.text()).match(/name="csrf_token" value="([^"]+)"/)![1];
    const res = await env.app.request("http://app.example.com/login", {
      method: "POST",
      headers: {
        cookie,
        origin: APP,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ csrf_token: csrf, username: "alice", password: PASSWORD }),
    });
    return res.status;
  };
  const withPublicUrl = await setup({ PUBLIC_URL: APP, COOKIE_SECURE: "true" });
  assertEquals(await passwordStep(withPublicUrl.env), 303);
  const without = await setup({ COOKIE_SECURE: "true" });
  assertEquals(await passwordStep(without.env), 403);
});
