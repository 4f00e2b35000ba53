/**
 * @module `deno task bench`: the micro-benchmarks (`deno bench`), the load driver (bench/load.ts),
 * the HTTP floor (bench/floor.ts), the growth runs at 1,000 to 1,000,000 users (bench/growth.ts),
 * better-auth beside twofold (bench/peer.ts), one against two server processes
 * (bench/processes.ts), the same driver against the Worker under `wrangler dev` on a local D1
 * (bench/worker.sh); then bench/RESULTS.md with the machine, the
 * versions, the command, every figure and the targets of issue 20. Arguments are passed on to
 * bench/load.ts (the Deno run), except `--no-worker`, `--no-growth` and `--no-peer`, which skip
 * those parts. If one of them fails or times out, the other results are still written, with the
 * reason in that part's section. `--render [FILE]` writes RESULTS.md again from the figures a run
 * kept in bench/.last-run.json (or FILE), without measuring.
 *
 * A section of RESULTS.md between `<!-- notes -->` and `<!-- /notes -->` is written by hand
 * (the analysis of a run) and kept when the file is regenerated.
 */
import { type FloorResults, runFloor } from "./floor.ts";
import { type GrowthResults, growthSection, runGrowthProcess } from "./growth.ts";
import { type LoadResults, type PhaseResult, TOTP_WARM_UP_USERS, WARM_UP_SECONDS } from "./load.ts";
import { peerOptionsLike, type PeerRun, peerSection, runPeerSafely } from "./peer.ts";
import type { ProfileSummary, Share } from "./profile.ts";
import { num as n, runJsonScript, table } from "./report.ts";
import { issue20Targets } from "./targets.ts";
import { measureProcesses, type ProcessesRun, processesSection } from "./processes.ts";

const REPO = new URL("..", import.meta.url).pathname;
const RESULTS = `${REPO}bench/RESULTS.md`;

type MicroResult = {
  name: string;
  group: string | null;
  n: number;
  avgNs: number;
  minNs: number;
  p75Ns: number;
  p99Ns: number;
};

const decoder = new TextDecoder();

async function output(cmd: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(cmd, { args, cwd: REPO, stdout: "piped", stderr: "null" })
      .output();
    return decoder.decode(out.stdout).trim();
  } catch {
    return "";
  }
}

async function machine() {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const meminfo = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const memKb = Number(meminfo.match(/^MemTotal:\s+(\d+)/m)?.[1]);
  return {
    nproc: Number(await output("nproc", [])) || navigator.hardwareConcurrency,
    cpuModel: cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim() ?? "unknown",
    memoryGb: Math.round((memKb / 1024 / 1024) * 10) / 10,
    kernel: Deno.osRelease(),
    deno: (await output(Deno.execPath(), ["--version"])).split("\n").join(", "),
    commit: await output("git", ["rev-parse", "--short", "HEAD"]),
    dirtySrc: (await output("git", ["status", "--porcelain", "--", "src", "migrations"]))
      .split("\n").filter(Boolean).length,
  };
}

async function runMicro(): Promise<MicroResult[]> {
  console.log("== micro-benchmarks: deno bench -A --json bench/micro_bench.ts");
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["bench", "-A", "--json", "bench/micro_bench.ts"],
    cwd: REPO,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("deno bench failed");
  const report = JSON.parse(decoder.decode(out.stdout));
  const results: MicroResult[] = [];
  for (const b of report.benches) {
    const ok = b.results?.[0]?.ok;
    if (!ok) continue;
    results.push({
      name: b.name,
      group: b.group ?? null,
      n: ok.n,
      avgNs: ok.avg,
      minNs: ok.min,
      p75Ns: ok.p75,
      p99Ns: ok.p99,
    });
    console.log(`  ${b.name}: avg ${fmtNs(ok.avg)}, min ${fmtNs(ok.min)}`);
  }
  return results;
}

export function runLoadProcess(args: string[]): Promise<LoadResults> {
  return runJsonScript<LoadResults>("load", args, "load");
}

/** The Worker part (bench/worker.sh): its results, or why there are none. */
type WorkerRun =
  | { ok: true; load: LoadResults; seconds: number; versions: string }
  | { ok: false; reason: string; tail: string[]; seconds: number; versions: string };

/** Wrangler's first install (npm) takes about a minute; the run itself about 75 s. */
const WORKER_TIMEOUT_MS = 6 * 60_000;

async function workerVersions(): Promise<string> {
  const version = async (pkg: string) => {
    const path = `${REPO}tools/wrangler/node_modules/${pkg}/package.json`;
    return JSON.parse(await Deno.readTextFile(path).catch(() => "{}")).version ?? "?";
  };
  return `wrangler ${await version("wrangler")}, workerd ${await version("workerd")}`;
}

/** Copies a child's output stream to ours, keeping its last lines for a failure report. */
async function relay(stream: ReadableStream<Uint8Array>, to: typeof Deno.stdout, tail: string[]) {
  const text = new TextDecoder();
  let rest = "";
  for await (const chunk of stream) {
    for (let off = 0; off < chunk.length;) off += await to.write(chunk.subarray(off));
    rest += text.decode(chunk, { stream: true });
    const lines = rest.split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      tail.push(line);
      if (tail.length > 30) tail.shift();
    }
  }
  if (rest) tail.push(rest);
}

async function runWorker(): Promise<WorkerRun> {
  const t0 = performance.now();
  const json = await Deno.makeTempFile({ prefix: "twofold-worker-", suffix: ".json" });
  const tail: string[] = [];
  const seconds = () => (performance.now() - t0) / 1000;
  try {
    console.log(`== worker: bash bench/worker.sh --json ${json}`);
    const child = new Deno.Command("bash", {
      args: ["bench/worker.sh", "--json", json],
      cwd: REPO,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let timedOut = false;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    // SIGTERM lets worker.sh stop wrangler dev (its trap); SIGKILL only if that hangs.
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM");
      killTimer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }, 30_000);
    }, WORKER_TIMEOUT_MS);
    const [status] = await Promise.all([
      child.status,
      relay(child.stdout, Deno.stdout, tail),
      relay(child.stderr, Deno.stderr, tail),
    ]);
    clearTimeout(timer);
    clearTimeout(killTimer);
    const versions = await workerVersions();
    if (timedOut) {
      return {
        ok: false,
        reason: `timed out after ${WORKER_TIMEOUT_MS / 1000} s and was stopped`,
        tail,
        seconds: seconds(),
        versions,
      };
    }
    if (!status.success) {
      return {
        ok: false,
        reason: `bench/worker.sh exited with status ${status.code}`,
        tail,
        seconds: seconds(),
        versions,
      };
    }
    const load = JSON.parse(await Deno.readTextFile(json)) as LoadResults;
    return { ok: true, load, seconds: seconds(), versions };
  } catch (e) {
    return {
      ok: false,
      reason: `could not run bench/worker.sh: ${(e as Error).message}`,
      tail,
      seconds: seconds(),
      versions: await workerVersions(),
    };
  } finally {
    await Deno.remove(json).catch(() => {});
  }
}

// ---------------------------------------------------------------- formatting

function fmtNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(ns >= 1e8 ? 0 : 2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} µs`;
  return `${ns.toFixed(1)} ns`;
}

const yes = (ok: boolean) => (ok ? "**met**" : "**not met**");

function shares(title: string, list: Share[]): string {
  return `${title}\n\n` +
    table(["", "ms", "% of busy"], list.map((s) => [`\`${s.name}\``, n(s.ms), n(s.pct)]));
}

function profileSection(name: string, p?: { phase: PhaseResult; summary: ProfileSummary | null }) {
  if (!p?.summary) return "";
  const s = p.summary;
  return [
    `### ${name}`,
    "",
    `Profiled run: ${n(p.phase.requests, 0)} requests, ${n(p.phase.rps)} req/s, ` +
    `${n(p.phase.serverMainThreadCpuUsPerRequest, 0)} µs main-thread CPU per request. ` +
    `Samples: ${n(s.busyMs, 0)} ms busy, ${n(s.idleMs, 0)} ms idle.`,
    "",
    shares("By area (self time):", s.areas.slice(0, 10)),
    "",
    shares("By function (self time):", s.self.slice(0, 12)),
    "",
    shares(
      "Our functions (src/, including what they call; an `await` loses the caller in V8's " +
        "stacks, so these undercount async functions):",
      s.ours.slice(0, 12),
    ),
    "",
  ].join("\n");
}

function workerSection(w: WorkerRun | null): string {
  const title = "## Worker (wrangler dev, local D1)\n\n";
  if (!w) return title + "Not run (`--no-worker`).\n";
  if (!w.ok) {
    return title +
      `**The Worker part failed** after ${
        n(w.seconds, 0)
      } s: ${w.reason}. The Deno results above ` +
      `are complete. The last lines of \`bash bench/worker.sh\` (${w.versions}):\n\n` +
      "```\n" + w.tail.join("\n").replaceAll("```", "'''") + "\n```\n";
  }
  const load = w.load;
  const { password, totp, session, verify } = load.phases;
  const also = (p: PhaseResult, label: string) => n(p.alsoCpuUsPerRequest?.[label], 0);
  const row = (p: PhaseResult) => [
    p.name,
    n(p.requests, 0),
    n(p.seconds, 2),
    n(p.rps),
    n(p.p50Ms, 1),
    n(p.p99Ms, 1),
    `${n(p.errors, 0)}${
      p.errors ? ` (${Object.entries(p.errorKinds).map(([k, v]) => `${k}: ${v}`).join(", ")})` : ""
    }`,
    n(p.serverCpuUsPerRequest, 0),
    n(p.serverMainThreadCpuUsPerRequest, 0),
    also(p, "proxy workerd"),
    also(p, "wrangler node"),
    n(p.driverCpuUsPerRequest, 0),
  ];
  const loginCeiling = password.serverMainThreadCpuUsPerRequest
    ? 1e6 / password.serverMainThreadCpuUsPerRequest
    : null;
  return title + `What this measures: the Worker (src/worker.ts) under workerd on this machine, as
\`wrangler dev --local\` runs it (${w.versions}), not Cloudflare's production, whose machines,
isolate scheduling and D1 (a database over the network) differ. Wrangler puts its own proxy in
front: the driver talks to a second workerd process, which forwards each request to the one that
runs the Worker; and wrangler's node process prints a line per request. Their CPU time is in the
"proxy" and "node" columns, not in the Worker's. The Worker's workerd process also runs miniflare's
entry worker and the local D1 (SQLite in a Durable Object), which Cloudflare does not bill to a
Worker, so its figure is an upper bound of the Worker's own CPU time (measured apart below, from a
profile of the Worker's isolate). All of it shares the
machine's CPUs with the driver, so req/s and latency are those of the whole chain here.

Run by \`bash bench/worker.sh\` (bench/load.ts \`--url\`): ${n(load.seeding.usersCreated, 0)} users,
concurrency ${load.options.concurrency}, PBKDF2_ITERATIONS=${load.timedServer.pbkdf2Iterations},
LOG_LEVEL=info (as in wrangler.toml). The Worker part took ${n(w.seconds, 0)} s in all (install
check, bundling, migrations, seeding and enrollment at the full cost, the timed phases).

${
    table(
      [
        "phase",
        "requests",
        "s",
        "req/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "workerd (Worker) CPU µs/req",
        "of it main thread",
        "proxy workerd µs/req",
        "wrangler node µs/req",
        "driver µs/req",
      ],
      [row(password), row(totp), row(session), ...(verify ? [row(verify)] : [])],
    )
  }

${workerOwnCpu(load)}
- The phases are those of the Deno run, on fewer users: ${
    n(load.options.passwordRequests, 0)
  } password logins (each user once), one TOTP login per user (a short phase, so its figures vary
  more from run to run), ${load.options.sessionSeconds} s of session checks. CPU per request
  is utime + stime from \`/proc/<pid>/stat\` of each process before and after each phase; the
  run fails if any of them restarted.
- workerd computes PBKDF2 on the isolate's own thread (the main-thread column is nearly all of a
  password login), where Deno uses a thread pool: one Worker process does at most 1 s ÷
  ${n(password.serverMainThreadCpuUsPerRequest, 0)} µs = ${n(loginCeiling)} logins per second.
- Memory of the Worker's workerd process (with the local D1 and miniflare's entry worker): ${
    n(load.memory.idle?.rssMb)
  } MB resident before the timed phases, peak (VmHWM) ${n(load.memory.end?.hwmMb)} MB.
- Setup: the Worker was bundled once (\`wrangler deploy --dry-run\`) and served with
  \`wrangler dev --no-bundle\`, so that edits to src/ during the run do not reload it. The users
  were created with \`createUser()\` straight into the D1 SQLite file under the persist directory
  while wrangler dev ran (${n(load.seeding.createSeconds)} s), given a ${
    n(load.kdf.iterations, 0)
  }-iteration hash, then enrolled through the JSON API at the Worker's full cost
  (${n(load.seeding.enrolled, 0)} users in ${
    n(load.seeding.enrollSeconds)
  } s); the pending tokens of
  the totp phase came from password logins at that cost too (PENDING_TOKEN_MINUTES=20 so that they
  outlive the run).
`;
}

/** The Worker isolate's own CPU per request (bench/worker_cpu.ts), when it was profiled. */
function workerOwnCpu(load: LoadResults): string {
  const w = load.workerCpu;
  if (!w?.session || !w.totp) {
    return `The Worker's own CPU (its isolate's, without miniflare and the local D1) was not ` +
      `measured in this run${w?.error ? `: ${w.error}` : ""} (bench/worker_cpu.ts).\n`;
  }
  type Profiled = NonNullable<typeof w.session>;
  const per = (ms: number, p: PhaseResult) => n((ms * 1000) / Math.max(1, p.requests), 0);
  const row = (name: string, x: Profiled) => [
    name,
    n(x.phase.requests, 0),
    n(x.ownUsPerRequest, 0),
    `±${n(100 / Math.sqrt(Math.max(1, x.cpu.busySamples)), 0)} %`,
    n(x.bundleUsPerRequest, 0),
    per(x.cpu.gcMs, x.phase),
    per(x.cpu.programMs, x.phase),
    n(x.phase.serverCpuUsPerRequest, 0),
    per(x.cpu.mainThread?.cpuMs ?? NaN, x.phase),
    per(x.cpu.mainThread?.waitMs ?? NaN, x.phase),
  ];
  const top = (x: Profiled) =>
    x.cpu.top.slice(0, 8).map((f) => `\`${f.name}\` ${per(f.ms, x.phase)}`).join(
      ", ",
    );
  const profiled = [w.session, w.totp, ...(w.password ? [w.password] : [])];
  const periods = profiled.map((x) => n(x.cpu.periodUs, 0)).join(" / ");
  const samplers = [...new Set(profiled.map((x) => x.cpu.sampler))].join("; ");
  return `**The Worker's own CPU time** (targets: 1 ms per session check, 3 ms per second-factor
step): after the timed phases, the session and TOTP phases run again${
    w.password ? ", then a few password logins," : ""
  } while V8 profiles the Worker's isolate alone through workerd's own inspector
(bench/worker_cpu.ts: a sample asked every ${n(w.session.cpu.intervalUs, 0)} µs; the sampler's
measured period ${periods} µs; ${samplers}). A sample is recorded only while the isolate is
entered: its JavaScript, the native calls it makes (WebCrypto, JSON, the D1 binding's client
side), its garbage collection, and workerd's own work for it under its lock ("(program)"): what
Cloudflare bills as the Worker's CPU time. miniflare's entry worker, the D1 Durable Object and
SQLite, and workerd's HTTP work run outside it (they are the rest of the process's figure). The
figure is busy samples × the measured period ÷ requests; ± is the sampling error (1 ÷ √samples).
The ticks follow the wall clock, so the figure also counts any time workerd's main thread (where
all of the process's isolates run) waited for a core while in the isolate: an upper bound of the
isolate's CPU time, closer the less that thread waited (its waiting is in the last column).

${
    table(
      [
        "phase (profiled)",
        "requests",
        "Worker isolate CPU µs/req",
        "±",
        "of it in the bundle's functions",
        "GC",
        "(program)",
        "whole workerd process µs/req",
        "its main thread on a core",
        "its main thread waiting for a core",
      ],
      [
        row("session", w.session),
        row("totp", w.totp),
        ...(w.password ? [row("password (check)", w.password)] : []),
      ],
    )
  }

${
    w.password
      ? `The password row is a check of the method: PBKDF2 at ${
        n(load.kdf.iterations, 0)
      } iterations runs inside the isolate (one native call per 100,000 iterations), so the
isolate's figure must come close to the main thread's time on a core and below that plus its
waiting (the main thread also runs the login's D1 work and miniflare).

`
      : ""
  }Where the isolate's time goes (self time, µs per request; a native function is named by itself,
\`(native)\` a native call V8 does not name; the bundle's functions with their module): session: ${
    top(w.session)
  }; totp:
${top(w.totp)}.
`;
}

/** What a request costs before twofold does anything (bench/floor.ts), beside the session check. */
function floorSection(floor: FloorResults | null, session: PhaseResult): string {
  const title = "## The HTTP floor\n\n";
  if (!floor) return title + "Not measured.\n";
  const row = (label: string, p: PhaseResult) => [
    label,
    n(p.rps),
    n(p.p99Ms, 2),
    n(p.serverCpuUsPerRequest, 1),
    n(p.serverMainThreadCpuUsPerRequest, 1),
    n(p.driverCpuUsPerRequest, 1),
  ];
  return title +
    `\`deno run -A bench/floor.ts\`: the same driver, concurrency and request as the session phase,
against a server that only answers with a fixed JSON body (bench/floor_server.ts): straight from
\`Deno.serve\`, then through a bare Hono app. Everything above these figures in the session check
is twofold's own work: the token, the session row, the security headers, the log line, the metrics.

${
      table(
        [
          "server",
          "req/s",
          "p99 ms",
          "server CPU µs/req",
          "of it main thread",
          "driver CPU µs/req",
        ],
        [
          row("Deno.serve, fixed body", floor.raw),
          row("Hono, fixed body", floor.hono),
          row("twofold, GET /api/v1/session", session),
        ],
      )
    }
`;
}

function render(input: {
  m: Awaited<ReturnType<typeof machine>>;
  micro: MicroResult[];
  load: LoadResults;
  floor: FloorResults | null;
  processes: ProcessesRun | null;
  worker: WorkerRun | null;
  peer: PeerRun | null;
  growth: { results: GrowthResults | null; failure?: string };
  args: string[];
  startedAt: Date;
  seconds: number;
  notes: string;
}): string {
  const { m, micro, load, args } = input;
  const { password, totp, session, verify } = load.phases;
  // The KDF ceiling from the CPU time of one hash, which the other processes on this shared
  // machine disturb far less than its wall time.
  const kdfMs = load.kdf.ceiling?.cpuMsPerHash || load.kdf.cpuMsPerHash || load.kdf.medianMs;
  const capacity = (p: PhaseResult): number | null => {
    if (!p.serverCpuUsPerRequest || !p.serverMainThreadCpuUsPerRequest) return null;
    const byCores = (m.nproc * 1e6) / (p.serverCpuUsPerRequest + p.driverCpuUsPerRequest);
    const byMainThread = 1e6 / p.serverMainThreadCpuUsPerRequest;
    return Math.min(byCores, byMainThread);
  };
  const targets: (string | number)[][] = [
    ...issue20Targets({
      nproc: m.nproc,
      load,
      processes: input.processes,
      worker: input.worker?.ok ? input.worker.load : null,
      growth: input.growth.results,
      peer: input.peer,
    }),
    [
      "memory (issue 7, kept)",
      "resident size under load < 150 MB",
      `peak RSS (VmHWM) ${n(load.memory.end?.hwmMb)} MB`,
      yes((load.memory.end?.hwmMb ?? Infinity) < 150),
      "–",
    ],
  ];
  const phaseRow = (p: PhaseResult) => [
    p.name,
    n(p.requests, 0),
    n(p.seconds, 2),
    n(p.rps),
    n(p.p50Ms, 2),
    n(p.p90Ms, 2),
    n(p.p99Ms, 2),
    n(p.maxMs, 1),
    `${n(p.errors, 0)}${
      p.errors ? ` (${Object.entries(p.errorKinds).map(([k, v]) => `${k}: ${v}`).join(", ")})` : ""
    }`,
    n(p.serverCpuUsPerRequest, 0),
    n(p.serverMainThreadCpuUsPerRequest, 0),
    n(p.driverCpuUsPerRequest, 0),
    n(p.otherProcessesCores, 2),
    n(p.loadAverageAtStart, 2),
    n(p.serverRssMbAfter),
  ];
  const estimate = (p: PhaseResult) => n(capacity(p), 0);
  const command = `deno task bench${args.length ? ` ${args.join(" ")}` : ""}`;
  const o = load.options;
  return `# Benchmark results

Generated by \`${command}\` (bench/run.ts) on ${input.startedAt.toISOString()}; the whole run
took ${n(input.seconds, 0)} s. Regenerate with the same command; only the notes section below is
kept.

## Machine and versions

- CPUs: ${m.nproc} (\`nproc\`), ${m.cpuModel}; memory ${m.memoryGb} GB; Linux ${m.kernel}
- ${m.deno}
- Code: commit ${m.commit}${
    m.dirtySrc
      ? `, with ${m.dirtySrc} uncommitted changes in src/ and migrations/ from concurrent work ` +
        `(the server ran the working tree)`
      : ""
  }
- Other processes may have shared the machine: the load average and the CPU time that every
  other process used during each phase are in the phase table; CPU time per request is the
  figure least disturbed by them.

## Targets (issue 20)

${table(["target", "wanted", "measured", "", "note"], targets)}

Every figure is from this run (bench/targets.ts judges them). CPU time per request is server
CPU (all threads; with PROCESSES, all processes) from \`/proc\`, the figure least disturbed by
the driver and other processes sharing the two cores; req/s and p99 are what the driver saw on
the same machine, with the driver itself taking part of the two cores.

## Load phases

Server: \`${load.target}\`${
    load.mode === "spawn"
      ? ` on a temporary libSQL file (WAL) with generated keys, PBKDF2_ITERATIONS ${load.timedServer.pbkdf2Iterations}`
      : ""
  }${load.timedServer.v8Flags ? `, with \`--v8-flags=${load.timedServer.v8Flags}\`` : ""}${
    Object.keys(load.timedServer.env).length
      ? `, with ${
        Object.entries(load.timedServer.env).map(([k, v]) => `\`${k}=${v}\``).join(" ")
      } in its environment`
      : ""
  }. Concurrency ${o.concurrency} keep-alive connections from one driver process on the same
machine (bench/http.ts, a minimal HTTP/1.1 client, so that the driver takes little of the two
cores). CPU per request comes from \`/proc/<pid>/stat\` (utime + stime, all threads, and the main
thread alone from \`/proc/<pid>/task/<pid>/stat\`) before and after each phase.

${
    table(
      [
        "phase",
        "requests",
        "s",
        "req/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "errors",
        "server CPU µs/req",
        "of it main thread",
        "driver CPU µs/req",
        "other processes (CPUs)",
        "load avg",
        "server RSS MB after",
      ],
      [
        phaseRow(password),
        phaseRow(totp),
        phaseRow(session),
        ...(verify ? [phaseRow(verify)] : []),
      ],
    )
  }

Estimated capacity from these CPU figures with the machine to itself (the smaller of both cores ÷
(server + driver CPU per request) and 1 s ÷ the main thread's CPU per request): password
${estimate(password)}, totp ${estimate(totp)}, session ${estimate(session)} req/s.

- **password**: ${n(o.passwordRequests, 0)} logins (\`POST /api/v1/login\` up to
  \`second_factor_required\`), each user at most once.
- **totp**: one \`POST /api/v1/login/totp\` per user (${n(totp.requests, 0)}) with the code of the
  current step on a fresh pending token; each user once per step, because a code is accepted once.
  ${
    load.totpRounds && load.totpRounds.length > 1
      ? `${load.totpRounds.length} rounds, each in a later step on its own pending tokens; the one ` +
        `with the median CPU per request is in the tables (each round's: ${
          load.totpRounds.map((r) => n(r.serverCpuUsPerRequest, 0)).join(", ")
        } µs, p99 ${load.totpRounds.map((r) => n(r.p99Ms, 2)).join(", ")} ms).`
      : ""
  }
  Waited ${n(load.waitForStepSeconds)} s first for a step after the enrollment codes' step, then
  ${n(TOTP_WARM_UP_USERS, 0)} other users did the same untimed (V8's compilation of the path lands
  there, as for the checks below; the profiled TOTP server gets the same warm-up).
- **session**: \`GET /api/v1/session\` with the Bearer session tokens that the totp phase issued,
  round robin, for ${o.sessionSeconds} s, after ${WARM_UP_SECONDS} s of the same untimed (the first check of
  each new session and V8's background compilation of the path land there, not in the figures).
- **verify**: \`GET /api/v1/verify\` as Traefik or Caddy asks it for \`grafana.example.net\`
  (X-Forwarded-*), with the same Bearer session tokens, under 50 access rules whose last one
  matches (bench/load.ts \`VERIFY_ACCESS_RULES\`), for ${o.verifySeconds} s, also after ${WARM_UP_SECONDS} s untimed.
- KDF: one PBKDF2-SHA256 hash at ${n(load.kdf.iterations, 0)} iterations took
  ${load.kdf.msPerHash.map((x) => n(x)).join(", ")} ms (median ${n(load.kdf.medianMs)} ms) and
  ${n(load.kdf.cpuMsPerHash)} ms of CPU each, measured in the driver process while no server ran.${
    load.kdf.ceiling
      ? ` The KDF's ceiling, measured in the driver with ${o.concurrency} hashes in flight for 4 s
  (the app's \`hashPassword\`, the same WebCrypto as the server; the timed server idle): ${
        n(load.kdf.ceiling.before.perSecond)
      }/s right before the password phase and ${
        n(load.kdf.ceiling.after.perSecond)
      }/s right after it (${n(load.kdf.ceiling.before.cpuMsPerHash)} and ${
        n(load.kdf.ceiling.after.cpuMsPerHash)
      } ms CPU per hash); the target compares the phase with their mean, so that a change of the
  machine's speed during the run does not decide it.`
      : ""
  } Password phase: ${n(password.serverCpuUsPerRequest, 0)} µs server CPU per login against ${
    n(kdfMs * 1000, 0)
  } µs for the hash alone.
- Memory of the timed server (from \`/proc/<pid>/status\`): ${
    n(load.memory.idle?.rssMb)
  } MB resident before the timed phases (${n(load.memory.idle?.anonMb)} MB anonymous,
  ${n(load.memory.idle?.fileMb)} MB file pages), peak resident size (VmHWM) ${
    n(load.memory.end?.hwmMb)
  } MB; at the end ${n(load.memory.end?.rssMb)} MB (${
    n(load.memory.end?.anonMb)
  } MB anonymous: heaps; ${
    n(load.memory.end?.fileMb)
  } MB file pages: mostly the deno executable's code, shared with every other deno process).

### How the run was set up

- ${n(load.seeding.usersCreated, 0)} users were created with \`createUser()\`
  (src/users/service.ts), the app's own code, straight into the database file before any server
  started (${n(load.seeding.createSeconds)} s), each with its own salt at ${
    n(load.seeding.seedServerIterations ?? 1000, 0)
  } iterations. The CLI would start one process per user.
- ${n(load.seeding.enrolled, 0)} users enrolled through the real JSON API (\`POST /api/v1/login\` →
  \`enrollment_required\`, \`POST /api/v1/enrollments\`, \`POST /api/v1/enrollments/{id}/confirm\`
  with a code from \`totpCodeAt()\`) in ${n(load.seeding.enrollSeconds)} s${
    Object.keys(load.seeding.enrollFailures).length
      ? `; failures: ${JSON.stringify(load.seeding.enrollFailures)}`
      : ""
  }. ${
    load.mode === "spawn"
      ? `That untimed part ran on a separate seeding server started with PBKDF2_ITERATIONS=${load.seeding.seedServerIterations} ` +
        "(and PENDING_TOKEN_MINUTES=20, as every server of the run, so that the pending tokens it issued outlive a slow run). " +
        "The same seeding server issued the pending tokens of the totp phase " +
        "(`POST /api/v1/login` → `second_factor_required`). It was then stopped, every user was " +
        "given one freshly computed 600,000-iteration hash (one salt shared by all: verifying " +
        "it costs exactly what a hash of their own would), and the timed server was started " +
        "with PBKDF2_ITERATIONS unset, i.e. the default 600,000. No timed phase ran at a lower cost."
      : "Pending tokens for the totp phase came from password logins at the server's own cost."
  }

${floorSection(input.floor, session)}
${growthSection(input.growth.results, input.growth.failure)}
${processesSection(input.processes)}
${workerSection(input.worker)}
${peerSection(input.peer, load.phases)}
## Micro-benchmarks

\`deno bench -A bench/micro_bench.ts\`: pure functions, and repo calls on a migrated libSQL file in
WAL mode with 2,000 users, one authenticator and one session each. Times are wall time per call
on the shared machine; the minimum is the best guide to the uncontended cost.

${
    table(
      ["group", "benchmark", "avg", "min", "p75", "p99", "runs"],
      micro.map((r) => [
        r.group ?? "",
        r.name,
        fmtNs(r.avgNs),
        fmtNs(r.minNs),
        fmtNs(r.p75Ns),
        fmtNs(r.p99Ns),
        n(r.n, 0),
      ]),
    )
  }

## Where the time goes (profiles)

${
    load.profiles.session || load.profiles.totp || load.profiles.password
      ? `Each phase was run again, shorter, on its own server started with \`deno run -A --cpu-prof\`
(bench/profile_server.ts imports src/main.ts and exits cleanly on SIGTERM so that the profile is
written). These runs are not the results above: sampling costs a little. The V8 profile covers
the main (JavaScript) thread only; WebCrypto work that Deno runs on its blocking pool (PBKDF2)
appears there as the time its JavaScript caller waited, so compare with the CPU figures.

${profileSection("session check", load.profiles.session)}
${profileSection("second factor (TOTP)", load.profiles.totp)}
${profileSection("password", load.profiles.password)}`
      : "No profile was taken (--no-profile or --url)."
  }
## Notes

<!-- notes -->
${input.notes.trim()}
<!-- /notes -->
`;
}

/** Every part of the benchmark, in order; a part that fails is reported and the rest goes on. */
async function measureAll(): Promise<Omit<RenderInput, "notes">> {
  const started = new Date();
  const t0 = performance.now();
  const withWorker = !Deno.args.includes("--no-worker");
  const withPeer = !Deno.args.includes("--no-peer");
  const withGrowth = !Deno.args.includes("--no-growth");
  const args = Deno.args.filter((a) => !["--no-worker", "--no-peer", "--no-growth"].includes(a));
  const m = await machine();
  console.log(`${m.nproc} CPUs, ${m.cpuModel}, ${m.memoryGb} GB; ${m.deno}`);
  const micro = await runMicro();
  const load = await runLoadProcess(args);
  console.log("== floor: deno run -A bench/floor.ts");
  const floor = await runFloor(5, 32).catch((e) => {
    console.error(`!! the floor measurement failed: ${(e as Error).message}`);
    return null;
  });
  const growth: { results: GrowthResults | null; failure?: string } = { results: null };
  if (withGrowth) {
    growth.results = await runGrowthProcess().catch((e) => {
      growth.failure = (e as Error).message;
      console.error(`!! the growth part failed: ${growth.failure}`);
      return null;
    });
  }
  const peer = withPeer ? await runPeerSafely(peerOptionsLike(load.options)) : null;
  console.log("== both cores: bench/processes.ts");
  const processes = await measureProcesses(runLoadProcess).catch((e) => {
    console.error(`!! the PROCESSES comparison failed: ${(e as Error).message}`);
    return null;
  });
  const worker = withWorker ? await runWorker() : null;
  if (worker && !worker.ok) console.error(`!! the Worker part failed: ${worker.reason}`);
  return {
    m,
    micro,
    load,
    floor,
    processes,
    worker,
    peer,
    growth,
    args: Deno.args,
    startedAt: started,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Every figure of the last run, kept so that RESULTS.md can be rendered again (--render FILE). */
const LAST_RUN = `${REPO}bench/.last-run.json`;
type RenderInput = Parameters<typeof render>[0];

if (import.meta.main) {
  const renderFrom = Deno.args.indexOf("--render");
  let input: Omit<RenderInput, "notes">;
  if (renderFrom >= 0) {
    // Only render: the figures of an earlier run (dates come back as strings).
    const kept = JSON.parse(await Deno.readTextFile(Deno.args[renderFrom + 1] ?? LAST_RUN));
    input = { ...kept, startedAt: new Date(kept.startedAt) };
  } else {
    input = await measureAll();
    await Deno.writeTextFile(LAST_RUN, JSON.stringify(input));
  }
  const previous = await Deno.readTextFile(RESULTS).catch(() => "");
  const notes = previous.match(/<!-- notes -->([\s\S]*?)<!-- \/notes -->/)?.[1] ??
    "(none yet)";
  const md = render({ ...input, notes });
  await Deno.writeTextFile(RESULTS, md);
  // Keep the repository's `deno fmt --check` green.
  await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", RESULTS], cwd: REPO }).output();
  console.log(`wrote ${RESULTS} (${Math.round(input.seconds)} s of measuring)`);
}
