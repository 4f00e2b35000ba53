/**
 * @module Whether anything was written to the database since a given moment, for the in-process
 * caches that must never outlive a change (src/sessions/check_cache.ts). Only the embedded libSQL
 * client can say so cheaply (`EmbeddedClient.changeCount`: its own writes, and other
 * connections' commits from the mapped WAL index or `PRAGMA data_version`); `openLibsqlDb` registers it here, once per Drizzle handle, for these caches
 * and for src/db/prepared.ts alike. Remote libSQL, embedded replicas and D1
 * register nothing, so their callers keep reading the database every time. No engine is imported
 * here: Workers load this module too.
 */

/**
 * Requests this process has begun to answer, counted as each arrives (src/fast_lane.ts and the
 * router's request observer take a number). A look at the database taken once request N had
 * arrived sees everything committed before N was sent: whoever waited for a commit (a logout's
 * answer) and then sent N is in it. So a look serves every request numbered up to the count
 * at that look. Measured under load (32 connections, session checks), it seldom does: Deno's
 * server hands JavaScript one request per turn of the event loop, and each check looks before
 * the next request is numbered (190,497 looks for 190,819 checks). Where the WAL index is
 * mapped (src/db/wal_index.ts) every check looks, at a cost of 0.1 µs; this numbering only
 * spares `PRAGMA data_version` looks (3 µs, and 6-10 µs per check under load).
 */
let arrived = 0;

/** Counts a request in; its number, for `changeCount(arrival)`. */
export function requestArrived(): number {
  return ++arrived;
}

/** The requests counted so far (the number a look taken now serves up to). */
export function arrivedSoFar(): number {
  return arrived;
}

/** What an embedded client offers the caches (see `EmbeddedClient`). */
export type ChangeSource = {
  /**
   * Grows whenever the database may have changed since it was last read; never shrinks. With
   * `arrival` (the number `requestArrived()` gave the request being answered), a look at other
   * connections' commits taken since that request arrived is reused; without, one is taken.
   */
  changeCount(arrival?: number): number;
  /** A read with no arguments, run at once: its first row's values, or undefined. */
  getSync(sql: string): unknown[] | undefined;
  /** Runs statements (DDL) at once. */
  execSync(sql: string): void;
  /** Whether reads now see writes not yet committed (a group commit is open). */
  inTransaction(): boolean;
};

/**
 * What the embedded engine offers src/db/prepared.ts beyond drizzle: statements known to return
 * at most one row run more cheaply, and rows can be read without drizzle's mapping.
 */
export type EmbeddedEngine = {
  markOneRow(sql: string): void;
  /** Rows as the arrays of their decoded values, in column order (no named row objects). */
  executeValues(
    stmt: { sql: string; args: never[] },
  ): Promise<{ columns: string[]; rows: unknown[][] }>;
};

/** The embedded client (src/db/embedded.ts) as the code above the Drizzle handle sees it. */
export type EmbeddedClientView = ChangeSource & EmbeddedEngine;

/** The embedded client behind each Drizzle handle that has one (`openLibsqlDb` registers it). */
const embedded = new WeakMap<object, EmbeddedClientView>();

/** Marks `db` (a Drizzle handle) as served by the embedded `client` (src/db/client.ts). */
export function registerEmbeddedClient(db: object, client: EmbeddedClientView): void {
  embedded.set(db, client);
}

/** The embedded client behind `db`, or null (remote libSQL, embedded replicas, D1). */
export function embeddedClientOf(db: object): EmbeddedClientView | null {
  return embedded.get(db) ?? null;
}

/** The change source of `db`, or null when it has none (every backend but the embedded one). */
export function changeSourceOf(db: object): ChangeSource | null {
  return embedded.get(db) ?? null;
}
