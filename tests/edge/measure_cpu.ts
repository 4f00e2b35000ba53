/**
 * @module CPU time per request kind. Two ways:
 * - under workerd: `bash tests/edge/run_worker_suite.sh --measure` (PBKDF2_ITERATIONS=600000 by
 *   default) starts wrangler dev on D1, then on libSQL over HTTP, seeds users and runs this;
 * - in process, for the app's own work: `deno run -A tests/edge/measure_cpu.ts` (app.request()
 *   over an in-memory libSQL, this process's CPU from process.cpuUsage()).
 *
 * Each kind is sent N times, one after another; the CPU time (user + system, from
 * /proc/<pid>/stat) of the workerd processes under wrangler dev is read before and after. The
 * Worker's process also runs the local D1 (SQLite) and HTTP handling, which on Cloudflare are
 * not billed to the Worker, so the numbers are an upper bound of the Worker's CPU time;
 * `GET /healthz` (one `SELECT 1`) shows that floor.
 */
import process from "node:process";
import { addUser, api, codeNow, testApp, type TestEnv } from "../helpers.ts";
import { target } from "./target.ts";

const iterations = Number(Deno.env.get("PBKDF2_ITERATIONS") ?? "600000");
const CLK_TCK = 100; // Linux USER_HZ

/** The workerd processes wrangler dev started (a proxy in front, the Worker and D1 behind). */
function workerdPids(): number[] {
  const root = Number(Deno.env.get("TWOFOLD_SERVER_PID"));
  if (!root) throw new Error("TWOFOLD_SERVER_PID: the pid of wrangler dev");
  const parent = new Map<number, number>();
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      parent.set(Number(e.name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch { /* gone */ }
  }
  const descends = (pid: number): boolean => {
    for (let p = pid, i = 0; p > 1 && i < 50; p = parent.get(p) ?? 0, i++) {
      if (p === root) return true;
    }
    return false;
  };
  return [...parent.keys()].filter((pid) =>
    descends(pid) && Deno.readTextFileSync(`/proc/${pid}/comm`).trim() === "workerd"
  );
}

const inProcess = !Deno.env.get("TWOFOLD_BASE_URL");
const pids = inProcess ? [] : workerdPids();
if (!inProcess && !pids.length) throw new Error("no workerd process under wrangler dev");

function cpuMsOf(pid: number): number {
  // After the command name (in parentheses): utime is the 14th field, stime the 15th.
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 1000 / CLK_TCK;
}
const cpuMs = () => {
  if (!inProcess) return pids.map(cpuMsOf);
  const u = process.cpuUsage();
  return [(u.user + u.system) / 1000];
};

type Row = { kind: string; n: number; cpu: number[]; wall: number };
const rows: Row[] = [];

async function measure<T>(kind: string, items: T[], call: (item: T) => Promise<void>) {
  const c0 = cpuMs();
  const t0 = performance.now();
  for (const item of items) await call(item);
  const wall = performance.now() - t0;
  const c1 = cpuMs();
  const cpu = c1.map((c, i) => (c - c0[i]) / items.length);
  rows.push({ kind, n: items.length, cpu, wall: wall / items.length });
  console.error(`measured ${kind}`);
}

let env: TestEnv;
const users: string[] = [];
if (inProcess) {
  env = await testApp({
    PBKDF2_ITERATIONS: String(iterations),
    PENDING_MAX_ATTEMPTS: "20",
    SECOND_FACTOR_MAX_FAILURES: "100",
    IP_MAX_FAILURES: "10000",
  });
  // Stored at the low test cost, like the seeded users of the workerd runs.
  env.deps.config = { ...env.deps.config, PBKDF2_ITERATIONS: 1000 };
  for (let i = 1; i <= 20; i++) users.push((await addUser(env, `edge${i}`)).username);
  env.deps.config = { ...env.deps.config, PBKDF2_ITERATIONS: iterations };
} else {
  env = await target();
  users.push(...(Deno.env.get("TWOFOLD_REMOTE_USERS") ?? "").split(",").filter(Boolean));
}
const PASSWORD = "correct horse battery staple";
const expect = (ok: boolean, what: string) => {
  if (!ok) throw new Error(`unexpected answer: ${what}`);
};
const times = (n: number) => Array.from({ length: n }, (_, i) => i);

// Warm up: the first request of an isolate builds the dependencies (keys, and one dummy
// password hash at the configured cost), so it is left out of every kind below.
await api(env, "GET", "/healthz");

await measure("GET /healthz (floor: one SELECT 1)", times(200), async () => {
  expect((await api(env, "GET", "/healthz")).status === 200, "healthz");
});
await measure("GET /.well-known/jwks.json", times(200), async () => {
  expect((await api(env, "GET", "/.well-known/jwks.json")).status === 200, "jwks");
});
await measure("GET /login (HTML page)", times(100), async () => {
  expect((await api(env, "GET", "/login")).status === 200, "login page");
});

const state = new Map<string, { pending?: string; enrollment?: string; secret?: string }>();
for (const u of users) state.set(u, {});

await measure(`POST /api/v1/login, unknown user (${iterations} iterations)`, users, async (u) => {
  const r = await api(env, "POST", "/api/v1/login", { username: `x${u}`, password: PASSWORD });
  expect(r.status === 401, `unknown ${r.status}`);
});
await measure(
  `POST /api/v1/login, first (password + rehash 1,000 -> ${iterations})`,
  users,
  async (u) => {
    const r = await api(env, "POST", "/api/v1/login", { username: u, password: PASSWORD });
    expect(r.json?.status === "enrollment_required", JSON.stringify(r.json));
    state.get(u)!.pending = r.json.pending_token;
  },
);
await measure("POST /api/v1/enrollments (secret + QR SVG)", users, async (u) => {
  const s = state.get(u)!;
  const r = await api(env, "POST", "/api/v1/enrollments", {}, s.pending);
  expect(r.status === 201, JSON.stringify(r.json));
  s.enrollment = r.json.enrollment_id;
  s.secret = r.json.secret;
});
await measure("POST /api/v1/enrollments/{id}/confirm (+10 recovery codes)", users, async (u) => {
  const s = state.get(u)!;
  const r = await api(env, "POST", `/api/v1/enrollments/${s.enrollment}/confirm`, {
    code: codeNow(env, s.secret!),
  }, s.pending);
  expect(r.status === 200, JSON.stringify(r.json));
});
await measure(`POST /api/v1/login, password step (${iterations} iterations)`, users, async (u) => {
  const r = await api(env, "POST", "/api/v1/login", { username: u, password: PASSWORD });
  expect(r.json?.status === "second_factor_required", JSON.stringify(r.json));
  state.get(u)!.pending = r.json.pending_token;
});
await measure("POST /api/v1/login/totp, wrong code", users, async (u) => {
  const s = state.get(u)!;
  const good = codeNow(env, s.secret!, 30);
  const bad = good === "000000" ? "000001" : "000000";
  const r = await api(env, "POST", "/api/v1/login/totp", { pending_token: s.pending, code: bad });
  expect(r.status === 401, JSON.stringify(r.json));
});
const sessions: string[] = [];
await measure("POST /api/v1/login/totp, right code (session issued)", users, async (u) => {
  const s = state.get(u)!;
  // The next step's code: newer than the enrollment's, and inside the ±1 window.
  const r = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: s.pending,
    code: codeNow(env, s.secret!, 30),
  });
  expect(r.status === 200, JSON.stringify(r.json));
  sessions.push(r.json.session_token);
});
await measure(
  "GET /api/v1/session (session check)",
  times(5).flatMap(() => sessions),
  async (t) => {
    expect((await api(env, "GET", "/api/v1/session", undefined, t)).status === 200, "session");
  },
);
await measure("POST /api/v1/logout", sessions, async (t) => {
  expect((await api(env, "POST", "/api/v1/logout", undefined, t)).status === 204, "logout");
});

// The process that ran the password hashing is the Worker's; the others proxy requests.
const worker = rows.reduce((best, r) => r.cpu.map((c, i) => c + best[i]), pids.map(() => 0))
  .reduce((bi, c, i, all) => c > all[bi] ? i : bi, 0);
const pad = (s: string, n: number) => s.padEnd(n);
const fmt = (x: number) => x.toFixed(1).padStart(7);
const where = inProcess
  ? "in process: Deno, app.request(), in-memory libSQL in the same process"
  : Deno.env.get("TWOFOLD_PHASE") === "libsql"
  ? "workerd (wrangler dev), libSQL over HTTP: the database in another process"
  : "workerd (wrangler dev), local D1: the database inside the Worker's workerd process";
console.log(`CPU per request, ${where}; PBKDF2_ITERATIONS=${iterations}`);
console.log(
  inProcess
    ? `"worker" and "all": this process's user+system CPU. Sequential requests.`
    : `"worker": user+system CPU of the workerd process running the Worker; "all": every ` +
      `workerd process of wrangler dev (adds its proxy). Sequential requests; wall = round trip.`,
);
console.log(`${pad("request", 66)}      n   worker      all  wall ms`);
for (const r of rows) {
  const all = r.cpu.reduce((a, b) => a + b, 0);
  console.log(
    `${pad(r.kind, 66)} ${String(r.n).padStart(6)} ${fmt(r.cpu[worker])}  ${fmt(all)}  ${
      fmt(r.wall)
    }`,
  );
}
