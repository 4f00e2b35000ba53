/** The /account pages: sudo mode in the browser, regenerate, remove, sessions. */
import { totpCodeAt } from "../src/totp/totp.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { addUser, Browser, nextStep, PASSWORD, testApp, type TestEnv } from "./helpers.ts";

async function signedIn(env: TestEnv) {
  await addUser(env);
  const b = new Browser(env);
  await b.get("/login");
  await b.post("/login", { username: "alice", password: PASSWORD });
  await b.get("/enroll");
  const secret = b.attr("secret", "data-secret")!;
  const enrollmentId = b.lastHtml.match(/name="enrollment_id" value="([^"]+)"/)![1];
  await b.post("/enroll", {
    enrollment_id: enrollmentId,
    code: totpCodeAt(secret, env.clock.now()),
  });
  await b.get("/account");
  return { b, secret };
}

Deno.test("account pages: the page lists factors, devices and sessions, and ignores unknown notices", async () => {
  const env = await testApp();
  const { b } = await signedIn(env);
  assertStringIncludes(b.lastHtml, 'id="authenticators"');
  assertStringIncludes(b.lastHtml, 'id="sessions"');
  assertStringIncludes(b.lastHtml, "(this session)");
  await b.get("/account?notice=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
  assert(!b.lastHtml.includes("<script>"));
  await b.get("/account?notice=device_revoked");
  assertStringIncludes(b.lastHtml, "will be asked for a code again");
});

Deno.test("account pages: regenerating codes asks for re-auth when stale, then shows the set once with a download", async () => {
  const env = await testApp();
  const { b, secret } = await signedIn(env);
  env.clock.advance(6 * 60_000);
  const stale = await b.post("/account/recovery-codes", {});
  assertEquals(stale.status, 303);
  assertEquals(stale.headers.get("location"), "/account/reauth?next=%2Faccount");
  await b.get("/account/reauth?next=%2Faccount");
  const wrong = await b.post("/account/reauth", {
    next: "/account",
    password: PASSWORD,
    code: "000000",
  });
  assertEquals(wrong.status, 401);
  assertStringIncludes(b.lastHtml, "That code is not valid");
  nextStep(env);
  const ok = await b.post("/account/reauth", {
    next: "/account",
    password: PASSWORD,
    code: totpCodeAt(secret, env.clock.now()),
  });
  assertEquals(ok.headers.get("location"), "/account?notice=reauthenticated");
  const regen = await b.post("/account/recovery-codes", {});
  assertEquals(regen.status, 200);
  assertEquals([...b.lastHtml.matchAll(/<li><code>/g)].length, 10);
  assertStringIncludes(b.lastHtml, 'download="twofold-recovery-codes.txt"');
  assertStringIncludes(b.lastHtml, "data:text/plain;charset=utf-8,");
});

Deno.test("account pages: removing the only authenticator shows the policy message", async () => {
  const env = await testApp();
  const { b } = await signedIn(env);
  const id = b.lastHtml.match(/action="\/account\/authenticators\/([^/]+)\/remove"/)![1];
  const r = await b.post(`/account/authenticators/${id}/remove`, {});
  assertEquals(r.status, 409);
  assertStringIncludes(b.lastHtml, "This is your only authenticator");
});

Deno.test("account pages: reauth refuses an off-site next and log out everywhere ends this session", async () => {
  const env = await testApp();
  const { b, secret } = await signedIn(env);
  await b.get("/account/reauth?next=https%3A%2F%2Fevil.example");
  assertStringIncludes(b.lastHtml, 'name="next" value="/account"');
  nextStep(env);
  const r = await b.post("/account/reauth", {
    next: "https://evil.example",
    password: PASSWORD,
    code: totpCodeAt(secret, env.clock.now()),
  });
  assertEquals(r.headers.get("location"), "/account?notice=reauthenticated");
  const out = await b.post("/account/sessions/end-all", {});
  assertEquals(out.headers.get("location"), "/login");
  const after = await b.get("/account");
  assertEquals(after.status, 303);
});
