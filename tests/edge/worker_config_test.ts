/**
 * The Workers entry's start-up, in process: configuration from `env`, keys required (fail
 * closed), the database chosen by configuration; and the Turso settings of the Deno server.
 */
import worker, { createWorkerApp } from "../../src/worker.ts";
import { ConfigError, parseConfig } from "../../src/config.ts";
import { migrateDb, openLibsqlDb } from "../../src/db/client.ts";
import { buildDeps } from "../../src/deps.ts";
import { FixedClock } from "../../src/lib/clock.ts";
import { silentLogger } from "../../src/lib/log.ts";
import { verifyPassword, webCryptoPbkdf2 } from "../../src/lib/password.ts";
import { generateSigningJwk } from "../../src/tokens/tokens.ts";
import { toBase64 } from "../../src/lib/encoding.ts";
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";

const keys = async () => ({
  SIGNING_KEYS: JSON.stringify([await generateSigningJwk()]),
  ENCRYPTION_KEY: toBase64(crypto.getRandomValues(new Uint8Array(32))),
});

/** Stands in for a D1 binding where start-up never queries it. */
const unusedD1 = {
  prepare: () => {
    throw new Error("not expected");
  },
  batch: () => Promise.reject(new Error("not expected")),
  exec: () => Promise.reject(new Error("not expected")),
};

async function startError(env: Record<string, unknown>): Promise<string> {
  try {
    await createWorkerApp(env);
  } catch (e) {
    assert(e instanceof ConfigError, String(e));
    return e.message;
  }
  throw new Error("expected a configuration error");
}

Deno.test("worker: without SIGNING_KEYS and ENCRYPTION_KEY it refuses to start, naming both", async () => {
  const message = await startError({ DB: unusedD1 });
  assertStringIncludes(message, "SIGNING_KEYS: required on Workers");
  assertStringIncludes(message, "ENCRYPTION_KEY: required on Workers");
  assertStringIncludes(message, "wrangler secret put");
});

Deno.test("worker: a misconfigured Worker answers 503 and says why only in the log", async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (line: string) => errors.push(line);
  try {
    const res = await worker.fetch(new Request("https://login.example/healthz"), {}, {
      waitUntil() {},
      passThroughOnException() {},
      props: {},
    });
    assertEquals(res.status, 503);
    const body = await res.json();
    assertEquals(body.error.code, "service_unavailable");
    assert(!JSON.stringify(body).includes("SIGNING_KEYS"), "no configuration detail to clients");
  } finally {
    console.error = original;
  }
  assert(errors.some((l) => l.includes("worker.start_failed") && l.includes("SIGNING_KEYS")));
});

Deno.test("worker: the database is D1 by default, libSQL over HTTP with DATABASE_URL, else none", async () => {
  const k = await keys();
  assertStringIncludes(await startError({ ...k }), "DB: no database");
  assertStringIncludes(
    await startError({ ...k, DATABASE_URL: "file:./x.db", DB: unusedD1 }),
    "only libsql://, https:// or http://",
  );
  assertStringIncludes(await startError({ ...k, DB: unusedD1, PBKDF2_ITERATIONS: "x" }), "PBKDF2");

  // Start-up itself does not touch the database; the JWKS answers from the keys.
  const d1 = await createWorkerApp({ ...k, DB: unusedD1, PBKDF2_ITERATIONS: "1000" });
  const jwks = await d1.request("/.well-known/jwks.json");
  assertEquals(jwks.status, 200);
  const turso = await createWorkerApp({
    ...k,
    DB: unusedD1,
    DATABASE_URL: "libsql://twofold-example.turso.io",
    DATABASE_AUTH_TOKEN: "token",
    PBKDF2_ITERATIONS: "1000",
  });
  assertEquals((await turso.request("/.well-known/jwks.json")).status, 200);
});

Deno.test("config: an embedded replica needs a file: DATABASE_URL and a libsql:// or https:// sync URL", async () => {
  const err = (record: Record<string, string>) => {
    try {
      parseConfig(record);
    } catch (e) {
      return (e as Error).message;
    }
    return "";
  };
  assertStringIncludes(
    err({ DATABASE_URL: "libsql://a.turso.io", DATABASE_SYNC_URL: "libsql://a.turso.io" }),
    "DATABASE_SYNC_URL: needs DATABASE_URL to be a file:",
  );
  assertStringIncludes(
    err({ DATABASE_URL: "file:./r.db", DATABASE_SYNC_URL: "ftp://x" }),
    "DATABASE_SYNC_URL",
  );
  assertStringIncludes(err({ RECOVERY_CODE_KEY: "short" }), "RECOVERY_CODE_KEY");
  const ok = parseConfig({
    DATABASE_URL: "file:./replica.db",
    DATABASE_SYNC_URL: "libsql://twofold-example.turso.io",
    DATABASE_SYNC_INTERVAL: "60",
  });
  assertEquals([ok.DATABASE_SYNC_URL, ok.DATABASE_SYNC_INTERVAL], [
    "libsql://twofold-example.turso.io",
    60,
  ]);
  // Opening a replica syncs first: an unreachable primary stops the start instead of serving
  // from an empty or stale file.
  const dir = await Deno.makeTempDir();
  try {
    let failed = false;
    try {
      await openLibsqlDb({ url: `file:${dir}/replica.db`, syncUrl: "http://127.0.0.1:9" });
    } catch {
      failed = true;
    }
    assert(failed, "an unreachable primary fails the start");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("worker: building the dependencies hashes no password; unknown users still cost one", async () => {
  const calls: number[] = [];
  const counting = async (password: Uint8Array, salt: Uint8Array, iterations: number) => {
    calls.push(iterations);
    return await webCryptoPbkdf2(password, salt, iterations);
  };
  const config = parseConfig({ DATABASE_URL: ":memory:", PBKDF2_ITERATIONS: "250000" });
  const db = await openLibsqlDb({ url: ":memory:" });
  await migrateDb(db);
  const deps = await buildDeps({
    config,
    db,
    clock: new FixedClock("2026-11-22T12:00:10Z"),
    log: silentLogger,
    signingKeys: [await generateSigningJwk()],
    encryptionKey: crypto.getRandomValues(new Uint8Array(32)),
    pbkdf2: counting,
  });
  // The first request of a new isolate pays no password hash for the dependencies.
  assertEquals(calls, []);
  assertStringIncludes(deps.dummyPasswordHash, "pbkdf2-sha256$250000$");
  const check = await verifyPassword("anything", deps.dummyPasswordHash, 250_000, counting);
  assertEquals(check.ok, false);
  // ... and checking an unknown user's password costs the full configured work.
  assertEquals(calls, [100_000, 100_000, 50_000]);
});

Deno.test("worker: SIGNING_KEYS is checked at start; WebCrypto's export shape works, a broken key stops it", async () => {
  const exported = async (kid: string) => {
    const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
    return { ...(await crypto.subtle.exportKey("jwk", (pair as CryptoKeyPair).privateKey)), kid };
  };
  const { ENCRYPTION_KEY } = await keys();
  const good = await exported("good");
  const app = await createWorkerApp({
    SIGNING_KEYS: JSON.stringify(good),
    ENCRYPTION_KEY,
    DB: unusedD1,
    PBKDF2_ITERATIONS: "1000",
  });
  const jwks = await (await app.request("/.well-known/jwks.json")).json();
  assertEquals(jwks.keys.map((k: { kid: string; key_ops?: string[] }) => [k.kid, k.key_ops]), [[
    "good",
    undefined,
  ]]);

  const broken = { ...(await exported("broken")), x: good.x };
  assertStringIncludes(
    await startError({
      SIGNING_KEYS: JSON.stringify([good, broken]),
      ENCRYPTION_KEY,
      DB: unusedD1,
    }),
    'SIGNING_KEYS: key 2 of 2 (kid "broken")',
  );
});

Deno.test("worker: RESET_LINKS_IN_LOG=true is announced with a warning at start", async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (line: string) => errors.push(line);
  try {
    await createWorkerApp({ ...(await keys()), DB: unusedD1, RESET_LINKS_IN_LOG: "true" });
  } finally {
    console.error = original;
  }
  const warnings = errors.map((l) => JSON.parse(l)).filter((l) => l.level === "warn");
  assertEquals(warnings.length, 1);
  assertStringIncludes(warnings[0].msg, "RESET_LINKS_IN_LOG=true: password reset links");
});

Deno.test("worker: SMTP_URL is refused at start, pointing at MAIL_WEBHOOK_URL", async () => {
  const message = await startError({
    DB: unusedD1,
    ...await keys(),
    SMTP_URL: "smtps://mailer:secret@mail.example.test:465",
    MAIL_FROM: "twofold@example.test",
  });
  assertStringIncludes(message, "SMTP_URL: Workers have no SMTP client");
  assertStringIncludes(message, "MAIL_WEBHOOK_URL");
  assert(!message.includes("secret"), "the SMTP password reached the message");
  // The webhook channel starts.
  await createWorkerApp({
    DB: unusedD1,
    ...await keys(),
    MAIL_WEBHOOK_URL: "https://relay.example.test/mail",
    MAIL_FROM: "twofold@example.test",
  });
});
