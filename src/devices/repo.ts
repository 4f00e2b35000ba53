/** @module Trusted devices: a row per device, so a revoke ends its token at once. */
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { trustedDevices } from "../db/schema.ts";
import { revokeOwnedRow } from "../sessions/repo.ts";

export type TrustedDeviceRow = typeof trustedDevices.$inferSelect;
export type NewTrustedDevice = typeof trustedDevices.$inferInsert;

/** A live device of this user, or nothing; marks it used. */
export async function useTrustedDevice(
  db: Db,
  input: { id: string; userId: string; now: Date },
): Promise<TrustedDeviceRow | undefined> {
  const rows = await db.update(trustedDevices)
    .set({ lastUsedAt: input.now.getTime() })
    .where(and(
      eq(trustedDevices.id, input.id),
      eq(trustedDevices.userId, input.userId),
      isNull(trustedDevices.revokedAt),
      gt(trustedDevices.expiresAt, input.now.getTime()),
    ))
    .returning();
  return rows[0];
}

/** Revokes one device of a user; returns whether it was live. */
export async function revokeTrustedDevice(
  db: Db,
  input: { id: string; userId: string; now: Date },
): Promise<boolean> {
  return await revokeOwnedRow(db, trustedDevices, input);
}

/** The user's live trusted devices, newest first. */
export async function listLiveDevices(
  db: Db,
  userId: string,
  now: Date,
): Promise<TrustedDeviceRow[]> {
  return await db.select().from(trustedDevices)
    .where(and(
      eq(trustedDevices.userId, userId),
      isNull(trustedDevices.revokedAt),
      gt(trustedDevices.expiresAt, now.getTime()),
    ))
    .orderBy(desc(trustedDevices.createdAt));
}

/** Revokes every device of a user (2FA reset or disable, password change, log out everywhere). */
export function revokeAllDevicesStatement(
  db: Db,
  userId: string,
  now: Date,
  condition?: ReturnType<typeof sql>,
) {
  return db.run(sql`UPDATE ${trustedDevices} SET revoked_at = ${now.getTime()}
    WHERE user_id = ${userId} AND revoked_at IS NULL ${condition ? sql`AND ${condition}` : sql``}`);
}
