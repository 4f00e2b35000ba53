/**
 * @module A small libSQL server for tests: the Hrana v2 protocol over HTTP (what
 * `@libsql/client/web` speaks to Turso and sqld) on 127.0.0.1, backed by a local libSQL file.
 * It lets the Workers build run against "Turso" on a machine without network: each stream gets
 * its own connection, and a batch runs its steps in order on it, evaluating step conditions as
 * sqld does. Test fixture only; not a database server to deploy.
 *
 *   deno run -A tests/edge/hrana_server.ts --port 8080 --db /tmp/turso.db [--token SECRET]
 */
// The engine @libsql/client itself uses (same version, in deno.lock already); its plain
// connection API gives each stream one connection of its own.
// deno-lint-ignore no-import-prefix
import Database from "npm:libsql@0.5.29";
import { parseArgs } from "node:util";

type Value =
  | { type: "null" }
  | { type: "integer"; value: string }
  | { type: "float"; value: number }
  | { type: "text"; value: string }
  | { type: "blob"; base64: string };
type Stmt = {
  sql?: string;
  sql_id?: number;
  args?: Value[];
  named_args?: { name: string; value: Value }[];
  want_rows?: boolean;
};
type Cond =
  | { type: "ok" | "error"; step: number }
  | { type: "not"; cond: Cond }
  | { type: "and" | "or"; conds: Cond[] }
  | { type: "is_autocommit" };
type InValue = null | number | bigint | string | Uint8Array;
type Stream = { conn: Database.Database; sqls: Map<number, string> };

const { values } = parseArgs({
  args: Deno.args,
  options: { port: { type: "string" }, db: { type: "string" }, token: { type: "string" } },
});
if (!values.port || !values.db) throw new Error("--port and --db are required");
const dbPath = values.db;
const streams = new Map<string, Stream>();

function decode(v: Value): InValue {
  switch (v.type) {
    case "null":
      return null;
    case "integer": {
      const n = BigInt(v.value);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(n)
        : n;
    }
    case "float":
      return v.value;
    case "text":
      return v.value;
    case "blob":
      return Uint8Array.from(atob(v.base64), (c) => c.charCodeAt(0));
  }
}

function encode(v: unknown): Value {
  if (v === null || v === undefined) return { type: "null" };
  if (typeof v === "bigint") return { type: "integer", value: v.toString() };
  if (typeof v === "number") return { type: "float", value: v };
  if (typeof v === "string") return { type: "text", value: v };
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
    const bytes = v instanceof ArrayBuffer
      ? new Uint8Array(v)
      : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    return { type: "blob", base64: btoa(String.fromCharCode(...bytes)) };
  }
  return { type: "text", value: String(v) };
}

type StmtResult = {
  cols: { name: string; decltype: string | null }[];
  rows: Value[][];
  affected_row_count: number;
  last_insert_rowid: string | null;
};

async function execute(stream: Stream, stmt: Stmt): Promise<StmtResult> {
  const sql = stmt.sql ?? stream.sqls.get(stmt.sql_id!);
  if (sql === undefined) throw new Error("statement has no SQL");
  const prepared = stream.conn.prepare(sql);
  const args = stmt.named_args?.length
    ? [
      Object.fromEntries(
        stmt.named_args.map((a) => [a.name.replace(/^[:@$]/, ""), decode(a.value)]),
      ),
    ]
    : (stmt.args ?? []).map(decode);
  await Promise.resolve();
  if (prepared.reader) {
    const rows = prepared.safeIntegers(true).raw(true).all(...args) as unknown[][];
    const cols = prepared.columns() as { name: string; type: string | null }[];
    return {
      cols: cols.map((c) => ({ name: c.name, decltype: c.type })),
      rows: stmt.want_rows === false ? [] : rows.map((row) => row.map(encode)),
      // A RETURNING statement is a reader that also changes rows.
      affected_row_count: /^\s*(insert|update|delete|replace)\b/i.test(sql)
        ? Number((stream.conn.prepare("SELECT changes()").raw(true).get() as unknown[])[0])
        : 0,
      last_insert_rowid: null,
    };
  }
  const info = prepared.run(...args);
  return {
    cols: [],
    rows: [],
    affected_row_count: Number(info.changes ?? 0),
    last_insert_rowid: info.lastInsertRowid == null ? null : String(info.lastInsertRowid),
  };
}

const errorOf = (e: unknown) => ({
  message: String((e as Error)?.message ?? e),
  code: "SQLITE_ERROR",
});

async function batch(stream: Stream, steps: { condition?: Cond; stmt: Stmt }[]) {
  const results: (StmtResult | null)[] = [];
  const errors: (ReturnType<typeof errorOf> | null)[] = [];
  const holds = (c: Cond): boolean => {
    switch (c.type) {
      case "ok":
        return results[c.step] != null;
      case "error":
        return errors[c.step] != null;
      case "not":
        return !holds(c.cond);
      case "and":
        return c.conds.every(holds);
      case "or":
        return c.conds.some(holds);
      case "is_autocommit":
        return !stream.conn.inTransaction;
    }
  };
  for (const step of steps) {
    if (step.condition && !holds(step.condition)) {
      results.push(null);
      errors.push(null);
      continue;
    }
    try {
      results.push(await execute(stream, step.stmt));
      errors.push(null);
    } catch (e) {
      results.push(null);
      errors.push(errorOf(e));
    }
  }
  return { step_results: results, step_errors: errors };
}

// deno-lint-ignore no-explicit-any -- protocol requests are checked by their `type`
async function handle(stream: Stream, req: any) {
  switch (req.type) {
    case "execute":
      return { type: "execute", result: await execute(stream, req.stmt) };
    case "batch":
      return { type: "batch", result: await batch(stream, req.batch.steps) };
    case "sequence": {
      const sql = req.sql ?? stream.sqls.get(req.sql_id);
      stream.conn.exec(sql);
      return { type: "sequence" };
    }
    case "store_sql":
      stream.sqls.set(req.sql_id, req.sql);
      return { type: "store_sql" };
    case "close_sql":
      stream.sqls.delete(req.sql_id);
      return { type: "close_sql" };
    case "get_autocommit":
      return { type: "get_autocommit", is_autocommit: !stream.conn.inTransaction };
    case "close":
      return { type: "close" };
    default:
      throw new Error(`unsupported request ${req.type}`);
  }
}

function openStream(): Stream {
  const conn = new Database(dbPath);
  conn.exec("PRAGMA foreign_keys = ON");
  conn.exec("PRAGMA busy_timeout = 5000");
  return { conn, sqls: new Map() };
}

Deno.serve({ hostname: "127.0.0.1", port: Number(values.port), onListen: () => {} }, async (r) => {
  const url = new URL(r.url);
  if (values.token && r.headers.get("authorization") !== `Bearer ${values.token}`) {
    return new Response("unauthorized", { status: 401 });
  }
  if (r.method === "GET" && (url.pathname === "/v2" || url.pathname === "/health")) {
    return new Response("ok");
  }
  if (r.method !== "POST" || url.pathname !== "/v2/pipeline") {
    return new Response("not found", { status: 404 });
  }
  const body = await r.json() as { baton: string | null; requests: unknown[] };
  let baton = body.baton;
  let stream = baton ? streams.get(baton) : undefined;
  if (baton && !stream) return new Response("unknown baton", { status: 400 });
  if (baton) streams.delete(baton);
  stream ??= openStream();
  const results = [];
  let closed = false;
  for (const req of body.requests) {
    try {
      results.push({ type: "ok", response: await handle(stream, req) });
    } catch (e) {
      results.push({ type: "error", error: errorOf(e) });
    }
    if ((req as { type: string }).type === "close") closed = true;
  }
  if (closed) {
    stream.conn.close();
    baton = null;
  } else {
    baton = crypto.randomUUID();
    streams.set(baton, stream);
  }
  return Response.json({ baton, base_url: null, results });
});
console.log(`hrana listening on http://127.0.0.1:${values.port}`);
