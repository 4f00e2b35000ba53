/**
 * @module The load driver: seeds users, enrolls them through the JSON API, then times the three
 * steps of a login separately (password, TOTP, session check) against the real server process,
 * reading its CPU time and memory from /proc.
 *
 *   deno run -A bench/load.ts [--users 2000] [--concurrency 32] [--password-requests 300]
 *     [--session-seconds 10] [--no-profile] [--json results.json]
 *   deno run -A bench/load.ts --url http://127.0.0.1:8787 --database-url file:<its db>
 *     [--server-pid PID] [--also-pid LABEL=PID ...] [--pbkdf2-iterations 600000]
 *
 * Without `--url` it starts `deno run -A src/main.ts` on a temporary database and key file,
 * with the default PBKDF2 cost for every timed phase. With `--url` it drives a server that is
 * already running (bench/worker.sh: `wrangler dev` on a local D1, whose SQLite file is the
 * --database-url). Traffic only ever goes to 127.0.0.1.
 */
import { hashPassword } from "../src/lib/password.ts";
import { timeStep, totpCodeAt } from "../src/totp/totp.ts";
import { HttpConnection, type HttpRequest, type HttpResponse, startWatchdog } from "./http.ts";
import { type ProfileSummary, summarizeProfileDir } from "./profile.ts";
import { integerOption } from "./report.ts";
import { createBenchUsers, setBenchPasswordHashes } from "./seed.ts";
import { profileWorkerFromChild, type WorkerCpu } from "./worker_cpu.ts";

const REPO = new URL("..", import.meta.url).pathname;
const PERIOD_SECONDS = 30;
export const BENCH_PASSWORD = "twofold benchmark passphrase";
/** PBKDF2 cost of the seeding server only (enrollment logins); never of a timed phase. */
const SEED_ITERATIONS = 1_000;
const DEFAULT_ITERATIONS = 600_000;
/** Lifetime of the seeding server's pending tokens (see where it starts). */
export const SEED_PENDING_TOKEN_MINUTES = "15";
const PROFILE_PASSWORD_REQUESTS = 40;
const PROFILE_SESSION_SECONDS = 5;
const PROFILE_TOTP_REQUESTS = 2000;
/**
 * Users beyond --users whose code steps run untimed right before the timed TOTP phase (and the
 * profiled one), so that V8 has compiled the code step's path as it has the checks' (see
 * WARM_UP_SECONDS); without them the 1.5 s phase also paid for that compilation.
 */
export const TOTP_WARM_UP_USERS = 500;
/**
 * Timed TOTP rounds, each in a later 30-s step than the one before (a code is accepted once) on
 * its own pending tokens; the round with the median CPU per request is the phase's figure. One
 * 1.5-s round varied by more than the targets' margins from run to run.
 */
export const TOTP_ROUNDS = 3;
/** Untimed seconds of session checks (and of verify) before each timed one. */
export const WARM_UP_SECONDS = 2;
/** Password logins profiled in the Worker (75 ms of PBKDF2 each under workerd). */
const WORKER_PROFILE_PASSWORD_REQUESTS = 40;

// ---------------------------------------------------------------- options

export type Options = {
  users: number;
  concurrency: number;
  passwordRequests: number;
  sessionSeconds: number;
  /** Length of the timed verify phase (forward-auth with access rules). */
  verifySeconds: number;
  url?: string;
  databaseUrl?: string;
  serverPid?: number;
  /** Other processes whose CPU time per request is recorded too (wrangler's proxy, say). */
  alsoPids: Record<string, number>;
  pbkdf2Iterations: number;
  profile: boolean;
  json?: string;
  /** Copy the raw .cpuprofile files here (for a closer look in Chrome DevTools). */
  keepProfiles?: string;
  /** Extra V8 flags for the timed and profiled servers (experiments, e.g. a smaller heap). */
  v8Flags?: string;
  /** Extra environment for the timed and profiled servers (experiments: MALLOC_ARENA_MAX=2). */
  serverEnv: Record<string, string>;
  /** (with --url and --server-pid) the Worker's name: its isolate is profiled after the timed
   * phases, through workerd's inspector (bench/worker_cpu.ts). */
  workerIsolate?: string;
  /** (with --worker-isolate) the bundle that Worker runs, to name the modules in its profile. */
  workerBundle?: string;
};

const USAGE = `usage: deno run -A bench/load.ts [options]
  --users N               users to seed and enroll (2000)
  --concurrency C         requests in flight (32)
  --password-requests P   logins in the timed password phase (300)
  --session-seconds S     length of the timed session phase (10)
  --verify-seconds S      length of the timed verify phase: GET /api/v1/verify with 50 access
                          rules, the matching one last (10)
  --no-profile            skip the --cpu-prof runs after the timed ones
  --json FILE             also write the results as JSON
  --keep-profiles DIR     keep the raw .cpuprofile files in DIR
  --url URL               drive an already running server on 127.0.0.1 instead of starting one
  --database-url URL      (with --url) the libSQL file that server uses, for seeding users
  --server-pid PID        (with --url) the server process, for CPU time and memory
  --also-pid LABEL=PID    (with --url) another process to read CPU time of (repeatable), e.g.
                          the proxy in front of the server
  --pbkdf2-iterations N   (with --url) that server's PBKDF2_ITERATIONS (600000)
  --v8-flags FLAGS        run the timed servers with --v8-flags=FLAGS (default: those of
                          \`deno task start\`)
  --server-env NAME=VALUE an extra variable for the timed servers (experiments; repeatable)
  --worker-isolate NAME   (with --url and --server-pid, the workerd process that runs Worker
                          NAME) after the timed phases, run the password, session and TOTP phases
                          again with a V8 profile of that Worker's isolate, through workerd's
                          inspector, for the Worker's own CPU per request (bench/worker_cpu.ts)
  --worker-bundle FILE    (with --worker-isolate) the bundle that Worker runs: the profile's
                          functions are named with their module`;

/**
 * The V8 flags of `deno task start` (deno.json), so that the timed server runs as the real one
 * does (a 4 MB young generation, memory-saver mode, no bytecode flushing: see docs/operations.md,
 * "Speed and durability").
 */
export function startTaskV8Flags(): string | undefined {
  const config = JSON.parse(Deno.readTextFileSync(new URL("../deno.json", import.meta.url)));
  return /--v8-flags=(\S+)/.exec(config.tasks?.start ?? "")?.[1];
}

export function parseOptions(args: string[]): Options {
  const o: Options = {
    v8Flags: startTaskV8Flags(),
    users: 2000,
    concurrency: 32,
    passwordRequests: 300,
    sessionSeconds: 10,
    verifySeconds: 10,
    pbkdf2Iterations: DEFAULT_ITERATIONS,
    alsoPids: {},
    profile: true,
    serverEnv: {},
  };
  const int = integerOption(USAGE);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const next = () => args[++i];
    switch (a) {
      case "--users":
        o.users = int(a, next(), 1, 100_000);
        break;
      case "--concurrency":
        o.concurrency = int(a, next(), 1, 1024);
        break;
      case "--password-requests":
        o.passwordRequests = int(a, next(), 1, 100_000);
        break;
      case "--session-seconds":
        o.sessionSeconds = int(a, next(), 1, 600);
        break;
      case "--verify-seconds":
        o.verifySeconds = int(a, next(), 1, 600);
        break;
      case "--pbkdf2-iterations":
        o.pbkdf2Iterations = int(a, next(), 1_000, 10_000_000);
        break;
      case "--server-pid":
        o.serverPid = int(a, next(), 1, 2 ** 31);
        break;
      case "--worker-isolate":
        o.workerIsolate = next();
        if (!o.workerIsolate) throw new Error(`--worker-isolate needs a name\n${USAGE}`);
        break;
      case "--worker-bundle":
        o.workerBundle = next();
        break;
      case "--also-pid": {
        const [label, pid] = (next() ?? "").split("=");
        if (!/^[\w .-]+$/.test(label ?? "") || !/^\d+$/.test(pid ?? "")) {
          throw new Error(`--also-pid needs LABEL=PID\n${USAGE}`);
        }
        o.alsoPids[label] = Number(pid);
        break;
      }
      case "--no-profile":
        o.profile = false;
        break;
      case "--json":
        o.json = next();
        break;
      case "--keep-profiles":
        o.keepProfiles = next();
        break;
      case "--url":
        o.url = next();
        break;
      case "--database-url":
        o.databaseUrl = next();
        break;
      case "--v8-flags":
        o.v8Flags = next();
        break;
      case "--server-env": {
        const [name, ...value] = (next() ?? "").split("=");
        if (!/^[A-Z_][A-Z0-9_]*$/.test(name) || !value.length) {
          throw new Error(`--server-env needs NAME=VALUE\n${USAGE}`);
        }
        o.serverEnv[name] = value.join("=");
        break;
      }
      case "--help":
      case "-h":
        console.log(USAGE);
        Deno.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  if (o.url) {
    const u = new URL(o.url);
    // Never send load anywhere but this machine's loopback address.
    if (u.hostname !== "127.0.0.1" && u.hostname !== "localhost") {
      throw new Error("--url must point at 127.0.0.1 (or localhost)");
    }
    if (u.protocol !== "http:") throw new Error("--url must be plain http://");
    if (!o.databaseUrl?.startsWith("file:")) {
      throw new Error("--url needs --database-url file:<path> of that server, to seed users");
    }
  }
  if (o.workerIsolate && (!o.url || !o.serverPid)) {
    throw new Error(`--worker-isolate needs --url and --server-pid\n${USAGE}`);
  }
  return o;
}

// ---------------------------------------------------------------- /proc readings

let clockTicks = 100;

export async function readClockTicks(): Promise<void> {
  try {
    const out = await new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).output();
    const n = Number(new TextDecoder().decode(out.stdout).trim());
    if (n > 0) clockTicks = n;
  } catch {
    // keep 100, the Linux default
  }
}

/** stime alone (the kernel's part: syscalls such as fsync, fcntl, socket writes) in ms. */
function sysMsOf(statPath: string): number {
  try {
    const text = Deno.readTextFileSync(statPath);
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[12]) / clockTicks) * 1000;
  } catch {
    return NaN;
  }
}

/** utime + stime of /proc/<pid>/stat (or a thread's) in milliseconds. */
function cpuMsOf(statPath: string): number {
  try {
    const text = Deno.readTextFileSync(statPath);
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state); utime is field 14 and stime field 15.
    return ((Number(fields[11]) + Number(fields[12])) / clockTicks) * 1000;
  } catch {
    return NaN;
  }
}

/**
 * A process tree's CPU: all threads (`total`), the main threads (`main`), and each live thread
 * by process and thread id with its name (V8's GC and compiler helpers, tokio's blocking pool
 * where WebCrypto runs, the libSQL checkpointer...).
 */
type CpuReading = {
  total: number;
  main: number;
  /** `part`: a share of another entry's time (the main thread's time in the kernel). */
  threads: Map<string, { name: string; ms: number; part?: boolean }>;
};

/** A thread's name as a kind: "V8 DefaultWorke" and "tokio-runtime-w" stay, numbers go. */
const threadKind = (comm: string) => comm.replace(/[\s#_-]*\d+$/, "") || comm;

/** Every live thread of a process with its CPU time in milliseconds. */
function readThreads(pid: number, into: CpuReading["threads"]): void {
  try {
    for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
      const path = `/proc/${pid}/task/${t.name}`;
      try {
        const name = t.name === String(pid)
          ? "main"
          : threadKind(Deno.readTextFileSync(`${path}/comm`).trim());
        into.set(`${pid}/${t.name}`, { name, ms: cpuMsOf(`${path}/stat`) });
        if (name === "main") {
          into.set(`${pid}/${t.name}/sys`, {
            name: "of main: kernel",
            ms: sysMsOf(`${path}/stat`),
            part: true,
          });
        }
      } catch {
        // ended meanwhile
      }
    }
  } catch {
    // gone meanwhile
  }
}

/**
 * CPU per request by kind of thread between two readings; threads that ended in between are
 * counted together ("ended threads": the process total keeps their time).
 */
function cpuByThread(
  before: CpuReading,
  after: CpuReading,
  requests: number,
): Record<string, number> {
  const ms = new Map<string, number>();
  let seen = 0;
  for (const [id, t] of after.threads) {
    const d = t.ms - (before.threads.get(id)?.ms ?? 0);
    if (!t.part) seen += d;
    ms.set(t.name, (ms.get(t.name) ?? 0) + d);
  }
  const ended = after.total - before.total - seen;
  if (Math.abs(ended) >= 1) ms.set("ended threads", ended);
  return Object.fromEntries(
    [...ms].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1])
      .map(([k, v]) => [k, requests ? round((v * 1000) / requests, 1) : NaN]),
  );
}

/** A process and every process it started (PROCESSES > 1: the server's other processes). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const t of Deno.readDirSync(`/proc/${out[i]}/task`)) {
        const text = Deno.readTextFileSync(`/proc/${out[i]}/task/${t.name}/children`).trim();
        if (text) out.push(...text.split(/\s+/).map(Number));
      }
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU of a process and its descendants (all threads: `total`; their main threads: `main`). */
function readCpu(pid: number | "self"): CpuReading {
  const threads: CpuReading["threads"] = new Map();
  if (pid === "self") return { total: cpuMsOf(`/proc/self/stat`), main: NaN, threads };
  let total = 0;
  let main = 0;
  for (const p of processTree(pid)) {
    total += cpuMsOf(`/proc/${p}/stat`);
    main += cpuMsOf(`/proc/${p}/task/${p}/stat`);
    readThreads(p, threads);
  }
  return { total, main, threads };
}

/** Busy time of the whole machine (all CPUs) from /proc/stat, in milliseconds. */
function readMachineBusyMs(): number {
  try {
    const line = Deno.readTextFileSync("/proc/stat").split("\n")[0];
    const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/)
      .slice(1).map(Number);
    return ((user + nice + system + irq + softirq + steal) / clockTicks) * 1000;
  } catch {
    return NaN;
  }
}

function loadAverage(): number {
  try {
    return Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
  } catch {
    return NaN;
  }
}

export type Memory = { rssMb: number; hwmMb: number; anonMb: number; fileMb: number };

export const roundMemory = (m: Memory): Memory => ({
  rssMb: round(m.rssMb, 1),
  hwmMb: round(m.hwmMb, 1),
  anonMb: round(m.anonMb, 1),
  fileMb: round(m.fileMb, 1),
});

/** VmRSS and VmHWM from /proc/<pid>/status in MB, and the RSS split into anonymous memory
 * (heaps) and file pages (mostly the deno executable's own code, shared with other processes). */
export function readMemory(pid: number): Memory {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = (key: string) => Number(text.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))?.[1]);
    return {
      rssMb: kb("VmRSS") / 1024,
      hwmMb: kb("VmHWM") / 1024,
      anonMb: kb("RssAnon") / 1024,
      fileMb: kb("RssFile") / 1024,
    };
  } catch {
    return { rssMb: NaN, hwmMb: NaN, anonMb: NaN, fileMb: NaN };
  }
}

// ---------------------------------------------------------------- the server process

export class Server {
  private constructor(
    readonly child: Deno.ChildProcess,
    readonly pid: number,
    readonly port: number,
    private readonly drained: Promise<void>,
  ) {}

  /** Starts `deno run -A src/main.ts` (or the profiling wrapper) and waits until it listens. */
  static async start(input: {
    label: string;
    env: Record<string, string>;
    profileDir?: string;
    v8Flags?: string;
  }): Promise<Server> {
    const flags = input.v8Flags ? [`--v8-flags=${input.v8Flags}`] : [];
    const args = input.profileDir
      ? [
        "run",
        "-A",
        ...flags,
        "--cpu-prof",
        `--cpu-prof-dir=${input.profileDir}`,
        "bench/profile_server.ts",
      ]
      : ["run", "-A", ...flags, "src/main.ts"];
    const inherit = ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"];
    const env: Record<string, string> = { NO_COLOR: "1" };
    for (const k of inherit) {
      const v = Deno.env.get(k);
      if (v) env[k] = v;
    }
    // A free loopback port picked here: the server's stdout is not read (see below), so its
    // "listening" line cannot tell us the port.
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const child = new Deno.Command(Deno.execPath(), {
      args,
      cwd: REPO,
      // A clean environment: nothing from the caller's shell (a PBKDF2_ITERATIONS or a webhook
      // URL, say) leaks in.
      clearEnv: true,
      env: { ...env, ...input.env, HOST: "127.0.0.1", PORT: String(port) },
      stdin: "null",
      // One JSON log line per request goes to stdout at the default LOG_LEVEL; reading it would
      // cost this driver CPU that the server needs, so it goes to /dev/null.
      stdout: "null",
      stderr: "piped",
    }).spawn();

    const stderrTail: string[] = [];
    const drained = (async () => {
      let rest = "";
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        rest += chunk;
        let nl;
        while ((nl = rest.indexOf("\n")) >= 0) {
          const line = rest.slice(0, nl);
          rest = rest.slice(nl + 1);
          stderrTail.push(line);
          if (stderrTail.length > 20) stderrTail.shift();
          if (!line.includes("Production must set them")) {
            console.error(`  [${input.label} server] ${line}`);
          }
        }
      }
    })();
    let exited: Deno.CommandStatus | null = null;
    child.status.then((s) => (exited = s));

    // Ready when /healthz answers (it makes a database round trip); at most 120 s.
    const conn = new HttpConnection(port);
    const deadline = performance.now() + 120_000;
    try {
      for (;;) {
        if (exited) {
          throw new Error(
            `the ${input.label} server exited (${(exited as Deno.CommandStatus).code}):\n` +
              stderrTail.join("\n"),
          );
        }
        if (performance.now() > deadline) {
          throw new Error(`the ${input.label} server did not start within 120 s`);
        }
        try {
          if ((await conn.request({ method: "GET", path: "/healthz" })).status === 200) break;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      return new Server(child, child.pid, port, drained);
    } catch (e) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      throw e;
    } finally {
      conn.close();
    }
  }

  async stop(): Promise<void> {
    try {
      this.child.kill("SIGTERM");
    } catch {
      // already gone
    }
    const kill = setTimeout(() => {
      try {
        this.child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }, 15_000);
    await this.child.status;
    clearTimeout(kill);
    await this.drained;
  }
}

// ---------------------------------------------------------------- phases

export type PhaseResult = {
  name: string;
  concurrency: number;
  requests: number;
  ok: number;
  errors: number;
  errorKinds: Record<string, number>;
  seconds: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Server process CPU (all threads) per request, microseconds. */
  serverCpuUsPerRequest: number | null;
  /** Of which the server's main (JavaScript) thread. */
  serverMainThreadCpuUsPerRequest: number | null;
  /** The server's CPU per request by kind of thread (main, V8's helpers, tokio's...). */
  serverCpuByThread?: Record<string, number>;
  /** CPU per request of the `--also-pid` processes (all threads), microseconds, by label. */
  alsoCpuUsPerRequest?: Record<string, number>;
  /** This driver's own CPU per request, microseconds (it shares the machine). */
  driverCpuUsPerRequest: number;
  /** CPUs' worth of time used by every other process on the machine during the phase (not
   * the driver, the server or the `--also-pid` processes). */
  otherProcessesCores: number | null;
  /** The 1-minute load average when the phase started. */
  loadAverageAtStart: number;
  serverRssMbAfter: number | null;
};

export type PhaseSpec = {
  name: string;
  concurrency: number;
  /** Send exactly this many requests... */
  count?: number;
  /** ...or keep sending for this long. */
  seconds?: number;
  request(i: number): HttpRequest;
  /** null when the answer is what this phase expects, else a short error kind. */
  check(res: HttpResponse, i: number): string | null;
};

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

const round = (x: number, digits = 2) =>
  Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x;

/** Fails the run when a process it measures has gone (a restarted server: its CPU would be lost). */
function assertAlive(pids: Record<string, number | undefined>): void {
  for (const [label, pid] of Object.entries(pids)) {
    if (pid && !existsSync(`/proc/${pid}/stat`)) {
      throw new Error(`the ${label} process (pid ${pid}) is gone: restarted or exited mid-run`);
    }
  }
}

function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

export async function runPhase(
  port: number,
  pid: number | undefined,
  spec: PhaseSpec,
  alsoPids: Record<string, number> = {},
) {
  const conns = Array.from({ length: spec.concurrency }, () => new HttpConnection(port));
  // Open every connection before the clock starts.
  await Promise.all(conns.map((c) => c.request({ method: "GET", path: "/healthz" })));

  const cap = spec.count ?? 5_000_000;
  const latencies = new Float64Array(cap);
  const errorKinds: Record<string, number> = {};
  let next = 0;
  let done = 0;
  let ok = 0;
  let consecutiveExceptions = 0;
  const loadAverageAtStart = loadAverage();
  assertAlive({ server: pid, ...alsoPids });
  const serverBefore = pid ? readCpu(pid) : null;
  const alsoBefore = Object.entries(alsoPids).map(([label, p]) =>
    [label, readCpu(p).total] as const
  );
  const selfBefore = readCpu("self");
  const machineBefore = readMachineBusyMs();
  const t0 = performance.now();
  const deadline = spec.seconds ? t0 + spec.seconds * 1000 : Infinity;

  const worker = async (conn: HttpConnection) => {
    while (next < cap && performance.now() < deadline && consecutiveExceptions < 200) {
      const i = next++;
      const req = spec.request(i);
      const start = performance.now();
      let kind: string | null;
      try {
        const res = await conn.request(req);
        kind = spec.check(res, i);
        consecutiveExceptions = 0;
      } catch (e) {
        kind = `exception: ${(e as Error).message}`;
        consecutiveExceptions++;
      }
      latencies[done++] = performance.now() - start;
      if (kind === null) ok++;
      else errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
    }
  };
  const stopWatchdog = startWatchdog(conns);
  await Promise.all(conns.map(worker));
  stopWatchdog();
  const elapsed = (performance.now() - t0) / 1000;
  const serverAfter = pid ? readCpu(pid) : null;
  const alsoMs = alsoBefore.map(([label, before]) =>
    [label, readCpu(alsoPids[label]).total - before] as const
  );
  const selfAfter = readCpu("self");
  const machineAfter = readMachineBusyMs();
  for (const c of conns) c.close();
  // A process that restarted during the phase would make its CPU figures meaningless.
  assertAlive({ server: pid, ...alsoPids });
  const others = machineAfter - machineBefore - (selfAfter.total - selfBefore.total) -
    (serverBefore && serverAfter ? serverAfter.total - serverBefore.total : 0) -
    alsoMs.reduce((sum, [, ms]) => sum + ms, 0);

  const sorted = latencies.slice(0, done).sort();
  const perRequest = (before: number, after: number) =>
    done ? round(((after - before) * 1000) / done, 1) : NaN;
  const result: PhaseResult = {
    name: spec.name,
    concurrency: spec.concurrency,
    requests: done,
    ok,
    errors: done - ok,
    errorKinds,
    seconds: round(elapsed, 3),
    rps: round(done / elapsed, 1),
    p50Ms: round(percentile(sorted, 0.5)),
    p90Ms: round(percentile(sorted, 0.9)),
    p99Ms: round(percentile(sorted, 0.99)),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
    serverCpuUsPerRequest: serverBefore && serverAfter
      ? perRequest(serverBefore.total, serverAfter.total)
      : null,
    serverMainThreadCpuUsPerRequest: serverBefore && serverAfter
      ? perRequest(serverBefore.main, serverAfter.main)
      : null,
    ...(serverBefore && serverAfter
      ? { serverCpuByThread: cpuByThread(serverBefore, serverAfter, done) }
      : {}),
    ...(alsoMs.length
      ? { alsoCpuUsPerRequest: Object.fromEntries(alsoMs.map(([l, ms]) => [l, perRequest(0, ms)])) }
      : {}),
    driverCpuUsPerRequest: perRequest(selfBefore.total, selfAfter.total),
    otherProcessesCores: pid ? round(Math.max(0, others) / (elapsed * 1000)) : null,
    loadAverageAtStart,
    serverRssMbAfter: pid ? round(readMemory(pid).rssMb, 1) : null,
  };
  return result;
}

export function printPhase(r: PhaseResult): void {
  const cpu = r.serverCpuUsPerRequest === null
    ? ""
    : `, server CPU ${r.serverCpuUsPerRequest} µs/req (main thread ${r.serverMainThreadCpuUsPerRequest})` +
      Object.entries(r.alsoCpuUsPerRequest ?? {}).map(([l, us]) => `, ${l} ${us} µs/req`).join("");
  console.log(
    `  ${r.name}: ${r.requests} requests in ${r.seconds} s = ${r.rps} req/s, ` +
      `p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, errors ${r.errors}${cpu}, ` +
      `driver CPU ${r.driverCpuUsPerRequest} µs/req` +
      (r.otherProcessesCores === null ? "" : `, other processes ${r.otherProcessesCores} CPUs`),
  );
  if (r.serverCpuByThread) {
    console.log(
      `    server CPU by thread, µs/req: ` +
        Object.entries(r.serverCpuByThread).map(([k, v]) => `${k} ${v}`).join(", "),
    );
  }
  if (r.errors) console.log(`    errors: ${JSON.stringify(r.errorKinds)}`);
}

// ---------------------------------------------------------------- the login steps

export type BenchUser = {
  username: string;
  secret: string;
  /** The TOTP step the enrollment code used (the authenticator's last accepted step). */
  enrolledStep: number;
  sessionToken: string;
};

const json = (body: unknown) => JSON.stringify(body);

function parse(res: HttpResponse): Record<string, unknown> {
  try {
    return JSON.parse(res.body);
  } catch {
    return {};
  }
}

function errorKind(res: HttpResponse): string {
  const code = (parse(res).error as { code?: string } | undefined)?.code;
  return `${res.status}${code ? ` ${code}` : ""}`;
}

const currentStep = () => timeStep(new Date(), PERIOD_SECONDS);

/** Waits (at most one period) until the TOTP step is newer than `step`. */
export async function waitForStepAfter(step: number): Promise<number> {
  const started = performance.now();
  while (currentStep() <= step && performance.now() - started < (PERIOD_SECONDS + 2) * 1000) {
    const nextBoundary = (step + 1) * PERIOD_SECONDS * 1000;
    await new Promise((r) => setTimeout(r, Math.max(20, nextBoundary - Date.now() + 50)));
  }
  return (performance.now() - started) / 1000;
}

/**
 * Runs `each` once per item over `concurrency` kept-alive connections (untimed seeding work);
 * an item's failure is counted by kind (`fail`), and an exception counts as one.
 */
export async function overConnections<T>(
  port: number,
  items: T[],
  concurrency: number,
  each: (conn: HttpConnection, item: T, fail: (kind: string) => void) => Promise<void>,
): Promise<Record<string, number>> {
  const failures: Record<string, number> = {};
  const fail = (k: string) => (failures[k] = (failures[k] ?? 0) + 1);
  let next = 0;
  const conns = Array.from({ length: concurrency }, () => new HttpConnection(port));
  const stopWatchdog = startWatchdog(conns);
  const worker = async (conn: HttpConnection) => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await each(conn, item, fail);
      } catch (e) {
        fail(`exception: ${(e as Error).message}`);
      }
    }
    conn.close();
  };
  await Promise.all(conns.map(worker));
  stopWatchdog();
  return failures;
}

/** Enrolls each user through the JSON API, as an app would: login, start, confirm. */
async function enrollAll(
  port: number,
  usernames: string[],
  concurrency: number,
): Promise<{ users: BenchUser[]; failures: Record<string, number> }> {
  const users: BenchUser[] = [];
  const failures = await overConnections(
    port,
    usernames,
    concurrency,
    async (conn, username, fail) => {
      const login = await conn.request({
        method: "POST",
        path: "/api/v1/login",
        body: json({ username, password: BENCH_PASSWORD }),
      });
      const pending = parse(login);
      if (login.status !== 200 || pending.status !== "enrollment_required") {
        return fail(`login ${errorKind(login)} ${pending.status ?? ""}`);
      }
      const token = pending.pending_token as string;
      const start = await conn.request({
        method: "POST",
        path: "/api/v1/enrollments",
        body: json({ label: "bench" }),
        bearer: token,
      });
      const enrollment = parse(start);
      if (start.status !== 201) return fail(`start ${errorKind(start)}`);
      const secret = enrollment.secret as string;
      const confirm = await conn.request({
        method: "POST",
        path: `/api/v1/enrollments/${enrollment.enrollment_id}/confirm`,
        body: json({ code: totpCodeAt(secret, new Date()) }),
        bearer: token,
      });
      // The server used the step current when it handled this, at the latest the one now.
      const enrolledStep = currentStep();
      const confirmed = parse(confirm);
      if (confirm.status !== 200 || typeof confirmed.session_token !== "string") {
        return fail(`confirm ${errorKind(confirm)}`);
      }
      users.push({ username, secret, enrolledStep, sessionToken: confirmed.session_token });
    },
  );
  return { users, failures };
}

/** Logs each user in with the password; returns their pending tokens (second factor next). */
export async function gatherPendingTokens(
  port: number,
  users: BenchUser[],
  concurrency: number,
): Promise<{ tokens: Map<BenchUser, string>; failures: Record<string, number> }> {
  const tokens = new Map<BenchUser, string>();
  const failures = await overConnections(port, users, concurrency, async (conn, user, fail) => {
    const res = await conn.request({
      method: "POST",
      path: "/api/v1/login",
      body: json({ username: user.username, password: BENCH_PASSWORD }),
    });
    const body = parse(res);
    if (res.status === 200 && body.status === "second_factor_required") {
      tokens.set(user, body.pending_token as string);
    } else {
      fail(`${errorKind(res)} ${body.status ?? ""}`.trim());
    }
  });
  return { tokens, failures };
}

export function passwordPhase(users: BenchUser[], count: number, concurrency: number): PhaseSpec {
  return {
    name: "password",
    concurrency,
    count,
    request: (i) => ({
      method: "POST",
      path: "/api/v1/login",
      body: json({ username: users[i % users.length].username, password: BENCH_PASSWORD }),
    }),
    check: (res) => {
      if (res.status !== 200) return errorKind(res);
      return parse(res).status === "second_factor_required" ? null : "unexpected status";
    },
  };
}

export function totpPhase(
  tokens: [BenchUser, string][],
  concurrency: number,
  sessions: string[],
  steps: { max: number },
): PhaseSpec {
  return {
    name: "totp",
    concurrency,
    count: tokens.length,
    request: (i) => {
      const [user, pendingToken] = tokens[i];
      const now = new Date();
      steps.max = Math.max(steps.max, timeStep(now, PERIOD_SECONDS));
      return {
        method: "POST",
        path: "/api/v1/login/totp",
        body: json({ pending_token: pendingToken, code: totpCodeAt(user.secret, now) }),
      };
    },
    check: (res) => {
      if (res.status !== 200) return errorKind(res);
      const body = parse(res);
      if (body.status !== "authenticated" || typeof body.session_token !== "string") {
        return "unexpected body";
      }
      sessions.push(body.session_token);
      return null;
    },
  };
}

export function sessionPhase(tokens: string[], seconds: number, concurrency: number): PhaseSpec {
  return {
    name: "session",
    concurrency,
    seconds,
    request: (i) => ({
      method: "GET",
      path: "/api/v1/session",
      bearer: tokens[i % tokens.length],
    }),
    check: (res) => res.status === 200 && res.body.startsWith('{"user"') ? null : errorKind(res),
  };
}

/**
 * The access rules of the verify phase, as bench/micro_bench.ts decides them: 49 rules for other
 * hosts and groups, then the one that lets a session with a second factor reach VERIFY_HOST.
 */
export const VERIFY_ACCESS_RULES = {
  default: "deny",
  rules: [
    ...Array.from({ length: 49 }, (_, i) => ({
      hosts: [`app${i}.example.com`, `*.team${i}.example.org`],
      paths: ["/api", "/files/*.pdf", "/admin/**"],
      methods: ["GET", "POST"],
      networks: ["10.0.0.0/8", "2001:db8::/32"],
      groups: [`group${i}`],
      action: i % 2 ? "two_factor" : "one_factor",
    })),
    { hosts: ["*.example.net"], paths: ["/reports"], action: "two_factor" },
  ],
};
const VERIFY_HOST = "grafana.example.net";

/** Stores VERIFY_ACCESS_RULES as the saved rules (the settings row the console writes). */
async function saveVerifyAccessRules(databaseUrl: string): Promise<void> {
  const { openLibsqlDb } = await import("../src/db/client.ts");
  const { writeSettingStatement } = await import("../src/settings/repo.ts");
  const { ACCESS_RULES_KEY } = await import("../src/access/service.ts");
  const { accessRulesSchema } = await import("../src/access/rules.ts");
  const db = await openLibsqlDb({ url: databaseUrl });
  try {
    const rules = accessRulesSchema.parse(VERIFY_ACCESS_RULES);
    await writeSettingStatement(db, ACCESS_RULES_KEY, rules, new Date(), null);
  } finally {
    (db as unknown as { $client: { close(): void } }).$client.close();
  }
}

/**
 * Forward-auth as a proxy asks it for a protected app (Traefik, Caddy: X-Forwarded-*), with the
 * Bearer session tokens of the totp phase; 200 means the last access rule let the user through.
 */
function verifyPhase(tokens: string[], seconds: number, concurrency: number): PhaseSpec {
  return {
    name: "verify",
    concurrency,
    seconds,
    request: (i) => ({
      method: "GET",
      path: "/api/v1/verify",
      bearer: tokens[i % tokens.length],
      headers: {
        "x-forwarded-proto": "https",
        "x-forwarded-host": VERIFY_HOST,
        "x-forwarded-uri": `/reports/2026/q${(i % 4) + 1}?x=1`,
        "x-forwarded-method": "GET",
      },
    }),
    check: (res) => res.status === 200 ? null : errorKind(res),
  };
}

// ---------------------------------------------------------------- the run

export type WorkerCpuPhase = {
  phase: PhaseResult;
  cpu: WorkerCpu;
  /** The isolate's busy samples × the sampler's period, per request, µs. */
  ownUsPerRequest: number;
  /** Of it, self time in the bundle's functions (and the native calls they made), µs. */
  bundleUsPerRequest: number;
};

/** Runs a phase while profiling the Worker's isolate (see bench/worker_cpu.ts). */
async function workerProfiledPhase(
  port: number,
  workerdPid: number,
  workerName: string,
  spec: PhaseSpec,
  keep?: string,
  bundle?: string,
): Promise<WorkerCpuPhase> {
  const profiler = await profileWorkerFromChild(workerdPid, workerName, keep, bundle);
  const phase = await runPhase(port, workerdPid, spec);
  const cpu = await profiler.stop();
  const per = (ms: number) => round((ms * 1000) / Math.max(1, phase.requests), 0);
  console.log(
    `    Worker isolate (V8 profile, ${cpu.sampler}, period ${cpu.periodUs} µs, ` +
      `${cpu.busySamples} busy samples): ${per(cpu.ownMs)} µs/req own CPU, ` +
      `${per(cpu.bundleMs)} in the bundle's functions, ${per(cpu.gcMs)} GC, ` +
      `${per(cpu.programMs)} (program); main thread ${per(cpu.mainThread?.cpuMs ?? NaN)} µs/req ` +
      `on a core, ${per(cpu.mainThread?.waitMs ?? NaN)} waiting for one`,
  );
  return { phase, cpu, ownUsPerRequest: per(cpu.ownMs), bundleUsPerRequest: per(cpu.bundleMs) };
}

export type LoadResults = {
  mode: "spawn" | "url";
  target: string;
  options: Options;
  startedAt: string;
  seeding: {
    usersCreated: number;
    createSeconds: number;
    enrolled: number;
    enrollSeconds: number;
    enrollFailures: Record<string, number>;
    pendingTokens: number;
    pendingTokenFailures: Record<string, number>;
    seedServerIterations: number | null;
  };
  kdf: {
    iterations: number;
    msPerHash: number[];
    medianMs: number;
    cpuMsPerHash: number;
    /**
     * The KDF's own ceiling: hashes per second that this process sustains with as many hashes
     * in flight as the password phase has logins, right before that phase and right after it
     * (the server idle), so that a change of the machine's speed during the run shows.
     */
    ceiling?: { before: KdfCeiling; after: KdfCeiling; perSecond: number; cpuMsPerHash: number };
  };
  timedServer: {
    pbkdf2Iterations: string;
    pid: number | null;
    v8Flags: string | null;
    env: Record<string, string>;
  };
  phases: { password: PhaseResult; totp: PhaseResult; session: PhaseResult; verify: PhaseResult };
  /** Every timed TOTP round, in order; `phases.totp` is the one with the median CPU. */
  totpRounds?: PhaseResult[];
  waitForStepSeconds: number;
  memory: {
    /** Once listening, before any timed request. */
    idle: Memory | null;
    /** After the last timed phase; `hwmMb` is the peak resident size of the whole run. */
    end: Memory | null;
  };
  profiles: {
    password?: { phase: PhaseResult; summary: ProfileSummary | null };
    totp?: { phase: PhaseResult; summary: ProfileSummary | null };
    session?: { phase: PhaseResult; summary: ProfileSummary | null };
    verify?: { phase: PhaseResult; summary: ProfileSummary | null };
  };
  /** --worker-isolate: the Worker isolate's own CPU (V8 profile through workerd's inspector). */
  workerCpu?: {
    /** A few password logins: PBKDF2 is a known cost, a check of the sampled figure. */
    password?: WorkerCpuPhase;
    session?: WorkerCpuPhase;
    totp?: WorkerCpuPhase;
    /** Why there is no profile. */
    error?: string;
  };
  totalSeconds: number;
};

/**
 * Time of one full-cost hash on this machine, measured in this process while no server runs:
 * wall time per hash, and the process's CPU time over all of them (less disturbed by whatever
 * else the machine is doing).
 */
async function measureKdf(iterations: number) {
  await hashPassword(BENCH_PASSWORD, iterations); // warm-up
  const ms: number[] = [];
  const cpuBefore = readCpu("self").total;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await hashPassword(BENCH_PASSWORD, iterations);
    ms.push(round(performance.now() - t, 1));
  }
  const cpuMsPerHash = round((readCpu("self").total - cpuBefore) / 5, 1);
  const sorted = [...ms].sort((a, b) => a - b);
  return { iterations, msPerHash: ms, medianMs: sorted[2], cpuMsPerHash };
}

export type KdfCeiling = {
  hashes: number;
  seconds: number;
  perSecond: number;
  cpuMsPerHash: number;
};

/**
 * Hashes per second with `concurrency` full-cost hashes in flight, as many as fit in about
 * `seconds` (each in the app's own `hashPassword`, through the same WebCrypto as the server).
 */
async function measureKdfCeiling(
  iterations: number,
  concurrency: number,
  seconds: number,
): Promise<KdfCeiling> {
  let hashes = 0;
  const cpuBefore = readCpu("self").total;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) {
      await hashPassword(BENCH_PASSWORD, iterations);
      hashes++;
    }
  }));
  const elapsed = (performance.now() - t0) / 1000;
  return {
    hashes,
    seconds: round(elapsed, 3),
    perSecond: round(hashes / elapsed, 2),
    cpuMsPerHash: round((readCpu("self").total - cpuBefore) / hashes, 1),
  };
}

/** An untimed phase that readies the server for a timed one; says so if any request failed. */
async function warmUpPhase(port: number, pid: number | undefined, spec: PhaseSpec) {
  const r = await runPhase(port, pid, spec);
  if (r.errors > 0) {
    console.log(`  !! warm-up ${spec.name}: ${r.errors} of ${r.requests} requests failed`);
  }
}

export async function runLoad(o: Options): Promise<LoadResults> {
  const began = performance.now();
  await readClockTicks();
  const spawn = !o.url;
  // Database, keys and profiles of the spawned servers; a --url run needs none of it.
  const tmp = spawn ? await Deno.makeTempDir({ prefix: "twofold-bench-" }) : "";
  const databaseUrl = spawn ? `file:${tmp}/bench.db` : o.databaseUrl!;
  const baseEnv = {
    DATABASE_URL: databaseUrl,
    KEYS_FILE: `${tmp}/keys.json`,
    LOG_LEVEL: "info",
    // The pending tokens made by the seeding server wait for the timed phases, which may take
    // minutes on a busy machine. Every server gets the same longer lifetime: a server refuses a
    // token that lives longer than it issues (src/deps.ts), and it changes nothing else.
    PENDING_TOKEN_MINUTES: "20",
  };
  // A fresh prefix per run, so that a reused database (with --url) has no stale bench users.
  const prefix = `bench${crypto.randomUUID().slice(0, 6)}-`;
  const usernames = Array.from(
    { length: o.users },
    (_, i) => `${prefix}${String(i).padStart(5, "0")}`,
  );
  // Named apart, so that no timed phase ever picks one of them.
  const warmUpUsernames = Array.from(
    { length: TOTP_WARM_UP_USERS },
    (_, i) => `${prefix}w${String(i).padStart(4, "0")}`,
  );
  const servers: Server[] = [];
  const startServer = async (label: string, env: Record<string, string>, profileDir?: string) => {
    const s = await Server.start({
      label,
      env: { ...baseEnv, ...(label === "seeding" ? {} : o.serverEnv), ...env },
      profileDir,
      v8Flags: label === "seeding" ? undefined : o.v8Flags,
    });
    servers.push(s);
    return s;
  };
  const stopServer = async (s: Server) => {
    await s.stop();
    servers.splice(servers.indexOf(s), 1);
  };

  try {
    console.log(`twofold load bench: ${o.users} users, concurrency ${o.concurrency}`);
    console.log(spawn ? `  database ${databaseUrl}` : `  target ${o.url}, database ${databaseUrl}`);

    // 1. Users, through createUser at a low cost (each its own salt).
    let t = performance.now();
    await createBenchUsers({
      databaseUrl,
      usernames: [...usernames, ...warmUpUsernames],
      password: BENCH_PASSWORD,
      iterations: SEED_ITERATIONS,
      migrate: spawn,
    });
    if (!spawn) {
      // An already running server has its own cost: give the users a hash at that cost now.
      await setBenchPasswordHashes({
        databaseUrl,
        prefix,
        password: BENCH_PASSWORD,
        iterations: o.pbkdf2Iterations,
      });
    }
    const createSeconds = round((performance.now() - t) / 1000, 1);
    console.log(
      `  created ${o.users} users (and ${TOTP_WARM_UP_USERS} for the TOTP warm-up) with ` +
        `createUser() in ${createSeconds} s`,
    );

    // 2. Enrollment and pending tokens through the JSON API. A spawned seeding server runs at a
    //    low PBKDF2 cost so that this untimed part does not take minutes.
    const seedServer = spawn
      ? await startServer("seeding", { PBKDF2_ITERATIONS: String(SEED_ITERATIONS) })
      : null;
    const port = seedServer?.port ?? Number(new URL(o.url!).port || 80);
    t = performance.now();
    const enrolled = await enrollAll(port, [...usernames, ...warmUpUsernames], o.concurrency);
    const enrollSeconds = round((performance.now() - t) / 1000, 1);
    console.log(
      `  enrolled ${enrolled.users.length} users through the API in ${enrollSeconds} s` +
        (Object.keys(enrolled.failures).length
          ? `; failures ${JSON.stringify(enrolled.failures)}`
          : ""),
    );
    const warmUpNames = new Set(warmUpUsernames);
    const users = enrolled.users.filter((u) => !warmUpNames.has(u.username));
    const warmUpUsers = enrolled.users.filter((u) => warmUpNames.has(u.username));
    if (users.length === 0) throw new Error("no user could be enrolled");

    const pending = await gatherPendingTokens(port, users, o.concurrency);
    const tokensTimed = pending.tokens;
    // The later rounds' tokens (the first round's are tokensTimed).
    const tokensLater: Map<BenchUser, string>[] = [];
    for (let r = 1; r < TOTP_ROUNDS; r++) {
      const more = await gatherPendingTokens(port, users, o.concurrency);
      for (const [k, v] of Object.entries(more.failures)) {
        pending.failures[k] = (pending.failures[k] ?? 0) + v;
      }
      tokensLater.push(more.tokens);
    }
    const tokensProfile = (spawn && o.profile) || o.workerIsolate
      ? (await gatherPendingTokens(port, users.slice(0, PROFILE_TOTP_REQUESTS), o.concurrency))
        .tokens
      : new Map<BenchUser, string>();
    // Each warm-up user signs in once per phase that it warms up (a code is accepted once).
    const warmUpTokens = (await gatherPendingTokens(port, warmUpUsers, o.concurrency)).tokens;
    const warmUpProfileTokens = spawn && o.profile
      ? (await gatherPendingTokens(port, warmUpUsers, o.concurrency)).tokens
      : new Map<BenchUser, string>();
    console.log(
      `  ${tokensTimed.size} pending tokens for the timed TOTP phase` +
        (Object.keys(pending.failures).length
          ? `; failures ${JSON.stringify(pending.failures)}`
          : ""),
    );
    if (seedServer) await stopServer(seedServer);

    // 3. The full cost from here on: every user gets a hash at the default 600,000 iterations
    //    and the timed server runs with PBKDF2_ITERATIONS unset (its default).
    if (spawn) {
      const n = await setBenchPasswordHashes({
        databaseUrl,
        prefix,
        password: BENCH_PASSWORD,
        iterations: DEFAULT_ITERATIONS,
      });
      console.log(`  ${n} users now hold a ${DEFAULT_ITERATIONS}-iteration hash`);
    }
    await saveVerifyAccessRules(databaseUrl);
    const kdf = await measureKdf(spawn ? DEFAULT_ITERATIONS : o.pbkdf2Iterations);
    console.log(
      `  one PBKDF2 hash at ${kdf.iterations}: median ${kdf.medianMs} ms, ${kdf.cpuMsPerHash} ms CPU`,
    );

    const timed = spawn ? await startServer("timed", {}) : null;
    const pid = timed?.pid ?? o.serverPid;
    // Resident size before the timed phases (a spawned server has only just started).
    const idleMemory = pid ? roundMemory(readMemory(pid)) : null;
    const timedPort = timed?.port ?? port;
    const alsoPids = spawn ? {} : o.alsoPids;

    const ceilingBefore = await measureKdfCeiling(kdf.iterations, o.concurrency, 4);
    const password = await runPhase(
      timedPort,
      pid,
      passwordPhase(users, o.passwordRequests, o.concurrency),
      alsoPids,
    );
    printPhase(password);
    const ceilingAfter = await measureKdfCeiling(kdf.iterations, o.concurrency, 4);
    const ceiling = {
      before: ceilingBefore,
      after: ceilingAfter,
      perSecond: round((ceilingBefore.perSecond + ceilingAfter.perSecond) / 2, 2),
      cpuMsPerHash: round((ceilingBefore.cpuMsPerHash + ceilingAfter.cpuMsPerHash) / 2, 1),
    };
    console.log(
      `  KDF ceiling (${o.concurrency} hashes in flight, this process): ` +
        `${ceilingBefore.perSecond}/s before the password phase, ${ceilingAfter.perSecond}/s after ` +
        `(${ceilingBefore.cpuMsPerHash} and ${ceilingAfter.cpuMsPerHash} ms CPU per hash); ` +
        `password phase ${round((password.rps / ceiling.perSecond) * 100, 1)} % of their mean`,
    );

    // Each code must be for a newer step than the one its enrollment used.
    const waitForStepSeconds = round(
      await waitForStepAfter(Math.max(...enrolled.users.map((u) => u.enrolledStep))),
      1,
    );
    const sessions: string[] = [];
    const totpSteps = { max: 0 };
    await warmUpPhase(timedPort, pid, totpPhase([...warmUpTokens], o.concurrency, [], totpSteps));
    const totpRounds: PhaseResult[] = [];
    for (const [r, tokens] of [tokensTimed, ...tokensLater].entries()) {
      if (r > 0) await waitForStepAfter(totpSteps.max);
      // The session phases check the first round's sessions.
      const round = await runPhase(
        timedPort,
        pid,
        totpPhase([...tokens], o.concurrency, r === 0 ? sessions : [], totpSteps),
        alsoPids,
      );
      printPhase(round);
      totpRounds.push(round);
    }
    const totp = [...totpRounds].sort((a, b) =>
      (a.serverCpuUsPerRequest ?? Infinity) - (b.serverCpuUsPerRequest ?? Infinity)
    )[Math.floor(totpRounds.length / 2)];

    const sessionTokens = sessions.length ? sessions : users.map((u) =>
      u.sessionToken
    );
    // Untimed first, so that the timed phases see the server in its steady state: the first
    // check of each new session (a row read, a signature check) and V8 compiling the path in
    // the background would otherwise land in the first seconds.
    await runPhase(timedPort, pid, sessionPhase(sessionTokens, WARM_UP_SECONDS, o.concurrency));
    const session = await runPhase(
      timedPort,
      pid,
      sessionPhase(sessionTokens, o.sessionSeconds, o.concurrency),
      alsoPids,
    );
    printPhase(session);

    await runPhase(timedPort, pid, verifyPhase(sessionTokens, WARM_UP_SECONDS, o.concurrency));
    const verify = await runPhase(
      timedPort,
      pid,
      verifyPhase(sessionTokens, o.verifySeconds, o.concurrency),
      alsoPids,
    );
    printPhase(verify);

    const memory = pid ? roundMemory(readMemory(pid)) : null;
    if (memory) {
      console.log(
        `  server memory: ${idleMemory?.rssMb} MB before the timed phases, peak ${memory.hwmMb} MB` +
          ` (at the end ${memory.anonMb} MB anonymous + ${memory.fileMb} MB file pages)`,
      );
    }
    if (timed) await stopServer(timed);

    // 4. Where the time goes: the same phases again, shorter, each on its own server started
    //    with --cpu-prof (sampling costs a few per cent, so these figures are not the results).
    const profiles: LoadResults["profiles"] = {};
    if (spawn && o.profile) {
      console.log("  profiling (deno run --cpu-prof), one server per phase:");
      const profiled = async (
        name: "password" | "totp" | "session" | "verify",
        spec: () => PhaseSpec,
        warmUp?: () => PhaseSpec,
      ) => {
        const dir = `${tmp}/profile-${name}`;
        await Deno.mkdir(dir);
        const s = await startServer(`profiled ${name}`, {}, dir);
        if (warmUp) await warmUpPhase(s.port, s.pid, warmUp());
        const phase = await runPhase(s.port, s.pid, spec());
        await stopServer(s);
        printPhase(phase);
        profiles[name] = { phase, summary: await summarizeProfileDir(dir) };
        if (o.keepProfiles) {
          await Deno.mkdir(o.keepProfiles, { recursive: true });
          for await (const f of Deno.readDir(dir)) {
            await Deno.copyFile(`${dir}/${f.name}`, `${o.keepProfiles}/${name}-${f.name}`);
          }
        }
      };
      await profiled(
        "session",
        () => sessionPhase(sessionTokens, Math.min(PROFILE_SESSION_SECONDS, o.sessionSeconds), 32),
      );
      await profiled(
        "verify",
        () => verifyPhase(sessionTokens, Math.min(PROFILE_SESSION_SECONDS, o.verifySeconds), 32),
      );
      await waitForStepAfter(totpSteps.max);
      await profiled(
        "totp",
        () => totpPhase([...tokensProfile], o.concurrency, [], { max: 0 }),
        // the same untimed warm-up as the timed phase had, on this freshly started server
        () => totpPhase([...warmUpProfileTokens], o.concurrency, [], { max: 0 }),
      );
      await profiled(
        "password",
        () => passwordPhase(users, PROFILE_PASSWORD_REQUESTS, o.concurrency),
      );
    }

    // 5. The Worker's own CPU: the session and TOTP phases and a few password logins again, profiled
    //    through workerd's inspector (the sampling costs a little, so the timed figures stay
    //    above, and the phases' /proc figures here are for comparison only).
    let workerCpu: LoadResults["workerCpu"];
    if (!spawn && o.workerIsolate && pid) {
      const name = o.workerIsolate;
      const keep = (phase: string) =>
        o.keepProfiles ? `${o.keepProfiles}/worker-${phase}.cpuprofile` : undefined;
      if (o.keepProfiles) await Deno.mkdir(o.keepProfiles, { recursive: true });
      try {
        console.log(`  profiling the Worker's isolate (workerd's inspector, core:user:${name}):`);
        const profiled = async (spec: PhaseSpec, phase: string) => {
          const r = await workerProfiledPhase(
            timedPort,
            pid,
            name,
            spec,
            keep(phase),
            o.workerBundle,
          );
          printPhase(r.phase);
          return r;
        };
        const session = await profiled(
          sessionPhase(sessionTokens, Math.min(PROFILE_SESSION_SECONDS, o.sessionSeconds), 32),
          "session",
        );
        await waitForStepAfter(totpSteps.max);
        const totp = await profiled(
          totpPhase([...tokensProfile], o.concurrency, [], { max: 0 }),
          "totp",
        );
        // Last: new password logins must not touch the pending tokens the TOTP phase used.
        const password = await profiled(
          passwordPhase(users, Math.min(WORKER_PROFILE_PASSWORD_REQUESTS, users.length), 32),
          "password",
        );
        workerCpu = { password, session, totp };
      } catch (e) {
        console.error(`  !! the Worker's isolate could not be profiled: ${(e as Error).message}`);
        workerCpu = { error: (e as Error).message };
      }
    }

    return {
      mode: spawn ? "spawn" : "url",
      target: spawn ? "deno run -A src/main.ts" : o.url!,
      options: o,
      startedAt: new Date(Date.now() - (performance.now() - began)).toISOString(),
      seeding: {
        usersCreated: o.users,
        createSeconds,
        enrolled: users.length,
        enrollSeconds,
        enrollFailures: enrolled.failures,
        pendingTokens: tokensTimed.size,
        pendingTokenFailures: pending.failures,
        seedServerIterations: spawn ? SEED_ITERATIONS : null,
      },
      kdf: { ...kdf, ceiling },
      timedServer: {
        pbkdf2Iterations: spawn ? "unset (default 600000)" : String(o.pbkdf2Iterations),
        pid: pid ?? null,
        v8Flags: o.v8Flags ?? null,
        env: o.serverEnv,
      },
      phases: { password, totp, session, verify },
      totpRounds,
      waitForStepSeconds,
      memory: { idle: idleMemory, end: memory },
      profiles,
      ...(workerCpu ? { workerCpu } : {}),
      totalSeconds: round((performance.now() - began) / 1000, 1),
    };
  } finally {
    for (const s of [...servers]) await s.stop();
    if (tmp) await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  let options: Options;
  try {
    options = parseOptions(Deno.args);
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(2);
  }
  const results = await runLoad(options);
  if (options.json) await Deno.writeTextFile(options.json, JSON.stringify(results, null, 2) + "\n");
  console.log(`  done in ${results.totalSeconds} s`);
}
