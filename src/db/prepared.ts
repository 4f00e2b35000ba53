/**
 * @module Queries built once per database. Building a drizzle query costs more than running it
 * on the embedded database (bench/RESULTS.md), so the queries that run on every login or
 * request are built once, with `sql.placeholder()` for their values, and reused.
 */
import { fillPlaceholders, getTableColumns, type Table } from "drizzle-orm";
import type { Db } from "./client.ts";
import { embeddedClientOf, type EmbeddedEngine } from "./changes.ts";

/**
 * Tells the engine behind `db`, if it cares, that the statement `sql` returns at most one row (a
 * write by primary key with RETURNING); every other engine runs it as before.
 */
export function markOneRow(db: Db, sql: string): void {
  embeddedClientOf(db)?.markOneRow(sql);
}

type WholeRowQuery<R> = {
  all(values?: Record<string, unknown>): Promise<R[]>;
  getQuery(): BuiltQuery;
};

/**
 * Runs a prepared drizzle query that selects (or returns) every column of `table`, and nothing
 * else. On the embedded engine each row is read by position (the columns are checked to be the
 * table's, in order, on the first run) and decoded as drizzle decodes it
 * (null stays null, anything else goes through the column's `mapFromDriverValue`), in the same
 * key order, without drizzle's copies of every row (a user row: 16 → 8 µs); elsewhere drizzle
 * runs it. `oneRow`: the query returns at most one row (see `markOneRow`).
 */
export function wholeRows<R>(
  table: Table,
  build: (db: Db) => WholeRowQuery<R>,
  options: { oneRow?: boolean } = {},
): (db: Db, values: Record<string, unknown>) => Promise<R[]> {
  const built = preparedFor(build, options, (engine) => engine ? rowMapper(table) : null);
  return async (db, values) => {
    const b = built(db);
    if (!b.engine || !b.extra) return await b.query.all(values);
    const result = await executeOn(b.engine, b.sql, values);
    b.extra.check(result.columns);
    return result.rows.map(b.extra.map) as R[];
  };
}

/**
 * What `wholeRows` and `joinedRows` keep per database: the query built once, its SQL, the
 * embedded engine if there is one (marked for one row if asked), and what each adds.
 */
function preparedFor<R, X>(
  build: (db: Db) => WholeRowQuery<R>,
  options: { oneRow?: boolean },
  extra: (engine: EmbeddedEngine | null) => X,
) {
  return perDb((db) => {
    const query = build(db);
    const sql = query.getQuery();
    const engine = embeddedClientOf(db);
    if (options.oneRow) markOneRow(db, sql.sql);
    return { query, sql, engine, extra: extra(engine) };
  });
}

/** Runs a built query's SQL with `values` in its placeholders on the embedded engine. */
function executeOn(engine: EmbeddedEngine, sql: BuiltQuery, values: Record<string, unknown>) {
  return engine.executeValues({
    sql: sql.sql,
    args: fillPlaceholders(sql.params, values) as never[],
  });
}

type Decoder = { mapFromDriverValue(value: unknown): unknown };

function rowMapper(table: Table) {
  const columns = tableColumns(table);
  let checked = false;
  return {
    /** The statement's columns are the table's, once (a broken invariant throws). */
    check(names: string[]) {
      if (checked) return;
      if (names.length !== columns.length || columns.some((c, i) => c.name !== names[i])) {
        throw new Error(`wholeRows: the query's columns are not the table's: ${names.join(", ")}`);
      }
      checked = true;
    },
    map(row: unknown[]): Record<string, unknown> {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < columns.length; i++) {
        const c = columns[i];
        const value = row[i];
        out[c.key] = value === null ? null : c.decoder.mapFromDriverValue(value);
      }
      return out;
    },
  };
}

/**
 * `wholeRows` for a join: a prepared drizzle query that selects whole tables side by side, then
 * scalar columns, `db.select({ a: tableA, b: tableB, x: sql\`...\`.as("x") })`. Rows come back
 * as drizzle gives them, `{ a: {...}, b: {...} | null, x }` (a left-joined table without a row is
 * null); on the embedded engine they are read by position and decoded as `wholeRows` does,
 * without drizzle's mapping, which would cost what merging the statements saves.
 */
export function joinedRows<R>(
  tables: Record<string, Table>,
  scalars: readonly string[],
  build: (db: Db) => WholeRowQuery<R>,
  options: { oneRow?: boolean } = {},
): (db: Db, values: Record<string, unknown>) => Promise<R[]> {
  const parts = Object.entries(tables).map(([name, table]) => ({
    name,
    columns: tableColumns(table),
  }));
  const names = parts.flatMap((p) => p.columns.map((c) => c.name)).concat(scalars);
  const built = preparedFor(build, options, () => ({ checked: false }));
  return async (db, values) => {
    const b = built(db);
    if (!b.engine) return await b.query.all(values);
    const result = await executeOn(b.engine, b.sql, values);
    if (!b.extra.checked) {
      if (result.columns.length !== names.length || names.some((n, i) => result.columns[i] !== n)) {
        throw new Error(`joinedRows: unexpected columns: ${result.columns.join(", ")}`);
      }
      b.extra.checked = true;
    }
    return result.rows.map((row) => {
      const out: Record<string, unknown> = {};
      let i = 0;
      for (const part of parts) {
        const obj: Record<string, unknown> = {};
        let empty = true;
        for (const c of part.columns) {
          const value = row[i++];
          if (value !== null) empty = false;
          obj[c.key] = value === null ? null : c.decoder.mapFromDriverValue(value);
        }
        out[part.name] = empty ? null : obj;
      }
      for (const s of scalars) out[s] = row[i++];
      return out as R;
    });
  };
}

/** A table's columns with their property names and drizzle decoders (no blob columns). */
function tableColumns(table: Table) {
  return Object.entries(getTableColumns(table)).map(([key, column]) => {
    // drizzle turns a blob (an ArrayBuffer from the engine) into a Buffer first; none is read so
    if (column.getSQLType() === "blob") throw new Error(`prepared: ${column.name} is a blob`);
    return { key, name: column.name, decoder: column as unknown as Decoder };
  });
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
