import Database from "libsql";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { assert, assertEquals } from "../../tests/assert.ts";
import { type Db, migrateDb, openLibsqlDb } from "../db/client.ts";
import * as schema from "../db/schema.ts";
import { requestArrived } from "../db/changes.ts";
import { sessionCheckCache } from "./check_cache.ts";
import { findActiveSession, touchSession } from "./repo.ts";

const T = Date.parse("2026-11-22T12:00:00Z");
const IDLE = 30 * 60_000;

async function fileDb(dir: string, walIndexWatch = true): Promise<Db> {
  const db = await openLibsqlDb({ url: `file:${dir}/t.db`, walIndexWatch });
  await migrateDb(db);
  await db.insert(schema.users).values(
    {
      id: "u1",
      username: "alice",
      displayName: "Alice",
      passwordHash: "x",
      createdAt: T,
    } as typeof schema.users.$inferInsert,
  );
  await db.insert(schema.sessions).values({
    id: "s1",
    userId: "u1",
    amr: '["pwd","otp"]',
    createdAt: T,
    lastSeenAt: T,
    expiresAt: T + 8 * 3_600_000,
  });
  return db;
}

const close = (db: Db) => (db as unknown as { $client: { close(): void } }).$client.close();

/** A migrated file with one user and one session, and a second connection to it ("another process"). */
async function withFileDb(
  fn: (db: Db, other: InstanceType<typeof Database>) => Promise<void>,
  walIndexWatch = true,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const db = await fileDb(dir, walIndexWatch);
  const other = new Database(`${dir}/t.db`);
  try {
    await fn(db, other);
  } finally {
    other.close();
    close(db);
    await Deno.remove(dir, { recursive: true });
  }
}

for (
  const [way, walIndexWatch] of [["the mapped WAL index", true], [
    "PRAGMA data_version",
    false,
  ]] as const
) {
  Deno.test(`session check cache (${way}): the touch and unrelated writes keep the answer; another connection's revocation ends it`, () =>
    withFileDb(async (db, other) => {
      const first = await findActiveSession(db, "s1", new Date(T + 1000), IDLE);
      assert(first);
      // Kept: the same (frozen) answer, not a new read.
      assert((await findActiveSession(db, "s1", new Date(T + 2000), IDLE)) === first);
      assert(Object.isFrozen(first.session));

      // The activity touch writes last_seen_at only: the kept answer follows it, and stays kept.
      await touchSession(db, "s1", new Date(T + 61_000));
      const touched = await findActiveSession(db, "s1", new Date(T + 62_000), IDLE);
      assertEquals(touched?.session.lastSeenAt, T + 61_000);
      assert((await findActiveSession(db, "s1", new Date(T + 63_000), IDLE)) === touched);

      // A write of another process that revokes nothing (a failed-login counter) keeps it too.
      other.prepare("UPDATE users SET password_failures = password_failures + 1").run([]);
      assert((await findActiveSession(db, "s1", new Date(T + 64_000), IDLE)) === touched);

      // Another process's revocation: the very next check reads the row, and refuses.
      other.prepare("UPDATE sessions SET revoked_at = ? WHERE id = 's1'").run([T + 65_000]);
      assertEquals(await findActiveSession(db, "s1", new Date(T + 66_000), IDLE), undefined);
      // The way this test is about was the one taken.
      assertEquals(changeWatchOf(db), walIndexWatch ? "wal-index" : "data_version");
    }, walIndexWatch));
}

/** How the embedded client behind `db` sees other connections' commits (src/db/embedded.ts). */
const changeWatchOf = (db: Db) =>
  (db as unknown as { $client: { changeWatch: string } }).$client.changeWatch;

Deno.test("session check cache (the mapped WAL index): every check looks again, so a revocation is seen even by a request that arrived before it", () =>
  withFileDb(async (db, other) => {
    const check = (arrival?: number) =>
      findActiveSession(db, "s1", new Date(T + 1000), IDLE, arrival);
    assert(await check());
    const first = requestArrived();
    assert(await check(first));
    other.prepare("UPDATE sessions SET revoked_at = ? WHERE id = 's1'").run([T + 500]);
    assertEquals(await check(first), undefined);
    assertEquals(changeWatchOf(db), "wal-index");
  }));

Deno.test("session check cache (PRAGMA data_version): one look serves the requests that arrived before it, never a later one", () =>
  withFileDb(async (db, other) => {
    const check = (arrival?: number) =>
      findActiveSession(db, "s1", new Date(T + 1000), IDLE, arrival);
    assert(await check()); // the first check makes the triggers (a write of this process's own)
    assert(await check());
    const first = requestArrived();
    const second = requestArrived();
    assert(await check(first)); // the look, taken after both arrived

    // Another process revokes the session. The two requests that arrived before the look are
    // concurrent with that revocation, and may be answered from the look.
    other.prepare("UPDATE sessions SET revoked_at = ? WHERE id = 's1'").run([T + 500]);
    assert(await check(second));
    assert(await check(first));

    // A request that arrives now (after the revocation) takes a new look, and is refused; so
    // is a check that names no request.
    assertEquals(await check(requestArrived()), undefined);
    other.prepare("UPDATE sessions SET revoked_at = NULL WHERE id = 's1'").run([]);
    assert(await check());
    other.prepare("UPDATE sessions SET revoked_at = ? WHERE id = 's1'").run([T + 600]);
    assertEquals(await check(), undefined);

    // This process's own writes count at once, whatever the request's number.
    await db.run("UPDATE sessions SET revoked_at = NULL WHERE id = 's1'");
    const third = requestArrived();
    assert(await check(third));
    await db.run(`UPDATE sessions SET revoked_at = ${T + 700} WHERE id = 's1'`);
    assertEquals(await check(third), undefined);
  }, false));

Deno.test("session check cache: a kept answer that looks idle or expired is read again", () =>
  withFileDb(async (db, other) => {
    assert(await findActiveSession(db, "s1", new Date(T + 1000), IDLE));
    // Another process saw the session since (a touch: no count, so the kept row is stale).
    other.prepare("UPDATE sessions SET last_seen_at = ? WHERE id = 's1'").run([T + 20 * 60_000]);
    // By the kept row it is idle now; by the database it is not.
    const later = await findActiveSession(db, "s1", new Date(T + IDLE + 5000), IDLE);
    assertEquals(later?.session.lastSeenAt, T + 20 * 60_000);
    // Past the absolute expiry: refused, whatever is kept.
    assertEquals(await findActiveSession(db, "s1", new Date(T + 8 * 3_600_000), IDLE), undefined);
  }));

Deno.test("session check cache: a user's disabled flag or name change ends kept answers; own writes too", () =>
  withFileDb(async (db) => {
    const first = await findActiveSession(db, "s1", new Date(T + 1000), IDLE);
    assert(first);
    await db.update(schema.users).set({ displayName: "Alicia" });
    assertEquals(
      (await findActiveSession(db, "s1", new Date(T + 2000), IDLE))?.user.displayName,
      "Alicia",
    );
    await db.update(schema.users).set({ disabled: true });
    assertEquals(await findActiveSession(db, "s1", new Date(T + 3000), IDLE), undefined);
  }));

Deno.test("session check cache: none without a change source (remote libSQL, replicas, D1)", async () => {
  const dir = await Deno.makeTempDir();
  const client = createClient({ url: `file:${dir}/t.db` });
  try {
    const db = drizzle(client, { schema }) as Db;
    assertEquals(sessionCheckCache(db), null);
    assert(sessionCheckCache(await openLibsqlDb({ url: ":memory:" })) !== null);
  } finally {
    client.close();
    await Deno.remove(dir, { recursive: true });
  }
});
