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
import { assertEquals } from "./assert.ts";
import { PASSWORD } from "./helpers.ts";
import {
  call,
  enroll,
  seedUsers,
  type Server,
  type Signed,
  startServer,
  stopServer,
} from "./server_process.ts";

/** Both checks a protected app relies on, on one server: 200 for a live session, else 401. */
async function checks(server: Server, token: string): Promise<[number, number]> {
  const session = await call(server, "GET", "/api/v1/session", token);
  const verify = await fetch(`${server.origin}/api/v1/verify`, {
    headers: { authorization: `Bearer ${token}`, accept: "application/json" },
  });
  await verify.body?.cancel();
  return [session.status, verify.status];
}

Deno.test("revocation: the very next check on another server process refuses an ended session", async () => {
  const dir = await Deno.makeTempDir();
  const databaseUrl = `file:${dir}/twofold.db`;
  // The users, made by the app's own code straight into the file (as bench/seed.ts does).
  const ids = await seedUsers(databaseUrl, [
    "admin",
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
  ]);
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
