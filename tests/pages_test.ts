/** The HTML flows through app.request with a cookie-keeping client. */
import { auditEvents } from "../src/db/schema.ts";
import { totpCodeAt } from "../src/totp/totp.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { addUser, Browser, nextStep, PASSWORD, testApp, type TestEnv } from "./helpers.ts";

/** Walks a browser through login and enrollment; returns the secret and recovery codes. */
async function enrollInBrowser(env: TestEnv, b: Browser, redirect?: string) {
  await b.get(`/login${redirect ? `?redirect=${encodeURIComponent(redirect)}` : ""}`);
  const r = await b.post("/login", {
    username: "alice",
    password: PASSWORD,
    ...(redirect ? { redirect } : {}),
  });
  assertEquals(r.status, 303);
  const enrollUrl = r.headers.get("location")!;
  assertMatch(enrollUrl, /^\/enroll/);
  const page = await b.get(enrollUrl);
  assertEquals(page.status, 200);
  const secret = b.attr("secret", "data-secret")!;
  assertMatch(secret, /^[A-Z2-7]{32}$/);
  assertStringIncludes(b.lastHtml, "<svg");
  assertStringIncludes(b.lastHtml, `secret=${secret}`);
  const enrollmentId = b.lastHtml.match(/name="enrollment_id" value="([^"]+)"/)![1];

  // A wrong code re-renders the same enrollment with the error next to the field.
  const wrong = await b.post("/enroll", {
    enrollment_id: enrollmentId,
    code: "000000",
    ...(redirect ? { redirect } : {}),
  });
  assertEquals(wrong.status, 401);
  assertEquals(b.attr("secret", "data-secret"), secret);
  assertStringIncludes(b.lastHtml, 'id="code-error"');

  const ok = await b.post("/enroll", {
    enrollment_id: enrollmentId,
    code: totpCodeAt(secret, env.clock.now()),
    ...(redirect ? { redirect } : {}),
  });
  assertEquals(ok.status, 200);
  const codes = [...b.lastHtml.matchAll(/<li><code>([0-9a-z-]+)<\/code><\/li>/g)].map((m) => m[1]);
  assertEquals(codes.length, 10);
  return { secret, codes };
}

Deno.test("pages: login, enrollment inside the login, recovery codes once, account", async () => {
  const env = await testApp();
  await addUser(env);
  const b = new Browser(env);
  await enrollInBrowser(env, b);
  assert(b.cookies.has("twofold_session"));
  assert(!b.cookies.has("twofold_pending"));
  const account = await b.get("/account");
  assertEquals(account.status, 200);
  assertStringIncludes(b.lastHtml, "alice");
  assertStringIncludes(b.lastHtml, "10 of your recovery codes are");
  // The codes are never shown again.
  const again = await b.get("/enroll");
  assert(!again.headers.get("location")?.includes("codes"));
});

Deno.test("pages: challenge with a wrong then a right code, honouring a safe redirect", async () => {
  const env = await testApp();
  await addUser(env);
  const b = new Browser(env);
  const { secret } = await enrollInBrowser(env, b);
  await b.post("/logout", {});
  assert(!b.cookies.has("twofold_session"));
  nextStep(env);

  await b.get("/login?redirect=%2Fapp%2Fdashboard%3Fx%3D1");
  const r = await b.post("/login", {
    username: "alice",
    password: PASSWORD,
    redirect: "/app/dashboard?x=1",
  });
  assertEquals(r.headers.get("location"), "/login/totp?redirect=%2Fapp%2Fdashboard%3Fx%3D1");
  await b.get(r.headers.get("location")!);
  assertStringIncludes(b.lastHtml, 'autocomplete="one-time-code"');
  assertStringIncludes(b.lastHtml, 'inputmode="numeric"');
  const wrong = await b.post("/login/totp", { code: "000000", redirect: "/app/dashboard?x=1" });
  assertEquals(wrong.status, 401);
  assertStringIncludes(b.lastHtml, "That code is not valid");
  const code = totpCodeAt(secret, env.clock.now());
  const ok = await b.post("/login/totp", {
    code: `${code.slice(0, 3)} ${code.slice(3)}`,
    redirect: "/app/dashboard?x=1",
  });
  assertEquals(ok.status, 303);
  assertEquals(ok.headers.get("location"), "/app/dashboard?x=1");
});

Deno.test("pages: a redirect to another site is replaced by the account page", async () => {
  const env = await testApp();
  await addUser(env);
  const b = new Browser(env);
  const { secret } = await enrollInBrowser(env, b);
  await b.post("/logout", {});
  nextStep(env);
  for (const evil of ["https://evil.example/", "//evil.example", "/\\evil.example"]) {
    await b.get("/login");
    await b.post("/login", { username: "alice", password: PASSWORD, redirect: evil });
    await b.get("/login/totp");
    const ok = await b.post("/login/totp", {
      code: totpCodeAt(secret, env.clock.now()),
      redirect: evil,
    });
    assertEquals(ok.headers.get("location"), "/account", evil);
    await b.post("/logout", {});
    nextStep(env);
  }
});

Deno.test("pages: recovery code login tells how many remain", async () => {
  const env = await testApp();
  await addUser(env);
  const b = new Browser(env);
  const { codes } = await enrollInBrowser(env, b);
  await b.post("/logout", {});
  await b.get("/login");
  await b.post("/login", { username: "alice", password: PASSWORD });
  await b.get("/login/recovery");
  const bad = await b.post("/login/recovery", { recovery_code: "nope" });
  assertEquals(bad.status, 401);
  const ok = await b.post("/login/recovery", { recovery_code: codes[0] });
  assertEquals(ok.status, 200);
  assertStringIncludes(b.lastHtml, "You have 9 recovery codes left");
  await b.get("/account");
  assertStringIncludes(b.lastHtml, "with a recovery code");
  assertStringIncludes(b.lastHtml, "9 of your recovery codes");
});

Deno.test("pages: trusting a device skips the challenge next time; logging out forgets it", async () => {
  const env = await testApp();
  await addUser(env);
  const b = new Browser(env);
  const { secret } = await enrollInBrowser(env, b);
  await b.post("/logout", {});
  nextStep(env);
  await b.get("/login");
  await b.post("/login", { username: "alice", password: PASSWORD });
  await b.get("/login/totp");
  assertStringIncludes(b.lastHtml, 'value="Chrome on Linux"');
  await b.post("/login/totp", {
    code: totpCodeAt(secret, env.clock.now()),
    trust_device: "true",
    device_name: "",
  });
  assert(b.cookies.has("twofold_device"));
  // New session without the challenge: drop the session cookie only.
  b.cookies.delete("twofold_session");
  await b.get("/login");
  const skip = await b.post("/login", { username: "alice", password: PASSWORD });
  assertEquals(skip.headers.get("location"), "/account");
  await b.get("/account");
  assertStringIncludes(b.lastHtml, "on a trusted device");
  const devices = await env.deps.db.query.trustedDevices.findMany();
  assertEquals(devices.map((d) => d.name), ["Chrome on Linux"]);

  // An explicit logout from this device forgets it: the next login is challenged.
  await b.post("/logout", {});
  assert(!b.cookies.has("twofold_device"));
  const [row] = await env.deps.db.query.trustedDevices.findMany();
  assert(row.revokedAt !== null);
});

Deno.test("pages: over https the cookies are __Host-, Secure, HttpOnly and SameSite=Lax", async () => {
  const env = await testApp();
  await addUser(env);
  const b = new Browser(env, "https://login.example.com");
  await b.get("/login");
  const r = await b.post("/login", { username: "alice", password: PASSWORD });
  const cookies = r.headers.getSetCookie();
  const pending = cookies.find((c) => c.startsWith("__Host-twofold_pending="))!;
  assert(pending, cookies.join("\n"));
  for (const attr of ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"]) {
    assertStringIncludes(pending, attr);
  }
  assert(!/Domain=/i.test(pending));
  const page = await b.get("/enroll");
  assertEquals(page.status, 200);
});

Deno.test("pages: the account page needs a session and pages send security headers", async () => {
  const env = await testApp();
  const r = await env.app.request("http://localhost/account");
  assertEquals(r.status, 303);
  assertEquals(r.headers.get("location"), "/login?redirect=%2Faccount");
  const login = await env.app.request("http://localhost/login");
  assertStringIncludes(login.headers.get("content-security-policy")!, "frame-ancestors 'none'");
  assertEquals(login.headers.get("x-content-type-options"), "nosniff");
  assertMatch(await login.text(), /^<!doctype html>/);
  const totp = await env.app.request("http://localhost/login/totp");
  assertEquals(totp.headers.get("location"), "/login");
});

Deno.test("pages: every step of the HTML login is audited", async () => {
  const env = await testApp();
  await addUser(env);
  const b = new Browser(env);
  await enrollInBrowser(env, b);
  await b.post("/logout", {});
  await b.get("/login");
  await b.post("/login", { username: "alice", password: "wrong" });
  const events = (await env.deps.db.select().from(auditEvents)).map((e) =>
    `${e.event}:${e.outcome}`
  );
  for (
    const expected of [
      "login.password:success",
      "enrollment.start:success",
      "enrollment.confirm:failure",
      "enrollment.confirm:success",
      "logout:success",
      "login.password:failure",
    ]
  ) assert(events.includes(expected), `${expected} in ${events.join(", ")}`);
  const all = JSON.stringify(await env.deps.db.select().from(auditEvents));
  assert(!all.includes(PASSWORD) && !all.includes('"wrong"'));
});

Deno.test("pages: behind a TLS proxy that forwards to plain http, an https PUBLIC_URL keeps cookies secure", async () => {
  const env = await testApp({ PUBLIC_URL: "https://login.example.com" });
  const r = await env.app.request("http://127.0.0.1:8000/login");
  const cookie = r.headers.getSetCookie().find((c) => c.includes("twofold_csrf"))!;
  assert(cookie.startsWith("__Host-twofold_csrf="), cookie);
  assertStringIncludes(cookie, "Secure");
});
