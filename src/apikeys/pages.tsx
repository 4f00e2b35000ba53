/** @module Personal access tokens on the account page. */
import type { ApiKeyRow } from "./service.ts";
import { SCOPES } from "../lib/scopes.ts";
import { t, tj } from "../i18n/i18n.ts";
import { CodeField, DataTable, ExpiryDaysField, Field, SecretOnce } from "../views/components.tsx";
import { CsrfField, ErrorText, Layout } from "../views/layout.tsx";

function day(ms: number | null) {
  return ms === null ? t("common.never") : new Date(ms).toISOString().slice(0, 10);
}

/** A check box per scope (`scope_<name>`), posting `value` when checked. */
export function ScopeChecks(
  props: { scopes: readonly string[]; value: string; checked: (scope: string) => boolean },
) {
  return (
    <>
      {props.scopes.map((s) => (
        <label class="check">
          <input
            type="checkbox"
            name={`scope_${s}`}
            value={props.value}
            checked={props.checked(s)}
          />{" "}
          {s}
        </label>
      ))}
    </>
  );
}

export function TokensSection(props: { csrf: string; tokens: ApiKeyRow[]; error?: string }) {
  const describedBy = props.error ? "token-error" : undefined;
  return (
    <section id="tokens" aria-labelledby="tokens-title">
      <h2 id="tokens-title">{t("tokens.title")}</h2>
      <p class="muted">{t("tokens.intro")}</p>
      <DataTable
        id="token-list"
        label={t("tokens.title")}
        columns={[
          [t("account.col.name"), (k) => (
            <td>
              {k.name} <code>{k.prefix}…</code>
            </td>
          )],
          [t("tokens.col.scopes"), (k) => <td>{(JSON.parse(k.scopes) as string[]).join(", ")}</td>],
          [t("tokens.col.expires"), (k) => <td>{day(k.expiresAt)}</td>],
          [t("account.col.last_used"), (k) => <td>{day(k.lastUsedAt)}</td>],
        ]}
        rows={props.tokens}
        actions={{
          csrf: props.csrf,
          buttons: (k) => [
            { action: `/account/tokens/${k.id}/revoke`, label: t("account.revoke"), danger: true },
          ],
        }}
        empty={null}
      />
      <form method="post" action="/account/tokens" novalidate>
        <CsrfField token={props.csrf} />
        <ErrorText id="token-error" message={props.error} />
        <Field
          id="token-name"
          name="name"
          label={t("tokens.name")}
          maxlength={64}
          required
          describedBy={describedBy}
        />
        <fieldset>
          <legend>{t("tokens.col.scopes")}</legend>
          <ScopeChecks
            scopes={SCOPES.filter((s) => s !== "admin")}
            value="true"
            checked={(s) => s === "read"}
          />
        </fieldset>
        <ExpiryDaysField
          id="token-days"
          max={365}
          hint={t("tokens.expires_in_days_hint")}
        />
        <CodeField id="token-code" label={t("tokens.code")} describedBy={describedBy} />
        <button type="submit">{t("tokens.create")}</button>
      </form>
    </section>
  );
}

export function NewTokenPage(props: { csrf: string; token: string; name: string }) {
  return (
    <Layout
      title={t("tokens.new_title")}
      signedIn
      csrf={props.csrf}
      languageBase="/account"
      script
    >
      <p>{tj("tokens.new_intro", { name: <strong>{props.name}</strong> })}</p>
      <SecretOnce
        id="new-token"
        value={props.token}
        back={["/account#tokens", t("common.back_to_account")]}
      />
    </Layout>
  );
}
