/** @module The sign-out confirmation page. */
import { t } from "../i18n/i18n.ts";
import { CsrfField, Layout } from "../views/layout.tsx";

/** GET /logout: a confirmation, so that a link cannot sign anyone out. */
export function LogoutPage(props: { csrf: string }) {
  return (
    <Layout title={t("logout.title")} signedIn csrf={props.csrf}>
      <p>{t("logout.question")}</p>
      <form method="post" action="/logout">
        <CsrfField token={props.csrf} />
        <button type="submit" autofocus>{t("layout.logout")}</button>
      </form>
    </Layout>
  );
}
