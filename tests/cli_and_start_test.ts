/** The embedded default as a user meets it: the CLI and the server on a libSQL file. */
import bcrypt from "bcryptjs";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { PASSWORD } from "./helpers.ts";
import { SmtpSink } from "./mail/smtp_server.ts";

const root = new URL("..", import.meta.url).pathname;

function envFor(dir: string, extra: Record<string, string> = {}) {
  return {
    DATABASE_URL: `file:${dir}/twofold.db`,
    KEYS_FILE: `${dir}/keys.json`,
    PBKDF2_ITERATIONS: "1000",
    NO_COLOR: "1",
    ...extra,
  };
}

async function cli(dir: string, args: string[], stdin?: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}src/cli.ts`, ...args],
    cwd: dir,
    env: envFor(dir),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  if (stdin !== undefined) await w.write(new TextEncoder().encode(stdin));
  await w.close();
  const out = await child.output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("cli: users:create reads the password from stdin; users:list shows 2FA status", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const made = await cli(
      dir,
      ["users:create", "--username", "Admin", "--role", "admin"],
      PASSWORD + "\n",
    );
    assertEquals(made.code, 0, made.stderr);
    assertStringIncludes(made.stdout, "created user Admin");
    const dup = await cli(dir, ["users:create", "--username", "admin"], PASSWORD);
    assertEquals(dup.code, 1);
    assertStringIncludes(dup.stderr, "taken");
    const short = await cli(dir, ["users:create", "--username", "bob"], "short");
    assertEquals(short.code, 1);
    assertStringIncludes(short.stderr, "at least 12");
    const list = await cli(dir, ["users:list"]);
    assertEquals(list.code, 0, list.stderr);
    assertStringIncludes(list.stdout, "Admin\tadmin\tnot enrolled\tno");
    // The generated keys are kept private.
    assertEquals((await Deno.stat(`${dir}/keys.json`)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start: a bad configuration value stops start-up naming the variable", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}src/main.ts`],
    env: { PORT: "not-a-port", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 2);
  assertStringIncludes(new TextDecoder().decode(out.stderr), "PORT");
});

/** Runs the server until `use` is done, then stops it; returns what it wrote. */
async function withServer(
  dir: string,
  extra: Record<string, string>,
  use: (origin: string) => Promise<void>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}src/main.ts`],
    cwd: dir,
    env: envFor(dir, { PORT: String(port), ...extra }),
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const origin = `http://127.0.0.1:${port}`;
  try {
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      try {
        const r = await fetch(`${origin}/healthz`);
        await r.body?.cancel();
        up = r.ok;
      } catch { /* not up yet */ }
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    if (!up) throw new Error("server did not start");
    await use(origin);
  } finally {
    child.kill("SIGTERM");
  }
  const out = await child.output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/** A private key as `crypto.subtle.exportKey("jwk")` gives it: with key_ops and ext. */
async function webCryptoJwk(kid: string): Promise<JsonWebKey & { kid: string }> {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
  return { ...(await crypto.subtle.exportKey("jwk", (pair as CryptoKeyPair).privateKey)), kid };
}

Deno.test("start: SIGNING_KEYS as WebCrypto exports them signs tokens that verify", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assertEquals((await cli(dir, ["users:create", "--username", "carol"], PASSWORD)).code, 0);
    const jwk = await webCryptoJwk("exported");
    assertEquals(jwk.key_ops, ["sign"]);
    await withServer(dir, { SIGNING_KEYS: JSON.stringify(jwk) }, async (origin) => {
      const login = await (await fetch(`${origin}/api/v1/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "carol", password: PASSWORD }),
      })).json();
      assertEquals(login.status, "enrollment_required");
      // The pending token it signed is accepted where a pending token is expected.
      const start = await fetch(`${origin}/api/v1/enrollments`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${login.pending_token}`,
        },
        body: "{}",
      });
      assertEquals(start.status, 201);
      await start.body?.cancel();
      const jwks = await (await fetch(`${origin}/.well-known/jwks.json`)).json();
      assertEquals(jwks.keys.map((k: JsonWebKey) => [k.key_ops, k.ext, k.d]), [[
        undefined,
        undefined,
        undefined,
      ]]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start: a signing key whose halves do not match stops start-up naming SIGNING_KEYS", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = await webCryptoJwk("good");
    const bad = { ...(await webCryptoJwk("broken")), x: good.x };
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${root}src/main.ts`],
      cwd: dir,
      env: envFor(dir, { SIGNING_KEYS: JSON.stringify([good, bad]), PORT: "0" }),
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // A server that starts anyway is stopped, and the test fails on its exit code.
    const timer = setTimeout(() => child.kill("SIGTERM"), 20_000);
    const out = await child.output();
    clearTimeout(timer);
    assertEquals(out.code, 2);
    const stderr = new TextDecoder().decode(out.stderr);
    assertStringIncludes(stderr, 'SIGNING_KEYS: key 2 of 2 (kid "broken")');
    assert(!stderr.includes(bad.d!), "the private key reached the output");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start: RESET_LINKS_IN_LOG=true is announced with a warning; the default is silent", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const on = await withServer(dir, { RESET_LINKS_IN_LOG: "true" }, async () => {});
    assertStringIncludes(on.stderr, "RESET_LINKS_IN_LOG=true: password reset links");
    const off = await withServer(dir, {}, async () => {});
    assert(!off.stderr.includes("RESET_LINKS_IN_LOG"), off.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start: the server migrates its file database, serves, and keeps its keys across restarts", async () => {
  const dir = await Deno.makeTempDir();
  const port = 20000 + Math.floor(Math.random() * 20000);
  const serve = () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${root}src/main.ts`],
      cwd: dir,
      env: envFor(dir, { PORT: String(port) }),
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  const waitUp = async () => {
    for (let i = 0; i < 100; i++) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (r.ok) return await r.json();
      } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("server did not start");
  };
  let child = serve();
  try {
    assertEquals(await waitUp(), { status: "ok" });
    const jwks1 = await (await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`)).json();
    child.kill("SIGTERM");
    const first = await child.output();
    assertStringIncludes(new TextDecoder().decode(first.stderr), "Production must set them");
    // A SIGTERM is a clean stop: exit 0, and the buffered request log lines are all written.
    assertEquals(first.code, 0);
    const lines = new TextDecoder().decode(first.stdout).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    const paths = lines.filter((l) => l.msg === "request").map((l) => l.path);
    assert(paths.includes("/healthz") && paths.includes("/.well-known/jwks.json"), String(paths));
    assertEquals(lines.at(-1).msg, "stopping");
    child = serve();
    await waitUp();
    const jwks2 = await (await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`)).json();
    assertEquals(jwks2, jwks1);
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "nobody", password: "x" }),
    });
    assertEquals(login.status, 401);
    await login.body?.cancel();
    assert((await Deno.stat(`${dir}/twofold.db`)).isFile);
  } finally {
    child.kill();
    await child.output();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: admin:bypass resets an admin's 2FA, prints a one-time pass and audits it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assertEquals(
      (await cli(dir, ["users:create", "--username", "root", "--role", "admin"], PASSWORD)).code,
      0,
    );
    assertEquals((await cli(dir, ["users:create", "--username", "bob"], PASSWORD)).code, 0);
    const notAdmin = await cli(dir, ["admin:bypass", "--username", "bob"]);
    assertEquals(notAdmin.code, 1);
    const r = await cli(dir, ["admin:bypass", "--username", "root"]);
    assertEquals(r.code, 0, r.stderr);
    const pass = r.stdout.match(/^([A-Z2-9]{5}-){3}[A-Z2-9]{5}$/m)?.[0];
    assert(pass, r.stdout);
    const { createClient } = await import("@libsql/client");
    const db = createClient({ url: `file:${dir}/twofold.db` });
    const events = await db.execute(
      "SELECT event, username FROM audit_events WHERE event = 'emergency.bypass'",
    );
    assertEquals(events.rows.map((e) => e.username), ["root"]);
    const stored = await db.execute(
      "SELECT enrollment_pass_hash FROM users WHERE username = 'root'",
    );
    assert(
      stored.rows[0].enrollment_pass_hash &&
        !String(stored.rows[0].enrollment_pass_hash).includes(pass!),
    );
    db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: oidc:create-client prints one JSON line with the client's id and secret (none when public)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const made = await cli(dir, [
      "oidc:create-client",
      "--name",
      "Grafana",
      "--redirect-uri",
      "https://grafana.example.com/login/generic_oauth",
      "--redirect-uri",
      "https://grafana.example.com/other",
      "--rs256",
    ]);
    assertEquals(made.code, 0, made.stderr);
    const lines = made.stdout.trim().split("\n");
    assertEquals(lines.length, 1);
    const out = JSON.parse(lines[0]);
    assertEquals(Object.keys(out), ["client_id", "client_secret"]);
    assert(typeof out.client_id === "string" && out.client_id.length >= 20);
    assert(typeof out.client_secret === "string" && out.client_secret.length >= 40);
    // Only its hash is stored, and the keys file holds the RSA key RS256 clients need.
    const db = await Deno.readFile(`${dir}/twofold.db`);
    assert(!new TextDecoder("latin1").decode(db).includes(out.client_secret), "secret not stored");
    const keys = JSON.parse(await Deno.readTextFile(`${dir}/keys.json`));
    assert(keys.signing_keys.some((k: { kty: string }) => k.kty === "RSA"), "an RSA key");

    const pub = await cli(dir, [
      "oidc:create-client",
      "--name",
      "SPA",
      "--redirect-uri",
      "https://spa.example.com/cb",
      "--public",
    ]);
    assertEquals(pub.code, 0, pub.stderr);
    assertEquals(JSON.parse(pub.stdout).client_secret, null);

    const bad = await cli(dir, [
      "oidc:create-client",
      "--name",
      "X",
      "--redirect-uri",
      "not a url",
    ]);
    assertEquals(bad.code, 2);
    assertStringIncludes(bad.stderr, "redirect_uris.0");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start: what loads at first use works in the real server (bcrypt sign-in, SMTP mail)", async () => {
  // bcryptjs and nodemailer are not imported at start (src/lib/password.ts, src/main.ts): an
  // imported bcrypt hash signs in, and with SMTP_URL the outbox's mail leaves over SMTP.
  const dir = await Deno.makeTempDir();
  const sink = await SmtpSink.start();
  try {
    await Deno.writeTextFile(
      `${dir}/users.jsonl`,
      JSON.stringify({
        username: "dora",
        email: "dora@example.test",
        password_hash: bcrypt.hashSync(PASSWORD, 4),
      }) + "\n",
    );
    const imported = await cli(dir, ["users:import", "--file", `${dir}/users.jsonl`]);
    assertEquals(imported.code, 0, imported.stderr);
    const extra = {
      SMTP_URL: sink.url,
      MAIL_FROM: "Twofold <twofold@example.test>",
      PUBLIC_URL: "https://login.example.test",
    };
    await withServer(dir, extra, async (origin) => {
      const post = (path: string, body: unknown) =>
        fetch(`${origin}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const login = await (await post("/api/v1/login", { username: "dora", password: PASSWORD }))
        .json();
      assertEquals(login.status, "enrollment_required");
      const reset = await post("/api/v1/password-reset", { username: "dora" });
      assertEquals(reset.status, 202);
      await reset.body?.cancel();
      // The outbox is delivered every 10 s.
      let mails = await sink.mails();
      for (let i = 0; i < 150 && !mails.length; i++) {
        await new Promise((r) => setTimeout(r, 100));
        mails = await sink.mails();
      }
      assertEquals(mails.map((m) => m.envelope_to), [["dora@example.test"]]);
      assertStringIncludes(mails[0].text ?? "", "https://login.example.test/password/reset");
    });
  } finally {
    await sink.remove();
    await Deno.remove(dir, { recursive: true });
  }
});
