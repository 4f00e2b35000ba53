/** Passwords: a login with a correct password rehashes when the configured cost changed. */
import { eq } from "drizzle-orm";
import { users } from "../src/db/schema.ts";
import { assertEquals, assertMatch } from "./assert.ts";
import { addUser, api, testApp } from "./helpers.ts";

Deno.test("rehash: a correct login upgrades the stored hash to the configured cost", async () => {
  const env = await testApp();
  const alice = await addUser(env);
  const [before] = await env.deps.db.select().from(users).where(eq(users.id, alice.id));
  assertMatch(before.passwordHash, /^pbkdf2-sha256\$1000\$/);

  (env.deps.config as { PBKDF2_ITERATIONS: number }).PBKDF2_ITERATIONS = 2000;
  const wrong = await api(env, "POST", "/api/v1/login", { username: "alice", password: "nope" });
  assertEquals(wrong.status, 401);
  const [still] = await env.deps.db.select().from(users).where(eq(users.id, alice.id));
  assertEquals(still.passwordHash, before.passwordHash);

  const ok = await api(env, "POST", "/api/v1/login", {
    username: "alice",
    password: "correct horse battery staple",
  });
  assertEquals(ok.status, 200);
  const [after] = await env.deps.db.select().from(users).where(eq(users.id, alice.id));
  assertMatch(after.passwordHash, /^pbkdf2-sha256\$2000\$/);
  const again = await api(env, "POST", "/api/v1/login", {
    username: "alice",
    password: "correct horse battery staple",
  });
  assertEquals(again.status, 200);
});
