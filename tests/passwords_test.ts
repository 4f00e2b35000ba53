/** Passwords: policy, change, and reset (which never bypasses the second factor). */
import { eq } from "drizzle-orm";
import { auditEvents, outbox, passwordResets } from "../src/db/schema.ts";
import { deliverDue } from "../src/outbox/outbox.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import {
  addUser,
  api,
  Browser,
  codeNow,
  enrollViaApi,
  nextStep,
  PASSWORD,
  pendingLogin,
  testApp,
  type TestEnv,
} from "./helpers.ts";

const NEW_PASSWORD = "a different long passphrase";

/**
 * Opts in to reset links in the log (RESET_LINKS_IN_LOG, off by default) and captures them,
 * the one way to read a link without a webhook.
 */
function captureLinks(env: TestEnv): string[] {
  const links: string[] = [];
  env.deps.config.RESET_LINKS_IN_LOG = true;
  env.deps.log = (_level, _msg, fields) => {
    if (fields && typeof fields.reset_url === "string") links.push(fields.reset_url);
  };
  return links;
}

function tokenOf(link: string): string {
  return new URL(link).searchParams.get("token")!;
}

Deno.test("password change: needs the current one, checks the policy, ends other sessions and devices", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  nextStep(env);
  const p = await pendingLogin(env);
  const other = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
    trust_device: true,
  });

  const bad = await api(env, "POST", "/api/v1/me/password", {
    current_password: "nope",
    new_password: NEW_PASSWORD,
  }, e.sessionToken);
  assertEquals(bad.status, 401);
  const weak = await api(env, "POST", "/api/v1/me/password", {
    current_password: PASSWORD,
    new_password: "password1234",
  }, e.sessionToken);
  assertEquals(weak.status, 400);
  assertEquals(weak.json.error.code, "weak_password");
  assert(weak.json.error.fields.new_password.length > 0);
  const withName = await api(env, "POST", "/api/v1/me/password", {
    current_password: PASSWORD,
    new_password: "alice likes long passwords",
  }, e.sessionToken);
  assertStringIncludes(withName.json.error.fields.new_password[0], "username");

  const ok = await api(env, "POST", "/api/v1/me/password", {
    current_password: PASSWORD,
    new_password: NEW_PASSWORD,
  }, e.sessionToken);
  assertEquals(ok.status, 204);
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, e.sessionToken)).status, 200);
  assertEquals(
    (await api(env, "GET", "/api/v1/session", undefined, other.json.session_token)).status,
    401,
  );
  const viaDevice = await api(env, "POST", "/api/v1/login", {
    username: "alice",
    password: NEW_PASSWORD,
    trusted_device_token: other.json.trusted_device_token,
  });
  assertEquals(viaDevice.json.status, "second_factor_required");
  assertEquals(
    (await api(env, "POST", "/api/v1/login", { username: "alice", password: PASSWORD })).status,
    401,
  );
});

Deno.test("password reset: the answer is the same for every account, real or not", async () => {
  const env = await testApp();
  await addUser(env);
  const links = captureLinks(env);
  const real = await api(env, "POST", "/api/v1/password-reset", { username: "alice" });
  const fake = await api(env, "POST", "/api/v1/password-reset", { username: "nobody" });
  assertEquals(real.status, 202);
  assertEquals(fake.status, 202);
  assertEquals(real.json, fake.json);
  assertEquals(links.length, 1);
  assertMatch(links[0], /^http:\/\/localhost\/password\/reset\?token=[A-Za-z0-9_-]{43}$/);
});

type LogLine = { level: string; msg: string; fields: Record<string, unknown> };

function captureLog(env: TestEnv): LogLine[] {
  const lines: LogLine[] = [];
  env.deps.log = (level, msg, fields) => lines.push({ level, msg, fields: fields ?? {} });
  return lines;
}

/** Every 43-character base64url run in the log whose SHA-256 is a stored reset token's. */
async function liveTokensIn(env: TestEnv, lines: LogLine[]): Promise<string[]> {
  const stored = new Set((await env.deps.db.select().from(passwordResets)).map((r) => r.tokenHash));
  assert(stored.size > 0, "no reset token was stored");
  const found: string[] = [];
  for (const candidate of JSON.stringify(lines).match(/[A-Za-z0-9_-]{43}/g) ?? []) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(candidate));
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    if (stored.has(hex)) found.push(candidate);
  }
  return found;
}

Deno.test("password reset: by default no log line holds the link or its token", async () => {
  const env = await testApp();
  await addUser(env);
  const lines = captureLog(env);
  assertEquals(
    (await api(env, "POST", "/api/v1/password-reset", { username: "alice" })).status,
    202,
  );
  const b = new Browser(env);
  await b.get("/password/forgot");
  await b.post("/password/forgot", { username: "alice" });
  assertStringIncludes(b.lastHtml, "If an account matches");

  assertEquals(await liveTokensIn(env, lines), []);
  for (const line of lines) {
    const text = JSON.stringify(line);
    assert(!text.includes("token="), `a reset link reached the log: ${text}`);
    assert(!("reset_url" in line.fields), `a reset link reached the log: ${text}`);
  }
  // The log says what happened, and that nothing was sent.
  const told = lines.filter((l) =>
    l.msg === "password reset requested, but no delivery is configured"
  );
  assertEquals(told.map((l) => [l.level, l.fields.username]), [["warn", "alice"], [
    "warn",
    "alice",
  ]]);
  const events = await env.deps.db.select().from(auditEvents).where(
    eq(auditEvents.event, "password.reset_request"),
  );
  assertEquals(events.map((e) => JSON.parse(e.detail!).delivery), ["none", "none"]);
});

Deno.test("password reset: with RESET_LINKS_IN_LOG=true the link is logged, and only then", async () => {
  const env = await testApp({ RESET_LINKS_IN_LOG: "true" });
  await addUser(env);
  const lines = captureLog(env);
  await api(env, "POST", "/api/v1/password-reset", { username: "alice" });
  const [logged] = await liveTokensIn(env, lines);
  assert(logged, "the opted-in link is not in the log");
  const line = lines.find((l) => typeof l.fields.reset_url === "string")!;
  assertEquals(line.fields.reset_url, `http://localhost/password/reset?token=${logged}`);
  // A webhook takes precedence: the link then leaves only through the outbox.
  const hooked = await testApp({
    RESET_LINKS_IN_LOG: "true",
    RESET_WEBHOOK_URL: "http://127.0.0.1:9/hook",
  });
  await addUser(hooked);
  const hookedLines = captureLog(hooked);
  await api(hooked, "POST", "/api/v1/password-reset", { username: "alice" });
  assertEquals(await liveTokensIn(hooked, hookedLines), []);
});

Deno.test("password reset: single use, one hour, newer request kills older; 2FA stays in force", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  const links = captureLinks(env);
  await api(env, "POST", "/api/v1/password-reset", { username: "alice" });
  await api(env, "POST", "/api/v1/password-reset", { username: "alice" });
  const [older, newer] = links.map(tokenOf);
  const dead = await api(env, "POST", "/api/v1/password-reset/confirm", {
    token: older,
    new_password: NEW_PASSWORD,
  });
  assertEquals(dead.json.error.code, "invalid_reset_token");
  const weak = await api(env, "POST", "/api/v1/password-reset/confirm", {
    token: newer,
    new_password: "short",
  });
  assertEquals(weak.json.error.code, "weak_password");

  const ok = await api(env, "POST", "/api/v1/password-reset/confirm", {
    token: newer,
    new_password: NEW_PASSWORD,
  });
  assertEquals(ok.status, 204);
  assertEquals(ok.res.headers.get("set-cookie"), null); // no session is created
  const again = await api(env, "POST", "/api/v1/password-reset/confirm", {
    token: newer,
    new_password: "yet another passphrase",
  });
  assertEquals(again.json.error.code, "invalid_reset_token");
  // All sessions ended; the next login still asks for the code.
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, e.sessionToken)).status, 401);
  const login = await api(env, "POST", "/api/v1/login", {
    username: "alice",
    password: NEW_PASSWORD,
  });
  assertEquals(login.json.status, "second_factor_required");

  await api(env, "POST", "/api/v1/password-reset", { username: "alice" });
  env.clock.advance(60 * 60_000 + 1000);
  const expired = await api(env, "POST", "/api/v1/password-reset/confirm", {
    token: tokenOf(links[2]),
    new_password: "the third long passphrase",
  });
  assertEquals(expired.json.error.code, "invalid_reset_token");
  const stored = JSON.stringify(await env.deps.db.select().from(passwordResets));
  assert(!links.some((l) => stored.includes(tokenOf(l))), "tokens stored in clear");
});

Deno.test("password reset: a reset clears a password lock but not the second factor", async () => {
  const env = await testApp();
  await addUser(env);
  await enrollViaApi(env);
  for (let i = 0; i < 5; i++) {
    await api(env, "POST", "/api/v1/login", { username: "alice", password: "bad" });
  }
  const links = captureLinks(env);
  await api(env, "POST", "/api/v1/password-reset", { username: "alice" });
  await api(env, "POST", "/api/v1/password-reset/confirm", {
    token: tokenOf(links[0]),
    new_password: NEW_PASSWORD,
  });
  const r = await api(env, "POST", "/api/v1/login", { username: "alice", password: NEW_PASSWORD });
  assertEquals(r.json.status, "second_factor_required");
});

Deno.test("password reset: delivered by webhook through the outbox, retried after a failure", async () => {
  const received: unknown[] = [];
  let failFirst = true;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    if (failFirst) {
      failFirst = false;
      return new Response("busy", { status: 503 });
    }
    received.push(await req.json());
    return new Response(null, { status: 204 });
  });
  try {
    const env = await testApp({ RESET_WEBHOOK_URL: `http://127.0.0.1:${server.addr.port}/hook` });
    await addUser(env);
    await env.deps.db.run("UPDATE users SET email = 'alice@example.com' WHERE username = 'alice'");
    const r = await api(env, "POST", "/api/v1/password-reset", { username: "Alice@Example.com" });
    assertEquals(r.status, 202);
    assertEquals(await deliverDue(env.deps), 0); // 503: scheduled again
    assertEquals(await deliverDue(env.deps), 0); // not due yet
    env.clock.advance(31_000);
    assertEquals(await deliverDue(env.deps), 1);
    assertEquals(received.length, 1);
    const msg = received[0] as { kind: string; username: string; email: string; reset_url: string };
    assertEquals([msg.kind, msg.username, msg.email], [
      "password_reset",
      "alice",
      "alice@example.com",
    ]);
    assertMatch(msg.reset_url, /\/password\/reset\?token=/);
    const [row] = await env.deps.db.select().from(outbox);
    assertEquals(row.attempts, 2);
    assert(row.deliveredAt !== null);
    const events = await env.deps.db.select().from(auditEvents).where(
      eq(auditEvents.event, "password.reset_request"),
    );
    assertEquals(events.length, 1);
  } finally {
    await server.shutdown();
  }
});

Deno.test("password pages: forgot and reset in the browser; the change form shows policy problems", async () => {
  const env = await testApp();
  await addUser(env);
  await enrollViaApi(env);
  const links = captureLinks(env);
  const b = new Browser(env);
  await b.get("/login");
  assertStringIncludes(b.lastHtml, 'href="/password/forgot"');
  await b.get("/password/forgot");
  await b.post("/password/forgot", { username: "alice" });
  assertStringIncludes(b.lastHtml, "If an account matches");
  await b.get(new URL(links[0]).pathname + new URL(links[0]).search);
  const weak = await b.post("/password/reset", {
    token: tokenOf(links[0]),
    new_password: "qwerty",
  });
  assertEquals(weak.status, 400);
  assertStringIncludes(b.lastHtml, "Use at least 12 characters.");
  const ok = await b.post("/password/reset", {
    token: tokenOf(links[0]),
    new_password: NEW_PASSWORD,
  });
  assertEquals(ok.status, 200);
  assertStringIncludes(b.lastHtml, "You will still need a code");
  assert(!b.cookies.has("twofold_session"));
});
