/**
 * @module Beside a peer: better-auth with its two-factor plugin, on Node and better-sqlite3,
 * through the same driver (bench/http.ts, bench/load.ts's runPhase) as twofold's load phases,
 * and twofold's ratio per step (the peer's server CPU per request ÷ twofold's).
 *
 *   deno run -A bench/peer.ts [--users 200] [--concurrency 32] [--password-requests 300]
 *     [--session-seconds 10] [--twofold FILE | --no-twofold] [--json FILE]
 *
 * The peer is bench/peer/server.mjs with the versions pinned in bench/peer/package.json and
 * package-lock.json. The benchmark installs it itself with `npm ci` into bench/.peer-cache
 * (git-ignored; reinstalled when the lock file, the package file or the Node version changes).
 * Alone, it first runs twofold's phases (`deno run -A bench/load.ts --no-profile`, the same
 * concurrency and session length) unless `--twofold FILE` gives the JSON of a load run
 * (`bench/load.ts --json FILE`) or `--no-twofold` measures the peer only.
 *
 * Steps, as twofold's: sign up N users, enable TOTP for each (`/two-factor/enable`, then a
 * first `/two-factor/verify-totp` with a code from otpauth, which turns 2FA on); then timed:
 * password sign-in up to `twoFactorRedirect` (each user at most once), one TOTP verification per
 * user on the two-factor cookie of a sign-in, and `GET /api/auth/get-session` with the session
 * cookies that step issued, round robin. Traffic only ever goes to 127.0.0.1.
 */
import { TOTP, URI } from "otpauth";
import type { HttpConnection, HttpResponse } from "./http.ts";
import { num as fmt, table } from "./report.ts";
import {
  type LoadResults,
  overConnections,
  type PhaseResult,
  type PhaseSpec,
  runPhase,
} from "./load.ts";

const REPO = new URL("..", import.meta.url).pathname;
const PEER_SOURCE = `${REPO}bench/peer/`;
const PEER_CACHE = `${REPO}bench/.peer-cache/`;
const PASSWORD = "twofold benchmark passphrase";
const AUTH = "/api/auth";
/** Untimed session checks before the timed ones (the peer's JIT warm-up). */
const SESSION_WARMUP_REQUESTS = 1_000;
/** Connections of the untimed setup: each of its requests but one hashes with scrypt, and 32 at
 * once on a busy machine wait longer than the driver's 30 s watchdog. */
const SETUP_CONCURRENCY = 8;

export type PeerOptions = {
  users: number;
  concurrency: number;
  passwordRequests: number;
  sessionSeconds: number;
};

export type PeerResults = {
  versions: {
    betterAuth: string;
    betterSqlite3: string;
    sqlite: string;
    node: string;
    /** `npm view better-auth version` at run time (null when the registry did not answer). */
    betterAuthLatest: string | null;
  };
  install: { command: string; seconds: number; cached: boolean };
  options: PeerOptions;
  setup: {
    seconds: number;
    enrolled: number;
    failures: Record<string, number>;
    twoFactorCookies: number;
    twoFactorCookieFailures: Record<string, number>;
  };
  phases: { password: PhaseResult; totp: PhaseResult; session: PhaseResult };
  memory: { idleRssMb: number; hwmMb: number };
  totalSeconds: number;
};

/** A run that could not be made, and why (the rest of `deno task bench` goes on). */
export type PeerRun = { ok: true; peer: PeerResults } | { ok: false; reason: string };

const decoder = new TextDecoder();
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

async function run(cmd: string, args: string[], cwd: string, timeoutMs = 15 * 60_000) {
  const child = new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    const out = await child.output();
    return { ok: out.success, out: decoder.decode(out.stdout), err: decoder.decode(out.stderr) };
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------- install

/** Installs the pinned peer into bench/.peer-cache with `npm ci`, unless already there. */
async function install(): Promise<PeerResults["install"] & { node: string }> {
  const node = (await run("node", ["--version"], REPO)).out.trim();
  if (!node) throw new Error("node is not on PATH");
  const files = ["package.json", "package-lock.json"];
  const key = node + "\n" +
    (await Promise.all(files.map((f) => Deno.readTextFile(PEER_SOURCE + f)))).join("\n");
  const command = "npm ci --no-audit --no-fund (in bench/.peer-cache)";
  await Deno.mkdir(PEER_CACHE, { recursive: true });
  // The server script is copied each run, so that its imports resolve in the cache's modules.
  await Deno.copyFile(`${PEER_SOURCE}server.mjs`, `${PEER_CACHE}server.mjs`);
  const stamp = `${PEER_CACHE}.installed`;
  if ((await Deno.readTextFile(stamp).catch(() => "")) === key) {
    return { command, seconds: 0, cached: true, node };
  }
  const t = performance.now();
  await Deno.remove(stamp).catch(() => {});
  for (const f of files) await Deno.copyFile(PEER_SOURCE + f, PEER_CACHE + f);
  console.log(`  installing the peer: ${command}`);
  const r = await run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], PEER_CACHE);
  if (!r.ok) throw new Error(`npm ci failed:\n${(r.err || r.out).trim().slice(-2000)}`);
  await Deno.writeTextFile(stamp, key);
  return { command, seconds: round((performance.now() - t) / 1000), cached: false, node };
}

async function installedVersion(pkg: string): Promise<string> {
  const text = await Deno.readTextFile(`${PEER_CACHE}node_modules/${pkg}/package.json`);
  return JSON.parse(text).version;
}

/** better-auth's newest version on npm now, to say whether the pinned one is still the latest. */
async function latestOnNpm(): Promise<string | null> {
  const r = await run("npm", ["view", "better-auth", "version"], PEER_CACHE, 60_000)
    .catch(() => null);
  return r?.ok ? r.out.trim() || null : null;
}

// ---------------------------------------------------------------- the server

type PeerServer = { pid: number; port: number; sqlite: string; stop(): Promise<void> };

async function startServer(dir: string): Promise<PeerServer> {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const secret = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
  const env: Record<string, string> = {
    NODE_ENV: "production",
    BETTER_AUTH_SECRET: secret,
    BETTER_AUTH_URL: `http://127.0.0.1:${port}`,
    BETTER_AUTH_TELEMETRY: "0",
    PORT: String(port),
    PEER_DATABASE: `${dir}/peer.db`,
  };
  for (const k of ["PATH", "HOME", "TMPDIR"]) {
    const v = Deno.env.get(k);
    if (v) env[k] = v;
  }
  const child = new Deno.Command("node", {
    args: ["server.mjs"],
    cwd: PEER_CACHE,
    clearEnv: true,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const drained = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      for (const line of chunk.split("\n")) if (line) console.error(`  [peer] ${line}`);
    }
  })();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  while (!/listening \d+ sqlite (\S+)\n/.test(seen)) {
    const { value, done } = await reader.read();
    if (done) {
      clearTimeout(timer);
      await child.status;
      await drained;
      throw new Error(`the peer server exited before listening: ${seen.trim()}`);
    }
    seen += value;
  }
  clearTimeout(timer);
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  return {
    pid: child.pid,
    port,
    sqlite: /listening \d+ sqlite (\S+)/.exec(seen)![1],
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      const kill = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }, 15_000);
      await child.status;
      clearTimeout(kill);
      await drained;
    },
  };
}

function memoryOf(pid: number): { rssMb: number; hwmMb: number } {
  const text = Deno.readTextFileSync(`/proc/${pid}/status`);
  const mb = (key: string) =>
    round(Number(text.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))?.[1]) / 1024);
  return { rssMb: mb("VmRSS"), hwmMb: mb("VmHWM") };
}

// ---------------------------------------------------------------- the steps

type PeerUser = { email: string; secret: TOTP };

const json = (body: unknown) => JSON.stringify(body);

function parse(res: HttpResponse): Record<string, unknown> {
  try {
    return JSON.parse(res.body) ?? {};
  } catch {
    return {};
  }
}

function errorKind(res: HttpResponse): string {
  const code = parse(res).code;
  return `${res.status}${typeof code === "string" ? ` ${code}` : ""}`;
}

/** `name=value` of the Set-Cookie whose name ends with `suffix` and that is not an expiry. */
function cookie(res: HttpResponse, suffix: string): string | null {
  for (const c of res.setCookies ?? []) {
    const pair = c.slice(0, c.indexOf(";") >>> 0);
    const eq = pair.indexOf("=");
    if (pair.slice(0, eq).endsWith(suffix) && eq < pair.length - 1) return pair;
  }
  return null;
}

/** A POST as a browser on the app's own origin sends it (better-auth checks the origin). */
function post(port: number, path: string, body: unknown, cookieHeader?: string) {
  const headers: Record<string, string> = { origin: `http://127.0.0.1:${port}` };
  if (cookieHeader) headers.cookie = cookieHeader;
  return { method: "POST" as const, path: `${AUTH}${path}`, body: json(body), headers };
}

/** Sign up, enable TOTP (its URI), turn it on with a first code: untimed. */
async function enrollAll(port: number, emails: string[], concurrency: number) {
  const users: PeerUser[] = [];
  const failures = await overConnections(
    port,
    emails,
    concurrency,
    async (conn: HttpConnection, email, fail) => {
      const up = await conn.request(
        post(port, "/sign-up/email", { email, password: PASSWORD, name: email.split("@")[0] }),
      );
      const session = cookie(up, ".session_token");
      if (up.status !== 200 || !session) return fail(`sign-up ${errorKind(up)}`);
      const enable = await conn.request(
        post(port, "/two-factor/enable", { password: PASSWORD }, session),
      );
      const uri = parse(enable).totpURI;
      if (enable.status !== 200 || typeof uri !== "string") {
        return fail(`enable ${errorKind(enable)}`);
      }
      const secret = URI.parse(uri);
      if (!(secret instanceof TOTP)) return fail("enable: not a TOTP URI");
      const verify = await conn.request(
        post(port, "/two-factor/verify-totp", { code: secret.generate() }, session),
      );
      if (verify.status !== 200) return fail(`first verify-totp ${errorKind(verify)}`);
      users.push({ email, secret });
    },
  );
  return { users, failures };
}

function signInRequest(port: number, user: PeerUser) {
  return post(port, "/sign-in/email", { email: user.email, password: PASSWORD });
}

/** The two-factor cookie of a sign-in answered with `twoFactorRedirect`, or why not. */
function twoFactorCookieOf(res: HttpResponse): string | { error: string } {
  if (res.status !== 200) return { error: errorKind(res) };
  if (parse(res).twoFactorRedirect !== true) return { error: "no twoFactorRedirect" };
  return cookie(res, ".two_factor") ?? { error: "no two-factor cookie" };
}

// ---------------------------------------------------------------- the run

export async function runPeer(o: PeerOptions): Promise<PeerResults> {
  const began = performance.now();
  console.log(
    `better-auth peer bench: ${o.users} users, concurrency ${o.concurrency}, ` +
      `${o.passwordRequests} sign-ins, ${o.sessionSeconds} s of session checks`,
  );
  const installed = await install();
  const [betterAuth, betterSqlite3, betterAuthLatest] = await Promise.all([
    installedVersion("better-auth"),
    installedVersion("better-sqlite3"),
    latestOnNpm(),
  ]);
  console.log(
    `  better-auth ${betterAuth} (newest on npm: ${betterAuthLatest ?? "unknown"}), ` +
      `better-sqlite3 ${betterSqlite3}, node ${installed.node}` +
      (installed.cached ? " (installed before)" : `, installed in ${installed.seconds} s`),
  );
  const tmp = await Deno.makeTempDir({ prefix: "twofold-peer-" });
  let server: PeerServer | null = null;
  try {
    server = await startServer(tmp);
    const { port, pid } = server;
    const idle = memoryOf(pid);

    let t = performance.now();
    const prefix = `peer${crypto.randomUUID().slice(0, 6)}-`;
    const emails = Array.from(
      { length: o.users },
      (_, i) => `${prefix}${String(i).padStart(5, "0")}@example.com`,
    );
    const enrolled = await enrollAll(port, emails, SETUP_CONCURRENCY);
    const setupSeconds = round((performance.now() - t) / 1000);
    console.log(
      `  signed up and enrolled ${enrolled.users.length} users in ${setupSeconds} s` +
        (Object.keys(enrolled.failures).length ? `; failures ${json(enrolled.failures)}` : ""),
    );
    const users = enrolled.users;
    if (users.length === 0) throw new Error("no peer user could be enrolled");

    // Timed: password sign-ins, each user at most once; their two-factor cookies serve the
    // TOTP step, with those of untimed sign-ins for the other users.
    const twoFactorCookies = new Map<PeerUser, string>();
    const passwordCount = Math.min(o.passwordRequests, users.length);
    const password = await runPhase(port, pid, {
      name: "password",
      concurrency: o.concurrency,
      count: passwordCount,
      request: (i) => signInRequest(port, users[i]),
      check: (res, i) => {
        const c = twoFactorCookieOf(res);
        if (typeof c !== "string") return c.error;
        twoFactorCookies.set(users[i], c);
        return null;
      },
    });
    printPhase(password);

    t = performance.now();
    const cookieFailures = await overConnections(
      port,
      users.filter((u) => !twoFactorCookies.has(u)),
      SETUP_CONCURRENCY,
      async (conn, user, fail) => {
        const c = twoFactorCookieOf(await conn.request(signInRequest(port, user)));
        if (typeof c === "string") twoFactorCookies.set(user, c);
        else fail(c.error);
      },
    );
    console.log(
      `  ${twoFactorCookies.size} two-factor cookies for the TOTP step (${
        round((performance.now() - t) / 1000)
      } s)` + (Object.keys(cookieFailures).length ? `; failures ${json(cookieFailures)}` : ""),
    );

    const pending = [...twoFactorCookies];
    const sessions: string[] = [];
    const totp = await runPhase(
      port,
      pid,
      {
        name: "totp",
        concurrency: o.concurrency,
        count: pending.length,
        request: (i) => {
          const [user, twoFactor] = pending[i];
          return post(port, "/two-factor/verify-totp", { code: user.secret.generate() }, twoFactor);
        },
        check: (res) => {
          if (res.status !== 200) return errorKind(res);
          const session = cookie(res, ".session_token");
          if (!session || typeof parse(res).token !== "string") return "no session";
          sessions.push(session);
          return null;
        },
      } satisfies PhaseSpec,
    );
    printPhase(totp);
    if (sessions.length === 0) throw new Error("the TOTP step issued no session");

    const sessionSpec = (length: { seconds: number } | { count: number }): PhaseSpec => ({
      name: "session",
      concurrency: o.concurrency,
      ...length,
      request: (i) => ({
        method: "GET",
        path: `${AUTH}/get-session`,
        headers: { cookie: sessions[i % sessions.length] },
      }),
      check: (res) =>
        res.status === 200 && res.body.startsWith('{"session"') ? null : errorKind(res),
    });
    // Untimed first: the peer's check costs about twice as much over its first thousand or so
    // requests (JIT), which twofold's cheaper check runs through in well under a second.
    await runPhase(port, pid, sessionSpec({ count: SESSION_WARMUP_REQUESTS }));
    const session = await runPhase(port, pid, sessionSpec({ seconds: o.sessionSeconds }));
    printPhase(session);
    const end = memoryOf(pid);

    return {
      versions: {
        betterAuth,
        betterSqlite3,
        sqlite: server.sqlite,
        node: installed.node,
        betterAuthLatest,
      },
      install: { command: installed.command, seconds: installed.seconds, cached: installed.cached },
      options: o,
      setup: {
        seconds: setupSeconds,
        enrolled: users.length,
        failures: enrolled.failures,
        twoFactorCookies: twoFactorCookies.size,
        twoFactorCookieFailures: cookieFailures,
      },
      phases: { password, totp, session },
      memory: { idleRssMb: idle.rssMb, hwmMb: end.hwmMb },
      totalSeconds: round((performance.now() - began) / 1000),
    };
  } finally {
    await server?.stop();
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/** Users of the peer: its setup costs three scrypt hashes each (sign-up, enable, sign-in), about
 * 90 ms of CPU apiece here; 200 TOTP steps already take over a second of its CPU. */
const PEER_USERS = 200;

/** The peer's options from a twofold load run's: the same concurrency, sign-ins (at most one
 * per user) and session length, on at most PEER_USERS users. */
export function peerOptionsLike(load: LoadResults["options"]): PeerOptions {
  return {
    users: Math.min(load.users, PEER_USERS),
    concurrency: load.concurrency,
    passwordRequests: load.passwordRequests,
    sessionSeconds: load.sessionSeconds,
  };
}

/** runPeer for `deno task bench`: a failure is reported, not thrown. */
export async function runPeerSafely(o: PeerOptions): Promise<PeerRun> {
  console.log("== peer: better-auth (bench/peer.ts)");
  try {
    return { ok: true, peer: await runPeer(o) };
  } catch (e) {
    console.error(`!! the peer part failed: ${(e as Error).message}`);
    return { ok: false, reason: (e as Error).message };
  }
}

// ---------------------------------------------------------------- ratios and the report

type Twofold = LoadResults["phases"];

/** Goals of issue 20: twofold's advantage in server CPU per request. */
const GOALS = { password: null, totp: 8, session: 20 } as const;

export type Ratio = {
  step: "password" | "totp" | "session";
  twofoldUs: number | null;
  peerUs: number | null;
  /** Peer CPU per request ÷ twofold's: how many times more requests twofold serves per CPU second. */
  ratio: number | null;
  goal: number | null;
  /** Why the ratio says nothing (a phase had errors), or null. */
  invalid: string | null;
};

export function ratios(peer: PeerResults, twofold: Twofold): Ratio[] {
  return (["password", "totp", "session"] as const).map((step) => {
    const twofoldUs = twofold[step].serverCpuUsPerRequest;
    const peerUs = peer.phases[step].serverCpuUsPerRequest;
    const ratio = twofoldUs && peerUs ? round(peerUs / twofoldUs, 2) : null;
    const failed = [
      twofold[step].errors ? `twofold's ${step} phase had ${twofold[step].errors} errors` : "",
      peer.phases[step].errors ? `the peer's had ${peer.phases[step].errors} errors` : "",
    ].filter(Boolean).join(", ");
    return { step, twofoldUs, peerUs, ratio, goal: GOALS[step], invalid: failed || null };
  });
}

function printPhase(r: PhaseResult): void {
  console.log(
    `  ${r.name}: ${r.requests} requests in ${r.seconds} s = ${r.rps} req/s, p50 ${r.p50Ms} ms, ` +
      `p99 ${r.p99Ms} ms, errors ${r.errors}, server CPU ${r.serverCpuUsPerRequest} µs/req ` +
      `(main thread ${r.serverMainThreadCpuUsPerRequest}), driver CPU ${r.driverCpuUsPerRequest} µs/req`,
  );
  if (r.errors) console.log(`    errors: ${json(r.errorKinds)}`);
}

function verdict(r: Ratio): string {
  if (r.invalid || r.ratio === null || r.goal === null) return "unknown";
  return r.ratio >= r.goal ? "met" : "not met";
}

export function printRatios(peer: PeerResults, twofold: Twofold): void {
  for (const r of ratios(peer, twofold)) {
    console.log(
      `  ${r.step}: twofold ${r.twofoldUs} µs, better-auth ${r.peerUs} µs server CPU per request:` +
        ` ratio ${r.ratio}` +
        (r.goal ? ` (goal ≥ ${r.goal}: ${verdict(r)})` : "") +
        (r.invalid ? `; not comparable: ${r.invalid}` : ""),
    );
  }
}

const STEP_LABEL = {
  password: "password (to the second factor)",
  totp: "second factor (TOTP)",
  session: "session check",
};

/** The RESULTS.md section: the peer, how it was set up, and twofold's ratio per step. */
export function peerSection(run: PeerRun | null, twofold: Twofold): string {
  const title = "## Beside a peer: better-auth\n\n";
  if (!run) return title + "Not run (`--no-peer`).\n";
  if (!run.ok) return title + `**The peer part failed**: ${run.reason.replaceAll("\n", " ")}\n`;
  const p = run.peer;
  const v = p.versions;
  const phase = (x: PhaseResult) => [
    x.name,
    fmt(x.requests, 0),
    fmt(x.seconds, 2),
    fmt(x.rps),
    fmt(x.p50Ms, 2),
    fmt(x.p99Ms, 2),
    `${fmt(x.errors, 0)}${
      x.errors ? ` (${Object.entries(x.errorKinds).map(([k, n]) => `${k}: ${n}`).join(", ")})` : ""
    }`,
    fmt(x.serverCpuUsPerRequest, 0),
    fmt(x.serverMainThreadCpuUsPerRequest, 0),
    fmt(x.driverCpuUsPerRequest, 0),
    fmt(x.otherProcessesCores, 2),
  ];
  const ratioRows = ratios(p, twofold).map((r) => [
    STEP_LABEL[r.step],
    fmt(r.twofoldUs, 0),
    fmt(r.peerUs, 0),
    r.ratio === null ? "–" : `${fmt(r.ratio, 2)}x`,
    r.goal ? `≥ ${r.goal}x` : "none (two different KDFs)",
    r.invalid ? `not comparable: ${r.invalid}` : r.goal ? `**${verdict(r)}**` : "–",
  ]);
  const latest = v.betterAuthLatest === null
    ? "npm did not answer at run time"
    : v.betterAuthLatest === v.betterAuth
    ? "the newest on npm at run time"
    : `npm's newest at run time was ${v.betterAuthLatest}: update bench/peer/package.json`;
  return title +
    `better-auth ${v.betterAuth} (${latest}) with its two-factor plugin, on Node ${v.node} with
better-sqlite3 ${v.betterSqlite3} (SQLite ${v.sqlite}), \`bench/peer/server.mjs\` on Node's http
server through \`toNodeHandler\`, driven by the same client, concurrency and phases as twofold
(bench/http.ts, \`runPhase\` of bench/load.ts). The benchmark installs it itself:
\`${p.install.command}\` from bench/peer/package.json and package-lock.json${
      p.install.cached ? " (already installed by an earlier run)" : ` (${fmt(p.install.seconds)} s)`
    }.

Configured as its documentation says for production: \`NODE_ENV=production\`, a random 32-byte
\`BETTER_AUTH_SECRET\`, \`BETTER_AUTH_URL\` set; its default password hashing (scrypt, N=16384,
r=16, p=1, on Node's thread pool), its default database sessions (no cookie cache: each check
reads the database, as twofold's), the SQLite file in WAL mode with synchronous left at FULL (as
twofold's); its rate limiter on with its default in-memory store, the limits raised so that one
client address sending the whole benchmark is not refused (the limiter still counts every
request); telemetry off.

${
      table(
        [
          "step",
          "twofold server CPU µs/req",
          "better-auth server CPU µs/req",
          "twofold's ratio",
          "goal",
          "",
        ],
        ratioRows,
      )
    }

The ratio is the peer's server CPU per request ÷ twofold's (this run, both measured the same way:
utime + stime of the server process and all its threads from \`/proc/<pid>/stat\`), i.e. how many
more of that step twofold serves per CPU second. The password step compares two KDFs (PBKDF2 at
600,000 iterations and scrypt), so it has no goal.

${
      table(
        [
          "phase",
          "requests",
          "s",
          "req/s",
          "p50 ms",
          "p99 ms",
          "errors",
          "server CPU µs/req",
          "of it main thread",
          "driver CPU µs/req",
          "other processes (CPUs)",
        ],
        [phase(p.phases.password), phase(p.phases.totp), phase(p.phases.session)],
      )
    }

- Setup (untimed): ${fmt(p.setup.enrolled, 0)} users signed up (\`POST /api/auth/sign-up/email\`),
  enabled TOTP (\`POST /api/auth/two-factor/enable\`) and turned it on with a first code
  (\`POST /api/auth/two-factor/verify-totp\`, codes from otpauth on the \`totpURI\`) in
  ${fmt(p.setup.seconds)} s${
      Object.keys(p.setup.failures).length ? `; failures: ${JSON.stringify(p.setup.failures)}` : ""
    }.
- **password**: ${
      fmt(p.phases.password.requests, 0)
    } \`POST /api/auth/sign-in/email\`, each user at most once, each
  answered with \`twoFactorRedirect\` and a two-factor cookie.
- **totp**: one \`POST /api/auth/two-factor/verify-totp\` per user (${
      fmt(p.phases.totp.requests, 0)
    }) on the two-factor cookie
  of a sign-in (the password phase's, and untimed sign-ins for the other users), with the code of
  the current step; each answer sets a session cookie.
- **session**: \`GET /api/auth/get-session\` with those session cookies, round robin, for
  ${p.options.sessionSeconds} s, after ${SESSION_WARMUP_REQUESTS} of the same checks untimed (the peer's JIT warm-up; twofold's
  phase has none).
- Memory of the node process: ${fmt(p.memory.idleRssMb)} MB resident once listening, peak (VmHWM)
  ${fmt(p.memory.hwmMb)} MB. The peer part took ${fmt(p.totalSeconds, 0)} s in all.
`;
}

// ---------------------------------------------------------------- alone

async function twofoldPhases(o: PeerOptions, args: string[]): Promise<Twofold | null> {
  if (args.includes("--no-twofold")) return null;
  const file = args[args.indexOf("--twofold") + 1];
  if (args.includes("--twofold")) {
    return (JSON.parse(await Deno.readTextFile(file)) as LoadResults).phases;
  }
  const json = await Deno.makeTempFile({ prefix: "twofold-load-", suffix: ".json" });
  try {
    const cmd = [
      "run",
      "-A",
      "bench/load.ts",
      "--no-profile",
      "--concurrency",
      String(o.concurrency),
      "--password-requests",
      String(o.passwordRequests),
      "--session-seconds",
      String(o.sessionSeconds),
      "--json",
      json,
    ];
    console.log(`== twofold: deno ${cmd.join(" ")}`);
    const status = await new Deno.Command(Deno.execPath(), { args: cmd, cwd: REPO }).spawn()
      .status;
    if (!status.success) throw new Error(`bench/load.ts failed (${status.code})`);
    return (JSON.parse(await Deno.readTextFile(json)) as LoadResults).phases;
  } finally {
    await Deno.remove(json).catch(() => {});
  }
}

if (import.meta.main) {
  const arg = (name: string, d: number) => {
    const i = Deno.args.indexOf(name);
    const n = i >= 0 ? Number(Deno.args[i + 1]) : d;
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} needs a positive integer`);
    return n;
  };
  const o: PeerOptions = {
    users: arg("--users", PEER_USERS),
    concurrency: arg("--concurrency", 32),
    passwordRequests: arg("--password-requests", 300),
    sessionSeconds: arg("--session-seconds", 10),
  };
  const twofold = await twofoldPhases(o, Deno.args);
  console.log("== peer: better-auth");
  const peer = await runPeer(o);
  if (twofold) printRatios(peer, twofold);
  const j = Deno.args.indexOf("--json");
  if (j >= 0) {
    await Deno.writeTextFile(Deno.args[j + 1], JSON.stringify({ peer, twofold }, null, 2));
  }
}
