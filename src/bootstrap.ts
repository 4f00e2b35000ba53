/**
 * @module Start-up on Deno shared by the server and the CLI: config from the environment, keys,
 * the database (migrated when embedded), and the dependencies.
 */
import { type Config, ConfigError, parseConfig } from "./config.ts";
import { gatherConfig } from "./config_sources.ts";
import { migrateDb, openLibsqlDb } from "./db/client.ts";
import { buildDeps, type Deps, parseEncryptionKey, parseSigningKeys } from "./deps.ts";
import { systemClock } from "./lib/clock.ts";
import { jsonLogger, type LineSink } from "./lib/log.ts";
import { loadOrCreateKeys } from "./keys_file.ts";
import { dirname } from "node:path";

/**
 * The configuration: the JSON file named by CONFIG_FILE (if set), the environment over it, and
 * `<KEY>_FILE` secrets (src/config_sources.ts). Exits with the errors, each naming its key and
 * file, when anything is wrong.
 */
export function readEnvConfig(): Config {
  try {
    const path = Deno.env.get("CONFIG_FILE");
    let file: { path: string; text: string } | undefined;
    if (path) {
      try {
        file = { path, text: Deno.readTextFileSync(path) };
      } catch (e) {
        throw new ConfigError([`CONFIG_FILE: cannot read ${path}: ${(e as Error).message}`]);
      }
    }
    const { record, sources } = gatherConfig({
      env: Deno.env.toObject(),
      file,
      readText: (p) => Deno.readTextFileSync(p),
    });
    return parseConfig(record, sources);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      Deno.exit(2);
    }
    throw e;
  }
}

/**
 * `logToStderr`: for the CLI, whose stdout is the command's output (audit events are logged).
 * `logSink`: where log lines go (the server buffers them: src/lib/log_sink.ts).
 * `server`: a long-running server, whose file database is checkpointed in the background.
 */
export async function bootstrap(
  config: Config,
  options: { logToStderr?: boolean; logSink?: LineSink; server?: boolean } = {},
): Promise<Deps> {
  const log = jsonLogger(config.LOG_LEVEL, systemClock, {
    allToStderr: options.logToStderr,
    sink: options.logSink,
  });
  const url = config.DATABASE_URL;
  if (url.startsWith("file:")) {
    await Deno.mkdir(dirname(url.slice("file:".length)) || ".", { recursive: true });
  }
  const db = await openLibsqlDb({
    url,
    authToken: config.DATABASE_AUTH_TOKEN,
    syncUrl: config.DATABASE_SYNC_URL,
    syncInterval: config.DATABASE_SYNC_INTERVAL,
    ...(options.server
      ? {
        backgroundCheckpointMs: 500,
        onCheckpointFailure: (error: string) =>
          log("error", "db.checkpoint_failed", { error, fallback: "wal_autocheckpoint" }),
      }
      : {}),
  });
  if (config.AUTO_MIGRATE) await migrateDb(db);
  const generated = await loadOrCreateKeys(config.KEYS_FILE, {
    signing: !config.SIGNING_KEYS,
    encryption: !config.ENCRYPTION_KEY,
  }, log);
  try {
    return await buildDeps({
      config,
      db,
      clock: systemClock,
      log,
      signingKeys: config.SIGNING_KEYS
        ? parseSigningKeys(config.SIGNING_KEYS)
        : generated.signingKeys!,
      encryptionKey: parseEncryptionKey(config.ENCRYPTION_KEY ?? generated.encryptionKey!),
    });
  } catch (e) {
    console.error(
      e instanceof ConfigError ? e.message : `invalid configuration: ${(e as Error).message}`,
    );
    Deno.exit(2);
  }
}
