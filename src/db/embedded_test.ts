import { createClient, LibsqlBatchError, LibsqlError } from "@libsql/client";
import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { type EmbeddedClient, openEmbeddedClient } from "./embedded.ts";

const SETUP = [
  "CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER, f REAL, b BLOB)",
  "CREATE TABLE c (id TEXT PRIMARY KEY, a_id INTEGER NOT NULL REFERENCES a(id), note TEXT)",
];

/** Everything a caller can observe of a result: own keys, indexes, length, JSON. */
function observe(
  rs: { rows: ArrayLike<unknown>[]; columns: string[]; rowsAffected: number },
) {
  return {
    columns: rs.columns,
    rowsAffected: rs.rowsAffected,
    rows: rs.rows.map((r) => ({
      keys: Object.keys(r),
      named: { ...r },
      indexed: Array.prototype.slice.call(r),
      length: r.length,
      json: JSON.stringify(r),
    })),
  };
}

async function both() {
  const ours = openEmbeddedClient(":memory:", ["PRAGMA foreign_keys = ON"]);
  const theirs = createClient({ url: ":memory:" });
  await theirs.execute("PRAGMA foreign_keys = ON");
  for (const s of SETUP) {
    await ours.execute(s);
    await theirs.execute(s);
  }
  return { ours, theirs, clients: [ours, theirs] as const };
}

Deno.test("embedded client: results look exactly like @libsql/client's", async () => {
  const { ours, theirs } = await both();
  const statements = [
    { sql: "INSERT INTO a (name, n, f) VALUES (?, ?, ?)", args: ["x", 5, 1.5] },
    { sql: "INSERT INTO a (name, n, f) VALUES (:name, :n, :f)", args: { name: "y", n: 7, f: 2 } },
    { sql: "INSERT INTO a (name, n) VALUES (?, ?)", args: ["z", true] },
    { sql: "INSERT INTO c VALUES (?, ?, ?)", args: ["c1", 1, null] },
    { sql: "SELECT a.id, a.name, c.id, c.note FROM a JOIN c ON c.a_id = a.id", args: [] },
    { sql: "SELECT * FROM a ORDER BY id", args: [] },
    { sql: "UPDATE a SET n = n + 1 WHERE n > ? RETURNING id, n", args: [0] },
    { sql: "UPDATE a SET n = 0 WHERE name = ?", args: ["nobody"] },
    { sql: "DELETE FROM c", args: [] },
  ];
  for (const s of statements) {
    const a = await ours.execute(s);
    const b = await theirs.execute(s);
    assertEquals(observe(a), observe(b), s.sql);
    assertEquals(a.lastInsertRowid, b.lastInsertRowid, s.sql);
    assertEquals(JSON.stringify(a), JSON.stringify(b), s.sql);
  }
});

Deno.test("embedded client: a statement run again with other values uses the new values", async () => {
  const { ours } = await both();
  for (let i = 0; i < 5; i++) {
    await ours.execute("INSERT INTO a (name, n) VALUES (?, ?)", [`u${i}`, i]);
  }
  for (let i = 0; i < 5; i++) {
    const rs = await ours.execute("SELECT name FROM a WHERE n = ?", [i]);
    assertEquals(rs.rows.map((r) => r.name), [`u${i}`]);
  }
});

Deno.test("embedded client: a schema change is seen by statements compiled before it", async () => {
  const { ours } = await both();
  await ours.execute("INSERT INTO a (name) VALUES ('x')");
  assertEquals((await ours.execute("SELECT * FROM c")).columns, ["id", "a_id", "note"]);
  await ours.execute("ALTER TABLE c ADD COLUMN extra TEXT");
  assertEquals((await ours.execute("SELECT * FROM c")).columns, ["id", "a_id", "note", "extra"]);
  await ours.executeMultiple("ALTER TABLE c ADD COLUMN more TEXT; ALTER TABLE c ADD COLUMN z INT");
  assertEquals((await ours.execute("SELECT * FROM c")).columns.length, 6);
});

Deno.test("embedded client: errors carry the same codes as @libsql/client's", async () => {
  const { clients } = await both();
  const seen = [];
  for (const c of clients) {
    await c.execute("INSERT INTO a (name) VALUES ('dup')");
    const unique = await assertRejects(() => c.execute("INSERT INTO a (name) VALUES ('dup')"));
    const fk = await assertRejects(() => c.execute("INSERT INTO c VALUES ('x', 999, null)"));
    const syntax = await assertRejects(() => c.execute("SELEC 1"));
    const big = await assertRejects(() => c.execute("SELECT 9007199254740993"));
    const undef = await assertRejects(() => c.execute("SELECT ?", [undefined as unknown as null]));
    seen.push(
      [unique, fk, syntax].map((e) => {
        assert(e instanceof LibsqlError);
        return [e.code, e.extendedCode, e.rawCode];
      }).concat([[(big as Error).name], [(undef as Error).name]]),
    );
  }
  assertEquals(seen[0], seen[1]);
  assertEquals(seen[0][0], ["SQLITE_CONSTRAINT", "SQLITE_CONSTRAINT_UNIQUE", 2067]);
});

Deno.test("embedded client: a failing batch leaves nothing and names the statement", async () => {
  const { clients } = await both();
  for (const c of clients) {
    const err = await assertRejects(() =>
      c.batch([
        { sql: "INSERT INTO a (name) VALUES (?)", args: ["one"] },
        { sql: "INSERT INTO a (name) VALUES (?)", args: ["two"] },
        { sql: "INSERT INTO a (name) VALUES (?)", args: ["one"] },
      ], "write")
    );
    assert(err instanceof LibsqlBatchError);
    assertEquals(err.statementIndex, 2);
    assertEquals((await c.execute("SELECT count(*) AS n FROM a")).rows[0].n, 0);
    const ok = await c.batch([
      ["INSERT INTO a (name) VALUES (?)", ["one"]],
      { sql: "UPDATE a SET n = 1 WHERE name = ? AND n IS NULL", args: ["one"] },
      { sql: "UPDATE a SET n = 1 WHERE name = ? AND n IS NULL", args: ["one"] },
    ]);
    assertEquals(ok.map((r) => r.rowsAffected), [1, 1, 0]);
  }
});

Deno.test("embedded client: an interactive transaction on a file has its own connection", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const c = openEmbeddedClient(`file:${dir}/t.db`, ["PRAGMA journal_mode = WAL"]);
    for (const s of SETUP) await c.execute(s);
    const tx = await c.transaction("write");
    await tx.execute("INSERT INTO a (name) VALUES ('in-tx')");
    // the client's own connection does not see the uncommitted row
    assertEquals((await c.execute("SELECT count(*) AS n FROM a")).rows[0].n, 0);
    await tx.commit();
    assert(tx.closed);
    assertEquals((await c.execute("SELECT count(*) AS n FROM a")).rows[0].n, 1);
    const tx2 = await c.transaction("write");
    await tx2.execute("INSERT INTO a (name) VALUES ('rolled-back')");
    await tx2.rollback();
    assertEquals((await c.execute("SELECT count(*) AS n FROM a")).rows[0].n, 1);
    c.close();
    await assertRejects(() => c.execute("SELECT 1"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("embedded client: on :memory: a transaction holds the only connection", async () => {
  const { ours } = await both();
  const tx = await ours.transaction("write");
  await tx.execute("INSERT INTO a (name) VALUES ('x')");
  const err = await assertRejects(() => ours.execute("SELECT 1"));
  assert(err instanceof LibsqlError && err.code === "TRANSACTION_ACTIVE");
  await tx.commit();
  assertEquals((await ours.execute("SELECT count(*) AS n FROM a")).rows[0].n, 1);
});

Deno.test("embedded client: migrate() runs with foreign keys off and turns them back on", async () => {
  const { ours } = await both();
  await ours.migrate([{ sql: "INSERT INTO c VALUES ('orphan', 42, null)", args: [] }]);
  assertEquals((await ours.execute("PRAGMA foreign_keys")).rows[0][0], 1);
  await assertRejects(() => ours.execute("INSERT INTO c VALUES ('x', 999, null)"));
});

/** Runs `body` on a file database (WAL), `count` reading table a from another connection. */
async function withFileClients(
  groupCommit: boolean,
  body: (t: { c: EmbeddedClient; count: () => Promise<unknown> }) => Promise<void>,
) {
  const dir = await Deno.makeTempDir();
  const url = `file:${dir}/g.db`;
  const c = openEmbeddedClient(url, ["PRAGMA journal_mode = WAL", "PRAGMA busy_timeout = 5000"], {
    groupCommit,
  });
  for (const s of SETUP) await c.execute(s);
  // another connection, as another process would have
  const other = openEmbeddedClient(url, ["PRAGMA busy_timeout = 5000"]);
  const count = async () => (await other.execute("SELECT count(*) AS n FROM a")).rows[0].n;
  try {
    await body({ c, count });
  } finally {
    c.close();
    other.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("group commit: the writes of one turn commit together, and none is answered before", async () => {
  await withFileClients(true, async ({ c, count }) => {
    const w1 = c.execute("INSERT INTO a (name) VALUES ('one')");
    const w2 = c.batch([{ sql: "INSERT INTO a (name) VALUES (?)", args: ["two"] }]);
    // same turn: the reader on this connection sees both, another connection neither
    assertEquals((await c.execute("SELECT count(*) AS n FROM a")).rows[0].n, 2);
    assertEquals(await count(), 0);
    await w1;
    // the first answer comes only once both are durable
    assertEquals(await count(), 2);
    assertEquals((await w2)[0].rowsAffected, 1);
  });
});

/**
 * One turn of group commit with a write that fails among good ones: the failing write leaves none
 * of its rows, the others commit, and the table ends with `survivors`.
 */
async function failingWriteInTurn(
  bad: (c: EmbeddedClient) => Promise<unknown>,
  after: (c: EmbeddedClient) => Promise<unknown>,
  survivors: string[],
  check: (err: unknown) => void = () => {},
) {
  await withFileClients(true, async ({ c, count }) => {
    const w1 = c.execute("INSERT INTO a (name) VALUES ('one')");
    const failing = bad(c);
    const w3 = after(c);
    check(await assertRejects(() => failing));
    await w1;
    await w3;
    assertEquals(await count(), 2);
    const names = (await c.execute("SELECT name FROM a ORDER BY name")).rows.map((r) => r.name);
    assertEquals(names, survivors);
  });
}

Deno.test("group commit: a failing batch leaves nothing; the others of its turn still commit", () =>
  failingWriteInTurn(
    (c) =>
      c.batch([
        { sql: "INSERT INTO a (name) VALUES (?)", args: ["two"] },
        { sql: "INSERT INTO a (name) VALUES (?)", args: ["one"] },
      ]),
    (c) => c.execute("INSERT INTO a (name) VALUES ('three')"),
    ["one", "three"],
    (err) => assert(err instanceof LibsqlBatchError && err.statementIndex === 1, String(err)),
  ));

Deno.test("group commit: a single failing statement leaves none of its rows (no savepoint)", () =>
  // 'two' and 'three' are inserted before the duplicate 'one' fails the statement
  failingWriteInTurn(
    (c) => c.execute("INSERT INTO a (name) VALUES ('two'), ('three'), ('one')"),
    (c) => c.batch([{ sql: "INSERT INTO a (name) VALUES (?)", args: ["four"] }]),
    ["four", "one"],
  ));

Deno.test("group commit: of two conditional updates in one turn, exactly one changes the row", async () => {
  await withFileClients(true, async ({ c }) => {
    await c.execute("INSERT INTO a (name, n) VALUES ('step', 10)");
    const advance = () =>
      c.batch([{
        sql: "UPDATE a SET n = ? WHERE name = 'step' AND n < ? RETURNING n",
        args: [11, 11],
      }]);
    const [r1, r2] = await Promise.all([advance(), advance()]);
    assertEquals([r1[0].rows.length, r2[0].rows.length].sort(), [0, 1]);
  });
});

Deno.test("group commit: a PRAGMA or an interactive transaction first commits the open group", async () => {
  await withFileClients(true, async ({ c, count }) => {
    const w1 = c.execute("INSERT INTO a (name) VALUES ('one')");
    await c.execute("PRAGMA journal_mode = WAL");
    assertEquals(await count(), 1);
    await w1;
    const w2 = c.execute("INSERT INTO a (name) VALUES ('two')");
    const tx = await c.transaction("write");
    await tx.execute("INSERT INTO a (name) VALUES ('three')");
    await tx.commit();
    await w2;
    assertEquals(await count(), 3);
  });
});

Deno.test("group commit off: every write commits on its own", async () => {
  await withFileClients(false, async ({ c, count }) => {
    const w1 = c.execute("INSERT INTO a (name) VALUES ('one')");
    assertEquals(await count(), 1);
    await w1;
  });
});

Deno.test("embedded client: a LIMIT ? query answers the same through its one-row path", async () => {
  const { ours, theirs } = await both();
  for (const c of [ours, theirs]) {
    for (const name of ["x", "y", "z"]) {
      await c.execute("INSERT INTO a (name, n) VALUES (?, 1)", [name]);
    }
  }
  for (const args of [[1, 1], [1, 2], [5, 1], [1, 0]]) {
    const q = { sql: "SELECT id, name FROM a WHERE n = ? ORDER BY id LIMIT ?", args };
    assertEquals(observe(await ours.execute(q)), observe(await theirs.execute(q)), String(args));
  }
});

Deno.test("embedded client: a write marked one-row answers and changes as @libsql/client's", async () => {
  const { ours, theirs } = await both();
  const update = "UPDATE a SET n = n + 1 WHERE id = ? RETURNING id, name, n";
  const after = "INSERT INTO c (id, a_id) SELECT ?, ? WHERE changes() = 1 RETURNING id";
  ours.markOneRow(update);
  ours.markOneRow(after);
  for (const c of [ours, theirs]) {
    for (const name of ["x", "y"]) await c.execute("INSERT INTO a (name, n) VALUES (?, 1)", [name]);
  }
  for (const [id, cId] of [[1, "c1"], [2, "c2"], [9, "c9"], [1, "c3"]] as const) {
    const [a, b] = await Promise.all(
      [ours, theirs].map((c) =>
        c.batch([{ sql: update, args: [id] }, { sql: after, args: [cId, id] }])
      ),
    );
    assertEquals(a.map(observe), b.map(observe), `id ${id}`);
  }
  const all = "SELECT * FROM a ORDER BY id";
  assertEquals(observe(await ours.execute(all)), observe(await theirs.execute(all)));
  const cs = "SELECT * FROM c ORDER BY id";
  assertEquals(observe(await ours.execute(cs)), observe(await theirs.execute(cs)));
  assertEquals((await ours.execute(cs)).rows.length, 3);
});

Deno.test("background checkpoint: the WAL is copied into the database off the server's connection", async () => {
  const dir = await Deno.makeTempDir();
  const c = openEmbeddedClient(`file:${dir}/ck.db`, ["PRAGMA journal_mode = WAL"], {
    groupCommit: true,
    checkpointEveryMs: 50,
  });
  try {
    assertEquals((await c.execute("PRAGMA wal_autocheckpoint")).rows[0][0], 0);
    for (const s of SETUP) await c.execute(s);
    for (let i = 0; i < 200; i++) await c.execute("INSERT INTO a (name) VALUES (?)", [`n${i}`]);
    // a report after the writes that has every frame of the WAL checkpointed
    let last = c.lastCheckpoint;
    // Up to 60 s: the worker's first start compiles its module, slow on a loaded machine.
    for (
      let i = 0;
      i < 3000 && !(last?.ok && last.log > 0 && last.checkpointed === last.log);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 20));
      last = c.lastCheckpoint;
    }
    assert(last?.ok && last.log > 0 && last.checkpointed === last.log, JSON.stringify(last));
  } finally {
    c.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("background checkpoint: if the worker fails, SQLite's own checkpoint is back on", async () => {
  const dir = await Deno.makeTempDir();
  const failures: string[] = [];
  // a directory where the database file should be: the worker cannot open it
  const c = openEmbeddedClient(`file:${dir}/ck2.db`, [], {
    checkpointEveryMs: 50,
    onCheckpointFailure: (e) => failures.push(e),
  });
  try {
    await Deno.remove(`${dir}/ck2.db`);
    await Deno.mkdir(`${dir}/ck2.db`);
    // Up to 60 s, as above.
    for (let i = 0; i < 3000 && !failures.length; i++) await new Promise((r) => setTimeout(r, 20));
    assertEquals(failures.length, 1);
    assertEquals((await c.execute("PRAGMA wal_autocheckpoint")).rows[0][0], 1000);
  } finally {
    c.close();
    await Deno.remove(dir, { recursive: true });
  }
});
