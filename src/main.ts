/** @module Deno entry: parse config, open libSQL, serve createApp(deps). */
import { createApp } from "./app.ts";
import { bootstrap, readEnvConfig } from "./bootstrap.ts";
import { configWarnings } from "./config.ts";
import { urlForLog } from "./lib/log.ts";
import { bufferedStdio } from "./lib/log_sink.ts";
import { smtpMailer } from "./mail/smtp.ts";
import { deliverDue } from "./outbox/outbox.ts";
import { adminExists } from "./setup/repo.ts";
import { newSetupToken, setupLink } from "./setup/service.ts";

const config = readEnvConfig();
const logSink = bufferedStdio();
const deps = await bootstrap(config, { logSink, server: true });
for (const warning of configWarnings(config)) deps.log("warn", warning);
if (config.SMTP_URL) deps.mailer = await smtpMailer(config);
// First run: while no admin exists, a one-time setup link (printed once listening).
if (!config.SETUP_TOKEN && !(await adminExists(deps.db))) {
  deps.setup = newSetupToken(deps.clock.now(), config.SETUP_LINK_MINUTES);
}
const app = createApp(deps);

const server = Deno.serve({
  hostname: config.HOST,
  port: config.PORT,
  onListen: ({ hostname, port }) => {
    deps.log("info", "listening", {
      url: `http://${hostname}:${port}/`,
      database: urlForLog(config.DATABASE_URL),
    });
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
// or failing receiver never holds up a request.
const outbox = setInterval(() => {
  deliverDue(deps).catch((e) => deps.log("error", "outbox.delivery", { error: String(e) }));
}, 10_000);

// On SIGTERM or SIGINT: stop accepting, let requests in flight finish, write the last log lines.
let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  clearInterval(outbox);
  deps.mailer?.close();
  deps.log("info", "stopping", { signal });
  await Promise.race([server.shutdown(), new Promise((r) => setTimeout(r, 10_000))]);
  logSink.flush();
  Deno.exit(0);
};
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, () => void stop(signal));
}
globalThis.addEventListener("unload", () => logSink.flush());
