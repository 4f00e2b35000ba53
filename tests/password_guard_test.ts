/**
 * Every place that takes a password counts failures in the login's counters (per account and
 * per address) and refuses while locked (ASVS 5.0 6.3.4): the login page and API, re-auth page
 * and API, and the password change page and API. Five wrong passwords at any of them lock the
 * account everywhere; the address throttle applies to each of them.
 */
import { and, eq } from "drizzle-orm";
import { auditEvents } from "../src/db/schema.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import {
  addUser,
  api,
  Browser,
  codeNow,
  enrollViaApi,
  nextStep,
  PASSWORD,
  testApp,
  type TestEnv,
} from "./helpers.ts";

const WRONG = "wrong password!";
const NEW_PASSWORD = "a different long passphrase";

type Ctx = { secret: string; token: string; browser: Browser };
type Answer = { status: number; body: string; retryAfter: string | null };

/** A browser signed in through the pages (password, then a code). */
async function signedInBrowser(env: TestEnv, secret: string): Promise<Browser> {
  const b = new Browser(env);
  await b.get("/login");
  const login = await b.post("/login", { username: "alice", password: PASSWORD });
  assertEquals(login.headers.get("location"), "/login/totp");
  await b.get("/login/totp");
  nextStep(env);
  const done = await b.post("/login/totp", { code: codeNow(env, secret) });
  assertEquals(done.status, 303);
  return b;
}

const viaApi = async (
  env: TestEnv,
  path: string,
  body: object,
  token?: string,
): Promise<Answer> => {
  const r = await api(env, "POST", path, body, token);
  return {
    status: r.status,
    body: JSON.stringify(r.json),
    retryAfter: r.res.headers.get("retry-after"),
  };
};

const viaPage = async (b: Browser, path: string, fields: Record<string, string>) => {
  await b.get(path);
  const r = await b.post(path, fields);
  return { status: r.status, body: b.lastHtml, retryAfter: r.headers.get("retry-after") };
};

type Endpoint = {
  name: string;
  /** The audit event a failure there is recorded as. */
  event: string;
  attempt(env: TestEnv, ctx: Ctx, password: string): Promise<Answer>;
  /** How a locked account is answered there: like a wrong password at the login (no
   * enumeration), "wait" inside a session. */
  locked: { status: number; text: string };
  page: boolean;
};

const ENDPOINTS: Endpoint[] = [
  {
    name: "POST /api/v1/login",
    event: "login.password",
    attempt: (env, _ctx, password) => viaApi(env, "/api/v1/login", { username: "alice", password }),
    locked: { status: 401, text: "invalid_credentials" },
    page: false,
  },
  {
    name: "POST /login",
    event: "login.password",
    attempt: (env, _ctx, password) =>
      viaPage(new Browser(env), "/login", { username: "alice", password }),
    locked: { status: 401, text: "Invalid username or password." },
    page: true,
  },
  {
    name: "POST /api/v1/me/reauth",
    event: "reauth",
    attempt: (env, ctx, password) => {
      nextStep(env);
      return viaApi(
        env,
        "/api/v1/me/reauth",
        { password, code: codeNow(env, ctx.secret) },
        ctx.token,
      );
    },
    locked: { status: 429, text: "too_many_attempts" },
    page: false,
  },
  {
    name: "POST /account/reauth",
    event: "reauth",
    attempt: (env, ctx, password) => {
      nextStep(env);
      return viaPage(ctx.browser, "/account/reauth", {
        next: "/account",
        password,
        code: codeNow(env, ctx.secret),
      });
    },
    locked: { status: 429, text: "Too many attempts. Wait a while and try again." },
    page: true,
  },
  {
    name: "POST /api/v1/me/password",
    event: "password.change",
    attempt: (env, ctx, password) =>
      viaApi(env, "/api/v1/me/password", {
        current_password: password,
        new_password: NEW_PASSWORD,
      }, ctx.token),
    locked: { status: 429, text: "too_many_attempts" },
    page: false,
  },
  {
    name: "POST /account/password",
    event: "password.change",
    attempt: (_env, ctx, password) =>
      viaPage(ctx.browser, "/account/password", {
        current_password: password,
        new_password: NEW_PASSWORD,
      }),
    locked: { status: 429, text: "Too many attempts. Wait a while and try again." },
    page: true,
  },
];

async function setup(env: TestEnv): Promise<Ctx> {
  await addUser(env);
  const enrolled = await enrollViaApi(env);
  return {
    secret: enrolled.secret,
    token: enrolled.sessionToken,
    browser: await signedInBrowser(env, enrolled.secret),
  };
}

const loginWith = (env: TestEnv, password: string) =>
  api(env, "POST", "/api/v1/login", { username: "alice", password });

for (const e of ENDPOINTS) {
  Deno.test(`password guard: ${e.name}: five wrong passwords lock the account there and at the login`, async () => {
    const env = await testApp();
    const ctx = await setup(env);
    for (let i = 0; i < 5; i++) {
      const r = await e.attempt(env, ctx, WRONG);
      assertEquals(r.status, 401, `attempt ${i + 1}`);
    }
    // Locked: the right password is refused at this endpoint and at the login.
    const here = await e.attempt(env, ctx, PASSWORD);
    assertEquals(here.status, e.locked.status);
    assertStringIncludes(here.body, e.locked.text);
    if (e.locked.status === 429) assert(Number(here.retryAfter) > 0, "Retry-After");
    if (e.page) assertStringIncludes(here.body, 'name="csrf_token"');
    const login = await loginWith(env, PASSWORD);
    assertEquals(login.status, 401);
    assertEquals(login.json.error.code, "invalid_credentials");

    // Audited like the login: five failures with their reason, one lock, one refusal while locked.
    const failures = await env.deps.db.select().from(auditEvents).where(
      and(eq(auditEvents.event, e.event), eq(auditEvents.outcome, "failure")),
    );
    const reasons = failures.map((f) => JSON.parse(f.detail).reason);
    assertEquals(reasons.filter((r) => r === "wrong_password").length, 5);
    assert(reasons.includes("locked"), "the refusal while locked is audited");
    const locks = await env.deps.db.select().from(auditEvents).where(
      eq(auditEvents.event, "account.locked"),
    );
    assertEquals(locks.length, 1);

    // The lock ends after 30 minutes, here too.
    env.clock.advance(30 * 60_000 + 1000);
    const after = await e.attempt(env, ctx, PASSWORD);
    assert(after.status < 400, `after the lock: ${after.status}`);
  });

  Deno.test(`password guard: ${e.name}: the address throttle counts and blocks there`, async () => {
    const env = await testApp({ IP_MAX_FAILURES: "3", PASSWORD_MAX_FAILURES: "100" });
    const ctx = await setup(env);
    for (let i = 0; i < 3; i++) assertEquals((await e.attempt(env, ctx, WRONG)).status, 401);
    const here = await e.attempt(env, ctx, PASSWORD);
    assertEquals(here.status, 429);
    const wait = Number(here.retryAfter);
    assert(wait > 14 * 60 && wait <= 15 * 60, `Retry-After ${here.retryAfter}`);
    if (e.page) assertStringIncludes(here.body, "Too many attempts. Wait a while and try again.");
    assertEquals((await loginWith(env, PASSWORD)).status, 429);
    const blocks = await env.deps.db.select().from(auditEvents).where(
      eq(auditEvents.event, "client.blocked"),
    );
    assertEquals(blocks.length, 1);
  });
}

Deno.test("password guard: a wrong password during a session counts toward the login's lock (mixed endpoints)", async () => {
  const env = await testApp();
  const ctx = await setup(env);
  const [, , reauthApi, , changeApi] = ENDPOINTS;
  await reauthApi.attempt(env, ctx, WRONG);
  await changeApi.attempt(env, ctx, WRONG);
  await reauthApi.attempt(env, ctx, WRONG);
  await loginWith(env, WRONG);
  await changeApi.attempt(env, ctx, WRONG);
  assertEquals((await loginWith(env, PASSWORD)).status, 401);
});

Deno.test("password guard: no code outside the guard checks a password", async () => {
  const offenders: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (/\.tsx?$/.test(entry.name) && !/_test\.tsx?$/.test(entry.name)) {
        const text = await Deno.readTextFile(path);
        if (/\bverifyPassword\s*\(/.test(text)) offenders.push(path);
      }
    }
  };
  const src = new URL("../src", import.meta.url).pathname;
  await walk(src);
  // passwords/history.ts compares a new password (already chosen by a signed-in or just
  // authenticated user) with the account's earlier hashes: no sign-in, nothing to lock out.
  assertEquals(offenders.sort(), [
    `${src}/lib/password.ts`,
    `${src}/passwords/history.ts`,
    `${src}/protection/password.ts`,
  ]);
});
