/** @module Login pages: password, code challenge, recovery code, and what comes after them. */
import { localize, t, tj, tp } from "../i18n/i18n.ts";
import {
  ActionButton,
  CodeField,
  Field,
  FormPage,
  PasswordField,
  UsernameField,
} from "../views/components.tsx";
import { ErrorText, Layout } from "../views/layout.tsx";
import { site } from "../views/site.ts";

export function LoginPage(props: {
  csrf: string;
  redirect?: string;
  values?: { username?: string };
  error?: string;
  notice?: string;
}) {
  return (
    <FormPage
      page={props}
      text={[t("login.title")]}
      action="/login"
      before={
        <>
          {props.notice ? <p class="notice" role="status">{localize(props.notice)}</p> : null}
        </>
      }
      after={
        <>
          <p>
            <a href="/password/forgot">{t("login.forgot")}</a>
          </p>
        </>
      }
    >
      <ErrorText id="login-error" message={props.error} />
      <UsernameField
        label={t("login.username")}
        value={props.values?.username ?? ""}
        describedBy={props.error ? "login-error" : undefined}
      />
      <PasswordField
        label={t("login.password")}
        describedBy={props.error ? "login-error" : undefined}
      />
      <label class="check">
        <input type="checkbox" name="remember_me" value="true" />{" "}
        {tp("login.remember_me", site().rememberMeDays)}
      </label>
      <button type="submit">{t("login.submit")}</button>
    </FormPage>
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
  /** How long a trusted device skips the code (the policy's days). */
  trustedDeviceDays: number;
}) {
  return (
    <FormPage
      page={props}
      text={[t("totp.title"), t("totp.intro", { issuer: site().issuer })]}
      action="/login/totp"
      after={<OtherWayOrCancel page={props} to="/login/recovery" text={t("totp.use_recovery")} />}
    >
      <CodeField
        id="code"
        label={t("totp.code")}
        pattern="[0-9 ]*"
        autofocus
        error={props.error}
      />
      {props.trustedDevicesAllowed
        ? (
          <fieldset>
            <legend>{t("totp.device_legend")}</legend>
            <label class="check">
              <input type="checkbox" name="trust_device" value="true" />{" "}
              {tp("totp.trust", props.trustedDeviceDays)}
            </label>
            <label for="device_name">{t("totp.device_name")}</label>
            <input id="device_name" name="device_name" maxlength={64} value={props.deviceName} />
          </fieldset>
        )
        : null}
      <button type="submit">{t("totp.submit")}</button>
    </FormPage>
  );
}

export function RecoveryPage(props: { csrf: string; redirect?: string; error?: string }) {
  return (
    <FormPage
      page={props}
      text={[t("recovery.title"), t("recovery.intro")]}
      action="/login/recovery"
      after={<OtherWayOrCancel page={props} to="/login/totp" text={t("recovery.use_app")} />}
    >
      <Field
        id="recovery_code"
        label={t("recovery.code")}
        autocomplete="off"
        autocapitalize="none"
        spellcheck={false}
        maxlength={64}
        required
        autofocus
        error={props.error}
        errorId="recovery-error"
      />
      <button type="submit">{t("totp.submit")}</button>
    </FormPage>
  );
}

/** Under a second-factor form: a link to the other way of proving it, and a way out. */
function OtherWayOrCancel(
  props: { page: { csrf: string; redirect?: string }; to: string; text: string },
) {
  return (
    <>
      <p>
        <a href={withRedirect(props.to, props.page.redirect)}>{props.text}</a>
      </p>
      <ActionButton
        csrf={props.page.csrf}
        action="/login/cancel"
        class="link"
        label={t("login.cancel")}
      />
    </>
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
