import Database from "libsql";
import { assert, assertEquals } from "../../tests/assert.ts";
import { openEmbeddedClient } from "./embedded.ts";
import { WalIndexWatch } from "./wal_index.ts";

const WAL = ["PRAGMA journal_mode = WAL", "PRAGMA busy_timeout = 5000"];

async function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs `sql` on the file from another process (a fresh `deno`), as the CLI would. */
async function writeFromAnotherProcess(path: string, sql: string): Promise<void> {
  const code = `import Database from "libsql";
const db = new Database(${JSON.stringify(path)});
db.exec("PRAGMA busy_timeout = 5000");
db.exec(${JSON.stringify(sql)});
db.close();`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", new URL("../../deno.json", import.meta.url).pathname, code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
}

const openFds = () => [...Deno.readDirSync("/proc/self/fd")].length;

Deno.test("WAL index watch: moves for every commit of another connection or process, and only then", () =>
  withDir(async (dir) => {
    const path = `${dir}/w.db`;
    const db = new Database(path);
    const other = new Database(path);
    try {
      for (const p of WAL) db.exec(p);
      db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
      const before = openFds();
      const watch = WalIndexWatch.open(path);
      assert(watch, "mapped");
      // No descriptor opened (and so none to close, which would drop SQLite's locks).
      assertEquals(openFds(), before);
      const n = watch.changes();
      // Reads, of this connection or another, change nothing.
      db.prepare("SELECT count(*) FROM t").get([]);
      other.prepare("SELECT count(*) FROM t").get([]);
      assertEquals(watch.changes(), n);
      // A commit of another connection moves it once, however often it is looked at.
      other.exec("INSERT INTO t (v) VALUES ('a')");
      assertEquals(watch.changes(), n + 1);
      assertEquals(watch.changes(), n + 1);
      // So does one of this connection, and every commit between two looks moves it.
      db.exec("INSERT INTO t (v) VALUES ('b')");
      other.exec("INSERT INTO t (v) VALUES ('c')");
      assertEquals(watch.changes(), n + 2);
      // And one of another process.
      await writeFromAnotherProcess(path, "INSERT INTO t (v) VALUES ('d')");
      assertEquals(watch.changes(), n + 3);
      // A statement that fails writes nothing and moves nothing.
      try {
        other.exec("INSERT INTO t (id, v) VALUES (1, 'dup')");
      } catch {
        // the primary key is taken
      }
      assertEquals(watch.changes(), n + 3);
      const open = openFds();
      watch.close();
      watch.close();
      assertEquals(openFds(), open);
    } finally {
      other.close();
      db.close();
    }
  }));

Deno.test("WAL index watch: none for a file not in WAL mode, nor for a missing one", () =>
  withDir((dir) => {
    const rollback = new Database(`${dir}/r.db`);
    try {
      rollback.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)");
      assertEquals(WalIndexWatch.open(`${dir}/r.db`), null);
    } finally {
      rollback.close();
    }
    // No database there at all.
    assertEquals(WalIndexWatch.open(`${dir}/missing.db`), null);
  }));

Deno.test("embedded client: changeCount() through the WAL index sees another process's commit, and keeps growing across reconnect()", () =>
  withDir(async (dir) => {
    const path = `${dir}/e.db`;
    const c = openEmbeddedClient(`file:${path}`, WAL, { groupCommit: true });
    try {
      await c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
      assertEquals(c.changeWatch, "not yet");
      const a = c.changeCount();
      assertEquals(c.changeWatch, "wal-index");
      assertEquals(c.changeCount(), a);
      await c.execute("SELECT * FROM t");
      assertEquals(c.changeCount(), a);
      await writeFromAnotherProcess(path, "INSERT INTO t (v) VALUES ('x')");
      const b = c.changeCount();
      assert(b > a);
      c.reconnect();
      const d = c.changeCount();
      assert(d > b, `${d} > ${b}`);
      assertEquals(c.changeWatch, "wal-index");
      await writeFromAnotherProcess(path, "INSERT INTO t (v) VALUES ('y')");
      assert(c.changeCount() > d);
    } finally {
      c.close();
    }
    assertEquals(c.changeWatch, "data_version");
  }));

Deno.test("embedded client: without the WAL index (off, or :memory:) changeCount() reads PRAGMA data_version", () =>
  withDir(async (dir) => {
    const path = `${dir}/e.db`;
    const c = openEmbeddedClient(`file:${path}`, WAL, { walIndexWatch: false });
    const m = openEmbeddedClient(":memory:");
    try {
      await c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
      const a = c.changeCount();
      assertEquals(c.changeWatch, "data_version");
      await writeFromAnotherProcess(path, "INSERT INTO t (v) VALUES ('x')");
      assert(c.changeCount() > a);
      m.changeCount();
      assertEquals(m.changeWatch, "data_version");
    } finally {
      c.close();
      m.close();
    }
  }));
