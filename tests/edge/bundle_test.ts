/**
 * The Workers bundle: `wrangler deploy --dry-run` builds it from src/worker.ts, and what it
 * imports from outside is only Node built-ins that `nodejs_compat` provides natively (not
 * wrangler's unenv stand-ins, which throw when called), with no WebAssembly and none of the
 * Deno-only modules. Needs wrangler (tools/wrangler.sh), so it runs in run_worker_suite.sh
 * (TWOFOLD_EDGE=1), not in every `deno task test`.
 */
import { assert, assertEquals } from "../assert.ts";

const root = new URL("../..", import.meta.url).pathname;

/**
 * Node modules that workerd implements itself under `nodejs_compat` (Cloudflare's "Node.js
 * compatibility" list, compatibility dates from 2025-09 on). Anything else gets an unenv
 * polyfill or nothing.
 */
const NODEJS_COMPAT = new Set([
  "assert",
  "assert/strict",
  "async_hooks",
  "buffer",
  "crypto",
  "diagnostics_channel",
  "dns",
  "dns/promises",
  "events",
  "fs",
  "fs/promises",
  "http",
  "https",
  "net",
  "path",
  "path/posix",
  "path/win32",
  "process",
  "querystring",
  "stream",
  "stream/promises",
  "stream/web",
  "string_decoder",
  "timers",
  "timers/promises",
  "tls",
  "url",
  "util",
  "util/types",
  "zlib",
]);

/** Modules the Worker must never contain: Deno-only entry points and native libSQL. */
const FORBIDDEN_SOURCES = [
  "src/main.ts",
  "src/bootstrap.ts",
  "src/keys_file.ts",
  "src/cli.ts",
  "src/db/client.ts",
  "drizzle-orm/libsql/migrator",
  "/libsql@",
  "@libsql+linux",
];

Deno.test({
  name: "bundle: wrangler builds the Worker, and it needs no Node built-in beyond nodejs_compat",
  ignore: Deno.env.get("TWOFOLD_EDGE") !== "1",
  fn: async () => {
    const outdir = await Deno.makeTempDir();
    try {
      const out = await new Deno.Command("bash", {
        args: [`${root}tools/wrangler.sh`, "deploy", "--dry-run", "--outdir", outdir],
        cwd: root,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const log = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assertEquals(out.code, 0, log);
      assert(log.includes("env.DB"), "the D1 binding is declared");

      const files = [...Deno.readDirSync(outdir)].map((e) => e.name).sort();
      assert(files.includes("worker.js"), files.join(", "));
      assertEquals(files.filter((f) => f.endsWith(".wasm")), [], "no WebAssembly modules");
      const code = await Deno.readTextFile(`${outdir}/worker.js`);
      assert(!/WebAssembly\.(compile|instantiate|Module)\b/.test(code), "no wasm compilation");

      // Every module the bundle imports from outside itself.
      const specifiers = new Set<string>();
      const patterns = [
        /^\s*import\s+(?:[\w*{}\s,$]+\s+from\s+)?["']([^"']+)["']/gm,
        /^\s*export\s+[\w*{}\s,$]+\s+from\s+["']([^"']+)["']/gm,
        /\bimport\(\s*["']([^"']+)["']\s*\)/g,
        /\brequire\(\s*["']([^"']+)["']\s*\)/g,
      ];
      for (const re of patterns) for (const m of code.matchAll(re)) specifiers.add(m[1]);
      const external = [...specifiers].filter((s) => !s.startsWith("."));
      for (const s of external) {
        const name = s.replace(/^node:/, "");
        const ok = NODEJS_COMPAT.has(name) || s.startsWith("cloudflare:");
        assert(ok, `the bundle imports ${s}, which nodejs_compat does not provide`);
      }

      const map = JSON.parse(await Deno.readTextFile(`${outdir}/worker.js.map`));
      const sources = map.sources as string[];
      assert(sources.some((s) => s.endsWith("src/worker.ts")), "built from src/worker.ts");
      const polyfills = sources.filter((s) => s.includes("unenv"));
      assertEquals(polyfills, [], "no unenv stand-ins for missing Node modules");
      for (const bad of FORBIDDEN_SOURCES) {
        const found = sources.filter((s) => s.includes(bad));
        assertEquals(found, [], `${bad} must not be in the Worker`);
      }
    } finally {
      await Deno.remove(outdir, { recursive: true });
    }
  },
});
