/** A password reset token is used once, and only the request that used it sets the password. */
import { eq } from "drizzle-orm";
import { passwordResets, users } from "../src/db/schema.ts";
import { randomId } from "../src/lib/crypto.ts";
import { verifyPassword } from "../src/lib/password.ts";
import { toBase64Url, toHex, utf8 } from "../src/lib/encoding.ts";
import { assertEquals } from "./assert.ts";
import { addUser, api, testApp, type TestEnv } from "./helpers.ts";

/** A live reset token for the user, stored as the service stores it (SHA-256). */
async function resetToken(env: TestEnv, userId: string): Promise<string> {
  const token = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const hash = toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(token))));
  const now = env.clock.now().getTime();
  await env.deps.db.insert(passwordResets).values({
    id: randomId(),
    userId,
    tokenHash: hash,
    createdAt: now,
    expiresAt: now + 60 * 60_000,
  });
  return token;
}

Deno.test("password reset: of 20 parallel confirms with one token, only the accepted one's password is in force", async () => {
  const env = await testApp();
  const alice = await addUser(env);
  const token = await resetToken(env, alice.id);
  const passwords = Array.from({ length: 20 }, (_, i) => `parallel passphrase number ${i} ok`);
  const answers = await Promise.all(
    passwords.map((new_password) =>
      api(env, "POST", "/api/v1/password-reset/confirm", { token, new_password })
    ),
  );
  const accepted = answers.flatMap((a, i) => a.status === 204 ? [i] : []);
  assertEquals(accepted.length, 1);
  for (const a of answers) {
    if (a.status !== 204) assertEquals(a.json.error.code, "invalid_reset_token");
  }
  // The accepted password logs in; every other one fails against the stored hash (checked
  // directly, since logging in with 19 wrong passwords would lock the account anyway).
  const login = await api(env, "POST", "/api/v1/login", {
    username: "alice",
    password: passwords[accepted[0]],
  });
  assertEquals(login.status, 200);
  const [row] = await env.deps.db.select().from(users).where(eq(users.id, alice.id));
  for (const [i, password] of passwords.entries()) {
    const check = await verifyPassword(password, row.passwordHash, 1000);
    assertEquals(check.ok, i === accepted[0], `password ${i}`);
  }
});
