/** @module Login pages: password, code challenge, recovery code, and what comes after them. */
import type { Child } from "hono/jsx";
import { t, tj, tp } from "../i18n/i18n.ts";
import {
  ActionButton,
  CodeField,
  FormPage,
  Notices,
  PasswordField,
  UsernameField,
  WrittenCodeField,
} from "../views/components.tsx";
import { ErrorText, Layout } from "../views/layout.tsx";
import { site } from "../views/site.ts";

export function LoginPage(props: {
  /** The remember-me lifetime in force (the console's setting), for the check box's label. */
  rememberMeDays?: number;
  csrf: string;
  redirect?: string;
  values?: { username?: string };
  error?: string;
  notice?: string;
  /** Passkey sign-in (src/webauthn/): its form, and autofill of passkeys on the username. */
  passkey?: Child;
}) {
  return (
    <FormPage
      page={props}
      text={[t("login.title")]}
      action="/login"
      script={props.passkey !== undefined}
      before={<Notices notice={props.notice} />}
      after={
        <>
          <p>
            <a href="/password/forgot">{t("login.forgot")}</a>
          </p>
          {props.passkey}
        </>
      }
    >
      <ErrorText id="login-error" message={props.error} />
      <UsernameField
        label={t("login.username")}
        autocomplete={props.passkey ? "username webauthn" : "username"}
        value={props.values?.username ?? ""}
        describedBy={props.error ? "login-error" : undefined}
      />
      <PasswordField
        label={t("login.password")}
        describedBy={props.error ? "login-error" : undefined}
      />
      <label class="check">
        <input type="checkbox" name="remember_me" value="true" />{" "}
        {tp("login.remember_me", props.rememberMeDays ?? site().rememberMeDays)}
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
  /** The security key form (src/webauthn/), for a user who has a key. */
  securityKey?: Child;
  /** How long a trusted device skips the code (the policy's days). */
  trustedDeviceDays: number;
}) {
  return (
    <FormPage
      page={props}
      text={[t("totp.title"), t("totp.intro", { issuer: site().issuer })]}
      action="/login/totp"
      script={props.securityKey !== undefined}
      after={
        <>
          {props.securityKey}
          <OtherWayOrCancel page={props} to="/login/recovery" text={t("totp.use_recovery")} />
        </>
      }
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
      <WrittenCodeField
        id="recovery_code"
        label={t("recovery.code")}
        autocapitalize="none"
        spellcheck={false}
        maxlength={64}
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

/**
 * After a login that an app's sign-in request (OpenID Connect) started: a page that goes on to
 * it at once. Not a redirect: browsers apply the login form's `form-action 'self'` to every
 * redirect that follows the form's POST, and the request ends at the app, elsewhere. A page
 * in between starts a new navigation. The link is there for browsers that ignore the refresh.
 */
export function ContinuePage(props: { continueTo: string }) {
  return (
    <Layout title={t("login.continue_title")} refresh={props.continueTo}>
      <p role="status">{t("login.continue_text")}</p>
      <p>
        <a id="continue" href={props.continueTo}>{t("common.continue")}</a>
      </p>
    </Layout>
  );
}
