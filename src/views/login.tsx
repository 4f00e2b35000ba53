/** @module Login pages: password, code challenge, recovery code. */
import { CsrfField, ErrorText, Layout } from "./layout.tsx";

export function LoginPage(props: {
  csrf: string;
  redirect?: string;
  values?: { username?: string };
  error?: string;
  notice?: string;
}) {
  return (
    <Layout title="Sign in">
      {props.notice ? <p class="notice" role="status">{props.notice}</p> : null}
      <form method="post" action="/login" novalidate>
        <CsrfField token={props.csrf} />
        {props.redirect ? <input type="hidden" name="redirect" value={props.redirect} /> : null}
        <ErrorText id="login-error" message={props.error} />
        <label for="username">Username</label>
        <input
          id="username"
          name="username"
          autocomplete="username"
          required
          autofocus
          value={props.values?.username ?? ""}
          aria-describedby={props.error ? "login-error" : undefined}
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
        />
        <label class="check">
          <input type="checkbox" name="remember_me" value="true" /> Keep me signed in for 7 days
        </label>
        <button type="submit">Continue</button>
      </form>
      <p>
        <a href="/password/forgot">Forgot your password?</a>
      </p>
    </Layout>
  );
}

export function TotpPage(props: {
  csrf: string;
  redirect?: string;
  error?: string;
  deviceName: string;
  trustedDevicesAllowed: boolean;
}) {
  return (
    <Layout title="Enter your code">
      <p>Open your authenticator app and enter the code it shows for twofold.</p>
      <form method="post" action="/login/totp" novalidate>
        <CsrfField token={props.csrf} />
        {props.redirect ? <input type="hidden" name="redirect" value={props.redirect} /> : null}
        <label for="code">Code</label>
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
              <label class="check">
                <input type="checkbox" name="trust_device" value="true" />{" "}
                Trust this device for 30 days
              </label>
              <label for="device_name">Device name</label>
              <input id="device_name" name="device_name" maxlength={64} value={props.deviceName} />
            </fieldset>
          )
          : null}
        <button type="submit">Verify</button>
      </form>
      <p>
        <a
          href={`/login/recovery${
            props.redirect ? `?redirect=${encodeURIComponent(props.redirect)}` : ""
          }`}
        >
          Use a recovery code instead
        </a>
      </p>
      <CancelForm csrf={props.csrf} />
    </Layout>
  );
}

export function RecoveryPage(props: { csrf: string; redirect?: string; error?: string }) {
  return (
    <Layout title="Use a recovery code">
      <p>
        Enter one of the recovery codes you saved when you set up two-factor sign-in. Each works
        once.
      </p>
      <form method="post" action="/login/recovery" novalidate>
        <CsrfField token={props.csrf} />
        {props.redirect ? <input type="hidden" name="redirect" value={props.redirect} /> : null}
        <label for="recovery_code">Recovery code</label>
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
        <button type="submit">Verify</button>
      </form>
      <p>
        <a
          href={`/login/totp${
            props.redirect ? `?redirect=${encodeURIComponent(props.redirect)}` : ""
          }`}
        >
          Use a code from your app instead
        </a>
      </p>
      <CancelForm csrf={props.csrf} />
    </Layout>
  );
}

function CancelForm(props: { csrf: string }) {
  return (
    <form method="post" action="/login/cancel" class="inline">
      <CsrfField token={props.csrf} />
      <button type="submit" class="link">Cancel and sign in as someone else</button>
    </form>
  );
}

/** After a login in a grace period: the deadline, and a way to enroll right away. */
export function GracePage(props: { deadline: Date; continueTo: string }) {
  const day = props.deadline.toISOString().slice(0, 10);
  return (
    <Layout title="Set up two-factor sign-in soon">
      <p role="status">
        Your organisation requires two-factor sign-in. You can still sign in without it until{" "}
        <strong id="enrollment-deadline">{day}</strong>; after that, setting it up is the only way
        in.
      </p>
      <p>
        <a class="button" href="/enroll">Set it up now</a> <a href={props.continueTo}>Not now</a>
      </p>
    </Layout>
  );
}
