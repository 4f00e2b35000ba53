/** @module Admin-settable settings: JSON documents by key, validated by their zod schema on read. */
import { eq, sql } from "drizzle-orm";
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
  const raw = row?.value ?? null;
  let byKeyCache = lastParsed.get(schema);
  if (!byKeyCache) lastParsed.set(schema, byKeyCache = new Map());
  const hit = byKeyCache.get(key);
  if (hit && hit.raw === raw) return structuredClone(hit.value) as z.infer<T>;
  let value: unknown = {};
  try {
    value = raw !== null ? JSON.parse(raw) : {};
  } catch { /* fall back to defaults */ }
  const parsed = schema.safeParse(value);
  const result = parsed.success ? parsed.data : schema.parse({});
  byKeyCache.set(key, { raw, value: result });
  return structuredClone(result);
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
