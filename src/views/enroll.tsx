/** @module Enrollment pages: scan or type the key, confirm a code, then the recovery codes once. */
import { raw } from "hono/html";
import type { EnrollmentView } from "../enrollment/flow.ts";
import { CsrfField, ErrorText, Layout } from "./layout.tsx";

export function EnrollPage(props: {
  csrf: string;
  view: EnrollmentView;
  redirect?: string;
  error?: string;
  duringLogin: boolean;
  signedIn: boolean;
}) {
  const { view } = props;
  return (
    <Layout title="Set up two-factor sign-in" signedIn={props.signedIn} csrf={props.csrf}>
      {props.duringLogin
        ? <p>Your account needs a second factor. Set up an authenticator app to continue.</p>
        : null}
      <ol class="steps">
        <li>
          <p>
            Scan this QR code with your authenticator app (Google Authenticator, Aegis, 1Password,
            …).
          </p>
          <div class="qr">{raw(view.qrSvg)}</div>
        </li>
        <li>
          <p>Or enter this key by hand:</p>
          <p>
            <code class="secret" id="secret" data-secret={view.secret}>{view.groupedSecret}</code>
          </p>
          <details>
            <summary>Details</summary>
            <p>
              Time-based, {view.params.algorithm}, {view.params.digits} digits, every{" "}
              {view.params.period} seconds.
            </p>
            <p class="uri">
              <code id="otpauth-uri">{view.otpauthUri}</code>
            </p>
          </details>
        </li>
        <li>
          <form method="post" action="/enroll" novalidate>
            <CsrfField token={props.csrf} />
            <input type="hidden" name="enrollment_id" value={view.enrollmentId} />
            {props.redirect ? <input type="hidden" name="redirect" value={props.redirect} /> : null}
            <label for="code">Enter the code your app shows</label>
            <input
              id="code"
              name="code"
              autocomplete="one-time-code"
              inputmode="numeric"
              pattern="[0-9 ]*"
              maxlength={14}
              required
              autofocus
              aria-invalid={props.error ? "true" : undefined}
              aria-describedby={props.error ? "code-error" : undefined}
            />
            <ErrorText id="code-error" message={props.error} />
            <button type="submit">Confirm</button>
          </form>
        </li>
      </ol>
    </Layout>
  );
}

export function RecoveryCodesPage(props: { codes: string[]; continueTo: string; csrf: string }) {
  return (
    <Layout title="Save your recovery codes" signedIn csrf={props.csrf}>
      <p>
        Your authenticator is set up. If you lose your phone, each of these codes lets you sign in
        once. Store them somewhere safe now: <strong>they will not be shown again.</strong>
      </p>
      <ul class="codes" id="recovery-codes">
        {props.codes.map((code) => (
          <li>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <p>
        <a class="button" href={props.continueTo}>I have saved my codes, continue</a>
      </p>
    </Layout>
  );
}

/** Asks for the one-time enrollment pass an admin issued after resetting the user's 2FA. */
export function EnrollPassPage(props: { csrf: string; redirect?: string; error?: string }) {
  return (
    <Layout title="Enter your enrollment pass">
      <p>
        Your two-factor sign-in was reset by an administrator. To set up a new authenticator, enter
        the one-time enrollment pass they gave you.
      </p>
      <form method="post" action="/enroll/pass" novalidate>
        <CsrfField token={props.csrf} />
        {props.redirect ? <input type="hidden" name="redirect" value={props.redirect} /> : null}
        <label for="enrollment_pass">Enrollment pass</label>
        <input
          id="enrollment_pass"
          name="enrollment_pass"
          autocomplete="off"
          autocapitalize="characters"
          required
          autofocus
          aria-invalid={props.error ? "true" : undefined}
          aria-describedby={props.error ? "pass-error" : undefined}
        />
        <ErrorText id="pass-error" message={props.error} />
        <button type="submit">Continue</button>
      </form>
    </Layout>
  );
}
