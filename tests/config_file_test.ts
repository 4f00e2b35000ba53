/**
 * The configuration file (CONFIG_FILE, JSON), the environment over it, `<KEY>_FILE` secrets, and
 * errors that name the key and the file.
 */
import { ConfigError, parseConfig } from "../src/config.ts";
import { configJsonSchema, gatherConfig } from "../src/config_sources.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

const root = new URL("..", import.meta.url).pathname;

function errorsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert(e instanceof ConfigError, String(e));
    return e.message;
  }
  throw new Error("no ConfigError");
}

const noFiles = (path: string): string => {
  throw new Error(`No such file: ${path}`);
};

Deno.test("config file: values, the environment over them, and *_FILE secrets", () => {
  const secrets: Record<string, string> = { "/run/secrets/enc": "A".repeat(43) + "=\n" };
  const { record, sources } = gatherConfig({
    file: {
      path: "/etc/twofold.json",
      text: JSON.stringify({
        $schema: "./docs/twofold.schema.json",
        ISSUER: "FileCo",
        PORT: 9000,
        AUTO_MIGRATE: false,
        IP_ALLOWLIST: ["10.0.0.0/8", "192.168.0.0/16"],
        ENCRYPTION_KEY_FILE: "/run/secrets/enc",
        REMEMBER_ME_DAYS: 3,
      }),
    },
    env: { ISSUER: "EnvCo", PATH: "/usr/bin", HOME: "/root" },
    readText: (p) => secrets[p] ?? noFiles(p),
  });
  const config = parseConfig(record, sources);
  assertEquals(config.ISSUER, "EnvCo");
  assertEquals(config.PORT, 9000);
  assertEquals(config.AUTO_MIGRATE, false);
  assertEquals(config.IP_ALLOWLIST, "10.0.0.0/8,192.168.0.0/16");
  assertEquals(config.ENCRYPTION_KEY, "A".repeat(43) + "=");
  assertEquals(config.REMEMBER_ME_DAYS, 3);
  assertEquals(sources.PORT, "config file /etc/twofold.json");
  assertEquals(sources.ISSUER, undefined);
});

Deno.test("config file: every error names its key and where it came from", () => {
  const file = (settings: object) => ({
    path: "/etc/twofold.json",
    text: JSON.stringify(settings),
  });
  const gathered = (settings: object, env: Record<string, string> = {}) => {
    const g = gatherConfig({ file: file(settings), env, readText: noFiles });
    return parseConfig(g.record, g.sources);
  };
  assertStringIncludes(
    errorsOf(() => gathered({ PORT: 99999 })),
    "PORT (config file /etc/twofold.json):",
  );
  assertStringIncludes(
    errorsOf(() => gathered({ PROT: 80 })),
    "PROT (config file /etc/twofold.json): not a setting",
  );
  assertStringIncludes(
    errorsOf(() => gathered({ ISSUER: { name: "x" } })),
    "ISSUER (config file /etc/twofold.json): must be a string",
  );
  assertStringIncludes(
    errorsOf(() => gathered({}, { ENCRYPTION_KEY_FILE: "/nope/key" })),
    "ENCRYPTION_KEY (ENCRYPTION_KEY_FILE=/nope/key): cannot read /nope/key",
  );
  assertStringIncludes(
    errorsOf(() => gathered({}, { ENCRYPTION_KEY_FILE: "/k", ENCRYPTION_KEY: "A".repeat(43) })),
    "ENCRYPTION_KEY: set both directly and by ENCRYPTION_KEY_FILE",
  );
  // A secret file with a bad value: the key, the file, and which setting named it.
  const g = gatherConfig({
    env: { METRICS_TOKEN_FILE: "/run/secrets/metrics" },
    readText: () => "short",
  });
  assertStringIncludes(
    errorsOf(() => parseConfig(g.record, g.sources)),
    "METRICS_TOKEN (file /run/secrets/metrics, from METRICS_TOKEN_FILE=/run/secrets/metrics):",
  );
  assertStringIncludes(
    errorsOf(() =>
      gatherConfig({ file: { path: "/c.json", text: "{ PORT: 1" }, env: {}, readText: noFiles })
    ),
    "config file /c.json: not valid JSON",
  );
});

Deno.test("config file: docs/twofold.schema.json is the schema `config:schema` prints", async () => {
  const shipped = JSON.parse(await Deno.readTextFile(`${root}docs/twofold.schema.json`)) as {
    properties: Record<string, unknown>;
    additionalProperties: boolean;
  };
  assertEquals(shipped as unknown, configJsonSchema() as unknown);
  const keys = Object.keys(shipped.properties);
  assert(keys.includes("ENCRYPTION_KEY") && keys.includes("SETUP_TOKEN"), keys.join());
  assertEquals(shipped.additionalProperties, false);
});

Deno.test("config file: the server starts from CONFIG_FILE with secrets from *_FILE, env winning", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const keys = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${root}src/cli.ts`, "keys:generate"],
      stdout: "piped",
    }).outputSync();
    const text = new TextDecoder().decode(keys.stdout);
    const value = (name: string) => text.match(new RegExp(`^${name}='(.*)'$`, "m"))![1];
    await Deno.writeTextFile(`${dir}/signing`, value("SIGNING_KEYS") + "\n");
    await Deno.writeTextFile(`${dir}/enc`, value("ENCRYPTION_KEY") + "\n");
    const port = 20000 + Math.floor(Math.random() * 20000);
    await Deno.writeTextFile(
      `${dir}/twofold.json`,
      JSON.stringify({
        ISSUER: "FileCo",
        PORT: port,
        DATABASE_URL: `file:${dir}/twofold.db`,
        PBKDF2_ITERATIONS: 1000,
        SIGNING_KEYS_FILE: `${dir}/signing`,
        ENCRYPTION_KEY_FILE: `${dir}/enc`,
      }),
    );
    const serve = async (env: Record<string, string>) => {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", `${root}src/main.ts`],
        cwd: dir,
        clearEnv: true,
        env: { CONFIG_FILE: `${dir}/twofold.json`, PATH: Deno.env.get("PATH") ?? "", ...env },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      try {
        for (let i = 0; i < 100; i++) {
          const r = await fetch(`http://127.0.0.1:${port}/login`).catch(() => null);
          if (r) return await r.text();
          await new Promise((ok) => setTimeout(ok, 100));
        }
        throw new Error("the server did not start");
      } finally {
        child.kill("SIGTERM");
        const out = await child.output();
        const stderr = new TextDecoder().decode(out.stderr);
        // Keys came from the files: no generated keys file, no warning about it.
        assert(!stderr.includes("SIGNING_KEYS and ENCRYPTION_KEY not set"), stderr);
      }
    };
    assertStringIncludes(await serve({}), "· FileCo</title>");
    assertStringIncludes(await serve({ ISSUER: "EnvCo" }), "· EnvCo</title>");

    // A bad value in the file stops the start, naming the key and the file.
    await Deno.writeTextFile(`${dir}/bad.json`, JSON.stringify({ SESSION_HOURS: 100 }));
    const bad = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${root}src/main.ts`],
      cwd: dir,
      env: { CONFIG_FILE: `${dir}/bad.json` },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(bad.code, 2);
    assertStringIncludes(
      new TextDecoder().decode(bad.stderr),
      `SESSION_HOURS (config file ${dir}/bad.json):`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
