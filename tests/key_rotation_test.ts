/**
 * Key rotation from the CLI: `keys:rotate` adds a signing key (the newest signs, older ones keep
 * verifying), and `secrets:reencrypt` moves every TOTP secret to a new ENCRYPTION_KEY without
 * losing one, while recovery codes keep working through RECOVERY_CODE_KEY.
 */
import type { JWK } from "jose";
import { createApp } from "../src/app.ts";
import { parseConfig } from "../src/config.ts";
import { migrateDb, openLibsqlDb } from "../src/db/client.ts";
import { buildDeps } from "../src/deps.ts";
import { FixedClock } from "../src/lib/clock.ts";
import { decryptSecret, deriveSecretKeys, encryptSecret } from "../src/lib/crypto.ts";
import { fromBase64Url, toBase64 } from "../src/lib/encoding.ts";
import { silentLogger } from "../src/lib/log.ts";
import { generateSigningJwk } from "../src/tokens/tokens.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import {
  addUser,
  api,
  codeNow,
  enrollViaApi,
  nextStep,
  pendingLogin,
  T0,
  type TestEnv,
} from "./helpers.ts";

const root = new URL("..", import.meta.url).pathname;
const KEY_A = toBase64(crypto.getRandomValues(new Uint8Array(32)));
const KEY_B = toBase64(crypto.getRandomValues(new Uint8Array(32)));

async function cli(dir: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}src/cli.ts`, ...args],
    cwd: dir,
    clearEnv: true,
    env: {
      DATABASE_URL: `file:${dir}/twofold.db`,
      KEYS_FILE: `${dir}/keys.json`,
      PBKDF2_ITERATIONS: "1000",
      NO_COLOR: "1",
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "",
      ...env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** An app over the libSQL file in `dir` with the given keys (what a restart with them gives). */
async function appOn(dir: string, keys: {
  signing: JWK[];
  encryption: string;
  recovery?: string;
}): Promise<TestEnv> {
  const config = parseConfig({
    DATABASE_URL: `file:${dir}/twofold.db`,
    PBKDF2_ITERATIONS: "1000",
    LOG_LEVEL: "error",
    ...(keys.recovery ? { RECOVERY_CODE_KEY: keys.recovery } : {}),
  });
  const db = await openLibsqlDb({ url: config.DATABASE_URL });
  await migrateDb(db);
  const clock = new FixedClock(T0);
  const deps = await buildDeps({
    config,
    db,
    clock,
    log: silentLogger,
    signingKeys: keys.signing,
    encryptionKey: fromBase64Url(
      keys.encryption.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""),
    ),
  });
  return { app: createApp(deps), deps, clock };
}

function kidOf(token: string): string {
  const b64 = token.split(".")[0].replaceAll("-", "+").replaceAll("_", "/");
  return JSON.parse(atob(b64)).kid;
}

Deno.test("keys:rotate appends a signing key to KEYS_FILE: the new one signs, the old one still verifies", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const made = await cli(dir, ["users:list"]); // the first start generates the keys file
    assertEquals(made.code, 0, made.stderr);
    const beforeFile = JSON.parse(await Deno.readTextFile(`${dir}/keys.json`));
    // The file also holds an RSA key (OpenID Connect RS256 clients only); it never signs
    // twofold's own tokens and rotation leaves it alone.
    const rsaOf = (keys: JWK[]) => keys.filter((k) => k.kty === "RSA");
    const signers = (keys: JWK[]) => keys.filter((k) => k.kty !== "RSA");
    assertEquals(rsaOf(beforeFile.signing_keys).length, 1);
    const before = { signing_keys: signers(beforeFile.signing_keys) };
    assertEquals(before.signing_keys.length, 1);

    const old = await appOn(dir, { signing: beforeFile.signing_keys, encryption: KEY_A });
    await addUser(old);
    const e = await enrollViaApi(old);
    assertEquals(kidOf(e.sessionToken), before.signing_keys[0].kid);

    const rotated = await cli(dir, ["keys:rotate"]);
    assertEquals(rotated.code, 0, rotated.stderr);
    const afterFile = JSON.parse(await Deno.readTextFile(`${dir}/keys.json`));
    const after = { signing_keys: signers(afterFile.signing_keys) };
    assertEquals(rsaOf(afterFile.signing_keys), rsaOf(beforeFile.signing_keys));
    assertEquals(after.signing_keys.length, 2);
    assertEquals(after.signing_keys[0], before.signing_keys[0]);
    assertEquals(
      afterFile.encryption_key,
      beforeFile.encryption_key,
      "the encryption key is untouched",
    );
    assertEquals((await Deno.stat(`${dir}/keys.json`)).mode! & 0o777, 0o600);
    assertStringIncludes(rotated.stdout, after.signing_keys[1].kid!);

    const now = await appOn(dir, { signing: afterFile.signing_keys, encryption: KEY_A });
    now.clock.advance(60_000);
    // A session signed by the old key still works; new tokens are signed with the new key.
    assertEquals((await api(now, "GET", "/api/v1/session", undefined, e.sessionToken)).status, 200);
    const p = await pendingLogin(now);
    const done = await api(now, "POST", "/api/v1/login/totp", {
      pending_token: p.pending_token,
      code: codeNow(now, e.secret),
    });
    assertEquals(done.status, 200);
    assertEquals(kidOf(done.json.session_token), after.signing_keys[1].kid);
    const jwks = await api(now, "GET", "/.well-known/jwks.json");
    assertEquals(
      jwks.json.keys.map((k: JWK) => k.kid),
      [...after.signing_keys, ...rsaOf(afterFile.signing_keys)].map((k: JWK) => k.kid),
    );

    // --keep 1 drops the old key: its tokens stop verifying. The RSA key stays.
    const pruned = await cli(dir, ["keys:rotate", "--keep", "1"]);
    assertEquals(pruned.code, 0, pruned.stderr);
    const lastFile = JSON.parse(await Deno.readTextFile(`${dir}/keys.json`));
    assertEquals(signers(lastFile.signing_keys).length, 1);
    assertEquals(rsaOf(lastFile.signing_keys), rsaOf(beforeFile.signing_keys));
    const later = await appOn(dir, { signing: lastFile.signing_keys, encryption: KEY_A });
    assertEquals(
      (await api(later, "GET", "/api/v1/session", undefined, e.sessionToken)).status,
      401,
    );
    assertEquals((await cli(dir, ["keys:rotate", "--keep", "0"])).code, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("keys:rotate with SIGNING_KEYS set prints the new value and writes no file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const current = [await generateSigningJwk()];
    const r = await cli(dir, ["keys:rotate"], { SIGNING_KEYS: JSON.stringify(current) });
    assertEquals(r.code, 0, r.stderr);
    const m = r.stdout.match(/^SIGNING_KEYS='(.+)'$/m);
    assert(m, r.stdout);
    const keys = JSON.parse(m[1]) as JWK[];
    assertEquals(keys.length, 2);
    assertEquals(keys[0], current[0]);
    assert(keys[1].d && keys[1].kid && keys[1].kid !== current[0].kid);
    assertStringIncludes(r.stderr, "wrangler secret put SIGNING_KEYS");
    await assertMissing(`${dir}/keys.json`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function assertMissing(path: string) {
  try {
    await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  throw new Error(`${path} should not exist`);
}

async function secretRows(env: TestEnv) {
  return await env.deps.db.all<{ tbl: string; user_id: string; secret_enc: string }>(
    // deno-lint-ignore no-explicit-any -- a raw read of both tables
    "SELECT 'authenticators' AS tbl, user_id, secret_enc FROM authenticators UNION ALL SELECT 'enrollments', user_id, secret_enc FROM enrollments" as any,
  );
}

Deno.test("secrets:reencrypt moves every TOTP secret to the new key; logins and recovery codes keep working", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const signing = [await generateSigningJwk()];
    const before = await appOn(dir, { signing, encryption: KEY_A });
    await addUser(before, "alice");
    await addUser(before, "bob");
    const alice = await enrollViaApi(before, "alice");
    const bob = await enrollViaApi(before, "bob");
    // An enrollment in progress holds a secret too.
    const more = await api(
      before,
      "POST",
      "/api/v1/enrollments",
      { label: "spare" },
      alice.sessionToken,
    );
    assertEquals(more.status, 201, JSON.stringify(more.json));
    const rowsA = await secretRows(before);
    // Two authenticators, their two consumed enrollments, and the open one.
    assertEquals(rowsA.length, 5);

    const env = { OLD_ENCRYPTION_KEY: KEY_A, ENCRYPTION_KEY: KEY_B };
    // Without RECOVERY_CODE_KEY the command refuses: recovery codes would all stop working.
    const refused = await cli(dir, ["secrets:reencrypt"], env);
    assertEquals(refused.code, 2);
    assertStringIncludes(refused.stderr, "RECOVERY_CODE_KEY");
    assertEquals(await secretRows(before), rowsA, "nothing written");

    const dry = await cli(dir, ["secrets:reencrypt", "--dry-run"], {
      ...env,
      RECOVERY_CODE_KEY: KEY_A,
    });
    assertEquals(dry.code, 0, dry.stderr);
    assertStringIncludes(dry.stderr, "5 to re-encrypt");
    assertEquals(await secretRows(before), rowsA, "a dry run writes nothing");

    const done = await cli(dir, ["secrets:reencrypt"], { ...env, RECOVERY_CODE_KEY: KEY_A });
    assertEquals(done.code, 0, done.stderr);
    assertStringIncludes(done.stderr, "5 written");
    const rowsB = await secretRows(before);
    const newKeys = await deriveSecretKeys(
      fromBase64Url(KEY_B.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")),
    );
    const oldKeys = await deriveSecretKeys(
      fromBase64Url(KEY_A.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")),
    );
    for (const [i, row] of rowsB.entries()) {
      assert(row.secret_enc !== rowsA[i].secret_enc);
      assertEquals(
        await decryptSecret(newKeys.encryption, row.secret_enc, `totp:${row.user_id}`),
        await decryptSecret(oldKeys.encryption, rowsA[i].secret_enc, `totp:${row.user_id}`),
      );
    }
    const again = await cli(dir, ["secrets:reencrypt"], { ...env, RECOVERY_CODE_KEY: KEY_A });
    assertEquals(again.code, 0, again.stderr);
    assertStringIncludes(again.stderr, "0 to re-encrypt");
    assertStringIncludes(again.stderr, "5 already under the new key");

    // Restarted with the new key (and the old one pinned for recovery codes): all still works.
    const after = await appOn(dir, { signing, encryption: KEY_B, recovery: KEY_A });
    nextStep(after);
    for (const [name, e] of [["alice", alice], ["bob", bob]] as const) {
      const p = await pendingLogin(after, name);
      const r = await api(after, "POST", "/api/v1/login/totp", {
        pending_token: p.pending_token,
        code: codeNow(after, e.secret),
      });
      assertEquals(r.status, 200, `${name}: ${JSON.stringify(r.json)}`);
    }
    const p = await pendingLogin(after, "bob");
    const rec = await api(after, "POST", "/api/v1/login/recovery", {
      pending_token: p.pending_token,
      recovery_code: bob.recoveryCodes[0],
    });
    assertEquals(rec.status, 200, JSON.stringify(rec.json));
    // Which is why RECOVERY_CODE_KEY is required: keyed from the new key, codes no longer match.
    const unpinned = await appOn(dir, { signing, encryption: KEY_B });
    const p2 = await pendingLogin(unpinned, "bob");
    const lost = await api(unpinned, "POST", "/api/v1/login/recovery", {
      pending_token: p2.pending_token,
      recovery_code: bob.recoveryCodes[1],
    });
    assertEquals(lost.status, 401);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("secrets:reencrypt reports a secret neither key opens and leaves it as it is", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const env = await appOn(dir, { signing: [await generateSigningJwk()], encryption: KEY_A });
    await addUser(env, "alice");
    await addUser(env, "carol");
    await enrollViaApi(env, "alice");
    const carol = await enrollViaApi(env, "carol");
    // Carol's secret under some third key: not ours to decide, so it is reported, not touched.
    const other = await deriveSecretKeys(crypto.getRandomValues(new Uint8Array(32)));
    const foreign = await encryptSecret(other.encryption, carol.secret, "totp:x");
    await env.deps.db.run(
      // deno-lint-ignore no-explicit-any -- raw update for the test
      `UPDATE authenticators SET secret_enc = '${foreign}' WHERE id = '${carol.authenticatorId}'` as any,
    );
    const r = await cli(dir, ["secrets:reencrypt"], {
      OLD_ENCRYPTION_KEY: KEY_A,
      ENCRYPTION_KEY: KEY_B,
      RECOVERY_CODE_KEY: KEY_A,
    });
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "4 secret(s), 3 to re-encrypt, 3 written");
    assertStringIncludes(r.stderr, "1 opened by neither key");
    assertStringIncludes(r.stderr, carol.authenticatorId);
    const rows = await secretRows(env);
    assert(rows.some((row) => row.secret_enc === foreign), "the unreadable secret is unchanged");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("secrets:reencrypt --rows turns `wrangler d1 execute --json` rows into conditional UPDATEs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const env = await appOn(dir, { signing: [await generateSigningJwk()], encryption: KEY_A });
    await addUser(env, "alice");
    const alice = await enrollViaApi(env, "alice");
    const rows = await env.deps.db.all<Record<string, unknown>>(
      // deno-lint-ignore no-explicit-any -- the query docs/operations.md gives for D1
      "SELECT 'authenticators' AS tbl, id, user_id, secret_enc FROM authenticators UNION ALL SELECT 'enrollments' AS tbl, id, user_id, secret_enc FROM enrollments" as any,
    );
    await Deno.writeTextFile(
      `${dir}/rows.json`,
      JSON.stringify([{ results: rows.map((r) => ({ ...r })), success: true, meta: {} }]),
    );
    const r = await cli(dir, ["secrets:reencrypt", "--rows", `${dir}/rows.json`], {
      OLD_ENCRYPTION_KEY: KEY_A,
      ENCRYPTION_KEY: KEY_B,
      RECOVERY_CODE_KEY: KEY_A,
    });
    assertEquals(r.code, 0, r.stderr);
    const statements = r.stdout.trim().split("\n");
    assertEquals(statements.length, 2, r.stdout); // the authenticator and its consumed enrollment
    for (const s of statements) {
      assert(
        /^UPDATE (authenticators|enrollments) SET secret_enc = '.+' WHERE id = '.+' AND secret_enc = '.+';$/
          .test(s),
        s,
      );
      // deno-lint-ignore no-explicit-any -- apply the printed SQL as D1 would
      await env.deps.db.run(s as any);
    }
    const after = await appOn(dir, {
      signing: [await generateSigningJwk()],
      encryption: KEY_B,
      recovery: KEY_A,
    });
    nextStep(after);
    const p = await pendingLogin(after);
    const ok = await api(after, "POST", "/api/v1/login/totp", {
      pending_token: p.pending_token,
      code: codeNow(after, alice.secret),
    });
    assertEquals(ok.status, 200);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
