/**
 * `deno task cli db:backup`: a consistent copy of the embedded database while another
 * connection (the server) holds it open with writes still in the WAL.
 */
import Database from "libsql";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { PASSWORD } from "./helpers.ts";

const root = new URL("..", import.meta.url).pathname;

async function cli(dir: string, args: string[], stdin = "", env: Record<string, string> = {}) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}src/cli.ts`, ...args],
    cwd: dir,
    env: {
      DATABASE_URL: `file:${dir}/twofold.db`,
      KEYS_FILE: `${dir}/keys.json`,
      PBKDF2_ITERATIONS: "1000",
      NO_COLOR: "1",
      ...env,
    },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(stdin));
  await w.close();
  const out = await child.output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

Deno.test("backup: db:backup copies the live database, WAL included, and checks the copy", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assertEquals((await cli(dir, ["users:create", "--username", "alice"], PASSWORD)).code, 0);
    // The "server": a connection that keeps the database open in WAL mode and writes a user
    // that is still only in the WAL when the backup runs.
    const live = new Database(`${dir}/twofold.db`);
    live.exec("PRAGMA journal_mode = WAL");
    live.exec("PRAGMA wal_autocheckpoint = 0");
    live.exec(
      "INSERT INTO users (id, username, display_name, password_hash, created_at) " +
        "VALUES ('u-wal', 'only-in-wal', 'only-in-wal', 'x', 0)",
    );
    assert(Deno.statSync(`${dir}/twofold.db-wal`).size > 0, "the write is not in the WAL");
    try {
      const r = await cli(dir, ["db:backup", "--output", `${dir}/backup.db`]);
      assertEquals(r.code, 0, r.stderr);
      assertStringIncludes(r.stdout, "integrity ok");
      assertStringIncludes(r.stderr, "the keys are not in it");
      // The server keeps writing meanwhile.
      live.exec("UPDATE users SET display_name = 'after' WHERE id = 'u-wal'");
    } finally {
      live.close();
    }
    const copy = new Database(`${dir}/backup.db`, { readonly: true });
    try {
      const names = (copy.prepare("SELECT username FROM users ORDER BY username").all() as {
        username: string;
      }[]).map((u) => u.username);
      assertEquals(names, ["alice", "only-in-wal"]);
    } finally {
      copy.close();
    }
    // A restored copy serves: the CLI reads it as the database.
    const listed = await cli(dir, ["users:list"], "", { DATABASE_URL: `file:${dir}/backup.db` });
    assertStringIncludes(listed.stdout, "alice");

    // Never over an existing file; nothing but the embedded file.
    const again = await cli(dir, ["db:backup", "--output", `${dir}/backup.db`]);
    assertEquals(again.code, 1);
    assertStringIncludes(again.stderr, "exists");
    const remote = await cli(dir, ["db:backup", "--output", `${dir}/x.db`], "", {
      DATABASE_URL: "libsql://example.turso.io",
    });
    assertEquals(remote.code, 2);
    assertStringIncludes(remote.stderr, "docs/operations.md#backups");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
