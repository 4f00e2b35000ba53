/** Where a session was opened, as the platform says (Cloudflare's request.cf), and only then. */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { clientLocation } from "../src/http/client.ts";
import {
  addUser,
  api,
  Browser,
  codeNow,
  enrollViaApi,
  nextStep,
  PASSWORD,
  testApp,
} from "./helpers.ts";
import type { TestEnv } from "./helpers.ts";

/** A JSON request as Workers would hand it over: with `cf` set by the edge. */
async function edgeApi(
  env: TestEnv,
  path: string,
  body: unknown,
  cf: Record<string, unknown>,
  token?: string,
  // deno-lint-ignore no-explicit-any -- tests read arbitrary JSON shapes
): Promise<any> {
  const text = JSON.stringify(body);
  const req = new Request(`http://localhost${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      // As the edge sends it; without it the body-limit check rebuilds the request (Deno drops cf).
      "content-length": String(new TextEncoder().encode(text).length),
      "cf-connecting-ip": "203.0.113.9",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: text,
  });
  Object.defineProperty(req, "cf", { value: cf });
  const res = await env.app.fetch(req);
  return await res.json();
}

Deno.test("session location: stored from request.cf at sign-in, shown to the user and admins", async () => {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  await addUser(env, "alice");
  const admin = await enrollViaApi(env, "root");
  const alice = await enrollViaApi(env, "alice"); // no cf: location unknown
  nextStep(env);
  const pending = await edgeApi(env, "/api/v1/login", { username: "alice", password: PASSWORD }, {
    country: "FR",
    city: "Paris",
  });
  const done = await edgeApi(env, "/api/v1/login/totp", {
    pending_token: pending.pending_token,
    code: codeNow(env, alice.secret),
  }, { country: "FR", city: "Paris" });
  assertEquals(done.status, "authenticated");

  const mine = await api(env, "GET", "/api/v1/me/sessions", undefined, done.session_token);
  const byCurrent = Object.fromEntries(
    mine.json.sessions.map((s: { current: boolean; location: string | null }) => [
      String(s.current),
      s,
    ]),
  );
  assertEquals(byCurrent.true.location, "Paris, FR");
  assertEquals(byCurrent.true.ip, "203.0.113.9");
  assertEquals(byCurrent.false.location, null);

  const listed = await api(
    env,
    "GET",
    "/api/v1/admin/sessions?user=alice",
    undefined,
    admin.sessionToken,
  );
  assertEquals(
    listed.json.sessions.map((s: { location: string | null }) => s.location).sort(),
    ["Paris, FR", null],
  );
});

Deno.test("session location: a session made at enrollment carries it; an unknown country is not shown", async () => {
  const env = await testApp();
  await addUser(env, "root", ["admin"]);
  await addUser(env, "bob");
  const admin = await enrollViaApi(env, "root");
  const login = await edgeApi(env, "/api/v1/login", { username: "bob", password: PASSWORD }, {
    country: "XX",
  });
  const start = await api(env, "POST", "/api/v1/enrollments", {}, login.pending_token);
  const confirm = await edgeApi(
    env,
    `/api/v1/enrollments/${start.json.enrollment_id}/confirm`,
    { code: codeNow(env, start.json.secret) },
    { country: "XX", city: "Berlin" },
    login.pending_token,
  );
  assertEquals(typeof confirm.session_token, "string");
  const listed = await api(
    env,
    "GET",
    "/api/v1/admin/sessions?user=bob",
    undefined,
    admin.sessionToken,
  );
  assertEquals(listed.json.sessions[0].location, "Berlin");
  assertEquals(clientLocationOf({ country: "XX" }), null);
  assertEquals(clientLocationOf({ country: "CH" }), "CH");
  assertEquals(clientLocationOf({ country: "", city: " " }), null);
});

/** clientLocation() of a request with this `cf`. */
function clientLocationOf(cf: Record<string, unknown>): string | null {
  const req = new Request("http://localhost/");
  Object.defineProperty(req, "cf", { value: cf });
  return clientLocation(req);
}

Deno.test("session location: the account page shows it beside the address", async () => {
  const env = await testApp();
  await addUser(env, "carol");
  const e = await enrollViaApi(env, "carol");
  await env.deps.db.run(`UPDATE sessions SET location = 'Zürich, CH'`);
  const b = new Browser(env);
  await b.get("/login");
  await b.post("/login", { username: "carol", password: PASSWORD });
  nextStep(env);
  await b.get("/login/totp");
  await b.post("/login/totp", { code: codeNow(env, e.secret) });
  const r = await b.get("/account");
  assertEquals(r.status, 200);
  assertStringIncludes(b.lastHtml, "(Zürich, CH)");
});
