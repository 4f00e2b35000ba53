/**
 * @module Where the HTTP suite runs. By default in process: `app.request()` over a fresh libSQL
 * database with a fixed clock (tests/helpers.ts). With TWOFOLD_BASE_URL set, against a running
 * server over `fetch` (CI: `wrangler dev` with a local D1, see run_worker_suite.sh), with the
 * real clock. Either way the tests get a `TestEnv`-shaped value, so the helpers of
 * tests/helpers.ts (`api`, `codeNow`, `nextStep`, `Browser`) work unchanged on both.
 *
 * Remotely there is no user-creation API: the runner seeds users with `deno task cli users:sql`
 * and names them in TWOFOLD_REMOTE_USERS (all with PASSWORD). Stored state is read with
 * `wrangler d1 execute` on the D1 state in TWOFOLD_D1_PERSIST, or from the libSQL server at
 * TWOFOLD_LIBSQL_URL (token TWOFOLD_LIBSQL_TOKEN).
 */
import type { Hono } from "hono";
import { createClient } from "@libsql/client/web";
import { sql } from "drizzle-orm";
import { addUser, PASSWORD, testApp, type TestEnv } from "../helpers.ts";

export const BASE_URL = Deno.env.get("TWOFOLD_BASE_URL")?.replace(/\/$/, "");
export const REMOTE = !!BASE_URL;
export { PASSWORD };

export type Target = TestEnv & {
  remote: boolean;
  /** The origin a browser would use (cookies, CSRF Origin check). */
  origin: string;
  /** A fresh user without a factor, password PASSWORD; returns the username. */
  newUser(): Promise<string>;
  /** A fresh admin without a factor, password PASSWORD; returns the username. */
  newAdmin(): Promise<string>;
  /** Rows of a read-only SQL query on the server's database (for stored-state assertions). */
  query(text: string): Promise<Record<string, unknown>[]>;
  /** Runs statements as one batch of the server's database driver; rows per statement. */
  batch(statements: string[]): Promise<Record<string, unknown>[][]>;
};

let localCounter = 0;
let remoteUsers: string[] | undefined;
let remoteAdmins: string[] | undefined;

/**
 * A target for one test: a fresh in-process app (with `env` as its extra configuration), or the
 * remote server (configured by the runner: PUBLIC_URL is its own address there).
 */
export async function target(env: Record<string, string> = {}): Promise<Target> {
  if (!BASE_URL) {
    return await localTarget(env);
  }
  return remoteTarget();
}

async function localTarget(extra: Record<string, string>): Promise<Target> {
  const env = await testApp(extra);
  return Object.assign(env, {
    remote: false,
    origin: "http://localhost",
    newUser: async () => {
      const name = `user${++localCounter}`;
      await addUser(env, name);
      return name;
    },
    newAdmin: async () => {
      const name = `admin${++localCounter}`;
      await addUser(env, name, ["admin"]);
      return name;
    },
    query: async (text: string) => await env.deps.db.all<Record<string, unknown>>(sql.raw(text)),
    batch: async (statements: string[]) => {
      const db = env.deps.db;
      const all = statements.map((s) => db.all<Record<string, unknown>>(sql.raw(s)));
      return await db.batch(all as [typeof all[0]]);
    },
  });
}

function remoteTarget(): Target {
  const base = BASE_URL!;
  const clock = new RealClock();
  const app = {
    request: (input: string | URL, init?: RequestInit) =>
      fetch(new URL(String(input), base), { ...init, redirect: "manual" }),
  };
  return {
    app: app as unknown as Hono,
    deps: undefined as unknown as TestEnv["deps"],
    clock: clock as unknown as TestEnv["clock"],
    remote: true,
    origin: base,
    newUser: () => {
      remoteUsers ??= (Deno.env.get("TWOFOLD_REMOTE_USERS") ?? "").split(",").filter(Boolean);
      const name = remoteUsers.shift();
      if (!name) throw new Error("TWOFOLD_REMOTE_USERS: no seeded user left for this test");
      return Promise.resolve(name);
    },
    newAdmin: () => {
      remoteAdmins ??= (Deno.env.get("TWOFOLD_REMOTE_ADMINS") ?? "").split(",").filter(Boolean);
      const name = remoteAdmins.shift();
      if (!name) throw new Error("TWOFOLD_REMOTE_ADMINS: no seeded admin left for this test");
      return Promise.resolve(name);
    },
    query: async (text) => (await remoteBatch([text])).at(-1) ?? [],
    batch: remoteBatch,
  };
}

/**
 * The server's clock, with a virtual offset that `nextStep()` moves forward by a TOTP step. A
 * code for the next step is accepted (window ±1) and is newer than the last one used, which is
 * what the in-process tests get by moving their fixed clock. One step ahead at most, so a test
 * uses at most two steps per user: that at enrollment, then the next.
 */
class RealClock {
  #offset = 0;
  now(): Date {
    return new Date(Date.now() + this.#offset);
  }
  advance(ms: number): void {
    this.#offset += ms;
    if (this.#offset > 30_000) throw new Error("a remote test cannot move more than one step");
  }
}

/**
 * Remotely, waits out the last seconds of a TOTP step, so that a code computed now is still in
 * the server's window when it arrives (both share this machine's clock).
 */
export async function freshStep(env: Target): Promise<void> {
  if (!env.remote) return;
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 4_000) await new Promise((r) => setTimeout(r, left + 250));
}

const root = new URL("../..", import.meta.url).pathname;

/** The server's database: its local D1 (TWOFOLD_D1_PERSIST) or its libSQL server. */
function remoteBatch(statements: string[]): Promise<Record<string, unknown>[][]> {
  const url = Deno.env.get("TWOFOLD_LIBSQL_URL");
  if (url) return libsqlBatch(url, statements);
  return d1Execute(statements.join(";\n"));
}

/** One libSQL batch over HTTP: its statements in order, on one connection, as a transaction. */
async function libsqlBatch(url: string, statements: string[]) {
  const client = createClient({ url, authToken: Deno.env.get("TWOFOLD_LIBSQL_TOKEN") });
  try {
    const results = await client.batch(statements, "write");
    return results.map((r) =>
      r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]])))
    );
  } finally {
    client.close();
  }
}

/**
 * `wrangler d1 execute --local` on the server's D1 state: several statements run as one
 * `D1Database.batch()`, the same call the Worker's `db.batch()` makes.
 */
async function d1Execute(text: string, tries = 5): Promise<Record<string, unknown>[][]> {
  const persist = Deno.env.get("TWOFOLD_D1_PERSIST");
  if (!persist) throw new Error("TWOFOLD_D1_PERSIST: the D1 state folder of the server");
  const out = await new Deno.Command("bash", {
    args: [
      `${root}tools/wrangler.sh`,
      "d1",
      "execute",
      "DB",
      "--local",
      "--persist-to",
      persist,
      "--json",
      "--command",
      text,
    ],
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    const error = new TextDecoder().decode(out.stderr);
    // Another process (this one, and the Worker in wrangler dev) has the local SQLite file:
    // the Worker may be writing right after its response (the outbox runs then).
    if (tries > 1 && /SQLITE_BUSY|database is locked/.test(error)) {
      await new Promise((r) => setTimeout(r, 300));
      return await d1Execute(text, tries - 1);
    }
    throw new Error(`wrangler d1 execute failed: ${error}`);
  }
  const parsed = JSON.parse(stdout) as { results: Record<string, unknown>[] }[];
  return parsed.map((r) => r.results);
}

/** A SQL string literal (ids and names in these tests are base64url or plain words). */
export function lit(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
