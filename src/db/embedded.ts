/**
 * @module The embedded libSQL database (a local file or `:memory:`) as a `@libsql/client`
 * `Client`, over the same `libsql` engine that `@libsql/client` uses for files, but with the
 * compiled statements kept. `@libsql/client` compiles every statement again on each call and
 * reads its column list twice; on the session check that was half of the server's CPU
 * (bench/RESULTS.md). Here a statement is compiled once per connection and SQL text, its
 * columns are read once, and rows are built from one shared prototype per statement.
 *
 * Semantics follow `@libsql/client`'s file client: the same `ResultSet` shape (named columns
 * enumerable, indexes and `length` not), integers beyond 2^53 refused, batches in one
 * transaction that rolls back on the first error (`LibsqlBatchError` names the statement),
 * `migrate()` with foreign keys off. Every call runs synchronously on the one connection, so
 * a batch can never interleave with another call; an interactive transaction gets its own
 * connection (on `:memory:`, where a second connection would be a second database, it holds
 * the only one and other calls are refused until it ends, as `@libsql/client` does).
 */
import { setImmediate } from "node:timers";
import Database from "libsql";
import { arrivedSoFar } from "./changes.ts";
import { type Checkpointer, type CheckpointReport, startCheckpointer } from "./checkpoint.ts";
import { WalIndexWatch } from "./wal_index.ts";
import {
  type Client,
  type InArgs,
  type InStatement,
  type InValue,
  LibsqlBatchError,
  LibsqlError,
  type ResultSet,
  type Row,
  type Transaction,
  type TransactionMode,
} from "@libsql/client";

type Connection = InstanceType<typeof Database>;
type Statement = ReturnType<Connection["prepare"]>;

/** How many compiled statements a connection keeps (the app has about 150 distinct ones). */
const STATEMENT_CACHE_SIZE = 500;

/** A result whose rows are the arrays of their decoded values (`executeValues`). */
export type RowValues = { columns: string[]; rows: unknown[][] };

/** Where a row keeps its values; the indexes and `length` read them through the prototype. */
const VALUES = Symbol("values");

type Prepared = {
  stmt: Statement;
  reader: boolean;
  /** Anything but a plain read (`UPDATE ... RETURNING` returns rows, yet writes). */
  writes: boolean;
  /** A read that ends in `LIMIT ?`: bound to 1, one `get()` replaces the row iterator. */
  limitParam: boolean;
  /** Marked as returning at most one row (`markOneRow`): always one `get()`. */
  oneRow: boolean;
  /**
   * The same SQL compiled a second time, used only with `get()`: libsql 0.5 returns a stale
   * row from `get()` on a statement last run with `all()` (embedded_test.ts shows it), so a
   * statement object is only ever used one way.
   */
  single?: Statement;
  columns: string[];
  columnTypes: string[];
  rowProto: object;
};

/**
 * Opens a local libSQL database: `file:path`, `file:///abs/path` or `:memory:`. With
 * `groupCommit`, the writes of one event-loop turn share one commit.
 */
export function openEmbeddedClient(
  url: string,
  pragmas: string[] = [],
  options: EmbeddedOptions = {},
): EmbeddedClient {
  return new EmbeddedClient(localPath(url), pragmas, options);
}

export type EmbeddedOptions = {
  /** The writes of one event-loop turn share one commit (see `#groupWrite`). */
  groupCommit?: boolean;
  /** Checkpoint the WAL on a thread of its own this often (checkpoint.ts); files only. */
  checkpointEveryMs?: number;
  /** Told when the background checkpointer failed (SQLite's own then takes over again). */
  onCheckpointFailure?: (error: string) => void;
  /**
   * Whether `changeCount()` may read other connections' commits from the mapped WAL index
   * (wal_index.ts) instead of `PRAGMA data_version`; on by default, off for tests of the other.
   */
  walIndexWatch?: boolean;
};

/** Statements that only read: they run at once, inside an open group if there is one. */
const READ = /^\s*(select|values)\b/i;
/** Statements that write rows or schema: they join the group. Anything else (PRAGMA,
 * BEGIN, SAVEPOINT...) first commits the group and then runs on its own. */
const WRITE = /^\s*(insert|update|delete|replace|with|create|drop|alter)\b/i;

function localPath(url: string): string {
  if (url === ":memory:" || url === "file::memory:") return ":memory:";
  if (!url.startsWith("file:")) throw new LibsqlError(`not a local URL: ${url}`, "URL_INVALID");
  if (url.startsWith("file://")) {
    const u = new URL(url);
    if (u.host !== "" && u.host !== "localhost") {
      throw new LibsqlError(`Invalid host in file URL: ${u.host}`, "URL_INVALID");
    }
    return decodeURIComponent(u.pathname);
  }
  return url.slice("file:".length);
}

/** One open connection with its cache of compiled statements. */
class Conn {
  readonly raw: Connection;
  readonly #cache = new Map<string, Prepared>();
  /** Statements this connection ran that may have written (see `EmbeddedClient.changeCount`). */
  writes = 0;
  /** One-row reads of `getSync()`, each compiled for `get()` only (see `Prepared.single`). */
  readonly #singles = new Map<string, Statement>();
  /** The client's statements marked as returning at most one row (`markOneRow`). */
  readonly #oneRow: ReadonlySet<string>;

  constructor(path: string, pragmas: string[], oneRow: ReadonlySet<string> = new Set()) {
    this.#oneRow = oneRow;
    this.raw = wrap(() => new Database(path));
    for (const p of pragmas) this.exec(p);
  }

  exec(sql: string): void {
    this.writes++;
    wrap(() => this.raw.exec(sql));
    // a schema change can alter what a cached `SELECT *` returns
    this.#cache.clear();
  }

  prepare(sql: string): Prepared {
    const hit = this.#cache.get(sql);
    if (hit) return hit;
    const stmt = wrap(() => this.raw.prepare(sql));
    const reader = stmt.reader as boolean;
    let columns: string[] = [];
    let columnTypes: string[] = [];
    if (reader) {
      stmt.raw(true);
      stmt.safeIntegers(true);
      const cols = stmt.columns() as { name: string; type: string | null }[];
      columns = cols.map((c) => c.name);
      columnTypes = cols.map((c) => c.type ?? "");
    } else {
      stmt.safeIntegers(true);
    }
    const prepared: Prepared = {
      stmt,
      reader,
      writes: !READ.test(sql),
      limitParam: reader && /^\s*select\b[\s\S]*\blimit \?\s*$/i.test(sql),
      oneRow: reader && this.#oneRow.has(sql),
      columns,
      columnTypes,
      rowProto: rowPrototype(columns.length),
    };
    if (/^\s*(create|alter|drop)\b/i.test(sql)) return prepared;
    if (this.#cache.size >= STATEMENT_CACHE_SIZE) {
      this.#cache.delete(this.#cache.keys().next().value!);
    }
    this.#cache.set(sql, prepared);
    return prepared;
  }

  /**
   * `plain`: each row is the array of its decoded values (`RowValues`), not a row object that
   * also names them: for callers that read by position (src/db/prepared.ts).
   */
  execute(stmt: InStatement, plain = false): ResultSet {
    const { sql, args } = typeof stmt === "string" ? { sql: stmt, args: [] } : stmt;
    const p = this.prepare(sql);
    const bound = bindArgs(args ?? []);
    if (p.writes) this.writes++;
    try {
      return this.#run(sql, p, bound, plain);
    } catch (e) {
      // a statement that failed half-way is not trusted again: it is compiled afresh next time
      this.#cache.delete(sql);
      throw e;
    }
  }

  /** Forgets the compiled form of `sql` (it is compiled again, with what is known now). */
  forget(sql: string): void {
    this.#cache.delete(sql);
  }

  #run(
    sql: string,
    p: Prepared,
    bound: unknown[] | Record<string, unknown>,
    plain: boolean,
  ): ResultSet {
    if (p.reader) {
      if (p.oneRow || p.limitParam && Array.isArray(bound) && bound[bound.length - 1] === 1) {
        // at most one row: one call into the engine instead of an iterator's two or three (a
        // write with RETURNING makes all its changes in that first step, as SQLite documents)
        if (!p.single) {
          const single = wrap(() => this.raw.prepare(sql));
          single.raw(true);
          single.safeIntegers(true);
          p.single = single;
        }
        const single = p.single;
        const row = wrap(() => single.get(bound)) as unknown[] | undefined | null;
        const rows = row ? [plain ? decodeValues(row) as unknown as Row : makeRow(p, row)] : [];
        return new Result(p.columns, p.columnTypes, rows, 0, undefined);
      }
      const raw = wrap(() => p.stmt.all(bound)) as unknown[][];
      const rows = new Array<Row>(raw.length);
      for (let i = 0; i < raw.length; i++) {
        rows[i] = plain ? decodeValues(raw[i]) as unknown as Row : makeRow(p, raw[i]);
      }
      return new Result(p.columns, p.columnTypes, rows, 0, undefined);
    }
    const info = wrap(() => p.stmt.run(bound)) as { changes: number; lastInsertRowid: unknown };
    if (/^\s*(create|alter|drop)\b/i.test(sql)) this.#cache.clear();
    return new Result([], [], [], info.changes, BigInt(info.lastInsertRowid as number));
  }

  /** Runs statements in one transaction; on any error, nothing of it stays. */
  transactional(
    begin: string,
    stmts: Array<InStatement | [string, InArgs?]>,
  ): ResultSet[] {
    this.execute(begin);
    try {
      const results: ResultSet[] = [];
      for (let i = 0; i < stmts.length; i++) {
        const s = stmts[i];
        try {
          if (!this.raw.inTransaction) {
            throw new LibsqlBatchError(
              "The transaction has been rolled back",
              i,
              "TRANSACTION_CLOSED",
            );
          }
          results.push(this.execute(Array.isArray(s) ? { sql: s[0], args: s[1] ?? [] } : s));
        } catch (e) {
          throw asBatchError(e, i);
        }
      }
      this.execute("COMMIT");
      return results;
    } finally {
      if (this.raw.open && this.raw.inTransaction) this.execute("ROLLBACK");
    }
  }

  /** The first row of a read that takes no arguments, as raw values (no row object). */
  getSync(sql: string): unknown[] | undefined {
    let stmt = this.#singles.get(sql);
    if (!stmt) {
      if (!READ.test(sql) && !/^\s*pragma\s+\w+\s*$/i.test(sql)) {
        throw new TypeError("getSync() runs reads only");
      }
      stmt = wrap(() => this.raw.prepare(sql));
      stmt.raw(true);
      this.#singles.set(sql, stmt);
    }
    const s = stmt;
    return wrap(() => s.get([])) as unknown[] | undefined ?? undefined;
  }

  close(): void {
    this.#cache.clear();
    this.#singles.clear();
    if (this.raw.open) this.raw.close();
  }
}

export class EmbeddedClient implements Client {
  closed = false;
  readonly protocol = "file";
  readonly #path: string;
  readonly #pragmas: string[];
  #conn: Conn;
  /** On `:memory:`, the open interactive transaction holding the only connection. */
  #heldBy: EmbeddedTransaction | null = null;
  /** Whether writes share one commit per event-loop turn (see `#groupWrite`). */
  readonly #grouping: boolean;
  #group: { waiters: { resolve(): void; reject(e: unknown): void }[] } | null = null;

  #checkpointer: Checkpointer | null = null;
  /** Keeps `changeCount()` growing across `reconnect()`. */
  #changeBase = 0;
  /** The last `PRAGMA data_version` read, and `arrivedSoFar()` when it was read. */
  #version = 0;
  #versionFor = -Infinity;
  /** Statements that return at most one row (`markOneRow`). */
  readonly #oneRow = new Set<string>();
  /**
   * The mapped WAL index (wal_index.ts), read by `changeCount()` instead of `PRAGMA
   * data_version`; undefined until the first look tries to map it, null where it cannot be.
   */
  #watch: WalIndexWatch | null | undefined;

  constructor(path: string, pragmas: string[], options: EmbeddedOptions = {}) {
    this.#path = path;
    if (path === ":memory:" || options.walIndexWatch === false) this.#watch = null;
    this.#pragmas = pragmas;
    this.#grouping = options.groupCommit ?? false;
    this.#conn = new Conn(path, pragmas, this.#oneRow);
    if (options.checkpointEveryMs && path !== ":memory:") {
      this.#conn.exec("PRAGMA wal_autocheckpoint = 0");
      this.#checkpointer = startCheckpointer(path, options.checkpointEveryMs, (error) => {
        this.#checkpointer = null;
        if (this.#conn.raw.open) this.#conn.exec("PRAGMA wal_autocheckpoint = 1000");
        options.onCheckpointFailure?.(error);
      });
    }
  }

  /**
   * A number that grows whenever the database may have changed since it was last read: a
   * statement other than a plain read run on this client's connection (committed or not: reads
   * here see it at once), or a commit by any other connection, another process's or one of this
   * client's interactive transactions (`PRAGMA data_version`). Equal values mean that nothing
   * was written in between. Other connections' commits are read from the mapped WAL index
   * (wal_index.ts: a look at memory, no statement); where that cannot be mapped, from one cheap
   * statement (no table is read), or none when `arrival` says the last one was taken after the
   * request being answered arrived (src/db/changes.ts). This client's own writes are counted
   * apart, at once.
   */
  changeCount(arrival?: number): number {
    const conn = this.#usable();
    const watch = this.#watch;
    if (watch) return this.#changeBase + conn.writes + watch.changes();
    if (watch === undefined) {
      // The first look. A read opens the WAL index (its -shm file), which can then be mapped;
      // the statement is read again after the mapping took its first view of the header, so
      // that a commit landing in between is counted by one or the other.
      conn.getSync("PRAGMA data_version");
      const mapped = WalIndexWatch.open(this.#path);
      this.#watch = mapped;
      if (mapped) {
        this.#changeBase += Number(conn.getSync("PRAGMA data_version")![0]);
        return this.#changeBase + conn.writes + mapped.changes();
      }
    }
    if (arrival === undefined || arrival > this.#versionFor) {
      this.#versionFor = arrivedSoFar();
      this.#version = Number(conn.getSync("PRAGMA data_version")![0]);
    }
    return this.#changeBase + conn.writes + this.#version;
  }

  /**
   * Runs a read that takes no arguments at once on this client's connection (inside this turn's
   * writes, if any, whose changes it sees) and returns its first row's values, or undefined.
   * For the few callers that must read without letting another request run in between.
   */
  getSync(sql: string): unknown[] | undefined {
    return this.#usable().getSync(sql);
  }

  /** Whether this client's connection is inside a transaction (this turn's group commit). */
  inTransaction(): boolean {
    return this.#usable().raw.inTransaction;
  }

  /** Runs statements (DDL) at once, after committing this turn's writes. */
  execSync(sql: string): void {
    const conn = this.#usable();
    this.#commitGroup();
    conn.exec(sql);
  }

  /**
   * Says that the statement `sql` never returns more than one row (a write by primary key with
   * RETURNING): it then runs with one `get()` instead of the row iterator, which costs about as
   * much again in calls and garbage. Were it to match more rows, all of them would still change
   * (SQLite makes every change of a RETURNING statement in its first step), but only the first
   * would be returned: mark only statements that cannot.
   */
  markOneRow(sql: string): void {
    if (this.#oneRow.has(sql)) return;
    this.#oneRow.add(sql);
    this.#conn.forget(sql);
  }

  /** How `changeCount()` sees other connections' commits (tests and docs name the two ways). */
  get changeWatch(): "wal-index" | "data_version" | "not yet" {
    return this.#watch ? "wal-index" : this.#watch === null ? "data_version" : "not yet";
  }

  /** The background checkpointer's latest report (null without one, or before its first). */
  get lastCheckpoint(): CheckpointReport | null {
    return this.#checkpointer?.last ?? null;
  }

  execute(stmt: InStatement): Promise<ResultSet>;
  execute(sql: string, args?: InArgs): Promise<ResultSet>;
  execute(stmtOrSql: InStatement, args?: InArgs): Promise<ResultSet> {
    const stmt = typeof stmtOrSql === "string" ? { sql: stmtOrSql, args: args ?? [] } : stmtOrSql;
    return this.#execute(stmt, false);
  }

  /**
   * `execute` whose rows are arrays of the decoded values alone, in the statement's column order
   * (src/db/prepared.ts reads them by position): no row object naming each value is made.
   */
  executeValues(stmt: { sql: string; args: InArgs }): Promise<RowValues> {
    return this.#execute(stmt, true) as Promise<unknown> as Promise<RowValues>;
  }

  #execute(stmt: InStatement, plain: boolean): Promise<ResultSet> {
    const sql = typeof stmt === "string" ? stmt : stmt.sql;
    if (this.#grouping && WRITE.test(sql)) {
      return this.#groupWrite([stmt], plain).then((r) => r[0]);
    }
    return run(() => {
      const conn = this.#usable();
      // statements that cannot run inside a transaction (PRAGMA, BEGIN...) wait for none
      if (!READ.test(sql)) this.#commitGroup();
      return conn.execute(stmt, plain);
    });
  }

  batch(
    stmts: Array<InStatement | [string, InArgs?]>,
    mode: TransactionMode = "deferred",
  ): Promise<ResultSet[]> {
    if (this.#grouping) return this.#groupWrite(stmts);
    return run(() => this.#usable().transactional(beginFor(mode), stmts));
  }

  /**
   * Group commit. A write joins the transaction of the current event-loop turn, inside its
   * own savepoint (so a failing batch leaves nothing, as before), and its promise settles
   * only once that transaction has committed: one fsync for every write of the turn instead
   * of one each. Nobody is told a write happened before it is durable. Reads in the same turn
   * run inside the transaction and see its writes, as they would a moment later.
   */
  #groupWrite(
    stmts: Array<InStatement | [string, InArgs?]>,
    plain = false,
  ): Promise<ResultSet[]> {
    let conn: Conn;
    let results: ResultSet[];
    try {
      conn = this.#usable();
      if (!this.#group) {
        conn.execute("BEGIN IMMEDIATE");
        this.#group = { waiters: [] };
        // After the callbacks of this turn of the event loop, before it waits for more: a timer
        // (even of 0 ms) made the loop sleep up to a millisecond first, with every request of the
        // group waiting (bench/RESULTS.md, twelfth session).
        setImmediate(() => this.#commitGroup());
      }
      // One statement is atomic on its own: a failing one leaves nothing (SQLite's ABORT, and
      // the schema has no trigger or OR FAIL clause), so only batches need the savepoint.
      if (stmts.length > 1) conn.execute("SAVEPOINT twofold_write");
    } catch (e) {
      return Promise.reject(e);
    }
    try {
      results = stmts.map((s, i) => {
        try {
          return conn.execute(Array.isArray(s) ? { sql: s[0], args: s[1] ?? [] } : s, plain);
        } catch (e) {
          throw asBatchError(e, i);
        }
      });
      if (stmts.length > 1) conn.execute("RELEASE twofold_write");
    } catch (e) {
      if (conn.raw.inTransaction) {
        if (stmts.length > 1) {
          conn.execute("ROLLBACK TO twofold_write");
          conn.execute("RELEASE twofold_write");
        }
      } else {
        // the engine rolled back the whole transaction (disk full, I/O error...): every write
        // of this turn is lost, and each is told so
        this.#failGroup(e);
      }
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) =>
      this.#group!.waiters.push({ resolve: () => resolve(results), reject })
    );
  }

  /** Commits the open group, if any, and settles its writes. */
  #commitGroup(): void {
    const group = this.#group;
    if (!group) return;
    this.#group = null;
    try {
      this.#conn.execute("COMMIT");
    } catch (e) {
      this.#group = group;
      this.#failGroup(e);
      return;
    }
    for (const w of group.waiters) w.resolve();
  }

  #failGroup(e: unknown): void {
    const group = this.#group;
    this.#group = null;
    if (!group) return;
    try {
      if (this.#conn.raw.open && this.#conn.raw.inTransaction) this.#conn.execute("ROLLBACK");
    } finally {
      for (const w of group.waiters) w.reject(e);
    }
  }

  migrate(stmts: InStatement[]): Promise<ResultSet[]> {
    return run(() => {
      this.#commitGroup();
      const conn = this.#usable();
      conn.exec("PRAGMA foreign_keys=off");
      try {
        return conn.transactional(beginFor("deferred"), stmts);
      } finally {
        conn.exec("PRAGMA foreign_keys=on");
      }
    });
  }

  transaction(mode: TransactionMode = "write"): Promise<Transaction> {
    return run(() => {
      this.#commitGroup();
      const memory = this.#path === ":memory:";
      const conn = memory
        ? this.#usable()
        : (this.#usable(), new Conn(this.#path, this.#pragmas, this.#oneRow));
      try {
        conn.execute(beginFor(mode));
      } catch (e) {
        if (!memory) conn.close();
        throw e;
      }
      const tx: EmbeddedTransaction = new EmbeddedTransaction(conn, () => {
        if (memory) this.#heldBy = null;
        else conn.close();
        // It may have committed: counted at once, as this client's own writes are.
        this.#changeBase++;
      });
      if (memory) this.#heldBy = tx;
      return tx;
    });
  }

  executeMultiple(sql: string): Promise<void> {
    return run(() => {
      this.#commitGroup();
      this.#usable().exec(sql);
    });
  }

  sync(): Promise<undefined> {
    return Promise.reject(
      new LibsqlError("sync() needs an embedded replica (DATABASE_SYNC_URL)", "SYNC_NOT_SUPPORTED"),
    );
  }

  close(): void {
    this.#commitGroup();
    this.#checkpointer?.stop();
    this.#checkpointer = null;
    this.closed = true;
    // Unmapped while the connection that keeps the file alive is still open (wal_index.ts).
    this.#watch?.close();
    this.#watch = null;
    this.#conn.close();
  }

  reconnect(): void {
    this.#commitGroup();
    if (this.#conn.raw.open) {
      const watch = this.#watch;
      const seen = watch ? watch.changes() : Number(this.#conn.getSync("PRAGMA data_version")![0]);
      this.#changeBase += this.#conn.writes + seen + 1;
    }
    // The new connection may find a new -shm file: mapped again at the next look.
    const mapAgain = this.#watch !== null;
    this.#watch?.close();
    this.#watch = mapAgain ? undefined : null;
    this.#conn.close();
    this.#conn = new Conn(this.#path, this.#pragmas, this.#oneRow);
    this.#versionFor = -Infinity;
    this.closed = false;
  }

  #usable(): Conn {
    if (this.closed) throw new LibsqlError("The client is closed", "CLIENT_CLOSED");
    if (this.#heldBy) {
      throw new LibsqlError(
        "This in-memory database has a single connection, which an open transaction is holding.",
        "TRANSACTION_ACTIVE",
      );
    }
    return this.#conn;
  }
}

class EmbeddedTransaction implements Transaction {
  #conn: Conn | null;
  readonly #release: () => void;

  constructor(conn: Conn, release: () => void) {
    this.#conn = conn;
    this.#release = release;
  }

  get closed(): boolean {
    return this.#conn === null;
  }

  execute(stmt: InStatement): Promise<ResultSet>;
  execute(sql: string, args?: InArgs): Promise<ResultSet>;
  execute(stmtOrSql: InStatement, args?: InArgs): Promise<ResultSet> {
    return run(() =>
      this.#live().execute(
        typeof stmtOrSql === "string" ? { sql: stmtOrSql, args: args ?? [] } : stmtOrSql,
      )
    );
  }

  batch(stmts: Array<InStatement | [string, InArgs?]>): Promise<ResultSet[]> {
    return run(() => {
      const conn = this.#live();
      return stmts.map((s, i) => {
        try {
          return conn.execute(Array.isArray(s) ? { sql: s[0], args: s[1] ?? [] } : s);
        } catch (e) {
          throw asBatchError(e, i);
        }
      });
    });
  }

  executeMultiple(sql: string): Promise<void> {
    return run(() => this.#live().exec(sql));
  }

  rollback(): Promise<void> {
    return run(() => this.close());
  }

  commit(): Promise<void> {
    return run(() => {
      try {
        this.#live().execute("COMMIT");
      } finally {
        this.#settle();
      }
    });
  }

  close(): void {
    const conn = this.#conn;
    if (!conn) return;
    try {
      if (conn.raw.open && conn.raw.inTransaction) conn.execute("ROLLBACK");
    } finally {
      this.#settle();
    }
  }

  #live(): Conn {
    if (!this.#conn) throw new LibsqlError("The transaction is closed", "TRANSACTION_CLOSED");
    return this.#conn;
  }

  #settle(): void {
    if (!this.#conn) return;
    this.#conn = null;
    this.#release();
  }
}

class Result implements ResultSet {
  constructor(
    readonly columns: string[],
    readonly columnTypes: string[],
    readonly rows: Row[],
    readonly rowsAffected: number,
    readonly lastInsertRowid: bigint | undefined,
  ) {}

  toJSON() {
    return {
      columns: this.columns,
      columnTypes: this.columnTypes,
      rows: this.rows.map((r) => Array.prototype.map.call(r, jsonValue)),
      rowsAffected: this.rowsAffected,
      lastInsertRowid: this.lastInsertRowid !== undefined ? "" + this.lastInsertRowid : null,
    };
  }
}

function jsonValue(v: unknown): unknown {
  if (typeof v === "bigint") return "" + v;
  if (v instanceof ArrayBuffer) return btoa(String.fromCharCode(...new Uint8Array(v)));
  return v;
}

/**
 * The prototype shared by every row of one statement: `row[i]` and `row.length` read the
 * row's values, so only the named columns are the row's own (enumerable) properties.
 */
const rowPrototypes: object[] = [];
function rowPrototype(n: number): object {
  let proto = rowPrototypes[n];
  if (proto) return proto;
  proto = {};
  for (let i = 0; i < n; i++) {
    Object.defineProperty(proto, i, {
      get(this: { [VALUES]: unknown[] }) {
        return this[VALUES][i];
      },
    });
  }
  Object.defineProperty(proto, "length", { value: n });
  return rowPrototypes[n] = proto;
}

/** The engine's values of one row decoded in place (the array is the engine's fresh copy). */
function decodeValues(raw: unknown[]): unknown[] {
  for (let i = 0; i < raw.length; i++) raw[i] = fromSql(raw[i]);
  return raw;
}

function makeRow(p: Prepared, raw: unknown[]): Row {
  const values = new Array<unknown>(raw.length);
  for (let i = 0; i < raw.length; i++) values[i] = fromSql(raw[i]);
  return rowOf(p.rowProto, p.columns, values);
}

function rowOf(proto: object, cols: string[], values: unknown[]): Row {
  const row = Object.create(proto) as Record<string | symbol, unknown>;
  // not enumerable, so that `{ ...row }` copies only the named columns
  Object.defineProperty(row, VALUES, { value: values });
  for (let i = 0; i < cols.length; i++) {
    // a joined query can repeat a name (`id`): the first column keeps it, as in @libsql/client
    if (!Object.hasOwn(row, cols[i])) row[cols[i]] = values[i];
  }
  return row as unknown as Row;
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function fromSql(v: unknown): unknown {
  if (typeof v === "bigint") {
    if (v < MIN_SAFE || v > MAX_SAFE) {
      throw new RangeError(
        "Received integer which cannot be safely represented as a JavaScript number",
      );
    }
    return Number(v);
  }
  if (v instanceof Uint8Array) {
    return v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength);
  }
  return v;
}

function bindArgs(args: InArgs): unknown[] | Record<string, unknown> {
  if (Array.isArray(args)) {
    const out = new Array<unknown>(args.length);
    for (let i = 0; i < args.length; i++) out[i] = toSql(args[i]);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const name in args) {
    const key = name[0] === "@" || name[0] === "$" || name[0] === ":" ? name.slice(1) : name;
    out[key] = toSql(args[name]);
  }
  return out;
}

const MIN_I64 = -9223372036854775808n;
const MAX_I64 = 9223372036854775807n;

function toSql(v: InValue | undefined): unknown {
  switch (typeof v) {
    case "number":
      if (!Number.isFinite(v)) {
        throw new RangeError(
          "Only finite numbers (not Infinity or NaN) can be passed as arguments",
        );
      }
      return v;
    case "bigint":
      if (v < MIN_I64 || v > MAX_I64) {
        throw new RangeError("bigint is too large to be represented as a 64-bit integer");
      }
      return v;
    case "boolean":
      return v ? 1 : 0;
    case "undefined":
      throw new TypeError("undefined cannot be passed as argument to the database");
  }
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (v instanceof Date) return v.valueOf();
  return v;
}

function beginFor(mode: TransactionMode): string {
  switch (mode) {
    case "write":
      return "BEGIN IMMEDIATE";
    case "read":
      return "BEGIN TRANSACTION READONLY";
    case "deferred":
      return "BEGIN DEFERRED";
  }
  throw new RangeError(
    'Unknown transaction mode, supported values are "write", "read" and "deferred"',
  );
}

/** The engine's errors as `LibsqlError`, with the same codes `@libsql/client` gives. */
function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw asLibsqlError(e);
  }
}

function asLibsqlError(e: unknown): unknown {
  if (e instanceof Database.SqliteError) {
    const err = e as Error & { code: string; rawCode?: number };
    const base = err.rawCode === undefined ? undefined : SQLITE_CODES[err.rawCode & 0xff];
    return new LibsqlError(
      err.message,
      base ??
        (err.rawCode === undefined ? "SQLITE_UNKNOWN" : `SQLITE_UNKNOWN_${err.rawCode & 0xff}`),
      err.code,
      err.rawCode,
      err,
    );
  }
  return e;
}

function asBatchError(e: unknown, index: number): unknown {
  if (e instanceof LibsqlBatchError) return e;
  if (e instanceof LibsqlError) {
    return new LibsqlBatchError(
      e.message,
      index,
      e.code,
      e.extendedCode,
      e.rawCode,
      e.cause instanceof Error ? e.cause : undefined,
    );
  }
  return e;
}

function run<T>(f: () => T): Promise<T> {
  try {
    return Promise.resolve(f());
  } catch (e) {
    return Promise.reject(e);
  }
}

const SQLITE_CODES: Record<number, string> = {
  1: "SQLITE_ERROR",
  2: "SQLITE_INTERNAL",
  3: "SQLITE_PERM",
  4: "SQLITE_ABORT",
  5: "SQLITE_BUSY",
  6: "SQLITE_LOCKED",
  7: "SQLITE_NOMEM",
  8: "SQLITE_READONLY",
  9: "SQLITE_INTERRUPT",
  10: "SQLITE_IOERR",
  11: "SQLITE_CORRUPT",
  12: "SQLITE_NOTFOUND",
  13: "SQLITE_FULL",
  14: "SQLITE_CANTOPEN",
  15: "SQLITE_PROTOCOL",
  16: "SQLITE_EMPTY",
  17: "SQLITE_SCHEMA",
  18: "SQLITE_TOOBIG",
  19: "SQLITE_CONSTRAINT",
  20: "SQLITE_MISMATCH",
  21: "SQLITE_MISUSE",
  22: "SQLITE_NOLFS",
  23: "SQLITE_AUTH",
  24: "SQLITE_FORMAT",
  25: "SQLITE_RANGE",
  26: "SQLITE_NOTADB",
  27: "SQLITE_NOTICE",
  28: "SQLITE_WARNING",
};
