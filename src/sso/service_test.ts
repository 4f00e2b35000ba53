import { assertEquals } from "../../tests/assert.ts";
import { passedSecondFactor, requestedHost } from "./service.ts";

Deno.test("requestedHost() spells the host as URL.host does, or refuses it", () => {
  assertEquals(requestedHost("APP.example.com", "x", "https"), "app.example.com");
  assertEquals(requestedHost(undefined, "app.example.com:8443", "https"), "app.example.com:8443");
  assertEquals(requestedHost("app.example.com:443", undefined, "https"), "app.example.com");
  assertEquals(requestedHost("app.example.com:80", undefined, "http"), "app.example.com");
  assertEquals(requestedHost("app.example.com:80", undefined, "https"), "app.example.com:80");
  assertEquals(requestedHost("a.example.com, b.example.com", undefined, "https"), "a.example.com");
  for (const bad of ["", "evil.example/x", "a@b", "a b", "x\\y", "h?q", "h#f", "[::1"]) {
    assertEquals(requestedHost(bad, undefined, "https"), null, bad);
  }
});

Deno.test("passedSecondFactor(): any method beyond the password", () => {
  assertEquals(passedSecondFactor(["pwd"]), false);
  assertEquals(passedSecondFactor([]), false);
  assertEquals(passedSecondFactor(["pwd", "otp"]), true);
  assertEquals(passedSecondFactor(["pwd", "dev"]), true);
});
