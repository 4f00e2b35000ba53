import { and, eq, gt, sql } from "drizzle-orm";
import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { type Db, migrateDb, openLibsqlDb } from "./client.ts";
import { joinedRows, perDb, statementTemplate, wholeRows } from "./prepared.ts";
import { pendingLogins, users } from "./schema.ts";

async function freshDb() {
  const db = await openLibsqlDb({ url: ":memory:" });
  await migrateDb(db);
  await db.insert(users).values({
    id: "u1",
    username: "ann",
    displayName: "Ann",
    passwordHash: "x",
    createdAt: 1,
  });
  return db;
}

const consume = statementTemplate((db) =>
  db.update(users)
    .set({ secondFactorFailures: sql`${sql.placeholder("n")}`, graceUntil: null })
    .where(and(eq(users.id, sql.placeholder("id")), eq(users.disabled, false)))
    .returning({ id: users.id, n: users.secondFactorFailures })
);

Deno.test("statementTemplate: the same SQL and values as the builder, built once", async () => {
  const db = await freshDb();
  const built = db.update(users)
    .set({ secondFactorFailures: sql`${7}`, graceUntil: null })
    .where(and(eq(users.id, "u1"), eq(users.disabled, false)))
    .returning({ id: users.id, n: users.secondFactorFailures });
  const q = (x: unknown) => (x as { _prepare(): { getQuery(): unknown } })._prepare().getQuery();
  assertEquals(q(consume(db, { n: 7, id: "u1" })), q(built));
});

Deno.test("statementTemplate: runs in a batch and on its own, with its rows mapped", async () => {
  const db = await freshDb();
  const [a, b] = await db.batch([
    consume(db, { n: 3, id: "u1" }),
    consume(db, { n: 4, id: "nobody" }),
  ]);
  assertEquals(a, [{ id: "u1", n: 3 }]);
  assertEquals(b, []);
  assertEquals(await consume(db, { n: 5, id: "u1" }), [{ id: "u1", n: 5 }]);
});

Deno.test("perDb: built once per database, separately for each", async () => {
  let builds = 0;
  const q = perDb((db) => {
    builds++;
    return db.select().from(pendingLogins).where(gt(pendingLogins.expiresAt, sql.placeholder("t")))
      .prepare();
  });
  const [db1, db2] = [await freshDb(), await freshDb()];
  q(db1);
  q(db1);
  q(db2);
  assertEquals(builds, 2);
  assertEquals(await q(db1).all({ t: 0 }), []);
});

/** A second user, disabled, beside freshDb()'s enabled one. */
async function addBob(db: Db, more: Partial<typeof users.$inferInsert> = {}) {
  await db.insert(users).values({
    id: "u2",
    username: "bob",
    displayName: "Bob",
    passwordHash: "y",
    disabled: true,
    createdAt: 2,
    ...more,
  });
}

const allUsers = wholeRows(
  users,
  (db) =>
    db.select().from(users).where(gt(users.createdAt, sql.placeholder("t"))).orderBy(users.id)
      .prepare(),
);

Deno.test("wholeRows: the same rows, values and key order as drizzle's mapping", async () => {
  const db = await freshDb();
  await addBob(db, {
    twofaRequired: true,
    graceUntil: 1_790_000_000_000,
    email: "bob@example.net",
  });
  const drizzles = await db.select().from(users).where(gt(users.createdAt, 0)).orderBy(users.id);
  const ours = await allUsers(db, { t: 0 });
  assertEquals(ours, drizzles);
  assertEquals(ours.map((r) => Object.keys(r)), drizzles.map((r) => Object.keys(r)));
  assertEquals(ours.map((r) => r.disabled), [false, true]);
  assertEquals(await allUsers(db, { t: 5 }), []);
});

Deno.test("wholeRows: a query that is not the table's whole row is refused", async () => {
  const db = await freshDb();
  const some = wholeRows(
    users,
    (db) => db.select({ id: users.id }).from(users).prepare() as never,
  );
  const e = await assertRejects(() => some(db, {}));
  assert(e.message.includes("not the table's"), e.message);
});

/** Users with their pending login of a purpose (a value, or a placeholder), and a count. */
const usersWithPendingQuery = (db: Db, purpose: string | ReturnType<typeof sql.placeholder>) =>
  db.select({
    user: users,
    pending: pendingLogins,
    n: sql<number>`(SELECT count(*) FROM ${pendingLogins})`.as("n"),
  }).from(users)
    .leftJoin(
      pendingLogins,
      and(eq(pendingLogins.userId, users.id), eq(pendingLogins.purpose, purpose)),
    )
    .orderBy(users.id);

const usersWithPending = joinedRows<Record<string, unknown>>(
  { user: users, pending: pendingLogins },
  ["n"],
  (db) => usersWithPendingQuery(db, sql.placeholder("purpose")).prepare(),
);

Deno.test("joinedRows: the same rows as drizzle's mapping of a join, a missing joined row null", async () => {
  const db = await freshDb();
  await addBob(db);
  await db.insert(pendingLogins).values({
    id: "p1",
    userId: "u2",
    purpose: "challenge",
    rememberMe: true,
    createdAt: 3,
    expiresAt: 4,
    credentialEpoch: 0,
    amr: JSON.stringify(["pwd"]),
  });
  for (const purpose of ["challenge", "enroll"]) {
    const ours = await usersWithPending(db, { purpose });
    assertEquals(ours, await usersWithPendingQuery(db, purpose) as never, purpose);
  }
  const [ann, bob] = await usersWithPending(db, { purpose: "challenge" });
  assertEquals([ann.pending, (bob.pending as { rememberMe: boolean }).rememberMe, bob.n], [
    null,
    true,
    1,
  ]);
  assertEquals((bob.user as { disabled: boolean }).disabled, true);
});
