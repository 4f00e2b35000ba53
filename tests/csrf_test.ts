/** Security property: every state-changing form needs a CSRF token and a same-site origin. */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { addUser, Browser, PASSWORD, testApp } from "./helpers.ts";

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
