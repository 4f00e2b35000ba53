import { assertEquals } from "../../tests/assert.ts";
import {
  acceptsHtml,
  headerSafe,
  loginLocation,
  returnUrlOf,
  wantsLoginRedirect,
} from "./forward_auth.ts";

const BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const HOSTS = ["app.example.com"];

Deno.test("acceptsHtml() wants text/html with a quality above zero", () => {
  assertEquals(acceptsHtml(BROWSER), true);
  assertEquals(acceptsHtml("Text/HTML; q=0.5"), true);
  assertEquals(acceptsHtml("text/html;q=0"), false);
  assertEquals(acceptsHtml("application/json"), false);
  assertEquals(acceptsHtml("*/*"), false);
  assertEquals(acceptsHtml(undefined), false);
});

Deno.test("wantsLoginRedirect(): browsers behind Traefik or Caddy or with rd, never nginx", () => {
  const traefik = { accept: BROWSER, forwardedHost: "app.example.com", forwardedUri: "/x" };
  assertEquals(wantsLoginRedirect(traefik), true);
  assertEquals(wantsLoginRedirect({ accept: BROWSER, rd: "/x" }), true);
  assertEquals(wantsLoginRedirect({ ...traefik, accept: "application/json" }), false);
  assertEquals(wantsLoginRedirect({ ...traefik, originalUri: "/x" }), false);
  // X-Forwarded-Host and -Proto alone are what any proxy sends: not a forward-auth ask.
  assertEquals(
    wantsLoginRedirect({
      accept: BROWSER,
      forwardedHost: "app.example.com",
      forwardedProto: "https",
    }),
    false,
  );
});

Deno.test("returnUrlOf() keeps an allowed whole URL, else only the path", () => {
  const fwd = { forwardedProto: "https", forwardedHost: "app.example.com", forwardedUri: "/a?b=1" };
  assertEquals(returnUrlOf(fwd, HOSTS), "https://app.example.com/a?b=1");
  assertEquals(
    returnUrlOf({ ...fwd, forwardedHost: "APP.example.com" }, HOSTS),
    "https://app.example.com/a?b=1",
  );
  assertEquals(returnUrlOf({ ...fwd, forwardedHost: "evil.example" }, HOSTS), "/a?b=1");
  assertEquals(
    returnUrlOf({ ...fwd, forwardedHost: "evil.example/@app.example.com" }, HOSTS),
    "/a?b=1",
  );
  assertEquals(returnUrlOf({ ...fwd, forwardedProto: "javascript" }, HOSTS), "/a?b=1");
  assertEquals(returnUrlOf({ ...fwd, forwardedUri: "//evil.example/" }, HOSTS), null);
  assertEquals(returnUrlOf({ ...fwd, forwardedUri: "/\\evil.example/" }, HOSTS), null);
  assertEquals(returnUrlOf({ forwardedUri: "/only/path" }, HOSTS), "/only/path");
  assertEquals(returnUrlOf({}, HOSTS), null);
});

Deno.test("returnUrlOf() takes an explicit rd as it is or not at all", () => {
  assertEquals(
    returnUrlOf({ rd: "https://app.example.com/x" }, HOSTS),
    "https://app.example.com/x",
  );
  assertEquals(returnUrlOf({ rd: "/x" }, HOSTS), "/x");
  assertEquals(returnUrlOf({ rd: "https://evil.example/x", forwardedUri: "/y" }, HOSTS), null);
  assertEquals(returnUrlOf({ rd: "javascript:alert(1)" }, HOSTS), null);
});

Deno.test("loginLocation() is relative and encodes the return URL", () => {
  assertEquals(loginLocation(null), "/login");
  assertEquals(
    loginLocation("https://app.example.com/a?b=1&c=2"),
    "/login?redirect=https%3A%2F%2Fapp.example.com%2Fa%3Fb%3D1%26c%3D2",
  );
});

Deno.test("headerSafe() leaves plain names and percent-encodes the rest", () => {
  assertEquals(headerSafe("alice.smith@example.com"), "alice.smith@example.com");
  assertEquals(headerSafe("Zoë"), "Zo%C3%AB");
  assertEquals(headerSafe("a,admin"), "a%2Cadmin");
  assertEquals(headerSafe("x\r\ny"), "x%0D%0Ay");
  assertEquals(headerSafe("50%"), "50%25");
  assertEquals(decodeURIComponent(headerSafe("Zoë 日本, x%")), "Zoë 日本, x%");
  assertEquals(headerSafe("\ud800"), "%EF%BF%BD");
});
