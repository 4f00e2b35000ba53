/** @module Personal access tokens on the account page. */
import type { ApiKeyRow } from "./service.ts";
import { SCOPES } from "./service.ts";
import { t, tj } from "../i18n/i18n.ts";
import { CopyButton, CsrfField, ErrorText, Layout, TableScroll } from "../views/layout.tsx";

function day(ms: number | null) {
  return ms === null ? t("common.never") : new Date(ms).toISOString().slice(0, 10);
}

export function TokensSection(props: { csrf: string; tokens: ApiKeyRow[]; error?: string }) {
  const describedBy = props.error ? "token-error" : undefined;
  return (
    <section id="tokens" aria-labelledby="tokens-title">
      <h2 id="tokens-title">{t("tokens.title")}</h2>
      <p class="muted">{t("tokens.intro")}</p>
      {props.tokens.length
        ? (
          <TableScroll label={t("tokens.title")}>
            <table id="token-list">
              <thead>
                <tr>
                  <th scope="col">{t("account.col.name")}</th>
                  <th scope="col">{t("tokens.col.scopes")}</th>
                  <th scope="col">{t("tokens.col.expires")}</th>
                  <th scope="col">{t("account.col.last_used")}</th>
                  <th scope="col">{t("account.col.actions")}</th>
                </tr>
              </thead>
              <tbody>
                {props.tokens.map((k) => (
                  <tr>
                    <td>
                      {k.name} <code>{k.prefix}…</code>
                    </td>
                    <td>{(JSON.parse(k.scopes) as string[]).join(", ")}</td>
                    <td>{day(k.expiresAt)}</td>
                    <td>{day(k.lastUsedAt)}</td>
                    <td>
                      <form method="post" action={`/account/tokens/${k.id}/revoke`} class="inline">
                        <CsrfField token={props.csrf} />
                        <button type="submit" class="small danger">{t("account.revoke")}</button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )
        : null}
      <form method="post" action="/account/tokens" novalidate>
        <CsrfField token={props.csrf} />
        <ErrorText id="token-error" message={props.error} />
        <label for="token-name">{t("tokens.name")}</label>
        <input
          id="token-name"
          name="name"
          maxlength={64}
          required
          aria-describedby={describedBy}
        />
        <fieldset>
          <legend>{t("tokens.col.scopes")}</legend>
          {SCOPES.filter((s) => s !== "admin").map((s) => (
            <label class="check">
              <input type="checkbox" name={`scope_${s}`} value="true" checked={s === "read"} /> {s}
            </label>
          ))}
        </fieldset>
        <label for="token-code">{t("tokens.code")}</label>
        <input
          id="token-code"
          name="code"
          autocomplete="one-time-code"
          inputmode="numeric"
          maxlength={12}
          required
          aria-describedby={describedBy}
        />
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
