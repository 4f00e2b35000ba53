/**
 * @module Configuration: one zod schema over environment variables. `parseConfig` takes a plain
 * record (Deno.env in main.ts, the Workers `env` in worker.ts) and never reads the environment.
 */
import { z } from "zod";
import { parseHostList } from "./http/redirect.ts";
import { parseCidr } from "./lib/ip.ts";

/**
 * The longest session lifetimes, with and without remember-me: the top of both the variables'
 * and the console settings' ranges, and so the session token's maximum lifetime (src/deps.ts).
 */
export const SESSION_HOURS_MAX = 24;
export const REMEMBER_ME_DAYS_MAX = 30;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

export const configSchema = z.object({
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: int(0, 65535).default(8000),
  /**
   * Deno, Linux: server processes sharing PORT (SO_REUSEPORT) and the database file; the first
   * starts the others (src/processes.ts). One per core at most is useful.
   */
  PROCESSES: int(1, 64).default(1),
  /** The origin people reach the service at; used for cookie and redirect decisions. */
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().min(1).default("file:./data/twofold.db"),
  DATABASE_AUTH_TOKEN: z.string().min(1).optional(),
  /** Turso URL to sync from: DATABASE_URL (a file:) then is an embedded replica of it. */
  DATABASE_SYNC_URL: z.string().regex(/^(libsql|https?):\/\//, "must be libsql:// or https://")
    .optional(),
  /** Seconds between background syncs of an embedded replica; unset: sync at start only. */
  DATABASE_SYNC_INTERVAL: int(1, 86_400).optional(),
  /** Private signing key(s): a JWK (Ed25519, or an older P-256) or a JSON array, newest last. */
  SIGNING_KEYS: z.string().min(1).optional(),
  /** 32 bytes, base64: encrypts TOTP secrets and keys the recovery-code and CSRF HMACs. */
  ENCRYPTION_KEY: z.string().regex(/^[A-Za-z0-9+/_-]{43}=?$/, "must be 32 bytes in base64")
    .optional(),
  /**
   * 32 bytes, base64: keys the recovery-code HMAC instead of ENCRYPTION_KEY. Recovery codes are
   * stored as keyed hashes that cannot be recomputed, so this must stay the same when
   * ENCRYPTION_KEY rotates: set it to the old ENCRYPTION_KEY before the first rotation.
   */
  RECOVERY_CODE_KEY: z.string().regex(/^[A-Za-z0-9+/_-]{43}=?$/, "must be 32 bytes in base64")
    .optional(),
  /** Where the embedded default keeps generated keys when none are configured. */
  KEYS_FILE: z.string().min(1).default("./data/keys.json"),
  ISSUER: z.string().min(1).max(64).default("twofold"),
  PBKDF2_ITERATIONS: int(1_000, 10_000_000).default(600_000),
  PENDING_TOKEN_MINUTES: int(1, 60).default(5),
  ENROLLMENT_MINUTES: int(1, 120).default(15),
  PENDING_MAX_ATTEMPTS: int(1, 20).default(5),
  SESSION_HOURS: int(1, SESSION_HOURS_MAX).default(24),
  REMEMBER_ME_DAYS: int(1, REMEMBER_ME_DAYS_MAX).default(7),
  SECOND_FACTOR_MAX_FAILURES: int(1, 100).default(10),
  SECOND_FACTOR_LOCK_MINUTES: int(1, 1440).default(15),
  RECOVERY_CODE_COUNT: int(5, 20).default(10),
  /** Cookie security: "auto" uses `__Host-` and Secure except for plain http on localhost. */
  COOKIE_SECURE: z.enum(["auto", "true", "false"]).default("auto"),
  /** A header set by a trusted proxy that carries the client address (e.g. X-Real-IP). */
  CLIENT_IP_HEADER: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  AUTO_MIGRATE: bool.default(true),
  /** Password failures per account within the window that lock the account. */
  PASSWORD_MAX_FAILURES: int(1, 100).default(5),
  PASSWORD_FAILURE_WINDOW_MINUTES: int(1, 1440).default(15),
  PASSWORD_LOCK_MINUTES: int(1, 10_080).default(30),
  /** After this many lockouts an account stays locked until an admin unlocks it; 0: never. */
  PERMANENT_LOCKOUT_AFTER: int(0, 100).default(0),
  /** Login failures per client address (IPv6 per /64) within the window before a block. */
  IP_MAX_FAILURES: int(1, 10_000).default(20),
  IP_FAILURE_WINDOW_MINUTES: int(1, 1440).default(15),
  IP_BLOCK_MINUTES: int(1, 10_080).default(15),
  /** Repeat offenders: each block lasts twice the one before, up to this (= IP_BLOCK_MINUTES: no growth). */
  IP_BLOCK_MAX_MINUTES: int(1, 43_200).default(1440),
  /** A block that began within this many hours counts as a previous offence. */
  IP_BLOCK_REPEAT_HOURS: int(1, 720).default(24),
  /**
   * Comma-separated CIDR ranges the admin console and admin API answer from; anywhere else they
   * answer 403 whatever the session. Empty: from anywhere.
   */
  ADMIN_ALLOWED_NETWORKS: z.string().default("").transform((value, ctx) => {
    const ranges = value.split(",").map((s) => s.trim()).filter(Boolean);
    for (const r of ranges) {
      if (!parseCidr(r)) ctx.addIssue({ code: "custom", message: `"${r}" is not a CIDR range` });
    }
    return ranges;
  }),
  /** Comma-separated CIDR ranges never throttled (e.g. an office or a monitoring host). */
  IP_ALLOWLIST: z.string().default(""),
  /** Concurrent sessions per user; creating one more ends the oldest. */
  MAX_SESSIONS_PER_USER: int(1, 100).default(3),
  /** Idle timeout of sessions without remember-me (NIST 800-63B rev 4: 1 h or less at AAL2). */
  SESSION_IDLE_MINUTES: int(1, 1440).default(60),
  /** A session used from another address than its sign-in (IPv6: another /64) is ended. */
  SESSION_BIND_ADDRESS: bool.default(false),
  RESET_TOKEN_MINUTES: int(5, 1440).default(60),
  /** Where reset links are POSTed as JSON; unset: no delivery (see RESET_LINKS_IN_LOG). */
  RESET_WEBHOOK_URL: z.url().optional(),
  /**
   * Without RESET_WEBHOOK_URL, write reset links (live tokens) to the log. Off by default: anyone
   * who reads the log could reset passwords. The start warns while it is on.
   */
  RESET_LINKS_IN_LOG: bool.default(false),
  API_KEY_DAYS: int(1, 3650).default(90),
  /** Successful uses of one API key or token are audited at most once per this many minutes. */
  API_KEY_AUDIT_MINUTES: int(0, 1440).default(10),
  /** Delegation: an admin may act as a (non-admin) user for a limited time. Off by default. */
  DELEGATION_ENABLED: bool.default(false),
  /** How long a delegation lasts at most (never past the admin's own session). */
  DELEGATION_MINUTES: int(1, 240).default(30),
  // ---- mail ----
  /**
   * The SMTP server mail leaves through: `smtps://user:pass@host:465` (TLS from the start) or
   * `smtp://user:pass@host:587` (STARTTLS, required unless the host is a loopback address).
   * Deno only: Workers have no SMTP client (use MAIL_WEBHOOK_URL there).
   */
  SMTP_URL: z.string().max(2048).regex(
    /^smtps?:\/\/[^/?#]+\/?$/,
    "must be smtp://host[:port] or smtps://host[:port]",
  )
    .optional(),
  /** A PEM file of extra certificate authorities the SMTP server's certificate may chain to. */
  SMTP_CA_FILE: z.string().min(1).max(4096).optional(),
  /** Without SMTP_URL: each mail is POSTed here as JSON (to, subject, text, html), e.g. to a relay. */
  MAIL_WEBHOOK_URL: z.url().optional(),
  /** The sender of every mail: `twofold@example.com` or `Twofold <twofold@example.com>`. */
  MAIL_FROM: z.string().max(320).regex(
    /^(?:[^<>\r\n]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/,
    "must be an address, optionally with a name: Name <user@example.com>",
  ).optional(),
  /** How long the "this wasn't me" link of a security mail stays usable, in days. */
  NOTICE_LINK_DAYS: int(1, 90).default(14),
  /** Security alerts (e.g. repeated second-factor failures) are POSTed here as JSON. */
  ALERT_WEBHOOK_URL: z.url().optional(),
  /**
   * Comma-separated hosts (optionally `host:port`) that the login may send a browser back to
   * with an absolute URL, e.g. the apps a reverse proxy protects with `/api/v1/verify`.
   */
  FORWARD_AUTH_ALLOWED_HOSTS: z.string().default("").transform((value, ctx) => {
    try {
      return parseHostList(value);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
      return z.NEVER;
    }
  }),
  /**
   * How often (seconds) a process checks the stored access rules for a change made by another
   * process; the process that saves them uses the new rules at once. 0 checks on every request.
   * Remote libSQL and D1 only: on an embedded file the rules are read again after any write
   * (src/access/service.ts).
   */
  ACCESS_RULES_RELOAD_SECONDS: int(0, 3600).default(5),
  /** How long (seconds) a single sign-on hand-off code lives between the portal and a host. */
  SSO_CODE_SECONDS: int(5, 300).default(30),
  /**
   * How often (minutes) the housekeeping pass deletes dead tokens, codes and long-ended sessions
   * (src/housekeeping/); 0 turns it off. Deno: the primary process, first five seconds after start;
   * Workers: the Cron Trigger, at most this often per isolate.
   */
  HOUSEKEEPING_MINUTES: int(0, 10080).default(60),
  /**
   * The largest request body accepted, in bytes; a larger one is refused with 413 before it is
   * read (by Content-Length at once, by counting for chunked bodies). The default covers the
   * largest legitimate body, a 2FA policy with every list full (about 66 kB as a form).
   */
  MAX_BODY_BYTES: int(16_384, 16_777_216).default(131_072),
  /**
   * Seconds a request has, from its arrival, to send its whole body; a slower one is answered
   * 408 and the server stops waiting for it (src/http/body_deadline.ts).
   */
  BODY_TIMEOUT_SECONDS: int(1, 300).default(10),
  /** Serve Prometheus metrics at /metrics (the Workers entry defaults it to false). */
  METRICS_ENABLED: bool.default(true),
  /** When set, /metrics requires `Authorization: Bearer <this>`. */
  /** Branding: the product name in page headers and titles (default: ISSUER). */
  BRAND_NAME: z.string().trim().min(1).max(64).optional(),
  /** Branding: a logo shown before the name, an https: URL or an inline data:image/... URI. */
  BRAND_LOGO: z.string().max(65_536).refine(
    (v) =>
      /^https:\/\/[^\s"'<>]+$/.test(v) ||
      /^data:image\/(png|svg\+xml|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$/.test(v),
    "must be an https: URL or a data:image/...;base64, URI",
  ).optional(),
  /** Branding: the accent colour of links and buttons (#rrggbb), and its dark-mode variant. */
  BRAND_ACCENT: z.string().regex(/^#[0-9a-fA-F]{6}$/, "must be a colour like #2747c4").optional(),
  BRAND_ACCENT_DARK: z.string().regex(/^#[0-9a-fA-F]{6}$/, "must be a colour like #8ea6ff")
    .optional(),
  /**
   * The first-run setup link's token, valid until an admin exists (Workers: a secret). Unset on
   * Deno: while no admin exists, each start prints a new link valid SETUP_LINK_MINUTES.
   */
  SETUP_TOKEN: z.string().regex(
    /^[A-Za-z0-9_-]{32,256}$/,
    "must be 32-256 characters of A-Z a-z 0-9 _ -",
  )
    .optional(),
  SETUP_LINK_MINUTES: int(5, 1440).default(60),
  METRICS_TOKEN: z.string().regex(
    /^[A-Za-z0-9._~+/=-]{16,256}$/,
    "must be 16-256 characters of A-Z a-z 0-9 . _ ~ + / = -",
  ).optional(),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n${issues.map((i) => `  - ${i}`).join("\n")}`);
  }
}

/**
 * Parses configuration; throws a ConfigError naming every bad variable, and where it came from
 * when `sources` says (a config file, a secret file).
 */
export function parseConfig(
  record: Record<string, string | undefined>,
  sources: Record<string, string> = {},
): Config {
  const cleaned = Object.fromEntries(
    Object.entries(record).filter(([, v]) => v !== undefined && v !== ""),
  );
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const key = issue.path.join(".");
        return `${key}${sources[key] ? ` (${sources[key]})` : ""}: ${issue.message}`;
      }),
    );
  }
  if (result.data.DATABASE_SYNC_URL && !result.data.DATABASE_URL.startsWith("file:")) {
    throw new ConfigError([
      "DATABASE_SYNC_URL: needs DATABASE_URL to be a file: URL (the local replica)",
    ]);
  }
  if (result.data.PROCESSES > 1) {
    const url = result.data.DATABASE_URL;
    const problem = result.data.PORT === 0
      ? "needs a fixed PORT (every process listens on the same one)"
      : url === ":memory:" || url === "file::memory:"
      ? "needs a shared database (each process would have its own in-memory one)"
      : result.data.DATABASE_SYNC_URL
      ? "cannot share an embedded replica (DATABASE_SYNC_URL) between processes"
      : null;
    if (problem) {
      throw new ConfigError([
        `PROCESSES${sources.PROCESSES ? ` (${sources.PROCESSES})` : ""}: ${problem}`,
      ]);
    }
  }
  if ((result.data.SMTP_URL || result.data.MAIL_WEBHOOK_URL) && !result.data.MAIL_FROM) {
    throw new ConfigError([
      "MAIL_FROM: required with SMTP_URL or MAIL_WEBHOOK_URL (the sender of every mail)",
    ]);
  }
  return result.data;
}

/** Settings that work but weaken security: logged as warnings at every start. */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.RESET_LINKS_IN_LOG && !config.RESET_WEBHOOK_URL) {
    warnings.push(
      "RESET_LINKS_IN_LOG=true: password reset links with live tokens are written to the log; " +
        "anyone who can read the log can reset passwords. Set RESET_WEBHOOK_URL instead.",
    );
  }
  if ((config.SMTP_URL || config.MAIL_WEBHOOK_URL) && !config.PUBLIC_URL) {
    warnings.push(
      "mail is on but PUBLIC_URL is unset: links in security mail point at " +
        `http://${config.HOST}:${config.PORT}; set PUBLIC_URL to the address people use.`,
    );
  }
  return warnings;
}

/** Reads only the variables the schema knows. */
export function configKeys(): string[] {
  return Object.keys(configSchema.shape);
}
