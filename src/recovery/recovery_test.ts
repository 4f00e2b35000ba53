import { assert, assertEquals, assertMatch, assertNotEquals } from "../../tests/assert.ts";
import { deriveSecretKeys } from "../lib/crypto.ts";
import {
  generateRecoveryCode,
  hashRecoveryCode,
  isWellFormedRecoveryCode,
  normalizeRecoveryCode,
} from "./recovery.ts";

Deno.test("generateRecoveryCode() makes distinct 120-bit codes in six groups of four", () => {
  const codes = new Set(Array.from({ length: 200 }, generateRecoveryCode));
  assertEquals(codes.size, 200);
  for (const c of codes) {
    assertMatch(c, /^([0-9a-hjkmnp-tv-z]{4}-){5}[0-9a-hjkmnp-tv-z]{4}$/);
    assert(isWellFormedRecoveryCode(normalizeRecoveryCode(c)));
  }
});

Deno.test("normalizeRecoveryCode() forgives case, spaces, dashes and look-alikes", () => {
  assertEquals(normalizeRecoveryCode(" AB1O-il0 "), "ab10110");
});

Deno.test("hashRecoveryCode() is keyed and bound to the user", async () => {
  const keys = await deriveSecretKeys(new Uint8Array(32).fill(1));
  const other = await deriveSecretKeys(new Uint8Array(32).fill(2));
  const code = generateRecoveryCode();
  const h = await hashRecoveryCode(keys.recoveryHmac, "u1", code);
  assertEquals(h, await hashRecoveryCode(keys.recoveryHmac, "u1", code.toUpperCase()));
  assertNotEquals(h, await hashRecoveryCode(keys.recoveryHmac, "u2", code));
  assertNotEquals(h, await hashRecoveryCode(other.recoveryHmac, "u1", code));
  assert(!h.includes(normalizeRecoveryCode(code)));
});
