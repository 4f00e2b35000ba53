/** Sessions bound to the client address (optional): used from elsewhere, a session ends (audited). */
import { eq } from "drizzle-orm";
import { auditEvents, sessions } from "../src/db/schema.ts";
import { assert, assertEquals } from "./assert.ts";
import { totpCodeAt } from "../src/totp/totp.ts";
import { addUser, api, PASSWORD, testApp, type TestEnv } from "./helpers.ts";

const from = (ip: string) => ({ "x-real-ip": ip });

async function signedIn(env: TestEnv, ip: string) {
  await addUser(env, "alice");
  // The enrollment runs from `ip`: the session is signed in from there.
  const login = await api(
    env,
    "POST",
    "/api/v1/login",
    {
      username: "alice",
      password: PASSWORD,
    },
    undefined,
    from(ip),
  );
  const start = await api(
    env,
    "POST",
    "/api/v1/enrollments",
    {},
    login.json.pending_token,
    from(ip),
  );
  const confirm = await api(
    env,
    "POST",
    `/api/v1/enrollments/${start.json.enrollment_id}/confirm`,
    { code: totpCodeAt(start.json.secret, env.clock.now()) },
    login.json.pending_token,
    from(ip),
  );
  assertEquals(confirm.status, 200);
  return confirm.json.session_token as string;
}

const me = (env: TestEnv, token: string, ip: string) =>
  api(env, "GET", "/api/v1/session", undefined, token, from(ip));

Deno.test("session binding: another IPv4 address ends the session, audited with both addresses", async () => {
  const env = await testApp({ CLIENT_IP_HEADER: "x-real-ip", SESSION_BIND_ADDRESS: "true" });
  const token = await signedIn(env, "198.51.100.1");
  assertEquals((await me(env, token, "198.51.100.1")).status, 200);
  assertEquals((await me(env, token, "198.51.100.2")).status, 401);
  // Ended, not merely refused: the first address cannot use it either.
  assertEquals((await me(env, token, "198.51.100.1")).status, 401);
  const [row] = await env.deps.db.select().from(sessions);
  assert(row.revokedAt !== null);
  const events = await env.deps.db.select().from(auditEvents)
    .where(eq(auditEvents.event, "session.address_changed"));
  assertEquals(events.length, 1);
  assertEquals(JSON.parse(events[0].detail).signed_in_from, "198.51.100.1");
  assertEquals(JSON.parse(events[0].detail).used_from, "198.51.100.2");
  assertEquals(events[0].username, "alice");
});

Deno.test("session binding: IPv6 may move within its /64, not out of it", async () => {
  const env = await testApp({ CLIENT_IP_HEADER: "x-real-ip", SESSION_BIND_ADDRESS: "true" });
  const token = await signedIn(env, "2001:db8:1:2::1");
  assertEquals((await me(env, token, "2001:db8:1:2:ffff::99")).status, 200);
  assertEquals((await me(env, token, "2001:db8:1:3::1")).status, 401);
});

Deno.test("session binding: off by default", async () => {
  const env = await testApp({ CLIENT_IP_HEADER: "x-real-ip" });
  const token = await signedIn(env, "198.51.100.1");
  assertEquals((await me(env, token, "203.0.113.50")).status, 200);
});

Deno.test("session binding: the pages' cookie session too", async () => {
  const env = await testApp({ CLIENT_IP_HEADER: "x-real-ip", SESSION_BIND_ADDRESS: "true" });
  const token = await signedIn(env, "198.51.100.1");
  const page = (ip: string) =>
    env.app.request("http://localhost/account", {
      headers: { cookie: `twofold_session=${token}`, "x-real-ip": ip },
    });
  assertEquals((await page("198.51.100.1")).status, 200);
  const moved = await page("198.51.100.77");
  assertEquals(moved.status, 303);
  assertEquals((await page("198.51.100.1")).status, 303);
});
