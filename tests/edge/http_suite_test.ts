/**
 * The end-to-end HTTP suite that runs on every target: in process through `app.request()` (in
 * `deno task test`) and against a running Worker (`wrangler dev` + local D1, with
 * TWOFOLD_BASE_URL; see run_worker_suite.sh). Only what a client can do over HTTP, plus reads of
 * the stored state; no clock jumps beyond one TOTP step, no in-process shortcuts.
 */
import { toBase64Url, toHex, utf8 } from "../../src/lib/encoding.ts";
import { verifyPassword } from "../../src/lib/password.ts";
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { api, Browser, codeNow, enrollViaApi, nextStep, pendingLogin } from "../helpers.ts";
import { freshStep, lit, PASSWORD, target } from "./target.ts";
import { AFTER_LOGOUT, CALLBACK, client, signInThrough, startLogin } from "../oidc_harness.ts";

import { deliverDue } from "../../src/outbox/outbox.ts";
import { softCreate, softGet } from "../webauthn_authenticator.ts";

Deno.test("http: JSON login sends a new user to enrollment, and the confirmed code gives a session", async () => {
  const env = await target();
  const name = await env.newUser();
  await freshStep(env);
  const e = await enrollViaApi(env, name);
  assertEquals(e.recoveryCodes.length, 10);
  const me = await api(env, "GET", "/api/v1/session", undefined, e.sessionToken);
  assertEquals(me.status, 200);
  assertEquals(me.json.user.username, name);
  assertEquals(me.json.session.amr, ["pwd", "otp"]);
  const rows = await env.query(
    `SELECT count(*) AS n FROM authenticators a JOIN users u ON u.id = a.user_id
     WHERE u.username = ${lit(name)} AND a.last_step IS NOT NULL`,
  );
  assertEquals(Number(rows[0].n), 1);
  // The audit log names the client: on Workers from CF-Connecting-IP, which wrangler dev sets
  // like Cloudflare's edge does; in process there is no client address.
  const seen = await env.query(
    `SELECT DISTINCT ip FROM audit_events WHERE username = ${
      lit(name)
    } AND event = 'login.password'`,
  );
  assertEquals(seen.map((r) => r.ip), [env.remote ? "127.0.0.1" : null]);
});

Deno.test("http: a TOTP code is accepted once; the enrollment code and a replay are refused", async () => {
  const env = await target();
  const name = await env.newUser();
  await freshStep(env);
  const e = await enrollViaApi(env, name);
  const enrollmentCode = codeNow(env, e.secret);

  const p = await pendingLogin(env, name);
  assertEquals(p.status, "second_factor_required");
  assertEquals(p.methods, ["totp", "recovery_code"]);
  const reused = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: enrollmentCode,
  });
  assertEquals([reused.status, reused.json.error.code], [401, "invalid_code"]);

  nextStep(env);
  const code = codeNow(env, e.secret);
  const ok = await api(env, "POST", "/api/v1/login/totp", { pending_token: p.pending_token, code });
  assertEquals(ok.status, 200);
  assertEquals(ok.json.status, "authenticated");
  assertMatch(ok.json.expires_at, /^\d{4}-\d\d-\d\dT/);

  const p2 = await pendingLogin(env, name);
  const replay = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p2.pending_token,
    code,
  });
  assertEquals([replay.status, replay.json.error.code], [401, "invalid_code"]);
  const failures = await env.query(
    `SELECT detail FROM audit_events WHERE username = ${lit(name)}
     AND event = 'login.second_factor' AND outcome = 'failure' ORDER BY at`,
  );
  assertEquals(failures.map((f) => JSON.parse(String(f.detail)).reason), ["replayed", "replayed"]);
});

Deno.test("http: one code sent on five pending logins at once makes exactly one session", async () => {
  // The batch that completes a login consumes the pending login, then advances the step only if
  // that changed a row, then inserts the session only if the step advanced (`changes() = 1`).
  // Here several requests pass the code check before any batch commits; the stored sessions
  // show that only one batch created one (batch_changes_test.ts checks the guard itself,
  // deterministically).
  const env = await target();
  const name = await env.newUser();
  await freshStep(env);
  const e = await enrollViaApi(env, name); // session 1
  nextStep(env);
  const pendings = [];
  for (let i = 0; i < 5; i++) pendings.push((await pendingLogin(env, name)).pending_token);
  const code = codeNow(env, e.secret);
  const results = await Promise.all(
    pendings.map((t) => api(env, "POST", "/api/v1/login/totp", { pending_token: t, code })),
  );
  assertEquals(results.map((r) => r.status).sort(), [200, 401, 401, 401, 401]);
  const rows = await env.query(
    `SELECT count(*) AS n FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE u.username = ${lit(name)}`,
  );
  assertEquals(Number(rows[0].n), 2);
});

Deno.test("http: a wrong password and an unknown user get the same answer", async () => {
  const env = await target();
  const name = await env.newUser();
  const wrong = await api(env, "POST", "/api/v1/login", { username: name, password: "nope" });
  const unknown = await api(env, "POST", "/api/v1/login", {
    username: `nobody-${crypto.randomUUID()}`,
    password: "nope",
  });
  assertEquals(wrong.status, 401);
  assertEquals(unknown.status, 401);
  assertEquals(wrong.json, unknown.json);
  assertEquals(wrong.json.error.code, "invalid_credentials");
  assertEquals(wrong.res.headers.get("content-type"), unknown.res.headers.get("content-type"));
});

Deno.test("http: session, pending and device tokens never stand in for one another", async () => {
  const env = await target();
  const name = await env.newUser();
  await freshStep(env);
  const e = await enrollViaApi(env, name);
  nextStep(env);
  const p = await pendingLogin(env, name);
  const done = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
    trust_device: true,
  });
  assertEquals(done.status, 200);
  const session = done.json.session_token as string;
  const device = done.json.trusted_device_token as string;
  assert(device, "a trusted device token");
  const pending = (await pendingLogin(env, name)).pending_token as string;

  for (const t of [pending, device, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."]) {
    const r = await api(env, "GET", "/api/v1/session", undefined, t);
    assertEquals([r.status, r.json.error.code], [401, "unauthorized"]);
  }
  for (const t of [session, device]) {
    const r = await api(env, "POST", "/api/v1/login/totp", { pending_token: t, code: "123456" });
    assertEquals(r.json.error.code, "invalid_pending_token");
  }
  for (const t of [session, pending]) {
    const r = await api(env, "POST", "/api/v1/login", {
      username: name,
      password: PASSWORD,
      trusted_device_token: t,
    });
    assertEquals(r.json.status, "second_factor_required");
  }
  const skip = await api(env, "POST", "/api/v1/login", {
    username: name,
    password: PASSWORD,
    trusted_device_token: device,
  });
  assertEquals(skip.json.status, "authenticated");
});

Deno.test("http: a recovery code logs in once and the answer counts down", async () => {
  const env = await target();
  const name = await env.newUser();
  await freshStep(env);
  const e = await enrollViaApi(env, name);
  const p = await pendingLogin(env, name);
  const r = await api(env, "POST", "/api/v1/login/recovery", {
    pending_token: p.pending_token,
    recovery_code: e.recoveryCodes[3].toUpperCase().replaceAll("-", " "),
  });
  assertEquals(r.status, 200);
  assertEquals(r.json.recovery_codes_remaining, 9);
  const me = await api(env, "GET", "/api/v1/session", undefined, r.json.session_token);
  assertEquals(me.json.session.amr, ["pwd", "rec"]);

  const p2 = await pendingLogin(env, name);
  const again = await api(env, "POST", "/api/v1/login/recovery", {
    pending_token: p2.pending_token,
    recovery_code: e.recoveryCodes[3],
  });
  assertEquals([again.status, again.json.error.code], [401, "invalid_recovery_code"]);
  const used = await env.query(
    `SELECT count(*) AS n FROM recovery_codes c JOIN users u ON u.id = c.user_id
     WHERE u.username = ${lit(name)} AND c.used_at IS NOT NULL`,
  );
  assertEquals(Number(used[0].n), 1);
});

Deno.test("http: logout ends the session token at once", async () => {
  const env = await target();
  const name = await env.newUser();
  await freshStep(env);
  const e = await enrollViaApi(env, name);
  assertEquals((await api(env, "GET", "/api/v1/session", undefined, e.sessionToken)).status, 200);
  const out = await api(env, "POST", "/api/v1/logout", undefined, e.sessionToken);
  assertEquals(out.status, 204);
  const after = await api(env, "GET", "/api/v1/session", undefined, e.sessionToken);
  assertEquals(after.status, 401);
  const again = await api(env, "POST", "/api/v1/logout", undefined, e.sessionToken);
  assertEquals(again.status, 401);
  const rows = await env.query(
    `SELECT count(*) AS n FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE u.username = ${lit(name)} AND s.revoked_at IS NOT NULL`,
  );
  assertEquals(Number(rows[0].n), 1);
});

Deno.test("http: bad input answers 400 with field errors, never 500", async () => {
  const env = await target();
  const bodies: unknown[] = [
    "{not json",
    "[]",
    "null",
    {},
    { username: 5, password: [], pending_token: {}, code: 123456, recovery_code: null },
    { username: "a".repeat(10_000), password: "b".repeat(10_000), code: "1".repeat(100) },
  ];
  for (const path of ["/api/v1/login", "/api/v1/login/totp", "/api/v1/login/recovery"]) {
    for (const body of bodies) {
      const r = await api(env, "POST", path, body);
      assertEquals(r.status, 400, `${path} ${JSON.stringify(body).slice(0, 40)}`);
      assertEquals(r.json.error.code, "validation_failed");
    }
  }
  const form = await env.app.request("/api/v1/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "username=a&password=b",
  });
  assertEquals(form.status, 400);
  await form.body?.cancel();
  const missing = await api(env, "GET", "/api/v1/nope");
  assertEquals([missing.status, missing.json.error.code], [404, "not_found"]);
});

Deno.test("http: a body over the limit gets 413 (JSON or page); one at the limit is served", async () => {
  const env = await target();
  const name = await env.newUser();
  const limit = 131_072; // the default MAX_BODY_BYTES, which the suite's servers keep
  const login = JSON.stringify({ username: name, password: PASSWORD });
  const padded = (bytes: number) => new TextEncoder().encode(login.padEnd(bytes, " "));
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    env.app.request(`${env.origin}/api/v1/login`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });

  const atLimit = await post(padded(limit));
  assertEquals(atLimit.status, 200);
  assertEquals((await atLimit.json()).status, "enrollment_required");
  // The server answers without reading the rest of the body, and may close the connection
  // while the client is still sending it: the status arrives, the JSON after it may not.
  const refused = async (r: Response) => {
    assertEquals(r.status, 413);
    try {
      assertEquals((await r.json()).error.code, "payload_too_large");
    } catch (e) {
      if (!(e instanceof TypeError)) throw e; // "error reading a body from connection"
    }
  };
  await refused(await post(padded(limit + 1))); // sent with its Content-Length
  // Chunked, without a Content-Length: counted as it arrives.
  const chunk = new Uint8Array(16_384).fill(32);
  const chunked: unknown = await Promise.resolve()
    .then(() => post(ReadableStream.from(Array.from({ length: 64 }, () => chunk))))
    .catch((e: unknown) => e);
  if (chunked instanceof Response) await refused(chunked);
  else {
    // Through wrangler dev the refusal can close the connection while the client still sends,
    // before its answer is read: the body was not taken in, which is what is checked here (the
    // 413 itself for chunked bodies is asserted in process by tests/body_limit_test.ts).
    assert(env.remote && chunked instanceof TypeError, String(chunked));
  }

  const postForm = () =>
    env.app.request(`${env.origin}/login`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "accept-language": "de",
        origin: env.origin,
      },
      body: new URLSearchParams({ username: name, password: "x".repeat(limit) }).toString(),
    });
  let page = await postForm();
  // Through wrangler dev, its proxy sometimes answers 500 itself when the Worker refuses before
  // reading the body (seen once in about ten runs). Such an answer has none of our security
  // headers; it is tried again once. A 500 from the Worker (with our headers) still fails here.
  if (env.remote && page.status === 500 && !page.headers.get("x-content-type-options")) {
    await page.body?.cancel();
    page = await postForm();
  }
  assertEquals(page.status, 413);
  assertEquals(page.headers.get("content-language"), "de");
  try {
    assert((await page.text()).includes("Was Sie gesendet haben, ist zu groß."), "a German page");
  } catch (e) {
    if (!(e instanceof TypeError)) throw e; // the connection closed after the status, as above
  }
});

Deno.test("http: a form needs its CSRF token and the service's own Origin", async () => {
  const env = await target();
  const name = await env.newUser();
  const b = new Browser(env, env.origin);
  const page = await b.get("/login");
  assertEquals(page.status, 200);
  const token = b.csrf();
  assert(token, "the login form carries a CSRF token");

  const none = await b.post("/login", { username: name, password: PASSWORD }, { csrf: null });
  assertEquals(none.status, 403);
  // A valid token from another origin, or from an opaque one (`Origin: null`), is refused.
  for (const origin of ["https://evil.example", "null"]) {
    const crossSite = await env.app.request(`${env.origin}/login`, {
      method: "POST",
      headers: {
        cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
        "content-type": "application/x-www-form-urlencoded",
        origin,
      },
      body: new URLSearchParams({ username: name, password: PASSWORD, csrf_token: token })
        .toString(),
    });
    assertEquals(crossSite.status, 403, origin);
    await crossSite.body?.cancel();
  }

  const ok = await b.post("/login", { username: name, password: PASSWORD });
  assertEquals(ok.status, 303);
  assertEquals(ok.headers.get("location"), "/enroll");
});

Deno.test("http: pages speak the language asked for, each request its own", async () => {
  const env = await target();
  const name = await env.newUser();
  // Concurrent requests in different languages: the request's language lives in an
  // AsyncLocalStorage, which must keep them apart on Workers as on Deno.
  const langs = ["fr", "de", "en", "de", "fr", "en"] as const;
  const pages = await Promise.all(langs.map(async (lang) => {
    const res = await env.app.request(`${env.origin}/login`, {
      headers: { "accept-language": `${lang};q=0.9, it;q=0.1` },
    });
    return await res.text();
  }));
  const titles = { en: "Sign in", fr: "Connexion", de: "Anmelden" };
  pages.forEach((html, i) => {
    assert(html.includes(`<html lang="${langs[i]}">`), `${langs[i]}: ${html.slice(0, 80)}`);
    assert(html.includes(`<h1>${titles[langs[i]]}</h1>`), `${langs[i]}: the title`);
  });
  // The lang cookie, set by ?lang=, carries the language to a form's error.
  const b = new Browser(env, env.origin);
  await b.get("/login?lang=de");
  assertEquals(b.cookies.get("lang"), "de");
  const wrong = await b.post("/login", { username: name, password: "not it" });
  assertEquals(wrong.status, 401);
  assert(b.lastHtml.includes("Benutzername oder Passwort ist falsch."), "a German error");
  // The JSON API stays English.
  const api401 = await api(
    env,
    "POST",
    "/api/v1/login",
    { username: name, password: "x" },
    undefined,
    {
      "accept-language": "de",
    },
  );
  assertEquals(api401.json.error.message, "Invalid username or password.");
});

Deno.test("http: the JWKS publishes the public signing keys, and tokens name one of them", async () => {
  const env = await target();
  const r = await api(env, "GET", "/.well-known/jwks.json");
  assertEquals(r.status, 200);
  const keys = r.json.keys as Record<string, string>[];
  assert(keys.length >= 1);
  for (const k of keys) {
    const ed = [k.kty, k.crv, k.alg, k.use].join() === "OKP,Ed25519,EdDSA,sig";
    const ec = [k.kty, k.crv, k.alg, k.use].join() === "EC,P-256,ES256,sig";
    // The RSA key of OpenID Connect apps registered with RS256 (keys:generate makes one).
    const rsa = [k.kty, k.alg, k.use].join() === "RSA,RS256,sig";
    assert(ed || ec || rsa, JSON.stringify(k));
    assert(k.kid && (rsa ? k.n && k.e : k.x && (ed || k.y)));
    for (const member of ["d", "p", "q", "dp", "dq", "qi"]) {
      assertEquals(member in k, false, "no private key material");
    }
  }
  const headerOf = (token: string) =>
    JSON.parse(atob(token.split(".")[0].replace(/-/g, "+").replace(/_/g, "/")));
  const name = await env.newUser();
  await freshStep(env);
  const e = await enrollViaApi(env, name);
  nextStep(env);
  const login = await pendingLogin(env, name);
  // pending tokens are only ever read by twofold: HS256, under no published key
  assertEquals(headerOf(login.pending_token), { alg: "HS256", typ: "twofold-pending+jwt" });
  const done = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: login.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(done.status, 200);
  const header = headerOf(done.json.session_token as string);
  assert(keys.some((k) => k.kid === header.kid), "the session token's kid is published");
  const health = await api(env, "GET", "/healthz");
  assertEquals([health.status, health.json.status], [200, "ok"]);
  // Liveness and readiness (issue 18).
  for (const path of ["/livez", "/readyz"]) {
    const probe = await api(env, "GET", path);
    assertEquals([probe.status, probe.json.status], [200, "ok"], path);
  }
});

// Credential changes (issue 12). Few failures on purpose: remotely every test shares one client
// address, and these run last.

Deno.test("http: a password change kills a pending login begun with the old password", async () => {
  const env = await target();
  const name = await env.newUser();
  await freshStep(env);
  const e = await enrollViaApi(env, name);
  const p = await pendingLogin(env, name);
  assertEquals(p.status, "second_factor_required");
  const newPassword = `${PASSWORD} changed`;
  const change = await api(env, "POST", "/api/v1/me/password", {
    current_password: PASSWORD,
    new_password: newPassword,
  }, e.sessionToken);
  assertEquals(change.status, 204);
  nextStep(env);
  const late = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals([late.status, late.json.error.code], [401, "invalid_pending_token"]);
  // A login begun after the change completes (with a recovery code: the step was not used).
  const fresh = await pendingLogin(env, name, { password: newPassword });
  const ok = await api(env, "POST", "/api/v1/login/recovery", {
    pending_token: fresh.pending_token,
    recovery_code: e.recoveryCodes[0],
  });
  assertEquals(ok.status, 200);
});

Deno.test("http: of parallel reset confirms with one token, only the accepted password is stored", async () => {
  const env = await target();
  const name = await env.newUser();
  const [user] = await env.query(`SELECT id FROM users WHERE username = ${lit(name)}`);
  const token = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const hash = toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(token))));
  const now = Date.now();
  await env.batch([
    `INSERT INTO password_resets (id, user_id, token_hash, created_at, expires_at)
     VALUES (${lit(crypto.randomUUID())}, ${lit(String(user.id))}, ${lit(hash)}, ${now},
       ${now + 3_600_000})`,
  ]);
  const passwords = Array.from({ length: 5 }, (_, i) => `parallel reset passphrase ${i} ok`);
  const answers = await Promise.all(
    passwords.map((new_password) =>
      api(env, "POST", "/api/v1/password-reset/confirm", { token, new_password })
    ),
  );
  const accepted = answers.flatMap((a, i) => a.status === 204 ? [i] : []);
  assertEquals(accepted.length, 1);
  const [row] = await env.query(
    `SELECT password_hash FROM users WHERE id = ${lit(String(user.id))}`,
  );
  for (const [i, password] of passwords.entries()) {
    const check = await verifyPassword(password, String(row.password_hash), 1);
    assertEquals(check.ok, i === accepted[0], `password ${i}`);
  }
  const login = await api(env, "POST", "/api/v1/login", {
    username: name,
    password: passwords[accepted[0]],
  });
  assertEquals(login.status, 200);
});

Deno.test("http: a session's location is the platform's (request.cf on Workers), null in process", async () => {
  const env = await target();
  const name = await env.newUser();
  await freshStep(env);
  const e = await enrollViaApi(env, name);
  const mine = await api(env, "GET", "/api/v1/me/sessions", undefined, e.sessionToken);
  assertEquals(mine.status, 200);
  const current = mine.json.sessions.find((s: { current: boolean }) => s.current);
  const rows = await env.query(
    `SELECT s.location FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE u.username = ${lit(name)} AND s.revoked_at IS NULL`,
  );
  assertEquals(current.location, rows[0].location ?? null);
  if (!env.remote) assertEquals(current.location, null);
  else assert(current.location === null || /^\S/.test(current.location), current.location);
});

Deno.test("http: verify decides by the stored access rules: bypass, who, refusal, Remote-* headers", async () => {
  const env = await target();
  const name = await env.newUser();
  const other = await env.newUser();
  await freshStep(env);
  const mine = await enrollViaApi(env, name);
  nextStep(env);
  await freshStep(env);
  const theirs = await enrollViaApi(env, other);
  const rules = {
    default: "deny",
    rules: [
      { paths: ["/health"], action: "bypass" },
      { users: [name], action: "two_factor" },
    ],
  };
  await env.batch([
    `INSERT INTO settings (key, value, updated_at) VALUES ('access_rules', ${
      lit(JSON.stringify(rules))
    }, 0) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
  ]);
  const verify = (uri: string, headers: Record<string, string> = {}) =>
    env.app.request(`${env.origin}/api/v1/verify`, {
      headers: { "x-forwarded-uri": uri, "x-forwarded-proto": "https", ...headers },
    });
  try {
    // A Worker isolate reads the rules again within ACCESS_RULES_RELOAD_SECONDS (5 s).
    let health = await verify("/health");
    for (let i = 0; i < 40 && health.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 250));
      health = await verify("/health");
    }
    assertEquals(health.status, 200);
    assertEquals(health.headers.get("remote-user"), "");
    const ok = await verify("/x", { authorization: `Bearer ${mine.sessionToken}` });
    assertEquals(ok.status, 200);
    assertEquals(ok.headers.get("remote-user"), name);
    assertEquals(ok.headers.get("x-auth-key"), "", "every identity header, empty when n/a");
    const refused = await verify("/x", {
      authorization: `Bearer ${theirs.sessionToken}`,
      accept: "application/json",
    });
    assertEquals(refused.status, 403);
    const page = await verify("/x", {
      authorization: `Bearer ${theirs.sessionToken}`,
      accept: "text/html",
    });
    assertEquals(page.status, 403);
    assertMatch(await page.text(), /No access rule lets you reach/);
    // Nobody signed in, a rule that names people: a sign-in first, not a refusal.
    assertEquals((await verify("/x", { accept: "application/json" })).status, 401);
  } finally {
    await env.batch(["DELETE FROM settings WHERE key = 'access_rules'"]);
    // A Worker isolate keeps the rules up to ACCESS_RULES_RELOAD_SECONDS: wait until it is back
    // on the built-in ones (no bypass for /health), so later tests (OpenID Connect sign-ins,
    // which the rules decide too) do not meet these.
    for (let i = 0; i < 60 && (await verify("/health")).status === 200; i++) {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
});

Deno.test("http: a refresh token is traded once; parallel uses give one pair and end the chain", async () => {
  const env = await target();
  const name = await env.newUser();
  await freshStep(env);
  const e = await enrollViaApi(env, name);
  nextStep(env);
  const p = await pendingLogin(env, name);
  const login = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(login.status, 200);
  assertMatch(login.json.refresh_token, /^tfr_/);
  const next = await api(env, "POST", "/api/v1/session/refresh", {
    refresh_token: login.json.refresh_token,
  });
  assertEquals(next.status, 200);
  assertEquals(
    (await api(env, "GET", "/api/v1/session", undefined, next.json.session_token)).status,
    200,
  );
  const answers = await Promise.all(
    Array.from(
      { length: 4 },
      () => api(env, "POST", "/api/v1/session/refresh", { refresh_token: next.json.refresh_token }),
    ),
  );
  assertEquals(answers.filter((a) => a.status === 200).length, 1);
  // The losers used a spent token: every session of the chain ended, and it was audited.
  const live = await env.query(
    `SELECT count(*) AS n FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE u.username = ${lit(name)} AND s.revoked_at IS NULL
       AND s.id IN (SELECT session_id FROM refresh_tokens)`,
  );
  assertEquals(Number(live[0].n), 0);
  const reuse = await env.query(
    `SELECT count(*) AS n FROM audit_events WHERE username = ${lit(name)}
     AND event = 'session.refresh_reuse'`,
  );
  assert(Number(reuse[0].n) >= 1);
});

Deno.test("http: an expired password is changed after the code, before any session, once", async () => {
  const env = await target();
  const name = await env.newUser();
  await freshStep(env);
  const e = await enrollViaApi(env, name);
  await env.batch([
    `UPDATE users SET password_changed_at = ${Date.now() - 400 * 86_400_000}
     WHERE username = ${lit(name)}`,
    `INSERT INTO settings (key, value, updated_at) VALUES ('password_policy',
       '{"maxAgeDays":365}', ${Date.now()})
     ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
  ]);
  try {
    nextStep(env);
    const p = await pendingLogin(env, name);
    const step = await api(env, "POST", "/api/v1/login/totp", {
      pending_token: p.pending_token,
      code: codeNow(env, e.secret),
    });
    assertEquals(step.json.status, "password_change_required");
    const answers = await Promise.all(
      [0, 1, 2].map((i) =>
        api(env, "POST", "/api/v1/login/password", {
          pending_token: step.json.pending_token,
          new_password: `expired passphrase number ${i} ok`,
        })
      ),
    );
    assertEquals(answers.filter((a) => a.status === 200).length, 1);
    const history = await env.query(
      `SELECT count(*) AS n FROM password_history h JOIN users u ON u.id = h.user_id
       WHERE u.username = ${lit(name)}`,
    );
    assertEquals(Number(history[0].n), 1);
  } finally {
    await env.batch([`DELETE FROM settings WHERE key = 'password_policy'`]);
  }
});

Deno.test("http: OpenID Connect through openid-client: code flow with PKCE and TOTP, userinfo, refresh rotation, reuse revocations, logout", async () => {
  const env = await target({ PUBLIC_URL: "http://localhost" });
  const issuer = env.origin;
  // The relying party speaks to the target through its `request`: real HTTP on Workers.
  const fetchVia: client.CustomFetch = async (url, init) =>
    await env.app.request(url, init as RequestInit);
  const admin = await env.newAdmin();
  const alice = await env.newUser();
  await freshStep(env);
  const adminToken = (await enrollViaApi(env, admin)).sessionToken;
  const secret = (await enrollViaApi(env, alice)).secret;

  const reg = await api(env, "POST", "/api/v1/admin/oidc-clients", {
    name: `Edge app ${crypto.randomUUID()}`,
    redirect_uris: [CALLBACK],
    post_logout_redirect_uris: [AFTER_LOGOUT],
  }, adminToken);
  assertEquals(reg.status, 201, JSON.stringify(reg.json));
  const config = await client.discovery(
    new URL(issuer),
    reg.json.client_id,
    // In process the server's clock is fixed in the past: the library judges token times by it.
    { [client.clockSkew]: Math.round((env.clock.now().getTime() - Date.now()) / 1000) },
    client.ClientSecretBasic(reg.json.client_secret),
    { execute: [client.allowInsecureRequests], [client.customFetch]: fetchVia },
  );
  config[client.customFetch] = fetchVia;

  const started = await startLogin(config);
  const browser = new Browser(env, env.origin);
  const callback = await signInThrough(env, browser, started.url, alice, secret);
  const checks = {
    pkceCodeVerifier: started.verifier,
    expectedState: started.state,
    expectedNonce: started.nonce,
  };
  const tokens = await client.authorizationCodeGrant(config, callback, checks);
  const claims = tokens.claims()!;
  assertEquals(claims.aud, reg.json.client_id);
  assertEquals(claims.preferred_username, alice);
  assertEquals(claims.amr, ["pwd", "otp", "mfa"]);
  assertEquals(
    (await client.fetchUserInfo(config, tokens.access_token, claims.sub)).sub,
    claims.sub,
  );

  // Refresh rotates; the old refresh token again revokes the chain.
  const second = await client.refreshTokenGrant(config, tokens.refresh_token!);
  const reused = await client.refreshTokenGrant(config, tokens.refresh_token!).catch((e) => e);
  assertEquals(reused.error, "invalid_grant");
  const after = await client.refreshTokenGrant(config, second.refresh_token!).catch((e) => e);
  assertEquals(after.error, "invalid_grant");
  const grants = await env.query(
    `SELECT revoked_reason FROM oidc_grants WHERE client_id = ${lit(reg.json.client_id)}`,
  );
  assertEquals(grants.map((g) => g.revoked_reason), ["refresh_reuse"]);

  // A second sign-in (no login page now), its code replayed: what it issued is revoked.
  const again = await startLogin(config);
  const cb2 = await signInThrough(env, browser, again.url, alice, secret);
  const t2 = await client.authorizationCodeGrant(config, cb2, {
    pkceCodeVerifier: again.verifier,
    expectedState: again.state,
    expectedNonce: again.nonce,
  });
  const replay = await client.authorizationCodeGrant(config, cb2, {
    pkceCodeVerifier: again.verifier,
    expectedState: again.state,
    expectedNonce: again.nonce,
  }).catch((e) => e);
  assertEquals(replay.error, "invalid_grant");
  const dead = await client.fetchUserInfo(config, t2.access_token, claims.sub).catch((e) => e);
  assert(dead instanceof Error, "the replayed code's tokens are revoked");

  // RP-initiated logout ends the twofold session.
  const third = await startLogin(config);
  const cb3 = await signInThrough(env, browser, third.url, alice, secret);
  const t3 = await client.authorizationCodeGrant(config, cb3, {
    pkceCodeVerifier: third.verifier,
    expectedState: third.state,
    expectedNonce: third.nonce,
  });
  const end = client.buildEndSessionUrl(config, {
    id_token_hint: t3.id_token!,
    post_logout_redirect_uri: AFTER_LOGOUT,
  });
  const out = await browser.get(end.pathname + end.search);
  assertEquals([out.status, out.headers.get("location")], [303, AFTER_LOGOUT]);
  assertEquals((await browser.get("/account")).status, 303);
  const gone = await client.fetchUserInfo(config, t3.access_token, claims.sub).catch((e) => e);
  assert(gone instanceof Error, "tokens end with the session");
});

/**
 * A receiver for MAIL_WEBHOOK_URL: remotely on the port the runner configured the Worker with
 * (TWOFOLD_MAIL_PORT); in process on a free port, set into the app's config.
 */
function mailReceiver(env: Awaited<ReturnType<typeof target>>) {
  const received: Record<string, unknown>[] = [];
  const port = Number(Deno.env.get("TWOFOLD_MAIL_PORT") ?? 0);
  if (env.remote && !port) throw new Error("TWOFOLD_MAIL_PORT: the runner names the mail port");
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (req) => {
    received.push(await req.json());
    return new Response(null, { status: 204 });
  });
  if (!env.remote) {
    env.deps.config.MAIL_WEBHOOK_URL = `http://127.0.0.1:${server.addr.port}/mail`;
    env.deps.config.MAIL_FROM = "twofold@example.test";
  }
  /** Waits for mail to `to` (remotely the Worker delivers after responses; requests nudge it). */
  const waitFor = async (to: string, count: number) => {
    for (let i = 0; i < 40; i++) {
      const mine = received.filter((m) => m.to === to);
      if (mine.length >= count) return mine;
      if (env.remote) {
        await new Promise((r) => setTimeout(r, 1_000));
        await (await env.app.request("/healthz")).body?.cancel();
      } else {
        await deliverDue(env.deps);
      }
    }
    throw new Error(`no mail to ${to} arrived: ${JSON.stringify(received.map((m) => m.to))}`);
  };
  return { received, waitFor, close: () => server.shutdown() };
}

Deno.test("http: mail through MAIL_WEBHOOK_URL: the reset link arrives and works once, then a notification", async () => {
  const env = await target();
  const mail = mailReceiver(env);
  try {
    const name = await env.newUser();
    const address = `${name}@example.test`;
    await env.batch([`UPDATE users SET email = ${lit(address)} WHERE username = ${lit(name)}`]);
    const asked = await api(env, "POST", "/api/v1/password-reset", { username: name });
    assertEquals(asked.status, 202);
    const [reset] = await mail.waitFor(address, 1);
    assertEquals([reset.kind, reset.about, reset.from], [
      "mail",
      "password_reset",
      "twofold@example.test",
    ]);
    assertMatch(String(reset.message_id), /^<[\w-]+\.twofold@example\.test>$/);
    assertMatch(String(reset.html), /<a href="[^"]+\/password\/reset\?token=/);
    const token = String(reset.text).match(/\/password\/reset\?token=([\w-]{43})/)![1];
    const body = { token, new_password: "a webhook-delivered passphrase" };
    assertEquals((await api(env, "POST", "/api/v1/password-reset/confirm", body)).status, 204);
    const again = await api(env, "POST", "/api/v1/password-reset/confirm", body);
    assertEquals(again.json.error.code, "invalid_reset_token");
    const [, notice] = await mail.waitFor(address, 2);
    assertEquals(notice.about, "password_reset");
    assertMatch(String(notice.text), /\/not-me\?token=[\w-]{43}/);
    // Each delivered once, however often the outbox runs.
    if (env.remote) await new Promise((r) => setTimeout(r, 2_000));
    else {
      env.clock.advance(3_600_000);
      await deliverDue(env.deps);
    }
    assertEquals(mail.received.filter((m) => m.to === address).length, 2);
  } finally {
    await mail.close();
  }
});

Deno.test("http: a security key registers and stands in for the code; a forged assertion is refused", async () => {
  const env = await target();
  const name = await env.newUser();
  await freshStep(env);
  const e = await enrollViaApi(env, name);
  const origin = new URL(env.origin).origin;
  // Passkey sign-in is off by default, on every runtime.
  const off = await api(env, "POST", "/api/v1/login/passkey/options");
  assertEquals(off.status, 403);
  assertEquals(off.json.error.code, "passkey_sign_in_disabled");

  const opts = await api(
    env,
    "POST",
    "/api/v1/me/security-keys/options",
    undefined,
    e.sessionToken,
  );
  assertEquals(opts.status, 200);
  const { key, credential } = await softCreate(opts.json.options, origin);
  const reg = await api(env, "POST", "/api/v1/me/security-keys", {
    challenge_id: opts.json.challenge_id,
    name: "edge key",
    credential,
  }, e.sessionToken);
  assertEquals(reg.status, 201, JSON.stringify(reg.json));

  const signIn = async (answerOrigin: string) => {
    const pending = await pendingLogin(env, name);
    assertEquals(pending.methods, ["totp", "webauthn", "recovery_code"]);
    const o = await api(env, "POST", "/api/v1/login/webauthn/options", {
      pending_token: pending.pending_token,
    });
    assertEquals(o.status, 200);
    return await api(env, "POST", "/api/v1/login/webauthn", {
      pending_token: pending.pending_token,
      challenge_id: o.json.challenge_id,
      credential: await softGet(key, o.json.options, answerOrigin),
    });
  };
  const forged = await signIn("https://evil.example");
  assertEquals(forged.status, 401);
  assertEquals(forged.json.error.code, "invalid_security_key");
  const ok = await signIn(origin);
  assertEquals(ok.status, 200, JSON.stringify(ok.json));
  const me = await api(env, "GET", "/api/v1/session", undefined, ok.json.session_token);
  assertEquals(me.json.session.amr, ["pwd", "pop"]);
  const rows = await env.query(
    `SELECT w.counter AS counter FROM webauthn_credentials w JOIN users u ON u.id = w.user_id
     WHERE u.username = ${lit(name)}`,
  );
  // The forged answer moved the soft key's counter too; the stored one is the accepted answer's.
  assertEquals(rows.map((r) => Number(r.counter)), [2]);
});
