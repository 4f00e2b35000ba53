/** Security property: every state-changing form needs a CSRF token and the service's own origin. */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { addUser, Browser, PASSWORD, testApp, type TestEnv } from "./helpers.ts";

const FORMS = ["/login", "/login/totp", "/login/recovery", "/login/cancel", "/enroll", "/logout"];

Deno.test("csrf: every form POST without a token is refused with 403", async () => {
  const env = await testApp();
  await addUser(env);
  const b = new Browser(env);
  await b.get("/login");
  for (const path of FORMS) {
    const r = await b.post(path, { username: "alice", password: PASSWORD }, { csrf: null });
    assertEquals(r.status, 403, path);
    assertStringIncludes(b.lastHtml, "This form has expired");
  }
});

Deno.test("csrf: a token from another browser is refused", async () => {
  const env = await testApp();
  await addUser(env);
  const mallory = new Browser(env);
  await mallory.get("/login");
  const stolen = mallory.csrf()!;
  const victim = new Browser(env);
  await victim.get("/login");
  const r = await victim.post("/login", { username: "alice", password: PASSWORD }, {
    csrf: stolen,
  });
  assertEquals(r.status, 403);
});

Deno.test("csrf: a cross-site Origin is refused even with a valid token", async () => {
  const env = await testApp();
  await addUser(env);
  const b = new Browser(env);
  await b.get("/login");
  const form = new URLSearchParams({
    username: "alice",
    password: PASSWORD,
    csrf_token: b.csrf()!,
  });
  const r = await env.app.request("http://localhost/login", {
    method: "POST",
    headers: {
      cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
      "content-type": "application/x-www-form-urlencoded",
      origin: "https://evil.example",
    },
    body: form.toString(),
  });
  assertEquals(r.status, 403);
});

Deno.test("csrf: the right token and origin pass", async () => {
  const env = await testApp();
  await addUser(env);
  const b = new Browser(env);
  await b.get("/login");
  const r = await b.post("/login", { username: "alice", password: PASSWORD });
  assertEquals(r.status, 303);
  assertEquals(r.headers.get("location"), "/enroll");
});

/**
 * Posts alice's login form with the browser's cookies and its valid token, from `origin` (no
 * `Origin` header when undefined), to `url`; returns the status and the `csrf.rejected` reasons.
 */
async function postLoginFrom(
  env: TestEnv,
  b: Browser,
  origin: string | undefined,
  url = "http://localhost/login",
): Promise<{ status: number; rejected: unknown[] }> {
  const rejected: unknown[] = [];
  env.deps.log = (_level, msg, fields) => {
    if (msg === "csrf.rejected") rejected.push(fields?.reason);
  };
  const res = await env.app.request(url, {
    method: "POST",
    headers: {
      cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
      "content-type": "application/x-www-form-urlencoded",
      ...(origin === undefined ? {} : { origin }),
    },
    body: new URLSearchParams({ username: "alice", password: PASSWORD, csrf_token: b.csrf()! })
      .toString(),
  });
  await res.body?.cancel();
  return { status: res.status, rejected };
}

Deno.test("csrf: Origin null is refused even with a valid token, for its origin", async () => {
  const env = await testApp();
  await addUser(env);
  const b = new Browser(env);
  await b.get("/login");
  assertEquals(await postLoginFrom(env, b, "null"), { status: 403, rejected: ["origin"] });
});

Deno.test("csrf: another site, port or scheme is another origin, refused for its origin", async () => {
  const env = await testApp();
  await addUser(env);
  const b = new Browser(env);
  await b.get("/login");
  for (const origin of ["https://evil.example", "http://localhost:8080", "https://localhost"]) {
    assertEquals(
      await postLoginFrom(env, b, origin),
      { status: 403, rejected: ["origin"] },
      origin,
    );
  }
});

Deno.test("csrf: a wrong token is refused for its token, whatever the origin", async () => {
  const env = await testApp();
  await addUser(env);
  const b = new Browser(env);
  await b.get("/login");
  const other = new Browser(env);
  await other.get("/login");
  b.cookies = other.cookies; // another browser's cookie: the token no longer matches it
  for (const origin of ["http://localhost", "https://evil.example"]) {
    assertEquals(await postLoginFrom(env, b, origin), { status: 403, rejected: ["token"] }, origin);
  }
});

Deno.test("csrf: the service's origin and PUBLIC_URL's are accepted, forward-auth hosts are not", async () => {
  const env = await testApp({
    PUBLIC_URL: "https://login.example.com",
    FORWARD_AUTH_ALLOWED_HOSTS: "app.example.com",
  });
  await addUser(env);
  // Behind a proxy that ends TLS: the request reaches us as http://127.0.0.1:8000.
  const url = "http://127.0.0.1:8000/login";
  const b = new Browser(env, "http://127.0.0.1:8000");
  await b.get("/login");
  assertEquals(await postLoginFrom(env, b, "https://login.example.com", url), {
    status: 303,
    rejected: [],
  });
  assertEquals(await postLoginFrom(env, b, "http://127.0.0.1:8000", url), {
    status: 303,
    rejected: [],
  });
  for (const origin of ["https://app.example.com", "http://login.example.com"]) {
    assertEquals(
      await postLoginFrom(env, b, origin, url),
      { status: 403, rejected: ["origin"] },
      origin,
    );
  }
});

Deno.test("csrf: a post without Origin (not a browser) is left to the token alone", async () => {
  const env = await testApp();
  await addUser(env);
  const b = new Browser(env);
  await b.get("/login");
  assertEquals(await postLoginFrom(env, b, undefined), { status: 303, rejected: [] });
  b.cookies.clear();
  assertEquals(await postLoginFrom(env, b, undefined), { status: 403, rejected: ["token"] });
});

Deno.test("csrf: pages send Referrer-Policy same-origin, so browsers send their real Origin", async () => {
  const env = await testApp();
  for (const path of ["/login", "/password/forgot", "/nowhere"]) {
    const res = await env.app.request(path);
    await res.body?.cancel();
    assertEquals(res.headers.get("referrer-policy"), "same-origin", path);
  }
});
