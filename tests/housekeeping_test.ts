/**
 * Housekeeping: per table, a row dead past the grace is deleted and a row that still matters is
 * kept; consumers refuse a token whose row is gone; reuse detection of a spent refresh token
 * survives a pass.
 */
import { eq } from "drizzle-orm";
import {
  auditEvents,
  enrollments,
  ipThrottle,
  noticeTokens,
  oidcClients,
  oidcCodes,
  oidcGrants,
  oidcRefreshTokens,
  outbox,
  passwordResets,
  pendingLogins,
  refreshTokens,
  sessions,
  ssoCodes,
  trustedDevices,
  users,
  webauthnChallenges,
} from "../src/db/schema.ts";
import {
  HOUSEKEEPING_FIRST_RUN_MS,
  housekeepingTick,
  PASS_LIMIT,
  runHousekeeping,
} from "../src/housekeeping/housekeeping.ts";
import { DAY, HOUR, MINUTE } from "../src/lib/clock.ts";
import { randomId } from "../src/lib/crypto.ts";
import { toBase64Url, toHex, utf8 } from "../src/lib/encoding.ts";
import { assert, assertEquals } from "./assert.ts";
import { startServer } from "./server_process.ts";
import {
  client,
  discover,
  oidcEnv,
  registerClient,
  signInThrough,
  startLogin,
} from "./oidc_harness.ts";
import {
  addUser,
  api,
  Browser,
  codeNow,
  enrollViaApi,
  nextStep,
  pendingLogin,
  signInWithCode,
  testApp,
  type TestEnv,
} from "./helpers.ts";

type Env = TestEnv;

async function session(env: Env, userId: string, over: Partial<typeof sessions.$inferInsert>) {
  const t = env.clock.now().getTime();
  const id = over.id ?? randomId();
  await env.deps.db.insert(sessions).values({
    id,
    userId,
    amr: '["pwd","otp"]',
    createdAt: t - 60 * DAY,
    lastSeenAt: t - 60 * DAY,
    expiresAt: t + DAY,
    ...over,
  });
  return id;
}

const has = async (env: Env, table: "sessions" | "refresh_tokens", id: string) => {
  const db = env.deps.db;
  if (table === "sessions") {
    return (await db.select().from(sessions).where(eq(sessions.id, id))).length === 1;
  }
  return (await db.select().from(refreshTokens).where(eq(refreshTokens.id, id))).length === 1;
};

Deno.test("housekeeping: each table loses its rows dead past the grace, keeps those that matter", async () => {
  const env = await testApp();
  const alice = await addUser(env);
  const db = env.deps.db;
  const t = env.clock.now().getTime();
  const dead = t - DAY - MINUTE; // expired just past the one-day grace
  const recent = t - HOUR; // expired, but within the grace
  const future = t + HOUR;
  const u = alice.id;

  // Sessions: one live, one revoked long ago with nothing naming it, one revoked long ago but
  // named by a live refresh chain, one revoked recently.
  const live = await session(env, u, {});
  const gone = await session(env, u, { revokedAt: t - 31 * DAY });
  const chained = await session(env, u, { revokedAt: t - 31 * DAY });
  const lately = await session(env, u, { revokedAt: t - 10 * DAY });
  const expiredLong = await session(env, u, { expiresAt: t - 31 * DAY });
  const expiredLately = await session(env, u, { expiresAt: t - 10 * DAY });
  const delegator = await session(env, u, { expiresAt: t - 31 * DAY });
  const delegated = await session(env, u, { delegatorSessionId: delegator, delegatedBy: u });
  const granted = await session(env, u, { revokedAt: t - 31 * DAY });
  const grantedGone = await session(env, u, { revokedAt: t - 31 * DAY });

  // Refresh chains (JSON API).
  const rt = (
    chainId: string,
    sessionId: string,
    over: Partial<typeof refreshTokens.$inferInsert>,
  ) => ({
    id: randomId(),
    userId: u,
    chainId,
    sessionId,
    tokenHash: randomId(),
    credentialEpoch: 0,
    createdAt: t - 2 * DAY,
    chainExpiresAt: future,
    ...over,
  });
  const liveSpent = rt("live", chained, { usedAt: t - 2 * DAY });
  const liveNext = rt("live", live, {});
  const expiredChain = rt("expired", live, { chainExpiresAt: dead });
  const recentChain = rt("recent", live, { chainExpiresAt: recent, usedAt: t - 2 * HOUR });
  const endedA = rt("ended", live, { usedAt: t - 3 * DAY, revokedAt: dead });
  const endedB = rt("ended", live, { revokedAt: dead });
  const endedLately = rt("ended-lately", live, { usedAt: t - 3 * DAY, revokedAt: recent });
  await db.insert(refreshTokens).values([
    liveSpent,
    liveNext,
    expiredChain,
    recentChain,
    endedA,
    endedB,
    endedLately,
  ]);

  // OpenID Connect: live grants (on a live session), one revoked lately, and dead ones: kept
  // while a refresh token or code still names them, else gone a month after they died.
  await db.insert(oidcClients).values({
    id: "client",
    name: "App",
    redirectUris: '["https://app.example/cb"]',
    createdAt: t,
  });
  const grant = (id: string, sessionId: string, revokedAt: number | null) => ({
    id,
    clientId: "client",
    userId: u,
    sessionId,
    scope: "openid",
    credentialEpoch: 0,
    createdAt: t - 3 * DAY,
    lastUsedAt: t - 3 * DAY,
    revokedAt,
  });
  await db.insert(oidcGrants).values([
    grant("g-live", live, null),
    grant("g-revoked", live, dead),
    grant("g-all-expired", live, null),
    grant("g-on-old-session", granted, dead),
    grant("g-revoked-long", live, t - 31 * DAY),
    grant("g-session-gone-long", grantedGone, null),
    grant("g-no-session", "no-such-session", null),
    grant("g-revoked-long-coded", live, t - 31 * DAY),
  ]);
  await db.insert(oidcRefreshTokens).values([
    // spent and expired, but its grant is live and has a live token: reuse must still be seen
    { id: "o-spent", grantId: "g-live", createdAt: t - 3 * DAY, expiresAt: dead, usedAt: dead },
    { id: "o-live", grantId: "g-live", createdAt: t, expiresAt: future },
    { id: "o-revoked", grantId: "g-revoked", createdAt: t - 3 * DAY, expiresAt: dead },
    { id: "o-revoked-recent", grantId: "g-revoked", createdAt: t - 3 * DAY, expiresAt: recent },
    { id: "o-all-expired", grantId: "g-all-expired", createdAt: t - 3 * DAY, expiresAt: dead },
    // unexpired: it keeps its dead grant, and the grant its session
    {
      id: "o-old-session",
      grantId: "g-on-old-session",
      createdAt: t - 40 * DAY,
      expiresAt: future,
    },
  ]);
  const code = (id: string, over: Partial<typeof oidcCodes.$inferInsert>) => ({
    id,
    clientId: "client",
    userId: u,
    sessionId: live,
    redirectUri: "https://app.example/cb",
    scope: "openid",
    credentialEpoch: 0,
    createdAt: t - 3 * DAY,
    expiresAt: dead,
    ...over,
  });
  await db.insert(oidcCodes).values([
    code("c-unused", {}),
    code("c-used-live-grant", { usedAt: dead, grantId: "g-live" }),
    code("c-used-revoked-grant", { usedAt: dead, grantId: "g-revoked" }),
    code("c-recent", { expiresAt: recent }),
    code("c-used-recent-dead-grant", {
      expiresAt: recent,
      usedAt: recent,
      grantId: "g-revoked-long-coded",
    }),
  ]);

  await db.insert(ssoCodes).values([
    {
      codeHash: "s-dead",
      sessionId: live,
      userId: u,
      host: "a",
      returnUrl: "https://a/",
      createdAt: dead,
      expiresAt: dead,
    },
    {
      codeHash: "s-used-recent",
      sessionId: live,
      userId: u,
      host: "a",
      returnUrl: "https://a/",
      createdAt: recent,
      expiresAt: recent,
      usedAt: recent,
    },
  ]);
  const pending = (id: string, expiresAt: number, consumedAt: number | null) => ({
    id,
    userId: u,
    purpose: "challenge",
    createdAt: expiresAt - 5 * MINUTE,
    expiresAt,
    consumedAt,
  });
  await db.insert(pendingLogins).values([
    pending("p-dead", dead, null),
    pending("p-consumed-dead", dead, dead - MINUTE),
    pending("p-consumed-unexpired", future, t),
    pending("p-recent", recent, null),
  ]);
  const enrollment = (id: string, expiresAt: number, consumedAt: number | null) => ({
    id,
    userId: u,
    label: "x",
    secretEnc: "v1.x.y",
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    window: 1,
    createdAt: expiresAt - 10 * MINUTE,
    expiresAt,
    consumedAt,
  });
  await db.insert(enrollments).values([
    enrollment("e-dead", dead, null),
    enrollment("e-consumed-unexpired", future, t),
    enrollment("e-recent", recent, null),
  ]);
  const reset = (id: string, expiresAt: number, usedAt: number | null) => ({
    id,
    userId: u,
    tokenHash: id,
    createdAt: expiresAt - HOUR,
    expiresAt,
    usedAt,
  });
  await db.insert(passwordResets).values([
    reset("r-dead", dead, null),
    reset("r-used-dead", dead, dead - MINUTE),
    reset("r-used-unexpired", future, t),
    reset("r-recent", recent, null),
  ]);
  const notice = (id: string, expiresAt: number, usedAt: number | null) => ({
    id,
    userId: u,
    tokenHash: id,
    kind: "password_changed",
    createdAt: expiresAt - DAY,
    expiresAt,
    usedAt,
  });
  await db.insert(noticeTokens).values([
    notice("n-dead", dead, null),
    notice("n-used-unexpired", future, t),
    notice("n-used-recent", recent, recent - MINUTE),
  ]);
  const challenge = (id: string, expiresAt: number, consumedAt: number | null) => ({
    id,
    purpose: "passkey",
    boundTo: "",
    challenge: id,
    rpId: "localhost",
    origin: "http://localhost",
    createdAt: expiresAt - 5 * MINUTE,
    expiresAt,
    consumedAt,
  });
  await db.insert(webauthnChallenges).values([
    challenge("w-dead", dead, null),
    challenge("w-consumed-unexpired", future, t),
    challenge("w-recent", recent, null),
  ]);
  const device = (id: string, expiresAt: number, revokedAt: number | null) => ({
    id,
    userId: u,
    name: id,
    createdAt: t - 90 * DAY,
    expiresAt,
    revokedAt,
  });
  await db.insert(trustedDevices).values([
    device("d-expired-long", t - 31 * DAY, null),
    device("d-revoked-long", future, t - 31 * DAY),
    device("d-expired-lately", t - 10 * DAY, null),
    device("d-live", future, null),
  ]);
  const message = (id: string, over: Partial<typeof outbox.$inferInsert>) => ({
    id,
    kind: "webhook",
    payload: "{}",
    createdAt: t - 8 * DAY,
    nextAttemptAt: t - 8 * DAY,
    ...over,
  });
  await db.insert(outbox).values([
    message("m-delivered-old", { deliveredAt: t - 8 * DAY }),
    message("m-delivered-lately", { deliveredAt: t - 6 * DAY }),
    message("m-pending", {}),
    message("m-abandoned", { createdAt: t - 31 * DAY, attempts: 8 }),
  ]);
  const throttle = (key: string, over: Partial<typeof ipThrottle.$inferInsert>) => ({
    key,
    windowStart: t - 40 * DAY,
    ...over,
  });
  await db.insert(ipThrottle).values([
    throttle("ip-old", { failures: 3 }),
    throttle("ip-recent-window", { windowStart: t - MINUTE, failures: 3 }),
    throttle("ip-blocked-lately", {
      blockedAt: t - 10 * DAY,
      blockedUntil: t - 10 * DAY,
      blockCount: 2,
    }),
  ]);

  const auditBefore = (await db.select().from(auditEvents)).length;
  const counts = await runHousekeeping(env.deps);

  const keys = async <T>(rows: Promise<T[]>, key: (r: T) => string) => (await rows).map(key).sort();
  assertEquals(
    await keys(db.select().from(refreshTokens), (r) => r.id),
    [liveSpent.id, liveNext.id, recentChain.id, endedLately.id].sort(),
    "refresh: expired and ended chains go whole; a live chain keeps its spent token",
  );
  assertEquals(
    await keys(db.select().from(oidcRefreshTokens), (r) => r.id),
    ["o-live", "o-old-session", "o-revoked-recent", "o-spent"],
  );
  assertEquals(
    await keys(db.select().from(oidcCodes), (r) => r.id),
    ["c-recent", "c-used-live-grant", "c-used-recent-dead-grant"],
  );
  assertEquals(
    await keys(db.select().from(oidcGrants), (r) => r.id),
    ["g-all-expired", "g-live", "g-on-old-session", "g-revoked", "g-revoked-long-coded"],
    "grants: dead a month and named by nothing go; a live one, one dead lately, and dead ones a token or code still names stay",
  );
  assertEquals(await keys(db.select().from(ssoCodes), (r) => r.codeHash), ["s-used-recent"]);
  assertEquals(
    await keys(db.select().from(pendingLogins), (r) => r.id),
    ["p-consumed-unexpired", "p-recent"],
  );
  assertEquals(await keys(db.select().from(enrollments), (r) => r.id), [
    "e-consumed-unexpired",
    "e-recent",
  ]);
  assertEquals(
    await keys(db.select().from(passwordResets), (r) => r.id),
    ["r-recent", "r-used-unexpired"],
  );
  assertEquals(await keys(db.select().from(noticeTokens), (r) => r.id), [
    "n-used-recent",
    "n-used-unexpired",
  ]);
  assertEquals(
    await keys(db.select().from(webauthnChallenges), (r) => r.id),
    ["w-consumed-unexpired", "w-recent"],
  );
  assertEquals(
    await keys(db.select().from(trustedDevices), (r) => r.id),
    ["d-expired-lately", "d-live"],
  );
  assertEquals(
    await keys(db.select().from(outbox), (r) => r.id),
    ["m-delivered-lately", "m-pending"],
  );
  assertEquals(
    await keys(db.select().from(ipThrottle), (r) => r.key),
    ["ip-blocked-lately", "ip-recent-window"],
  );
  for (const id of [live, chained, lately, expiredLately, delegator, delegated, granted]) {
    assert(await has(env, "sessions", id), `session ${id} kept`);
  }
  for (const id of [gone, expiredLong, grantedGone]) {
    assert(!(await has(env, "sessions", id)), "deleted");
  }
  assertEquals(counts, {
    refresh_tokens: 3,
    oidc_refresh_tokens: 2,
    oidc_codes: 2,
    oidc_grants: 3,
    sso_codes: 1,
    pending_logins: 2,
    enrollments: 1,
    password_resets: 2,
    notice_tokens: 1,
    webauthn_challenges: 1,
    trusted_devices: 2,
    outbox: 2,
    ip_throttle: 1,
    sessions: 3,
  });

  // A second pass finds nothing more; the user and the audit log are untouched.
  const again = await runHousekeeping(env.deps);
  assertEquals(Object.values(again).reduce((a, b) => a + b, 0), 0);
  assertEquals((await db.select().from(users).where(eq(users.id, u))).length, 1);
  assert(auditBefore > 0);
  assertEquals((await db.select().from(auditEvents)).length, auditBefore);
});

const refresh = (env: Env, refresh_token: string) =>
  api(env, "POST", "/api/v1/session/refresh", { refresh_token });

Deno.test("housekeeping: a spent refresh token of a live chain still ends the chain after passes", async () => {
  const env = await testApp();
  await addUser(env);
  const { secret } = await enrollViaApi(env);
  const first = await signInWithCode(env, secret);
  const next = await refresh(env, first.refresh_token);
  assertEquals(next.status, 200);
  // Days pass (the chain lives 7), with a pass every day.
  for (let day = 0; day < 5; day++) {
    env.clock.advance(DAY);
    await runHousekeeping(env.deps);
  }
  const reuse = await refresh(env, first.refresh_token);
  assertEquals(reuse.status, 401);
  // The reuse was recognised: the chain's newest token is dead too.
  assertEquals((await refresh(env, next.json.refresh_token)).status, 401);
});

Deno.test("housekeeping: a refresh token whose row is gone is refused", async () => {
  const env = await testApp();
  await addUser(env);
  const { secret } = await enrollViaApi(env);
  const first = await signInWithCode(env, secret);
  await env.deps.db.delete(refreshTokens);
  const r = await refresh(env, first.refresh_token);
  assertEquals(r.status, 401);
  assertEquals(r.json.error.code, "invalid_refresh_token");
});

Deno.test("housekeeping: a pending token whose row is gone is refused", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  nextStep(env);
  const p = await pendingLogin(env);
  await env.deps.db.delete(pendingLogins);
  const r = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: p.pending_token,
    code: codeNow(env, e.secret),
  });
  assertEquals(r.json.error.code, "invalid_pending_token");
});

Deno.test("housekeeping: a reset token whose row is gone is refused", async () => {
  const env = await testApp();
  const alice = await addUser(env);
  const token = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const hash = toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(token))));
  const t = env.clock.now().getTime();
  await env.deps.db.insert(passwordResets).values({
    id: randomId(),
    userId: alice.id,
    tokenHash: hash,
    createdAt: t,
    expiresAt: t + HOUR,
  });
  await env.deps.db.delete(passwordResets);
  const r = await api(env, "POST", "/api/v1/password-reset/confirm", {
    token,
    new_password: "another long passphrase here",
  });
  assertEquals(r.status, 400);
  assertEquals(r.json.error.code, "invalid_reset_token");
});

Deno.test("housekeeping: the tick main.ts and the Worker run logs a summary, and logs errors", async () => {
  assert(HOUSEKEEPING_FIRST_RUN_MS <= 5 * MINUTE);
  const env = await testApp();
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  env.deps.log = (level, msg, fields) => void lines.push({ level, msg, fields });
  const counts = await housekeepingTick(env.deps);
  assert(counts !== null);
  assertEquals(lines.map((l) => [l.level, l.msg]), [["info", "housekeeping"]]);
  assertEquals(lines[0].fields?.deleted, 0);
  // The counts reach the metrics: a dead pending login is one more deleted row.
  const t = env.clock.now().getTime();
  const alice = await addUser(env);
  await env.deps.db.insert(pendingLogins).values({
    id: "p",
    userId: alice.id,
    purpose: "challenge",
    createdAt: t - 3 * DAY,
    expiresAt: t - 2 * DAY,
  });
  assertEquals((await housekeepingTick(env.deps))?.pending_logins, 1);
  assert(
    env.deps.metrics.registry.render().includes(
      'twofold_housekeeping_deleted_total{table="pending_logins"} 1',
    ),
  );
  // A broken database: logged, not thrown.
  const db = env.deps.db;
  const broken = new Proxy(db, {
    get: (target, key) =>
      key === "batch" ? () => Promise.reject(new Error("database gone")) : Reflect.get(target, key),
  });
  assertEquals(await housekeepingTick({ ...env.deps, db: broken }), null);
  assertEquals(lines.at(-1)?.msg, "housekeeping.failed");
});

Deno.test("housekeeping: the real server runs the pass shortly after start (primary), not when off", async () => {
  const dir = await Deno.makeTempDir();
  const run = async (extra: Record<string, string>) => {
    const server = await startServer(dir, {
      env: { LOG_LEVEL: "info", ...extra },
      stdout: "piped",
    });
    try {
      // The first pass is due HOUSEKEEPING_FIRST_RUN_MS after start.
      await new Promise((r) => setTimeout(r, HOUSEKEEPING_FIRST_RUN_MS + 1_500));
    } finally {
      server.child.kill("SIGTERM");
    }
    const out = await server.child.output();
    return new TextDecoder().decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l));
  };
  try {
    const on = (await run({})).filter((l) => l.msg.startsWith("housekeeping"));
    assertEquals(on.length, 1, JSON.stringify(on));
    assertEquals(on[0].msg, "housekeeping");
    assertEquals(on[0].deleted, 0);
    assertEquals(on[0].refresh_tokens, 0);
    const off = await run({ HOUSEKEEPING_MINUTES: "0" });
    assertEquals(off.filter((l) => l.msg.startsWith("housekeeping")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("housekeeping: a backlog goes PASS_LIMIT rows per table per pass, the rest on the next", async () => {
  const env = await testApp();
  const t = env.clock.now().getTime();
  const alice = await addUser(env);
  const rows = Array.from({ length: PASS_LIMIT + 7 }, (_, i) => ({
    id: `p${i}`,
    userId: alice.id,
    purpose: "challenge" as const,
    createdAt: t - 3 * DAY,
    expiresAt: t - 2 * DAY,
  }));
  for (let i = 0; i < rows.length; i += 500) {
    await env.deps.db.insert(pendingLogins).values(rows.slice(i, i + 500));
  }
  assertEquals((await runHousekeeping(env.deps)).pending_logins, PASS_LIMIT);
  assertEquals((await runHousekeeping(env.deps)).pending_logins, 7);
  assertEquals((await runHousekeeping(env.deps)).pending_logins, 0);
});

Deno.test("housekeeping: the expiry-only tables are searched by their expiry index, not read whole", async () => {
  const env = await testApp();
  const db = env.deps.db;
  // the statements of one real pass, as the pass sends them
  const sent: { sql: string; params: unknown[] }[] = [];
  const batch = db.batch.bind(db);
  (db as unknown as { batch: unknown }).batch = (stmts: { toSQL(): typeof sent[number] }[]) => {
    for (const s of stmts) sent.push(s.toSQL());
    return batch(stmts as never);
  };
  await runHousekeeping(env.deps);
  const client = (db as unknown as {
    $client: {
      execute(s: { sql: string; args: unknown[] }): Promise<{ rows: Record<string, unknown>[] }>;
    };
  }).$client;
  const tables = [
    "pending_logins",
    "enrollments",
    "password_resets",
    "notice_tokens",
    "sso_codes",
    "webauthn_challenges",
  ];
  for (const table of tables) {
    const stmt = sent.find((s) => s.sql.startsWith(`delete from "${table}"`));
    assert(stmt, `a pass deletes from ${table}`);
    const plan =
      (await client.execute({ sql: `EXPLAIN QUERY PLAN ${stmt.sql}`, args: stmt.params }))
        .rows.map((r) => String(r.detail));
    assert(
      plan.some((d) =>
        new RegExp(`^SEARCH ${table} USING (COVERING )?INDEX \\w+ \\(expires_at<\\?\\)`).test(d)
      ),
      `${table}: ${plan.join(" | ")}`,
    );
    assert(!plan.some((d) => d.startsWith(`SCAN ${table}`)), `${table}: ${plan.join(" | ")}`);
  }
});

Deno.test("housekeeping: an OpenID grant whose row is gone refuses its access and refresh tokens", async () => {
  const env = await oidcEnv();
  try {
    const registered = await registerClient(env);
    const config = await discover(env, registered.client_id, registered.client_secret);
    const started = await startLogin(config);
    const callback = await signInThrough(env, new Browser(env, env.issuer), started.url);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
    });
    const userinfo = () =>
      fetch(`${env.issuer}/oidc/userinfo`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      }).then(async (r) => (await r.body?.cancel(), r.status));
    assertEquals(await userinfo(), 200);
    await env.deps.db.delete(oidcGrants);
    assertEquals(await userinfo(), 401);
    const refused = await client.refreshTokenGrant(config, tokens.refresh_token!).then(
      () => "accepted",
      (e) => (e as { error?: string }).error,
    );
    assertEquals(refused, "invalid_grant");
  } finally {
    await env.close();
  }
});
