/** @module The account page and the self-service pages around it. */
import type { AuthenticatorView } from "../account/service.ts";
import type { TrustedDeviceRow } from "../devices/repo.ts";
import type { SessionRow } from "../sessions/repo.ts";
import { driftMessage } from "../totp/drift.ts";
import { CsrfField, ErrorText, Layout } from "./layout.tsx";
import type { ApiKeyRow } from "../apikeys/service.ts";
import { TokensSection } from "./tokens.tsx";

export function when(ms: number | null): string {
  return ms === null ? "never" : new Date(ms).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

export function methodOf(amrJson: string): string {
  const amr: string[] = JSON.parse(amrJson);
  if (amr.includes("otp")) return "authenticator code";
  if (amr.includes("rec")) return "recovery code";
  if (amr.includes("dev")) return "trusted device";
  return "password only";
}

/** A one-button form posting to `action`. */
function ActionButton(props: { csrf: string; action: string; label: string; danger?: boolean }) {
  return (
    <form method="post" action={props.action} class="inline">
      <CsrfField token={props.csrf} />
      <button type="submit" class={props.danger ? "small danger" : "small"}>{props.label}</button>
    </form>
  );
}

export function AccountPage(props: {
  csrf: string;
  username: string;
  authenticators: AuthenticatorView[];
  recoveryCodesRemaining: number;
  devices: TrustedDeviceRow[];
  currentDeviceId: string | null;
  sessions: SessionRow[];
  currentSessionId: string;
  amr: string[];
  fresh: boolean;
  canDisable2fa: boolean;
  tokens: ApiKeyRow[];
  tokenError?: string;
  notice?: string;
  error?: string;
  /** Links the admin console (for admins who signed in with a second factor). */
  adminConsole?: boolean;
}) {
  const reauthFirst = (next: string) => `/account/reauth?next=${encodeURIComponent(next)}`;
  return (
    <Layout title="Your account" signedIn csrf={props.csrf} wide>
      {props.notice ? <p class="notice" role="status">{props.notice}</p> : null}
      {props.error ? <p class="error" role="alert">{props.error}</p> : null}
      <p>
        Signed in as <strong id="account-username">{props.username}</strong>
        {props.amr.includes("rec") ? " with a recovery code" : null}
        {props.amr.includes("dev") ? " on a trusted device" : null}.{" "}
        <a href="/account/password">Change your password</a>
        {props.adminConsole
          ? (
            <>
              {" · "}
              <a href="/admin" id="admin-console">Admin console</a>
            </>
          )
          : null}
      </p>
      {!props.fresh
        ? (
          <p class="muted">
            Changing your second factor asks for your password and a code first.{" "}
            <a href={reauthFirst("/account")}>Confirm it's you</a>
          </p>
        )
        : null}

      <h2>Authenticator apps</h2>
      {props.authenticators.length === 0
        ? <p>No authenticator is set up.</p>
        : (
          <table id="authenticators">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Added</th>
                <th scope="col">Last used</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {props.authenticators.map((a) => (
                <tr>
                  <td>
                    <form
                      method="post"
                      action={`/account/authenticators/${a.id}/rename`}
                      class="rename"
                    >
                      <CsrfField token={props.csrf} />
                      <label class="visually-hidden" for={`label-${a.id}`}>Name</label>
                      <input
                        id={`label-${a.id}`}
                        name="label"
                        value={a.label}
                        maxlength={64}
                        required
                      />
                      <button type="submit" class="small">Rename</button>
                    </form>
                    {a.drift ? <p class="warning drift">{driftMessage(a.drift)}</p> : null}
                  </td>
                  <td>{when(a.createdAt)}</td>
                  <td>{when(a.lastUsedAt)}</td>
                  <td>
                    <ActionButton
                      csrf={props.csrf}
                      action={`/account/authenticators/${a.id}/replace`}
                      label="Replace"
                    />
                    <ActionButton
                      csrf={props.csrf}
                      action={`/account/authenticators/${a.id}/remove`}
                      label="Remove"
                      danger
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      <p>
        <a
          class="button"
          href={props.fresh ? "/enroll" : reauthFirst("/enroll")}
          id="add-authenticator"
        >
          Add an authenticator
        </a>
      </p>

      <h2>Recovery codes</h2>
      <p id="recovery-remaining">
        {props.recoveryCodesRemaining} of your recovery codes{" "}
        {props.recoveryCodesRemaining === 1 ? "is" : "are"} unused.
      </p>
      {props.recoveryCodesRemaining <= 2 && props.authenticators.length > 0
        ? (
          <p class="warning" role="status">
            You are running out of recovery codes. Generate a new set.
          </p>
        )
        : null}
      {props.authenticators.length > 0
        ? (
          <ActionButton
            csrf={props.csrf}
            action="/account/recovery-codes"
            label="Generate new recovery codes"
          />
        )
        : null}

      <h2>Trusted devices</h2>
      {props.devices.length === 0 ? <p>No device skips the code.</p> : (
        <table id="devices">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Trusted since</th>
              <th scope="col">Last used</th>
              <th scope="col">Until</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {props.devices.map((d) => (
              <tr>
                <td>
                  {d.name}
                  {d.id === props.currentDeviceId
                    ? <strong class="current">(this device)</strong>
                    : null}
                </td>
                <td>{when(d.createdAt)}</td>
                <td>{when(d.lastUsedAt)}</td>
                <td>{when(d.expiresAt)}</td>
                <td>
                  <ActionButton
                    csrf={props.csrf}
                    action={`/account/devices/${d.id}/revoke`}
                    label="Revoke"
                    danger
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Sessions</h2>
      <table id="sessions">
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Last seen</th>
            <th scope="col">From</th>
            <th scope="col">Second factor</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.sessions.map((s) => (
            <tr>
              <td>
                {when(s.createdAt)}
                {s.id === props.currentSessionId
                  ? <strong class="current">(this session)</strong>
                  : null}
              </td>
              <td>{when(s.lastSeenAt)}</td>
              <td>
                {s.ip ?? "unknown address"}
                <br />
                <span class="muted">{s.userAgent ?? ""}</span>
              </td>
              <td>{methodOf(s.amr)}</td>
              <td>
                {s.id === props.currentSessionId ? null : (
                  <ActionButton
                    csrf={props.csrf}
                    action={`/account/sessions/${s.id}/end`}
                    label="End"
                    danger
                  />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <ActionButton
          csrf={props.csrf}
          action="/account/sessions/end-others"
          label="End all other sessions"
        />
        <ActionButton
          csrf={props.csrf}
          action="/account/sessions/end-all"
          label="Log out everywhere"
          danger
        />
      </p>

      <TokensSection csrf={props.csrf} tokens={props.tokens} error={props.tokenError} />

      {props.canDisable2fa && props.authenticators.length > 0
        ? (
          <>
            <h2>Two-factor sign-in</h2>
            <p>Turning it off removes your authenticators, recovery codes and trusted devices.</p>
            <ActionButton
              csrf={props.csrf}
              action="/account/2fa/disable"
              label="Turn off two-factor sign-in"
              danger
            />
          </>
        )
        : null}
    </Layout>
  );
}

export function ReauthPage(props: { csrf: string; next: string; error?: string }) {
  return (
    <Layout title="Confirm it's you" signedIn csrf={props.csrf}>
      <p>Enter your password and a code from your authenticator app (or a recovery code).</p>
      <form method="post" action="/account/reauth" novalidate>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="next" value={props.next} />
        <ErrorText id="reauth-error" message={props.error} />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          autofocus
          aria-describedby={props.error ? "reauth-error" : undefined}
        />
        <label for="code">Code from your app</label>
        <input
          id="code"
          name="code"
          autocomplete="one-time-code"
          inputmode="numeric"
          maxlength={12}
        />
        <details>
          <summary>Use a recovery code instead</summary>
          <label for="recovery_code">Recovery code</label>
          <input id="recovery_code" name="recovery_code" autocomplete="off" maxlength={64} />
        </details>
        <button type="submit">Confirm</button>
      </form>
    </Layout>
  );
}

export function NewRecoveryCodesPage(props: { csrf: string; codes: string[] }) {
  const text = `twofold recovery codes\nEach code works once.\n\n${props.codes.join("\n")}\n`;
  return (
    <Layout title="Your new recovery codes" signedIn csrf={props.csrf}>
      <p>
        Your old recovery codes no longer work. Save these now:{" "}
        <strong>they will not be shown again.</strong>
      </p>
      <ul class="codes" id="recovery-codes">
        {props.codes.map((code) => (
          <li>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <p>
        <a
          class="button"
          id="download-codes"
          download="twofold-recovery-codes.txt"
          href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`}
        >
          Download as a text file
        </a>{" "}
        <a href="/account">Back to your account</a>
      </p>
    </Layout>
  );
}
