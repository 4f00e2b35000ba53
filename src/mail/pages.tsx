/** @module The "this was not me" pages: what will happen, and what happens next. */
import { t } from "../i18n/i18n.ts";
import { FormPage } from "../views/components.tsx";
import { Layout } from "../views/layout.tsx";

/** Says what confirming does, with the button; the token travels in the form. */
export function NotMePage(props: { csrf: string; token: string }) {
  return (
    <FormPage page={props} text={[t("notme.title"), t("notme.intro")]} action="/not-me">
      <ul>
        <li>{t("notme.step.sessions")}</li>
        <li>{t("notme.step.lock")}</li>
        <li>{t("notme.step.alert")}</li>
      </ul>
      <input type="hidden" name="token" value={props.token} />
      <button type="submit">{t("notme.confirm")}</button>
    </FormPage>
  );
}

export function NotMeDonePage() {
  return (
    <Layout title={t("notme.done.title")}>
      <p role="status">{t("notme.done.body")}</p>
      <p>{t("notme.done.next")}</p>
    </Layout>
  );
}

export function NotMeInvalidPage() {
  return (
    <Layout title={t("notme.title")}>
      <p role="alert">{t("notme.invalid")}</p>
    </Layout>
  );
}
