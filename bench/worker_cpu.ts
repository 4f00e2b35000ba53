/**
 * @module The Worker's own CPU time under `wrangler dev`, apart from what shares its workerd
 * process (miniflare's entry worker, the local D1's Durable Object and SQLite, workerd's HTTP
 * and I/O): a V8 CPU profile of the Worker's isolate alone, taken through workerd's own
 * inspector. bench/load.ts `--worker-isolate NAME` runs it (bench/worker.sh passes it).
 *
 * How: miniflare starts the workerd process that runs the Worker with `--inspector-addr` on a
 * free port; that inspector lists one DevTools target per worker of the process, the Worker's as
 * `core:user:<name>` (the others are miniflare's: `core:entry`, `d1:db`, `d1:db:entry`, ...).
 * {@link findWorkerInspector} finds the port among the process's listening sockets and opens
 * the Worker's target. workerd lets one DevTools session in per worker: while wrangler's
 * inspector proxy (`--inspector-port`) holds its session, the first new connection is closed as
 * the proxy's is dropped, and the next one gets in ({@link attach}). The proxy does not reconnect
 * until the next reload; that costs nothing here, as wrangler prints the Worker's logs from
 * workerd's stdout, not through the inspector. (An earlier attempt went through wrangler's proxy:
 * it cut messages at 1 MiB, dropped the session under load, and sometimes never connected.)
 *
 * What a sample means: V8's sampler thread signals the isolate's thread every period (a timer
 * on the wall clock) and a sample is recorded only while the isolate is entered, that is while
 * workerd runs something for this Worker under its isolate lock: its JavaScript, the native code
 * that JavaScript calls (WebCrypto, JSON, the D1 binding's client side), its garbage collector,
 * and workerd's own C++ working for it under the lock ("(program)"). While the thread runs
 * another isolate (D1's Durable Object and SQLite, miniflare's entry worker) or waits for I/O,
 * this isolate is not entered and nothing is recorded (an idle profile of 2 s holds 1 sample);
 * "(idle)" samples are left out too. So busy samples × the sampler's period, measured in the
 * same profile ({@link samplerPeriod}), is the time the isolate was entered: its CPU time, plus
 * any time its thread was preempted or blocked while in it (a tick that comes then is handled
 * when the thread runs again). An upper bound of the isolate's CPU time, up to the sampling
 * error (n samples are off by about √n); it is tight when the thread is seldom kept from a core.
 * The isolate's CPU time is the quantity Cloudflare bills and limits, measured here under
 * workerd on this machine.
 *
 * Three things keep the figure close on a loaded 2-core machine (the driver, wrangler's node and
 * the proxy workerd share it, and other benchmarks may run):
 * - The sampler thread must wake on time, or samples are lost: at normal priority, a password
 *   phase gave under half the samples its PBKDF2 work should. The profiling child gives it
 *   SCHED_FIFO with `chrt` (root or CAP_SYS_NICE; the result says whether that worked).
 * - workerd's main thread should seldom wait for a core while in the isolate, or that time is
 *   counted. The child renices that thread to -20 for the profile, and its autogroup too (the
 *   kernel shares a core between sessions first: wrangler dev's, the driver's, others'), and puts
 *   both back after; the result gives the main thread's CPU time and run-queue wait during the
 *   profile (/proc/<pid>/task/<pid>/schedstat) beside the figure. Password logins, per login:
 *   at nice 0 under a load average of 5–6, 84–93 ms in the isolate against 76–81 ms of main
 *   thread CPU in all; the thread alone at -20, 93.3 ms against 80.0 ms on a core and 73.7 ms
 *   waiting; thread and autogroup at -20, 73.4 ms against 77.8 ms on a core and 2.4 ms waiting.
 * - Each tick is a signal to workerd's main thread, whatever runs there, and costs it: at 100 µs
 *   the session check's main-thread CPU rose by ≈ 780 µs per request and the isolate's sampled
 *   figure by half (≈ 640 against ≈ 430 µs), at 250 µs by ≈ 360 µs and ≈ 20 %. At 1,000 µs
 *   (SAMPLING_INTERVAL_US) the cost was within the run-to-run spread; there are still several
 *   hundred samples per phase.
 * The profiled phases are run apart from the timed ones all the same.
 *
 * Checked against a known cost: PBKDF2 at 600,000 iterations is six long native calls inside
 * the isolate (src/lib/password.ts), ≈ 71 ms of a login's 73 ms there. bench/load.ts profiles 40
 * password logins after the session and TOTP phases so that each run shows that check again: the
 * isolate's figure must stay below the main thread's time on a core.
 */

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
export type CpuProfile = {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
};

/** Asked of V8; the sampler's real period (interval + its overhead) is measured per profile. */
export const SAMPLING_INTERVAL_US = 1000;

export type WorkerCpu = {
  /** Wall time the profile covered, ms. */
  wallMs: number;
  /** Samples recorded (the isolate was entered), and of them not "(idle)". */
  samples: number;
  busySamples: number;
  /** The sampling interval asked of V8, and the sampler's period measured in this profile, µs. */
  intervalUs: number;
  periodUs: number;
  /** busySamples × periodUs: the isolate's own CPU time, ms. */
  ownMs: number;
  /** Of it: garbage collection, ms. */
  gcMs: number;
  /** Of it: "(program)", native work under the isolate's lock V8 cannot attribute to a function. */
  programMs: number;
  /** Of it: self time in the bundle's JavaScript (and the native calls it made), ms. */
  bundleMs: number;
  /** The functions with the most self time (not idle), ms. */
  top: { name: string; ms: number }[];
  /** How the sampler thread and workerd's main thread ran ("sampler thread SCHED_FIFO, main
   * thread at nice -20"), or why they ran at normal priority. */
  sampler: string;
  /**
   * workerd's main thread (every isolate of the process runs on it) during the profile, from
   * /proc/<pid>/task/<pid>/schedstat: its CPU time, and the time it was ready to run but waited
   * for a core, ms. A tick is timed by the wall clock, so time the thread spent waiting while in
   * the isolate is counted as the isolate's: ownMs − waitMs is a lower bound of the isolate's CPU.
   */
  mainThread?: { cpuMs: number; waitMs: number };
};

/** A DevTools-protocol session on one target of workerd's inspector. */
class Inspector {
  #ws: WebSocket;
  #next = 1;
  #waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.onclose = (e) => {
      for (const w of this.#waiting.values()) {
        w.reject(new Error(`the inspector closed the connection (${e.code} ${e.reason})`));
      }
      this.#waiting.clear();
    };
    ws.onmessage = (e) => {
      const msg = JSON.parse(e.data as string);
      const w = msg.id !== undefined ? this.#waiting.get(msg.id) : undefined;
      if (!w) return;
      this.#waiting.delete(msg.id);
      if (msg.error) w.reject(new Error(`${msg.error.message} (${msg.error.code})`));
      else w.resolve(msg.result);
    };
  }

  static async connect(url: string): Promise<Inspector> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error(`cannot open ${url}`));
    });
    return new Inspector(ws);
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    this.#ws.send(JSON.stringify({ id, method, params }));
    // An open WebSocket alone does not keep Deno's event loop alive while a reply is awaited.
    const alive = setInterval(() => {}, 1000);
    return new Promise<T>((resolve, reject) =>
      this.#waiting.set(id, { resolve: resolve as (v: unknown) => void, reject })
    ).finally(() => clearInterval(alive));
  }

  close(): void {
    this.#ws.close();
  }
}

/** The TCP ports `pid` listens on (127.0.0.1), oldest socket first. */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of Deno.readDirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(Deno.readLinkSync(`/proc/${pid}/fd/${fd.name}`));
      if (m) inodes.add(m[1]);
    } catch { /* closed meanwhile */ }
  }
  const found: { port: number; inode: number }[] = [];
  for (const line of Deno.readTextFileSync(`/proc/${pid}/net/tcp`).split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    // local_address is f[1] (hex ip:port), st is f[3] ("0A" = LISTEN), inode is f[9].
    if (f.length < 10 || f[3] !== "0A" || !inodes.has(f[9])) continue;
    found.push({ port: parseInt(f[1].split(":")[1], 16), inode: Number(f[9]) });
  }
  return found.sort((a, b) => a.inode - b.inode).map((s) => s.port);
}

/**
 * The DevTools WebSocket URL of Worker `name` in workerd process `pid`. The process's listening
 * ports are asked for `/json/list` oldest first: workerd opens the inspector's socket just after
 * the entry socket (whose answer, a 404 from the Worker, is passed over) and before the others.
 */
export async function findWorkerInspector(pid: number, name: string): Promise<string> {
  const id = `core:user:${name}`;
  const ports = listeningPorts(pid);
  for (const port of ports) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/json/list`, {
        signal: AbortSignal.timeout(3000),
      });
      const body = await res.text();
      if (!res.ok) continue;
      const targets = JSON.parse(body) as { id: string; webSocketDebuggerUrl: string }[];
      const t = Array.isArray(targets) ? targets.find((x) => x.id === id) : undefined;
      if (t) return t.webSocketDebuggerUrl;
      if (Array.isArray(targets)) {
        throw new Error(
          `workerd's inspector on port ${port} lists no ${id} (${
            targets.map((x) => x.id).join(", ")
          })`,
        );
      }
    } catch (e) {
      if ((e as Error).message.startsWith("workerd's inspector")) throw e;
      // Not an inspector (the entry socket answers HTML; another may not speak HTTP).
    }
  }
  throw new Error(`no inspector among the ports of workerd ${pid} (${ports.join(", ")})`);
}

/**
 * A session on the Worker's target with the Profiler domain enabled. While wrangler's proxy
 * holds its session, workerd closes the first new connection as it boots the proxy's (seen on
 * every run with workerd 1.20261117.1); the next one gets in.
 */
async function attach(url: string): Promise<Inspector> {
  for (let attempt = 1;; attempt++) {
    const inspector = await Inspector.connect(url);
    try {
      await inspector.send("Profiler.enable");
      return inspector;
    } catch (e) {
      inspector.close();
      if (attempt === 3) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** The sampler thread(s) of a running V8 profiler in `pid`. */
function samplerThreads(pid: number): number[] {
  const tids: number[] = [];
  for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
    try {
      const comm = Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/comm`).trim();
      if (comm === "v8:ProfEvntProc") tids.push(Number(t.name));
    } catch { /* ended meanwhile */ }
  }
  return tids;
}

/** CPU time and run-queue wait of thread `tid` of `pid` so far, ns. */
function schedstat(pid: number, tid: number): { cpuNs: number; waitNs: number } {
  const [cpu, wait] = Deno.readTextFileSync(`/proc/${pid}/task/${tid}/schedstat`).trim()
    .split(/\s+/).map(Number);
  return { cpuNs: cpu, waitNs: wait };
}

/** Runs `cmd args` and returns null, or what went wrong. */
async function run(cmd: string, args: string[]): Promise<string | null> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
    return out.success ? null : `${cmd}: ${new TextDecoder().decode(out.stderr).trim()}`;
  } catch (e) {
    return `${cmd}: ${(e as Error).message}`;
  }
}

/** The nice value of thread `tid` of `pid` (field 19 of its stat). */
function niceOf(pid: number, tid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/task/${tid}/stat`);
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

/** The nice value of the autogroup (the session, with CONFIG_SCHED_AUTOGROUP) of `pid`. */
function autogroupNice(pid: number): number | null {
  try {
    const m = / nice (-?\d+)/.exec(Deno.readTextFileSync(`/proc/${pid}/autogroup`));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Raises workerd's main thread (where every isolate of the process runs) to nice -20 while the
 * profile is taken, and its autogroup too when the kernel groups by session (wrangler dev's
 * session is one group, the driver's another, other work on the machine others: CFS shares a
 * core between groups first, whatever the nice of a thread inside them); returns how to put both
 * back. A tick that comes while that thread waits for a core is handled when it runs again and
 * counted as a busy period although the thread spent it off the CPU: on this loaded machine
 * that counted a password login's PBKDF2 up to 25 % high.
 */
async function raiseMainThread(pid: number): Promise<{ note: string; restore(): Promise<void> }> {
  const before = niceOf(pid, pid);
  const failed = await run("renice", ["-n", "-20", "-p", String(pid)]);
  if (failed) return { note: `main thread at nice ${before} (${failed})`, restore: async () => {} };
  const group = autogroupNice(pid);
  let groupNote = "";
  if (group !== null) {
    try {
      await Deno.writeTextFile(`/proc/${pid}/autogroup`, "-20");
      groupNote = ", its autogroup at nice -20";
    } catch (e) {
      groupNote = `, its autogroup at nice ${group} (${(e as Error).message})`;
    }
  }
  return {
    note: `main thread at nice -20${groupNote}`,
    restore: async () => {
      if (group !== null && groupNote === ", its autogroup at nice -20") {
        await Deno.writeTextFile(`/proc/${pid}/autogroup`, String(group)).catch(() => {});
      }
      await run("renice", ["-n", String(before), "-p", String(pid)]);
    },
  };
}

/** Gives the profiler's sampler thread real-time priority, so that it samples on time. */
async function prioritizeSampler(pid: number): Promise<string> {
  const tids = samplerThreads(pid);
  if (tids.length === 0) return "normal priority (no v8:ProfEvntProc thread found)";
  for (const tid of tids) {
    try {
      const out = await new Deno.Command("chrt", {
        args: ["-f", "-p", "50", String(tid)],
        stdout: "null",
        stderr: "piped",
      }).output();
      if (!out.success) {
        return `normal priority (chrt: ${new TextDecoder().decode(out.stderr).trim()})`;
      }
    } catch (e) {
      return `normal priority (chrt: ${(e as Error).message})`;
    }
  }
  return "SCHED_FIFO";
}

/**
 * The sampler's period in a profile: the median gap between consecutive samples, among gaps up
 * to 1.5 × the interval asked for. A tick is delivered late when the isolate's thread is not
 * running at that moment, which lengthens one gap and shortens the next by as much, so the
 * median stays the period; longer gaps are times the isolate was not entered.
 */
export function samplerPeriod(profile: CpuProfile, intervalUs: number): number {
  const d = profile.timeDeltas.slice(1).filter((x) => x > 0 && x <= 1.5 * intervalUs)
    .sort((a, b) => a - b);
  return d.length ? d[Math.floor(d.length / 2)] : intervalUs;
}

/**
 * For a bundle esbuild wrote (a `// path` comment opens each module), the module a line of it
 * belongs to: `src/lib/log.ts`, `node_modules/.deno/hono@4.../hono/dist/...` shortened to the
 * package and file.
 */
export function bundleModules(text: string): (line: number) => string | undefined {
  const starts: { line: number; path: string }[] = [];
  text.split("\n").forEach((l, i) => {
    const m = /^\/\/ ((?:src|node_modules)\/\S+)$/.exec(l);
    if (m) {
      starts.push({
        line: i,
        path: m[1].replace(/^node_modules\/\.deno\/[^/]+\/node_modules\//, ""),
      });
    }
  });
  return (line) => {
    let lo = 0, hi = starts.length - 1, found: string | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid].line <= line) {
        found = starts[mid].path;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

export function summarize(
  profile: CpuProfile,
  bundleMatch: RegExp,
  intervalUs: number,
  sampler = "",
  moduleOf?: (line: number) => string | undefined,
): WorkerCpu {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const count = new Map<number, number>();
  for (const s of profile.samples) count.set(s, (count.get(s) ?? 0) + 1);
  const periodUs = samplerPeriod(profile, intervalUs);
  let busy = 0, gc = 0, program = 0, bundle = 0;
  const byName = new Map<string, number>();
  for (const [id, n] of count) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === "(idle)" || f.functionName === "(root)") continue;
    busy += n;
    if (f.functionName === "(garbage collector)") gc += n;
    else if (f.functionName === "(program)") program += n;
    else if (bundleMatch.test(f.url)) bundle += n;
    const module = bundleMatch.test(f.url) ? moduleOf?.(f.lineNumber) : undefined;
    const name = f.url
      ? `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber + 1}${
        module ? ` (${module})` : ""
      }`
      : f.functionName || "(native)";
    byName.set(name, (byName.get(name) ?? 0) + n);
  }
  const ms = (n: number) => (n * periodUs) / 1000;
  return {
    wallMs: (profile.endTime - profile.startTime) / 1000,
    samples: profile.samples.length,
    busySamples: busy,
    intervalUs,
    periodUs,
    ownMs: ms(busy),
    gcMs: ms(gc),
    programMs: ms(program),
    bundleMs: ms(bundle),
    top: [...byName].sort((a, b) => b[1] - a[1]).slice(0, 15)
      .map(([name, n]) => ({ name, ms: ms(n) })),
    sampler,
  };
}

/**
 * Profiles Worker `name` in workerd process `pid` from a process of its own (this module run as
 * a script), so that the profile's transfer and summary cost the load driver nothing. `stop()`
 * ends the profile and returns its summary.
 */
export async function profileWorkerFromChild(
  pid: number,
  name: string,
  /** Also write the raw profile here (a .cpuprofile for Chrome DevTools). */
  keep?: string,
  /** The bundle the Worker runs (its file, which the profile names only `worker.js`). */
  bundle?: string,
): Promise<{ stop(): Promise<WorkerCpu> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL(import.meta.url).pathname,
      String(pid),
      name,
      ...(keep ? ["--keep", keep] : []),
      ...(bundle ? ["--bundle", bundle] : []),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) {
      clearTimeout(timer);
      await child.status;
      throw new Error(`the profiler did not start ${out}`);
    }
    out += value;
  }
  clearTimeout(timer);
  if (!out.startsWith("started")) throw new Error(`the profiler said: ${out}`);
  out = out.slice(out.indexOf("\n") + 1);
  return {
    async stop() {
      await child.stdin.close();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        out += value;
      }
      const status = await child.status;
      if (!status.success) {
        throw new Error(`the profiler failed (${status.code}): ${out.trim().slice(0, 300)}`);
      }
      return JSON.parse(out) as WorkerCpu;
    },
  };
}

if (import.meta.main) {
  // deno run -A bench/worker_cpu.ts WORKERD_PID WORKER_NAME [--keep FILE] [--bundle FILE]:
  // prints "started" once profiling, profiles until its stdin closes, then prints the summary
  // as JSON.
  const [pidArg, name, ...flags] = Deno.args;
  const pid = Number(pidArg);
  const flag = (f: string) => {
    const i = flags.indexOf(f);
    return i >= 0 ? flags[i + 1] : undefined;
  };
  const keepFile = flag("--keep");
  const bundleFile = flag("--bundle");
  try {
    const url = await findWorkerInspector(pid, name);
    const inspector = await attach(url);
    await inspector.send("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
    await inspector.send("Profiler.start");
    const main = await raiseMainThread(pid);
    const sampler = `sampler thread ${await prioritizeSampler(pid)}, ${main.note}`;
    const before = schedstat(pid, pid);
    console.log(`started (${sampler})`);
    for await (const _ of Deno.stdin.readable) { /* until the driver closes it */ }
    const after = schedstat(pid, pid);
    const { profile } = await inspector.send<{ profile: CpuProfile }>("Profiler.stop");
    await main.restore();
    await inspector.send("Profiler.disable");
    inspector.close();
    if (keepFile) {
      await Deno.writeTextFile(keepFile, JSON.stringify(profile));
    }
    const mainThread = {
      cpuMs: (after.cpuNs - before.cpuNs) / 1e6,
      waitMs: (after.waitNs - before.waitNs) / 1e6,
    };
    // The bundle the Worker runs, to name the module of each of its functions.
    let moduleOf: ((line: number) => string | undefined) | undefined;
    try {
      if (bundleFile) moduleOf = bundleModules(await Deno.readTextFile(bundleFile));
    } catch { /* named by line only */ }
    console.log(JSON.stringify({
      ...summarize(profile, /worker\.js/, SAMPLING_INTERVAL_US, sampler, moduleOf),
      mainThread,
    }));
    Deno.exit(0);
  } catch (e) {
    console.log(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
