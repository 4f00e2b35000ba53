/**
 * @module Growth: the same three steps of a login (session check, TOTP step, password step) on
 * databases of 1,000, 100,000 and 1,000,000 enrolled users, with the database size per user and
 * the server's start-up time at each size (issue 20).
 *
 *   deno run -A bench/growth.ts [--sizes 1000,100000,1000000] [--session-seconds 5]
 *     [--totp-users 1000] [--password-logins 40] [--json FILE]
 *
 * Per size: a fresh database migrated by `bootstrap()` (the server's own start-up code, which
 * also writes the key file the server then loads), users written by bench/bulk_seed.ts, pending
 * tokens for the TOTP step from password logins on a seeding server at a low PBKDF2 cost (as
 * bench/load.ts does), then the real server (`src/main.ts` with the V8 flags of
 * `deno task start`, PBKDF2 at its default 600,000) driven by bench/load.ts's phases. Every
 * sample of users and sessions is drawn at random from the whole table.
 */
import { bootstrap } from "../src/bootstrap.ts";
import { parseConfig } from "../src/config.ts";
import type { Db } from "../src/db/client.ts";
import { hashPassword } from "../src/lib/password.ts";
import { issueSessionToken } from "../src/sessions/service.ts";
import Database from "libsql";
import { benchUsername, bulkSeed, type BulkSeedResult } from "./bulk_seed.ts";
import { HttpConnection } from "./http.ts";
import { integerOption, num as n, runJsonScript, table } from "./report.ts";
import {
  BENCH_PASSWORD,
  type BenchUser,
  gatherPendingTokens,
  type Memory,
  passwordPhase,
  type PhaseResult,
  printPhase,
  readClockTicks,
  readMemory,
  roundMemory,
  runPhase,
  SEED_PENDING_TOKEN_MINUTES,
  Server,
  sessionPhase,
  startTaskV8Flags,
  totpPhase,
  waitForStepAfter,
  WARM_UP_SECONDS,
} from "./load.ts";

const REPO = new URL("..", import.meta.url).pathname;
const FULL_ITERATIONS = 600_000;
/** PBKDF2 cost of the seeding server and of the TOTP users' hash until it has run. */
const SEED_ITERATIONS = 1_000;
const STARTUP_RUNS = 3;
/**
 * Of the drawn TOTP users, this share signs in with a code untimed right before the timed TOTP
 * phase (as bench/load.ts's warm-up users do): the same count at every size.
 */
const TOTP_WARM_UP_SHARE = 0.25;
/** Timed session phases per size; the one with the median CPU per request is kept. */
const SESSION_ROUNDS = 3;
/**
 * Timed TOTP rounds per size, each in a later 30-s step on pending tokens of its own (a code is
 * accepted once per step); the one with the median CPU per request is kept. One round of a few
 * hundred steps lasts under a second, so whatever else the machine does in that second decides it.
 */
export const GROWTH_TOTP_ROUNDS = 3;

export type GrowthOptions = {
  sizes: number[];
  /** Length of the timed session phase at each size. */
  sessionSeconds: number;
  /** Sessions whose tokens the session phase cycles through (fewer when there are fewer). */
  sessionSample: number;
  /** Users who take the TOTP step (fewer when there are fewer). */
  totpUsers: number;
  /** Full-cost password logins per size. */
  passwordLogins: number;
  concurrency: number;
  /** Every n-th user has a live session (more often where that would be fewer than the sample). */
  sessionEvery: number;
  v8Flags?: string;
  json?: string;
};

export const DEFAULT_GROWTH_OPTIONS: GrowthOptions = {
  sizes: [1_000, 100_000, 1_000_000],
  sessionSeconds: 5,
  sessionSample: 1_000,
  totpUsers: 1_000,
  passwordLogins: 40,
  concurrency: 32,
  sessionEvery: 10,
};

/**
 * Every how many users one has a live session at a size: `sessionEvery`, or more often where
 * that would leave fewer sessions than the session phase's sample. The phase then cycles through
 * the same number of sessions at every size, so that what differs between sizes is the size of
 * the database, not how many sessions are in play (a working set of its own: more sessions in
 * play cost more at any size, in the processor's caches and the kept answers).
 */
function sessionEveryAt(count: number, o: GrowthOptions): number {
  return Math.max(1, Math.min(o.sessionEvery, Math.floor(count / o.sessionSample)));
}

export type StartupRun = {
  /** From spawning `deno run ... src/main.ts` to its port accepting a connection. */
  listeningMs: number;
  /** From spawning to the first `GET /healthz` answered 200 (a database round trip). */
  firstAnswerMs: number;
};

export type GrowthSize = {
  users: number;
  sessions: number;
  recoveryCodesPerUser: number;
  seedSeconds: { users: number; recoveryCodes: number; total: number };
  /** The same in CPU time of the seeding process. */
  seedCpuSeconds: { users: number; recoveryCodes: number; total: number };
  /** The database file (and its WAL, empty after the seeding's checkpoint) right after seeding. */
  dbBytes: number;
  dbBytesPerUser: number;
  /** Rows per table right after seeding. */
  rows: Record<string, number>;
  startup: StartupRun[];
  startupMedian: StartupRun;
  pendingTokens: number;
  pendingTokenFailures: Record<string, number>;
  phases: { session: PhaseResult; totp: PhaseResult; password: PhaseResult };
  /** Server CPU per request of each session round (the median one is `phases.session`). */
  sessionRoundsCpu?: (number | null)[];
  totpRoundsCpu?: (number | null)[];
  memory: { idle: Memory | null; end: Memory | null };
  seconds: number;
};

export type GrowthResults = {
  options: GrowthOptions;
  sizes: GrowthSize[];
  totalSeconds: number;
};

const USAGE = `usage: deno run -A bench/growth.ts [options]
  --sizes N,N,...         user counts (1000,100000,1000000)
  --session-seconds S     length of each timed session phase (5)
  --session-sample N      sessions the session phase cycles through, the same number at every
                          size (1000)
  --totp-users N          users who take the TOTP step at each size (1000)
  --password-logins N     full-cost password logins at each size (40)
  --json FILE             also write the results as JSON`;

export function parseGrowthArgs(args: string[]): GrowthOptions {
  const o: GrowthOptions = { ...DEFAULT_GROWTH_OPTIONS, v8Flags: startTaskV8Flags() };
  const int = integerOption(USAGE);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const next = () => args[++i];
    switch (a) {
      case "--sizes":
        o.sizes = (next() ?? "").split(",").map((s) => int(a, s.replaceAll("_", ""), 100, 5e6));
        break;
      case "--session-seconds":
        o.sessionSeconds = int(a, next(), 1, 600);
        break;
      case "--session-sample":
        o.sessionSample = int(a, next(), 1, 1e6);
        break;
      case "--totp-users":
        o.totpUsers = int(a, next(), 1, 100_000);
        break;
      case "--password-logins":
        o.passwordLogins = int(a, next(), 1, 10_000);
        break;
      case "--json":
        o.json = next();
        break;
      case "--help":
      case "-h":
        console.log(USAGE);
        Deno.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  return o;
}

// ---------------------------------------------------------------- helpers

const round = (x: number, digits = 1) =>
  Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x;

/** `k` distinct indexes drawn uniformly from [0, n). */
function sample(n: number, k: number, exclude = new Set<number>()): number[] {
  const want = Math.min(k, n - exclude.size);
  const picked = new Set<number>();
  while (picked.size < want) {
    const i = Math.floor(Math.random() * n);
    if (!exclude.has(i)) picked.add(i);
  }
  return [...picked];
}

function closeDb(db: Db): void {
  (db as unknown as { $client: { close(): void } }).$client.close();
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return 0;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The environment a spawned server gets from ours (as bench/load.ts's Server passes it). */
function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const k of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const v = Deno.env.get(k);
    if (v) env[k] = v;
  }
  return env;
}

/**
 * Start-up time of the server as `deno task start` runs it: the time from spawning the process
 * until its port accepts a connection (polled every 2 ms), then until a first `GET /healthz` is
 * answered 200. The database file is in the page cache (it was just written and read).
 */
async function measureStartup(env: Record<string, string>, v8Flags?: string) {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...(v8Flags ? [`--v8-flags=${v8Flags}`] : []), "src/main.ts"],
    cwd: REPO,
    clearEnv: true,
    env: { ...inheritedEnv(), ...env, HOST: "127.0.0.1", PORT: String(port) },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  try {
    let listeningMs = NaN;
    for (;;) {
      if (exited) throw new Error("the server exited during start-up");
      if (performance.now() - t0 > 120_000) throw new Error("no start within 120 s");
      try {
        const c = await Deno.connect({ hostname: "127.0.0.1", port });
        listeningMs = performance.now() - t0;
        c.close();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    const conn = new HttpConnection(port);
    try {
      for (;;) {
        if (exited) throw new Error("the server exited during start-up");
        if (performance.now() - t0 > 120_000) throw new Error("no answer within 120 s");
        const res = await conn.request({ method: "GET", path: "/healthz" }).catch(() => null);
        if (res?.status === 200) break;
        await new Promise((r) => setTimeout(r, 2));
      }
    } finally {
      conn.close();
    }
    return { listeningMs: round(listeningMs), firstAnswerMs: round(performance.now() - t0) };
  } finally {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await status;
  }
}

// ---------------------------------------------------------------- one size

async function runSize(
  o: GrowthOptions,
  count: number,
  hashes: { full: string; cheap: string },
): Promise<GrowthSize> {
  const began = performance.now();
  const tmp = await Deno.makeTempDir({ prefix: `twofold-growth-${count}-` });
  const path = `${tmp}/growth.db`;
  const env = { DATABASE_URL: `file:${path}`, KEYS_FILE: `${tmp}/keys.json`, LOG_LEVEL: "info" };
  const servers: Server[] = [];
  const start = async (label: string, extra: Record<string, string>, v8Flags?: string) => {
    const s = await Server.start({ label, env: { ...env, ...extra }, v8Flags });
    servers.push(s);
    return s;
  };
  const stop = async (s: Server) => {
    await s.stop();
    servers.splice(servers.indexOf(s), 1);
  };
  try {
    console.log(`== growth: ${count.toLocaleString("en-US")} users (${path})`);
    // The server's own start-up code migrates the file and writes the key file it will load.
    const config = parseConfig({ ...env, LOG_LEVEL: "error" });
    const deps = await bootstrap(config, { logToStderr: true });
    const prefix = "user-";
    // User 0 is the admin (bulk_seed.ts): the samples leave it out.
    const totpIdx = sample(count, o.totpUsers, new Set([0]));
    // Password logins may fall on TOTP users too (their step comes first).
    const passwordIdx = sample(count, o.passwordLogins, new Set([0]));
    const now = new Date();
    const sessionTokens: string[] = [];
    let seeded: BulkSeedResult;
    try {
      seeded = await bulkSeed({
        path,
        deps,
        count,
        prefix,
        passwordHash: hashes.full,
        cheapHash: hashes.cheap,
        cheapHashUsers: new Set(totpIdx),
        keepSecretsOf: new Set(totpIdx),
        sessionEvery: sessionEveryAt(count, o),
        recoveryCodes: config.RECOVERY_CODE_COUNT,
        now,
      });
      console.log(
        `  seeded in ${seeded.seconds.total} s (users, authenticators and sessions ` +
          `${seeded.seconds.users} s, recovery codes ${seeded.seconds.recoveryCodes} s; ` +
          `CPU ${seeded.cpuSeconds.total} s)`,
      );
      // Tokens for sessions drawn from the whole table, signed by the app with the server's key.
      const adminSession = new Set(seeded.sessionUsers[0] === 0 ? [0] : []);
      for (const k of sample(seeded.sessions.length, o.sessionSample, adminSession)) {
        sessionTokens.push(await issueSessionToken(deps, seeded.sessions[k], now));
      }
    } finally {
      closeDb(deps.db);
    }

    const raw = new Database(path);
    const rows: Record<string, number> = {};
    for (const table of ["users", "authenticators", "recovery_codes", "sessions"]) {
      rows[table] = (raw.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    }
    raw.close();
    const dbBytes = (await fileSize(path)) + (await fileSize(`${path}-wal`));
    console.log(
      `  ${JSON.stringify(rows)}; ${round(dbBytes / 1e6)} MB, ` +
        `${round(dbBytes / count, 0)} bytes per user`,
    );

    // Pending tokens for the TOTP step, from password logins on a seeding server whose PBKDF2
    // cost matches the TOTP users' cheap hash (the longest pending lifetime the timed server
    // accepts: they wait through the start-up runs).
    const totpUsers: BenchUser[] = totpIdx.map((i) => {
      const u = seeded.kept.get(i)!;
      return { username: u.username, secret: u.secret, enrolledStep: u.lastStep, sessionToken: "" };
    });
    const seeding = await start("seeding", {
      PBKDF2_ITERATIONS: String(SEED_ITERATIONS),
      PENDING_TOKEN_MINUTES: SEED_PENDING_TOKEN_MINUTES,
    });
    const pending = await gatherPendingTokens(seeding.port, totpUsers, o.concurrency);
    // The later rounds' tokens, for the timed users only (the warm-up users sign in once).
    const timedUsers = totpUsers.slice(Math.floor(totpUsers.length * TOTP_WARM_UP_SHARE));
    const later: Map<BenchUser, string>[] = [];
    for (let r = 1; r < GROWTH_TOTP_ROUNDS; r++) {
      const more = await gatherPendingTokens(seeding.port, timedUsers, o.concurrency);
      for (const [k, v] of Object.entries(more.failures)) {
        pending.failures[k] = (pending.failures[k] ?? 0) + v;
      }
      later.push(more.tokens);
    }
    await stop(seeding);
    console.log(
      `  ${pending.tokens.size} pending tokens` +
        (Object.keys(pending.failures).length
          ? `; failures ${JSON.stringify(pending.failures)}`
          : ""),
    );
    // From here on every user holds the 600,000-iteration hash.
    const db = new Database(path);
    const restore = db.prepare("UPDATE users SET password_hash = ? WHERE username = ?");
    db.exec("BEGIN");
    for (const u of totpUsers) restore.run(hashes.full, u.username);
    db.exec("COMMIT");
    const cheapLeft = db.prepare("SELECT count(*) AS n FROM users WHERE password_hash <> ?")
      .get(hashes.full) as { n: number };
    db.close();
    if (cheapLeft.n !== 0) throw new Error(`${cheapLeft.n} users without the full-cost hash`);

    // Start-up time, then the timed server: `deno task start`'s V8 flags, PBKDF2 at its default.
    const startup: StartupRun[] = [];
    for (let r = 0; r < STARTUP_RUNS; r++) startup.push(await measureStartup(env, o.v8Flags));
    const startupMedian = {
      listeningMs: median(startup.map((s) => s.listeningMs)),
      firstAnswerMs: median(startup.map((s) => s.firstAnswerMs)),
    };
    console.log(
      `  start-up: listening after ${startup.map((s) => s.listeningMs).join(", ")} ms, ` +
        `first answer after ${startup.map((s) => s.firstAnswerMs).join(", ")} ms`,
    );

    const timed = await start("timed", {}, o.v8Flags);
    const idle = roundMemory(readMemory(timed.pid));
    // Untimed: one check per sampled session first, so that the timed phase does not include
    // the once-a-minute `last_seen_at` write that a session seeded minutes ago gets.
    await runPhase(timed.port, timed.pid, {
      ...sessionPhase(sessionTokens, 0, o.concurrency),
      seconds: undefined,
      count: sessionTokens.length,
    });
    // Then untimed for a while, as bench/load.ts does: V8 compiles the path in the background.
    await runPhase(
      timed.port,
      timed.pid,
      sessionPhase(sessionTokens, WARM_UP_SECONDS, o.concurrency),
    );
    // Several rounds, the median one kept: one short phase on a freshly started server varies
    // from run to run by about as much as the sizes are allowed to differ.
    const rounds: PhaseResult[] = [];
    for (let r = 0; r < SESSION_ROUNDS; r++) {
      const round = await runPhase(
        timed.port,
        timed.pid,
        sessionPhase(sessionTokens, o.sessionSeconds, o.concurrency),
      );
      printPhase(round);
      rounds.push(round);
    }
    const session = [...rounds].sort((a, b) =>
      (a.serverCpuUsPerRequest ?? Infinity) - (b.serverCpuUsPerRequest ?? Infinity)
    )[Math.floor(rounds.length / 2)];
    await waitForStepAfter(Math.max(...totpUsers.map((u) =>
      u.enrolledStep
    )));
    // The first quarter of the drawn users warms the code step's path up, untimed.
    const timedSet = new Set(timedUsers);
    const tokens = [...pending.tokens];
    const steps = { max: 0 };
    const warm = await runPhase(
      timed.port,
      timed.pid,
      totpPhase(tokens.filter(([u]) => !timedSet.has(u)), o.concurrency, [], steps),
    );
    if (warm.errors) console.log(`  !! TOTP warm-up: ${warm.errors} of ${warm.requests} failed`);
    const totpRounds: PhaseResult[] = [];
    const roundTokens = [
      tokens.filter(([u]) => timedSet.has(u)),
      ...later.map((m) => [...m]),
    ];
    for (const [r, list] of roundTokens.entries()) {
      if (r > 0) await waitForStepAfter(steps.max);
      const round = await runPhase(
        timed.port,
        timed.pid,
        totpPhase(list, o.concurrency, [], steps),
      );
      printPhase(round);
      totpRounds.push(round);
    }
    const totp = [...totpRounds].sort((a, b) =>
      (a.serverCpuUsPerRequest ?? Infinity) - (b.serverCpuUsPerRequest ?? Infinity)
    )[Math.floor(totpRounds.length / 2)];
    const passwordUsers = passwordIdx.map((i) => ({
      username: benchUsername(prefix, i),
      secret: "",
      enrolledStep: 0,
      sessionToken: "",
    }));
    // Concurrency 4: PBKDF2 runs on Deno's blocking pool, two cores are busy with 2.
    const password = await runPhase(
      timed.port,
      timed.pid,
      passwordPhase(passwordUsers, passwordUsers.length, 4),
    );
    printPhase(password);
    const end = roundMemory(readMemory(timed.pid));
    await stop(timed);

    return {
      users: count,
      sessions: seeded.sessions.length,
      recoveryCodesPerUser: config.RECOVERY_CODE_COUNT,
      seedSeconds: seeded.seconds,
      seedCpuSeconds: seeded.cpuSeconds,
      dbBytes,
      dbBytesPerUser: round(dbBytes / count, 0),
      rows,
      startup,
      startupMedian,
      pendingTokens: pending.tokens.size,
      pendingTokenFailures: pending.failures,
      phases: { session, totp, password },
      sessionRoundsCpu: rounds.map((r) => r.serverCpuUsPerRequest),
      totpRoundsCpu: totpRounds.map((r) => r.serverCpuUsPerRequest),
      memory: { idle, end },
      seconds: round((performance.now() - began) / 1000),
    };
  } finally {
    for (const s of [...servers]) await s.stop();
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

export async function runGrowth(o: GrowthOptions): Promise<GrowthResults> {
  const began = performance.now();
  await readClockTicks();
  // One hash at the full cost shared by every user (one salt: verifying it costs the server
  // exactly what a hash of a user's own would), and the seeding server's cheap one.
  const hashes = {
    full: await hashPassword(BENCH_PASSWORD, FULL_ITERATIONS),
    cheap: await hashPassword(BENCH_PASSWORD, SEED_ITERATIONS),
  };
  const sizes: GrowthSize[] = [];
  for (const count of o.sizes) sizes.push(await runSize(o, count, hashes));
  return { options: o, sizes, totalSeconds: round((performance.now() - began) / 1000) };
}

/**
 * Runs this module in a process of its own (`deno run -A bench/growth.ts --json FILE`) and
 * returns its results: the seeding holds a few GB of SQLite page cache (bench/bulk_seed.ts),
 * which the allocator keeps after the database closes.
 */
export function runGrowthProcess(args: string[] = []): Promise<GrowthResults> {
  return runJsonScript<GrowthResults>("growth", args, "growth");
}

// ---------------------------------------------------------------- markdown

/** Largest over smallest of a figure across the sizes, as "+x %". */
function spread(values: (number | null)[]): string {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (xs.length < 2) return "–";
  const lo = Math.min(...xs);
  return `${n(((Math.max(...xs) - lo) / lo) * 100, 0)} %`;
}

/** The growth section of bench/RESULTS.md; `null` when the part failed or did not run. */
export function growthSection(r: GrowthResults | null, failure?: string): string {
  const title = "## Growth: 1,000 to 1,000,000 users\n\n";
  if (!r) {
    return title + (failure ? `**Not measured**: ${failure}\n` : "Not run (`--no-growth`).\n");
  }
  const o = r.options;
  const timedTotp = Math.min(...r.sizes.map((s) => s.phases.totp.requests));
  const phaseRows = (name: "session" | "totp" | "password") =>
    r.sizes.map((s) => {
      const p = s.phases[name];
      return [
        name,
        n(s.users, 0),
        n(p.requests, 0),
        n(p.rps),
        n(p.p50Ms, 2),
        n(p.p99Ms, 2),
        `${n(p.errors, 0)}${
          p.errors
            ? ` (${Object.entries(p.errorKinds).map(([k, v]) => `${k}: ${v}`).join(", ")})`
            : ""
        }`,
        n(p.serverCpuUsPerRequest, 0),
        n(p.serverMainThreadCpuUsPerRequest, 0),
        n(p.otherProcessesCores, 2),
      ];
    });
  const spreads = (["session", "totp", "password"] as const).map((name) => [
    name,
    spread(r.sizes.map((s) => s.phases[name].serverCpuUsPerRequest)),
    spread(r.sizes.map((s) => s.phases[name].serverMainThreadCpuUsPerRequest)),
    spread(r.sizes.map((s) => s.phases[name].p50Ms)),
  ]);
  const first = r.sizes[0];
  return title +
    `\`deno run -A bench/growth.ts --sizes ${o.sizes.join(",")}\` (${
      n(r.totalSeconds, 0)
    } s in all):
at each size a fresh database, migrated by the server's own start-up code, gets that many enrolled
users from bench/bulk_seed.ts (prepared statements in one transaction, no HTTP): each user its own
random id and username, an authenticator with its own TOTP secret encrypted by the app's
\`encryptSecret\` under the server's key, ${first?.recoveryCodesPerUser ?? "–"} recovery codes, and
every ${o.sessionEvery}th user a live session (${
      r.sizes.map((s) => `${n(s.sessions, 0)} at ${n(s.users, 0)}`).join(", ")
    }: more often where that would be fewer than the session phase's sample); the first user is an admin, as in every installation
(without one, start-up reads every user: \`adminExists()\` in src/main.ts). Shortcuts: every user holds one precomputed
600,000-iteration hash (one salt; verifying it costs what a user's own would); a recovery code row
holds random bytes of the stored form's shape (no timed step reads one); no audit rows or consumed
enrollment rows.

Then the real server (\`src/main.ts\`, the V8 flags of \`deno task start\`, PBKDF2 at its default
600,000) on that file, driven by bench/load.ts's phases at concurrency ${o.concurrency}:
**session** \`GET /api/v1/session\` in ${SESSION_ROUNDS} rounds of ${o.sessionSeconds} s (the round with the
median CPU per request is the one shown; each round's: ${
      r.sizes.map((s) =>
        `${n(s.users, 0)} users ${(s.sessionRoundsCpu ?? []).map((c) => n(c, 0)).join(", ")} µs`
      ).join("; ")
    }), cycling through up to
the same ${
      n(o.sessionSample, 0)
    } sessions at each size, drawn at random from the whole sessions table, so that only the database
grows between sizes, not the sessions in play (each checked once,
untimed, then ${WARM_UP_SECONDS} s untimed); **totp** one \`POST /api/v1/login/totp\` each for up to ${
      n(o.totpUsers, 0)
    } users drawn at random from the whole table (the first ${
      n(TOTP_WARM_UP_SHARE * 100, 0)
    } % of them untimed, to warm the path up; the rest timed, in ${GROWTH_TOTP_ROUNDS} rounds, each in a
later 30-s step, the one with the median CPU per request shown; each round's: ${
      r.sizes.map((s) =>
        `${n(s.users, 0)} users ${(s.totpRoundsCpu ?? []).map((c) => n(c, 0)).join(", ")} µs`
      ).join("; ")
    }), on pending tokens from password
logins on a seeding server at ${SEED_ITERATIONS} iterations (their users got the full-cost hash
back before the timed server started); **password** ${o.passwordLogins} full-cost \`POST /api/v1/login\` of
other random users, concurrency 4. CPU per request from \`/proc/<pid>/stat\` as in the load phases.

${
      table(
        [
          "phase",
          "users",
          "requests",
          "req/s",
          "p50 ms",
          "p99 ms",
          "errors",
          "server CPU µs/req",
          "of it main thread",
          "other processes (CPUs)",
        ],
        [...phaseRows("session"), ...phaseRows("totp"), ...phaseRows("password")],
      )
    }

Spread across the sizes (largest over smallest − 1; the machine is shared, see the last column
above):

${table(["phase", "server CPU µs/req", "main thread µs/req", "p50"], spreads)}

${
      table(
        [
          "users",
          "sessions",
          "recovery codes",
          "seeding s (CPU s)",
          "database MB",
          "bytes per user",
          "start-up: listening ms",
          "first answer ms",
          "server RSS MB idle / peak",
        ],
        r.sizes.map((s) => [
          n(s.users, 0),
          n(s.rows.sessions, 0),
          n(s.rows.recovery_codes, 0),
          `${n(s.seedSeconds.total)} (${n(s.seedCpuSeconds.total)})`,
          n(s.dbBytes / 1e6),
          n(s.dbBytesPerUser, 0),
          `${n(s.startupMedian.listeningMs, 0)} (${
            s.startup.map((x) => n(x.listeningMs, 0)).join(", ")
          })`,
          `${n(s.startupMedian.firstAnswerMs, 0)} (${
            s.startup.map((x) => n(x.firstAnswerMs, 0)).join(", ")
          })`,
          `${n(s.memory.idle?.rssMb)} / ${n(s.memory.end?.hwmMb)}`,
        ]),
      )
    }

- CPU time comes in clock ticks of 10 ms: over ${o.passwordLogins} logins a password figure moves
  in steps of ${n(10_000 / o.passwordLogins, 0)} µs per login, over ${
      n(timedTotp, 0)
    } timed TOTP steps in steps of ${n(10_000 / timedTotp, 0)} µs.
- Database size: the file right after seeding (WAL checkpointed), divided by the users; it holds
  every table and index, the recovery codes being most of it.
- Start-up: from spawning \`deno run ... src/main.ts\` until its port accepts a connection, and
  until a first \`GET /healthz\` (a database round trip) is answered; median of ${STARTUP_RUNS}
  runs (each run in brackets; in our runs the first, right after the seeding server, was
  the slowest). The file is in the operating system's page cache, as it is on a
  server that restarts; a cold disk adds its read latency.
`;
}

if (import.meta.main) {
  let options: GrowthOptions;
  try {
    options = parseGrowthArgs(Deno.args);
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(2);
  }
  const results = await runGrowth(options);
  if (options.json) {
    await Deno.writeTextFile(options.json, JSON.stringify(results, null, 2) + "\n");
  } else console.log("\n" + growthSection(results));
  console.log(`done in ${results.totalSeconds} s`);
}
