/**
 * PROCESSES=2: the real server as two processes on one port and one database file. Both answer
 * (the process that owns each TCP connection is read from /proc), the setup link works through
 * either, a revocation written through one process is honoured by the very next check through
 * the other (while the other is checking in a loop), settings and access rules too, and
 * SIGTERM stops everything; a crashed child stops the set, and a killed primary its children.
 * /metrics answers for both processes, whichever one the scrape reaches.
 */
import { HttpConnection, type HttpRequest, type HttpResponse } from "../bench/http.ts";
import { totpCodeAt } from "../src/totp/totp.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { PASSWORD } from "./helpers.ts";

const root = new URL("..", import.meta.url).pathname;

function envFor(dir: string, port: number, extra: Record<string, string> = {}) {
  return {
    DATABASE_URL: `file:${dir}/twofold.db`,
    KEYS_FILE: `${dir}/keys.json`,
    PBKDF2_ITERATIONS: "1000",
    PORT: String(port),
    PROCESSES: "2",
    NO_COLOR: "1",
    // The /metrics sockets' directory (in the test's own, which goes with it even after a SIGKILL)
    TMPDIR: dir,
    ...extra,
  };
}

type Running = {
  process: Deno.ChildProcess;
  port: number;
  stderr: () => string;
  done: Promise<{ code: number; stderr: string }>;
};

async function start(dir: string, extra: Record<string, string> = {}): Promise<Running> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}src/main.ts`],
    cwd: dir,
    env: envFor(dir, port, extra),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  const read = (async () => {
    for await (const chunk of process.stderr.pipeThrough(new TextDecoderStream())) text += chunk;
  })();
  const done = Promise.all([process.status, read]).then(([s]) => ({ code: s.code, stderr: text }));
  const probe = new HttpConnection(port);
  for (let i = 0;; i++) {
    try {
      if ((await probe.request({ method: "GET", path: "/healthz" })).status === 200) break;
    } catch { /* not up yet */ }
    if (i > 300) throw new Error(`server did not start:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  probe.close();
  return { process, port, stderr: () => text, done };
}

/** The processes a process started (Linux: /proc/<pid>/task/<tid>/children). */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
    const text = Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/children`).trim();
    if (text) out.push(...text.split(/\s+/).map(Number));
  }
  return out;
}

const hexPort = (p: number) => p.toString(16).toUpperCase().padStart(4, "0");

/** Which of `pids` holds the server end of the loopback connection from `clientPort`. */
function ownerOf(serverPort: number, clientPort: number, pids: number[]): number | null {
  const local = `0100007F:${hexPort(serverPort)}`;
  const remote = `0100007F:${hexPort(clientPort)}`;
  const line = Deno.readTextFileSync("/proc/net/tcp").split("\n").map((l) => l.trim().split(/\s+/))
    .find((f) => f[1] === local && f[2] === remote);
  if (!line) return null;
  const socket = `socket:[${line[9]}]`;
  for (const pid of pids) {
    for (const fd of Deno.readDirSync(`/proc/${pid}/fd`)) {
      try {
        if (Deno.readLinkSync(`/proc/${pid}/fd/${fd.name}`) === socket) return pid;
      } catch { /* closed meanwhile */ }
    }
  }
  return null;
}

/** One kept-alive connection to each process: new connections until both have one. */
async function connectionPerProcess(port: number, pids: number[]) {
  const byPid = new Map<number, HttpConnection>();
  for (let i = 0; i < 200 && byPid.size < pids.length; i++) {
    const conn = new HttpConnection(port);
    assertEquals((await conn.request({ method: "GET", path: "/livez" })).status, 200);
    const owner = ownerOf(port, conn.localPort!, pids);
    if (owner !== null && !byPid.has(owner)) byPid.set(owner, conn);
    else conn.close();
  }
  assertEquals([...byPid.keys()].sort(), [...pids].sort(), "both processes answer");
  return pids.map((p) => byPid.get(p)!);
}

async function call(
  conn: HttpConnection,
  method: HttpRequest["method"],
  path: string,
  body?: unknown,
  bearer?: string,
  headers?: Record<string, string>,
  // deno-lint-ignore no-explicit-any
): Promise<HttpResponse & { json: any }> {
  const res = await conn.request({
    method,
    path,
    body: body === undefined ? (method === "GET" ? undefined : "{}") : JSON.stringify(body),
    bearer,
    headers,
  });
  let json = {};
  try {
    json = JSON.parse(res.body);
  } catch { /* not JSON */ }
  return { ...res, json };
}

/** TOTP codes for each user, never reusing a step (a login accepts the next step too). */
class Authenticator {
  step = 0;
  constructor(readonly secret: string) {}
  code(): string {
    const now = Math.floor(Date.now() / 30_000);
    this.step = Math.max(this.step + 1, now - 1);
    assert(this.step <= now + 1, "ran out of TOTP steps in this window");
    return totpCodeAt(this.secret, new Date(this.step * 30_000));
  }
}

async function enroll(conn: HttpConnection, username: string, password = PASSWORD) {
  const login = await call(conn, "POST", "/api/v1/login", { username, password });
  assertEquals(login.json.status, "enrollment_required", login.body);
  const pending = login.json.pending_token as string;
  const started = await call(conn, "POST", "/api/v1/enrollments", {}, pending);
  assertEquals(started.status, 201, started.body);
  const auth = new Authenticator(started.json.secret);
  const confirmed = await call(
    conn,
    "POST",
    `/api/v1/enrollments/${started.json.enrollment_id}/confirm`,
    { code: auth.code() },
    pending,
  );
  assertEquals(confirmed.status, 200, confirmed.body);
  return { auth, session: confirmed.json.session_token as string };
}

async function login(conn: HttpConnection, username: string, auth: Authenticator) {
  const first = await call(conn, "POST", "/api/v1/login", { username, password: PASSWORD });
  assertEquals(first.json.status, "second_factor_required", first.body);
  const done = await call(conn, "POST", "/api/v1/login/totp", {
    pending_token: first.json.pending_token,
    code: auth.code(),
  });
  assertEquals(done.status, 200, done.body);
  return done.json.session_token as string;
}

async function cli(dir: string, args: string[], stdin: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}src/cli.ts`, ...args],
    cwd: dir,
    env: { DATABASE_URL: `file:${dir}/twofold.db`, KEYS_FILE: `${dir}/keys.json`, NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(stdin));
  await w.close();
  const out = await child.output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
}

/**
 * Checks `token` through `checker` in a loop while `revoke` runs (through the other process);
 * every check that began after `revoke` answered must be refused, and the loop must have seen
 * the session alive before.
 */
async function honouredAtOnce(
  checker: HttpConnection,
  token: string,
  revoke: () => Promise<void>,
  path = "/api/v1/session",
  headers?: Record<string, string>,
) {
  let revokedAt = Infinity;
  let stop = false;
  let alive = 0;
  const after: number[] = [];
  const loop = (async () => {
    while (!stop) {
      const began = performance.now();
      const r = await call(checker, "GET", path, undefined, token, headers);
      if (began > revokedAt) after.push(r.status);
      else if (r.status === 200) alive++;
      if (after.length >= 50) stop = true;
    }
  })();
  await new Promise((r) => setTimeout(r, 30));
  try {
    await revoke();
    revokedAt = performance.now();
  } finally {
    if (revokedAt === Infinity) stop = true;
    await loop;
  }
  assert(alive > 0, "the session was never seen alive");
  assertEquals(after.filter((s) => s === 200).length, 0, `checks after the revocation: ${after}`);
  assert(after.every((s) => s === 401 || s === 403), `statuses: ${after}`);
}

const VERIFY_HEADERS = {
  "x-forwarded-host": "app.test",
  "x-forwarded-proto": "https",
  "x-forwarded-uri": "/",
};

Deno.test({
  name: "PROCESSES=2: both processes serve one port and database, and every check stays exact",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const server = await start(dir);
    const conns: HttpConnection[] = [];
    try {
      const primary = server.process.pid;
      const kids = childPids(primary);
      assertEquals(kids.length, 1, "one child process");
      const [a, b] = await connectionPerProcess(server.port, [primary, kids[0]]);
      conns.push(a, b);

      // The setup link the primary printed opens the page through either process.
      const token = /\/setup\?token=([A-Za-z0-9_-]+)/.exec(server.stderr())?.[1];
      assert(token, server.stderr());
      for (const c of [a, b]) {
        assertEquals((await call(c, "GET", `/setup?token=${token}`)).status, 200);
        assertEquals((await call(c, "GET", `/setup?token=${token}x`)).status, 404);
      }
      // An admin made by the CLI (a third process on the file) closes it on both.
      await cli(dir, ["users:create", "--username", "root", "--role", "admin"], PASSWORD);
      for (const c of [a, b]) {
        assertEquals((await call(c, "GET", `/setup?token=${token}`)).status, 410);
      }

      const admin = (await enroll(a, "root")).session;
      const ids: Record<string, string> = {};
      for (const name of ["alice", "bob", "carol", "dave"]) {
        const made = await call(b, "POST", "/api/v1/admin/users", {
          username: name,
          password: PASSWORD,
        }, admin);
        assertEquals(made.status, 201, made.body);
        ids[name] = made.json.user.id;
      }
      const alice = await enroll(a, "alice");
      const bob = await enroll(b, "bob");
      const carol = await enroll(a, "carol");
      const carol2 = await login(b, "carol", carol.auth);
      const dave = await enroll(b, "dave");

      // Access rules saved through one process: at once there, and on the other's next check.
      const open = { default: "deny", rules: [{ hosts: ["app.test"], action: "two_factor" }] };
      const closed = { default: "deny", rules: [] };
      const verify = (c: HttpConnection, t: string) =>
        call(c, "GET", "/api/v1/verify", undefined, t, VERIFY_HEADERS);
      assertEquals((await verify(b, alice.session)).status, 200); // the built-in rules
      assertEquals((await call(a, "PUT", "/api/v1/admin/access-rules", closed, admin)).status, 200);
      assertEquals((await verify(a, alice.session)).status, 403);
      assertEquals((await verify(b, alice.session)).status, 403);
      assertEquals((await call(b, "PUT", "/api/v1/admin/access-rules", open, admin)).status, 200);
      assertEquals((await verify(b, alice.session)).status, 200);
      assertEquals((await verify(a, alice.session)).status, 200);

      // Logout through the primary; the child's next check refuses the token.
      await honouredAtOnce(b, alice.session, async () => {
        assertEquals((await call(a, "POST", "/api/v1/logout", {}, alice.session)).status, 204);
      });
      // An admin ends bob's session through the child; the primary's next check refuses it.
      const list = await call(b, "GET", `/api/v1/admin/sessions?user=bob`, undefined, admin);
      const bobSession = list.json.sessions[0].id;
      await honouredAtOnce(a, bob.session, async () => {
        const r = await call(b, "DELETE", `/api/v1/admin/sessions/${bobSession}`, undefined, admin);
        assertEquals(r.status, 204);
      });
      // carol changes her password through the primary: her other session dies on the child.
      await honouredAtOnce(b, carol2, async () => {
        const r = await call(a, "POST", "/api/v1/me/password", {
          current_password: PASSWORD,
          new_password: "another long passphrase, hers alone",
        }, carol.session);
        assertEquals(r.status, 204, r.body);
      });
      assertEquals((await call(a, "GET", "/api/v1/session", undefined, carol.session)).status, 200);
      // dave is disabled through the primary: the child's forward-auth check refuses him next.
      await honouredAtOnce(
        b,
        dave.session,
        async () => {
          const r = await call(a, "PATCH", `/api/v1/admin/users/${ids.dave}`, {
            disabled: true,
          }, admin);
          assertEquals(r.status, 200, r.body);
        },
        "/api/v1/verify",
        VERIFY_HEADERS,
      );

      // A setting saved through the child applies on the primary's next request.
      const policy = await call(b, "GET", "/api/v1/admin/password-policy", undefined, admin);
      assertEquals(policy.status, 200, policy.body);
      const stricter = { ...policy.json.policy, minLength: 40 };
      const put = await call(b, "PUT", "/api/v1/admin/password-policy", stricter, admin);
      assertEquals(put.status, 200, put.body);
      const weak = await call(a, "POST", "/api/v1/admin/users", {
        username: "erin",
        password: "a passphrase of thirty-two chars",
      }, admin);
      assertEquals(weak.status, 400, weak.body);

      // SIGTERM to the primary stops both.
      for (const c of conns) c.close();
      server.process.kill("SIGTERM");
      const out = await server.done;
      assertEquals(out.code, 0, out.stderr);
      assert(!exists(`/proc/${kids[0]}`), "the child process is gone");
    } finally {
      await cleanUp(server, conns, dir);
    }
  },
});

Deno.test({
  name: "PROCESSES=2: /metrics counts the requests of both processes, whichever answers",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const sockets = () =>
      [...Deno.readDirSync(dir)].filter((e) => e.name.startsWith("twofold-metrics-"))
        .map((e) => e.name);
    const token = "a-metrics-token-of-enough-length-0123456789";
    const server = await start(dir, { METRICS_TOKEN: token });
    const conns: HttpConnection[] = [];
    try {
      const primary = server.process.pid;
      const [kid] = childPids(primary);
      const [a, b] = await connectionPerProcess(server.port, [primary, kid]);
      conns.push(a, b);
      // 3 refused session checks through the primary, 5 through the child.
      for (const [conn, n] of [[a, 3], [b, 5]] as const) {
        for (let i = 0; i < n; i++) {
          assertEquals((await call(conn, "GET", "/api/v1/session")).status, 401);
        }
      }
      const scrape = async (conn: HttpConnection) => {
        const r = await call(conn, "GET", "/metrics", undefined, token);
        assertEquals(r.status, 200, r.body);
        const line = (prefix: string) =>
          r.body.split("\n").find((l) => l.startsWith(prefix))?.split(" ").at(-1);
        return [
          line('twofold_http_requests_total{method="GET",route="/api/v1/session",status="401"}'),
          line('twofold_http_request_duration_seconds_count{route="/api/v1/session"}'),
        ];
      };
      assertEquals(await scrape(a), ["8", "8"], "the primary answers for both");
      assertEquals(await scrape(b), ["8", "8"], "the child answers for both");
      // Scrapes leave no socket open behind them, on either side.
      const fds = (pid: number) => [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
      const open = [fds(primary), fds(kid)];
      for (let i = 0; i < 30; i++) await scrape(i % 2 ? a : b);
      const after = [fds(primary), fds(kid)];
      assert(after.every((n, i) => n - open[i] < 5), `open files ${open} → ${after}`);
      // The token is still needed.
      assertEquals((await call(a, "GET", "/metrics")).status, 401);

      // A process that does not answer fails the scrape (no counters going back), then recovers.
      Deno.kill(kid, "SIGSTOP");
      try {
        const stalled = await call(a, "GET", "/metrics", undefined, token);
        assertEquals(stalled.status, 503, stalled.body);
      } finally {
        Deno.kill(kid, "SIGCONT");
      }
      assertEquals(await scrape(a), ["8", "8"]);
      assertStringIncludes(server.stderr(), '"msg":"metrics.peer_unavailable"');

      // The sockets' directory is private and goes with the server.
      const made = sockets();
      assertEquals(made.length, 1, "one directory of sockets");
      assertEquals(Deno.statSync(`${dir}/${made[0]}`).mode! & 0o777, 0o700);
      for (const c of conns) c.close();
      server.process.kill("SIGTERM");
      assertEquals((await server.done).code, 0);
      assert(!exists(`${dir}/${made[0]}`), "the directory is removed on stop");
    } finally {
      await cleanUp(server, conns, dir);
    }
  },
});

/** After a test, passed or failed: its connections, the server (killed if still up), its directory. */
async function cleanUp(server: Running, conns: HttpConnection[], dir: string) {
  for (const c of conns) c.close();
  try {
    server.process.kill("SIGKILL");
  } catch { /* stopped */ }
  await server.done;
  await Deno.remove(dir, { recursive: true });
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number, ms: number): Promise<boolean> {
  const t0 = performance.now();
  while (exists(`/proc/${pid}/stat`)) {
    // a zombie that its parent has not reaped yet has stopped too
    try {
      if (/\) Z /.test(Deno.readTextFileSync(`/proc/${pid}/stat`))) return true;
    } catch { /* gone */ }
    if (performance.now() - t0 > ms) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

Deno.test({
  name: "PROCESSES=2: a crashed child stops the set (exit 1); a killed primary takes its child",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const crashed = await start(dir);
      const [kid] = childPids(crashed.process.pid);
      Deno.kill(kid, "SIGKILL");
      const out = await crashed.done;
      assertEquals(out.code, 1);
      assertStringIncludes(out.stderr, '"msg":"processes.exited"');

      const orphaned = await start(dir);
      const [kid2] = childPids(orphaned.process.pid);
      orphaned.process.kill("SIGKILL");
      await orphaned.done;
      assert(await gone(kid2, 15_000), "the child outlived its primary");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("PROCESSES>1 needs a fixed port and a shared database", async () => {
  for (
    const [extra, message] of [
      [{ PORT: "0" }, "PROCESSES: needs a fixed PORT"],
      [{ DATABASE_URL: ":memory:" }, "PROCESSES: needs a shared database"],
    ] as const
  ) {
    const dir = await Deno.makeTempDir();
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${root}src/main.ts`],
      cwd: dir,
      env: { ...envFor(dir, 23456), ...extra },
      stdout: "piped",
      stderr: "piped",
    }).output();
    await Deno.remove(dir, { recursive: true });
    assertEquals(out.code, 2);
    assertStringIncludes(new TextDecoder().decode(out.stderr), message);
  }
});
