/**
 * @module The command line: `deno task cli <command>`. Non-interactive: passwords come from
 * standard input, so scripts and the first admin use the same path.
 *
 *   migrate
 *   users:create --username NAME [--role admin] [--role user]   (password on stdin)
 *   users:list
 *   keys:generate                                               (prints new production keys)
 */
import { parseArgs } from "node:util";
import { bootstrap, readEnvConfig } from "./bootstrap.ts";
import { migrateDb } from "./db/client.ts";
import { listUsers } from "./users/repo.ts";
import { createUser } from "./users/service.ts";
import { parseRoles } from "./users/users.ts";
import { generateSigningJwk } from "./tokens/tokens.ts";
import { randomBytes } from "./lib/crypto.ts";
import { toBase64 } from "./lib/encoding.ts";

const USAGE = `usage: deno task cli <command>
  migrate                                   apply the SQL migrations
  users:create --username NAME [--role R]   create a user; the password is read from stdin
  users:list                                list users and their 2FA status
  keys:generate                             print a new SIGNING_KEYS and ENCRYPTION_KEY`;

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
  if (command === "keys:generate") {
    console.log(`SIGNING_KEYS='${JSON.stringify([await generateSigningJwk()])}'`);
    console.log(`ENCRYPTION_KEY='${toBase64(randomBytes(32))}'`);
    return 0;
  }
  const config = readEnvConfig();
  switch (command) {
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

Deno.exit(await main(Deno.args));
