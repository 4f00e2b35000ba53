/**
 * @module Moving in and out: users with their password hashes (bcrypt from another system is
 * checked once at login, then replaced by twofold's own hash), TOTP authenticators from otpauth
 * URIs or Authelia's export, and an export of users and authenticators whose secrets stay
 * encrypted (importing it needs the same ENCRYPTION_KEY).
 */
import { inArray } from "drizzle-orm";
import { audit } from "../audit/repo.ts";
import { authenticators, users } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import { encryptSecret, randomId } from "../lib/crypto.ts";
import { findUserByUsername } from "../users/repo.ts";
import { normalizeUsername, USERNAME_PATTERN } from "../users/users.ts";
import type { TotpRecord, UserRecord } from "./parse.ts";

export type ImportReport = { imported: number; skipped: string[] };

export async function importUsers(deps: Deps, records: UserRecord[]): Promise<ImportReport> {
  const now = deps.clock.now();
  const report: ImportReport = { imported: 0, skipped: [] };
  for (const r of records) {
    const username = r.username.trim();
    if (!USERNAME_PATTERN.test(username)) {
      report.skipped.push(`${username}: not a valid username`);
      continue;
    }
    const id = r.id && /^[\w-]{8,64}$/.test(r.id) ? r.id : randomId();
    const inserted = await deps.db.insert(users).values({
      id,
      username: normalizeUsername(username),
      displayName: username,
      passwordHash: r.password_hash,
      roles: JSON.stringify(r.roles ?? []),
      groups: JSON.stringify(r.groups ?? []),
      email: r.email?.trim().toLowerCase() || null,
      disabled: !!r.disabled,
      isService: !!r.service,
      createdAt: now.getTime(),
    }).onConflictDoNothing().returning({ id: users.id });
    if (!inserted.length) {
      report.skipped.push(`${username}: exists already`);
      continue;
    }
    for (const a of r.authenticators ?? []) {
      await deps.db.insert(authenticators).values({
        id: randomId(),
        userId: id,
        label: a.label,
        secretEnc: a.secret_enc,
        algorithm: a.algorithm,
        digits: a.digits,
        period: a.period,
        createdAt: now.getTime(),
      });
    }
    report.imported++;
    await audit(deps.db, {
      event: "user.import",
      outcome: "success",
      userId: id,
      username,
      detail: { actor: "cli", authenticators: r.authenticators?.length ?? 0 },
    }, now);
  }
  return report;
}

/** Adds each record as an authenticator of the user it names (secrets encrypted at rest). */
export async function importTotp(deps: Deps, records: TotpRecord[]): Promise<ImportReport> {
  const now = deps.clock.now();
  const report: ImportReport = { imported: 0, skipped: [] };
  for (const r of records) {
    const user = await findUserByUsername(deps.db, r.username);
    if (!user) {
      report.skipped.push(`${r.username}: no such user`);
      continue;
    }
    await deps.db.insert(authenticators).values({
      id: randomId(),
      userId: user.id,
      label: r.label.slice(0, 64),
      secretEnc: await encryptSecret(deps.secrets.encryption, r.secret, `totp:${user.id}`),
      algorithm: r.algorithm,
      digits: r.digits,
      period: r.period,
      createdAt: now.getTime(),
    });
    report.imported++;
    await audit(deps.db, {
      event: "totp.import",
      outcome: "success",
      userId: user.id,
      username: user.username,
      detail: { actor: "cli", label: r.label.slice(0, 64) },
    }, now);
  }
  return report;
}

/** Every user with their authenticators, one JSON line each; the secrets stay encrypted. */
export async function exportUsers(deps: Deps): Promise<string[]> {
  const all = await deps.db.select().from(users).orderBy(users.createdAt);
  const ids = all.map((u) => u.id);
  const auths = ids.length
    ? await deps.db.select().from(authenticators).where(inArray(authenticators.userId, ids))
    : [];
  const lines = all.map((u) =>
    JSON.stringify(
      {
        id: u.id,
        username: u.displayName,
        password_hash: u.passwordHash,
        roles: JSON.parse(u.roles),
        groups: JSON.parse(u.groups),
        email: u.email,
        disabled: u.disabled,
        ...(u.isService ? { service: true } : {}),
        authenticators: auths.filter((a) => a.userId === u.id).map((a) => ({
          label: a.label,
          secret_enc: a.secretEnc,
          algorithm: a.algorithm,
          digits: a.digits,
          period: a.period,
        })),
      } satisfies UserRecord,
    )
  );
  await audit(deps.db, {
    event: "users.export",
    outcome: "success",
    detail: { actor: "cli", users: all.length },
  }, deps.clock.now());
  return lines;
}
