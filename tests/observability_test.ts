/**
 * Observability end to end: the Prometheus /metrics endpoint (counters that move with logins,
 * failures and locks; the text format; off, or behind a token), one JSON log line per request
 * and per security event without secrets, and the X-Request-Id header.
 */
import { outbox } from "../src/db/schema.ts";
import { deliverDue } from "../src/outbox/outbox.ts";
import { createWorkerApp } from "../src/worker.ts";
import type { Level } from "../src/lib/log.ts";
import { generateSigningJwk } from "../src/tokens/tokens.ts";
import { toBase64 } from "../src/lib/encoding.ts";
import { Registry } from "../src/observability/metrics.ts";
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

const SAMPLE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*",?)*\})? (-?[0-9.e+-]+|[+-]Inf|NaN)$/;

/** Parses the text format strictly: every line a comment or `name{labels} value`. */
function parseMetrics(text: string): Map<string, number> {
  assert(text.endsWith("\n"), "ends with a newline");
  const typed = new Set<string>();
  const samples = new Map<string, number>();
  for (const line of text.slice(0, -1).split("\n")) {
    const type = line.match(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$/);
    if (type) {
      typed.add(type[1]);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue;
    const m = line.match(SAMPLE);
    assert(m, `not a sample line: ${JSON.stringify(line)}`);
    const family = m[1].replace(/_(bucket|sum|count)$/, "");
    assert(typed.has(m[1]) || typed.has(family), `no TYPE before ${m[1]}`);
    samples.set(m[1] + (m[2] ?? ""), Number(m[3] === "+Inf" ? Infinity : m[3]));
  }
  return samples;
}

async function scrape(env: TestEnv, token?: string) {
  const res = await env.app.request("/metrics", {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  return parseMetrics(await res.text());
}

Deno.test("metrics: login counters move with successes, failures and locks", async () => {
  const env = await testApp({ SECOND_FACTOR_MAX_FAILURES: "2", PASSWORD_MAX_FAILURES: "3" });
  await addUser(env);
  await addUser(env, "bob");
  const e = await enrollViaApi(env); // an enrollment inside a login: one login
  nextStep(env);
  const before = await scrape(env);
  assertEquals(before.get('twofold_logins_total{outcome="success"}'), 1);
  assertEquals(before.get('twofold_logins_total{outcome="failure"}'), 0);

  // Two wrong codes lock alice's second factor; then a good login.
  for (let i = 0; i < 2; i++) {
    const p = await pendingLogin(env);
    const bad = await api(env, "POST", "/api/v1/login/totp", {
      pending_token: p.pending_token,
      code: "000000",
    });
    assert(bad.status === 401 || bad.status === 429);
  }
  env.clock.advance(16 * 60_000);
  const p = await pendingLogin(env);
  const good = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(good.status, 200);
  // Three wrong passwords lock bob's account.
  for (let i = 0; i < 3; i++) {
    await api(env, "POST", "/api/v1/login", { username: "bob", password: "wrong password!" });
  }

  const after = await scrape(env);
  assertEquals(after.get('twofold_logins_total{outcome="success"}'), 2);
  assertEquals(after.get('twofold_logins_total{outcome="failure"}'), 3);
  assertEquals(after.get('twofold_second_factor_total{method="totp",outcome="success"}'), 1);
  assertEquals(after.get('twofold_second_factor_total{method="totp",outcome="failure"}'), 2);
  assertEquals(
    after.get('twofold_second_factor_total{method="recovery_code",outcome="success"}'),
    0,
  );
  assertEquals(after.get('twofold_lockouts_total{kind="second_factor"}'), 1);
  assertEquals(after.get('twofold_lockouts_total{kind="password"}'), 1);
  assertEquals(after.get('twofold_lockouts_total{kind="client"}'), 0);
});

Deno.test("metrics: a recovery-code login counts under its method", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  const p = await pendingLogin(env);
  const r = await api(env, "POST", "/api/v1/login/recovery", {
    pending_token: p.pending_token,
    recovery_code: e.recoveryCodes[0],
  });
  assertEquals(r.status, 200);
  const m = await scrape(env);
  assertEquals(m.get('twofold_second_factor_total{method="recovery_code",outcome="success"}'), 1);
  assertEquals(m.get('twofold_logins_total{outcome="success"}'), 2);
});

Deno.test("metrics: HTTP requests are labelled by route pattern, never by raw path", async () => {
  const env = await testApp();
  await env.app.request("/login");
  await env.app.request("/login?redirect=%2Fx");
  await env.app.request("/api/v1/admin/users/u-123");
  await env.app.request("/api/v1/admin/users/u-456");
  await env.app.request("/no/such/page/a");
  await env.app.request("/no/such/page/b");
  await env.app.request("/login", { method: "PROPFIND" });
  const m = await scrape(env);
  assertEquals(m.get('twofold_http_requests_total{method="GET",route="/login",status="200"}'), 2);
  assertEquals(
    m.get('twofold_http_requests_total{method="GET",route="/api/v1/admin/users/:id",status="401"}'),
    2,
  );
  assertEquals(
    m.get('twofold_http_requests_total{method="GET",route="unmatched",status="404"}'),
    2,
  );
  assert([...m.keys()].some((k) => k.includes('method="other"')), "odd methods fold into other");
  assert(![...m.keys()].some((k) => k.includes("u-123") || k.includes("/no/such")));
  assertEquals(m.get('twofold_http_request_duration_seconds_count{route="/login"}'), 2);
  assertEquals(m.get('twofold_http_request_duration_seconds_bucket{route="/login",le="+Inf"}'), 2);
  assert(m.has('twofold_http_request_duration_seconds_bucket{route="/login",le="0.005"}'));
});

Deno.test("metrics: another process's snapshot adds to every series, also those only it has", () => {
  const registry = () => {
    const r = new Registry();
    return { r, c: r.counter("t_total", "t", ["k"]), h: r.histogram("t_seconds", "t", [], [1, 2]) };
  };
  const mine = registry();
  const theirs = registry();
  mine.c.inc({ k: "a" }, 2);
  theirs.c.inc({ k: "a" }, 3);
  theirs.c.inc({ k: "b" });
  mine.h.observe({}, 0.5);
  theirs.h.observe({}, 1.5);
  theirs.h.observe({}, 5);
  const text = mine.r.render([JSON.parse(JSON.stringify(theirs.r.snapshot()))]);
  for (
    const line of [
      't_total{k="a"} 5',
      't_total{k="b"} 1',
      't_seconds_bucket{le="1"} 1',
      't_seconds_bucket{le="2"} 2',
      't_seconds_bucket{le="+Inf"} 3',
      "t_seconds_sum 7",
      "t_seconds_count 3",
    ]
  ) assert(text.split("\n").includes(line), `${line} in\n${text}`);
  // Alone, its own counts only.
  assert(mine.r.render().split("\n").includes('t_total{k="a"} 2'));
});

Deno.test("metrics: METRICS_ENABLED=false answers 404", async () => {
  const env = await testApp({ METRICS_ENABLED: "false" });
  const res = await env.app.request("/metrics");
  assertEquals(res.status, 404);
});

Deno.test("metrics: with METRICS_TOKEN the scrape needs that Bearer token", async () => {
  const token = "scrape-token-0123456789";
  const env = await testApp({ METRICS_TOKEN: token });
  for (
    const headers of [
      {} as Record<string, string>,
      { authorization: "Bearer wrong-token-0123456789" },
      { authorization: `Bearer ${token}x` },
      { authorization: `Basic ${btoa(`x:${token}`)}` },
    ]
  ) {
    const res = await env.app.request("/metrics", { headers });
    assertEquals(res.status, 401);
    assertEquals(res.headers.get("www-authenticate"), 'Bearer realm="metrics"');
    assert(!(await res.text()).includes("twofold_"));
  }
  await scrape(env, token);
});

Deno.test("metrics: off by default on Workers, on when METRICS_ENABLED=true", async () => {
  const env = {
    SIGNING_KEYS: JSON.stringify([await generateSigningJwk()]),
    ENCRYPTION_KEY: toBase64(crypto.getRandomValues(new Uint8Array(32))),
    PBKDF2_ITERATIONS: "1000",
    LOG_LEVEL: "error",
    DB: {
      prepare: () => {
        throw new Error("not expected");
      },
      batch: () => Promise.reject(new Error("not expected")),
      exec: () => Promise.reject(new Error("not expected")),
    },
  };
  const off = await createWorkerApp(env);
  assertEquals((await off.request("/metrics")).status, 404);
  const on = await createWorkerApp({ ...env, METRICS_ENABLED: "true" });
  assertEquals((await on.request("/metrics")).status, 200);
});

type Line = { level: Level; msg: string; fields: Record<string, unknown> };

function capture(env: TestEnv): Line[] {
  const lines: Line[] = [];
  env.deps.log = (level, msg, fields) => lines.push({ level, msg, fields: fields ?? {} });
  return lines;
}

Deno.test("logs: one JSON line per request, without the query string", async () => {
  const env = await testApp({ CLIENT_IP_HEADER: "x-real-ip" });
  const lines = capture(env);
  const res = await env.app.request("/login?redirect=%2Fsecret-place", {
    headers: { "x-real-ip": "203.0.113.5" },
  });
  assertEquals(res.status, 200);
  const requests = lines.filter((l) => l.msg === "request");
  assertEquals(requests.length, 1);
  const f = requests[0].fields;
  assertEquals(requests[0].level, "info");
  assertEquals(f.method, "GET");
  assertEquals(f.path, "/login");
  assertEquals(f.route, "/login");
  assertEquals(f.status, 200);
  assertEquals(f.ip, "203.0.113.5");
  assertEquals(f.request_id, res.headers.get("x-request-id"));
  assert(typeof f.duration_ms === "number" && f.duration_ms >= 0);
  assert(!JSON.stringify(lines).includes("secret-place"));
});

Deno.test("logs: a whole login leaves no password, code, token or cookie in the logs", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  nextStep(env);
  const lines = capture(env);

  const b = new Browser(env);
  await b.get("/login");
  await b.post("/login", { username: "alice", password: "a wrong password!" });
  await b.post("/login", { username: "alice", password: PASSWORD });
  await b.get("/login/totp");
  const pending = b.cookies.get("twofold_pending")!;
  const code = codeNow(env, e.secret);
  await b.post("/login/totp", { code: "999999" });
  const done = await b.post("/login/totp", { code });
  assertEquals(done.status, 303);
  const session = b.cookies.get("twofold_session")!;
  const csrf = b.csrf()!;
  await b.get("/account");

  const text = JSON.stringify(lines);
  for (const secret of [PASSWORD, "a wrong password!", code, pending, session, csrf, e.secret]) {
    assert(!text.includes(secret), `a secret reached the logs: ${secret.slice(0, 12)}...`);
  }
  for (const code of e.recoveryCodes) assert(!text.includes(code));

  // The security events are there, as JSON lines with their outcome.
  const audits = lines.filter((l) => l.msg === "audit").map((l) => [
    l.level,
    l.fields.event,
    l.fields.outcome,
  ]);
  assertEquals(audits, [
    ["warn", "login.password", "failure"],
    ["info", "login.password", "success"],
    ["warn", "login.second_factor", "failure"],
    ["info", "login.second_factor", "success"],
  ]);
  const success = lines.find((l) =>
    l.msg === "audit" && l.fields.outcome === "success" &&
    l.fields.event === "login.second_factor"
  )!;
  assertEquals(success.fields.username, "alice");
  assertEquals((success.fields.detail as Record<string, unknown>).method, "totp");
  assertEquals(lines.filter((l) => l.msg === "request").length, 7);
});

Deno.test("X-Request-Id: a fresh id on every answer, an incoming plain one kept", async () => {
  const env = await testApp();
  const a = await env.app.request("/healthz");
  const b = await env.app.request("/healthz");
  assertMatch(
    a.headers.get("x-request-id")!,
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  assert(a.headers.get("x-request-id") !== b.headers.get("x-request-id"));
  const kept = await env.app.request("/healthz", { headers: { "x-request-id": "lb-7f3a.01_x" } });
  assertEquals(kept.headers.get("x-request-id"), "lb-7f3a.01_x");
  const replaced = await env.app.request("/healthz", {
    headers: { "x-request-id": "x".repeat(65) },
  });
  assertMatch(
    replaced.headers.get("x-request-id")!,
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  // Also on error pages and API errors.
  const missing = await env.app.request("/api/v1/nothing");
  assertEquals(missing.status, 404);
  assert(missing.headers.get("x-request-id"));
  assertStringIncludes(await missing.text(), "not_found");
});

Deno.test("logs: the CLI logs its audit events on stderr, so stdout stays the command's output", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../src/cli.ts", import.meta.url).pathname,
        "users:create",
        "--username",
        "carol",
      ],
      cwd: dir,
      env: { DATABASE_URL: `file:${dir}/t.db`, KEYS_FILE: `${dir}/keys.json`, NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(`${PASSWORD}\n`));
    await w.close();
    const out = await child.output();
    assertEquals(out.code, 0);
    const stdout = new TextDecoder().decode(out.stdout).trim().split("\n");
    assertEquals(stdout.length, 1);
    assertMatch(stdout[0], /^created user carol /);
    const audit = new TextDecoder().decode(out.stderr).split("\n").filter((l) =>
      l.includes('"audit"')
    )
      .map((l) => JSON.parse(l));
    assertEquals(audit.map((a) => [a.event, a.outcome, a.username]), [[
      "user.create",
      "success",
      "carol",
    ]]);
    assert(!new TextDecoder().decode(out.stderr).includes(PASSWORD));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("logs: a credential in DATABASE_URL or a webhook URL never reaches the logs", async () => {
  // The Workers entry logs the database it uses; libSQL takes the auth token in the query.
  const lines: string[] = [];
  const original = console.log;
  console.log = (line: string) => lines.push(line);
  try {
    await createWorkerApp({
      SIGNING_KEYS: JSON.stringify([await generateSigningJwk()]),
      ENCRYPTION_KEY: toBase64(crypto.getRandomValues(new Uint8Array(32))),
      DATABASE_URL: "libsql://twofold-example.turso.io?authToken=db-secret-in-the-url",
    });
  } finally {
    console.log = original;
  }
  const ready = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "worker.ready");
  assertEquals(ready.database, "libsql://twofold-example.turso.io");
  assert(!lines.join("\n").includes("db-secret-in-the-url"));

  // A failed delivery is logged and stored without the webhook's path, often its secret.
  const hook = "https://hooks.example/services/T0/B0/hook-secret-in-the-path";
  const env = await testApp({ RESET_WEBHOOK_URL: hook });
  await addUser(env);
  const logged = capture(env);
  await api(env, "POST", "/api/v1/password-reset", { username: "alice" });
  const failing = (url: string) =>
    Promise.reject(new TypeError(`error sending request for url (${url}): connection refused`));
  assertEquals(await deliverDue(env.deps, failing), 0);
  const failed = logged.find((l) => l.msg === "webhook.failed")!;
  assertStringIncludes(String(failed.fields.error), "(https://hooks.example)");
  const [row] = await env.deps.db.select().from(outbox);
  assert(!JSON.stringify(logged).includes("hook-secret"), JSON.stringify(failed));
  assert(!row.lastError!.includes("hook-secret"), row.lastError!);
});
