/** Security property: no user enumeration by message, status or work done. */
import type { Pbkdf2 } from "../src/lib/password.ts";
import { webCryptoPbkdf2 } from "../src/lib/password.ts";
import { assertEquals } from "./assert.ts";
import { addUser, api, enrollViaApi, testApp } from "./helpers.ts";

Deno.test("enumeration: unknown user, wrong password and disabled user look the same", async () => {
  const env = await testApp();
  await addUser(env);
  await addUser(env, "carol");
  await env.deps.db.run("UPDATE users SET disabled = 1 WHERE username = 'carol'");
  const answers = await Promise.all([
    api(env, "POST", "/api/v1/login", { username: "alice", password: "wrong-password" }),
    api(env, "POST", "/api/v1/login", { username: "nobody", password: "wrong-password" }),
    api(env, "POST", "/api/v1/login", {
      username: "carol",
      password: "correct horse battery staple",
    }),
  ]);
  for (const a of answers) {
    assertEquals(a.status, 401);
    assertEquals(a.json, answers[0].json);
    assertEquals([...a.res.headers.keys()].sort(), [...answers[0].res.headers.keys()].sort());
  }
});

Deno.test("enumeration: an unknown username costs the same PBKDF2 work as a real one", async () => {
  const env = await testApp({ PBKDF2_ITERATIONS: "250000" });
  const calls: number[] = [];
  const counting: Pbkdf2 = (p, s, n) => {
    calls.push(n);
    return webCryptoPbkdf2(p, s, n);
  };
  env.deps.pbkdf2 = counting;
  await addUser(env);
  await enrollViaApi(env);
  calls.length = 0;
  await api(env, "POST", "/api/v1/login", { username: "alice", password: "wrong-password" });
  const known = [...calls];
  calls.length = 0;
  await api(env, "POST", "/api/v1/login", { username: "mallory", password: "wrong-password" });
  assertEquals(calls, known);
  assertEquals(known, [100_000, 100_000, 50_000]);
});

Deno.test("enumeration: usernames are case-insensitive, so variants are one account", async () => {
  const env = await testApp();
  await addUser(env, "Alice");
  const r = await api(env, "POST", "/api/v1/login", {
    username: "ALICE",
    password: "correct horse battery staple",
  });
  assertEquals(r.json.status, "enrollment_required");
});
