/** @module Password pages: change (signed in), forgot and reset (signed out). */
import { localize, t } from "../i18n/i18n.ts";
import { Field, FormPage, Notices, PasswordField, UsernameField } from "../views/components.tsx";
import { ErrorText } from "../views/layout.tsx";

function Problems(props: { id: string; problems?: string[] }) {
  if (!props.problems?.length) return null;
  return (
    <div class="error" id={props.id} role="alert">
      <ul>
        {props.problems.map((p) => <li key={p}>{localize(p)}</li>)}
      </ul>
    </div>
  );
}

/** The new password; `weak` marks it invalid (the problems listed under it say why). */
function NewPasswordField(
  props: { weak: boolean; describedBy?: string; hint?: string; autofocus?: boolean },
) {
  return (
    <Field
      id="new_password"
      label={t("password.new")}
      type="password"
      autocomplete="new-password"
      required
      autofocus={props.autofocus}
      invalid={props.weak}
      describedBy={props.describedBy}
      hint={props.hint}
      hintId="new-hint"
    />
  );
}

export function ChangePasswordPage(props: { csrf: string; error?: string; problems?: string[] }) {
  const weak = !!props.problems?.length;
  return (
    <FormPage
      page={props}
      text={[t("password.change.title"), t("password.change.intro")]}
      signedIn
      action="/account/password"
    >
      <ErrorText id="current-error" message={props.error} />
      <PasswordField
        id="current_password"
        label={t("password.current")}
        autofocus
        invalid={!!props.error}
        describedBy={props.error ? "current-error" : undefined}
      />
      <NewPasswordField
        weak={weak}
        describedBy={weak ? "new-error new-hint" : "new-hint"}
        hint={t("password.hint")}
      />
      <Problems id="new-error" problems={props.problems} />
      <button type="submit">{t("password.change.submit")}</button>
    </FormPage>
  );
}

export function ForgotPasswordPage(props: { csrf: string; sent?: boolean; error?: string }) {
  return (
    <FormPage
      page={props}
      text={[t("password.forgot.title")]}
      action="/password/forgot"
      before={<Notices notice={props.sent ? t("password.forgot.sent") : undefined} />}
      after={
        <p>
          <a href="/login">{t("common.back_to_sign_in")}</a>
        </p>
      }
    >
      <ErrorText id="forgot-error" message={props.error} />
      <UsernameField
        label={t("password.forgot.username")}
        invalid={!!props.error}
        describedBy={props.error ? "forgot-error" : undefined}
      />
      <button type="submit">{t("password.forgot.submit")}</button>
    </FormPage>
  );
}

export function ResetPasswordPage(
  props: { csrf: string; token: string; error?: string; problems?: string[] },
) {
  const weak = !!props.problems?.length;
  return (
    <FormPage
      page={props}
      text={[t("password.reset.title"), t("password.reset.intro")]}
      action="/password/reset"
    >
      <input type="hidden" name="token" value={props.token} />
      <ErrorText id="reset-error" message={props.error} />
      <NewPasswordField
        weak={weak}
        describedBy={weak ? "new-error" : props.error ? "reset-error" : undefined}
        autofocus
      />
      <Problems id="new-error" problems={props.problems} />
      <button type="submit">{t("password.reset.submit")}</button>
    </FormPage>
  );
}

/**
 * The step of a login whose password has expired: after the second factor, before any session.
 * The pending cookie binds it to that login; no current password is asked again.
 */
export function ExpiredPasswordPage(
  props: { csrf: string; redirect?: string; error?: string; problems?: string[] },
) {
  const weak = !!props.problems?.length;
  return (
    <FormPage
      page={props}
      text={[t("password.expired.title"), t("password.expired.intro")]}
      action="/login/password"
    >
      <ErrorText id="expired-error" message={props.error} />
      <NewPasswordField
        weak={weak}
        autofocus
        describedBy={weak ? "new-error new-hint" : "new-hint"}
        hint={t("password.hint")}
      />
      <Problems id="new-error" problems={props.problems} />
      <button type="submit">{t("password.expired.submit")}</button>
    </FormPage>
  );
}
