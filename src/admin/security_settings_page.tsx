/** @module The admin console's session and lockout settings: each with its range and its default. */
import { t } from "../i18n/i18n.ts";
import { type SettingName, SETTINGS } from "../settings/security.ts";
import { type FormErrors, type FormValues, NumberField } from "../views/components.tsx";
import { CsrfField } from "../views/layout.tsx";
import { AdminLayout } from "./console_layout.tsx";

/** The form's groups, in order. */
export const SETTING_GROUPS: [legend: string, names: SettingName[]][] = [
  ["sessions", ["sessionHours", "rememberMeDays", "idleMinutes", "maxSessions"]],
  ["password", [
    "passwordMaxFailures",
    "passwordWindowMinutes",
    "passwordLockMinutes",
    "permanentLockoutAfter",
  ]],
  ["second_factor", ["secondFactorMaxFailures", "secondFactorLockMinutes"]],
  ["addresses", ["ipMaxFailures", "ipWindowMinutes", "ipBlockMinutes", "ipBlockMaxMinutes"]],
];

export function SecuritySettingsPage(props: {
  csrf: string;
  values: FormValues;
  errors: FormErrors;
  defaults: Record<SettingName, number>;
  notice?: string;
  error?: string;
}) {
  return (
    <AdminLayout title={t("admin.settings.title")} page={props} current="settings">
      <p>{t("admin.settings.intro")}</p>
      <form method="post" action="/admin/security-settings" novalidate>
        <CsrfField token={props.csrf} />
        {SETTING_GROUPS.map(([legend, names]) => (
          <fieldset>
            <legend>
              {t(`admin.settings.group.${legend}` as "admin.settings.group.sessions")}
            </legend>
            {names.map((name) => {
              const range = SETTINGS[name].range;
              return (
                <div>
                  <NumberField
                    id={name}
                    label={t(`admin.settings.${name}`)}
                    min={range.minValue ?? undefined}
                    max={range.maxValue ?? undefined}
                    required={false}
                    value={props.values[name] ?? ""}
                    hint={t("admin.settings.hint", {
                      min: range.minValue ?? 0,
                      max: range.maxValue ?? 0,
                      value: props.defaults[name],
                      env: SETTINGS[name].env,
                    })}
                    error={props.errors[name]}
                  />
                </div>
              );
            })}
          </fieldset>
        ))}
        <button type="submit" id="save-settings">{t("admin.settings.save")}</button>
      </form>
    </AdminLayout>
  );
}
