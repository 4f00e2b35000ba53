/** @module Personal access tokens on the account page. */
import type { ApiKeyRow } from "./service.ts";
import { SCOPES } from "../lib/scopes.ts";
import { t, tj } from "../i18n/i18n.ts";
import { CodeField, DataTable, Field } from "../views/components.tsx";
import { CopyButton, CsrfField, ErrorText, Layout } from "../views/layout.tsx";

function day(ms: number | null) {
  return ms === null ? t("common.never") : new Date(ms).toISOString().slice(0, 10);
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
          {SCOPES.filter((s) => s !== "admin").map((s) => (
            <label class="check">
              <input type="checkbox" name={`scope_${s}`} value="true" checked={s === "read"} /> {s}
            </label>
          ))}
        </fieldset>
        <Field
          id="token-days"
          name="expires_in_days"
          type="number"
          inputmode="numeric"
          min={1}
          max={365}
          label={t("tokens.expires_in_days")}
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
      <p class="copyable">
        <code class="secret" id="new-token">{props.token}</code>{" "}
        <CopyButton target="new-token" label={t("tokens.copy")} />
      </p>
      <p>
        <a href="/account#tokens">{t("common.back_to_account")}</a>
      </p>
    </Layout>
  );
}
