/**
 * @module The session check's answers kept in memory, on the embedded libSQL database only, and
 * never one moment past a change that could alter them.
 *
 * `findActiveSession()` runs on every request of every protected app. Its answer (the session
 * row and four columns of its user) depends on the database, and on the clock through the
 * absolute expiry and the idle timeout. The clock part is computed again at every check from the
 * kept row (`aliveAt`); a kept session that looks expired or idle is read from the database
 * again (another process may have seen it since). The database part is kept until something
 * that could change it happens:
 *
 * - triggers (`changeTriggersSql`) add one to the row of `twofold_session_changes` whenever a
 *   session row changes in any column but `last_seen_at` (a revocation, a step-up, an expiry
 *   moved), a session row is deleted, a user's `disabled` or one of the columns the check loads
 *   changes, or a user is deleted. They run in the writing transaction, whichever process or
 *   program writes (another server on the same file, the CLI, the sqlite3 shell), so the count
 *   can never lag a committed revocation;
 * - before answering from memory, the cache asks the client whether anything was written since
 *   its last look (`ChangeSource.changeCount`: this process's own writes, and every other
 *   connection's commits, from the mapped WAL index header, src/db/wal_index.ts, or else one
 *   `PRAGMA data_version`, a statement that reads no table). If
 *   something was, it reads the count (and the schema version, so that triggers lost to a
 *   migration are made again) and forgets every kept answer when the count moved.
 *
 * So the activity touch (once a minute per session), logins and audit rows cost a look at the
 * count, not the kept answers. Only positive answers are kept: a refusal is read again each time.
 * Remote libSQL, embedded replicas and D1 have no change source: their checks read the row.
 */
import { getTableColumns } from "drizzle-orm";
import { type ChangeSource, changeSourceOf } from "../db/changes.ts";
import { sessions, users } from "../db/schema.ts";
import type { ActiveSession } from "./repo.ts";

const COUNT_TABLE = "twofold_session_changes";
/** Kept answers at most (the oldest goes first); about 1 KB each. */
const MAX_ENTRIES = 20_000;

/** The user columns whose change must reach the check: what it loads, and `disabled`. */
const USER_COLUMNS = [
  users.id,
  users.username,
  users.displayName,
  users.roles,
  users.groups,
  users.email,
  users.disabled,
].map((c) => c.name);

/** Every session column but the activity time, which the check reads only for the idle rule. */
function sessionColumns(): string[] {
  return Object.values(getTableColumns(sessions)).map((c) => c.name)
    .filter((name) => name !== sessions.lastSeenAt.name);
}

/** A short stable hash of `text` (FNV-1a), so a changed column list makes a new trigger. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

/**
 * The count's table and the four triggers, idempotent. A trigger's name carries a hash of its
 * column list: a schema that grows a column gets a new trigger beside the old one (an extra
 * count is harmless; a missed one would not be).
 */
export function changeTriggersSql(): string {
  const bump = `UPDATE ${COUNT_TABLE} SET n = n + 1 WHERE id = 1;`;
  const triggers = [
    ["sessions", `UPDATE OF ${sessionColumns().join(", ")}`],
    ["sessions", "DELETE"],
    ["users", `UPDATE OF ${USER_COLUMNS.join(", ")}`],
    ["users", "DELETE"],
  ].map(([table, event]) => {
    const name = `${COUNT_TABLE}_${table}_${event.split(" ")[0].toLowerCase()}_${shortHash(event)}`;
    return `CREATE TRIGGER IF NOT EXISTS ${name} AFTER ${event} ON ${table} BEGIN ${bump} END;`;
  });
  return [
    `CREATE TABLE IF NOT EXISTS ${COUNT_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1), ` +
    "n INTEGER NOT NULL);",
    `INSERT OR IGNORE INTO ${COUNT_TABLE} (id, n) VALUES (1, 0);`,
    ...triggers,
  ].join("\n");
}

/**
 * Whether a kept session is still alive at `now` by the clock alone: the same rule as the
 * query's (`expires_at > now`, and unless remember-me `last_seen_at > now - idle`).
 */
export function aliveAt(found: ActiveSession, now: number, defaultIdleMs: number): boolean {
  const s = found.session;
  return s.expiresAt > now &&
    (s.rememberMe || s.lastSeenAt > now - (s.idleMs ?? defaultIdleMs));
}

export class SessionCheckCache {
  readonly #source: ChangeSource;
  readonly #entries = new Map<string, ActiveSession>();
  /** `changeCount()` at the last look; NaN before the first. */
  #seen = NaN;
  #count: unknown = undefined;
  #schema: unknown = undefined;
  /** Grows each time the kept answers are forgotten: a read begun before must not be kept. */
  #generation = 0;

  constructor(source: ChangeSource) {
    this.#source = source;
  }

  /**
   * Brings the cache up to date with the database, as of a look taken since the request
   * numbered `arrival` arrived (src/db/changes.ts; a fresh look without it), and returns the
   * generation a read begun now
   * belongs to, or null when the cache cannot answer (the database refused a statement: the
   * caller reads as if there were no cache, and the error, if it persists, surfaces there).
   */
  open(arrival?: number): number | null {
    try {
      const seen = this.#source.changeCount(arrival);
      if (seen === this.#seen) return this.#generation;
      // Read after the change count: a commit landing in between moves the count again.
      let schema = this.#source.getSync("PRAGMA schema_version")?.[0];
      if (schema !== this.#schema) {
        // First use, or a migration (it may have dropped the triggers with a table).
        this.#forget();
        this.#source.execSync(changeTriggersSql());
        schema = this.#source.getSync("PRAGMA schema_version")?.[0];
      }
      const count = this.#source.getSync(`SELECT n FROM ${COUNT_TABLE} WHERE id = 1`)?.[0];
      if (count === undefined) throw new Error(`${COUNT_TABLE} has no row`);
      this.#schema = schema;
      if (this.#source.inTransaction()) {
        // This turn's writes are not committed yet and may still roll back: a count read now is
        // no baseline. A move forgets everything and keeps nothing until the commit; no move
        // means none of them ends a session. Looked at again on the next check.
        this.#seen = NaN;
        if (count === this.#count) return this.#generation;
        this.#forget();
        return null;
      }
      if (count !== this.#count) this.#forget();
      this.#count = count;
      this.#seen = seen;
      return this.#generation;
    } catch {
      this.#forget();
      this.#schema = undefined;
      this.#seen = NaN;
      return null;
    }
  }

  /** The kept answer for a session, if any (check it with `aliveAt`). */
  get(sessionId: string): ActiveSession | undefined {
    return this.#entries.get(sessionId);
  }

  /** Keeps what the database answered, unless the cache was emptied since `generation`. */
  put(sessionId: string, found: ActiveSession, generation: number): void {
    if (generation !== this.#generation) return;
    if (this.#entries.size >= MAX_ENTRIES && !this.#entries.has(sessionId)) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    Object.freeze(found.session);
    Object.freeze(found.user);
    this.#entries.set(sessionId, Object.freeze(found));
  }

  /** Drops a session's kept answer (the database said it is not alive). */
  delete(sessionId: string): void {
    this.#entries.delete(sessionId);
  }

  /**
   * After an activity touch: the kept row takes the new time if the touch wrote it; if it wrote
   * nothing (another process touched it since), the row is read again next time.
   */
  touched(sessionId: string, at: number, written: boolean): void {
    const e = this.#entries.get(sessionId);
    if (!e) return;
    if (!written) {
      this.#entries.delete(sessionId);
      return;
    }
    this.#entries.set(
      sessionId,
      Object.freeze({ user: e.user, session: Object.freeze({ ...e.session, lastSeenAt: at }) }),
    );
  }

  #forget(): void {
    this.#entries.clear();
    this.#generation++;
  }
}

const caches = new WeakMap<object, SessionCheckCache | null>();

/** The cache of `db`'s session checks, or null when its backend cannot keep one exact. */
export function sessionCheckCache(db: object): SessionCheckCache | null {
  let cache = caches.get(db);
  if (cache === undefined) {
    const source = changeSourceOf(db);
    cache = source ? new SessionCheckCache(source) : null;
    caches.set(db, cache);
  }
  return cache;
}
