/**
 * @module The Worker's own CPU time under `wrangler dev`, apart from what shares its workerd
 * process (miniflare's entry worker, the local D1's Durable Object and SQLite, workerd's own
 * I/O): a V8 CPU profile of the Worker's isolate, taken through wrangler's inspector proxy (the
 * DevTools protocol on `wrangler dev --inspector-port`, which speaks to that isolate only).
 * Not through workerd's own inspector: wrangler's proxy holds the one session workerd allows per
 * worker (it reads console output through it) and takes it back at once.
 *
 * Status (wrangler 4.164): this works on single requests (`deno run -A bench/worker_cpu.ts
 * PORT` while sending a few by hand), but after bench/load.ts's timed phases the DevTools
 * session through wrangler's proxy either never gets its replies or stalls the Worker (no
 * request is answered while it is attached), so bench/worker.sh does not pass
 * `--worker-inspector` and the Worker's own CPU per request is not measured yet.
 *
 * V8 samples the isolate's thread and records what the isolate was doing: its JavaScript, the
 * native code that JavaScript called (WebCrypto, JSON, ...), its garbage collector, or "(idle)"
 * when it was waiting, which includes the time the thread spent in other isolates or in
 * workerd's I/O. The non-idle samples are the Worker's own CPU time, the quantity Cloudflare
 * bills and limits; the samples in the bundle's functions say where it goes.
 */

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type CpuProfile = {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
};

export type WorkerCpu = {
  /** Wall time the profile covered, ms. */
  wallMs: number;
  /** Samples that were not "(idle)": the isolate's own CPU time, ms. */
  ownMs: number;
  /** Of it: garbage collection, ms. */
  gcMs: number;
  /** Of it: "(program)", native work V8 cannot attribute to a function, ms. */
  programMs: number;
  /** Of it: self time in the bundle's JavaScript (and the native calls it made), ms. */
  bundleMs: number;
  /** The functions with the most self time (not idle), ms. */
  top: { name: string; ms: number }[];
  /** Share of the span that the profiles covered (the rest is scaled up to it). */
  coverage?: number;
};

/** A DevTools-protocol session on the first target the inspector lists. */
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
    // wrangler's proxy accepts DevTools front-ends only: an Origin it knows (localhost is one).
    const ws = new WebSocket(url, { headers: { Origin: "http://localhost" } } as never);
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

/** Starts profiling the Worker behind wrangler's inspector on `port`; `stop()` ends and sums. */
export async function profileWorker(
  port: number,
  bundleMatch = /worker\.js/,
): Promise<{ stop(): Promise<WorkerCpu> }> {
  const inspector = await Inspector.connect(`ws://127.0.0.1:${port}/ws`);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 500 });
  await inspector.send("Profiler.start");
  return {
    async stop() {
      try {
        const { profile } = await inspector.send<{ profile: CpuProfile }>("Profiler.stop");
        await inspector.send("Profiler.disable");
        return summarize(profile, bundleMatch);
      } finally {
        inspector.close();
      }
    },
  };
}

export function summarize(profile: CpuProfile, bundleMatch: RegExp): WorkerCpu {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time since the previous sample: it belongs to sample i.
    const dt = profile.timeDeltas[i] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
  }
  let own = 0, gc = 0, program = 0, bundle = 0;
  const byName = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === "(idle)") continue;
    own += us;
    if (f.functionName === "(garbage collector)") gc += us;
    else if (f.functionName === "(program)") program += us;
    else if (bundleMatch.test(f.url)) bundle += us;
    const name = f.url
      ? `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber + 1}`
      : f.functionName;
    byName.set(name, (byName.get(name) ?? 0) + us);
  }
  const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 15)
    .map(([name, us]) => ({ name, ms: us / 1000 }));
  return {
    wallMs: (profile.endTime - profile.startTime) / 1000,
    ownMs: own / 1000,
    gcMs: gc / 1000,
    programMs: program / 1000,
    bundleMs: bundle / 1000,
    top,
  };
}

/**
 * Profiles the Worker from a process of its own (this module run as a script), so that the
 * profile's transfer and summary cost the load driver nothing. `stop()` ends the profile.
 */
export async function profileWorkerFromChild(
  inspectorPort: number,
): Promise<{ stop(): Promise<WorkerCpu> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, String(inspectorPort)],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  // wrangler's proxy sometimes never connects a DevTools client to the Worker (seen in
  // bench/worker.sh runs after the timed phases, never when tried by hand): give up after 20 s.
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) {
      clearTimeout(timer);
      await child.status;
      throw new Error(`the profiler did not start (no DevTools session within 20 s) ${out}`);
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
      if (!status.success) throw new Error(`the profiler failed (${status.code})`);
      return JSON.parse(out) as WorkerCpu;
    },
  };
}

/** Adds up the summaries of consecutive profiles. */
export function addUp(parts: WorkerCpu[]): WorkerCpu {
  const byName = new Map<string, number>();
  for (const p of parts) {
    for (const f of p.top) byName.set(f.name, (byName.get(f.name) ?? 0) + f.ms);
  }
  const sum = (k: "wallMs" | "ownMs" | "gcMs" | "programMs" | "bundleMs") =>
    parts.reduce((n, p) => n + p[k], 0);
  return {
    wallMs: sum("wallMs"),
    ownMs: sum("ownMs"),
    gcMs: sum("gcMs"),
    programMs: sum("programMs"),
    bundleMs: sum("bundleMs"),
    top: [...byName].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([name, ms]) => ({ name, ms })),
  };
}

if (import.meta.main) {
  // deno run -A bench/worker_cpu.ts INSPECTOR_PORT: prints "started", profiles until its stdin
  // closes, then prints the summary as JSON. The profile is taken in windows of one second:
  // wrangler's proxy is itself a Worker, whose WebSocket messages stop at 1 MiB, and the
  // profile of a longer window is larger than that (it never arrives).
  const port = Number(Deno.args[0]);
  let open = true;
  const closed = (async () => {
    for await (const _ of Deno.stdin.readable) { /* until the driver closes it */ }
    open = false;
  })();
  const parts: WorkerCpu[] = [];
  // One DevTools session for every window: wrangler's proxy lets one client in at a time.
  const inspector = await Inspector.connect(`ws://127.0.0.1:${port}/ws`);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 500 });
  await inspector.send("Profiler.start");
  console.log("started");
  const t0 = performance.now();
  for (;;) {
    await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
    const { profile } = await inspector.send<{ profile: CpuProfile }>("Profiler.stop");
    parts.push(summarize(profile, /worker\.js/));
    if (!open) break;
    await inspector.send("Profiler.start");
  }
  inspector.close();
  const total = addUp(parts);
  // The gaps between windows (a few ms each) are not sampled: scale to the whole span.
  const coverage = Math.min(1, total.wallMs / (performance.now() - t0));
  const scale = (ms: number) => ms / coverage;
  console.log(JSON.stringify({
    ...total,
    ownMs: scale(total.ownMs),
    gcMs: scale(total.gcMs),
    programMs: scale(total.programMs),
    bundleMs: scale(total.bundleMs),
    top: total.top.map((f) => ({ name: f.name, ms: scale(f.ms) })),
    coverage,
  }));
}
