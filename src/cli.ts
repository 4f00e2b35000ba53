/**
 * @module The command line: `deno task cli <command>`. Non-interactive: passwords come from
 * standard input, so scripts and the first admin use the same path.
 *
 *   migrate
 *   users:create --username NAME [--role admin] [--role user]   (password on stdin)
 *   users:list
 *   admin:bypass --username NAME [--plain]   (emergency: reset an admin's 2FA, print a pass)
 *   keys:generate                                               (prints new production keys)
 *   keys:rotate [--keep N]                   (adds a signing key: the newest signs, all verify)
 *   secrets:reencrypt [--dry-run] [--rows FILE]    (OLD_ENCRYPTION_KEY -> ENCRYPTION_KEY)
 *   users:sql --username NAME [--role R]     (password on stdin; prints SQL, e.g. for D1)
 *   oidc:create-client --name NAME --redirect-uri URI [--redirect-uri URI] [--public]
 *   db:backup --output FILE                  (a consistent copy of the embedded database)
 *   config:schema                            (the JSON Schema of CONFIG_FILE)
 *   users:import --file FILE                 (JSON lines: users with bcrypt or own hashes)
 *   totp:import --file FILE [--format uri|authelia-csv]   (authenticators from elsewhere)
 *   users:export [--output FILE]             (JSON lines; TOTP secrets stay encrypted)
 */
import { parseArgs } from "node:util";
import { dirname } from "node:path";
import { bootstrap as bootstrapServer, readEnvConfig } from "./bootstrap.ts";
import { migrateDb } from "./db/client.ts";
import { backupEmbedded, embeddedPath } from "./db/backup.ts";
import { configJsonSchema } from "./config_sources.ts";
import {
  parseAutheliaCsv,
  parseOtpauthUris,
  parseUserLines,
  type TotpRecord,
  type UserRecord,
} from "./transfer/parse.ts";
import { exportUsers, importTotp, importUsers } from "./transfer/service.ts";
import { findUserByUsername, listUsers } from "./users/repo.ts";
import { resetTwofa } from "./admin/service.ts";
import { clientInput, createClient } from "./oidc/clients.ts";
import { createUser } from "./users/service.ts";
import { parseRoles } from "./users/users.ts";
import { generateRsaSigningJwk, generateSigningJwk, isRsaJwk } from "./tokens/tokens.ts";
import {
  decryptSecret,
  deriveSecretKeys,
  encryptSecret,
  randomBytes,
  type SecretKeys,
} from "./lib/crypto.ts";
import { toBase64 } from "./lib/encoding.ts";
import type { Config } from "./config.ts";
import { type Db, openLibsqlDb } from "./db/client.ts";
import { buildDeps, parseEncryptionKey, parseSigningKeys } from "./deps.ts";
import { systemClock } from "./lib/clock.ts";
import { silentLogger } from "./lib/log.ts";
import { sql } from "drizzle-orm";
import type { JWK } from "jose";

/** Logs (audit events among them) go to stderr: stdout is the command's output. */
const bootstrap = (config: Config) => bootstrapServer(config, { logToStderr: true });

const USAGE = `usage: deno task cli <command>
  migrate                                   apply the SQL migrations
  users:create --username NAME [--role R]   create a user; the password is read from stdin
  users:list                                list users and their 2FA status
  admin:bypass --username NAME [--plain]    emergency access: reset an admin's 2FA and print
                                            a one-time enrollment pass (24 h)
  keys:generate                             print a new SIGNING_KEYS and ENCRYPTION_KEY
  keys:rotate [--keep N]                    add a new signing key (newest signs, older ones
                                            verify): rewrites KEYS_FILE, or prints the new
                                            SIGNING_KEYS when that variable is set
  secrets:reencrypt [--dry-run]             re-encrypt every TOTP secret from
                                            OLD_ENCRYPTION_KEY to ENCRYPTION_KEY
     [--rows FILE]                          ... rows from \`wrangler d1 execute --json\` (D1):
                                            prints the UPDATEs as SQL instead of writing
  users:sql --username NAME [--role R]      print the SQL that creates a user (password on
                                            stdin), for databases this CLI cannot reach (D1)
  oidc:create-client --name NAME            register an OpenID Connect client; prints one line
     --redirect-uri URI [--redirect-uri URI]  of JSON {"client_id", "client_secret"} (the
     [--post-logout-redirect-uri URI]       secret is shown only here; none with --public)
     [--public] [--rs256]
  db:backup --output FILE                   write a consistent copy of the embedded database
                                            (safe while the server runs; back up the keys too)
  config:schema                             print the JSON Schema of the config file
  users:import --file FILE                  add users from JSON lines (bcrypt hashes are
                                            checked at login, then re-hashed)
  totp:import --file FILE [--format F]      add authenticators: otpauth URIs, one per line
                                            (F=uri, default) or Authelia's CSV (authelia-csv)
  users:export [--output FILE]              users and authenticators as JSON lines (secrets
                                            stay encrypted; import needs the same keys)`;

async function readStdin(): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of Deno.stdin.readable) chunks.push(chunk);
  const text = new TextDecoder().decode(
    chunks.reduce((a, b) => {
      const out = new Uint8Array(a.length + b.length);
      out.set(a);
      out.set(b, a.length);
      return out;
    }, new Uint8Array()),
  );
  return text.replace(/\r?\n$/, "");
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "config:schema") {
    console.log(JSON.stringify(configJsonSchema(), null, 2));
    return 0;
  }
  if (command === "keys:generate") {
    // The RSA key signs only OpenID Connect tokens of RS256 clients; the Ed25519 key (last,
    // newest) signs everything else.
    const keys = [await generateRsaSigningJwk(), await generateSigningJwk()];
    console.log(`SIGNING_KEYS='${JSON.stringify(keys)}'`);
    console.log(`ENCRYPTION_KEY='${toBase64(randomBytes(32))}'`);
    return 0;
  }
  const config = readEnvConfig();
  switch (command) {
    case "keys:rotate":
      return await rotateSigningKeys(config, rest);
    case "secrets:reencrypt":
      return await reencryptSecrets(config, rest);
    case "users:sql":
      return await userSql(config, rest);
    case "db:backup":
      return backupDb(config, rest);
    case "users:import":
    case "totp:import":
    case "users:export":
      return await transfer(config, command, rest);
    case "migrate": {
      const deps = await bootstrap({ ...config, AUTO_MIGRATE: false });
      await migrateDb(deps.db);
      console.log("migrations applied");
      return 0;
    }
    case "users:create": {
      const { values } = parseArgs({
        args: rest,
        options: { username: { type: "string" }, role: { type: "string", multiple: true } },
        strict: true,
      });
      if (!values.username) {
        console.error("users:create needs --username NAME (and the password on stdin)");
        return 2;
      }
      const password = await readStdin();
      const deps = await bootstrap(config);
      const r = await createUser(deps, {
        username: values.username,
        password,
        roles: values.role ?? [],
        actor: "cli",
      });
      if (!r.ok) {
        console.error(`${r.field}: ${r.message}`);
        return 1;
      }
      console.log(`created user ${r.user.displayName} (${r.user.id}) roles=${r.user.roles}`);
      return 0;
    }
    case "admin:bypass": {
      return await emergencyBypass(config, rest);
    }
    case "oidc:create-client":
      return await createOidcClient(config, rest);
    case "users:list": {
      const deps = await bootstrap(config);
      const rows = await listUsers(deps.db);
      console.log(["username", "roles", "2fa", "disabled"].join("\t"));
      for (const u of rows) {
        console.log([
          u.displayName,
          parseRoles(u.roles).join(",") || "-",
          u.authenticatorCount > 0 ? `enrolled (${u.authenticatorCount})` : "not enrolled",
          u.disabled ? "yes" : "no",
        ].join("\t"));
      }
      return 0;
    }
    default:
      console.error(USAGE);
      return command ? 2 : 0;
  }
}

/**
 * Adds a new signing key after the existing ones: tokens are signed with the newest, and the
 * older keys stay in the JWKS to verify the tokens they signed until those expire (trusted
 * devices live as long as the policy's trusted-device days). `--keep N` keeps only the newest N
 * keys.
 */
/** users:import, totp:import, users:export (src/transfer/). */
async function transfer(config: Config, command: string, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      file: { type: "string" },
      output: { type: "string" },
      format: { type: "string", default: "uri" },
    },
    strict: true,
  });
  if (command === "users:export") {
    const deps = await bootstrap(config);
    const text = (await exportUsers(deps)).map((l) => l + "\n").join("");
    if (values.output) await Deno.writeTextFile(values.output, text, { mode: 0o600 });
    else await Deno.stdout.write(new TextEncoder().encode(text));
    return 0;
  }
  if (!values.file) {
    console.error(`${command} needs --file FILE`);
    return 2;
  }
  if (command === "totp:import" && !["uri", "authelia-csv"].includes(values.format!)) {
    console.error("totp:import --format is uri or authelia-csv");
    return 2;
  }
  const text = await Deno.readTextFile(values.file);
  const parsed = command === "users:import"
    ? parseUserLines(text)
    : values.format === "authelia-csv"
    ? parseAutheliaCsv(text)
    : parseOtpauthUris(text);
  if (parsed.errors.length) {
    // Nothing is imported from a file with errors: fix it and run again.
    for (const e of parsed.errors) console.error(`${values.file}: ${e}`);
    return 1;
  }
  const deps = await bootstrap(config);
  const report = command === "users:import"
    ? await importUsers(deps, parsed.records as UserRecord[])
    : await importTotp(deps, parsed.records as TotpRecord[]);
  for (const s of report.skipped) console.error(`skipped ${s}`);
  console.log(`imported ${report.imported}, skipped ${report.skipped.length}`);
  return report.skipped.length ? 1 : 0;
}

/** `db:backup --output FILE`: VACUUM INTO a new file, checked (src/db/backup.ts). */
function backupDb(config: Config, args: string[]): number {
  const { values } = parseArgs({ args, options: { output: { type: "string" } }, strict: true });
  if (!values.output) {
    console.error("db:backup needs --output FILE");
    return 2;
  }
  const source = embeddedPath(config.DATABASE_URL);
  if (!source) {
    console.error(
      "db:backup copies the embedded file database (DATABASE_URL=file:...); for Turso and D1 " +
        "see docs/operations.md#backups",
    );
    return 2;
  }
  const r = backupEmbedded(source, values.output);
  if (!r.ok) {
    console.error(`db:backup: ${r.message}`);
    return 1;
  }
  console.log(`backup written: ${values.output} (${r.bytes} bytes, integrity ok)`);
  console.error(
    "db:backup: the keys are not in it: keep SIGNING_KEYS, ENCRYPTION_KEY and RECOVERY_CODE_KEY " +
      `(or ${config.KEYS_FILE}) with it, or the TOTP secrets cannot be read`,
  );
  return 0;
}

/**
 * Emergency access for when every admin is locked out: resets the named admin's 2FA with a
 * one-time enrollment pass, printed once. The audit event (emergency.bypass) is highlighted on
 * the admin dashboard. Needs the database and keys, i.e. shell access to the server.
 */
async function emergencyBypass(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { username: { type: "string" }, plain: { type: "boolean" } },
    strict: true,
  });
  if (!values.username) {
    console.error("admin:bypass needs --username NAME");
    return 2;
  }
  const deps = await bootstrap(config);
  const user = await findUserByUsername(deps.db, values.username);
  if (!user || !parseRoles(user.roles).includes("admin")) {
    console.error(`admin:bypass: no admin named ${values.username}`);
    return 1;
  }
  const r = await resetTwofa(deps, { cli: true }, user.id, values.plain ? "plain" : "pass");
  if (!r.ok) {
    console.error(`admin:bypass: ${r.code}`);
    return 1;
  }
  console.log(`2FA of ${user.displayName} was reset; all their sessions ended.`);
  if (r.pass) {
    console.log(`one-time enrollment pass (valid until ${new Date(r.expiresAt!).toISOString()}):`);
    console.log(r.pass);
    console.log("Sign in with the password, then enter this pass to enroll a new authenticator.");
  }
  return 0;
}

/** Registers an OpenID Connect client and prints its id and (once) its secret as JSON. */
async function createOidcClient(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: "string" },
      "redirect-uri": { type: "string", multiple: true },
      "post-logout-redirect-uri": { type: "string", multiple: true },
      public: { type: "boolean" },
      rs256: { type: "boolean" },
    },
    strict: true,
  });
  const parsed = clientInput.safeParse({
    name: values.name,
    redirect_uris: values["redirect-uri"] ?? [],
    post_logout_redirect_uris: values["post-logout-redirect-uri"] ?? [],
    public: values.public ?? false,
    signing_alg: values.rs256 ? "RS256" : "EdDSA",
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      console.error(`oidc:create-client: ${issue.path.join(".") || "input"}: ${issue.message}`);
    }
    console.error("usage: oidc:create-client --name NAME --redirect-uri URI [--public]");
    return 2;
  }
  const deps = await bootstrap(config);
  const r = await createClient(deps, parsed.data, {
    userId: null,
    username: "cli",
    meta: { ip: null, userAgent: null },
  });
  if (!r.ok) {
    console.error(`oidc:create-client: ${r.field}: ${r.message}`);
    return 1;
  }
  console.log(JSON.stringify({ client_id: r.row.id, client_secret: r.secret }));
  return 0;
}

async function rotateSigningKeys(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { keep: { type: "string" } }, strict: true });
  const keep = values.keep === undefined ? Infinity : Number(values.keep);
  if (!Number.isInteger(keep) && keep !== Infinity || keep < 1) {
    console.error("keys:rotate: --keep needs a whole number of at least 1");
    return 2;
  }
  // --keep counts the keys that sign twofold's tokens; the RSA key (OpenID Connect RS256) stays.
  const rotate = async (current: JWK[]) => [
    ...current.filter(isRsaJwk),
    ...[...current.filter((k) => !isRsaJwk(k)), await generateSigningJwk()].slice(-keep),
  ];
  if (config.SIGNING_KEYS) {
    const keys = await rotate(parseSigningKeys(config.SIGNING_KEYS));
    console.log(`SIGNING_KEYS='${JSON.stringify(keys)}'`);
    console.error(
      `signing key ${keys.at(-1)!.kid} added; ${keys.length} key(s) verify. Store the value ` +
        "above in your secret store (Workers: deno task wrangler secret put SIGNING_KEYS) and restart.",
    );
    return 0;
  }
  let stored: { signing_keys?: JWK[]; [k: string]: unknown } = {};
  try {
    stored = JSON.parse(await Deno.readTextFile(config.KEYS_FILE));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      console.error(`keys:rotate: cannot read ${config.KEYS_FILE}: ${e}`);
      return 1;
    }
  }
  const keys = await rotate(stored.signing_keys ?? []);
  await Deno.mkdir(dirname(config.KEYS_FILE), { recursive: true });
  const tmp = `${config.KEYS_FILE}.tmp`;
  await Deno.writeTextFile(tmp, JSON.stringify({ ...stored, signing_keys: keys }, null, 2) + "\n", {
    mode: 0o600,
  });
  await Deno.rename(tmp, config.KEYS_FILE);
  console.log(
    `signing key ${keys.at(-1)!.kid} added to ${config.KEYS_FILE}; ${keys.length} key(s) ` +
      "verify. Restart the server to sign with it.",
  );
  return 0;
}

type SecretRow = { tbl: "authenticators" | "enrollments"; id: string; userId: string; enc: string };
type SecretUpdate = SecretRow & { newEnc: string };

/** Every stored TOTP secret: authenticators and enrollments, both bound to `totp:<userId>`. */
async function readSecretRows(db: Db): Promise<SecretRow[]> {
  const rows = await db.all<{ tbl: string; id: string; user_id: string; secret_enc: string }>(
    sql`SELECT 'authenticators' AS tbl, id, user_id, secret_enc FROM authenticators
        UNION ALL SELECT 'enrollments' AS tbl, id, user_id, secret_enc FROM enrollments`,
  );
  return rows.map(toSecretRow);
}

function toSecretRow(r: Record<string, unknown>): SecretRow {
  if (
    (r.tbl !== "authenticators" && r.tbl !== "enrollments") || typeof r.id !== "string" ||
    typeof r.user_id !== "string" || typeof r.secret_enc !== "string"
  ) throw new Error(`unexpected row: ${JSON.stringify(Object.keys(r))}`);
  return { tbl: r.tbl, id: r.id, userId: r.user_id, enc: r.secret_enc };
}

async function tryDecrypt(keys: SecretKeys, row: SecretRow): Promise<string | null> {
  try {
    return await decryptSecret(keys.encryption, row.enc, `totp:${row.userId}`);
  } catch {
    return null;
  }
}

/**
 * Re-encrypts every TOTP secret from OLD_ENCRYPTION_KEY to ENCRYPTION_KEY. Rows already under
 * the new key are left alone, so a run that stopped halfway can simply be repeated; a row that
 * neither key opens is reported and left untouched (exit 1). Each UPDATE is conditional on the
 * ciphertext it read, so a secret changed meanwhile is never overwritten with a stale one.
 */
async function reencryptSecrets(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { "dry-run": { type: "boolean" }, rows: { type: "string" } },
    strict: true,
  });
  const oldValue = Deno.env.get("OLD_ENCRYPTION_KEY");
  if (!oldValue || !config.ENCRYPTION_KEY) {
    console.error(
      "secrets:reencrypt needs OLD_ENCRYPTION_KEY (the key in use) and ENCRYPTION_KEY (the new " +
        "one, from keys:generate) in the environment",
    );
    return 2;
  }
  if (!config.RECOVERY_CODE_KEY) {
    console.error(
      "secrets:reencrypt: set RECOVERY_CODE_KEY to the old ENCRYPTION_KEY, here and in the " +
        "service's configuration, first. Recovery codes are stored as HMACs keyed from it and " +
        "cannot be re-keyed; without it every recovery code would stop working.",
    );
    return 2;
  }
  let oldKeys: SecretKeys, newKeys: SecretKeys;
  try {
    oldKeys = await deriveSecretKeys(parseEncryptionKey(oldValue));
    newKeys = await deriveSecretKeys(parseEncryptionKey(config.ENCRYPTION_KEY));
  } catch (e) {
    console.error(
      `secrets:reencrypt: ${(e as Error).message} (OLD_ENCRYPTION_KEY or ENCRYPTION_KEY)`,
    );
    return 2;
  }

  let db: Db | undefined;
  let rows: SecretRow[];
  if (values.rows) {
    const parsed = JSON.parse(await Deno.readTextFile(values.rows));
    const results = (Array.isArray(parsed) ? parsed : [parsed]).flatMap((r) => r.results ?? []);
    rows = results.map(toSecretRow);
  } else {
    db = await openLibsqlDb({
      url: config.DATABASE_URL,
      authToken: config.DATABASE_AUTH_TOKEN,
      syncUrl: config.DATABASE_SYNC_URL,
    });
    rows = await readSecretRows(db);
  }

  const updates: SecretUpdate[] = [];
  const failed: SecretRow[] = [];
  let already = 0;
  for (const row of rows) {
    if (await tryDecrypt(newKeys, row) !== null) {
      already++;
      continue;
    }
    const plain = await tryDecrypt(oldKeys, row);
    if (plain === null) {
      failed.push(row);
      continue;
    }
    const newEnc = await encryptSecret(newKeys.encryption, plain, `totp:${row.userId}`);
    if (await tryDecrypt(newKeys, { ...row, enc: newEnc }) !== plain) {
      throw new Error("re-encryption did not round-trip; nothing written for this row");
    }
    updates.push({ ...row, newEnc });
  }

  let written = 0;
  let raced = 0;
  if (values.rows) {
    const q = (v: string) => `'${v.replaceAll("'", "''")}'`;
    for (const u of updates) {
      console.log(
        `UPDATE ${u.tbl} SET secret_enc = ${q(u.newEnc)} WHERE id = ${q(u.id)} AND secret_enc = ${
          q(u.enc)
        };`,
      );
    }
  } else if (!values["dry-run"]) {
    const tables = { authenticators: "authenticators", enrollments: "enrollments" } as const;
    for (let i = 0; i < updates.length; i += 50) {
      const chunk = updates.slice(i, i + 50);
      const statements = chunk.map((u) =>
        db!.all<{ id: string }>(
          sql`UPDATE ${sql.identifier(tables[u.tbl])} SET secret_enc = ${u.newEnc}
              WHERE id = ${u.id} AND secret_enc = ${u.enc} RETURNING id`,
        )
      );
      const results = await db!.batch(statements as [typeof statements[0]]);
      for (const r of results) r.length === 1 ? written++ : raced++;
    }
  }
  const report = [
    `${rows.length} secret(s)`,
    `${updates.length} to re-encrypt`,
    values.rows
      ? "printed as SQL"
      : values["dry-run"]
      ? "dry run: nothing written"
      : `${written} written`,
    `${already} already under the new key`,
    ...(raced ? [`${raced} changed meanwhile (run again)`] : []),
    `${failed.length} opened by neither key`,
  ].join(", ");
  console.error(`secrets:reencrypt: ${report}`);
  for (const f of failed) console.error(`  not decryptable: ${f.tbl} ${f.id}`);
  return failed.length || raced ? 1 : 0;
}

/**
 * Prints the INSERTs that create users, made by the same code as users:create (rules,
 * normalisation, password hash at PBKDF2_ITERATIONS) against a scratch in-memory database.
 * For D1: `... | deno task cli users:sql --username admin --role admin > admin.sql`, then
 * `deno task wrangler d1 execute DB --remote --file admin.sql`.
 */
async function userSql(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      username: { type: "string", multiple: true },
      role: { type: "string", multiple: true },
    },
    strict: true,
  });
  if (!values.username?.length) {
    console.error("users:sql needs --username NAME (repeatable; the password on stdin)");
    return 2;
  }
  const password = await readStdin();
  const scratch: Config = {
    ...config,
    DATABASE_URL: ":memory:",
    DATABASE_SYNC_URL: undefined,
    RECOVERY_CODE_KEY: undefined,
  };
  const db = await openLibsqlDb({ url: ":memory:" });
  await migrateDb(db);
  const deps = await buildDeps({
    config: scratch,
    db,
    clock: systemClock,
    log: silentLogger,
    signingKeys: [await generateSigningJwk()],
    encryptionKey: randomBytes(32),
  });
  for (const username of values.username) {
    const r = await createUser(deps, {
      username,
      password,
      roles: values.role ?? [],
      actor: "cli",
    });
    if (!r.ok) {
      console.error(`${username}: ${r.field}: ${r.message}`);
      return 1;
    }
  }
  for (const table of ["users", "audit_events"]) {
    const rows = await db.all<Record<string, unknown>>(
      sql`SELECT * FROM ${sql.identifier(table)} ORDER BY rowid`,
    );
    for (const row of rows) {
      const cols = Object.keys(row);
      const vals = cols.map((c) => sqlLiteral(row[c]));
      console.log(`INSERT INTO ${table} (${cols.join(", ")}) VALUES (${vals.join(", ")});`);
    }
  }
  return 0;
}

function sqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (typeof v === "boolean") return v ? "1" : "0";
  return `'${String(v).replaceAll("'", "''")}'`;
}

Deno.exit(await main(Deno.args));
