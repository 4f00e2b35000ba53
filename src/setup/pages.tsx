/** @module The first-run page: the first admin's username and password. */
import { t } from "../i18n/i18n.ts";
import { FormPage, Hidden, NewPasswordField, UsernameField } from "../views/components.tsx";
import { ErrorText } from "../views/layout.tsx";

export function SetupPage(props: {
  csrf: string;
  token: string;
  issuer: string;
  values?: { username?: string };
  errors?: { username?: string; password?: string };
}) {
  const errors = props.errors ?? {};
  return (
    <FormPage
      page={props}
      text={[
        t("setup.title", { issuer: props.issuer }),
        t("setup.intro", { issuer: props.issuer }),
      ]}
      action="/setup"
      keep={{ token: props.token }}
    >
      <Hidden name="token" value={props.token} />
      <UsernameField
        label={t("setup.username")}
        value={props.values?.username ?? ""}
        error={errors.username}
        autocomplete="username"
      />
      <NewPasswordField
        id="password"
        label={t("setup.password")}
        error={errors.password}
        hint={t("setup.password_hint")}
      />
      <ErrorText id="setup-error" />
      <p>{t("setup.next")}</p>
      <button type="submit">{t("setup.submit")}</button>
    </FormPage>
  );
}
