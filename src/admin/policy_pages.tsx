/** @module The admin console's policy page (the 2FA policy and the password policy) and the preview of a 2FA policy change. */
import { t, tp } from "../i18n/i18n.ts";
import { type LoginPolicy, loginPolicySchema } from "../policy/policy.ts";
import {
  ActionButton,
  Check,
  DataTable,
  described,
  Field,
  type FormErrors,
  type FormValues,
  NumberField,
} from "../views/components.tsx";
import { CsrfField, ErrorText } from "../views/layout.tsx";
import { AdminLayout } from "./console_layout.tsx";
import { PASSWORD_HISTORY_MAX } from "../passwords/policy.ts";

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

function NumberInput(props: PolicyForm & { name: NumberSetting; hint?: string }) {
  const n = loginPolicySchema.shape[props.name].unwrap();
  return (
    <NumberField
      id={props.name}
      label={policyLabel(props.name)}
      min={n.minValue ?? undefined}
      max={n.maxValue ?? undefined}
      value={props.values[props.name] ?? ""}
      hint={props.hint}
      error={props.errors[props.name]}
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

function PolicyCheck(props: { name: string; values: FormValues; text: string }) {
  return <Check name={props.name} checked={!!props.values[props.name]} label={props.text} />;
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
          <PolicyCheck name="adminsAlways" values={v} text={t("admin.policy.admins_always")} />
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
          <NumberInput name="graceDays" {...form} hint={t("admin.policy.hint.graceDays")} />
          <PolicyCheck
            name="recoveryCodesEnabled"
            values={v}
            text={t("admin.policy.recovery_on")}
          />
          <PolicyCheck
            name="trustedDevicesEnabled"
            values={v}
            text={t("admin.policy.devices_on")}
          />
          <NumberInput name="trustedDeviceDays" {...form} />
        </fieldset>
        <fieldset>
          <legend>{policyLabel("webauthn")}</legend>
          <PolicyCheck
            name="webauthnSecondFactor"
            values={v}
            text={t("admin.policy.webauthn.second_factor")}
          />
          <PolicyCheck
            name="webauthnPasskeySignIn"
            values={v}
            text={t("admin.policy.webauthn.passkey")}
          />
          <label for="webauthnFallback">{t("admin.policy.webauthn.fallback")}</label>
          <select id="webauthnFallback" name="webauthnFallback" {...described(e, "webauthn")}>
            {(["none", "totp", "totp_or_recovery"] as const).map((f) => (
              <option value={f} selected={v.webauthnFallback === f}>
                {t(`admin.policy.webauthn.fallback.${f}`)}
              </option>
            ))}
          </select>
          <ErrorText id="webauthn-error" message={e.webauthn} />
        </fieldset>
        <fieldset>
          <legend>{t("admin.policy.codes")}</legend>
          <label for="totpAlgorithm">{policyLabel("totpAlgorithm")}</label>
          <select id="totpAlgorithm" name="totpAlgorithm" {...described(e, "totpAlgorithm")}>
            {["SHA1", "SHA256", "SHA512"].map((a) => (
              <option value={a} selected={v.totpAlgorithm === a}>
                {a === "SHA1" ? t("admin.policy.sha1") : a}
              </option>
            ))}
          </select>
          <ErrorText id="totpAlgorithm-error" message={e.totpAlgorithm} />
          {(["totpDigits", "totpPeriod", "totpWindow"] as const).map((name) => (
            <NumberInput name={name} {...form} />
          ))}
        </fieldset>
        <fieldset>
          <legend>{t("admin.policy.alerts")}</legend>
          <NumberInput name="alertThreshold" {...form} />
          <NumberInput name="alertWindowMinutes" {...form} />
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
        <NumberField
          id="minLength"
          label={t("admin.policy.min_length")}
          min={8}
          max={128}
          value={pv.minLength ?? ""}
          error={pe.minLength}
        />
        <label for="minClasses">{t("admin.policy.min_classes")}</label>
        <select id="minClasses" name="minClasses" {...described(pe, "minClasses")}>
          {["1", "2", "3", "4"].map((n) => (
            <option value={n} selected={pv.minClasses === n}>
              {n === "1" ? t("admin.policy.classes_none") : t("admin.policy.classes", { n })}
            </option>
          ))}
        </select>
        <ErrorText id="minClasses-error" message={pe.minClasses} />
        <PolicyCheck name="forbidUsername" values={pv} text={t("admin.policy.forbid_username")} />
        <PolicyCheck name="forbidCommon" values={pv} text={t("admin.policy.forbid_common")} />
        <NumberField
          id="maxAgeDays"
          label={t("admin.policy.max_age_days")}
          min={0}
          max={3650}
          value={pv.maxAgeDays ?? ""}
          hint={t("admin.policy.max_age_days_hint")}
          error={pe.maxAgeDays}
        />
        <NumberField
          id="historyCount"
          label={t("admin.policy.history_count")}
          min={0}
          max={PASSWORD_HISTORY_MAX}
          value={pv.historyCount ?? ""}
          hint={t("admin.policy.history_count_hint")}
          error={pe.historyCount}
        />
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
