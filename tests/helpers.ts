/**
 * @module Test harness: an app over a fresh migrated in-memory database, a fixed clock, fast
 * password hashing, and a cookie-keeping client for the HTML pages.
 */
import type { Hono } from "hono";
import { createApp } from "../src/app.ts";
import { parseConfig } from "../src/config.ts";
import { migrateDb, openLibsqlDb } from "../src/db/client.ts";
import { buildDeps, type Deps } from "../src/deps.ts";
import { FixedClock } from "../src/lib/clock.ts";
import { silentLogger } from "../src/lib/log.ts";
import { generateRsaSigningJwk, generateSigningJwk } from "../src/tokens/tokens.ts";
import { totpCodeAt } from "../src/totp/totp.ts";
import { createUser } from "../src/users/service.ts";
import { assert, assertEquals } from "./assert.ts";

export const T0 = "2026-11-22T12:00:10Z";
export const PASSWORD = "correct horse battery staple";

export type TestEnv = { app: Hono; deps: Deps; clock: FixedClock };

/** A fresh app: in-memory database, fixed clock, 1,000 PBKDF2 iterations unless overridden. */
export async function testApp(
  env: Record<string, string> = {},
  options: { rsa?: boolean } = {},
): Promise<TestEnv> {
  const config = parseConfig({
    DATABASE_URL: ":memory:",
    PBKDF2_ITERATIONS: "1000",
    LOG_LEVEL: "error",
    ...env,
  });
  const db = await openLibsqlDb({ url: config.DATABASE_URL });
  await migrateDb(db);
  const clock = new FixedClock(T0);
  const deps = await buildDeps({
    config,
    db,
    clock,
    log: silentLogger,
    // An RSA key (OpenID Connect RS256 clients) only when asked: making one takes a while.
    signingKeys: [
      ...(options.rsa ? [await generateRsaSigningJwk()] : []),
      await generateSigningJwk(),
    ],
    encryptionKey: crypto.getRandomValues(new Uint8Array(32)),
  });
  return { app: createApp(deps), deps, clock };
}

export async function addUser(
  env: TestEnv,
  username = "alice",
  roles: string[] = [],
  password = PASSWORD,
) {
  const r = await createUser(env.deps, { username, password, roles, actor: "test" });
  assert(r.ok, "user creation failed");
  return r.user;
}

/** JSON call against the app. */
export async function api(
  env: TestEnv,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  headers: Record<string, string> = {},
  // deno-lint-ignore no-explicit-any -- tests read arbitrary JSON shapes
): Promise<{ status: number; json: any; res: Response }> {
  const res = await env.app.request(path, {
    method,
    headers: {
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json, res };
}

/** The code an app would show now (or `shift` seconds away). */
export function codeNow(env: TestEnv, secret: string, shiftSeconds = 0): string {
  return totpCodeAt(secret, new Date(env.clock.now().getTime() + shiftSeconds * 1000));
}

/** Moves the clock to the next TOTP step, so a fresh code is not a replay of the last one. */
export function nextStep(env: TestEnv): void {
  env.clock.advance(30_000);
}

export type Enrolled = {
  secret: string;
  sessionToken: string;
  recoveryCodes: string[];
  authenticatorId: string;
};

/** Logs in over JSON as a user without a factor and enrolls one; returns what that yields. */
export async function enrollViaApi(env: TestEnv, username = "alice"): Promise<Enrolled> {
  const login = await api(env, "POST", "/api/v1/login", { username, password: PASSWORD });
  assertEquals(login.json.status, "enrollment_required");
  const start = await api(env, "POST", "/api/v1/enrollments", {}, login.json.pending_token);
  assertEquals(start.status, 201);
  const confirm = await api(
    env,
    "POST",
    `/api/v1/enrollments/${start.json.enrollment_id}/confirm`,
    { code: codeNow(env, start.json.secret) },
    login.json.pending_token,
  );
  assertEquals(confirm.status, 200);
  return {
    secret: start.json.secret,
    sessionToken: confirm.json.session_token,
    recoveryCodes: confirm.json.recovery_codes,
    authenticatorId: confirm.json.authenticator.id,
  };
}

/** Signs in over JSON with the password and the current step's code (the next step's, for a
 * fresh one); returns the authenticated answer (session and refresh token). */
export async function signInWithCode(env: TestEnv, secret: string, username = "alice") {
  nextStep(env);
  const login = await api(env, "POST", "/api/v1/login", { username, password: PASSWORD });
  const r = await api(env, "POST", "/api/v1/login/totp", {
    pending_token: login.json.pending_token,
    code: codeNow(env, secret),
  });
  assertEquals(r.status, 200);
  return r.json;
}

/** Logs in with password over JSON and returns the pending token of the challenge. */
export async function pendingLogin(env: TestEnv, username = "alice", extra: object = {}) {
  const r = await api(env, "POST", "/api/v1/login", { username, password: PASSWORD, ...extra });
  assertEquals(r.status, 200);
  return r.json;
}

/** A browser stand-in: keeps cookies, reads CSRF tokens from pages, does not follow redirects. */
export class Browser {
  cookies = new Map<string, string>();
  lastHtml = "";
  constructor(
    readonly env: TestEnv,
    readonly origin = "http://localhost",
    readonly userAgent = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36",
  ) {}

  #cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  #store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /max-age=0/i.test(a)) ||
        attrs.some((a) => /expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(path: string): Promise<Response> {
    const res = await this.env.app.request(this.origin + path, {
      headers: { cookie: this.#cookieHeader(), "user-agent": this.userAgent },
    });
    this.#store(res);
    this.lastHtml = await res.clone().text();
    this.csrf();
    return res;
  }

  /** Posts a form; the CSRF token is read from the last page unless given. */
  async post(path: string, fields: Record<string, string>, opts: { csrf?: string | null } = {}) {
    const form = new URLSearchParams(fields);
    const csrf = opts.csrf === undefined ? this.csrf() : opts.csrf;
    if (csrf !== null && csrf !== undefined) form.set("csrf_token", csrf);
    const res = await this.env.app.request(this.origin + path, {
      method: "POST",
      headers: {
        cookie: this.#cookieHeader(),
        "content-type": "application/x-www-form-urlencoded",
        "user-agent": this.userAgent,
        origin: this.origin,
      },
      body: form.toString(),
    });
    this.#store(res);
    this.lastHtml = await res.clone().text();
    this.csrf();
    return res;
  }

  #lastCsrf: string | undefined;

  /** The CSRF token of the last page that had a form (a redirect has none). */
  csrf(): string | undefined {
    const found = this.lastHtml.match(/name="csrf_token" value="([^"]+)"/)?.[1];
    if (found) this.#lastCsrf = found;
    return this.#lastCsrf;
  }

  /** The value of a page element's attribute, by a tiny regex (pages are ours and regular). */
  attr(id: string, attr: string): string | undefined {
    const re = new RegExp(`id="${id}"[^>]*${attr}="([^"]*)"|${attr}="([^"]*)"[^>]*id="${id}"`);
    const m = this.lastHtml.match(re);
    return m?.[1] ?? m?.[2];
  }
}
