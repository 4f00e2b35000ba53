/** @module Everything with side effects, built once and passed to createApp. */
import type { Config } from "./config.ts";
import type { Db } from "./db/client.ts";
import type { Clock } from "./lib/clock.ts";
import type { SecretKeys } from "./lib/crypto.ts";
import type { Logger } from "./lib/log.ts";
import type { Mailer } from "./mail/mailer.ts";
import type { Pbkdf2 } from "./lib/password.ts";
import type { Metrics } from "./observability/metrics.ts";
import type { SigningKeys } from "./tokens/tokens.ts";

export type Deps = {
  db: Db;
  clock: Clock;
  config: Config;
  keys: SigningKeys;
  secrets: SecretKeys;
  log: Logger;
  /** Prometheus counters and histograms, served at /metrics; one registry per Deps. */
  metrics: Metrics;
  /** A hash of a random password at the configured cost, checked for unknown usernames. */
  dummyPasswordHash: string;
  /** Replaceable PBKDF2 (tests count its calls); defaults to WebCrypto. */
  pbkdf2?: Pbkdf2;
  /** The SMTP channel (Deno, with SMTP_URL); set by main.ts after the deps are built. */
  mailer?: Mailer;
  /** The first-run setup link's token while no admin exists (src/setup/); else SETUP_TOKEN. */
  setup?: { token: string; expiresAt: number | null };
  /**
   * With PROCESSES > 1 and metrics on: the other processes' snapshot sockets, whose counts
   * /metrics adds to this process's own (src/observability/peers.ts). Set by main.ts.
   */
  metricsPeers?: string[];
};

import type { JWK } from "jose";
import { ConfigError, REMEMBER_ME_DAYS_MAX, SESSION_HOURS_MAX } from "./config.ts";
import { DAY, HOUR, MINUTE } from "./lib/clock.ts";
import { deriveSecretKeys } from "./lib/crypto.ts";
import { fromBase64Url } from "./lib/encoding.ts";
import { unmatchableHash } from "./lib/password.ts";
import { TRUSTED_DEVICE_MAX_DAYS } from "./policy/policy.ts";
import { loadSigningKeys, type TokenLifetimes } from "./tokens/tokens.ts";
import { observeAudit } from "./audit/repo.ts";
import { createMetrics } from "./observability/metrics.ts";
import { countAuditEvent, logAuditEvent } from "./observability/events.ts";

/** Parses SIGNING_KEYS: one private JWK, or a JSON array of them with the newest last. */
export function parseSigningKeys(value: string): JWK[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error("SIGNING_KEYS: not valid JSON (expected a private JWK or an array of them)");
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (
    list.length === 0 || !list.every((k) => k && typeof k === "object" && "d" in k && "kid" in k)
  ) {
    throw new Error("SIGNING_KEYS: every key must be a private JWK with a kid");
  }
  return list as JWK[];
}

/**
 * The longest lifetime each token kind is issued with, in seconds; verification refuses longer
 * ones. A pending token lives PENDING_TOKEN_MINUTES (second factor) or ENROLLMENT_MINUTES
 * (enrollment); a session at most SESSION_HOURS_MAX, or REMEMBER_ME_DAYS_MAX with remember-me
 * (admins may set any lifetime up to those in the console, taking effect without a restart, so
 * the maximum is the top of the range, not the variables' values); a trusted device
 * the policy's days, which an admin may raise to TRUSTED_DEVICE_MAX_DAYS at any time.
 */
export function tokenLifetimes(config: Config): TokenLifetimes {
  return {
    pending: Math.max(config.PENDING_TOKEN_MINUTES, config.ENROLLMENT_MINUTES) * MINUTE / 1000,
    session: Math.max(SESSION_HOURS_MAX * HOUR, REMEMBER_ME_DAYS_MAX * DAY) / 1000,
    device: TRUSTED_DEVICE_MAX_DAYS * DAY / 1000,
  };
}

/** Decodes ENCRYPTION_KEY (base64 or base64url, 32 bytes). */
export function parseEncryptionKey(value: string): Uint8Array {
  const bytes = fromBase64Url(value.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""));
  if (bytes.length !== 32) throw new Error("ENCRYPTION_KEY: must decode to 32 bytes");
  return bytes;
}

/**
 * Loads the signing keys, each checked with a sign-and-verify round trip. A key that cannot
 * work stops the start with a ConfigError naming where it came from and which key it is.
 */
async function signingKeysOrConfigError(config: Config, jwks: JWK[], pendingKey: CryptoKey) {
  try {
    return await loadSigningKeys(jwks, config.ISSUER, tokenLifetimes(config), pendingKey);
  } catch (e) {
    const source = config.SIGNING_KEYS ? "SIGNING_KEYS" : `signing_keys in ${config.KEYS_FILE}`;
    throw new ConfigError([`${source}: ${(e as Error).message}`]);
  }
}

/** Builds the dependencies every request shares; done once per process or isolate. */
export async function buildDeps(input: {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  signingKeys: JWK[];
  encryptionKey: Uint8Array;
  pbkdf2?: Pbkdf2;
}): Promise<Deps> {
  const secrets = await deriveSecretKeys(
    input.encryptionKey,
    input.config.RECOVERY_CODE_KEY ? parseEncryptionKey(input.config.RECOVERY_CODE_KEY) : undefined,
  );
  const deps: Deps = {
    db: input.db,
    clock: input.clock,
    config: input.config,
    log: input.log,
    metrics: createMetrics(),
    keys: await signingKeysOrConfigError(input.config, input.signingKeys, secrets.pendingToken),
    secrets,
    dummyPasswordHash: unmatchableHash(input.config.PBKDF2_ITERATIONS),
    ...(input.pbkdf2 ? { pbkdf2: input.pbkdf2 } : {}),
  };
  // Every security event also becomes a JSON log line and a metric. Looked up on `deps` at each
  // event, so a test that swaps `deps.log` sees them.
  observeAudit(input.db, (row) => {
    logAuditEvent(deps.log, row);
    countAuditEvent(deps.metrics, row);
  });
  return deps;
}
