import { assertEquals } from "../../tests/assert.ts";
import { safeRedirect } from "./redirect.ts";

Deno.test("safeRedirect() keeps same-origin paths", () => {
  assertEquals(safeRedirect("/account"), "/account");
  assertEquals(safeRedirect("/app/x?y=1#z"), "/app/x?y=1#z");
});

Deno.test("safeRedirect() refuses other origins and tricks", () => {
  for (
    const bad of [
      "https://evil.example/",
      "//evil.example",
      "/\\evil.example",
      "\\\\evil.example",
      "javascript:alert(1)",
      "/%0d%0aSet-Cookie:x",
      "/x\r\nLocation: https://evil",
      "evil.example",
      "",
      undefined,
      null,
    ]
  ) {
    const got = safeRedirect(bad, "/fallback");
    if (bad === "/%0d%0aSet-Cookie:x") assertEquals(got, "/%0d%0aSet-Cookie:x"); // encoded: harmless path
    else assertEquals(got, "/fallback", String(bad));
  }
});
