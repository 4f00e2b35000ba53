/** @module The admin console's page for one user, the confirmation of each action on it, and the reset's outcome. */
import { type MessageKey, t, tj } from "../i18n/i18n.ts";
import type { Drift } from "../totp/drift.ts";
import type { TrustedDeviceRow } from "../devices/repo.ts";
import { DevicesTable } from "../devices/pages.tsx";
import { AuthenticatorsTable } from "../account/pages.tsx";
import {
  ActionButton,
  Check,
  Facts,
  Field,
  type FormErrors,
  type FormValues,
  NumberField,
  when,
} from "../views/components.tsx";
import { CopyButton, CsrfField } from "../views/layout.tsx";
import { AdminLayout, list, StatusCell } from "./console_layout.tsx";
import { AdminKeysSection } from "../webauthn/pages.tsx";
import type { CredentialRow } from "../webauthn/repo.ts";
import type { AdminUserView } from "./service.ts";

/** What admins see of an authenticator: never its secret. */
export type AuthenticatorSummary = {
  id: string;
  label: string;
  createdAt: number;
  lastUsedAt: number | null;
  drift: Drift;
};

/** The actions on one user; each is confirmed on GET .../confirm?action= and done by POST. */
export const USER_ACTIONS = [
  "require-2fa",
  "unrequire-2fa",
  "reset-2fa",
  "disable-2fa",
  "unlock",
  "end-sessions",
  "extend-grace",
  "disable",
  "enable",
  "edit",
  "revoke-device",
] as const;
export type UserAction = typeof USER_ACTIONS[number];

function actionHref(id: string, action: UserAction, extra: Record<string, string> = {}) {
  const p = new URLSearchParams({ action, ...extra });
  return `/admin/users/${id}/confirm?${p}`;
}

export function UserPage(props: {
  csrf: string;
  view: AdminUserView;
  authenticators: AuthenticatorSummary[];
  devices: TrustedDeviceRow[];
  /** The user's security keys and passkeys (src/webauthn/): names and use, never key material. */
  securityKeys: CredentialRow[];
  now: number;
  isSelf: boolean;
  /** Delegation is on and this user may be acted as (not an admin). */
  canDelegate?: boolean;
  editValues?: FormValues;
  editErrors?: FormErrors;
  notice?: string;
  error?: string;
}) {
  const { view: v, editErrors: e = {} } = props;
  const u = v.user;
  const passPending = !!u.enrollmentPassHash && (u.enrollmentPassExpiresAt ?? 0) > props.now;
  const action = (a: UserAction, text: string, extra?: Record<string, string>, danger = false) => (
    <li>
      <a class={danger ? "button small danger" : "button small"} href={actionHref(u.id, a, extra)}>
        {text}
      </a>
    </li>
  );
  return (
    <AdminLayout
      title={t("admin.user.title", { name: u.displayName })}
      page={props}
      current="users"
      wide
    >
      <Facts
        id="user-facts"
        items={[
          { term: t("login.username"), value: u.displayName },
          {
            term: t("admin.user.email"),
            value: u.email ?? t("admin.user.no_email"),
            id: "user-email",
          },
          { term: t("admin.col.roles"), value: list(v.roles), id: "user-roles" },
          { term: t("admin.col.groups"), value: list(v.groups), id: "user-groups" },
          {
            term: t("admin.user.account"),
            value: (u.disabled ? t("admin.users.disabled") : t("admin.user.active")) +
              (u.isService ? t("admin.user.service_suffix") : ""),
            id: "user-account",
          },
          { term: t("admin.user.created"), value: when(u.createdAt) },
          { term: t("admin.users.status"), value: <StatusCell view={v} />, id: "user-status" },
          {
            term: t("admin.user.required"),
            value: v.required
              ? (u.twofaRequired ? t("admin.user.required_admin") : t("admin.user.required_policy"))
              : t("common.no"),
            id: "user-required",
          },
          {
            term: t("account.authenticators"),
            value: v.authenticatorCount,
            id: "user-authenticators",
          },
          passPending
            ? {
              term: t("pass.label"),
              value: t("admin.user.pass_until", { date: when(u.enrollmentPassExpiresAt) }),
            }
            : null,
          {
            term: t("admin.col.locked"),
            value: v.lockedPermanently
              ? t("admin.user.locked_permanently")
              : v.locked
              ? t("admin.user.locked_until", { date: when(v.lockedUntil) })
              : t("common.no"),
            id: "user-locked",
          },
        ]}
      />

      {props.canDelegate
        ? (
          <p>
            <ActionButton
              csrf={props.csrf}
              action={`/admin/users/${u.id}/delegate`}
              label={t("delegation.start", { name: u.displayName })}
              id="delegate"
            />
          </p>
        )
        : null}

      <AuthenticatorsTable
        name={(a) => <th scope="row">{a.label}</th>}
        more={[
          [t("admin.col.clock"), (a) => (
            <td>
              {a.drift
                ? (
                  <span class="warning">
                    {t(`admin.user.drift_${a.drift.direction}`, { seconds: a.drift.seconds })}
                  </span>
                )
                : t("admin.user.in_step")}
            </td>
          )],
        ]}
        rows={props.authenticators}
      />

      <AdminKeysSection csrf={props.csrf} userId={u.id} keys={props.securityKeys} />

      <h2>{t("admin.user.actions")}</h2>
      <p class="muted">{t("admin.user.actions_hint")}</p>
      <ul class="actions" id="user-actions">
        {u.twofaRequired
          ? action("unrequire-2fa", t("admin.action.unrequire-2fa.title"))
          : action("require-2fa", t("admin.action.require-2fa.title"))}
        {action("reset-2fa", t("admin.user.reset_pass"), { mode: "pass" }, true)}
        {action("reset-2fa", t("admin.user.reset_plain"), { mode: "plain" }, true)}
        {!v.required && v.authenticatorCount > 0
          ? action("disable-2fa", t("admin.action.disable-2fa.title"), {}, true)
          : null}
        {v.locked ? action("unlock", t("admin.action.unlock.title")) : null}
        {action("end-sessions", t("admin.action.end-sessions.title"), {}, true)}
        {v.status === "grace" || v.status === "required_not_enrolled"
          ? action("extend-grace", t("admin.action.extend-grace.title"))
          : null}
        {u.disabled
          ? action("enable", t("admin.action.enable.title"))
          : props.isSelf
          ? null
          : action("disable", t("admin.action.disable.title"), {}, true)}
      </ul>

      <h2 id="edit-title">{t("admin.user.edit_title")}</h2>
      <form
        method="get"
        action={`/admin/users/${u.id}/confirm`}
        aria-labelledby="edit-title"
        novalidate
      >
        <input type="hidden" name="action" value="edit" />
        {(["roles", "groups"] as const).map((name) => (
          <Field
            id={`edit-${name}`}
            name={name}
            label={t(`admin.col.${name}`)}
            value={props.editValues?.[name] ?? v[name].join(", ")}
            autocomplete="off"
            error={e[`edit-${name}`]}
            describedBy="edit-hint"
          />
        ))}
        <p class="muted" id="edit-hint">{t("admin.user.edit_hint")}</p>
        <button type="submit">{t("admin.user.edit_review")}</button>
      </form>

      <DevicesTable
        devices={props.devices}
        empty={<p id="no-devices">{t("account.no_devices")}</p>}
        name={(d) => <th scope="row">{d.name}</th>}
        action={(d) => (
          <a class="button small danger" href={actionHref(u.id, "revoke-device", { device: d.id })}>
            {t("account.revoke")}
          </a>
        )}
      />
      <p>
        <a href={`/admin/audit?user=${encodeURIComponent(u.username)}`}>
          {t("admin.user.audit_link")}
        </a>
      </p>
    </AdminLayout>
  );
}

/** What an action does, said before it is confirmed. */
function actionText(action: UserAction, name: string, required: boolean) {
  const key = (part: "title" | "question" | "detail" | "button") =>
    `admin.action.${action}.${part}` as MessageKey;
  const detail = action === "disable-2fa" && required
    ? t("admin.action.disable-2fa.blocked", { name })
    : t(key("detail"), { name });
  return {
    title: t(key("title")),
    question: t(key("question"), { name }),
    detail,
    button: t(key("button")),
  };
}

const DANGEROUS: UserAction[] = [
  "reset-2fa",
  "disable-2fa",
  "end-sessions",
  "disable",
  "revoke-device",
];

export function ConfirmPage(props: {
  csrf: string;
  view: AdminUserView;
  action: UserAction;
  mode?: "pass" | "plain";
  days?: string;
  device?: TrustedDeviceRow;
  edit?: { roles: string[]; groups: string[] };
  errors?: FormErrors;
}) {
  const v = props.view;
  const name = v.user.displayName;
  const text = actionText(props.action, name, v.required);
  const e = props.errors ?? {};
  const blocked = props.action === "disable-2fa" && v.required;
  return (
    <AdminLayout title={text.title} page={props} current="users">
      <p id="confirm-question">
        <strong>{t("admin.confirm.sure")}</strong> {text.question}
      </p>
      <p class={blocked ? "warning" : undefined} role={blocked ? "alert" : undefined}>
        {text.detail}
      </p>
      {props.device
        ? (
          <p>
            {tj("admin.confirm.device", {
              name: <strong>{props.device.name}</strong>,
              since: when(props.device.createdAt),
              used: when(props.device.lastUsedAt),
            })}
          </p>
        )
        : null}
      {props.edit
        ? (
          <table id="edit-changes">
            <thead>
              <tr>
                <td></td>
                <th scope="col">{t("admin.col.now")}</th>
                <th scope="col">{t("admin.col.after")}</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">{t("admin.col.roles")}</th>
                <td>{list(v.roles)}</td>
                <td>{list(props.edit.roles)}</td>
              </tr>
              <tr>
                <th scope="row">{t("admin.col.groups")}</th>
                <td>{list(v.groups)}</td>
                <td>{list(props.edit.groups)}</td>
              </tr>
            </tbody>
          </table>
        )
        : null}
      {blocked
        ? null
        : (
          <form method="post" action={`/admin/users/${v.user.id}/${props.action}`} novalidate>
            <CsrfField token={props.csrf} />
            {props.action === "reset-2fa"
              ? (
                <fieldset>
                  <legend>{t("admin.confirm.how")}</legend>
                  <Check
                    type="radio"
                    name="mode"
                    value="pass"
                    checked={props.mode !== "plain"}
                    label={t("admin.confirm.with_pass")}
                  />
                  <Check
                    type="radio"
                    name="mode"
                    value="plain"
                    checked={props.mode === "plain"}
                    label={t("admin.confirm.plain")}
                  />
                </fieldset>
              )
              : null}
            {props.action === "extend-grace"
              ? (
                <NumberField
                  id="days"
                  label={t("admin.confirm.days")}
                  min={1}
                  max={365}
                  value={props.days ?? "7"}
                  error={e.days}
                />
              )
              : null}
            {props.device ? <input type="hidden" name="device" value={props.device.id} /> : null}
            {props.edit
              ? (
                <>
                  <input type="hidden" name="roles" value={props.edit.roles.join(", ")} />
                  <input type="hidden" name="groups" value={props.edit.groups.join(", ")} />
                </>
              )
              : null}
            <button
              type="submit"
              class={DANGEROUS.includes(props.action) ? "danger" : undefined}
              id="confirm-button"
            >
              {text.button}
            </button>
          </form>
        )}
      <p>
        <a href={`/admin/users/${v.user.id}`}>{t("common.cancel")}</a>
      </p>
    </AdminLayout>
  );
}

export function ResetDonePage(
  props: { csrf: string; view: AdminUserView; pass: string | null; expiresAt: number | null },
) {
  const u = props.view.user;
  return (
    <AdminLayout
      title={t("admin.reset_done.title")}
      page={props}
      current="users"
      languageBase={`/admin/users/${u.id}`}
      script
    >
      <p class="notice" role="status">
        {tj("admin.reset_done.notice", { name: <strong>{u.displayName}</strong> })}
      </p>
      {props.pass
        ? (
          <>
            <p>
              {tj("admin.reset_done.give", {
                name: u.displayName,
                once: <strong>{t("admin.reset_done.once")}</strong>,
                expiry: <span id="pass-expiry">{when(props.expiresAt)}</span>,
              })}
            </p>
            <p class="pass copyable">
              <code id="enrollment-pass">{props.pass}</code>{" "}
              <CopyButton target="enrollment-pass" label={t("admin.reset_done.copy")} />
            </p>
          </>
        )
        : <p>{t("admin.reset_done.plain")}</p>}
      <p>
        <a href={`/admin/users/${u.id}`}>{t("admin.reset_done.back", { name: u.displayName })}</a>
      </p>
    </AdminLayout>
  );
}
