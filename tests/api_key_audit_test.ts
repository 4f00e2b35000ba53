/** Successful API key uses are audited, at most once per key per API_KEY_AUDIT_MINUTES. */
import { and, eq } from "drizzle-orm";
import { auditEvents } from "../src/db/schema.ts";
import { MINUTE } from "../src/lib/clock.ts";
import { assertEquals } from "./assert.ts";
import { addUser, api, enrollViaApi, testApp, type TestEnv } from "./helpers.ts";

async function setup(env: TestEnv) {
  await addUser(env, "root", ["admin"]);
  await addUser(env, "alice");
  const admin = await enrollViaApi(env, "root");
  const key = async (name: string) =>
    (await api(env, "POST", "/api/v1/admin/api-keys", {
      username: "alice",
      name,
      scopes: ["read"],
    }, admin.sessionToken)).json;
  return { one: await key("busy job"), two: await key("other job") };
}

const uses = async (env: TestEnv) =>
  (await env.deps.db.select().from(auditEvents).where(
    and(eq(auditEvents.event, "api_key.use"), eq(auditEvents.outcome, "success")),
  )).map((r) => JSON.parse(r.detail).key as string);

Deno.test("api key audit: a busy key writes one success row per interval, also under parallel load", async () => {
  const env = await testApp();
  const { one, two } = await setup(env);
  const call = (k: string) => api(env, "GET", "/api/v1/session", undefined, k);
  const answers = await Promise.all(Array.from({ length: 20 }, () => call(one.api_key)));
  assertEquals(answers.every((a) => a.status === 200), true);
  assertEquals(await uses(env), [one.id], "20 parallel uses, one row");
  await call(two.api_key);
  assertEquals((await uses(env)).sort(), [one.id, two.id].sort(), "each key has its own interval");
  env.clock.advance(9 * MINUTE);
  await call(one.api_key);
  assertEquals((await uses(env)).length, 2, "still inside the 10 minutes");
  env.clock.advance(1 * MINUTE);
  await call(one.api_key);
  assertEquals((await uses(env)).filter((k) => k === one.id).length, 2, "a new interval");
});

Deno.test("api key audit: API_KEY_AUDIT_MINUTES=0 audits every use", async () => {
  const env = await testApp({ API_KEY_AUDIT_MINUTES: "0" });
  const { one } = await setup(env);
  for (let i = 0; i < 3; i++) await api(env, "GET", "/api/v1/session", undefined, one.api_key);
  assertEquals((await uses(env)).length, 3);
});
