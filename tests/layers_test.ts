/**
 * Imports run downhill: the low layers (lib/, db/, http/, i18n/, views/, assets/, config.ts
 * and the route annotations of openapi/describe.ts) import only each other, so a feature can be
 * read, moved or tested without dragging another feature along. `Deps` is the one bag every
 * layer passes around; they may name its type, never run deps.ts (which builds it from
 * features).
 */
import { assertEquals } from "./assert.ts";

const SRC = new URL("../src/", import.meta.url);

const LOW = [
  "lib/",
  "db/",
  "http/",
  "i18n/",
  "views/",
  "assets/",
  "config.ts",
  "openapi/describe.ts",
];

const isLow = (path: string) => LOW.some((p) => p.endsWith("/") ? path.startsWith(p) : path === p);

async function* sourceFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(new URL(dir, SRC))) {
    const path = dir + entry.name;
    if (entry.isDirectory) yield* sourceFiles(path + "/");
    else if (/\.tsx?$/.test(entry.name) && !/_test\.tsx?$/.test(entry.name)) yield path;
  }
}

/** Every relative module a file names: static and dynamic imports, re-exports, worker URLs. */
export function relativeImports(code: string): { specifier: string; typeOnly: boolean }[] {
  const found: { specifier: string; typeOnly: boolean }[] = [];
  for (const m of code.matchAll(/^\s*(import|export)(\s+type)?\b[^;]*?\sfrom\s+"(\.[^"]+)"/gm)) {
    found.push({ specifier: m[3], typeOnly: !!m[2] });
  }
  for (const m of code.matchAll(/^\s*import\s+"(\.[^"]+)"/gm)) {
    found.push({ specifier: m[1], typeOnly: false });
  }
  for (const m of code.matchAll(/(?:import\(|new URL\()\s*"(\.[^"]+)"/g)) {
    found.push({ specifier: m[1], typeOnly: false });
  }
  return found;
}

Deno.test("relativeImports() finds static, type-only, dynamic and worker imports", () => {
  const code = [
    'import type { Deps } from "../deps.ts";',
    "import {",
    "  a,",
    '} from "../sessions/service.ts";',
    'export { b } from "./b.ts";',
    'const m = await import("./lazy.ts");',
    'new Worker(new URL("./worker.ts", import.meta.url));',
  ].join("\n");
  assertEquals(relativeImports(code), [
    { specifier: "../deps.ts", typeOnly: true },
    { specifier: "../sessions/service.ts", typeOnly: false },
    { specifier: "./b.ts", typeOnly: false },
    { specifier: "./lazy.ts", typeOnly: false },
    { specifier: "./worker.ts", typeOnly: false },
  ]);
});

Deno.test("the low layers import no feature", async () => {
  const files = LOW.filter((p) => !p.endsWith("/"));
  for (const dir of LOW.filter((p) => p.endsWith("/"))) {
    for await (const file of sourceFiles(dir)) files.push(file);
  }
  const upward: string[] = [];
  for (const file of files) {
    const url = new URL(file, SRC);
    for (const { specifier, typeOnly } of relativeImports(await Deno.readTextFile(url))) {
      const href = new URL(specifier, url).href;
      if (!href.startsWith(SRC.href)) continue; // migrations/, read as files, not code
      const target = href.slice(SRC.href.length);
      if (isLow(target) || (target === "deps.ts" && typeOnly)) continue;
      upward.push(`src/${file} -> src/${target}`);
    }
  }
  assertEquals(upward, []);
});
