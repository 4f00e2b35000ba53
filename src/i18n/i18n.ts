/**
 * @module Languages of the pages: English, French and German. A request's locale lives in an
 * AsyncLocalStorage (set once per request by ./middleware.ts), so views call `t(key)` without it
 * being threaded through every handler. Outside a request (CLI, JSON API, unit tests) the locale
 * is English.
 *
 * Messages that reach a view as English text from code outside the views (the error table,
 * zod schema messages, password-policy problems, the fixed notices of the routes) are
 * translated by `localize(text)`, which finds the catalogue entry whose English is that text,
 * the way gettext uses the English as the message id. Only `error.*` and `msg.*` entries take
 * part, and `{name}` placeholders match any text, so "Use at least 16 characters." finds
 * "Use at least {n} characters.".
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Child } from "hono/jsx";
import { de } from "./de.ts";
import { en, type MessageKey, type Messages } from "./en.ts";
import { fr } from "./fr.ts";

export type { MessageKey } from "./en.ts";

export const LOCALES = ["en", "fr", "de"] as const;
export type Locale = typeof LOCALES[number];
export const DEFAULT_LOCALE: Locale = "en";

/** Each language's name in that language, for the switcher. */
export const LANGUAGE_NAMES: Record<Locale, string> = {
  en: "English",
  fr: "Français",
  de: "Deutsch",
};

const CATALOGUES: Record<Locale, Messages> = { en, fr, de };

/** What a request knows about its language. */
export type RequestLocale = {
  locale: Locale;
  /**
   * The page the switcher's links lead to, with `?lang=` added: the current URL for a GET, the
   * path alone otherwise. Null: no switcher (pages that exist in English only).
   */
  switchBase: { path: string; search: string } | null;
};

const storage = new AsyncLocalStorage<RequestLocale>();

/** Runs `fn` with `state` as the request's locale (the middleware, and tests). */
export function runWithLocale<T>(state: RequestLocale | Locale, fn: () => T): T {
  return storage.run(typeof state === "string" ? { locale: state, switchBase: null } : state, fn);
}

export function currentLocale(): Locale {
  return storage.getStore()?.locale ?? DEFAULT_LOCALE;
}

export function currentSwitchBase(): RequestLocale["switchBase"] {
  return storage.getStore()?.switchBase ?? null;
}

export const isLocale = (value: unknown): value is Locale =>
  typeof value === "string" && (LOCALES as readonly string[]).includes(value);

/**
 * The best supported locale for an Accept-Language header: tags by descending q (ties keep
 * their order), a region falls back to its language ("fr-CH" -> fr), q=0 means "not this one",
 * and "*" or nothing usable means English.
 */
export function negotiateLocale(header: string | undefined | null): Locale {
  if (!header) return DEFAULT_LOCALE;
  const ranges = header.split(",").map((part, index) => {
    const [tag, ...params] = part.trim().split(";");
    let q = 1;
    for (const p of params) {
      const [k, v] = p.trim().split("=");
      if (k?.trim().toLowerCase() === "q") {
        const n = Number(v);
        q = Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
      }
    }
    return { tag: tag.trim().toLowerCase(), q, index };
  }).filter((r) => r.tag && r.q > 0);
  ranges.sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranges) {
    if (tag === "*") return DEFAULT_LOCALE;
    const language = tag.split("-")[0];
    if (isLocale(language)) return language;
  }
  return DEFAULT_LOCALE;
}

/** What `t()` answers for a key the catalogue lacks; tests look for it on every page. */
export const missing = (key: string) => `⟦missing:${key}⟧`;

export type Params = Record<string, string | number>;

function template(key: MessageKey, locale = currentLocale()): string | undefined {
  const catalogue: Record<string, string> = CATALOGUES[locale];
  return Object.hasOwn(catalogue, key) ? catalogue[key] : undefined;
}

function fill(text: string, params: Params | undefined): string {
  if (!params) return text;
  return text.replace(
    /\{(\w+)\}/g,
    (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole),
  );
}

/** The message `key` in the request's language, with `{name}` placeholders filled. */
export function t(key: MessageKey, params?: Params): string {
  const text = template(key);
  return text === undefined ? missing(key) : fill(text, params);
}

/** Keys that come as a pair `<base>.one` / `<base>.other`. */
export type PluralKey = {
  [K in MessageKey]: K extends `${infer Base}.one` ? `${Base}.other` extends MessageKey ? Base
    : never
    : never;
}[MessageKey];

/** The singular or plural form of `key` for `count` (also passed as `{n}`). */
export function tp(key: PluralKey, count: number, params?: Params): string {
  const rule = new Intl.PluralRules(currentLocale()).select(count);
  return t(`${key}.${rule === "one" ? "one" : "other"}` as MessageKey, { n: count, ...params });
}

/**
 * The message `key` as page content, with elements in its placeholders: `tj("account.signed_in",
 * { name: <strong>alice</strong> })`. Text parts stay text, so the JSX renderer escapes them.
 */
export function tj(key: MessageKey, params: Record<string, Child>): Child[] {
  const text = template(key);
  if (text === undefined) return [missing(key)];
  const parts = text.split(/\{(\w+)\}/);
  return parts.map((
    part,
    i,
  ) => (i % 2 === 0 ? part : Object.hasOwn(params, part) ? params[part] : `{${part}}`))
    .filter((part) => part !== "");
}

// ---- translating English text handed over by code outside the views ----

type Entry = { key: MessageKey; pattern: RegExp | null; names: string[] };

let exact: Map<string, MessageKey> | undefined;
let patterns: Entry[] | undefined;

function index() {
  if (exact && patterns) return { exact, patterns };
  exact = new Map();
  patterns = [];
  for (const [key, text] of Object.entries(en) as [MessageKey, string][]) {
    if (!key.startsWith("error.") && !key.startsWith("msg.")) continue;
    const names = [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    if (names.length === 0) {
      if (!exact.has(text)) exact.set(text, key);
      continue;
    }
    const source = text.split(/\{\w+\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join("(.+?)");
    patterns.push({ key, pattern: new RegExp(`^${source}$`, "s"), names });
  }
  return { exact, patterns };
}

const translated: Partial<Record<Locale, Set<string>>> = {};

/** English messages that `localize()` could not find (the first 100), for tests to assert on. */
export const untranslated = new Set<string>();
const UNTRANSLATED_KEPT = 100;

function localizeOne(text: string): string | undefined {
  const { exact, patterns } = index();
  const key = exact.get(text);
  if (key) return t(key);
  for (const entry of patterns) {
    const m = entry.pattern!.exec(text);
    if (!m) continue;
    const params: Params = {};
    // A `{message}` placeholder holds another message (a schema's, after the item it is about).
    entry.names.forEach((name, i) => {
      params[name] = name === "message" ? localizeOne(m[i + 1]) ?? m[i + 1] : m[i + 1];
    });
    return t(entry.key, params);
  }
  return undefined;
}

/** Sentences as catalogue messages of one or more sentences each, longest first; all or nothing. */
function localizeSentences(sentences: string[]): string | undefined {
  if (sentences.length < 2) return undefined;
  const out: string[] = [];
  let i = 0;
  while (i < sentences.length) {
    let found: string | undefined;
    let j = sentences.length;
    for (; j > i && found === undefined; j--) {
      if (i === 0 && j === sentences.length) continue; // the whole text was tried already
      found = localizeOne(sentences.slice(i, j).join(" "));
    }
    if (found === undefined) return undefined;
    out.push(found);
    i = j + 1;
  }
  return out.join(" ");
}

/**
 * An English message from outside the views in the request's language. Several catalogue
 * sentences joined by spaces (the password policy's problems in one field) are translated one
 * by one. Text the catalogue does not know is returned unchanged (and noted in `untranslated`).
 */
export function localize(text: string): string;
export function localize(text: string | undefined): string | undefined;
export function localize(text: string | undefined): string | undefined {
  const locale = currentLocale();
  if (text === undefined || text === "" || locale === "en") return text;
  // Already in the page's language (a view passing its own t() text through).
  if ((translated[locale] ??= new Set(Object.values(CATALOGUES[locale]))).has(text)) return text;
  const whole = localizeOne(text);
  if (whole !== undefined) return whole;
  const joined = localizeSentences(text.split(/(?<=[.!?])\s+/));
  if (joined !== undefined) return joined;
  if (untranslated.size < UNTRANSLATED_KEPT) untranslated.add(text);
  return text;
}

/** The catalogues, for tests. */
export const catalogues = CATALOGUES;
