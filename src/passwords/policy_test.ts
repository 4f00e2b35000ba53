import { assertEquals } from "../../tests/assert.ts";
import {
  checkPassword,
  DEFAULT_PASSWORD_POLICY,
  isCommonPassword,
  passwordExpired,
} from "./policy.ts";

Deno.test("checkPassword() accepts a long passphrase", async () => {
  assertEquals(
    await checkPassword(DEFAULT_PASSWORD_POLICY, "correct horse battery staple", "alice"),
    [],
  );
});

Deno.test("checkPassword() names every broken rule", async () => {
  assertEquals(await checkPassword(DEFAULT_PASSWORD_POLICY, "x7#kq", "alice"), [
    "Use at least 12 characters.",
  ]);
  assertEquals(await checkPassword(DEFAULT_PASSWORD_POLICY, "alice-is-my-name-ok", "Alice"), [
    "Do not put your username in your password.",
  ]);
  assertEquals(
    (await checkPassword(
      { ...DEFAULT_PASSWORD_POLICY, minClasses: 3 },
      "onlylowercaseletters",
      "bob",
    ))
      .length,
    1,
  );
});

Deno.test("checkPassword() refuses common passwords from the shipped list", async () => {
  assertEquals(await isCommonPassword("password1234"), true);
  assertEquals(await isCommonPassword("qwertyuiop"), true);
  assertEquals(await isCommonPassword("correct horse battery staple"), false);
  const p = { ...DEFAULT_PASSWORD_POLICY, minLength: 8 };
  assertEquals(
    (await checkPassword(p, "iloveyou", "bob")).some((m) => m.includes("too common")),
    true,
  );
});

Deno.test("passwordExpired() counts from the last change, else from the account's creation", () => {
  const day = 86_400_000;
  const now = new Date(100 * day);
  const at = (passwordChangedAt: number | null, maxAgeDays: number) =>
    passwordExpired({ maxAgeDays, passwordChangedAt, createdAt: 0, now });
  assertEquals(at(null, 0), false, "0 = never");
  assertEquals(at(null, 100), true, "created 100 days ago");
  assertEquals(at(null, 101), false);
  assertEquals(at(11 * day, 90), false, "changed 89 days ago");
  assertEquals(at(10 * day, 90), true, "changed 90 days ago");
});
