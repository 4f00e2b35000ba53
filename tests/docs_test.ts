/**
 * The README and docs/ hold together: every relative link and image between them (and to any file
 * of the repository) points at something that exists, every `#anchor` at a heading GitHub would
 * give that anchor; the README stays an entrance that links every page of docs/ and keeps the two
 * commands CI reads; docs/configuration.md has a row for exactly the variables the config schema
 * reads; docs/api.md names exactly the operations of the OpenAPI document.
 */
import { configKeys } from "../src/config.ts";
import { assert, assertEquals } from "./assert.ts";
import { api, testApp } from "./helpers.ts";

const ROOT = new URL("../", import.meta.url);

// ---- reading markdown ----

/** The lines of a markdown file outside fenced code blocks, with their line numbers. */
export function proseLines(text: string): { line: string; n: number }[] {
  const out: { line: string; n: number }[] = [];
  let fence: string | null = null;
  text.split("\n").forEach((line, i) => {
    const m = line.match(/^\s{0,3}(`{3,}|~{3,})/);
    if (m) {
      if (fence === null) fence = m[1][0].repeat(m[1].length);
      else if (m[1].startsWith(fence)) fence = null;
      return;
    }
    if (fence === null) out.push({ line, n: i + 1 });
  });
  return out;
}

/** A line without its inline code spans (a link inside backticks is not a link). */
const withoutCode = (line: string) => line.replace(/(`+)[\s\S]*?\1/g, "");

/** Every link and image target of a markdown file: inline, reference definitions and HTML. */
export function linkTargets(text: string): { target: string; n: number }[] {
  const out: { target: string; n: number }[] = [];
  for (const { line, n } of proseLines(text)) {
    const prose = withoutCode(line);
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      out.push({ target: m[1], n });
    }
    const def = prose.match(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/);
    if (def) out.push({ target: def[1], n });
    for (const m of prose.matchAll(/<(?:a|img)\s[^>]*?(?:href|src)="([^"]+)"/gi)) {
      out.push({ target: m[1], n });
    }
  }
  return out;
}

/**
 * GitHub's anchor for a heading (github-slugger): the rendered text, lower-cased, without
 * punctuation other than `-` and `_`, spaces turned into hyphens one for one.
 */
export function slug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images: their text
    .replace(/`+([^`]*)`+/g, "$1") // code spans: their content
    .replace(/<[^>]+>/g, "") // inline HTML tags
    .replace(/(\*\*|__|\*|~~)(.+?)\1/g, "$2"); // emphasis markers
  return rendered.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(
    / /g,
    "-",
  );
}

/** The anchors of a markdown file's headings (ATX and setext; repeats get -1, -2, ...). */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const add = (heading: string) => {
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    out.add(count === 0 ? base : `${base}-${count}`);
  };
  const lines = proseLines(text);
  lines.forEach(({ line, n }, i) => {
    const atx = line.match(/^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/);
    if (atx) return add(atx[1]);
    const prev = lines[i - 1];
    if (
      /^\s{0,3}(=+|-+)\s*$/.test(line) && prev && prev.n === n - 1 && prev.line.trim() !== "" &&
      !/^\s{0,3}([#>|]|[-*+]\s|\d+[.)]\s)/.test(prev.line)
    ) add(prev.line.trim());
  });
  for (const { line } of lines) {
    for (const m of line.matchAll(/<a\s[^>]*?(?:id|name)="([^"]+)"/gi)) out.add(m[1]);
  }
  return out;
}

// ---- checking links ----

/** How the checker sees the repository: a file's text (null if absent) and whether a path exists. */
export type Files = { read(path: string): string | null; exists(path: string): boolean };

/** `a/b/../c.md` -> `a/c.md`; null when it climbs out of the repository. */
function normalize(path: string): string | null {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join("/");
}

/** Every broken relative link of the given markdown files, as "file:line: target: why". */
export function brokenLinks(paths: string[], files: Files): string[] {
  const problems: string[] = [];
  for (const from of paths) {
    const text = files.read(from);
    if (text === null) {
      problems.push(`${from}: missing`);
      continue;
    }
    const dir = from.includes("/") ? from.slice(0, from.lastIndexOf("/") + 1) : "";
    for (const { target, n } of linkTargets(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) continue; // external
      const at = `${from}:${n}: ${target}`;
      const hash = target.indexOf("#");
      const rawPath = hash === -1 ? target : target.slice(0, hash);
      const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
      const path = rawPath === ""
        ? from
        : normalize(rawPath.startsWith("/") ? rawPath : dir + decodeURIComponent(rawPath));
      if (path === null) {
        problems.push(`${at}: leaves the repository`);
        continue;
      }
      if (!files.exists(path)) {
        problems.push(`${at}: no such file (${path})`);
        continue;
      }
      if (anchor === null || anchor === "") continue;
      const targetText = path.endsWith(".md") ? files.read(path) : null;
      if (targetText === null) {
        problems.push(`${at}: an anchor into a file that is not markdown`);
      } else if (!anchors(targetText).has(anchor)) {
        problems.push(`${at}: no heading with the anchor #${anchor} in ${path}`);
      }
    }
  }
  return problems;
}

const repoFiles: Files = {
  read(path) {
    try {
      return Deno.readTextFileSync(new URL(path, ROOT));
    } catch {
      return null;
    }
  },
  exists(path) {
    try {
      Deno.statSync(new URL(path, ROOT));
      return true;
    } catch {
      return false;
    }
  },
};

/** docs/**\/*.md, relative to the repository. */
function docPages(dir = "docs"): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(new URL(`${dir}/`, ROOT))) {
    if (e.isDirectory) out.push(...docPages(`${dir}/${e.name}`));
    else if (e.name.endsWith(".md")) out.push(`${dir}/${e.name}`);
  }
  return out.sort();
}

const readme = () => repoFiles.read("README.md")!;

// ---- the checker, on made-up files: it does find what is broken ----

Deno.test("docs: slug() gives GitHub's anchors", () => {
  assertEquals(slug("Rotating keys"), "rotating-keys");
  assertEquals(
    slug("Self-service: `/api/v1/me/...` (Bearer session token)"),
    "self-service-apiv1me-bearer-session-token",
  );
  assertEquals(slug("Security rules (and where they live)"), "security-rules-and-where-they-live");
  assertEquals(slug("Speed & durability"), "speed--durability");
  assertEquals(slug("**Bold** and [a link](x.md) with __Host-"), "bold-and-a-link-with-__host-");
  assertEquals(slug("Über Größe"), "über-größe");
});

Deno.test("docs: the link checker reports each kind of broken link, and nothing else", () => {
  const text: Record<string, string> = {
    "README.md": [
      "# Title",
      "[ok](docs/a.md) [ok](docs/a.md#the-part) ![ok](docs/img.png) [ok](#title)",
      "[gone](docs/missing.md) ![gone](docs/none.png) [bad anchor](docs/a.md#nope)",
      "[self](#no-such) [out](../outside.md) [img anchor](docs/img.png#x)",
      "[external](https://example.com/x#y) <https://example.com> `[code](nowhere.md)`",
      "```",
      "[in a fence](nowhere.md)",
      "```",
      '<img src="docs/gone.png" alt="">',
      "[ref]: docs/a.md#the-part",
      "[badref]: docs/a.md#the-parts",
    ].join("\n"),
    "docs/a.md": "# A\n\n## The part\n\n[up](../README.md#title) [up, bad](../README.md#titel)\n",
  };
  const files: Files = {
    read: (p) => text[p] ?? null,
    exists: (p) => p in text || p === "docs/img.png",
  };
  assertEquals(brokenLinks(["README.md", "docs/a.md"], files), [
    "README.md:3: docs/missing.md: no such file (docs/missing.md)",
    "README.md:3: docs/none.png: no such file (docs/none.png)",
    "README.md:3: docs/a.md#nope: no heading with the anchor #nope in docs/a.md",
    "README.md:4: #no-such: no heading with the anchor #no-such in README.md",
    "README.md:4: ../outside.md: leaves the repository",
    "README.md:4: docs/img.png#x: an anchor into a file that is not markdown",
    "README.md:9: docs/gone.png: no such file (docs/gone.png)",
    "README.md:11: docs/a.md#the-parts: no heading with the anchor #the-parts in docs/a.md",
    "docs/a.md:5: ../README.md#titel: no heading with the anchor #titel in README.md",
  ]);
});

// ---- the real files ----

Deno.test("docs: every link and image in README.md and docs/ points at a file and heading that exist", () => {
  const pages = ["README.md", ...docPages()];
  assert(pages.length >= 10, `only ${pages.length} pages found`);
  assertEquals(brokenLinks(pages, repoFiles), []);
});

Deno.test("docs: the README is an entrance: short, the two commands, a link to every page of docs/", () => {
  const text = readme();
  const lines = text.split("\n").length;
  assert(lines <= 150, `README.md has ${lines} lines: move the detail into docs/`);
  // CI reads the test command from the README; people copy both.
  for (const command of ["npx -y deno task start", "npx -y deno task test"]) {
    assert(
      text.split("\n").some((l) => l.startsWith(command)),
      `README.md must show \`${command}\` at the start of a line`,
    );
  }
  const linked = new Set(linkTargets(text).map(({ target }) => target.split("#")[0]));
  const unlinked = docPages().filter((page) => !linked.has(page));
  assertEquals(unlinked, [], "pages of docs/ the README does not link");
});

Deno.test("docs: every screenshot in docs/screenshots/ is shown on a page", () => {
  const shown = new Set<string>();
  for (const page of ["README.md", ...docPages()]) {
    const dir = page.includes("/") ? page.slice(0, page.lastIndexOf("/") + 1) : "";
    for (const { target } of linkTargets(repoFiles.read(page)!)) {
      const path = normalize(dir + target.split("#")[0]);
      if (path) shown.add(path);
    }
  }
  const files = [...Deno.readDirSync(new URL("docs/screenshots/", ROOT))]
    .filter((e) => e.name.endsWith(".png")).map((e) => `docs/screenshots/${e.name}`).sort();
  assert(files.length >= 8, `only ${files.length} screenshots`);
  assertEquals(files.filter((f) => !shown.has(f)), [], "screenshots no page shows");
});

// ---- the reference tables against the code ----

Deno.test("docs: docs/configuration.md has one row for each variable the config schema reads", () => {
  const text = repoFiles.read("docs/configuration.md")!;
  const rows = proseLines(text).map(({ line }) => line.match(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/))
    .filter((m) => m !== null).map((m) => m![1]);
  const schema = configKeys().sort();
  assert(schema.length >= 40, `only ${schema.length} variables in the schema`);
  assertEquals([...rows].sort(), schema, "rows of the configuration table vs the config schema");
  assertEquals(rows.length, new Set(rows).size, "a variable with two rows");
});

const METHOD = "GET|HEAD|POST|PUT|PATCH|DELETE";
const OPERATION = new RegExp(`^((?:${METHOD})(?:/(?:${METHOD}))*) (/\\S*)$`);

/** "METHOD /path" of every code span in the text that names an operation (`GET/PUT /x?q=`). */
export function namedOperations(text: string): string[] {
  const out = new Set<string>();
  for (const { line } of proseLines(text)) {
    for (const m of line.matchAll(/`([^`]+)`/g)) {
      const op = m[1].trim().match(OPERATION);
      if (!op) continue;
      const path = op[2].split("?")[0];
      for (const method of op[1].split("/")) out.add(`${method} ${path}`);
    }
  }
  return [...out].sort();
}

Deno.test("docs: docs/api.md names exactly the operations of the OpenAPI document", async () => {
  const env = await testApp();
  const r = await api(env, "GET", "/api/v1/openapi.json");
  assertEquals(r.status, 200);
  const documented: string[] = [];
  for (const [path, item] of Object.entries(r.json.paths as Record<string, object>)) {
    for (const method of Object.keys(item)) documented.push(`${method.toUpperCase()} ${path}`);
  }
  assert(documented.length >= 50, `only ${documented.length} operations in the document`);
  const named = namedOperations(repoFiles.read("docs/api.md")!);
  assertEquals(
    documented.filter((op) => !named.includes(op)).sort(),
    [],
    "operations of the OpenAPI document that docs/api.md does not name",
  );
  // HEAD is answered by every GET route (Hono), so `GET/HEAD /x` is right where GET /x is.
  const known = (op: string) =>
    documented.includes(op) ||
    (op.startsWith("HEAD ") && documented.includes(`GET ${op.slice(5)}`));
  assertEquals(
    named.filter((op) => !known(op)),
    [],
    "operations docs/api.md names that the OpenAPI document does not have",
  );
});
