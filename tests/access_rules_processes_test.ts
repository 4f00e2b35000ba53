/**
 * Access rules stay exact across processes: each server process keeps the parsed rules in
 * memory (src/access/service.ts), so this test runs two real server processes on one libSQL file
 * (with the default ACCESS_RULES_RELOAD_SECONDS of 5 s). Rules saved by an admin through one
 * process, or written into the file by another program (as the CLI or the sqlite3 shell would),
 * are honoured by the very next `GET /api/v1/verify` on the other process, which had just
 * decided by the rules before.
 */
import Database from "libsql";
import { assertEquals } from "./assert.ts";
import { call, enroll, seedUsers, type Server, startServer, stopServer } from "./server_process.ts";

/** The proxy's question for https://app.test/<path>, asked of `server`: its status. */
async function verify(server: Server, token: string | null, path = "/"): Promise<number> {
  const r = await fetch(`${server.origin}/api/v1/verify`, {
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      accept: "application/json",
      "x-forwarded-host": "app.test",
      "x-forwarded-proto": "https",
      "x-forwarded-uri": path,
    },
  });
  await r.body?.cancel();
  return r.status;
}

Deno.test("access rules: the very next verify on another server process decides by the rules just saved", async () => {
  const dir = await Deno.makeTempDir();
  const databaseUrl = `file:${dir}/twofold.db`;
  const ids = await seedUsers(databaseUrl, ["admin", "alice", "bob"]);
  const a = await startServer(dir);
  let b: Server | null = null;
  try {
    b = await startServer(dir);
    const admin = (await enroll(a, "admin")).token;
    const alice = (await enroll(a, "alice")).token;
    const bob = (await enroll(b, "bob")).token;
    const patched = await call(a, "PATCH", `/api/v1/admin/users/${ids.alice}`, admin, {
      groups: ["contractors"],
    });
    assertEquals(patched.status, 200);

    // B decides by the built-in rules (everyone signed in passes; no one else), more than once.
    for (let i = 0; i < 3; i++) {
      assertEquals(await verify(b, alice), 200);
      assertEquals(await verify(b, bob), 200);
      assertEquals(await verify(b, null, "/public/x"), 401);
    }

    // An admin denies a group through A: B's next check denies alice, and lets bob through.
    const saved = await call(a, "PUT", "/api/v1/admin/access-rules", admin, {
      default: "deny",
      rules: [
        { hosts: ["app.test"], paths: ["/public"], action: "bypass" },
        { hosts: ["app.test"], groups: ["contractors"], action: "deny" },
        { hosts: ["app.test"], action: "two_factor" },
      ],
    });
    assertEquals(saved.status, 200);
    assertEquals(await verify(b, alice), 403, "a group denied through the other process");
    assertEquals(await verify(b, bob), 200);
    assertEquals(await verify(b, null, "/public/x"), 200, "a bypass saved through the other");

    // Another program writes the row (no server process wrote anything): bob is denied next.
    const other = new Database(`${dir}/twofold.db`);
    try {
      other.exec("PRAGMA busy_timeout = 5000");
      other.prepare("UPDATE settings SET value = ? WHERE key = 'access_rules'").run([
        JSON.stringify({
          default: "deny",
          rules: [
            { hosts: ["app.test"], users: ["bob"], action: "deny" },
            { hosts: ["app.test"], action: "two_factor" },
          ],
        }),
      ]);
    } finally {
      other.close();
    }
    assertEquals(await verify(b, bob), 403, "a user denied by another program");
    assertEquals(await verify(b, alice), 200);
    assertEquals(await verify(b, null, "/public/x"), 401, "the bypass is gone");
    assertEquals(await verify(a, bob), 403, "and on A");
    assertEquals(await verify(a, alice), 200);

    // Saved through B, honoured by A's next check.
    const closed = await call(b, "PUT", "/api/v1/admin/access-rules", admin, {
      default: "deny",
      rules: [],
    });
    assertEquals(closed.status, 200);
    assertEquals(await verify(a, alice), 403, "closed through the other process");
    assertEquals(await verify(b, alice), 403);
  } finally {
    await stopServer(a);
    if (b) await stopServer(b);
    await Deno.remove(dir, { recursive: true });
  }
});
