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

Deno.test("requestedHost() answers the same when asked again, also past its memo's bound", () => {
  const asked: [string, string][] = [
    ["APP.example.com", "https"],
    ["app.example.com:80", "http"],
    ["app.example.com:80", "https"],
    ["[::1", "https"],
    ...Array.from({ length: 1500 }, (_, i) => [`H${i}.Example.com:${i % 3 ? 443 : 80}`, "http"]),
  ] as [string, string][];
  const first = asked.map(([h, p]) => requestedHost(h, undefined, p));
  for (let round = 0; round < 2; round++) {
    asked.forEach(([h, p], i) => assertEquals(requestedHost(h, undefined, p), first[i], h));
  }
  assertEquals(first.slice(0, 4), [
    "app.example.com",
    "app.example.com",
    "app.example.com:80",
    null,
  ]);
  assertEquals(first[5], "h1.example.com:443");
});

Deno.test("passedSecondFactor(): any method beyond the password", () => {
  assertEquals(passedSecondFactor(["pwd"]), false);
  assertEquals(passedSecondFactor([]), false);
  assertEquals(passedSecondFactor(["pwd", "otp"]), true);
  assertEquals(passedSecondFactor(["pwd", "dev"]), true);
});
