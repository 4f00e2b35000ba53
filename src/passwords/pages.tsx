/** @module Password pages: change (signed in), forgot and reset (signed out). */
import type { Child } from "hono/jsx";
import { localize, t } from "../i18n/i18n.ts";
import {
  FormPage,
  NewPasswordField,
  Notices,
  PasswordField,
  UsernameField,
} from "../views/components.tsx";
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

/**
 * A page that sets a new password: `step` names its texts (title, introduction, button). What
 * the form asks first comes as children; the problems with a weak password are listed under it.
 */
function NewPasswordPage(props: {
  page: { csrf: string; redirect?: string; problems?: string[] };
  step: "change" | "reset" | "expired";
  action: string;
  signedIn?: boolean;
  /** Show the password rules under the field. */
  hint?: boolean;
  autofocus?: boolean;
  /** What describes the field while it is neither weak nor hinted (an error above it). */
  describedBy?: string;
  children: Child;
}) {
  const weak = !!props.page.problems?.length;
  const hint = props.hint ? "new-hint" : undefined;
  return (
    <FormPage
      page={props.page}
      text={[t(`password.${props.step}.title`), t(`password.${props.step}.intro`)]}
      signedIn={props.signedIn}
      action={props.action}
    >
      {props.children}
      <NewPasswordField
        id="new_password"
        label={t("password.new")}
        autofocus={props.autofocus}
        invalid={weak}
        describedBy={weak
          ? ["new-error", hint].filter(Boolean).join(" ")
          : hint ?? props.describedBy}
        hint={props.hint ? t("password.hint") : undefined}
        hintId="new-hint"
      />
      <Problems id="new-error" problems={props.page.problems} />
      <button type="submit">{t(`password.${props.step}.submit`)}</button>
    </FormPage>
  );
}

export function ChangePasswordPage(props: { csrf: string; error?: string; problems?: string[] }) {
  return (
    <NewPasswordPage page={props} step="change" signedIn action="/account/password" hint>
      <ErrorText id="current-error" message={props.error} />
      <PasswordField
        id="current_password"
        label={t("password.current")}
        autofocus
        invalid={!!props.error}
        describedBy={props.error ? "current-error" : undefined}
      />
    </NewPasswordPage>
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
  return (
    <NewPasswordPage
      page={props}
      step="reset"
      action="/password/reset"
      autofocus
      describedBy={props.error ? "reset-error" : undefined}
    >
      <input type="hidden" name="token" value={props.token} />
      <ErrorText id="reset-error" message={props.error} />
    </NewPasswordPage>
  );
}

/**
 * The step of a login whose password has expired: after the second factor, before any session.
 * The pending cookie binds it to that login; no current password is asked again.
 */
export function ExpiredPasswordPage(
  props: { csrf: string; redirect?: string; error?: string; problems?: string[] },
) {
  return (
    <NewPasswordPage page={props} step="expired" action="/login/password" hint autofocus>
      <ErrorText id="expired-error" message={props.error} />
    </NewPasswordPage>
  );
}
