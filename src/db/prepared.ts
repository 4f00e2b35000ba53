/**
 * @module Queries built once per database. Building a drizzle query costs more than running it
 * on the embedded database (bench/RESULTS.md), so the queries that run on every login or
 * request are built once, with `sql.placeholder()` for their values, and reused.
 */
import { fillPlaceholders } from "drizzle-orm";
import type { Db } from "./client.ts";

/** An engine that runs a statement known to return at most one row more cheaply (embedded.ts). */
export type OneRowRunner = { markOneRow(sql: string): void };

const oneRowRunners = new WeakMap<object, OneRowRunner>();

/** Marks `db` (a Drizzle handle) as served by `runner` (client.ts, for the embedded client). */
export function registerOneRowRunner(db: object, runner: OneRowRunner): void {
  oneRowRunners.set(db, runner);
}

/**
 * Tells the engine behind `db`, if it cares, that the statement `sql` returns at most one row (a
 * write by primary key with RETURNING); every other engine runs it as before.
 */
export function markOneRow(db: Db, sql: string): void {
  oneRowRunners.get(db)?.markOneRow(sql);
}

/** `build` runs once per `Db`; later calls with the same `Db` get the same prepared query. */
export function perDb<T>(build: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<Db, T>();
  return (db) => {
    let q = built.get(db);
    if (q === undefined) built.set(db, q = build(db));
    return q;
  };
}

type BuiltQuery = { sql: string; params: unknown[] };
type PreparedLike = {
  getQuery(): BuiltQuery;
  mapResult(result: unknown, fromBatch?: boolean): unknown;
};

/**
 * A write statement whose SQL drizzle builds once per database, with `sql.placeholder()`s for
 * its values; each call fills them in. The result stands where the builder would: in
 * `db.batch([...])` (drizzle's batch, and the D1 one in edge.ts, take `_prepare().getQuery()`
 * and `mapResult()` from each item, which is all this provides) or awaited on its own (a batch
 * of one). The SQL and the mapping of its rows are the builder's own.
 */
export function statementTemplate<T>(
  build: (db: Db) => T,
  /** `oneRow`: it returns at most one row (see `markOneRow`). */
  options: { oneRow?: boolean } = {},
): (db: Db, values: Record<string, unknown>) => T {
  const built = perDb((db) => {
    const prepared = (build(db) as unknown as { _prepare(): PreparedLike })._prepare();
    const query = prepared.getQuery();
    if (options.oneRow) markOneRow(db, query.sql);
    return { prepared, query };
  });
  return (db, values) => {
    const { prepared, query } = built(db);
    const filled: BuiltQuery = { ...query, params: fillPlaceholders(query.params, values) };
    const item: PreparedLike = {
      getQuery: () => filled,
      mapResult: (result, fromBatch) => prepared.mapResult(result, fromBatch),
    };
    const statement = {
      _prepare: () => item,
      then<A, B>(
        onFulfilled?: (value: unknown) => A | PromiseLike<A>,
        onRejected?: (reason: unknown) => B | PromiseLike<B>,
      ): Promise<A | B> {
        return db.batch([statement as never]).then(([r]) => r).then(onFulfilled, onRejected);
      },
    };
    return statement as unknown as T;
  };
}
