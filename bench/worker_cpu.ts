/**
 * @module The Worker's own CPU time under `wrangler dev`, apart from what shares its workerd
 * process (miniflare's entry worker, the local D1's Durable Object and SQLite, workerd's own
 * I/O): a V8 CPU profile of the Worker's isolate, taken through wrangler's inspector (the
 * DevTools protocol on `--inspector-port`, which speaks to that isolate only).
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
};

/** A DevTools-protocol session on the first target the inspector lists. */
class Inspector {
  #ws: WebSocket;
  #next = 1;
  #waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
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

/**
 * The DevTools WebSocket URL of a worker (the user Worker, `core:user:<name>`, by default) in
 * workerd's own inspector in the process `pid` (wrangler dev starts workerd with
 * `--inspector-addr=127.0.0.1:0`): the listening port whose /json lists workerd's workers.
 * Each port is asked once, on a connection of its own (workerd's inspector does not keep a
 * connection alive, and a pooled one hangs the next request).
 */
export async function findWorkerdInspector(pid: number, target = /^core:user:/): Promise<string> {
  const inodes = new Set<string>();
  for (const fd of Deno.readDirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(Deno.readLinkSync(`/proc/${pid}/fd/${fd.name}`));
      if (m) inodes.add(m[1]);
    } catch { /* closed meanwhile */ }
  }
  const ports = Deno.readTextFileSync("/proc/net/tcp").split("\n").slice(1)
    .map((l) => l.trim().split(/\s+/))
    // state 0A: LISTEN
    .filter((f) => f[3] === "0A" && inodes.has(f[9]))
    .map((f) => parseInt(f[1].split(":")[1], 16));
  using client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  for (const port of ports) {
    // One of workerd's ports (--debug-port) answers nothing: give each 2 s, no more.
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const body = await Promise.race([
      fetch(`http://127.0.0.1:${port}/json`, {
        signal: abort.signal,
        headers: { connection: "close" },
        client,
      }).then((r) => r.text()),
      new Promise<string>((resolve) => timer = setTimeout(() => resolve(""), 2000)),
    ]).catch(() => "").finally(() => {
      clearTimeout(timer);
      abort.abort();
    });
    if (!body.startsWith("[")) continue;
    const url = (JSON.parse(body) as { id: string; webSocketDebuggerUrl: string }[])
      .find((t) => target.test(t.id))?.webSocketDebuggerUrl;
    if (url) return url;
  }
  throw new Error(`no workerd inspector among the ports of process ${pid}: ${ports}`);
}

/** Starts profiling the isolate at `url` (findWorkerdInspector); `stop()` ends it and sums. */
export async function profileWorker(
  url: string,
  bundleMatch = /worker\.js/,
): Promise<{ stop(): Promise<WorkerCpu> }> {
  const inspector = await Inspector.connect(url);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 250 });
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
 * Profiles the Worker in workerd process `pid` from a process of its own (this module run as
 * a script): inside the load driver, with its many connections, the inspector's WebSocket
 * never answered, where a separate process is answered at once. `stop()` ends the profile.
 */
export async function profileWorkerFromChild(pid: number): Promise<{ stop(): Promise<WorkerCpu> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, String(pid)],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the profiler exited: ${out}`);
    out += value;
  }
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

if (import.meta.main) {
  // deno run -A bench/worker_cpu.ts WORKERD_PID [TARGET]: prints "started", profiles until its
  // stdin closes, then prints the summary as JSON.
  const url = await findWorkerdInspector(
    Number(Deno.args[0]),
    new RegExp(Deno.args[1] ?? "^core:user:"),
  );
  const p = await profileWorker(url);
  console.log("started");
  for await (const _ of Deno.stdin.readable) { /* until the driver closes it */ }
  console.log(JSON.stringify(await p.stop()));
}
