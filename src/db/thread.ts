/**
 * @module The embedded database on a thread of its own: a `@libsql/client` `Client` whose calls
 * run in a Worker (thread_worker.ts) that owns the connection. libSQL's calls are synchronous,
 * so on the serving thread every statement, COMMIT and fsync held up every request; here the
 * serving thread only posts the call and awaits its answer, and the two threads use both cores.
 * What the client does is the embedded client's (embedded.ts: compiled statements, group
 * commit, results and errors shaped as `@libsql/client`'s); calls run in the order they were
 * made, as they did on one thread.
 */
import {
  type Client,
  type InArgs,
  type InStatement,
  LibsqlBatchError,
  LibsqlError,
  type ResultSet,
  type Transaction,
  type TransactionMode,
} from "@libsql/client";
import { resultFromWire, type WireResult } from "./embedded.ts";
import type { Answer, Call, Init, WireError } from "./thread_worker.ts";

type Pending = { resolve(v: unknown): void; reject(e: unknown): void };
// deno-lint-ignore no-explicit-any -- Call without its id, for each op
type Request = Call extends infer C ? C extends any ? Omit<C, "id"> : never : never;

function fromWireError(w: WireError): Error {
  switch (w.name) {
    case "LibsqlBatchError":
      return new LibsqlBatchError(
        w.message,
        w.statementIndex ?? 0,
        w.code ?? "UNKNOWN",
        w.extendedCode,
        w.rawCode,
      );
    case "LibsqlError":
      return new LibsqlError(w.message, w.code ?? "UNKNOWN", w.extendedCode, w.rawCode);
    case "RangeError":
      return new RangeError(w.message);
    case "TypeError":
      return new TypeError(w.message);
    default:
      return new Error(w.message);
  }
}

const normalize = (s: InStatement | [string, InArgs?]): InStatement =>
  Array.isArray(s) ? { sql: s[0], args: s[1] ?? [] } : s;

export class ThreadClient implements Client {
  closed = false;
  readonly protocol = "file";
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  readonly ready: Promise<void>;

  constructor(init: Init) {
    this.#worker = new Worker(new URL("./thread_worker.ts", import.meta.url), { type: "module" });
    let started!: Pending;
    this.ready = new Promise((resolve, reject) => started = { resolve, reject } as Pending);
    this.#pending.set(0, started);
    this.#worker.onmessage = (e: MessageEvent<Answer>) => {
      const a = e.data;
      if (a.id === -1 && !a.ok) {
        started.reject(fromWireError(a.error));
        this.#pending.delete(0);
        return;
      }
      const p = this.#pending.get(a.id);
      if (!p) return;
      this.#pending.delete(a.id);
      if (a.ok) p.resolve(a.value);
      else p.reject(fromWireError(a.error));
    };
    this.#worker.onerror = (e) => {
      e.preventDefault();
      const err = new LibsqlError(`the database thread failed: ${e.message}`, "THREAD_FAILED");
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
      this.closed = true;
    };
    this.#worker.postMessage(init);
  }

  #call<T>(req: Request): Promise<T> {
    if (this.closed) {
      return Promise.reject(new LibsqlError("The client is closed", "CLIENT_CLOSED"));
    }
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#worker.postMessage({ ...req, id });
    });
  }

  execute(stmt: InStatement): Promise<ResultSet>;
  execute(sql: string, args?: InArgs): Promise<ResultSet>;
  async execute(stmtOrSql: InStatement, args?: InArgs): Promise<ResultSet> {
    const stmt = typeof stmtOrSql === "string" ? { sql: stmtOrSql, args: args ?? [] } : stmtOrSql;
    return resultFromWire(await this.#call<WireResult>({ op: "execute", stmt }));
  }

  async batch(
    stmts: Array<InStatement | [string, InArgs?]>,
    mode: TransactionMode = "deferred",
  ): Promise<ResultSet[]> {
    const r = await this.#call<WireResult[]>({ op: "batch", stmts: stmts.map(normalize), mode });
    return r.map(resultFromWire);
  }

  async migrate(stmts: InStatement[]): Promise<ResultSet[]> {
    return (await this.#call<WireResult[]>({ op: "migrate", stmts })).map(resultFromWire);
  }

  async transaction(mode: TransactionMode = "write"): Promise<Transaction> {
    const tx = await this.#call<number>({ op: "transaction", mode });
    return new ThreadTransaction(tx, <T>(req: Request) => this.#call<T>(req));
  }

  executeMultiple(sql: string): Promise<void> {
    return this.#call<void>({ op: "executeMultiple", sql });
  }

  sync(): Promise<undefined> {
    return Promise.reject(
      new LibsqlError("sync() needs an embedded replica (DATABASE_SYNC_URL)", "SYNC_NOT_SUPPORTED"),
    );
  }

  /** Commits what is pending on the database thread, then stops it. */
  close(): void {
    void this.stop();
  }

  /** `close()`, awaitable. */
  async stop(): Promise<void> {
    if (this.closed) return;
    const done = this.#call<null>({ op: "shutdown" });
    this.closed = true;
    try {
      await done;
    } finally {
      this.#worker.terminate();
    }
  }

  reconnect(): void {
    throw new LibsqlError("reconnect() is not supported on the database thread", "NOT_SUPPORTED");
  }
}

class ThreadTransaction implements Transaction {
  closed = false;
  constructor(
    readonly id: number,
    readonly call: <T>(req: Request) => Promise<T>,
  ) {}

  execute(stmt: InStatement): Promise<ResultSet>;
  execute(sql: string, args?: InArgs): Promise<ResultSet>;
  async execute(stmtOrSql: InStatement, args?: InArgs): Promise<ResultSet> {
    const stmt = typeof stmtOrSql === "string" ? { sql: stmtOrSql, args: args ?? [] } : stmtOrSql;
    return resultFromWire(await this.call<WireResult>({ op: "execute", stmt, tx: this.id }));
  }

  async batch(stmts: Array<InStatement | [string, InArgs?]>): Promise<ResultSet[]> {
    const r = await this.call<WireResult[]>({
      op: "batch",
      stmts: stmts.map(normalize),
      tx: this.id,
    });
    return r.map(resultFromWire);
  }

  executeMultiple(sql: string): Promise<void> {
    return this.call<void>({ op: "executeMultiple", sql, tx: this.id });
  }

  async commit(): Promise<void> {
    this.closed = true;
    await this.call<null>({ op: "commit", tx: this.id });
  }

  async rollback(): Promise<void> {
    this.closed = true;
    await this.call<null>({ op: "rollback", tx: this.id });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.call<null>({ op: "close", tx: this.id }).catch(() => {});
  }
}

/** Starts the database thread and waits until it has opened the database. */
export async function openThreadClient(init: Init): Promise<ThreadClient> {
  const c = new ThreadClient(init);
  await c.ready;
  return c;
}
