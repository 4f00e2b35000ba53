/**
 * Revocation stays exact across processes (issue 20): the session check keeps its answers in
 * memory on the embedded database (src/sessions/check_cache.ts), so this test runs two real
 * server processes on one libSQL file. Every session is checked on server A first (so A keeps
 * it), then ended through server B (a logout, an admin ending it, a password change, an admin
 * disabling the account), through A itself, or by another program writing the file directly (as
 * the CLI or the sqlite3 shell would); the very next check on A, `GET /api/v1/session` and
 * `GET /api/v1/verify` alike, must refuse it, while the sessions nobody ended still pass.
 */
import Database from "libsql";
import { parseConfig } from "../src/config.ts";
import { migrateDb, openLibsqlDb } from "../src/db/client.ts";
import { buildDeps } from "../src/deps.ts";
import { systemClock } from "../src/lib/clock.ts";
import { silentLogger } from "../src/lib/log.ts";
import { totpCodeAt } from "../src/totp/totp.ts";
import { generateSigningJwk } from "../src/tokens/tokens.ts";
import { createUser } from "../src/users/service.ts";
import { assertEquals } from "./assert.ts";
import { PASSWORD } from "./helpers.ts";

const root = new URL("..", import.meta.url).pathname;

type Server = { origin: string; child: Deno.ChildProcess };

async function startServer(dir: string): Promise<Server> {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}src/main.ts`],
    cwd: dir,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? dir,
      ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
      DATABASE_URL: `file:${dir}/twofold.db`,
      KEYS_FILE: `${dir}/keys.json`,
      PBKDF2_ITERATIONS: "1000",
      LOG_LEVEL: "error",
      HOST: "127.0.0.1",
      PORT: String(port),
      NO_COLOR: "1",
    },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(`${origin}/healthz`);
      await r.body?.cancel();
      if (r.ok) return { origin, child };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  await child.status;
  throw new Error("server did not start");
}

async function stopServer(s: Server): Promise<void> {
  try {
    s.child.kill("SIGTERM");
  } catch { /* gone */ }
  await s.child.status;
}

async function call(
  server: Server,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const r = await fetch(`${server.origin}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : {} };
}

/** Both checks a protected app relies on, on one server: 200 for a live session, else 401. */
async function checks(server: Server, token: string): Promise<[number, number]> {
  const session = await call(server, "GET", "/api/v1/session", token);
  const verify = await fetch(`${server.origin}/api/v1/verify`, {
    headers: { authorization: `Bearer ${token}`, accept: "application/json" },
  });
  await verify.body?.cancel();
  return [session.status, verify.status];
}

type Signed = { token: string; sessionId: string; recoveryCodes: string[] };

/** Enrolls a user through the JSON API (their first login): a session and recovery codes. */
async function enroll(server: Server, username: string): Promise<Signed> {
  const login = await call(server, "POST", "/api/v1/login", undefined, {
    username,
    password: PASSWORD,
  });
  assertEquals(login.json.status, "enrollment_required");
  const pending = login.json.pending_token as string;
  const start = await call(server, "POST", "/api/v1/enrollments", pending, {});
  assertEquals(start.status, 201);
  const confirm = await call(
    server,
    "POST",
    `/api/v1/enrollments/${start.json.enrollment_id}/confirm`,
    pending,
    { code: totpCodeAt(start.json.secret as string, new Date()) },
  );
  assertEquals(confirm.status, 200);
  const token = confirm.json.session_token as string;
  const me = await call(server, "GET", "/api/v1/session", token);
  return {
    token,
    sessionId: (me.json.session as { id: string }).id,
    recoveryCodes: confirm.json.recovery_codes as string[],
  };
}

Deno.test("revocation: the very next check on another server process refuses an ended session", async () => {
  const dir = await Deno.makeTempDir();
  const databaseUrl = `file:${dir}/twofold.db`;
  const ids: Record<string, string> = {};
  {
    // The users, made by the app's own code straight into the file (as bench/seed.ts does).
    const config = parseConfig({ DATABASE_URL: databaseUrl, PBKDF2_ITERATIONS: "1000" });
    const db = await openLibsqlDb({ url: databaseUrl });
    await migrateDb(db);
    const deps = await buildDeps({
      config,
      db,
      clock: systemClock,
      log: silentLogger,
      signingKeys: [await generateSigningJwk()],
      encryptionKey: crypto.getRandomValues(new Uint8Array(32)),
    });
    for (const name of ["admin", "alice", "bob", "carol", "dave", "erin", "frank", "grace"]) {
      const r = await createUser(deps, {
        username: name,
        password: PASSWORD,
        roles: name === "admin" ? ["admin"] : [],
        actor: "test",
      });
      if (!r.ok) throw new Error(r.message);
      ids[name] = r.user.id;
    }
    (db as unknown as { $client: { close(): void } }).$client.close();
  }
  const a = await startServer(dir);
  let b: Server | null = null;
  try {
    b = await startServer(dir);
    const s: Record<string, Signed> = {};
    for (const name of ["admin", "alice", "bob", "carol", "dave", "erin", "frank", "grace"]) {
      s[name] = await enroll(a, name);
    }
    // carol's second session (through B, with a recovery code): the one she changes her
    // password from, which stays.
    const login = await call(b, "POST", "/api/v1/login", undefined, {
      username: "carol",
      password: PASSWORD,
    });
    const recovered = await call(b, "POST", "/api/v1/login/recovery", undefined, {
      pending_token: login.json.pending_token,
      recovery_code: s.carol.recoveryCodes[0],
    });
    assertEquals(recovered.json.status, "authenticated");
    const carolSecond = recovered.json.session_token as string;

    // Before each revocation, every live session passes on A (which keeps the answers): any
    // revocation empties what A keeps, so without this the next check would read the row anyway.
    const live = new Set([...Object.values(s).map((x) => x.token), carolSecond]);
    const warm = async () => {
      for (const token of live) assertEquals(await checks(a, token), [200, 200]);
    };
    const ended = async (token: string, what: string) => {
      live.delete(token);
      assertEquals(await checks(a, token), [401, 401], what);
    };
    await warm();

    // A logout on B.
    assertEquals((await call(b, "POST", "/api/v1/logout", s.alice.token)).status, 204);
    await ended(s.alice.token, "logout on another process");
    await warm();

    // An admin ends a session on B.
    const end = await call(b, "DELETE", `/api/v1/admin/sessions/${s.bob.sessionId}`, s.admin.token);
    assertEquals(end.status, 204);
    await ended(s.bob.token, "admin ended the session");
    await warm();

    // A password change on B ends carol's other sessions (ASVS 7.4.3), not the one it came from.
    const changed = await call(b, "POST", "/api/v1/me/password", carolSecond, {
      current_password: PASSWORD,
      new_password: "Quartz violin 9317 harbor of lanterns",
    });
    assertEquals(changed.status, 204, JSON.stringify(changed.json));
    await ended(s.carol.token, "password changed");
    await warm();

    // An admin disables an account on B.
    const disabled = await call(b, "PATCH", `/api/v1/admin/users/${ids.dave}`, s.admin.token, {
      disabled: true,
    });
    assertEquals(disabled.status, 200);
    await ended(s.dave.token, "account disabled");
    await warm();

    // Another program writes the file directly, as the CLI or the sqlite3 shell would.
    const other = new Database(`${dir}/twofold.db`);
    try {
      other.exec("PRAGMA busy_timeout = 5000");
      other.prepare("UPDATE users SET disabled = 1 WHERE id = ?").run([ids.erin]);
      await ended(s.erin.token, "disabled by another program");
      await warm();
      other.prepare("UPDATE sessions SET revoked_at = ? WHERE id = ?")
        .run([Date.now(), s.grace.sessionId]);
      await ended(s.grace.token, "revoked by another program");
      await warm();
    } finally {
      other.close();
    }

    // A logout on A itself is honoured by A's next check, and B's.
    const out = await call(a, "POST", "/api/v1/logout", s.frank.token);
    assertEquals(out.status, 204, JSON.stringify(out.json));
    await ended(s.frank.token, "logout on the same process");
    assertEquals(await checks(b, s.frank.token), [401, 401]);

    // What nobody ended still passes, on both.
    for (const server of [a, b]) {
      assertEquals(await checks(server, s.admin.token), [200, 200]);
      assertEquals(await checks(server, carolSecond), [200, 200]);
    }
    // And what was ended stays ended on B too.
    for (const name of ["alice", "bob", "carol", "dave", "erin", "grace"]) {
      assertEquals(await checks(b, s[name].token), [401, 401], name);
    }
  } finally {
    await stopServer(a);
    if (b) await stopServer(b);
    await Deno.remove(dir, { recursive: true });
  }
});
