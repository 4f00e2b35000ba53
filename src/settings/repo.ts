/** @module Admin-settable settings: JSON documents by key, validated by their zod schema on read. */
import { eq } from "drizzle-orm";
import type { z } from "zod";
import type { Db } from "../db/client.ts";
import { settings } from "../db/schema.ts";

/** Reads a setting; a missing or invalid stored value yields the schema's defaults. */
export async function readSetting<T extends z.ZodType>(
  db: Db,
  key: string,
  schema: T,
): Promise<z.infer<T>> {
  const row = await db.query.settings.findFirst({ where: eq(settings.key, key) });
  let value: unknown = {};
  try {
    value = row ? JSON.parse(row.value) : {};
  } catch { /* fall back to defaults */ }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : schema.parse({});
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
