/** @module Password pages: change (signed in), forgot and reset (signed out). */
import { localize, t } from "../i18n/i18n.ts";
import { CsrfField, ErrorText, Layout } from "../views/layout.tsx";

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

export function ChangePasswordPage(props: { csrf: string; error?: string; problems?: string[] }) {
  const weak = !!props.problems?.length;
  return (
    <Layout title={t("password.change.title")} signedIn csrf={props.csrf}>
      <p>{t("password.change.intro")}</p>
      <form method="post" action="/account/password" novalidate>
        <CsrfField token={props.csrf} />
        <ErrorText id="current-error" message={props.error} />
        <label for="current_password">{t("password.current")}</label>
        <input
          id="current_password"
          name="current_password"
          type="password"
          autocomplete="current-password"
          required
          autofocus
          aria-invalid={props.error ? "true" : undefined}
          aria-describedby={props.error ? "current-error" : undefined}
        />
        <label for="new_password">{t("password.new")}</label>
        <input
          id="new_password"
          name="new_password"
          type="password"
          autocomplete="new-password"
          required
          aria-invalid={weak ? "true" : undefined}
          aria-describedby={weak ? "new-error new-hint" : "new-hint"}
        />
        <p class="muted" id="new-hint">{t("password.hint")}</p>
        <Problems id="new-error" problems={props.problems} />
        <button type="submit">{t("password.change.submit")}</button>
      </form>
    </Layout>
  );
}

export function ForgotPasswordPage(props: { csrf: string; sent?: boolean; error?: string }) {
  return (
    <Layout title={t("password.forgot.title")}>
      {props.sent ? <p class="notice" role="status">{t("password.forgot.sent")}</p> : null}
      <form method="post" action="/password/forgot" novalidate>
        <CsrfField token={props.csrf} />
        <ErrorText id="forgot-error" message={props.error} />
        <label for="username">{t("password.forgot.username")}</label>
        <input
          id="username"
          name="username"
          autocomplete="username"
          autocapitalize="none"
          spellcheck={false}
          required
          autofocus
          aria-invalid={props.error ? "true" : undefined}
          aria-describedby={props.error ? "forgot-error" : undefined}
        />
        <button type="submit">{t("password.forgot.submit")}</button>
      </form>
      <p>
        <a href="/login">{t("common.back_to_sign_in")}</a>
      </p>
    </Layout>
  );
}

export function ResetPasswordPage(
  props: { csrf: string; token: string; error?: string; problems?: string[] },
) {
  const weak = !!props.problems?.length;
  return (
    <Layout title={t("password.reset.title")}>
      <p>{t("password.reset.intro")}</p>
      <form method="post" action="/password/reset" novalidate>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="token" value={props.token} />
        <ErrorText id="reset-error" message={props.error} />
        <label for="new_password">{t("password.new")}</label>
        <input
          id="new_password"
          name="new_password"
          type="password"
          autocomplete="new-password"
          required
          autofocus
          aria-invalid={weak ? "true" : undefined}
          aria-describedby={weak ? "new-error" : props.error ? "reset-error" : undefined}
        />
        <Problems id="new-error" problems={props.problems} />
        <button type="submit">{t("password.reset.submit")}</button>
      </form>
    </Layout>
  );
}
