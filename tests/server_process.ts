/**
 * @module Real server processes for the tests that need more than one on a database file
 * (tests/session_revocation_processes_test.ts, tests/access_rules_processes_test.ts): each
 * `deno run -A src/main.ts` with a clean environment on its own port, and the JSON API calls
 * those tests make.
 */
import { parseConfig } from "../src/config.ts";
import { migrateDb, openLibsqlDb } from "../src/db/client.ts";
import { buildDeps } from "../src/deps.ts";
import { systemClock } from "../src/lib/clock.ts";
import { silentLogger } from "../src/lib/log.ts";
import { generateSigningJwk } from "../src/tokens/tokens.ts";
import { totpCodeAt } from "../src/totp/totp.ts";
import { createUser } from "../src/users/service.ts";
import { assertEquals } from "./assert.ts";
import { PASSWORD } from "./helpers.ts";

const root = new URL("..", import.meta.url).pathname;

export type Server = { origin: string; child: Deno.ChildProcess };

/**
 * Starts the server on `dir`'s database. `env` adds to (or overrides) its environment; with
 * `stdout: "piped"` its log lines can be read from `child.output()` once it is stopped, with
 * `stderr: "piped"` what it prints on the terminal from `child.stderr` (the caller reads it).
 */
export async function startServer(
  dir: string,
  options: { env?: Record<string, string>; stdout?: "piped" | "null"; stderr?: "piped" | "null" } =
    {},
): Promise<Server> {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}src/main.ts`],
    cwd: dir,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? dir,
      ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
      DATABASE_URL: `file:${dir}/twofold.db`,
      KEYS_FILE: `${dir}/keys.json`,
      PBKDF2_ITERATIONS: "1000",
      LOG_LEVEL: "error",
      HOST: "127.0.0.1",
      PORT: String(port),
      NO_COLOR: "1",
      ...options.env,
    },
    stdin: "null",
    stdout: options.stdout ?? "null",
    stderr: options.stderr ?? "null",
  }).spawn();
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(`${origin}/healthz`);
      await r.body?.cancel();
      if (r.ok) return { origin, child };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  await child.output();
  throw new Error("server did not start");
}

export async function stopServer(s: Server): Promise<void> {
  try {
    s.child.kill("SIGTERM");
  } catch { /* gone */ }
  await s.child.status;
}

export async function call(
  server: Server,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const r = await fetch(`${server.origin}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : {} };
}

export type Signed = { token: string; sessionId: string; recoveryCodes: string[] };

/** Enrolls a user through the JSON API (their first login): a session and recovery codes. */
export async function enroll(server: Server, username: string): Promise<Signed> {
  const login = await call(server, "POST", "/api/v1/login", undefined, {
    username,
    password: PASSWORD,
  });
  assertEquals(login.json.status, "enrollment_required");
  const pending = login.json.pending_token as string;
  const start = await call(server, "POST", "/api/v1/enrollments", pending, {});
  assertEquals(start.status, 201);
  const confirm = await call(
    server,
    "POST",
    `/api/v1/enrollments/${start.json.enrollment_id}/confirm`,
    pending,
    { code: totpCodeAt(start.json.secret as string, new Date()) },
  );
  assertEquals(confirm.status, 200);
  const token = confirm.json.session_token as string;
  const me = await call(server, "GET", "/api/v1/session", token);
  return {
    token,
    sessionId: (me.json.session as { id: string }).id,
    recoveryCodes: confirm.json.recovery_codes as string[],
  };
}

/**
 * Makes a migrated database at `databaseUrl` with these users (password `PASSWORD`; "admin" is
 * an admin), by the app's own code straight into the file (as bench/seed.ts does): their ids.
 */
export async function seedUsers(
  databaseUrl: string,
  names: string[],
): Promise<Record<string, string>> {
  const config = parseConfig({ DATABASE_URL: databaseUrl, PBKDF2_ITERATIONS: "1000" });
  const db = await openLibsqlDb({ url: databaseUrl });
  await migrateDb(db);
  const deps = await buildDeps({
    config,
    db,
    clock: systemClock,
    log: silentLogger,
    signingKeys: [await generateSigningJwk()],
    encryptionKey: crypto.getRandomValues(new Uint8Array(32)),
  });
  const ids: Record<string, string> = {};
  try {
    for (const name of names) {
      const r = await createUser(deps, {
        username: name,
        password: PASSWORD,
        roles: name === "admin" ? ["admin"] : [],
        actor: "test",
      });
      if (!r.ok) throw new Error(r.message);
      ids[name] = r.user.id;
    }
  } finally {
    (db as unknown as { $client: { close(): void } }).$client.close();
  }
  return ids;
}
