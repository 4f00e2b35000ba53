/** @module Login pages: password, code challenge, recovery code, and logout. */
import { localize, t, tj, tp } from "../i18n/i18n.ts";
import { CsrfField, ErrorText, Layout } from "../views/layout.tsx";

export function LoginPage(props: {
  csrf: string;
  redirect?: string;
  values?: { username?: string };
  error?: string;
  notice?: string;
}) {
  return (
    <Layout title={t("login.title")} keep={{ redirect: props.redirect }}>
      {props.notice ? <p class="notice" role="status">{localize(props.notice)}</p> : null}
      <form method="post" action="/login" novalidate>
        <CsrfField token={props.csrf} />
        {props.redirect ? <input type="hidden" name="redirect" value={props.redirect} /> : null}
        <ErrorText id="login-error" message={props.error} />
        <label for="username">{t("login.username")}</label>
        <input
          id="username"
          name="username"
          autocomplete="username"
          autocapitalize="none"
          spellcheck={false}
          required
          autofocus
          value={props.values?.username ?? ""}
          aria-describedby={props.error ? "login-error" : undefined}
        />
        <label for="password">{t("login.password")}</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          aria-describedby={props.error ? "login-error" : undefined}
        />
        <label class="check">
          <input type="checkbox" name="remember_me" value="true" /> {t("login.remember_me")}
        </label>
        <button type="submit">{t("login.submit")}</button>
      </form>
      <p>
        <a href="/password/forgot">{t("login.forgot")}</a>
      </p>
    </Layout>
  );
}

const withRedirect = (path: string, redirect?: string) =>
  redirect ? `${path}?redirect=${encodeURIComponent(redirect)}` : path;

export function TotpPage(props: {
  csrf: string;
  redirect?: string;
  error?: string;
  deviceName: string;
  trustedDevicesAllowed: boolean;
}) {
  return (
    <Layout title={t("totp.title")} keep={{ redirect: props.redirect }}>
      <p>{t("totp.intro")}</p>
      <form method="post" action="/login/totp" novalidate>
        <CsrfField token={props.csrf} />
        {props.redirect ? <input type="hidden" name="redirect" value={props.redirect} /> : null}
        <label for="code">{t("totp.code")}</label>
        <input
          id="code"
          name="code"
          autocomplete="one-time-code"
          inputmode="numeric"
          pattern="[0-9 ]*"
          maxlength={12}
          required
          autofocus
          aria-invalid={props.error ? "true" : undefined}
          aria-describedby={props.error ? "code-error" : undefined}
        />
        <ErrorText id="code-error" message={props.error} />
        {props.trustedDevicesAllowed
          ? (
            <fieldset>
              <legend>{t("totp.device_legend")}</legend>
              <label class="check">
                <input type="checkbox" name="trust_device" value="true" /> {t("totp.trust")}
              </label>
              <label for="device_name">{t("totp.device_name")}</label>
              <input id="device_name" name="device_name" maxlength={64} value={props.deviceName} />
            </fieldset>
          )
          : null}
        <button type="submit">{t("totp.submit")}</button>
      </form>
      <p>
        <a href={withRedirect("/login/recovery", props.redirect)}>{t("totp.use_recovery")}</a>
      </p>
      <CancelForm csrf={props.csrf} />
    </Layout>
  );
}

export function RecoveryPage(props: { csrf: string; redirect?: string; error?: string }) {
  return (
    <Layout title={t("recovery.title")} keep={{ redirect: props.redirect }}>
      <p>{t("recovery.intro")}</p>
      <form method="post" action="/login/recovery" novalidate>
        <CsrfField token={props.csrf} />
        {props.redirect ? <input type="hidden" name="redirect" value={props.redirect} /> : null}
        <label for="recovery_code">{t("recovery.code")}</label>
        <input
          id="recovery_code"
          name="recovery_code"
          autocomplete="off"
          autocapitalize="none"
          spellcheck={false}
          maxlength={64}
          required
          autofocus
          aria-invalid={props.error ? "true" : undefined}
          aria-describedby={props.error ? "recovery-error" : undefined}
        />
        <ErrorText id="recovery-error" message={props.error} />
        <button type="submit">{t("totp.submit")}</button>
      </form>
      <p>
        <a href={withRedirect("/login/totp", props.redirect)}>{t("recovery.use_app")}</a>
      </p>
      <CancelForm csrf={props.csrf} />
    </Layout>
  );
}

function CancelForm(props: { csrf: string }) {
  return (
    <form method="post" action="/login/cancel" class="inline">
      <CsrfField token={props.csrf} />
      <button type="submit" class="link">{t("login.cancel")}</button>
    </form>
  );
}

/** After a sign-in with a recovery code: how many are left, and a nudge when few are. */
export function RecoveryCodeUsedPage(props: { remaining: number; continueTo: string }) {
  return (
    <Layout title={t("recovery.used.title")}>
      <p>
        {t("recovery.used.message")} {tp("recovery.used.left", props.remaining)}
      </p>
      {props.remaining <= 2 ? <p class="warning" role="status">{t("recovery.used.few")}</p> : null}
      <p>
        <a class="button" href={props.continueTo}>{t("common.continue")}</a>
      </p>
    </Layout>
  );
}

/** After a login in a grace period: the deadline, and a way to enroll right away. */
export function GracePage(props: { deadline: Date; continueTo: string }) {
  const day = props.deadline.toISOString().slice(0, 10);
  return (
    <Layout title={t("grace.title")}>
      <p role="status">
        {tj("grace.message", { date: <strong id="enrollment-deadline">{day}</strong> })}
      </p>
      <p>
        <a class="button" href="/enroll">{t("grace.now")}</a>{" "}
        <a href={props.continueTo}>{t("grace.later")}</a>
      </p>
    </Layout>
  );
}

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
