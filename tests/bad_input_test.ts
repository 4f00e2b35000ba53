/** Bad input gets a clear 400 with field errors, never a 500. */
import { assert, assertEquals } from "./assert.ts";
import { addUser, api, Browser, enrollViaApi, testApp } from "./helpers.ts";

const ROUTES = [
  "/api/v1/login",
  "/api/v1/login/totp",
  "/api/v1/login/recovery",
  "/api/v1/login/cancel",
  "/api/v1/enrollments/abc/confirm",
];

Deno.test("bad input: malformed JSON, wrong types and missing fields answer 400 with fields", async () => {
  const env = await testApp();
  await addUser(env);
  const bodies: unknown[] = [
    "{not json",
    "[]",
    "null",
    "42",
    {},
    { username: 5, password: [], pending_token: {}, code: 123456, recovery_code: null },
    { username: "a".repeat(10_000), password: "b".repeat(10_000), code: "1".repeat(100) },
  ];
  for (const path of ROUTES) {
    for (const body of bodies) {
      const r = await api(env, "POST", path, body, "x.y.z");
      if (path.includes("enrollments") && r.status === 401) continue; // auth is checked first
      assertEquals(r.status, 400, `${path} ${JSON.stringify(body).slice(0, 40)}`);
      assertEquals(r.json.error.code, "validation_failed");
      assert(Object.keys(r.json.error.fields).length > 0);
    }
  }
  const missing = await api(env, "POST", "/api/v1/login", { username: "alice" });
  assertEquals(Object.keys(missing.json.error.fields), ["password"]);
});

Deno.test("bad input: no content type or a form body on the JSON API is a 400", async () => {
  const env = await testApp();
  const r = await env.app.request("/api/v1/login", { method: "POST", body: "username=a" });
  assertEquals(r.status, 400);
  const r2 = await env.app.request("/api/v1/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "username=a&password=b",
  });
  assertEquals(r2.status, 400);
});

Deno.test("bad input: unknown routes answer 404 in JSON under /api and HTML elsewhere", async () => {
  const env = await testApp();
  const a = await api(env, "GET", "/api/v1/nope");
  assertEquals([a.status, a.json.error.code], [404, "not_found"]);
  const h = await env.app.request("/nope");
  assertEquals(h.status, 404);
  assert((h.headers.get("content-type") ?? "").startsWith("text/html"));
});

Deno.test("bad input: forms re-render with a message and status 400", async () => {
  const env = await testApp();
  await addUser(env);
  const b = new Browser(env);
  await b.get("/login");
  const r = await b.post("/login", { username: "", password: "" });
  assertEquals(r.status, 400);
  assert(b.lastHtml.includes('role="alert"'));
  assert(b.lastHtml.includes("Enter your username."));
  const junk = await b.post("/login", { username: "x".repeat(5000), password: "p" });
  assertEquals(junk.status, 400);
});

Deno.test("bad input: garbage bearer tokens are 401, not 500", async () => {
  const env = await testApp();
  for (const t of ["", "abc", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "x".repeat(5000)]) {
    const r = await env.app.request("/api/v1/session", {
      headers: { authorization: `Bearer ${t}` },
    });
    assertEquals(r.status, 401, t.slice(0, 20));
  }
});

Deno.test("bad input: no body, a form body or an empty patch on the routes that answered 500", async () => {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  const alice = await addUser(env);
  const admin = (await enrollViaApi(env, "root")).sessionToken;
  const user = (await enrollViaApi(env, "alice")).sessionToken;
  const send = (method: string, path: string, token: string, init: RequestInit = {}) =>
    env.app.request(path, {
      method,
      ...init,
      headers: { ...init.headers, authorization: `Bearer ${token}` },
    });
  const form = {
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "label=phone",
  };

  for (
    const [path, status] of [
      ["/api/v1/me/authenticators", 201], // the session is fresh from enrolling
      ["/api/v1/me/authenticators/x/replace", 404],
    ] as const
  ) {
    // No body: all its fields are optional, so the route runs.
    const none = await send("POST", path, user);
    assertEquals(none.status, status, path);
    await none.body?.cancel();
    const asForm = await send("POST", path, user, form);
    assertEquals(asForm.status, 400);
    assertEquals((await asForm.json()).error.fields, {
      _body: ["Send a JSON body with Content-Type: application/json."],
    });
  }

  const userPath = `/api/v1/admin/users/${alice.id}`;
  for (const init of [{}, { headers: { "content-type": "application/json" }, body: "{}" }]) {
    const patch = await send("PATCH", userPath, admin, init);
    assertEquals(patch.status, 200);
    assertEquals((await patch.json()).user.username, "alice");
  }
  const events = await env.deps.db.run(
    "SELECT 1 FROM audit_events WHERE event = 'admin.user_update'",
  );
  assertEquals(events.rows.length, 0, "an empty patch changes nothing and logs nothing");

  const text = await send("POST", `${userPath}/reset-2fa`, admin, {
    headers: { "content-type": "text/plain" },
    body: "mode=plain",
  });
  assertEquals([text.status, (await text.json()).error.code], [400, "validation_failed"]);
  const reset = await send("POST", `${userPath}/reset-2fa`, admin);
  assertEquals(reset.status, 200);
  assertEquals((await reset.json()).mode, "pass");
});

Deno.test("bad input: credentials are checked before the body is read", async () => {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  await addUser(env);
  const admin = (await enrollViaApi(env, "root")).sessionToken;
  const user = (await enrollViaApi(env, "alice")).sessionToken;
  const cases: [string, string, string | undefined, number, string][] = [
    ["POST", "/api/v1/me/password", undefined, 401, "unauthorized"],
    ["POST", "/api/v1/me/reauth", "x.y.z", 401, "unauthorized"],
    ["POST", "/api/v1/enrollments/x/confirm", undefined, 401, "unauthorized"],
    ["POST", "/api/v1/me/tokens", undefined, 401, "unauthorized"],
    ["POST", "/api/v1/admin/users", undefined, 401, "unauthorized"],
    ["POST", "/api/v1/admin/users", user, 403, "forbidden"],
    ["POST", "/api/v1/admin/api-keys", user, 403, "forbidden"],
    ["POST", "/api/v1/admin/users", admin, 400, "validation_failed"],
    ["POST", "/api/v1/me/password", user, 400, "validation_failed"],
  ];
  for (const [method, path, token, status, code] of cases) {
    for (const body of [{ password: 5 }, "{not json"]) {
      const r = await api(env, method, path, body, token);
      assertEquals([r.status, r.json.error.code], [status, code], `${path} ${token?.slice(0, 5)}`);
    }
  }
  // Not one byte of an anonymous body is read (its Content-Length is within the limit).
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      controller.enqueue(new TextEncoder().encode("{}"));
      controller.close();
    },
  }, { highWaterMark: 0 });
  const anonymous = await env.app.request("/api/v1/me/password", {
    method: "POST",
    headers: { "content-type": "application/json", "content-length": "2" },
    body,
  });
  assertEquals(anonymous.status, 401);
  assertEquals(pulled, 0);
});
