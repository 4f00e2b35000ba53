/**
 * @module Seeding for the load driver, through the app's own code: users are made by
 * `createUser` (src/users/service.ts) straight into the database file, because the CLI would
 * start one process per user. Enrollment happens later through the real JSON API.
 */
import { parseConfig } from "../src/config.ts";
import { type Db, migrateDb, openLibsqlDb } from "../src/db/client.ts";
import { users } from "../src/db/schema.ts";
import { buildDeps } from "../src/deps.ts";
import { systemClock } from "../src/lib/clock.ts";
import { silentLogger } from "../src/lib/log.ts";
import { hashPassword } from "../src/lib/password.ts";
import { generateSigningJwk } from "../src/tokens/tokens.ts";
import { createUser } from "../src/users/service.ts";
import { like } from "drizzle-orm";

/** Closes the libSQL client behind a Drizzle handle. */
function closeDb(db: Db): void {
  (db as unknown as { $client: { close(): void } }).$client.close();
}

/**
 * Creates the users with `createUser` at the given PBKDF2 cost, each with its own salt.
 * `migrate` applies the migrations first (the spawned server would do the same on start).
 */
export async function createBenchUsers(input: {
  databaseUrl: string;
  usernames: string[];
  password: string;
  iterations: number;
  migrate: boolean;
}): Promise<void> {
  const config = parseConfig({
    DATABASE_URL: input.databaseUrl,
    PBKDF2_ITERATIONS: String(input.iterations),
    LOG_LEVEL: "error",
  });
  const db = await openLibsqlDb({ url: config.DATABASE_URL });
  try {
    if (input.migrate) await migrateDb(db);
    // Only this seeding connection skips the fsync per commit; the server keeps its own setting.
    await db.run("PRAGMA synchronous = NORMAL");
    // Keys are needed to build the dependencies; createUser never uses them.
    const deps = await buildDeps({
      config,
      db,
      clock: systemClock,
      log: silentLogger,
      signingKeys: [await generateSigningJwk()],
      encryptionKey: crypto.getRandomValues(new Uint8Array(32)),
    });
    for (const username of input.usernames) {
      const r = await createUser(deps, {
        username,
        password: input.password,
        roles: [],
        actor: "bench",
      });
      if (!r.ok) throw new Error(`createUser(${username}) failed: ${r.message}`);
    }
  } finally {
    closeDb(db);
  }
}

/**
 * Gives every user whose name starts with `prefix` one freshly computed hash at `iterations`
 * (one salt shared by all of them: verifying it costs the server exactly as much as a hash of
 * its own would, and computing 2,000 of them would take minutes).
 */
export async function setBenchPasswordHashes(input: {
  databaseUrl: string;
  prefix: string;
  password: string;
  iterations: number;
}): Promise<number> {
  const hash = await hashPassword(input.password, input.iterations);
  const db = await openLibsqlDb({ url: input.databaseUrl });
  try {
    const rows = await db.update(users).set({ passwordHash: hash })
      .where(like(users.username, `${input.prefix}%`))
      .returning({ id: users.id });
    return rows.length;
  } finally {
    closeDb(db);
  }
}
