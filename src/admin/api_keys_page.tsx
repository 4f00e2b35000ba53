/** @module The admin console's API keys: the live keys, a form to make one, and the new key once. */
import { t, tj } from "../i18n/i18n.ts";
import type { ApiKeyRow } from "../apikeys/service.ts";
import { SCOPES } from "../lib/scopes.ts";
import {
  DataTable,
  ExpiryDaysField,
  Field,
  type FormErrors,
  type FormValues,
  SecretOnce,
  when,
} from "../views/components.tsx";
import { CsrfField, ErrorText } from "../views/layout.tsx";
import { AdminLayout } from "./console_layout.tsx";
import { ScopeChecks } from "../apikeys/pages.tsx";

export type KeyView = ApiKeyRow & { username: string };

export function ApiKeysPage(props: {
  csrf: string;
  keys: KeyView[];
  values: FormValues;
  errors: FormErrors;
  notice?: string;
  error?: string;
}) {
  const v = props.values;
  const e = props.errors;
  const checked = (scope: string) =>
    v[`scope_${scope}`] === undefined ? scope === "read" : v[`scope_${scope}`] === "on";
  return (
    <AdminLayout title={t("admin.keys.title")} page={props} current="api_keys" wide>
      <p>{t("admin.keys.intro")}</p>
      <DataTable
        id="api-keys"
        label={t("admin.keys.title")}
        columns={[
          [t("account.col.name"), (k) => (
            <th scope="row" id={`key-${k.id}`}>
              {k.name} <code>{k.prefix}…</code>
            </th>
          )],
          [t("login.username"), (k) => <td>{k.username}</td>],
          [t("tokens.col.scopes"), (k) => <td>{(JSON.parse(k.scopes) as string[]).join(", ")}</td>],
          [t("admin.keys.col.created"), (k) => <td>{when(k.createdAt)}</td>],
          [t("tokens.col.expires"), (k) => <td>{when(k.expiresAt)}</td>],
          [
            t("account.col.last_used"),
            (k) => <td>{k.lastUsedAt === null ? t("common.never") : when(k.lastUsedAt)}</td>,
          ],
        ]}
        actions={{
          csrf: props.csrf,
          buttons: (k) => [{
            action: `/admin/api-keys/${k.id}/revoke`,
            label: t("account.revoke"),
            describedBy: `key-${k.id}`,
            danger: true,
          }],
        }}
        rows={props.keys}
        empty={<p id="no-keys">{t("admin.keys.none")}</p>}
      />
      <h2 id="new-key-title">{t("admin.keys.new")}</h2>
      <form method="post" action="/admin/api-keys" novalidate aria-labelledby="new-key-title">
        <CsrfField token={props.csrf} />
        <Field
          id="key-username"
          name="username"
          label={t("login.username")}
          autocomplete="off"
          maxlength={128}
          required
          value={v.username ?? ""}
          error={e.username}
        />
        <Field
          id="key-name"
          name="name"
          label={t("tokens.name")}
          maxlength={64}
          required
          value={v.name ?? ""}
          error={e.name}
        />
        <fieldset aria-describedby={e.scopes ? "key-scopes-error" : undefined}>
          <legend>{t("tokens.col.scopes")}</legend>
          <ScopeChecks scopes={SCOPES} value="on" checked={checked} />
          <ErrorText id="key-scopes-error" message={e.scopes} />
        </fieldset>
        <ExpiryDaysField
          id="key-days"
          max={3650}
          hint={t("admin.keys.days_hint")}
          value={v.expires_in_days ?? ""}
          error={e.expires_in_days}
        />
        <button type="submit">{t("admin.keys.create")}</button>
      </form>
    </AdminLayout>
  );
}

export function NewApiKeyPage(props: { csrf: string; apiKey: string; name: string; user: string }) {
  return (
    <AdminLayout title={t("admin.keys.created_title")} page={props} current="api_keys" script>
      <p>
        {tj("admin.keys.created_intro", {
          name: <strong>{props.name}</strong>,
          user: <strong>{props.user}</strong>,
        })}
      </p>
      <SecretOnce
        id="new-api-key"
        value={props.apiKey}
        back={["/admin/api-keys", t("admin.keys.back")]}
      />
    </AdminLayout>
  );
}
