/** @module The admin console's page of OpenID Connect clients: register one, see them, delete one. */
import { t } from "../i18n/i18n.ts";
import { AdminLayout } from "../admin/console_layout.tsx";
import {
  Check,
  codeCell,
  DataTable,
  Facts,
  Field,
  type FormErrors,
  type FormValues,
} from "../views/components.tsx";
import { CopyButton, CsrfField } from "../views/layout.tsx";
import type { ClientView } from "./clients.ts";

export type CreatedClient = { client_id: string; client_secret: string | null };

export function ClientsPage(props: {
  csrf: string;
  clients: ClientView[];
  issuer: string | null;
  created?: CreatedClient;
  values?: FormValues;
  errors?: FormErrors;
  notice?: string;
  error?: string;
}) {
  const v = props.values ?? {};
  const e = props.errors ?? {};
  /** A list of URIs, one a line. */
  const uris = (id: string, label: string, rows: number, required?: boolean) => (
    <Field
      id={id}
      label={label}
      hint={t("oidc.console.uris_hint")}
      rows={rows}
      value={v[id] ?? ""}
      error={e[id]}
      required={required}
    />
  );
  return (
    <AdminLayout
      title={t("oidc.console.title")}
      page={props}
      current="apps"
      wide
      languageBase="/admin/apps"
      script={!!props.created}
    >
      {props.issuer
        ? (
          <p>
            {t("oidc.console.discovery")}{" "}
            <code id="discovery-url">
              {`${props.issuer}/.well-known/openid-configuration`}
            </code>
          </p>
        )
        : <p id="no-issuer" class="error">{t("oidc.console.no_issuer")}</p>}
      {props.created
        ? (
          <section aria-labelledby="created-heading" id="created">
            <h2 id="created-heading">{t("oidc.console.created")}</h2>
            <Facts
              id="created-facts"
              items={[
                {
                  term: "client_id",
                  value: <code>{props.created.client_id}</code>,
                  id: "client-id",
                },
                props.created.client_secret
                  ? {
                    term: "client_secret",
                    value: (
                      <span class="copyable">
                        <code class="secret" id="client-secret">
                          {props.created.client_secret}
                        </code>{" "}
                        <CopyButton target="client-secret" label={t("oidc.console.copy_secret")} />
                      </span>
                    ),
                  }
                  : null,
              ]}
            />
            {props.created.client_secret
              ? <p class="warning">{t("oidc.console.secret_once")}</p>
              : <p>{t("oidc.console.public_note")}</p>}
          </section>
        )
        : null}
      <DataTable
        id="clients"
        label={t("oidc.console.list")}
        heading
        rows={props.clients}
        empty={<p id="no-clients">{t("oidc.console.none")}</p>}
        columns={[
          [t("oidc.console.col.name"), (c) => <th scope="row">{c.name}</th>],
          [t("oidc.console.col.client_id"), (c) => codeCell(c.client_id)],
          [
            t("oidc.console.col.type"),
            (c) => <td>{c.public ? t("oidc.console.public") : t("oidc.console.confidential")}</td>,
          ],
          [t("oidc.console.col.redirect_uris"), (c) => <td>{c.redirect_uris.join(" ")}</td>],
          [t("oidc.console.col.alg"), (c) => <td>{c.signing_alg}</td>],
        ]}
        actions={{
          csrf: props.csrf,
          heading: t("oidc.apps.col.action"),
          buttons: (c) => [{
            action: `/admin/apps/${encodeURIComponent(c.client_id)}/delete`,
            label: t("oidc.console.delete", { name: c.name }),
            danger: true,
          }],
        }}
      />
      <h2 id="new-client">{t("oidc.console.new")}</h2>
      <form method="post" action="/admin/apps" aria-labelledby="new-client">
        <CsrfField token={props.csrf} />
        <Field
          id="name"
          label={t("oidc.console.name")}
          value={v.name ?? ""}
          error={e.name}
          required
          maxlength={100}
        />
        {uris("redirect_uris", t("oidc.console.redirect_uris"), 3, true)}
        {uris("post_logout_redirect_uris", t("oidc.console.post_logout"), 2)}
        <Check name="public" label={t("oidc.console.public_check")} checked={v.public === "on"} />
        <Check name="rs256" label={t("oidc.console.rs256_check")} checked={v.rs256 === "on"} />
        {e.signing_alg
          ? <p class="error" role="alert" id="signing-error">{e.signing_alg}</p>
          : null}
        <button type="submit">{t("oidc.console.submit")}</button>
      </form>
    </AdminLayout>
  );
}
