/**
 * @module API keys (made by an admin for a user or service account) and personal access tokens
 * (made by a user for themselves after a current TOTP code). Both are 256-bit random secrets
 * shown once and stored as SHA-256, scoped (read, write, admin), with an expiry. They skip the
 * second factor by design, so they never reach a route that manages authentication.
 */
import { and, desc, eq, gt, isNull, lte, or } from "drizzle-orm";
import { z } from "zod";
import { audit, auditInsert } from "../audit/repo.ts";
import { apiKeys, users } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import { DAY, MINUTE } from "../lib/clock.ts";
import { randomBytes, randomId, sha256Hex } from "../lib/crypto.ts";
import { toBase64Url } from "../lib/encoding.ts";
import { fail, type Failure } from "../lib/errors.ts";
import { type Scope, SCOPES } from "../lib/scopes.ts";
import type { RequestMeta } from "../http/client.ts";
import type { UserRow } from "../users/repo.ts";
import { parseRoles } from "../users/users.ts";

export const KEY_PREFIX = "tfk_";
export const scopesSchema = z.array(z.enum(SCOPES)).min(1).max(3);

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export function looksLikeApiKey(token: string | undefined): boolean {
  return !!token && token.startsWith(KEY_PREFIX);
}

/** Creates a key; the secret is returned once and never stored. */
export async function createApiKey(deps: Deps, input: {
  user: UserRow;
  kind: "api_key" | "pat";
  name: string;
  scopes: Scope[];
  days?: number;
  createdBy: string;
  meta: RequestMeta;
}): Promise<{ ok: true; key: string; row: ApiKeyRow } | Failure> {
  if (input.scopes.includes("admin") && !parseRoles(input.user.roles).includes("admin")) {
    return fail("insufficient_scope");
  }
  const now = deps.clock.now();
  const secret = toBase64Url(randomBytes(32));
  const key = `${KEY_PREFIX}${secret}`;
  const row: ApiKeyRow = {
    id: randomId(),
    userId: input.user.id,
    kind: input.kind,
    name: input.name,
    prefix: key.slice(0, KEY_PREFIX.length + 6),
    keyHash: await sha256Hex(key),
    scopes: JSON.stringify([...new Set(input.scopes)]),
    createdAt: now.getTime(),
    createdBy: input.createdBy,
    expiresAt: now.getTime() + (input.days ?? deps.config.API_KEY_DAYS) * DAY,
    lastUsedAt: null,
    revokedAt: null,
    lastAuditedAt: null,
  };
  await deps.db.batch([
    deps.db.insert(apiKeys).values(row),
    auditInsert(deps.db, {
      event: `${input.kind}.create`,
      outcome: "success",
      userId: input.user.id,
      username: input.user.username,
      ...input.meta,
      detail: { key: row.id, name: row.name, scopes: input.scopes, by: input.createdBy },
    }, now),
  ]);
  return { ok: true, key, row };
}

export type ApiKeyPrincipal = { user: UserRow; key: ApiKeyRow; scopes: Scope[] };

/** Checks a presented key: known, not revoked, not expired, its user enabled. Failures are audited. */
export async function authenticateApiKey(
  deps: Deps,
  token: string,
  meta: RequestMeta,
): Promise<{ ok: true; principal: ApiKeyPrincipal } | Failure> {
  const now = deps.clock.now();
  const rows = await deps.db.select({ key: apiKeys, user: users }).from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(eq(apiKeys.keyHash, await sha256Hex(token)))
    .limit(1);
  const found = rows[0];
  const reason = !found
    ? "unknown_key"
    : found.key.revokedAt !== null
    ? "revoked"
    : found.key.expiresAt <= now.getTime()
    ? "expired"
    : found.user.disabled
    ? "user_disabled"
    : null;
  if (reason) {
    await audit(deps.db, {
      event: "api_key.use",
      outcome: "failure",
      userId: found?.user.id,
      username: found?.user.username,
      ...meta,
      detail: { reason, key: found?.key.id ?? token.slice(0, KEY_PREFIX.length + 6) },
    }, now);
    return fail("unauthorized");
  }
  if ((found!.key.lastUsedAt ?? 0) < now.getTime() - MINUTE) {
    await deps.db.update(apiKeys).set({ lastUsedAt: now.getTime() }).where(
      eq(apiKeys.id, found!.key.id),
    );
  }
  await auditUseSampled(deps, found!.key, found!.user, meta, now);
  return {
    ok: true,
    principal: { user: found!.user, key: found!.key, scopes: JSON.parse(found!.key.scopes) },
  };
}

/**
 * Audits a successful use at most once per key per API_KEY_AUDIT_MINUTES: the conditional
 * UPDATE of `last_audited_at` lets exactly one request per interval through, also when many
 * arrive at once, so a busy key cannot flood the log. Only then is the row written.
 */
async function auditUseSampled(
  deps: Deps,
  key: ApiKeyRow,
  user: UserRow,
  meta: RequestMeta,
  now: Date,
): Promise<void> {
  const t = now.getTime();
  const cutoff = t - deps.config.API_KEY_AUDIT_MINUTES * MINUTE;
  // Read first so that the usual request (audited recently) costs no write.
  if (key.lastAuditedAt !== null && key.lastAuditedAt > cutoff) return;
  const claimed = await deps.db.update(apiKeys).set({ lastAuditedAt: t })
    .where(and(
      eq(apiKeys.id, key.id),
      or(isNull(apiKeys.lastAuditedAt), lte(apiKeys.lastAuditedAt, cutoff)),
    ))
    .returning({ id: apiKeys.id });
  if (claimed.length !== 1) return;
  await audit(deps.db, {
    event: "api_key.use",
    outcome: "success",
    userId: user.id,
    username: user.username,
    ...meta,
    detail: {
      key: key.id,
      kind: key.kind,
      sampled_minutes: deps.config.API_KEY_AUDIT_MINUTES,
    },
  }, now);
}

export async function listKeys(
  deps: Deps,
  filter: { userId?: string; kind?: "api_key" | "pat" },
): Promise<(ApiKeyRow & { username: string })[]> {
  const rows = await deps.db.select({ key: apiKeys, username: users.displayName }).from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(and(
      filter.userId ? eq(apiKeys.userId, filter.userId) : undefined,
      filter.kind ? eq(apiKeys.kind, filter.kind) : undefined,
      isNull(apiKeys.revokedAt),
      gt(apiKeys.expiresAt, deps.clock.now().getTime()),
    ))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map((r) => ({ ...r.key, username: r.username }));
}

/** Revokes a key (of one user when `userId` is given); audited. */
export async function revokeKey(deps: Deps, input: {
  id: string;
  userId?: string;
  by: { id: string; username: string };
  meta: RequestMeta;
}): Promise<{ ok: true } | Failure> {
  const now = deps.clock.now();
  const [rows] = await deps.db.batch([
    deps.db.update(apiKeys).set({ revokedAt: now.getTime() })
      .where(and(
        eq(apiKeys.id, input.id),
        input.userId ? eq(apiKeys.userId, input.userId) : undefined,
        isNull(apiKeys.revokedAt),
      ))
      .returning({ id: apiKeys.id, kind: apiKeys.kind, userId: apiKeys.userId }),
    auditInsert(deps.db, {
      event: "api_key.revoke",
      outcome: "success",
      userId: input.by.id,
      username: input.by.username,
      ...input.meta,
      detail: { key: input.id },
    }, now),
  ]);
  return rows.length === 1 ? { ok: true } : fail("not_found");
}

export function keyJson(k: ApiKeyRow & { username?: string }) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: k.id,
    kind: k.kind,
    name: k.name,
    prefix: k.prefix,
    scopes: JSON.parse(k.scopes),
    created_at: iso(k.createdAt),
    expires_at: iso(k.expiresAt),
    last_used_at: iso(k.lastUsedAt),
    ...(k.username ? { username: k.username } : {}),
  };
}
