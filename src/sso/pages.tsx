/** @module The pages of single sign-on: an unknown host, a spent code, the step-up prompt. */
import { t } from "../i18n/i18n.ts";
import { CodeField, FormPage } from "../views/components.tsx";
import { Layout, MessagePage } from "../views/layout.tsx";

/** The portal refuses to hand a browser to a host it does not serve: no redirect, a page. */
export const UnknownHostPage = () => (
  <MessagePage title={t("sso.unknown_host.title")} message={t("sso.unknown_host.message")} />
);

/**
 * A callback whose code is unknown, spent, expired, for another host, or whose session ended.
 * Shown on the protected host, so its stylesheet comes through `/.twofold/`.
 */
export const HandoffFailedPage = (props: { sessionEnded: boolean }) => (
  <Layout title={t("sso.code_failed.title")} assetBase="/.twofold/assets">
    <p>{props.sessionEnded ? t("sso.session_ended.message") : t("sso.code_failed.message")}</p>
    <p>
      <a href="/">{t("sso.back_to_app")}</a>
    </p>
  </Layout>
);

/** The code prompt of a step-up: a current code only, no password, no new login. */
export function StepUpPage(props: {
  csrf: string;
  redirect: string;
  host: string;
  error?: string;
}) {
  return (
    <FormPage
      page={props}
      text={[t("sso.step_up.title"), t("sso.step_up.intro", { host: props.host })]}
      action="/sso/step-up"
      signedIn
    >
      <CodeField
        id="code"
        label={t("totp.code")}
        error={props.error}
        autofocus
      />
      <button type="submit">{t("common.continue")}</button>
    </FormPage>
  );
}

/** Step-up for someone with no authenticator: nothing to prompt for yet. */
export const StepUpNoFactorPage = (props: { host: string; csrf: string }) => (
  <MessagePage
    title={t("sso.step_up.title")}
    message={t("sso.step_up.no_factor", { host: props.host })}
    link={{ href: "/account", text: t("access.denied.add_factor") }}
    signedIn
    csrf={props.csrf}
  />
);
