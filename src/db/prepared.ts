/**
 * @module Queries built once per database. Building a drizzle query costs more than running it
 * on the embedded database (bench/RESULTS.md), so the queries that run on every login or
 * request are built once, with `sql.placeholder()` for their values, and reused.
 */
import type { Db } from "./client.ts";

/** `build` runs once per `Db`; later calls with the same `Db` get the same prepared query. */
export function perDb<T>(build: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<Db, T>();
  return (db) => {
    let q = built.get(db);
    if (q === undefined) built.set(db, q = build(db));
    return q;
  };
}
