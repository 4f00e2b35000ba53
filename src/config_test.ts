import { assert, assertEquals } from "../tests/assert.ts";
import { ConfigError, configWarnings, parseConfig } from "./config.ts";

Deno.test("parseConfig() gives defaults that serve a first run", () => {
  const c = parseConfig({});
  assertEquals(c.DATABASE_URL, "file:./data/twofold.db");
  assertEquals(c.PORT, 8000);
  assertEquals(c.PBKDF2_ITERATIONS, 600_000);
  assertEquals(c.PENDING_TOKEN_MINUTES, 5);
  assertEquals(c.SESSION_HOURS, 24);
  assertEquals(c.REMEMBER_ME_DAYS, 7);
});

Deno.test("parseConfig() names every bad variable", () => {
  try {
    parseConfig({
      PORT: "eighty",
      PBKDF2_ITERATIONS: "10",
      ENCRYPTION_KEY: "short",
      SESSION_HOURS: "48",
    });
    throw new Error("expected a ConfigError");
  } catch (e) {
    assert(e instanceof ConfigError);
    const names = e.issues.map((i) => i.split(":")[0]).sort();
    assertEquals(names, ["ENCRYPTION_KEY", "PBKDF2_ITERATIONS", "PORT", "SESSION_HOURS"]);
  }
});

Deno.test("parseConfig() treats empty strings as unset", () => {
  assertEquals(parseConfig({ PORT: "" }).PORT, 8000);
});

Deno.test("parseConfig() reads FORWARD_AUTH_ALLOWED_HOSTS as hosts and names a bad entry", () => {
  assertEquals(parseConfig({}).FORWARD_AUTH_ALLOWED_HOSTS, []);
  assertEquals(
    parseConfig({ FORWARD_AUTH_ALLOWED_HOSTS: "App.Example.com, wiki.example.com:8443" })
      .FORWARD_AUTH_ALLOWED_HOSTS,
    ["app.example.com", "wiki.example.com:8443"],
  );
  try {
    parseConfig({ FORWARD_AUTH_ALLOWED_HOSTS: "app.example.com,https://wiki.example.com" });
    throw new Error("expected a ConfigError");
  } catch (e) {
    assert(e instanceof ConfigError);
    assertEquals(e.issues, [
      "FORWARD_AUTH_ALLOWED_HOSTS: not a host name: https://wiki.example.com",
    ]);
  }
});

Deno.test("parseConfig() has metrics on with no token by default, and refuses a short token", () => {
  const c = parseConfig({});
  assertEquals(c.METRICS_ENABLED, true);
  assertEquals(c.METRICS_TOKEN, undefined);
  assertEquals(parseConfig({ METRICS_ENABLED: "false" }).METRICS_ENABLED, false);
  try {
    parseConfig({ METRICS_TOKEN: "short" });
    throw new Error("expected a ConfigError");
  } catch (e) {
    assert(e instanceof ConfigError);
    assertEquals(e.issues.map((i) => i.split(":")[0]), ["METRICS_TOKEN"]);
  }
});

Deno.test("configWarnings() warns while reset links go to the log, and only then", () => {
  assertEquals(parseConfig({}).RESET_LINKS_IN_LOG, false);
  assertEquals(configWarnings(parseConfig({})), []);
  const [warning] = configWarnings(parseConfig({ RESET_LINKS_IN_LOG: "true" }));
  assert(warning.startsWith("RESET_LINKS_IN_LOG=true: password reset links"), warning);
  // With a webhook the links go there, not to the log.
  const hooked = parseConfig({
    RESET_LINKS_IN_LOG: "true",
    RESET_WEBHOOK_URL: "https://h.example/",
  });
  assertEquals(configWarnings(hooked), []);
});

Deno.test("parseConfig() needs MAIL_FROM with a mail channel, and takes only smtp(s):// URLs", () => {
  const missing = (() => {
    try {
      parseConfig({ SMTP_URL: "smtp://127.0.0.1:2525" });
    } catch (e) {
      return (e as ConfigError).issues;
    }
  })();
  assertEquals(missing, [
    "MAIL_FROM: required with SMTP_URL or MAIL_WEBHOOK_URL (the sender of every mail)",
  ]);
  for (const bad of ["http://mail.example.test", "smtp://host/path", "smtp:host"]) {
    try {
      parseConfig({ SMTP_URL: bad, MAIL_FROM: "a@b.test" });
      throw new Error(`accepted ${bad}`);
    } catch (e) {
      assert(e instanceof ConfigError, String(e));
    }
  }
  const ok = parseConfig({
    SMTP_URL: "smtps://u:p%40ss@mail.example.test:465",
    MAIL_FROM: "T <t@x.test>",
  });
  assertEquals(ok.SMTP_URL, "smtps://u:p%40ss@mail.example.test:465");
});
