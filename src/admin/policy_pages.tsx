/** @module The admin console's policy page (the 2FA policy and the password policy) and the preview of a 2FA policy change. */
import { t, tp } from "../i18n/i18n.ts";
import { type LoginPolicy, loginPolicySchema } from "../policy/policy.ts";
import {
  ActionButton,
  Check,
  DataTable,
  Field,
  type FormErrors,
  type FormValues,
  NumberField,
  Select,
} from "../views/components.tsx";
import { CsrfField, ErrorText } from "../views/layout.tsx";
import { AdminLayout } from "./console_layout.tsx";
import { passwordPolicySchema } from "../passwords/policy.ts";

/** The label of a policy field, also used to list a preview's changes. */
const policyLabel = (key: keyof LoginPolicy) => t(`admin.policy.field.${key}`);
const POLICY_FIELDS = Object.keys(loginPolicySchema.shape) as (keyof LoginPolicy)[];

type NumberSetting =
  | "graceDays"
  | "trustedDeviceDays"
  | "totpDigits"
  | "totpPeriod"
  | "totpWindow"
  | "alertThreshold"
  | "alertWindowMinutes";

/** A policy form's values and errors, handed to each of its fields. */
type PolicyForm = { values: FormValues; errors: FormErrors };

/** A whole number; its bounds are those of its schema (`field`). */
function NumberInput(
  props: PolicyForm & {
    name: string;
    label: string;
    field: { unwrap(): { minValue: number | null; maxValue: number | null } };
    hint?: string;
  },
) {
  const n = props.field.unwrap();
  return (
    <NumberField
      id={props.name}
      label={props.label}
      min={n.minValue ?? undefined}
      max={n.maxValue ?? undefined}
      value={props.values[props.name] ?? ""}
      hint={props.hint}
      error={props.errors[props.name]}
    />
  );
}

/** A number of the login policy. */
function PolicyNumber(props: PolicyForm & { name: NumberSetting; hint?: string }) {
  return (
    <NumberInput
      {...props}
      label={policyLabel(props.name)}
      field={loginPolicySchema.shape[props.name]}
    />
  );
}

/** A number of the password policy (each but the minimum length has a hint). */
function PasswordNumber(
  props: PolicyForm & { name: "minLength" | "maxAgeDays" | "historyCount" },
) {
  const key = props.name === "minLength"
    ? "min_length"
    : props.name === "maxAgeDays"
    ? "max_age_days"
    : "history_count";
  return (
    <NumberInput
      {...props}
      label={t(`admin.policy.${key}`)}
      field={passwordPolicySchema.shape[props.name]}
      hint={key === "min_length" ? undefined : t(`admin.policy.${key}_hint`)}
    />
  );
}

/** A list of names (or, with `lines`, of network ranges in a text area). */
function TextInput(props: PolicyForm & { name: keyof LoginPolicy; hint: string; lines?: boolean }) {
  return (
    <Field
      id={props.name}
      label={policyLabel(props.name)}
      value={props.values[props.name] ?? ""}
      hint={props.hint}
      error={props.errors[props.name]}
      {...(props.lines ? { rows: 3, spellcheck: false } : { autocomplete: "off" })}
    />
  );
}

/** The label of each on/off setting. */
const CHECK_LABELS = {
  adminsAlways: "admin.policy.admins_always",
  recoveryCodesEnabled: "admin.policy.recovery_on",
  trustedDevicesEnabled: "admin.policy.devices_on",
  webauthnSecondFactor: "admin.policy.webauthn.second_factor",
  webauthnPasskeySignIn: "admin.policy.webauthn.passkey",
  forbidUsername: "admin.policy.forbid_username",
  forbidCommon: "admin.policy.forbid_common",
} as const;

/** A check box for each on/off setting named. */
function PolicyChecks(props: { values: FormValues; names: (keyof typeof CHECK_LABELS)[] }) {
  return (
    <>
      {props.names.map((name) => (
        <Check name={name} checked={!!props.values[name]} label={t(CHECK_LABELS[name])} />
      ))}
    </>
  );
}

export function PolicyPage(props: {
  csrf: string;
  values: FormValues;
  errors: FormErrors;
  passwordValues: FormValues;
  passwordErrors: FormErrors;
  notice?: string;
}) {
  const { values: v, errors: e, passwordValues: pv, passwordErrors: pe } = props;
  const invalid = Object.values(e).some(Boolean);
  const form = { values: v, errors: e };
  const passwordForm = { values: pv, errors: pe };
  return (
    <AdminLayout title={t("admin.nav.policy")} page={props} current="policy">
      <h2 id="login-policy">{t("account.twofa")}</h2>
      {invalid
        ? <p class="error" role="alert" id="policy-errors">{t("admin.policy.invalid")}</p>
        : null}
      <form method="post" action="/admin/policy" novalidate aria-labelledby="login-policy">
        <CsrfField token={props.csrf} />
        <fieldset>
          <legend>{policyLabel("mode")}</legend>
          {(["everyone", "listed"] as const).map((mode) => (
            <Check
              type="radio"
              name="mode"
              value={mode}
              checked={(v.mode === "listed") === (mode === "listed")}
              describedBy={e.mode ? "mode-error" : undefined}
              label={t(`admin.policy.${mode}`)}
            />
          ))}
          <ErrorText id="mode-error" message={e.mode} />
          {(["requiredRoles", "requiredGroups"] as const).map((name) => (
            <TextInput name={name} {...form} hint={t(`admin.policy.hint.${name}`)} />
          ))}
          <PolicyChecks values={v} names={["adminsAlways"]} />
          <TextInput name="exemptGroups" {...form} hint={t("admin.policy.hint.exemptGroups")} />
          <TextInput name="exemptRoles" {...form} hint={t("admin.policy.hint.exemptRoles")} />
          <p class="warning" id="exempt-warning">{t("admin.policy.exempt_warning")}</p>
        </fieldset>
        <fieldset>
          <legend>{t("admin.policy.may_enroll")}</legend>
          {(["mayEnrollRoles", "mayEnrollGroups"] as const).map((name) => (
            <TextInput name={name} {...form} hint={t(`admin.policy.hint.${name}`)} />
          ))}
        </fieldset>
        <fieldset>
          <legend>{t("admin.policy.networks")}</legend>
          {(["networkRequire", "networkSkip"] as const).map((name) => (
            <TextInput name={name} {...form} lines hint={t(`admin.policy.hint.${name}`)} />
          ))}
        </fieldset>
        <fieldset>
          <legend>{t("admin.policy.enrollment")}</legend>
          <PolicyNumber name="graceDays" {...form} hint={t("admin.policy.hint.graceDays")} />
          <PolicyChecks values={v} names={["recoveryCodesEnabled", "trustedDevicesEnabled"]} />
          <PolicyNumber name="trustedDeviceDays" {...form} />
        </fieldset>
        <fieldset>
          <legend>{policyLabel("webauthn")}</legend>
          <PolicyChecks values={v} names={["webauthnSecondFactor", "webauthnPasskeySignIn"]} />
          <Select
            id="webauthnFallback"
            label={t("admin.policy.webauthn.fallback")}
            options={(["none", "totp", "totp_or_recovery"] as const).map((f) => [
              f,
              t(`admin.policy.webauthn.fallback.${f}`),
            ])}
            value={v.webauthnFallback}
            errors={e}
            field="webauthn"
          />
        </fieldset>
        <fieldset>
          <legend>{t("admin.policy.codes")}</legend>
          <Select
            id="totpAlgorithm"
            label={policyLabel("totpAlgorithm")}
            options={[["SHA1", t("admin.policy.sha1")], ["SHA256", "SHA256"], ["SHA512", "SHA512"]]}
            value={v.totpAlgorithm}
            errors={e}
          />
          {(["totpDigits", "totpPeriod", "totpWindow"] as const).map((name) => (
            <PolicyNumber name={name} {...form} />
          ))}
        </fieldset>
        <fieldset>
          <legend>{t("admin.policy.alerts")}</legend>
          <PolicyNumber name="alertThreshold" {...form} />
          <PolicyNumber name="alertWindowMinutes" {...form} />
        </fieldset>
        <button type="submit" id="preview-button">{t("admin.policy.preview")}</button>
      </form>

      <h2 id="password-policy">{t("admin.policy.passwords")}</h2>
      <form
        method="post"
        action="/admin/password-policy"
        novalidate
        aria-labelledby="password-policy"
      >
        <CsrfField token={props.csrf} />
        <PasswordNumber name="minLength" {...passwordForm} />
        <Select
          id="minClasses"
          label={t("admin.policy.min_classes")}
          options={["1", "2", "3", "4"].map((n) => [
            n,
            n === "1" ? t("admin.policy.classes_none") : t("admin.policy.classes", { n }),
          ])}
          value={pv.minClasses}
          errors={pe}
        />
        <PolicyChecks values={pv} names={["forbidUsername", "forbidCommon"]} />
        <PasswordNumber name="maxAgeDays" {...passwordForm} />
        <PasswordNumber name="historyCount" {...passwordForm} />
        <button type="submit">{t("admin.policy.save_passwords")}</button>
      </form>
    </AdminLayout>
  );
}

/** A policy value as text, for comparing (language-neutral). */
function raw(value: unknown): string {
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

/** A policy value as the page shows it. */
function shown(key: keyof LoginPolicy, value: unknown): string {
  if (Array.isArray(value)) return value.length ? value.join(", ") : t("admin.preview.none");
  if (typeof value === "boolean") return value ? t("admin.preview.on") : t("admin.preview.off");
  if (key === "webauthn" && value && typeof value === "object") {
    const w = value as LoginPolicy["webauthn"];
    return [
      `${t("admin.policy.webauthn.second_factor")}: ${shown("adminsAlways", w.secondFactor)}`,
      `${t("admin.policy.webauthn.passkey")}: ${shown("adminsAlways", w.passkeySignIn)}`,
      `${t("admin.policy.webauthn.fallback")}: ${
        t(`admin.policy.webauthn.fallback.${w.fallback}`)
      }`,
    ].join("; ");
  }
  if (key === "mode") {
    return value === "listed" ? t("admin.policy.listed") : t("admin.policy.everyone");
  }
  return String(value);
}

export function PolicyPreviewPage(props: {
  csrf: string;
  values: FormValues;
  before: LoginPolicy;
  after: LoginPolicy;
  wouldBlock: string[];
}) {
  const changed = POLICY_FIELDS.filter((k) => raw(props.before[k]) !== raw(props.after[k]));
  const n = props.wouldBlock.length;
  return (
    <AdminLayout
      title={t("admin.preview.title")}
      page={props}
      current="policy"
      wide
      languageBase="/admin/policy"
    >
      {n
        ? (
          <div class="emergency" id="would-block">
            <p>
              <strong>{tp("admin.preview.would_block", n)}</strong> {t("admin.preview.next_login")}
            </p>
            <ul id="would-block-users">
              {props.wouldBlock.map((name) => (
                <li>
                  <strong>{name}</strong>
                </li>
              ))}
            </ul>
          </div>
        )
        : <p class="notice" id="would-block">{t("admin.preview.blocks_nobody")}</p>}
      <h2>{t("admin.preview.changes")}</h2>
      <DataTable
        id="policy-changes"
        label={t("admin.preview.changes")}
        columns={[
          [t("admin.col.setting"), (k) => <th scope="row">{policyLabel(k)}</th>],
          [t("admin.col.now"), (k) => <td>{shown(k, props.before[k])}</td>],
          [t("admin.col.after"), (k) => <td>{shown(k, props.after[k])}</td>],
        ]}
        rows={changed}
        empty={<p>{t("admin.preview.nothing")}</p>}
      />
      <ActionButton
        csrf={props.csrf}
        action="/admin/policy"
        fields={{ ...props.values, confirm: "1" }}
        class={null}
        id="save-policy"
        label={t("admin.preview.save")}
      />{" "}
      <ActionButton
        csrf={props.csrf}
        action="/admin/policy"
        fields={{ ...props.values, edit: "1" }}
        class="secondary"
        label={t("admin.preview.back")}
      />
    </AdminLayout>
  );
}
