/**
 * @module Session and lockout settings for admins, over JSON (`/api/v1/admin/security-settings`)
 * and in the console (`/admin/security-settings`): stored in the database, over the environment's
 * defaults, in force for new logins and new failures at once.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Deps } from "../deps.ts";
import { withBody } from "../caller/resolve.ts";
import { htmlWithCsrf } from "../http/csrf.ts";
import { t } from "../i18n/i18n.ts";
import {
  saveSecuritySettings,
  securitySettings,
  securitySettingsInput,
  SETTING_NAMES,
  type SettingName,
  SETTINGS,
  settingsDefaults,
  storedSecuritySettings,
} from "../settings/security.ts";
import type { FormErrors, FormValues } from "../views/components.tsx";
import { adminCallers, adminDoc, formPage } from "./console_guard.tsx";
import { SecuritySettingsPage } from "./security_settings_page.tsx";

const all = z.object(
  Object.fromEntries(SETTING_NAMES.map((k) => [k, z.number().int()])) as Record<
    SettingName,
    z.ZodNumber
  >,
);
const settingsResponse = z.object({
  settings: all.describe("In force: the stored settings over the environment's defaults."),
  defaults: all.describe("The environment's values, used for every setting not stored."),
  stored: all.partial().describe("What an admin stored."),
});

const doc = {
  get: adminDoc({
    summary: "Session and lockout settings: in force, defaults and stored",
    success: { status: 200, description: "The settings.", json: settingsResponse },
  }),
  put: adminDoc({
    summary: "Store session and lockout settings (omitted ones go back to their defaults)",
    description: "In force for new logins and new failures at once; sessions already issued " +
      "keep their lifetime and idle timeout.",
    success: { status: 200, description: "The settings now.", json: settingsResponse },
  }),
};

export function securitySettingsRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { config } = deps;
  const { api, page: admin, who } = adminCallers(deps);
  const body = async () => ({
    settings: await securitySettings(deps),
    defaults: settingsDefaults(config),
    stored: await storedSecuritySettings(deps),
  });

  app.get("/api/v1/admin/security-settings", doc.get, api(async (c) => c.json(await body())));

  app.put(
    "/api/v1/admin/security-settings",
    doc.put,
    ...withBody(securitySettingsInput, api, async (c, ctx, input) => {
      await saveSecuritySettings(deps, who(c, ctx), input);
      return c.json(await body());
    }),
  );

  // ---- HTML ----

  const render = async (
    c: Context,
    extra: { values?: FormValues; errors?: FormErrors; notice?: string; status?: number } = {},
  ) => {
    const stored = await storedSecuritySettings(deps);
    return await htmlWithCsrf(c, deps, extra.status ?? 200, (csrf) => (
      <SecuritySettingsPage
        csrf={csrf}
        values={extra.values ??
          Object.fromEntries(SETTING_NAMES.map((k) => [k, stored[k]?.toString()]))}
        errors={extra.errors ?? {}}
        defaults={settingsDefaults(config)}
        notice={extra.notice}
        error={extra.errors ? t("admin.settings.invalid") : undefined}
      />
    ));
  };

  formPage(app, admin, "/admin/security-settings", {
    render,
    notices: { saved: "admin.settings.saved" },
    post: async (c, ctx, form) => {
      const values: FormValues = {};
      const errors: FormErrors = {};
      const input: Partial<Record<SettingName, number>> = {};
      for (const k of SETTING_NAMES) {
        const raw = (form[k] ?? "").trim();
        values[k] = raw;
        if (raw === "") continue; // the default
        const range = SETTINGS[k].range;
        const n = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
        if (!range.safeParse(n).success) {
          errors[k] = t("admin.settings.range", {
            min: range.minValue ?? 0,
            max: range.maxValue ?? 0,
          });
        } else input[k] = n;
      }
      if (Object.keys(errors).length > 0) return await render(c, { values, errors, status: 400 });
      await saveSecuritySettings(deps, who(c, ctx), input);
      return c.redirect("/admin/security-settings?notice=saved", 303);
    },
  });

  return app;
}
