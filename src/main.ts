/**
 * @module Deno entry: parse config, open libSQL, serve createApp(deps). With PROCESSES > 1 this
 * process (the primary) also starts the others, which serve the same port (src/processes.ts).
 */
import { createApp } from "./app.ts";
import { bootstrap, readEnvConfig } from "./bootstrap.ts";
import { configWarnings } from "./config.ts";
import { urlForLog } from "./lib/log.ts";
import { bufferedStdio } from "./lib/log_sink.ts";
import { HOUSEKEEPING_FIRST_RUN_MS, housekeepingTick } from "./housekeeping/housekeeping.ts";
import { deliverDue } from "./outbox/outbox.ts";
import {
  announceReady,
  type Child,
  PROCESS_ENV,
  readHandoff,
  startChildren,
  stopChildren,
} from "./processes.ts";
import { peerSocket, serveSnapshots } from "./observability/peers.ts";
import { adminExists } from "./setup/repo.ts";
import { newSetupToken, setupLink } from "./setup/service.ts";

const childIndex = Number(Deno.env.get(PROCESS_ENV) ?? 0);
const primary = childIndex === 0;
const config = readEnvConfig();
const logSink = bufferedStdio();
const deps = await bootstrap(config, { logSink, server: true });
let stop: (signal: string, code?: number) => Promise<void> = () => Promise.resolve();
let children: Child[] = [];
let metricsDir: string | null = null;
if (primary) {
  for (const warning of configWarnings(config)) deps.log("warn", warning);
  if (config.SMTP_URL) {
    // nodemailer (5 MB of heap) is loaded only where mail goes out over SMTP.
    const { smtpMailer } = await import("./mail/smtp.ts");
    deps.mailer = await smtpMailer(config);
  }
  // First run: while no admin exists, a one-time setup link (printed once listening).
  if (!config.SETUP_TOKEN && !(await adminExists(deps.db))) {
    deps.setup = newSetupToken(deps.clock.now(), config.SETUP_LINK_MINUTES);
  }
  if (config.PROCESSES > 1) {
    try {
      // Private to the service's user (0700): the processes' /metrics snapshots meet there.
      if (config.METRICS_ENABLED) {
        metricsDir = await Deno.makeTempDir({ prefix: "twofold-metrics-" });
      }
      children = await startChildren(config.PROCESSES - 1, {
        setup: deps.setup ?? null,
        metricsDir,
      });
    } catch (e) {
      deps.log("error", "processes.start_failed", { error: String(e) });
      if (metricsDir) await Deno.remove(metricsDir, { recursive: true }).catch(() => {});
      logSink.flush();
      Deno.exit(1);
    }
  }
} else {
  // The primary's setup token, so the link it printed works whichever process answers; when the
  // primary has gone (stdin closed), this process stops too.
  const handoff = await readHandoff(() => void stop("primary_exited"));
  if (handoff.setup) deps.setup = handoff.setup;
  metricsDir = handoff.metricsDir;
}
// Several processes: each serves its counts to the others, and adds theirs to a scrape's answer.
let snapshots: { close(): void } | null = null;
if (metricsDir) {
  try {
    snapshots = serveSnapshots(peerSocket(metricsDir, childIndex), deps.metrics.registry);
  } catch (e) {
    // e.g. a TMPDIR so long that the socket's path does not fit (108 bytes on Linux)
    deps.log("error", "processes.metrics_socket_failed", { error: String(e) });
    logSink.flush();
    Deno.exit(1);
  }
}
if (metricsDir) {
  const dir = metricsDir;
  deps.metricsPeers = Array.from({ length: config.PROCESSES }, (_, i) => i)
    .filter((i) => i !== childIndex)
    .map((i) => peerSocket(dir, i));
}
const app = createApp(deps);

const server = Deno.serve({
  hostname: config.HOST,
  port: config.PORT,
  // Linux: every process binds the same port; the kernel spreads new connections among them.
  reusePort: config.PROCESSES > 1,
  onListen: ({ hostname, port }) => {
    deps.log("info", "listening", {
      url: `http://${hostname}:${port}/`,
      database: urlForLog(config.DATABASE_URL),
      ...(config.PROCESSES > 1 ? { process: childIndex, pid: Deno.pid } : {}),
    });
    if (!primary) return announceReady();
    if (deps.setup) {
      // On the terminal only, never in the structured log: it opens the first admin's page.
      const base = config.PUBLIC_URL ?? `http://${hostname}:${port}`;
      console.error(
        `\nNo admin yet. Create the first one (link valid ${config.SETUP_LINK_MINUTES} minutes, ` +
          `single use):\n  ${setupLink(base, deps.setup)}\n`,
      );
    }
  },
}, app.fetch);

// Webhook deliveries and mail (reset links, alerts, notifications) leave from the outbox in the background, so a slow
// or failing receiver never holds up a request. One process delivers (the claims are atomic anyway).
const outbox = primary
  ? setInterval(() => {
    deliverDue(deps).catch((e) => deps.log("error", "outbox.delivery", { error: String(e) }));
  }, 10_000)
  : undefined;

// Housekeeping (src/housekeeping/): dead tokens, codes and ended sessions are deleted five
// seconds after start, then every HOUSEKEEPING_MINUTES (0: never), by the primary only. It logs its
// errors, never throws.
const housekeepingOn = primary && config.HOUSEKEEPING_MINUTES > 0;
const housekeepingStart = housekeepingOn
  ? setTimeout(() => void housekeepingTick(deps), HOUSEKEEPING_FIRST_RUN_MS)
  : undefined;
const housekeeping = housekeepingOn
  ? setInterval(() => void housekeepingTick(deps), config.HOUSEKEEPING_MINUTES * 60_000)
  : undefined;

// On SIGTERM or SIGINT: stop accepting, let requests in flight finish, write the last log lines.
// The primary stops its children the same way, and waits for them.
let stopping = false;
stop = async (signal: string, code = 0) => {
  if (stopping) return;
  stopping = true;
  clearInterval(outbox);
  clearTimeout(housekeepingStart);
  clearInterval(housekeeping);
  deps.mailer?.close();
  deps.log("info", "stopping", {
    signal,
    ...(config.PROCESSES > 1 ? { process: childIndex } : {}),
  });
  await Promise.race([
    Promise.all([server.shutdown(), stopChildren(children, 10_000)]),
    new Promise((r) => setTimeout(r, 10_000)),
  ]);
  snapshots?.close();
  if (primary && metricsDir) await Deno.remove(metricsDir, { recursive: true }).catch(() => {});
  logSink.flush();
  Deno.exit(code);
};
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, () => void stop(signal));
}
// A child that exits on its own stops the whole set: after a signal to every process (exit code
// 0) quietly, after a crash with exit code 1, so that the service manager restarts them all.
for (const child of children) {
  child.process.status.then((status) => {
    if (stopping) return;
    if (status.success) return void stop("process_stopped");
    deps.log("error", "processes.exited", {
      process: child.index,
      pid: child.pid,
      code: status.code,
      signal: status.signal,
    });
    void stop("process_exited", 1);
  });
}
globalThis.addEventListener("unload", () => logSink.flush());
