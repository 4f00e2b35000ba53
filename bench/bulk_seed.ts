/**
 * @module Bulk seeding for the growth benchmark (bench/growth.ts): up to a million enrolled users
 * written straight into a migrated database file with prepared statements in large
 * transactions, since a million `createUser()` calls and API enrollments would take hours.
 *
 * What each user gets is what a user enrolled through the API has (src/enrollment/flow.ts,
 * `confirmEnrollment`): a `users` row with its own random id and username, an `authenticators`
 * row holding its own TOTP secret encrypted with the app's `encryptSecret` (AES-GCM bound to
 * `totp:<user id>`) under the key the server loads, and RECOVERY_CODE_COUNT `recovery_codes`
 * rows. A share of the users also has a live session. Left out: the consumed `enrollments` row
 * and the `audit_events` of the enrollment, which grow with logins rather than with users and
 * which retention prunes.
 *
 * Two shortcuts, both without effect on what the timed server does per request:
 * - Every user holds the same precomputed password hash (one salt; verifying it costs exactly
 *   what a hash of a user's own would), except the users given `cheapHash` (see growth.ts).
 * - A recovery code row holds random bytes of the stored form's shape (22-character id, 64 hex
 *   digits of HMAC) instead of the HMAC of a code nobody knows: ten million WebCrypto HMACs
 *   would take minutes, and no timed phase uses a recovery code.
 */
import Database from "libsql";
import type { Deps } from "../src/deps.ts";
import { encryptSecret, randomId } from "../src/lib/crypto.ts";
import { generateTotpSecret, timeStep } from "../src/totp/totp.ts";

/**
 * The first user is an admin, as the first account of every installation is (the setup page
 * makes it). Without one, the server's start-up reads every user looking for one
 * (`adminExists()` in src/main.ts), which no installation in use does.
 */
const ADMIN_ROLES = '["admin"]';

/** Users whose secrets are encrypted at once. */
const BATCH = 20_000;
const USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

export type SeededUser = {
  index: number;
  id: string;
  username: string;
  /** The base32 TOTP secret (known only for the users asked for in `keepSecretsOf`). */
  secret: string;
  /** The authenticator's last accepted step. */
  lastStep: number;
};

export type SeededSession = { id: string; userId: string; expiresAt: Date };

export type BulkSeedResult = {
  /** The users of `keepSecretsOf`, by index. */
  kept: Map<number, SeededUser>;
  /** The users given a session, as indexes; the session of `sessionUsers[k]` is `sessions[k]`. */
  sessions: SeededSession[];
  sessionUsers: number[];
  /** Users, authenticators and sessions; then the recovery codes; in all. */
  seconds: { users: number; recoveryCodes: number; total: number };
  /** The same in CPU time of this process (all threads), less disturbed by other processes. */
  cpuSeconds: { users: number; recoveryCodes: number; total: number };
};

export function benchUsername(prefix: string, index: number): string {
  return `${prefix}${String(index).padStart(7, "0")}`;
}

/**
 * Writes `count` enrolled users into the migrated database at `path` (no server may be
 * writing it). `cheapHash` goes to the users of `cheapHashUsers`, `passwordHash` to every other.
 */
export async function bulkSeed(input: {
  path: string;
  deps: Deps;
  count: number;
  prefix: string;
  passwordHash: string;
  cheapHash: string;
  cheapHashUsers: Set<number>;
  keepSecretsOf: Set<number>;
  /** Every `sessionEvery`-th user has one live session. */
  sessionEvery: number;
  recoveryCodes: number;
  now: Date;
}): Promise<BulkSeedResult> {
  const t0 = performance.now();
  const cpu0 = cpuSeconds();
  const now = input.now.getTime();
  const db = new Database(input.path);
  // This connection only: the file is thrown away if the seeding fails, so no fsync. The file
  // stays in WAL mode, as the migrations left it.
  db.exec("PRAGMA synchronous = OFF");
  // Every row's user is written by construction; rows are queued per table (see rowInserter),
  // so a session may reach the engine before its user does.
  db.exec("PRAGMA foreign_keys = OFF");
  db.exec("PRAGMA cache_size = -4000000");
  db.exec("PRAGMA temp_store = MEMORY");
  const insertUser = rowInserter(
    db,
    "INSERT INTO users (id, username, display_name, password_hash, roles, created_at)",
    "(?, ?, ?, ?, ?, ?)",
  );
  const insertAuthenticator = rowInserter(
    db,
    `INSERT INTO authenticators (id, user_id, label, secret_enc, algorithm, digits, period,
       window, last_step, last_offset, recent_offsets, created_at, last_used_at)`,
    "(?, ?, 'Phone', ?, 'SHA1', 6, 30, 1, ?, 0, '[0]', ?, ?)",
  );
  const insertSession = rowInserter(
    db,
    `INSERT INTO sessions (id, user_id, amr, remember_me, ip, user_agent, created_at,
       last_seen_at, expires_at, idle_ms)`,
    `(?, ?, '["pwd","otp"]', 0, ?, ?, ?, ?, ?, ?)`,
  );
  const idleMs = input.deps.config.SESSION_IDLE_MINUTES * 60_000;
  const sessionMs = input.deps.config.SESSION_HOURS * 3_600_000;
  const kept = new Map<number, SeededUser>();
  const sessions: SeededSession[] = [];
  const sessionUsers: number[] = [];
  const key = input.deps.secrets.encryption;
  // Enrolled at some point in the last 30 days; signed in within the last 10 minutes.
  const stepNow = timeStep(input.now, 30);
  try {
    // One transaction per table group: with batches, every commit would write most pages of
    // the random-keyed indexes again.
    db.exec("BEGIN");
    // A batch's secrets are encrypted (WebCrypto, off the main thread) while the batch before
    // it is written.
    const prepare = (start: number) => {
      const ids: string[] = [];
      const secrets: string[] = [];
      for (let i = start; i < Math.min(input.count, start + BATCH); i++) {
        ids.push(randomId());
        secrets.push(generateTotpSecret());
      }
      // The app's own encryption, each secret bound to its user (the server decrypts it so);
      // 64 at a time: thousands of promises at once cost twice the CPU per secret.
      const encrypted = (async () => {
        const out: string[] = [];
        for (let k = 0; k < ids.length; k += 64) {
          const chunk = ids.slice(k, k + 64).map((id, j) =>
            encryptSecret(key, secrets[k + j], `totp:${id}`)
          );
          out.push(...await Promise.all(chunk));
        }
        return out;
      })();
      return { ids, secrets, encrypted };
    };
    let next = prepare(0);
    for (let start = 0; start < input.count; start += BATCH) {
      const end = Math.min(input.count, start + BATCH);
      const { ids, secrets } = next;
      const encrypted = await next.encrypted;
      if (end < input.count) next = prepare(end);
      for (let i = start; i < end; i++) {
        const k = i - start;
        const id = ids[k];
        const username = benchUsername(input.prefix, i);
        const enrolledAt = now - Math.floor(Math.random() * 30 * 86_400_000);
        const lastStep = Math.min(stepNow - 2, Math.floor(enrolledAt / 30_000));
        insertUser.add(
          id,
          username,
          username,
          input.cheapHashUsers.has(i) ? input.cheapHash : input.passwordHash,
          i === 0 ? ADMIN_ROLES : "[]",
          enrolledAt - 60_000,
        );
        insertAuthenticator.add(randomId(), id, encrypted[k], lastStep, enrolledAt, enrolledAt);
        if (input.keepSecretsOf.has(i)) {
          kept.set(i, { index: i, id, username, secret: secrets[k], lastStep });
        }
        if (i % input.sessionEvery === 0) {
          const sessionId = randomId();
          const seen = now - Math.floor(Math.random() * 600_000);
          const created = seen - Math.floor(Math.random() * 3_600_000);
          const expiresAt = created + sessionMs;
          insertSession.add(
            sessionId,
            id,
            `198.51.100.${i % 250}`,
            USER_AGENT,
            created,
            seen,
            expiresAt,
            idleMs,
          );
          sessions.push({ id: sessionId, userId: id, expiresAt: new Date(expiresAt) });
          sessionUsers.push(i);
        }
      }
    }
    for (const ins of [insertUser, insertAuthenticator, insertSession]) ins.flush();
    db.exec("COMMIT");
    const tUsers = performance.now();
    const cpuUsers = cpuSeconds();
    // RECOVERY_CODE_COUNT codes per authenticator's user, made inside SQLite (see the module
    // comment): ids of 22 characters and 64 hex digits, as randomId() and hmacHex() make them.
    // In user order, so that the (user_id, code_hash) index grows at its end (in random order
    // it took most of the seeding time); the id index still grows in random order.
    if (input.recoveryCodes > 0) {
      const series = Array.from({ length: input.recoveryCodes }, (_, k) => `(${k})`).join(", ");
      db.exec("BEGIN");
      db.exec(
        `INSERT INTO recovery_codes (id, user_id, code_hash, created_at)
         SELECT lower(hex(randomblob(11))), a.user_id, lower(hex(randomblob(32))), a.created_at
         FROM authenticators a INDEXED BY authenticators_user_idx, (VALUES ${series})
         ORDER BY a.user_id`,
      );
      db.exec("COMMIT");
    }
    const tCodes = performance.now();
    const cpuCodes = cpuSeconds();
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const tEnd = performance.now();
    return {
      kept,
      sessions,
      sessionUsers,
      seconds: {
        users: round((tUsers - t0) / 1000),
        recoveryCodes: round((tCodes - tUsers) / 1000),
        total: round((tEnd - t0) / 1000),
      },
      cpuSeconds: {
        users: round(cpuUsers - cpu0),
        recoveryCodes: round(cpuCodes - cpuUsers),
        total: round(cpuSeconds() - cpu0),
      },
    };
  } finally {
    db.close();
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

/** utime + stime of this process (all threads), in seconds. */
function cpuSeconds(): number {
  const text = Deno.readTextFileSync("/proc/self/stat");
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Rows per multi-row INSERT: a call into the engine per row would cost more than the row. */
const ROWS_PER_STATEMENT = 64;

/** A multi-row INSERT: `add()` queues one row's values, a full statement's worth runs. */
function rowInserter(db: InstanceType<typeof Database>, head: string, tuple: string) {
  const many = db.prepare(`${head} VALUES ${Array(ROWS_PER_STATEMENT).fill(tuple).join(", ")}`);
  const one = db.prepare(`${head} VALUES ${tuple}`);
  let queued: unknown[] = [];
  let rows = 0;
  return {
    add(...values: unknown[]) {
      for (const v of values) queued.push(v);
      if (++rows === ROWS_PER_STATEMENT) {
        many.run(queued);
        queued = [];
        rows = 0;
      }
    },
    flush() {
      const width = queued.length / Math.max(rows, 1);
      for (let r = 0; r < rows; r++) one.run(queued.slice(r * width, (r + 1) * width));
      queued = [];
      rows = 0;
    },
  };
}
