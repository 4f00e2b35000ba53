import { assert, assertEquals } from "../../tests/assert.ts";
import {
  ACR_2FA,
  ACR_PASSWORD,
  acrOf,
  checkAuthorizeRequest,
  claimsFor,
  loginNeeded,
  oidcAmr,
  pkceMatches,
  s256,
  validRedirectUri,
} from "./oidc.ts";

const client = { id: "c1", redirectUris: ["https://app.test/cb"], isPublic: false };
const base = {
  client_id: "c1",
  redirect_uri: "https://app.test/cb",
  response_type: "code",
  scope: "openid",
};

Deno.test("checkAuthorizeRequest() compares redirect_uri exactly and never redirects for a bad one", () => {
  for (
    const uri of ["https://app.test/cb/", "https://app.test/CB", "https://app.test/cb?a", undefined]
  ) {
    const r = checkAuthorizeRequest({ ...base, redirect_uri: uri }, client);
    assert(!r.ok && !r.redirect, String(uri));
  }
  const unknown = checkAuthorizeRequest(base, null);
  assert(!unknown.ok && !unknown.redirect && unknown.error === "invalid_client");
  assert(checkAuthorizeRequest(base, client).ok);
});

Deno.test("checkAuthorizeRequest() wants the code flow, openid, S256 only, and PKCE from public clients", () => {
  const bad = (p: Record<string, string>, c = client) => {
    const r = checkAuthorizeRequest({ ...base, ...p }, c);
    return r.ok ? "ok" : r.error;
  };
  assertEquals(bad({ response_type: "token" }), "unsupported_response_type");
  assertEquals(bad({ response_type: "code id_token" }), "unsupported_response_type");
  assertEquals(bad({ scope: "profile" }), "invalid_scope");
  assertEquals(
    bad({ code_challenge: "a".repeat(43), code_challenge_method: "plain" }),
    "invalid_request",
  );
  assertEquals(bad({ code_challenge: "a".repeat(43) }), "invalid_request");
  assertEquals(bad({ code_challenge: "short", code_challenge_method: "S256" }), "invalid_request");
  assertEquals(bad({}, { ...client, isPublic: true }), "invalid_request");
  assertEquals(
    bad({ code_challenge: "a".repeat(43), code_challenge_method: "S256" }, {
      ...client,
      isPublic: true,
    }),
    "ok",
  );
  assertEquals(bad({ prompt: "none login" }), "invalid_request");
  assertEquals(bad({ max_age: "-1" }), "invalid_request");
  assertEquals(bad({ request: "eyJ..." }), "request_not_supported");
  const r = checkAuthorizeRequest(
    { ...base, scope: "openid email unknown offline_access" },
    client,
  );
  assert(r.ok);
  assertEquals(r.request.scope, ["openid", "email", "offline_access"]);
});

Deno.test("loginNeeded() asks for a fresh login on prompt=login, max_age=0 and an older login", () => {
  const now = new Date("2026-11-22T12:00:00Z");
  const at = (s: number) => new Date(now.getTime() - s * 1000);
  const p = { none: false, login: false };
  assertEquals(loginNeeded({ prompt: p }, null, now), true);
  assertEquals(loginNeeded({ prompt: p }, at(9999), now), false);
  assertEquals(loginNeeded({ prompt: { ...p, login: true } }, at(0), now), true);
  assertEquals(loginNeeded({ prompt: p, maxAge: 0 }, at(0), now), true);
  assertEquals(loginNeeded({ prompt: p, maxAge: 60 }, at(60), now), false);
  assertEquals(loginNeeded({ prompt: p, maxAge: 60 }, at(61), now), true);
});

Deno.test("pkceMatches() takes the RFC 7636 example, refuses others, and refuses a downgrade", async () => {
  const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  assertEquals(await s256(verifier), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  assert(await pkceMatches("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", verifier));
  assert(!(await pkceMatches("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", verifier + "x")));
  assert(!(await pkceMatches("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", undefined)));
  assert(await pkceMatches(null, undefined));
  assert(!(await pkceMatches(null, verifier)), "a verifier for a code issued without PKCE");
});

Deno.test("acrOf() and oidcAmr() say whether a second factor took part", () => {
  assertEquals(acrOf(["pwd"]), ACR_PASSWORD);
  assertEquals(acrOf(["pwd", "otp"]), ACR_2FA);
  assertEquals(oidcAmr(["pwd", "rec"]), ["pwd", "otp", "mfa"]);
  assertEquals(oidcAmr(["pwd"]), ["pwd"]);
});

Deno.test("claimsFor() releases only what the scopes ask for", () => {
  const user = {
    id: "u1",
    username: "alice",
    displayName: "Alice",
    email: "a@example.com",
    groups: ["ops"],
    roles: ["admin"],
  };
  assertEquals(claimsFor(["openid"], user), { sub: "u1" });
  assertEquals(claimsFor(["openid", "profile", "email", "groups"], user), {
    sub: "u1",
    name: "Alice",
    preferred_username: "Alice",
    email: "a@example.com",
    email_verified: false,
    groups: ["ops"],
    roles: ["admin"],
  });
});

Deno.test("validRedirectUri() wants absolute http(s) without fragment or userinfo", () => {
  assert(validRedirectUri("https://app.test/cb?x=1"));
  assert(validRedirectUri("http://127.0.0.1:8080/cb"));
  for (
    const u of [
      "/cb",
      "javascript:alert(1)",
      "https://a.test/cb#x",
      "https://u:p@a.test/",
      "https://a.test/\\x",
    ]
  ) {
    assert(!validRedirectUri(u), u);
  }
});
