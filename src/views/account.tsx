/** @module The account page: authenticators and recovery codes of the signed-in user. */
import type { AuthenticatorRow } from "../totp/repo.ts";
import { Layout } from "./layout.tsx";

function when(ms: number | null): string {
  return ms === null ? "never" : new Date(ms).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

export function AccountPage(props: {
  csrf: string;
  username: string;
  authenticators: AuthenticatorRow[];
  recoveryCodesRemaining: number;
  amr: string[];
  notice?: string;
}) {
  return (
    <Layout title="Your account" signedIn csrf={props.csrf}>
      {props.notice ? <p class="notice" role="status">{props.notice}</p> : null}
      <p>
        Signed in as <strong id="account-username">{props.username}</strong>
        {props.amr.includes("rec") ? " with a recovery code" : null}
        {props.amr.includes("dev") ? " on a trusted device" : null}.
      </p>
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
              </tr>
            </thead>
            <tbody>
              {props.authenticators.map((a) => (
                <tr>
                  <td>{a.label}</td>
                  <td>{when(a.createdAt)}</td>
                  <td>{when(a.lastUsedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      <h2>Recovery codes</h2>
      <p id="recovery-remaining">
        {props.recoveryCodesRemaining} of your recovery codes{" "}
        {props.recoveryCodesRemaining === 1 ? "is" : "are"} unused.
      </p>
      {props.recoveryCodesRemaining <= 2
        ? <p class="warning" role="status">You are running out of recovery codes.</p>
        : null}
    </Layout>
  );
}
