/**
 * The rows every login inserts get ids that sort by their creation time (`timeOrderedId`), so
 * that their primary-key indexes grow at one end (docs/operations.md, "Speed and durability").
 * A regression to random ids would still work, only slower: this test is what notices it.
 */
import { asc } from "drizzle-orm";
import { auditEvents, pendingLogins, refreshTokens, sessions } from "../src/db/schema.ts";
import { assert, assertEquals } from "./assert.ts";
import { addUser, enrollViaApi, signInWithCode, testApp } from "./helpers.ts";

Deno.test("row ids: sessions, audit events, refresh tokens and pending logins sort by creation", async () => {
  const env = await testApp();
  await addUser(env);
  const e = await enrollViaApi(env);
  for (let i = 0; i < 3; i++) {
    env.clock.advance(3_600_000);
    await signInWithCode(env, e.secret);
  }
  const db = env.deps.db;
  const tables = [
    [
      "sessions",
      await db.select({ id: sessions.id, at: sessions.createdAt }).from(sessions)
        .orderBy(asc(sessions.createdAt)),
    ],
    [
      "audit_events",
      await db.select({ id: auditEvents.id, at: auditEvents.at }).from(auditEvents)
        .orderBy(asc(auditEvents.at)),
    ],
    [
      "refresh_tokens",
      await db.select({ id: refreshTokens.id, at: refreshTokens.createdAt })
        .from(refreshTokens).orderBy(asc(refreshTokens.createdAt)),
    ],
    [
      "pending_logins",
      await db.select({ id: pendingLogins.id, at: pendingLogins.createdAt })
        .from(pendingLogins).orderBy(asc(pendingLogins.createdAt)),
    ],
  ] as const;
  for (const [name, rows] of tables) {
    assert(rows.length >= 3, `${name}: ${rows.length} rows`);
    for (let i = 1; i < rows.length; i++) {
      if (rows[i].at === rows[i - 1].at) continue;
      assert(rows[i - 1].id < rows[i].id, `${name}: ${rows[i - 1].id} before ${rows[i].id}`);
    }
    // 8 characters of time, then 128 random bits (22 base64url characters)
    assertEquals(rows.every((r) => /^[A-Za-z0-9_-]{30}$/.test(r.id)), true, name);
  }
});
