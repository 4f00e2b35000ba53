import { assertEquals } from "../../tests/assert.ts";
import { parseHostList, returnHosts, safeRedirect, safeReturnUrl } from "./redirect.ts";

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

const HOSTS = parseHostList("app.example.com, Docs.Example.com:8443, bücher.example");

Deno.test("parseHostList() normalises hosts and refuses anything that is not a host", () => {
  assertEquals(HOSTS, ["app.example.com", "docs.example.com:8443", "xn--bcher-kva.example"]);
  assertEquals(parseHostList(""), []);
  assertEquals(parseHostList(" a.example , ,b.example:443 "), ["a.example", "b.example"]);
  for (
    const bad of [
      "https://app.example.com",
      "app.example.com/x",
      "user@app.example.com",
      "*.example.com",
      "app example.com",
      "app.example.com:99999",
      "app.example.com?x",
      "app\\example.com",
    ]
  ) {
    let threw = false;
    try {
      parseHostList(bad);
    } catch {
      threw = true;
    }
    assertEquals(threw, true, bad);
  }
});

Deno.test("safeReturnUrl() keeps same-origin paths and absolute URLs on allowed hosts", () => {
  assertEquals(safeReturnUrl("/app/x?y=1#z", HOSTS), "/app/x?y=1#z");
  assertEquals(
    safeReturnUrl("https://app.example.com/x?y=1", HOSTS),
    "https://app.example.com/x?y=1",
  );
  assertEquals(safeReturnUrl("http://app.example.com/", HOSTS), "http://app.example.com/");
  // Hosts compare case-insensitively; the result is the URL as URL serialises it.
  assertEquals(
    safeReturnUrl("HTTPS://APP.Example.COM/Path", HOSTS),
    "https://app.example.com/Path",
  );
  // The default port is no port; a listed port must match exactly.
  assertEquals(safeReturnUrl("https://app.example.com:443/x", HOSTS), "https://app.example.com/x");
  assertEquals(
    safeReturnUrl("https://docs.example.com:8443/", HOSTS),
    "https://docs.example.com:8443/",
  );
  assertEquals(safeReturnUrl("https://bücher.example/", HOSTS), "https://xn--bcher-kva.example/");
  assertEquals(safeReturnUrl("https://app.example.com/a b", HOSTS), null); // raw space
  assertEquals(
    safeReturnUrl("https://app.example.com/a%20b", HOSTS),
    "https://app.example.com/a%20b",
  );
});

Deno.test("safeReturnUrl() refuses other hosts, ports, userinfo, schemes and parser tricks", () => {
  for (
    const bad of [
      "https://evil.example/",
      "https://app.example.com.evil.example/",
      "https://evil.example/app.example.com",
      "https://evilapp.example.com/",
      "https://app.example.com:8443/", // a port not listed
      "http://app.example.com:443/", // 443 is not http's default
      "https://docs.example.com/", // listed only with its port
      "https://app.example.com@evil.example/", // userinfo: the host is evil.example
      "https://evil.example@app.example.com/", // userinfo, even on an allowed host
      "https://@app.example.com/",
      "https://user:pass@app.example.com/",
      "https://app.example.com\\@evil.example/", // backslash: browsers read it as /
      "https:\\\\app.example.com/",
      "/\\evil.example",
      "\\\\evil.example",
      "//evil.example",
      "//app.example.com/", // scheme-relative: only explicit http(s)
      "https:app.example.com/", // URL would repair it
      "https:///app.example.com/",
      "javascript:alert(1)",
      "JavaScript://app.example.com/%0aalert(1)",
      "data:text/html,<script>alert(1)</script>",
      "ftp://app.example.com/",
      " https://app.example.com/",
      "https://app.example.com/\r\nSet-Cookie: x=1",
      "https://app.example.com\t/",
      "https://app.example.com./", // a trailing dot is another name
      "https://[::1]/",
      "app.example.com/x",
      "https://" + "a".repeat(2048),
      "",
      undefined,
      null,
    ]
  ) {
    assertEquals(safeReturnUrl(bad, HOSTS), null, String(bad));
  }
});

Deno.test("returnHosts() adds the public origin's host to the allowlist", () => {
  assertEquals(
    returnHosts({
      PUBLIC_URL: "https://login.example.com",
      FORWARD_AUTH_ALLOWED_HOSTS: ["a.example"],
    }),
    ["login.example.com", "a.example"],
  );
  assertEquals(returnHosts({ FORWARD_AUTH_ALLOWED_HOSTS: [] }), []);
});
