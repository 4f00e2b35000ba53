/** @module What the client tests (embedded_test.ts, thread_test.ts) share: a schema and a view of results. */

export const SETUP = [
  "CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER, f REAL, b BLOB)",
  "CREATE TABLE c (id TEXT PRIMARY KEY, a_id INTEGER NOT NULL REFERENCES a(id), note TEXT)",
];

/** Everything a caller can observe of a result: own keys, indexes, length, JSON. */
export function observe(
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
