/**
 * The D1 path of src/db/edge.ts in process: `openD1Db` over a stand-in for a D1 binding (the
 * D1 API on an in-memory libSQL), through the real app, so `deno task test` catches a drizzle
 * D1 regression such as raw `db.run(sql)` statements with parameters in `db.batch()`, which
 * drizzle-orm 0.45 cannot bind on its own. D1 itself is tested under workerd by
 * run_worker_suite.sh.
 */
import { createClient, type InArgs, type ResultSet } from "@libsql/client";
import { createApp } from "../../src/app.ts";
import { parseConfig } from "../../src/config.ts";
import { type Db, migrateDb } from "../../src/db/client.ts";
import * as schema from "../../src/db/schema.ts";
import { drizzle } from "drizzle-orm/libsql";
import { type D1Binding, openD1Db } from "../../src/db/edge.ts";
import { buildDeps } from "../../src/deps.ts";
import { FixedClock } from "../../src/lib/clock.ts";
import { silentLogger } from "../../src/lib/log.ts";
import { generateSigningJwk } from "../../src/tokens/tokens.ts";
import { runHousekeeping } from "../../src/housekeeping/housekeeping.ts";
import { DAY } from "../../src/lib/clock.ts";
import { toBase64 } from "../../src/lib/encoding.ts";
import worker from "../../src/worker.ts";
import { assertEquals } from "../assert.ts";
import {
  addUser,
  api,
  codeNow,
  enrollViaApi,
  nextStep,
  pendingLogin,
  T0,
  type TestEnv,
} from "../helpers.ts";

type Client = ReturnType<typeof createClient>;
const objects = (rs: ResultSet) =>
  rs.rows.map((row) => Object.fromEntries(rs.columns.map((c, i) => [c, row[i]])));
const d1Result = (rs: ResultSet) => ({
  results: objects(rs),
  success: true,
  meta: { changes: rs.rowsAffected, last_row_id: Number(rs.lastInsertRowid ?? 0) },
});

/** The parts of D1's API that drizzle uses: prepare/bind/all/raw/run/first, and batch. */
function fakeD1(client: Client): D1Binding {
  const statement = (sql: string, args: InArgs = []) => ({
    sql,
    args,
    bind: (...values: unknown[]) => statement(sql, values as InArgs),
    all: async () => d1Result(await client.execute({ sql, args })),
    raw: async () => {
      const rs = await client.execute({ sql, args });
      return rs.rows.map((r) => rs.columns.map((_, i) => r[i]));
    },
    run: async () => d1Result(await client.execute({ sql, args })),
    first: async () => objects(await client.execute({ sql, args }))[0] ?? null,
  });
  return {
    prepare: (sql: string) => statement(sql),
    // D1 runs a batch's statements in order, on one connection, as one transaction.
    batch: async (stmts: unknown[]) => {
      const list = stmts as { sql: string; args: InArgs }[];
      return (await client.batch(list.map((s) => ({ sql: s.sql, args: s.args })), "write"))
        .map(d1Result);
    },
    exec: (sql: string) => client.executeMultiple(sql),
  };
}

Deno.test("d1 adapter: the login, enrollment and recovery batches work through drizzle's D1 driver", async () => {
  // Migrate with the Deno migrator, then hand the same in-memory database to the D1 stand-in.
  const client = createClient({ url: ":memory:" });
  await migrateDb(drizzle(client, { schema }) as Db);
  const config = parseConfig({ DATABASE_URL: ":memory:", PBKDF2_ITERATIONS: "1000" });
  const clock = new FixedClock(T0);
  const deps = await buildDeps({
    config,
    db: openD1Db(fakeD1(client)),
    clock,
    log: silentLogger,
    signingKeys: [await generateSigningJwk()],
    encryptionKey: crypto.getRandomValues(new Uint8Array(32)),
  });
  const env: TestEnv = { app: createApp(deps), deps, clock };
  await addUser(env);
  const e = await enrollViaApi(env);
  assertEquals(e.recoveryCodes.length, 10);
  nextStep(env);
  const p = await pendingLogin(env);
  const code = codeNow(env, e.secret);
  const ok = await api(env, "POST", "/api/v1/login/totp", { pending_token: p.pending_token, code });
  assertEquals(ok.status, 200);
  const replay = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: (await pendingLogin(env)).pending_token,
    code,
  });
  assertEquals(replay.status, 401);
  const rec = await api(env, "POST", "/api/v1/login/recovery", {
    pending_token: (await pendingLogin(env)).pending_token,
    recovery_code: e.recoveryCodes[0],
  });
  assertEquals([rec.status, rec.json.recovery_codes_remaining], [200, 9]);
  const me = await api(env, "GET", "/api/v1/session", undefined, rec.json.session_token);
  assertEquals(me.json.session.amr, ["pwd", "rec"]);
  const sessions = await client.execute("SELECT count(*) AS n FROM sessions");
  assertEquals(Number(sessions.rows[0].n), 3); // enrollment, TOTP, recovery code

  // Housekeeping's batch of DELETEs through the D1 driver: 40 days on, the consumed pending
  // logins, the expired refresh chains and then the sessions they named are gone.
  clock.advance(40 * DAY);
  const counts = await runHousekeeping(deps);
  assertEquals(counts.pending_logins, 4); // enrollment, TOTP, the refused replay, recovery code
  assertEquals(counts.refresh_tokens, 2); // the TOTP and recovery-code logins' chains
  assertEquals(counts.sessions, 3);
  const left = await client.execute(
    "SELECT (SELECT count(*) FROM pending_logins) + (SELECT count(*) FROM sessions) AS n",
  );
  assertEquals(Number(left.rows[0].n), 0);
});

Deno.test("d1 adapter: the Worker's scheduled handler runs the housekeeping pass on D1", async () => {
  const client = createClient({ url: ":memory:" });
  await migrateDb(drizzle(client, { schema }) as Db);
  const now = Date.now(); // the Worker runs on the system clock
  await client.execute({
    sql: `INSERT INTO users (id, username, display_name, password_hash, created_at)
      VALUES ('u', 'alice', 'alice', 'x', ?)`,
    args: [now],
  });
  await client.execute({
    sql: `INSERT INTO pending_logins (id, user_id, purpose, created_at, expires_at)
      VALUES ('dead', 'u', 'challenge', ?, ?), ('live', 'u', 'challenge', ?, ?)`,
    args: [now - 3 * DAY, now - 2 * DAY, now, now + 300_000],
  });
  const waits: Promise<unknown>[] = [];
  const lines: string[] = [];
  const original = console.log;
  console.log = (line: string) => void lines.push(line);
  try {
    await worker.scheduled(
      {},
      {
        DB: fakeD1(client),
        SIGNING_KEYS: JSON.stringify([await generateSigningJwk()]),
        ENCRYPTION_KEY: toBase64(crypto.getRandomValues(new Uint8Array(32))),
      },
      {
        waitUntil: (p: Promise<unknown>) => void waits.push(p),
        passThroughOnException: () => {},
      } as unknown as Parameters<typeof worker.scheduled>[2],
    );
    await Promise.all(waits);
  } finally {
    console.log = original;
  }
  const left = await client.execute("SELECT id FROM pending_logins");
  assertEquals(left.rows.map((r) => r.id), ["live"]);
  const summary = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "housekeeping");
  assertEquals(summary?.pending_logins, 1);
});
