import { createClient, LibsqlBatchError, LibsqlError } from "@libsql/client";
import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { openThreadClient } from "./thread.ts";
import { observe, SETUP } from "./client_test_support.ts";

const PRAGMAS = ["PRAGMA foreign_keys = ON", "PRAGMA journal_mode = WAL"];

async function clients() {
  const dir = await Deno.makeTempDir();
  const ours = await openThreadClient({ url: `file:${dir}/t.db`, pragmas: PRAGMAS });
  const theirs = createClient({ url: `file:${dir}/ref.db` });
  await theirs.execute("PRAGMA foreign_keys = ON");
  for (const s of SETUP) {
    await ours.execute(s);
    await theirs.execute(s);
  }
  const cleanup = async () => {
    await ours.stop();
    theirs.close();
    await Deno.remove(dir, { recursive: true });
  };
  return { ours, theirs, dir, cleanup };
}

Deno.test("database thread: results look exactly like @libsql/client's", async () => {
  const { ours, theirs, cleanup } = await clients();
  try {
    const statements = [
      { sql: "INSERT INTO a (name, n, f) VALUES (?, ?, ?)", args: ["x", 5, 1.5] },
      { sql: "INSERT INTO a (name, n) VALUES (:name, :n)", args: { name: "y", n: 7 } },
      { sql: "INSERT INTO c VALUES (?, ?, ?)", args: ["c1", 1, null] },
      { sql: "SELECT a.id, a.name, c.id, c.note FROM a JOIN c ON c.a_id = a.id", args: [] },
      { sql: "SELECT id, name FROM a ORDER BY id LIMIT ?", args: [1] },
      { sql: "UPDATE a SET n = n + 1 WHERE n > ? RETURNING id, n", args: [0] },
      { sql: "DELETE FROM c", args: [] },
    ];
    for (const s of statements) {
      const a = await ours.execute(s);
      const b = await theirs.execute(s);
      assertEquals(observe(a), observe(b), s.sql);
      assertEquals(a.lastInsertRowid, b.lastInsertRowid, s.sql);
    }
  } finally {
    await cleanup();
  }
});

Deno.test("database thread: errors keep their kind and codes", async () => {
  const { ours, cleanup } = await clients();
  try {
    await ours.execute("INSERT INTO a (name) VALUES ('dup')");
    const unique = await assertRejects(() => ours.execute("INSERT INTO a (name) VALUES ('dup')"));
    assert(unique instanceof LibsqlError, String(unique));
    assertEquals([unique.code, unique.extendedCode], [
      "SQLITE_CONSTRAINT",
      "SQLITE_CONSTRAINT_UNIQUE",
    ]);
    const big = await assertRejects(() => ours.execute("SELECT 9007199254740993"));
    assert(big instanceof RangeError, String(big));
    const batch = await assertRejects(() =>
      ours.batch([
        { sql: "INSERT INTO a (name) VALUES (?)", args: ["new"] },
        { sql: "INSERT INTO a (name) VALUES (?)", args: ["dup"] },
      ])
    );
    assert(batch instanceof LibsqlBatchError && batch.statementIndex === 1, String(batch));
    assertEquals((await ours.execute("SELECT count(*) AS n FROM a")).rows[0].n, 1);
  } finally {
    await cleanup();
  }
});

Deno.test("database thread: writes are answered once durable; conditional updates stay exclusive", async () => {
  const { ours, dir, cleanup } = await clients();
  const other = createClient({ url: `file:${dir}/t.db` });
  try {
    await ours.execute("INSERT INTO a (name, n) VALUES ('step', 10)");
    const advance = () =>
      ours.batch([{
        sql: "UPDATE a SET n = 11 WHERE name = 'step' AND n < 11 RETURNING n",
        args: [],
      }]);
    const [r1, r2] = await Promise.all([advance(), advance()]);
    assertEquals([r1[0].rows.length, r2[0].rows.length].sort(), [0, 1]);
    // answered, so committed: another connection sees it
    assertEquals((await other.execute("SELECT n FROM a WHERE name = 'step'")).rows[0].n, 11);
    const tx = await ours.transaction("write");
    await tx.execute("INSERT INTO a (name) VALUES ('in-tx')");
    await tx.commit();
    assertEquals((await other.execute("SELECT count(*) AS n FROM a")).rows[0].n, 2);
  } finally {
    other.close();
    await cleanup();
  }
});
