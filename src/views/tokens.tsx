/** @module Personal access tokens on the account page. */
import type { ApiKeyRow } from "../apikeys/service.ts";
import { SCOPES } from "../apikeys/service.ts";
import { CsrfField, ErrorText, Layout } from "./layout.tsx";

function day(ms: number | null) {
  return ms === null ? "never" : new Date(ms).toISOString().slice(0, 10);
}

export function TokensSection(props: { csrf: string; tokens: ApiKeyRow[]; error?: string }) {
  return (
    <section id="tokens">
      <h2>Personal access tokens</h2>
      <p class="muted">
        For scripts that act as you. They skip the second factor, so they can never change your
        password, factors or keys.
      </p>
      {props.tokens.length
        ? (
          <table id="token-list">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scopes</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {props.tokens.map((t) => (
                <tr>
                  <td>
                    {t.name} <code>{t.prefix}…</code>
                  </td>
                  <td>{(JSON.parse(t.scopes) as string[]).join(", ")}</td>
                  <td>{day(t.expiresAt)}</td>
                  <td>{day(t.lastUsedAt)}</td>
                  <td>
                    <form method="post" action={`/account/tokens/${t.id}/revoke`} class="inline">
                      <CsrfField token={props.csrf} />
                      <button type="submit" class="small danger">Revoke</button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
        : null}
      <form method="post" action="/account/tokens" novalidate>
        <CsrfField token={props.csrf} />
        <ErrorText id="token-error" message={props.error} />
        <label for="token-name">Token name</label>
        <input id="token-name" name="name" maxlength={64} required />
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.filter((s) => s !== "admin").map((s) => (
            <label class="check">
              <input type="checkbox" name={`scope_${s}`} value="true" checked={s === "read"} /> {s}
            </label>
          ))}
        </fieldset>
        <label for="token-code">Code from your authenticator app</label>
        <input
          id="token-code"
          name="code"
          autocomplete="one-time-code"
          inputmode="numeric"
          maxlength={12}
          required
        />
        <button type="submit">Create token</button>
      </form>
    </section>
  );
}

export function NewTokenPage(props: { csrf: string; token: string; name: string }) {
  return (
    <Layout title="Your new token" signedIn csrf={props.csrf}>
      <p>
        Copy the token <strong>{props.name}</strong> now: it will not be shown again.
      </p>
      <p>
        <code class="secret" id="new-token">{props.token}</code>
      </p>
      <p>
        <a href="/account#tokens">Back to your account</a>
      </p>
    </Layout>
  );
}
