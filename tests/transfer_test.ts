/**
 * Moving in and out (src/transfer/): users with bcrypt hashes from another system sign in and get
 * twofold's own hash; TOTP authenticators from otpauth URIs and Authelia's CSV work at once; an
 * export (secrets still encrypted) imports into another deployment with the same keys.
 */
import bcrypt from "bcryptjs";
import { eq } from "drizzle-orm";
import { createApp } from "../src/app.ts";
import { parseConfig } from "../src/config.ts";
import { migrateDb, openLibsqlDb } from "../src/db/client.ts";
import { users } from "../src/db/schema.ts";
import { buildDeps } from "../src/deps.ts";
import { FixedClock } from "../src/lib/clock.ts";
import { silentLogger } from "../src/lib/log.ts";
import { generateSigningJwk } from "../src/tokens/tokens.ts";
import { totpCodeAt } from "../src/totp/totp.ts";
import { parseAutheliaCsv, parseOtpauthUris, parseUserLines } from "../src/transfer/parse.ts";
import { exportUsers, importTotp, importUsers } from "../src/transfer/service.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { addUser, api, PASSWORD, T0, testApp, type TestEnv } from "./helpers.ts";

const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

async function signInWithCode(env: TestEnv, username: string, secret: string, digits = 6) {
  const login = await api(env, "POST", "/api/v1/login", { username, password: PASSWORD });
  assertEquals(login.json.status, "second_factor_required", JSON.stringify(login.json));
  const code = totpCodeAt(
    secret,
    env.clock.now(),
    {
      algorithm: "SHA1",
      digits,
      period: 30,
    } as Parameters<typeof totpCodeAt>[2],
  );
  return await api(env, "POST", "/api/v1/login/totp", {
    pending_token: login.json.pending_token,
    code,
  });
}

Deno.test("transfer: a bcrypt hash from another system signs in once, then is twofold's own", async () => {
  const env = await testApp();
  const line = JSON.stringify({
    username: "legacy",
    password_hash: bcrypt.hashSync(PASSWORD, 4),
    roles: ["user"],
  });
  const parsed = parseUserLines(line);
  assertEquals(parsed.errors, []);
  assertEquals((await importUsers(env.deps, parsed.records)).imported, 1);
  const stored = async () =>
    (await env.deps.db.select().from(users).where(eq(users.username, "legacy")))[0].passwordHash;
  assertMatch(await stored(), /^\$2[aby]\$/);
  // A wrong password is refused and changes nothing.
  const wrong = await api(env, "POST", "/api/v1/login", { username: "legacy", password: "nope" });
  assertEquals(wrong.status, 401);
  assertMatch(await stored(), /^\$2[aby]\$/);
  const ok = await api(env, "POST", "/api/v1/login", { username: "legacy", password: PASSWORD });
  assertEquals(ok.status, 200);
  assertMatch(await stored(), /^pbkdf2-sha256\$1000\$/);
  // And the new hash works too.
  const again = await api(env, "POST", "/api/v1/login", { username: "legacy", password: PASSWORD });
  assertEquals(again.status, 200);
});

Deno.test("transfer: otpauth URIs and Authelia's CSV become working authenticators", async () => {
  const env = await testApp();
  await addUser(env, "alice");
  await addUser(env, "bob");
  const uris = parseOtpauthUris(
    `# from an app export\notpauth://totp/Acme:alice?secret=${SECRET}&issuer=Acme\n`,
  );
  assertEquals(uris.errors, []);
  assertEquals(await importTotp(env.deps, uris.records), { imported: 1, skipped: [] });
  assertEquals((await signInWithCode(env, "alice", SECRET)).status, 200);

  const csv = parseAutheliaCsv(
    `issuer,username,algorithm,digits,period,secret\nAuthelia,bob,SHA1,8,30,${SECRET}\n` +
      `Authelia,nobody,SHA1,6,30,${SECRET}\n`,
  );
  assertEquals(csv.errors, []);
  const report = await importTotp(env.deps, csv.records);
  assertEquals(report, { imported: 1, skipped: ["nobody: no such user"] });
  env.clock.advance(30_000);
  assertEquals((await signInWithCode(env, "bob", SECRET, 8)).status, 200);
  // Stored encrypted, never as the plain secret.
  const rows = await env.deps.db.all<{ secret_enc: string }>(
    "SELECT secret_enc FROM authenticators",
  );
  assert(rows.every((r) => !r.secret_enc.includes(SECRET)), "a secret stored in the clear");

  // Bad input is reported by line and imports nothing.
  assertEquals(parseOtpauthUris("otpauth://hotp/x:y?secret=AAAA&counter=1").records, []);
  assertStringIncludes(parseOtpauthUris("https://x").errors[0], "line 1:");
  assertStringIncludes(parseAutheliaCsv("Authelia,bob,MD5,6,30," + SECRET).errors[0], "MD5");
  assertStringIncludes(parseUserLines('{"username":"x","password_hash":"plain"}').errors[0], "x");
});

Deno.test("transfer: an export imports into another deployment with the same keys", async () => {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const signing = [await generateSigningJwk()];
  const deployment = async (): Promise<TestEnv> => {
    const config = parseConfig({ DATABASE_URL: ":memory:", PBKDF2_ITERATIONS: "1000" });
    const db = await openLibsqlDb({ url: config.DATABASE_URL });
    await migrateDb(db);
    const clock = new FixedClock(T0);
    const deps = await buildDeps({
      config,
      db,
      clock,
      log: silentLogger,
      signingKeys: signing,
      encryptionKey: key,
    });
    return { app: createApp(deps), deps, clock };
  };
  const a = await deployment();
  await addUser(a, "alice", ["admin"]);
  await importTotp(a.deps, parseOtpauthUris(`otpauth://totp/alice?secret=${SECRET}`).records);
  const lines = await exportUsers(a.deps);
  assertEquals(lines.length, 1);
  assert(!lines[0].includes(SECRET), "the export holds a plain secret");

  const b = await deployment();
  const parsed = parseUserLines(lines.join("\n"));
  assertEquals(parsed.errors, []);
  assertEquals(await importUsers(b.deps, parsed.records), { imported: 1, skipped: [] });
  assertEquals((await signInWithCode(b, "alice", SECRET)).status, 200);
  // Importing again skips who exists.
  assertEquals((await importUsers(b.deps, parsed.records)).skipped, ["alice: exists already"]);
});

Deno.test("transfer: the CLI imports users and authenticators and exports them", async () => {
  const dir = await Deno.makeTempDir();
  const root = new URL("..", import.meta.url).pathname;
  const cli = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${root}src/cli.ts`, ...args],
      cwd: dir,
      env: {
        DATABASE_URL: `file:${dir}/twofold.db`,
        KEYS_FILE: `${dir}/keys.json`,
        PBKDF2_ITERATIONS: "1000",
        NO_COLOR: "1",
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
  };
  try {
    await Deno.writeTextFile(
      `${dir}/users.jsonl`,
      JSON.stringify({ username: "carol", password_hash: bcrypt.hashSync(PASSWORD, 4) }) + "\n",
    );
    await Deno.writeTextFile(`${dir}/totp.txt`, `otpauth://totp/Old:carol?secret=${SECRET}\n`);
    await Deno.writeTextFile(`${dir}/bad.txt`, "not a uri\n");
    const u = await cli("users:import", "--file", `${dir}/users.jsonl`);
    assertEquals([u.code, u.stdout.trim()], [0, "imported 1, skipped 0"], u.stderr);
    const t = await cli("totp:import", "--file", `${dir}/totp.txt`);
    assertEquals([t.code, t.stdout.trim()], [0, "imported 1, skipped 0"], t.stderr);
    const bad = await cli("totp:import", "--file", `${dir}/bad.txt`);
    assertEquals(bad.code, 1);
    assertStringIncludes(bad.stderr, "bad.txt: line 1: not an otpauth URI");
    const e = await cli("users:export", "--output", `${dir}/export.jsonl`);
    assertEquals(e.code, 0, e.stderr);
    assertEquals((await Deno.stat(`${dir}/export.jsonl`)).mode! & 0o077, 0);
    const exported = JSON.parse((await Deno.readTextFile(`${dir}/export.jsonl`)).trim());
    assertEquals(exported.username, "carol");
    assertEquals(exported.authenticators.length, 1);
    assert(!JSON.stringify(exported).includes(SECRET), "a plain secret in the export");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
