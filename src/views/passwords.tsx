/** @module Password pages: change (signed in), forgot and reset (signed out). */
import { CsrfField, ErrorText, Layout } from "./layout.tsx";

function Problems(props: { id: string; problems?: string[] }) {
  if (!props.problems?.length) return null;
  return (
    <ul class="error" id={props.id} role="alert">
      {props.problems.map((p) => <li key={p}>{p}</li>)}
    </ul>
  );
}

export function ChangePasswordPage(props: { csrf: string; error?: string; problems?: string[] }) {
  return (
    <Layout title="Change your password" signedIn csrf={props.csrf}>
      <p>Other sessions and trusted devices end when you change your password.</p>
      <form method="post" action="/account/password" novalidate>
        <CsrfField token={props.csrf} />
        <ErrorText id="current-error" message={props.error} />
        <label for="current_password">Current password</label>
        <input
          id="current_password"
          name="current_password"
          type="password"
          autocomplete="current-password"
          required
          autofocus
          aria-describedby={props.error ? "current-error" : undefined}
        />
        <label for="new_password">New password</label>
        <input
          id="new_password"
          name="new_password"
          type="password"
          autocomplete="new-password"
          required
          aria-describedby={props.problems?.length ? "new-error" : "new-hint"}
        />
        <p class="muted" id="new-hint">
          At least 12 characters. A few unrelated words make a good one.
        </p>
        <Problems id="new-error" problems={props.problems} />
        <button type="submit">Change password</button>
      </form>
    </Layout>
  );
}

export function ForgotPasswordPage(props: { csrf: string; sent?: boolean; error?: string }) {
  return (
    <Layout title="Forgot your password?">
      {props.sent
        ? (
          <p class="notice" role="status">
            If an account matches, a reset link is on its way. It works once, for one hour.
          </p>
        )
        : null}
      <form method="post" action="/password/forgot" novalidate>
        <CsrfField token={props.csrf} />
        <ErrorText id="forgot-error" message={props.error} />
        <label for="username">Username or email</label>
        <input id="username" name="username" autocomplete="username" required autofocus />
        <button type="submit">Send a reset link</button>
      </form>
      <p>
        <a href="/login">Back to sign in</a>
      </p>
    </Layout>
  );
}

export function ResetPasswordPage(
  props: { csrf: string; token: string; error?: string; problems?: string[] },
) {
  return (
    <Layout title="Choose a new password">
      <p>Your authenticator stays as it is: you will still need a code to sign in.</p>
      <form method="post" action="/password/reset" novalidate>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="token" value={props.token} />
        <ErrorText id="reset-error" message={props.error} />
        <label for="new_password">New password</label>
        <input
          id="new_password"
          name="new_password"
          type="password"
          autocomplete="new-password"
          required
          autofocus
          aria-describedby={props.problems?.length ? "new-error" : undefined}
        />
        <Problems id="new-error" problems={props.problems} />
        <button type="submit">Set the new password</button>
      </form>
    </Layout>
  );
}
