/**
 * @module Opens the database on Cloudflare Workers: a D1 binding, or libSQL/Turso over HTTP.
 * Imports nothing Deno- or Node-only (no native libSQL, no file-reading migrator), so the
 * Workers bundle stays free of them; `client.ts` keeps the Deno side.
 */
import { createClient } from "@libsql/client/web";
import { drizzle as drizzleD1 } from "drizzle-orm/d1";
import { drizzle as drizzleLibsqlWeb } from "drizzle-orm/libsql/web";
import type { Db } from "./client.ts";
import * as schema from "./schema.ts";

/**
 * The part of a Workers D1 binding that drizzle uses. Declared here because Deno does not
 * know `@cloudflare/workers-types`; the runtime object is the real `D1Database`.
 */
export type D1Binding = {
  prepare(query: string): { bind(...values: unknown[]): unknown };
  batch(statements: unknown[]): Promise<unknown[]>;
  exec(query: string): Promise<unknown>;
};

/**
 * Wraps a D1 binding as the one `Db` type.
 *
 * The cast is sound for what the code uses: both drizzle drivers are `BaseSQLiteDatabase<"async">`
 * over the same sqlite-core schema, so `select/insert/update/delete`, `.returning()` (arrays of
 * rows), `db.query.*`, `db.run(sql)` and `db.batch([...])` behave alike. They differ only in the
 * raw result of `db.run()` (libSQL `ResultSet` vs `D1Result`), which no caller reads. D1's
 * `batch()` runs its statements in order, on one connection, as one transaction: that is what
 * the `changes() = 1` guards of the login and enrollment batches rely on, and what
 * tests/edge/ checks against workerd.
 */
export function openD1Db(binding: D1Binding): Db {
  // deno-lint-ignore no-explicit-any -- D1's type comes from workers-types, absent under Deno
  const db = drizzleD1(binding as any, { schema });
  bindRawStatementsInBatch(db, binding);
  return db as unknown as Db;
}

type BatchItem = {
  _prepare(): {
    getQuery(): { sql: string; params: unknown[] };
    mapResult(r: unknown, batch: true): unknown;
  };
};

/**
 * drizzle-orm 0.45's D1 `batch()` binds parameters through the prepared query's `stmt`, which
 * raw statements (`db.run(sql`...`)`: the conditional `INSERT ... SELECT ... WHERE changes() = 1`
 * of the login and enrollment batches) do not have, so every such batch throws "Cannot read
 * properties of undefined (reading 'bind')". This replaces the session's `batch` with one that
 * prepares every statement from its SQL text and parameters (what drizzle already does for
 * statements without parameters) and maps the results exactly as drizzle does.
 */
function bindRawStatementsInBatch(db: object, binding: D1Binding): void {
  const session = (db as { session?: { batch?: unknown } }).session;
  if (!session || typeof session.batch !== "function") {
    throw new Error("drizzle-orm's D1 session changed shape: review openD1Db's batch fix");
  }
  session.batch = async (queries: BatchItem[]) => {
    const prepared = queries.map((q) => q._prepare());
    const statements = prepared.map((p) => {
      const { sql, params } = p.getQuery();
      return binding.prepare(sql).bind(...params);
    });
    const results = await binding.batch(statements);
    return results.map((result, i) => prepared[i].mapResult(result, true));
  };
}

/**
 * libSQL over HTTP (Turso): `libsql://`, `https://` or, for local servers, `http://` URLs. Each
 * statement is a round trip, and `db.batch()` is one round trip run as one transaction.
 */
export function openLibsqlHttpDb(options: { url: string; authToken?: string }): Db {
  const client = createClient({ url: options.url, authToken: options.authToken });
  return drizzleLibsqlWeb(client, { schema }) as Db;
}
