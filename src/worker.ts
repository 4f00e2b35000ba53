/**
 * @module Cloudflare Workers entry: `export default { fetch }`. Configuration comes from the
 * Worker's `env` (vars and secrets), read once per isolate; the database is a D1 binding named
 * `DB` or libSQL/Turso over HTTP when `DATABASE_URL` is set. Must not import Deno-only modules
 * (`bootstrap.ts`, `keys_file.ts`, `db/client.ts` at run time).
 *
 * Nothing here keeps request state in the isolate: counters, replay guards and locks all live
 * in the database, since Workers run many isolates and may drop any of them at any time.
 */
import type { ExecutionContext, Hono } from "hono";
import { createApp } from "./app.ts";
import { ConfigError, configKeys, configWarnings, parseConfig } from "./config.ts";
import { type D1Binding, openD1Db, openLibsqlHttpDb } from "./db/edge.ts";
import { buildDeps, parseEncryptionKey, parseSigningKeys } from "./deps.ts";
import { systemClock } from "./lib/clock.ts";
import { jsonLogger, urlForLog } from "./lib/log.ts";
import { housekeepingTick } from "./housekeeping/housekeeping.ts";
import { deliverDue, takeOutboxPending } from "./outbox/outbox.ts";
import type { Deps } from "./deps.ts";

/** The Worker's bindings: vars and secrets are strings, `DB` is the optional D1 binding. */
export type WorkerEnv = { DB?: D1Binding } & Record<string, unknown>;

/** Builds the app from the Worker's env; throws a ConfigError naming what is wrong. */
export async function createWorkerApp(env: WorkerEnv): Promise<Hono> {
  return (await startWorker(env)).app;
}

type Started = { app: Hono; deps: Deps };

async function startWorker(env: WorkerEnv): Promise<Started> {
  const record: Record<string, string | undefined> = {};
  for (const key of configKeys()) {
    const value = env[key];
    if (typeof value === "string") record[key] = value;
  }
  // Metrics live in one isolate's memory, and Workers run many: off unless asked for.
  if (!record.METRICS_ENABLED) record.METRICS_ENABLED = "false";
  const config = parseConfig(record);
  const log = jsonLogger(config.LOG_LEVEL, systemClock);
  // nodemailer needs Node's net and tls; a Worker has neither, so mail there is a JSON POST.
  if (config.SMTP_URL || config.SMTP_CA_FILE) {
    throw new ConfigError([
      "SMTP_URL: Workers have no SMTP client; set MAIL_WEBHOOK_URL to a receiver that hands " +
      "the mail to an HTTP mail API (see docs/mail.md), and unset SMTP_URL and SMTP_CA_FILE",
    ]);
  }

  // Workers have no disk for generated keys: both must be secrets, or nothing is served.
  const missing = (["SIGNING_KEYS", "ENCRYPTION_KEY"] as const).filter((k) => !config[k]);
  if (missing.length) {
    throw new ConfigError(
      missing.map((k) =>
        `${k}: required on Workers; set it with \`wrangler secret put ${k}\` ` +
        "(values from `deno task cli keys:generate`)"
      ),
    );
  }

  let db;
  if (typeof env.DATABASE_URL === "string" && env.DATABASE_URL !== "") {
    if (!/^(libsql|https?):\/\//.test(config.DATABASE_URL)) {
      throw new ConfigError([
        "DATABASE_URL: on Workers only libsql://, https:// or http:// (libSQL over HTTP) work",
      ]);
    }
    db = openLibsqlHttpDb({ url: config.DATABASE_URL, authToken: config.DATABASE_AUTH_TOKEN });
  } else if (env.DB) {
    db = openD1Db(env.DB);
  } else {
    throw new ConfigError([
      "DB: no database; bind a D1 database as DB in wrangler.toml or set DATABASE_URL " +
      "(and DATABASE_AUTH_TOKEN) for Turso",
    ]);
  }

  let signingKeys, encryptionKey;
  try {
    signingKeys = parseSigningKeys(config.SIGNING_KEYS!);
    encryptionKey = parseEncryptionKey(config.ENCRYPTION_KEY!);
  } catch (e) {
    throw new ConfigError([(e as Error).message]);
  }
  const deps = await buildDeps({ config, db, clock: systemClock, log, signingKeys, encryptionKey });
  for (const warning of configWarnings(config)) log("warn", warning);
  log("info", "worker.ready", {
    database: env.DB && !env.DATABASE_URL ? "d1" : urlForLog(config.DATABASE_URL),
  });
  return { app: createApp(deps), deps };
}

// The outbox (webhooks, mail through MAIL_WEBHOOK_URL) has no background loop on Workers: it is
// run after a response (ctx.waitUntil) when this isolate enqueued something since the last run,
// or at least OUTBOX_RETRY_MS after it (retries of another isolate's rows); and by a Cron
// Trigger if one is configured (`scheduled`). Rows are claimed atomically, so isolates running
// it at once never send one twice.
const OUTBOX_RETRY_MS = 60_000;
let lastOutboxRun = 0;

function runOutbox(deps: Deps, ctx: ExecutionContext, force = false): void {
  const now = Date.now();
  if (typeof ctx?.waitUntil !== "function") return;
  if (!takeOutboxPending() && !force && now - lastOutboxRun < OUTBOX_RETRY_MS) return;
  lastOutboxRun = now;
  ctx.waitUntil(
    deliverDue(deps).then(() => undefined).catch((e) =>
      deps.log("error", "outbox.delivery", { error: String(e) })
    ),
  );
}

// Housekeeping runs from the Cron Trigger, at most every HOUSEKEEPING_MINUTES per isolate (a
// trigger may fire every minute for the outbox); 0 turns it off.
let lastHousekeeping = -Infinity;

function runHousekeeping(deps: Deps, ctx: ExecutionContext): Promise<unknown> | undefined {
  const every = deps.config.HOUSEKEEPING_MINUTES * 60_000;
  const now = deps.clock.now().getTime();
  if (every === 0 || now - lastHousekeeping < every) return undefined;
  lastHousekeeping = now;
  const pass = housekeepingTick(deps);
  if (typeof ctx?.waitUntil === "function") ctx.waitUntil(pass);
  return pass;
}

// One app per isolate, built on the first request. A failed start is not cached, so a fixed
// secret or a database that comes back is picked up by the next request.
let app: Promise<Started> | undefined;

export default {
  async fetch(req: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    app ??= startWorker(env).catch((e) => {
      app = undefined;
      throw e;
    });
    let ready: Started;
    try {
      ready = await app;
    } catch (e) {
      // Fail closed: no configuration, no service. The reason goes to the logs, not the client.
      console.error(JSON.stringify({
        t: new Date().toISOString(),
        level: "error",
        msg: "worker.start_failed",
        error: e instanceof ConfigError ? e.message : String((e as Error)?.stack ?? e),
      }));
      return Response.json(
        { error: { code: "service_unavailable", message: "The service is not configured." } },
        { status: 503, headers: { "Cache-Control": "no-store", "Retry-After": "60" } },
      );
    }
    const res = await ready.app.fetch(req, env, ctx);
    runOutbox(ready.deps, ctx);
    return res;
  },

  /**
   * A Cron Trigger (optional, see docs/mail.md) delivers the outbox without traffic, and runs
   * the housekeeping pass (docs/operations.md), which logs its own errors.
   */
  async scheduled(_event: unknown, env: WorkerEnv, ctx: ExecutionContext): Promise<void> {
    app ??= startWorker(env).catch((e) => {
      app = undefined;
      throw e;
    });
    const { deps } = await app;
    runOutbox(deps, ctx, true);
    await runHousekeeping(deps, ctx);
  },
};
