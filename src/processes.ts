/**
 * @module Several server processes on one port (PROCESSES > 1, Linux only). The first process,
 * the primary, starts the others with the same executable, flags and environment, plus
 * TWOFOLD_PROCESS=<n>. Each one opens the database file itself (WAL, busy_timeout: SQLite
 * serialises their writers) and serves the same port with SO_REUSEPORT, so the kernel spreads
 * new connections among them and JavaScript runs on as many cores as there are processes.
 *
 * What the processes must agree on, and how they do:
 * - sessions, tokens' revocation, lockouts and rate limits, settings: in the database, read by
 *   every request, so a change written through one process is seen by the next request on any;
 * - the access rules and the session checks' answers: kept in memory per process, read again
 *   after any commit to the file by any connection (src/db/changes.ts, src/access/service.ts,
 *   src/sessions/check_cache.ts), so they are as exact as a read of every request;
 * - the setup link's one-time token: the primary's, handed to each child on its stdin (never in
 *   its environment or arguments, which other local users may read in /proc);
 * - background work (outbox delivery) runs in the primary only; each process checkpoints its
 *   own WAL connection (PASSIVE checkpoints: SQLite lets one run at a time, the others skip);
 * - /metrics: each process counts its own requests and serves a snapshot of them on a Unix socket
 *   in a private directory the primary creates; the process that answers a scrape adds the
 *   others' (src/observability/peers.ts).
 *
 * Writers: each process's group commit (src/db/embedded.ts) holds the write lock from its
 * `BEGIN IMMEDIATE` to the end of the event-loop turn; the other process's `BEGIN IMMEDIATE`
 * waits for it in SQLite's busy handler (busy_timeout 5 s, then SQLITE_BUSY fails that turn's
 * writes as any database error would). Reads never wait in WAL mode. The load run of bench/
 * processes.ts (1,000 TOTP logins, each a write batch, through two processes) had no error.
 *
 * Lifetimes: a child's stdin stays open while the primary lives; when it closes (the primary
 * exited, even by SIGKILL) the child stops. The primary stops every child on SIGTERM/SIGINT.
 * A child that exits on its own stops them all: with a non-zero code the primary exits 1, so
 * the service manager restarts the whole set (a crash is never restarted piecemeal).
 */

/** Set in a child's environment: its index (1..PROCESSES-1). */
export const PROCESS_ENV = "TWOFOLD_PROCESS";
/** The line a child writes on stderr once it listens (consumed by the primary). */
const READY_LINE = "twofold:process-ready";

export type Handoff = {
  setup: { token: string; expiresAt: number | null } | null;
  /** The directory of the /metrics snapshot sockets (src/observability/peers.ts), if metrics are on. */
  metricsDir: string | null;
};

export type Child = { index: number; pid: number; process: Deno.ChildProcess };

/** The command line this process was started with (Linux: /proc/self/cmdline). */
function ownArgs(): string[] {
  const argv = Deno.readTextFileSync("/proc/self/cmdline").split("\0");
  if (argv.at(-1) === "") argv.pop();
  return argv.slice(1);
}

/**
 * Starts `count` children and resolves once each listens; rejects (after killing the others)
 * if one exits or stays silent for 60 s. Their stdout is this process's; their stderr is
 * copied to this process's stderr.
 */
export async function startChildren(count: number, handoff: Handoff): Promise<Child[]> {
  if (Deno.build.os !== "linux") {
    throw new Error("PROCESSES > 1 needs Linux (SO_REUSEPORT spreads connections there only)");
  }
  const args = ownArgs();
  const children: Child[] = [];
  const ready: Promise<void>[] = [];
  for (let index = 1; index <= count; index++) {
    const process = new Deno.Command(Deno.execPath(), {
      args,
      env: { [PROCESS_ENV]: String(index) },
      stdin: "piped",
      stdout: "inherit",
      stderr: "piped",
    }).spawn();
    const writer = process.stdin.getWriter();
    await writer.write(new TextEncoder().encode(JSON.stringify(handoff) + "\n"));
    // The writer stays open: its end tells the child that the primary has gone.
    writer.releaseLock();
    children.push({ index, pid: process.pid, process });
    ready.push(relayStderr(process, index));
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      Promise.all(ready),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("a process did not listen within 60 s")), 60_000);
      }),
    ]);
  } catch (e) {
    for (const c of children) kill(c, "SIGKILL");
    throw e;
  } finally {
    clearTimeout(timer);
  }
  return children;
}

/** Copies a child's stderr to ours; resolves at its ready line, rejects if it ends first. */
function relayStderr(process: Deno.ChildProcess, index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let listening = false;
    (async () => {
      let rest = "";
      for await (const chunk of process.stderr.pipeThrough(new TextDecoderStream())) {
        rest += chunk;
        let nl;
        while ((nl = rest.indexOf("\n")) >= 0) {
          const line = rest.slice(0, nl);
          rest = rest.slice(nl + 1);
          if (!listening && line === READY_LINE) {
            listening = true;
            resolve();
          } else console.error(line);
        }
      }
      if (rest) console.error(rest);
    })().catch(() => {}).finally(() => {
      if (!listening) reject(new Error(`process ${index} exited before listening`));
    });
  });
}

function kill(child: Child, signal: Deno.Signal): void {
  try {
    child.process.kill(signal);
  } catch {
    // already gone
  }
}

/** Asks every child to stop (SIGTERM) and waits for them, SIGKILL after `graceMs`. */
export async function stopChildren(children: Child[], graceMs: number): Promise<void> {
  for (const c of children) kill(c, "SIGTERM");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const all = Promise.all(children.map((c) => c.process.status));
  await Promise.race([all, new Promise((r) => timer = setTimeout(r, graceMs))]);
  clearTimeout(timer);
  for (const c of children) kill(c, "SIGKILL");
  await all;
}

/** In a child: the primary's handoff, the first line on stdin; `onOrphaned` once stdin ends. */
export async function readHandoff(onOrphaned: () => void): Promise<Handoff> {
  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let nl;
  while ((nl = text.indexOf("\n")) < 0) {
    const { value, done } = await lines.read();
    if (done) throw new Error("the primary process closed stdin before the handoff");
    text += value;
  }
  const handoff = JSON.parse(text.slice(0, nl)) as Handoff;
  (async () => {
    while (!(await lines.read()).done) { /* nothing else is sent */ }
  })().catch(() => {}).finally(onOrphaned);
  return handoff;
}

/** In a child, once it listens: tells the primary (see READY_LINE). */
export function announceReady(): void {
  Deno.stderr.writeSync(new TextEncoder().encode(READY_LINE + "\n"));
}
