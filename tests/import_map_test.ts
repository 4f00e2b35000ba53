/**
 * A server start fetches only what the server imports. Deno installs every npm package named in
 * deno.lock (and in deno.json's import map) before any `deno task`, so `deno task start` in an
 * empty DENO_DIR fetched 128 MB while playwright-core, axe-core and drizzle-kit were there, and
 * 69 MB without them. Test- and tool-only packages are therefore imported by their `npm:`
 * specifier where they are used (tests/browser_harness.ts, drizzle.config.ts), and the test,
 * check and db:generate tasks keep their versions in tests/deno.lock.
 */
import { assertEquals } from "./assert.ts";

const root = new URL("..", import.meta.url).pathname;

/** In the fixed stack (STYLE.md) though no route uses it yet. */
const ALLOWED_UNUSED = new Set(["@hono/zod-validator"]);

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await sources(path));
    else if (/\.tsx?$/.test(entry.name)) out.push(await Deno.readTextFile(path));
  }
  return out;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
/** "npm:@scope/name@^1.2" -> "@scope/name" */
const packageName = (specifier: string) =>
  specifier.replace(/^npm:\/?/, "").replace(/(?<!^)@.*$/, "");

Deno.test("import map: every package in deno.json is imported by src/", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  const code = (await sources(`${root}src`)).join("\n");
  const unused = Object.keys(config.imports).map((key) => key.replace(/\/$/, "")).filter((name) =>
    !ALLOWED_UNUSED.has(name) &&
    // A type package (@types/x) counts as used where its package (x) is.
    !new RegExp(`["']${escape(name.replace(/^@types\//, ""))}(/[^"']*)?["']`).test(code)
  );
  assertEquals(unused, [], "test- or tool-only packages belong in the files that use them");
});

Deno.test("import map: deno.lock names only the server's packages", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  const code = (await sources(`${root}src`)).join("\n");
  const server = new Set<string>(
    Object.values(config.imports as Record<string, string>).map(packageName),
  );
  for (const m of code.matchAll(/["']npm:([^"']+)["']/g)) server.add(packageName(`npm:${m[1]}`));
  const lock = JSON.parse(await Deno.readTextFile(`${root}deno.lock`));
  const extra = Object.keys(lock.specifiers ?? {}).map(packageName).filter((n) => !server.has(n));
  assertEquals(
    extra,
    [],
    "deno.lock holds test-only packages (a test run without --lock=tests/deno.lock): " +
      "`git checkout deno.lock`, or remove the lines and run `deno install`",
  );
});
