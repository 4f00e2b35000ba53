import { assertEquals } from "../../tests/assert.ts";
import { freshUntil, isFreshlyAuthenticated } from "./reauth.ts";

const t0 = Date.parse("2026-11-22T12:00:00Z");
const at = (minutes: number) => new Date(t0 + minutes * 60_000);

Deno.test("isFreshlyAuthenticated() counts a login with a code for five minutes", () => {
  const s = { createdAt: t0, reauthAt: null, amr: ["pwd", "otp"] };
  assertEquals(isFreshlyAuthenticated(s, at(4)), true);
  assertEquals(isFreshlyAuthenticated(s, at(5.1)), false);
  assertEquals(freshUntil(s, at(1)), at(5));
});

Deno.test("isFreshlyAuthenticated() does not count a trusted-device login", () => {
  const s = { createdAt: t0, reauthAt: null, amr: ["pwd", "dev"] };
  assertEquals(isFreshlyAuthenticated(s, at(1)), false);
  assertEquals(isFreshlyAuthenticated({ ...s, reauthAt: t0 + 60_000 }, at(2)), true);
});

Deno.test("isFreshlyAuthenticated() counts a re-authentication for five minutes", () => {
  const s = { createdAt: t0, reauthAt: t0 + 30 * 60_000, amr: ["pwd", "otp"] };
  assertEquals(isFreshlyAuthenticated({ ...s, reauthAt: t0 + 10 * 60_000 }, at(16)), false);
  assertEquals(isFreshlyAuthenticated(s, at(34)), true);
  assertEquals(isFreshlyAuthenticated(s, at(36)), false);
});
