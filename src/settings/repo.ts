/** @module Admin-settable settings: JSON documents by key, validated by their zod schema on read. */
import { eq, inArray, sql } from "drizzle-orm";
import type { z } from "zod";
import type { Db } from "../db/client.ts";
import { perDb } from "../db/prepared.ts";
import { settings } from "../db/schema.ts";

const byKey = perDb((db) =>
  db.select({ value: settings.value }).from(settings)
    .where(eq(settings.key, sql.placeholder("key"))).limit(1).prepare()
);

/** The last stored text parsed per key and schema: the row is read every time, parsed once. */
const lastParsed = new WeakMap<z.ZodType, Map<string, { raw: string | null; value: unknown }>>();

/** Reads a setting; a missing or invalid stored value yields the schema's defaults. */
export async function readSetting<T extends z.ZodType>(
  db: Db,
  key: string,
  schema: T,
): Promise<z.infer<T>> {
  const row = await byKey(db).get({ key });
  return parseSetting(key, schema, row?.value ?? null);
}

type SettingSpec = readonly [key: string, schema: z.ZodType];

/**
 * Reads several settings in one statement (a login needs three); each is what `readSetting`
 * would return for its key and schema. `shared`: for a caller that only reads them (every
 * login), the values are the parsed ones kept for the stored text, deeply frozen, instead of a
 * copy each (three structured clones and about 5 KB of garbage per login).
 */
export async function readSettings<const T extends readonly SettingSpec[]>(
  db: Db,
  specs: T,
  options: { shared?: boolean } = {},
): Promise<{ -readonly [I in keyof T]: z.infer<T[I][1]> }> {
  const values: Record<string, string> = {};
  specs.forEach(([key], i) => values[`k${i}`] = key);
  const rows = await byKeys(specs.length)(db).all(values);
  const raw = new Map(rows.map((r) => [r.key, r.value]));
  return parseSettings(specs, specs.map(([key]) => raw.get(key) ?? null), options);
}

/**
 * What `readSettings` returns for stored texts read elsewhere (in order of `specs`, null where
 * unset): for a caller that read them in a statement of its own (a login step's first read).
 */
export function parseSettings<const T extends readonly SettingSpec[]>(
  specs: T,
  raws: readonly (string | null)[],
  options: { shared?: boolean } = {},
): { -readonly [I in keyof T]: z.infer<T[I][1]> } {
  return specs.map(([key, schema], i) =>
    parseSetting(key, schema, raws[i] ?? null, options.shared ?? false)
  ) as {
    -readonly [I in keyof T]: z.infer<T[I][1]>;
  };
}

const byKeysOfLength = new Map<number, ReturnType<typeof keysQuery>>();
const byKeys = (n: number) => {
  let q = byKeysOfLength.get(n);
  if (!q) byKeysOfLength.set(n, q = keysQuery(n));
  return q;
};
const keysQuery = (n: number) =>
  perDb((db) =>
    db.select({ key: settings.key, value: settings.value }).from(settings)
      .where(inArray(settings.key, Array.from({ length: n }, (_, i) => sql.placeholder(`k${i}`))))
      .prepare()
  );

function parseSetting<T extends z.ZodType>(
  key: string,
  schema: T,
  raw: string | null,
  shared = false,
): z.infer<T> {
  let byKeyCache = lastParsed.get(schema);
  if (!byKeyCache) lastParsed.set(schema, byKeyCache = new Map());
  const hit = byKeyCache.get(key);
  if (hit && hit.raw === raw) {
    return (shared ? hit.value : structuredClone(hit.value)) as z.infer<T>;
  }
  let value: unknown = {};
  try {
    value = raw !== null ? JSON.parse(raw) : {};
  } catch { /* fall back to defaults */ }
  const parsed = schema.safeParse(value);
  // Kept frozen: the shared readers get it as it is, the others a (mutable) copy.
  const result = deepFreeze(parsed.success ? parsed.data : schema.parse({}));
  byKeyCache.set(key, { raw, value: result });
  return shared ? result : structuredClone(result);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export function writeSettingStatement(
  db: Db,
  key: string,
  value: unknown,
  now: Date,
  by: string | null,
) {
  const json = JSON.stringify(value);
  return db.insert(settings).values({ key, value: json, updatedAt: now.getTime(), updatedBy: by })
    .onConflictDoUpdate({
      target: settings.key,
      set: { value: json, updatedAt: now.getTime(), updatedBy: by },
    });
}
