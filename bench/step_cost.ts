/**
 * @module What one second-factor step (`POST /api/v1/login/totp`, JSON, with a refresh chain)
 * costs the app, in this process and without HTTP: the app and its database file are built as
 * the server builds them (file database with group commit and background checkpoints, the JSON
 * logger at `info` writing into a discarding sink), and the steps go through `app.fetch` at a
 * fixed concurrency. Each round moves the clock 30 s on, makes one pending login per user with a
 * second app on the same file (other signing-key objects, so the measured app meets the tokens as
 * tokens another process issued), then times the steps. Reported: CPU per step of the whole
 * process and of the main thread (`/proc/self`), rounds' median. The driver's own work (making
 * the requests, reading the answers) is in these figures; it is the same for every build, so
 * they compare builds (alternate them) but are not the server's figure, which `deno task bench`
 * gives. Run it with the V8 flags of `deno task start`:
 *   deno run -A --v8-flags=--max-semi-space-size=4,--memory-saver-mode,--no-flush-bytecode,\
 *     --no-allocation-site-pretenuring bench/step_cost.ts [--users 2000] [--rounds 7]
 *     [--concurrency 32] [--cpu-prof FILE | --heap-prof FILE] [--marks]
 * `--cpu-prof` writes a V8 CPU profile (100 µs samples, node:inspector) of the last round's
 * timed steps alone; `--heap-prof` a sampling heap profile (every 8 KB allocated, collected
 * objects included) of the same. `--marks` prints "timed start" and "timed end" around each
 * round's steps, to find them among the lines of `--v8-flags=...,--trace-gc`.
 */
import { Session } from "node:inspector";
import { createApp } from "../src/app.ts";
import { parseConfig } from "../src/config.ts";
import { migrateDb, openLibsqlDb } from "../src/db/client.ts";
import { buildDeps } from "../src/deps.ts";
import type { Clock } from "../src/lib/clock.ts";
import { jsonLogger } from "../src/lib/log.ts";
import { generateSigningJwk } from "../src/tokens/tokens.ts";
import { totpCodeAt } from "../src/totp/totp.ts";
import { createUser } from "../src/users/service.ts";

type Options = {
  users: number;
  rounds: number;
  concurrency: number;
  cpuProf?: string;
  heapProf?: string;
  marks: boolean;
};

function parseArgs(args: string[]): Options {
  const o: Options = { users: 2000, rounds: 7, concurrency: 32, marks: false };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--marks") {
      o.marks = true;
      continue;
    }
    const value = Number(args[i + 1]);
    if (args[i] === "--users") o.users = value;
    else if (args[i] === "--rounds") o.rounds = value;
    else if (args[i] === "--concurrency") o.concurrency = value;
    else if (args[i] === "--cpu-prof") o.cpuProf = args[i + 1];
    else if (args[i] === "--heap-prof") o.heapProf = args[i + 1];
    else throw new Error(`unknown argument ${args[i]}`);
    i++;
  }
  return o;
}

/** Real time moved on by whole TOTP steps between rounds. */
class SteppedClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

const TICKS = 100;
/** utime + stime of a /proc stat file, in µs. */
function cpuUs(path: string): number {
  const text = Deno.readTextFileSync(path);
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12])) / TICKS) * 1e6;
}
const procCpu = () => cpuUs("/proc/self/stat");
const mainCpu = () => cpuUs(`/proc/self/task/${Deno.pid}/stat`);

async function post(
  app: { fetch(r: Request): Response | Promise<Response> },
  path: string,
  body: object,
  bearer?: string,
) {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "step-cost/1",
  };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const res = await app.fetch(
    new Request(`http://127.0.0.1${path}`, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
    }),
  );
  // deno-lint-ignore no-explicit-any -- the driver reads a few known fields
  return { status: res.status, json: await res.json() as any };
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/** A V8 CPU profile of what runs between `start()` and `stop()` (node:inspector). */
class Profiler {
  #session = new Session();
  constructor() {
    this.#session.connect();
  }
  #post(method: string, params: object = {}): Promise<unknown> {
    return new Promise((resolve, reject) =>
      this.#session.post(method, params, (e: unknown, r: unknown) => e ? reject(e) : resolve(r))
    );
  }
  async start(kind: "cpu" | "heap") {
    if (kind === "heap") {
      await this.#post("HeapProfiler.enable");
      await this.#post("HeapProfiler.startSampling", {
        samplingInterval: 8192,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
      return;
    }
    await this.#post("Profiler.enable");
    await this.#post("Profiler.setSamplingInterval", { interval: 100 });
    await this.#post("Profiler.start");
  }
  async stop(kind: "cpu" | "heap"): Promise<unknown> {
    if (kind === "heap") {
      return ((await this.#post("HeapProfiler.stopSampling")) as { profile: unknown }).profile;
    }
    return ((await this.#post("Profiler.stop")) as { profile: unknown }).profile;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (import.meta.main) {
  const o = parseArgs(Deno.args);
  const tmp = await Deno.makeTempDir({ prefix: "twofold-step-cost-" });
  const config = parseConfig({
    DATABASE_URL: `file:${tmp}/bench.db`,
    PBKDF2_ITERATIONS: "1000",
    LOG_LEVEL: "info",
  });
  const db = await openLibsqlDb({ url: config.DATABASE_URL, backgroundCheckpointMs: 500 });
  await migrateDb(db);
  const clock = new SteppedClock();
  const signingKeys = [await generateSigningJwk()];
  const encryptionKey = crypto.getRandomValues(new Uint8Array(32));
  const log = jsonLogger("info", clock, { sink: { out: () => {}, err: () => {} } });
  const depsOf = () => buildDeps({ config, db, clock, log, signingKeys, encryptionKey });
  const issuerDeps = await depsOf();
  const issuer = createApp(issuerDeps);
  const measured = createApp(await depsOf());

  const password = "correct horse battery staple";
  const secrets: string[] = [];
  for (let i = 0; i < o.users; i++) {
    const username = `u${i}`;
    const r = await createUser(issuerDeps, { username, password, roles: [], actor: "bench" });
    if (!r.ok) throw new Error(r.message);
  }
  await pool([...Array(o.users).keys()], 8, async (i) => {
    const login = await post(issuer, "/api/v1/login", { username: `u${i}`, password });
    // Enrollment inside the login: the pending token is the Bearer token.
    const pending = login.json.pending_token;
    const enrollment = (await post(issuer, "/api/v1/enrollments", {}, pending)).json;
    const confirm = await post(
      issuer,
      `/api/v1/enrollments/${enrollment.enrollment_id}/confirm`,
      { code: totpCodeAt(enrollment.secret, clock.now()) },
      pending,
    );
    if (confirm.status !== 200) throw new Error(`enrollment: ${confirm.status}`);
    secrets[i] = enrollment.secret;
  });
  console.log(`${o.users} users enrolled`);

  const perStep: number[] = [];
  const mainPerStep: number[] = [];
  const rates: number[] = [];
  for (let round = 0; round <= o.rounds; round++) {
    clock.offsetMs += 30_000;
    const pending: string[] = [];
    await pool([...Array(o.users).keys()], 8, async (i) => {
      const r = await post(issuer, "/api/v1/login", { username: `u${i}`, password });
      if (r.json.status !== "second_factor_required") throw new Error(JSON.stringify(r.json));
      pending[i] = r.json.pending_token;
    });
    const profileTo = round === o.rounds ? o.cpuProf ?? o.heapProf : undefined;
    const kind = o.cpuProf ? "cpu" : "heap";
    const profiler = profileTo ? new Profiler() : null;
    await profiler?.start(kind);
    if (o.marks) console.log("timed start");
    const p0 = procCpu(), m0 = mainCpu(), t0 = performance.now();
    let errors = 0;
    await pool([...Array(o.users).keys()], o.concurrency, async (i) => {
      const r = await post(measured, "/api/v1/login/totp", {
        pending_token: pending[i],
        code: totpCodeAt(secrets[i], clock.now()),
      });
      if (r.status !== 200) errors++;
    });
    const ms = performance.now() - t0;
    if (o.marks) console.log("timed end");
    const p = (procCpu() - p0) / o.users, m = (mainCpu() - m0) / o.users;
    if (profiler) Deno.writeTextFileSync(profileTo!, JSON.stringify(await profiler.stop(kind)));
    if (round > 0) {
      perStep.push(p);
      mainPerStep.push(m);
      rates.push(o.users / ms * 1000);
    }
    console.log(
      `round ${round}${round === 0 ? " (untimed)" : ""}: ${Math.round(p)} µs/step process, ` +
        `${Math.round(m)} main, ${Math.round(o.users / ms * 1000)}/s, errors ${errors}`,
    );
  }
  console.log(
    `median: ${Math.round(median(perStep))} µs/step process, ` +
      `${Math.round(median(mainPerStep))} main, ${Math.round(median(rates))}/s, peak RSS ` +
      `${Deno.readTextFileSync("/proc/self/status").match(/VmHWM:\s+(\d+)/)![1]} kB`,
  );
  Deno.exit(0);
}
