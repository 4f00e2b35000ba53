/**
 * Pages follow the settings: the issuer in the code page's text, the remember-me length from
 * REMEMBER_ME_DAYS, the trusted-device length from the policy, and the branding (name, logo,
 * accent colour) from the configuration.
 */
import { ConfigError, parseConfig } from "../src/config.ts";
import { DEFAULT_LOGIN_POLICY } from "../src/policy/policy.ts";
import { savePolicyStatement } from "../src/policy/repo.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { addUser, Browser, enrollViaApi, PASSWORD, testApp } from "./helpers.ts";

async function codePage(env: Awaited<ReturnType<typeof testApp>>, lang = "en") {
  await addUser(env);
  await enrollViaApi(env);
  const b = new Browser(env);
  await b.get(`/login?lang=${lang}`);
  const res = await b.post("/login", { username: "alice", password: PASSWORD });
  assertEquals(res.headers.get("location"), "/login/totp");
  await b.get("/login/totp");
  return b.lastHtml;
}

Deno.test("settings: the code page names the issuer and the policy's trusted-device days", async () => {
  const env = await testApp({ ISSUER: "Acme" });
  await savePolicyStatement(
    env.deps.db,
    { ...DEFAULT_LOGIN_POLICY, trustedDeviceDays: 7 },
    env.clock.now(),
    "t",
  ).run();
  const html = await codePage(env);
  assertStringIncludes(html, "enter the code it shows for Acme.");
  assertStringIncludes(html, "Trust this device for 7 days");
  assert(!html.includes("30 days"), "the default length is still shown");

  const fr = await testApp({ ISSUER: "Acme" });
  const frHtml = await codePage(fr, "fr");
  assertStringIncludes(frHtml, "affiche pour Acme.");
  assertStringIncludes(frHtml, "pendant 30\u00a0jours");
});

Deno.test("settings: the login page's remember-me follows REMEMBER_ME_DAYS", async () => {
  for (const [days, text] of [["3", "Keep me signed in for 3 days"], ["1", "for 1 day"]]) {
    const env = await testApp({ REMEMBER_ME_DAYS: days });
    const b = new Browser(env);
    await b.get("/login");
    assertStringIncludes(b.lastHtml, text);
  }
});

Deno.test("settings: branding - name, logo and accent colour without editing code", async () => {
  const env = await testApp({
    BRAND_NAME: "Acme Sign-in",
    BRAND_LOGO: "https://cdn.acme.example/logo.svg",
    BRAND_ACCENT: "#ffd400",
    BRAND_ACCENT_DARK: "#1a237e",
  });
  const b = new Browser(env);
  const res = await b.get("/login");
  assertStringIncludes(b.lastHtml, "<title>Sign in · Acme Sign-in</title>");
  assertStringIncludes(
    b.lastHtml,
    '<img src="https://cdn.acme.example/logo.svg" alt="" height="28">',
  );
  assertStringIncludes(b.lastHtml, '<link rel="stylesheet" href="/assets/brand.css">');
  // The logo's origin may serve images; nothing else changes in the policy.
  assertStringIncludes(
    res.headers.get("content-security-policy")!,
    "img-src 'self' data: https://cdn.acme.example;",
  );
  const css = await (await env.app.request("http://localhost/assets/brand.css")).text();
  // A light accent gets dark text on buttons, a dark one white text.
  assertStringIncludes(css, ":root { --accent: #ffd400; --accent-fg: #10121a; }");
  assertStringIncludes(css, "--accent: #1a237e; --accent-fg: #ffffff;");

  // Default: no brand stylesheet, no logo, the issuer as the name.
  const plain = new Browser(await testApp({ ISSUER: "Acme" }));
  const plainRes = await plain.get("/login");
  assert(!plain.lastHtml.includes("brand.css"));
  assert(!plain.lastHtml.includes("<img"));
  assertStringIncludes(plain.lastHtml, "<title>Sign in · Acme</title>");
  assertStringIncludes(plainRes.headers.get("content-security-policy")!, "img-src 'self' data:;");
});

Deno.test("settings: a bad branding value names its variable", () => {
  for (
    const [key, value] of [
      ["BRAND_ACCENT", "red"],
      ["BRAND_LOGO", "javascript:alert(1)"],
      ["BRAND_LOGO", "http://plain.example/logo.png"],
    ]
  ) {
    try {
      parseConfig({ [key]: value });
      throw new Error(`${key}=${value} was accepted`);
    } catch (e) {
      assert(e instanceof ConfigError, String(e));
      assertStringIncludes(e.message, `${key}:`);
    }
  }
});
