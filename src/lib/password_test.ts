import { assert, assertEquals, assertFalse } from "../../tests/assert.ts";
import {
  hashPassword,
  MAX_ITERATIONS_PER_CALL,
  type Pbkdf2,
  pbkdf2Chain,
  verifyPassword,
  webCryptoPbkdf2,
} from "./password.ts";

Deno.test("hashPassword() at 600,000 iterations never asks WebCrypto for more than 100,000 at once", async () => {
  const calls: number[] = [];
  const original = crypto.subtle.deriveBits.bind(crypto.subtle);
  crypto.subtle.deriveBits = ((params: Pbkdf2Params, key: CryptoKey, length: number) => {
    calls.push(params.iterations);
    return original(params, key, length);
  }) as typeof crypto.subtle.deriveBits;
  try {
    const stored = await hashPassword("correct horse battery", 600_000);
    assert(stored.startsWith("pbkdf2-sha256$600000$"));
  } finally {
    crypto.subtle.deriveBits = original;
  }
  assertEquals(calls.length, 6);
  assert(calls.every((n) => n <= MAX_ITERATIONS_PER_CALL));
  assertEquals(calls.reduce((a, b) => a + b, 0), 600_000);
});

Deno.test("pbkdf2Chain() splits an uneven total into bounded rounds", async () => {
  const rounds: number[] = [];
  const spy: Pbkdf2 = (p, s, n) => {
    rounds.push(n);
    return webCryptoPbkdf2(p, s, n);
  };
  await pbkdf2Chain("pw", new Uint8Array(16), 250_001, spy);
  assertEquals(rounds, [100_000, 100_000, 50_001]);
});

Deno.test("pbkdf2Chain() with one round equals plain PBKDF2", async () => {
  const salt = new Uint8Array(16).fill(7);
  const chained = await pbkdf2Chain("secret", salt, 1000);
  const plain = await webCryptoPbkdf2(new TextEncoder().encode("secret"), salt, 1000);
  assertEquals(chained, plain);
});

Deno.test("verifyPassword() accepts the right password and rejects a wrong one", async () => {
  const stored = await hashPassword("s3cret-password", 1000);
  assertEquals(await verifyPassword("s3cret-password", stored, 1000), {
    ok: true,
    needsRehash: false,
  });
  assertFalse((await verifyPassword("s3cret-passworD", stored, 1000)).ok);
  assertFalse((await verifyPassword("s3cret-password", "garbage", 1000)).ok);
});

Deno.test("verifyPassword() asks for a rehash when the configured cost changed", async () => {
  const stored = await hashPassword("s3cret-password", 1000);
  assertEquals(await verifyPassword("s3cret-password", stored, 2000), {
    ok: true,
    needsRehash: true,
  });
  assertEquals(await verifyPassword("wrong", stored, 2000), { ok: false, needsRehash: false });
});
