/**
 * @module The OpenID Connect provider's pages: a refused authorization request, the logout
 * confirmation and its result, and the user's list of apps they signed in to.
 */
import { t } from "../i18n/i18n.ts";
import { DataTable, Hidden, Notices, when } from "../views/components.tsx";
import { CsrfField, Layout } from "../views/layout.tsx";
import type { AppSummary } from "./repo.ts";

/**
 * An authorization request that cannot be answered to the app: an unknown client or a
 * redirect URI it did not register. The browser is sent nowhere (RFC 6749 4.1.2.1).
 */
export function AuthorizeErrorPage(
  props: { reason: "unknown_client" | "redirect_uri" | "not_configured" },
) {
  return (
    <Layout title={t("oidc.error.title")}>
      <p id="oidc-error">{t(`oidc.error.${props.reason}`)}</p>
      <p>{t("oidc.error.hint")}</p>
    </Layout>
  );
}

/** An app asked to sign the user out without proving it is theirs: ask first. */
export function LogoutConfirmPage(
  props: { csrf: string; values: Record<string, string | undefined> },
) {
  return (
    <Layout title={t("logout.title")} signedIn csrf={props.csrf}>
      <p>{t("oidc.logout.question")}</p>
      <form method="post" action="/oidc/logout">
        <CsrfField token={props.csrf} />
        {Object.entries(props.values).filter(([, value]) => value !== undefined).map((
          [name, value],
        ) => <Hidden key={name} name={name} value={value} />)}
        <button type="submit" autofocus>{t("layout.logout")}</button>
      </form>
      <p>
        <a href="/account">{t("common.cancel")}</a>
      </p>
    </Layout>
  );
}

export function SignedOutPage() {
  return (
    <Layout title={t("oidc.logout.done_title")}>
      <p id="signed-out">{t("oidc.logout.done")}</p>
      <p>
        <a href="/login">{t("common.back_to_sign_in")}</a>
      </p>
    </Layout>
  );
}

/** The apps the user signed in to with twofold, each with a button that signs it out. */
export function AppsPage(props: { csrf: string; apps: AppSummary[]; notice?: string }) {
  return (
    <Layout title={t("oidc.apps.title")} signedIn csrf={props.csrf}>
      <Notices notice={props.notice ? t("oidc.apps.revoked") : undefined} />
      <p>{t("oidc.apps.intro")}</p>
      <DataTable
        id="apps"
        label={t("oidc.apps.title")}
        rows={props.apps}
        empty={<p id="no-apps">{t("oidc.apps.none")}</p>}
        columns={[
          [t("oidc.apps.col.app"), (a) => <th scope="row">{a.name}</th>],
          [t("oidc.apps.col.first"), (a) => <td>{when(a.firstAt)}</td>],
          [t("oidc.apps.col.last"), (a) => <td>{when(a.lastUsedAt)}</td>],
        ]}
        actions={{
          csrf: props.csrf,
          heading: t("oidc.apps.col.action"),
          buttons: (a) => [{
            action: `/account/apps/${encodeURIComponent(a.clientId)}/revoke`,
            label: t("oidc.apps.revoke"),
            danger: true,
          }],
        }}
      />
      <p>
        <a href="/account">{t("common.back_to_account")}</a>
      </p>
    </Layout>
  );
}
