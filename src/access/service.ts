/**
 * @module The access rules in force, kept in memory: `/api/v1/verify` runs on every request of
 * every protected app, so deciding must not cost a database round trip.
 *
 * The rules are one settings row (`access_rules`), kept parsed per process (per Workers
 * isolate), and re-parsed only when the row's text changed. When the row is read again:
 *
 * - on the embedded libSQL file, whenever the database may have changed since the last read
 *   (src/db/changes.ts: this process's own writes, and every other connection's commits, another
 *   server process's or the CLI's, from the mapped WAL index or `PRAGMA data_version`). Deciding from memory costs no
 *   statement when nothing was written since (the request's look at the change count is shared
 *   with its session check); after a write, one read of the row, by primary key. So a rule saved
 *   through any process or program is honoured by the very next check of every process. A read
 *   that fails fails the request, as the session check's would;
 * - on backends without a change count (remote libSQL, embedded replicas, D1 on Workers), at
 *   most every ACCESS_RULES_RELOAD_SECONDS: the process that saves new rules uses them at once,
 *   the others follow within that interval. A read that fails there keeps the rules already in
 *   memory (or, before any were read, fails the request: better a 500 than deciding on nothing).
 */
import { eq } from "drizzle-orm";
import type { Deps } from "../deps.ts";
import { adminAudit, auditInsert } from "../audit/repo.ts";
import { type ChangeSource, changeSourceOf } from "../db/changes.ts";
import { settings } from "../db/schema.ts";
import type { RequestMeta } from "../http/client.ts";
import type { SessionContext } from "../sessions/service.ts";
import { writeSettingStatement } from "../settings/repo.ts";
import { parseIp } from "../lib/ip.ts";
import { findUserByUsername } from "../users/repo.ts";
import { parseRoles } from "../users/users.ts";
import {
  type AccessDecision,
  type AccessRules,
  accessRulesSchema,
  type AccessUser,
  decideAccess,
  INITIAL_ACCESS_RULES,
} from "./rules.ts";

export const ACCESS_RULES_KEY = "access_rules";

type Cached = {
  /** Null until the first read has answered. */
  rules: AccessRules | null;
  /** The row's text the rules were parsed from; null when no row existed. */
  raw: string | null;
  /** deps.clock time (ms) of the last look at the row (backends without a change count). */
  checkedAt: number;
  /**
   * The embedded client's change count (src/db/changes.ts) taken just before the row was read;
   * NaN when it must be read again.
   */
  seen: number;
  /** A look at the row under way, shared by the requests that arrive meanwhile. */
  loading?: Promise<AccessRules>;
};

const cache = new WeakMap<Deps, Cached>();
/** Counts saves per process, so a read that began before a save cannot undo it. */
const saves = new WeakMap<Deps, number>();

function parseStored(raw: string | null): AccessRules {
  if (raw === null) return INITIAL_ACCESS_RULES;
  try {
    const parsed = accessRulesSchema.safeParse(JSON.parse(raw));
    // A stored document that no longer validates denies everything rather than guessing.
    return parsed.success ? parsed.data : { default: "deny", rules: [] };
  } catch {
    return { default: "deny", rules: [] };
  }
}

async function readRaw(deps: Deps): Promise<string | null> {
  const rows = await deps.db.select({ value: settings.value }).from(settings)
    .where(eq(settings.key, ACCESS_RULES_KEY)).limit(1);
  return rows[0]?.value ?? null;
}

/** Whether an admin ever saved rules (the console says when the built-in ones apply). */
export async function accessRulesSaved(deps: Deps): Promise<boolean> {
  return (await readRaw(deps)) !== null;
}

/** The row, read at once on the embedded client (its key is a constant: no argument to bind). */
const STORED_RULES_SQL = `SELECT value FROM settings WHERE key = '${ACCESS_RULES_KEY}'`;

/**
 * The rules in force: from memory unless the database may have changed since they were read
 * (embedded file) or the reload interval has passed (other backends). `arrival`: the number of
 * the request being answered (src/db/changes.ts `requestArrived()`), whose look at the change
 * count is reused; without it, a fresh look is taken.
 */
export function accessRules(deps: Deps, arrival?: number): Promise<AccessRules> | AccessRules {
  const source = changeSourceOf(deps.db);
  return source ? currentRules(deps, source, arrival) : reloadedRules(deps);
}

/**
 * Exact on the embedded file: the count is taken before the row is read, so a commit landing in
 * between moves it again and the next call reads once more. A write of this process's that is
 * rolled back moves it too (the ROLLBACK is counted), so rules read inside the group commit of
 * a save that then failed are read again.
 */
function currentRules(deps: Deps, source: ChangeSource, arrival?: number): AccessRules {
  const seen = source.changeCount(arrival);
  const c = cache.get(deps);
  if (c?.rules && c.seen === seen) return c.rules;
  const value = source.getSync(STORED_RULES_SQL)?.[0];
  const raw = typeof value === "string" ? value : null;
  const rules = c?.rules && c.raw === raw ? c.rules : parseStored(raw);
  cache.set(deps, { rules, raw, checkedAt: 0, seen });
  return rules;
}

/** Without a change count: read again once the reload interval has passed. */
function reloadedRules(deps: Deps): Promise<AccessRules> | AccessRules {
  const now = deps.clock.now().getTime();
  const c = cache.get(deps);
  const interval = deps.config.ACCESS_RULES_RELOAD_SECONDS * 1000;
  if (c?.rules && interval > 0 && now - c.checkedAt < interval) return c.rules;
  if (c?.loading) return c.loading;
  const generation = saves.get(deps) ?? 0;
  const loading = readRaw(deps).then((raw) => {
    const current = cache.get(deps);
    if (current?.rules && (saves.get(deps) ?? 0) !== generation) return current.rules;
    const rules = current?.rules && current.raw === raw ? current.rules : parseStored(raw);
    cache.set(deps, { rules, raw, checkedAt: now, seen: NaN });
    return rules;
  }, (e) => {
    const current = cache.get(deps);
    if (!current?.rules) {
      cache.delete(deps);
      throw e;
    }
    delete current.loading;
    return current.rules;
  });
  if (c) c.loading = loading;
  else cache.set(deps, { rules: null, raw: null, checkedAt: 0, seen: NaN, loading });
  return loading;
}

/** Replaces the rules, audited with the document before and after; in force here at once. */
export async function saveAccessRules(
  deps: Deps,
  admin: { ctx: SessionContext; meta: RequestMeta },
  next: AccessRules,
): Promise<void> {
  const now = deps.clock.now();
  const before = parseStored(await readRaw(deps));
  await deps.db.batch([
    writeSettingStatement(deps.db, ACCESS_RULES_KEY, next, now, admin.ctx.user.id),
    auditInsert(
      deps.db,
      adminAudit(admin, "access_rules.change", null, { before, after: next }),
      now,
    ),
  ]);
  saves.set(deps, (saves.get(deps) ?? 0) + 1);
  // On the embedded file the next call reads the row anyway (this save moved the change count).
  cache.set(deps, {
    rules: next,
    raw: JSON.stringify(next),
    checkedAt: now.getTime(),
    seen: NaN,
  });
}

/** The stored rules as an admin sees them (read now, not from the cache). */
export async function storedAccessRules(deps: Deps): Promise<AccessRules> {
  return parseStored(await readRaw(deps));
}

export type AccessTest = {
  url: string;
  username?: string;
  method?: string;
  ip?: string | null;
};

export type AccessTestResult =
  | { ok: true; decision: AccessDecision; rules: AccessRules }
  | { ok: false; field: "url" | "username" | "ip" };

/**
 * "Who may reach this URL?": the stored rules decided for a user (taken as signed in with a
 * second factor just now) or for someone not signed in (no username).
 */
export async function testAccess(deps: Deps, input: AccessTest): Promise<AccessTestResult> {
  let url: URL;
  try {
    url = new URL(input.url);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("scheme");
  } catch {
    return { ok: false, field: "url" };
  }
  const ip = input.ip?.trim() || null;
  if (ip && !parseIp(ip)) return { ok: false, field: "ip" };
  let user: AccessUser | null = null;
  const now = deps.clock.now();
  if (input.username?.trim()) {
    const row = await findUserByUsername(deps.db, input.username);
    if (!row) return { ok: false, field: "username" };
    user = {
      username: row.username,
      groups: parseRoles(row.groups),
      roles: parseRoles(row.roles),
      secondFactor: true,
      secondFactorAt: now.getTime(),
    };
  }
  const rules = await storedAccessRules(deps);
  const decision = decideAccess(
    rules,
    {
      host: url.host,
      path: url.pathname + url.search,
      method: input.method || "GET",
      ip,
    },
    user,
    now,
  );
  return { ok: true, decision, rules };
}
