/**
 * @module Session and lockout settings that admins edit in the console, stored in the database
 * (`settings` key "security_settings"); the environment variables give the defaults. They are
 * read when they are used (a login, a failure), so a change takes effect for new logins at once,
 * on every instance, without a restart. Each range is the environment variable's own range; the
 * session token's maximum lifetime follows the top of the session ranges (src/deps.ts), so no
 * value allowed here makes a token the verifier refuses.
 */
import { z } from "zod";
import { adminAudit, auditInsert } from "../audit/repo.ts";
import { type Config, REMEMBER_ME_DAYS_MAX, SESSION_HOURS_MAX } from "../config.ts";
import type { Deps } from "../deps.ts";
import type { RequestMeta } from "../http/client.ts";
import type { SessionContext } from "../sessions/service.ts";
import { readSetting, writeSettingStatement } from "./repo.ts";

export const SECURITY_SETTINGS_KEY = "security_settings";

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** Each setting: its range, and the environment variable that gives its default. */
export const SETTINGS = {
  sessionHours: { range: int(1, SESSION_HOURS_MAX), env: "SESSION_HOURS" },
  rememberMeDays: { range: int(1, REMEMBER_ME_DAYS_MAX), env: "REMEMBER_ME_DAYS" },
  idleMinutes: { range: int(1, 1440), env: "SESSION_IDLE_MINUTES" },
  maxSessions: { range: int(1, 100), env: "MAX_SESSIONS_PER_USER" },
  passwordMaxFailures: { range: int(1, 100), env: "PASSWORD_MAX_FAILURES" },
  passwordWindowMinutes: { range: int(1, 1440), env: "PASSWORD_FAILURE_WINDOW_MINUTES" },
  passwordLockMinutes: { range: int(1, 10_080), env: "PASSWORD_LOCK_MINUTES" },
  permanentLockoutAfter: { range: int(0, 100), env: "PERMANENT_LOCKOUT_AFTER" },
  secondFactorMaxFailures: { range: int(1, 100), env: "SECOND_FACTOR_MAX_FAILURES" },
  secondFactorLockMinutes: { range: int(1, 1440), env: "SECOND_FACTOR_LOCK_MINUTES" },
  ipMaxFailures: { range: int(1, 10_000), env: "IP_MAX_FAILURES" },
  ipWindowMinutes: { range: int(1, 1440), env: "IP_FAILURE_WINDOW_MINUTES" },
  ipBlockMinutes: { range: int(1, 10_080), env: "IP_BLOCK_MINUTES" },
  ipBlockMaxMinutes: { range: int(1, 43_200), env: "IP_BLOCK_MAX_MINUTES" },
} as const satisfies Record<string, { range: z.ZodNumber; env: keyof Config }>;

export type SettingName = keyof typeof SETTINGS;
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];
export type SecuritySettings = Record<SettingName, number>;

/** What an admin sends: any of the settings, nothing else. Omitted ones keep the default. */
export const securitySettingsInput = z.object(
  Object.fromEntries(SETTING_NAMES.map((k) => [k, SETTINGS[k].range.optional()])) as {
    [K in SettingName]: z.ZodOptional<(typeof SETTINGS)[K]["range"]>;
  },
).strict();

/** The defaults: the environment's values (which the config schema bounds the same way). */
export function settingsDefaults(config: Config): SecuritySettings {
  return Object.fromEntries(
    SETTING_NAMES.map((k) => [k, config[SETTINGS[k].env] as number]),
  ) as SecuritySettings;
}

/** The settings in force: the stored ones over the environment's defaults. */
export async function securitySettings(deps: Deps): Promise<SecuritySettings> {
  const stored = await readSetting(deps.db, SECURITY_SETTINGS_KEY, securitySettingsInput);
  return withDefaults(deps.config, stored);
}

/** The stored overrides (as read by `readSetting` with `securitySettingsInput`) over the defaults. */
export function withDefaults(
  config: Config,
  stored: Partial<SecuritySettings>,
): SecuritySettings {
  const out = settingsDefaults(config);
  for (const k of SETTING_NAMES) {
    const v = stored[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** The stored overrides only (what differs from the environment by an admin's choice). */
export async function storedSecuritySettings(deps: Deps): Promise<Partial<SecuritySettings>> {
  return await readSetting(deps.db, SECURITY_SETTINGS_KEY, securitySettingsInput);
}

/**
 * Stores `input` as the overrides (replacing earlier ones: an omitted setting goes back to its
 * default), audited with the settings before and after.
 */
export async function saveSecuritySettings(
  deps: Deps,
  actor: { ctx: SessionContext; meta: RequestMeta },
  input: Partial<SecuritySettings>,
): Promise<SecuritySettings> {
  const now = deps.clock.now();
  const before = await securitySettings(deps);
  const overrides = Object.fromEntries(
    SETTING_NAMES.filter((k) => input[k] !== undefined).map((k) => [k, input[k]]),
  );
  await deps.db.batch([
    writeSettingStatement(deps.db, SECURITY_SETTINGS_KEY, overrides, now, actor.ctx.user.id),
    auditInsert(
      deps.db,
      adminAudit(actor, "admin.security_settings", null, {
        before,
        after: { ...settingsDefaults(deps.config), ...overrides },
      }),
      now,
    ),
  ]);
  return await securitySettings(deps);
}
