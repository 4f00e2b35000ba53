/**
 * @module Security key and passkey pages: the account page's list, the registration page, and
 * the forms the login pages offer. WebAuthn needs JavaScript (/assets/app.js): the buttons that
 * start a ceremony are rendered `hidden` and shown by the script, and the page says so without it.
 */
import type { Child } from "hono/jsx";
import { t } from "../i18n/i18n.ts";
import { CsrfField, Layout } from "../views/layout.tsx";
import {
  ActionButton,
  DataTable,
  Field,
  Hidden,
  Notices,
  PasswordField,
  when,
} from "../views/components.tsx";
import type { CredentialRow } from "./repo.ts";

/** The account page's section: the user's keys, rename, remove, and the way to add one. */
export function KeysSection(props: { csrf: string; keys: CredentialRow[]; fresh: boolean }) {
  const add = "/account/security-keys/new";
  return (
    <>
      <h2>{t("webauthn.keys")}</h2>
      <DataTable
        id="security-keys"
        label={t("webauthn.keys")}
        columns={[
          [t("account.col.name"), (k) => (
            <td>
              <form method="post" action={`/account/security-keys/${k.id}/rename`} class="rename">
                <CsrfField token={props.csrf} />
                <label class="visually-hidden" for={`key-${k.id}`}>{t("account.col.name")}</label>
                <input id={`key-${k.id}`} name="name" value={k.name} maxlength={64} required />
                <button type="submit" class="small">{t("account.rename")}</button>
              </form>
              {k.discoverable ? <span class="muted">{t("webauthn.passkey")}</span> : null}
            </td>
          )],
          [t("account.col.added"), (k) => <td>{when(k.createdAt)}</td>],
          [t("account.col.last_used"), (k) => <td>{when(k.lastUsedAt)}</td>],
          [t("account.col.actions"), (k) => (
            <td>
              <ActionButton
                csrf={props.csrf}
                action={`/account/security-keys/${k.id}/remove`}
                label={t("account.remove")}
                describedBy={`key-${k.id}`}
                danger
              />
            </td>
          )],
        ]}
        rows={props.keys}
        empty={<p>{t("webauthn.no_keys")}</p>}
      />
      <p>
        <a
          class="button"
          id="add-security-key"
          href={props.fresh ? add : `/account/reauth?next=${encodeURIComponent(add)}`}
        >
          {t("webauthn.add")}
        </a>
      </p>
    </>
  );
}

/** The admin's user page: the user's keys, each with a remove button. */
export function AdminKeysSection(props: { csrf: string; userId: string; keys: CredentialRow[] }) {
  return (
    <>
      <h2>{t("webauthn.keys")}</h2>
      <DataTable
        id="security-keys"
        label={t("webauthn.keys")}
        columns={[
          [t("account.col.name"), (k) => (
            <th scope="row" id={`key-${k.id}`}>
              {k.name} {k.discoverable ? <span class="muted">{t("webauthn.passkey")}</span> : null}
            </th>
          )],
          [t("account.col.added"), (k) => <td>{when(k.createdAt)}</td>],
          [t("account.col.last_used"), (k) => <td>{when(k.lastUsedAt)}</td>],
          [t("account.col.actions"), (k) => (
            <td>
              <ActionButton
                csrf={props.csrf}
                action={`/admin/users/${props.userId}/security-keys/${k.id}/remove`}
                label={t("account.remove")}
                describedBy={`key-${k.id}`}
                danger
              />
            </td>
          )],
        ]}
        rows={props.keys}
        empty={<p>{t("webauthn.no_keys")}</p>}
      />
    </>
  );
}

/** What the script needs for one ceremony, and the hidden fields it fills in. */
function CeremonyFields(props: { challengeId?: string }) {
  return (
    <>
      <input type="hidden" name="challenge_id" value={props.challengeId ?? ""} />
      <input type="hidden" name="credential" value="" />
    </>
  );
}

function NeedsScript() {
  return (
    <noscript>
      <p class="warning">{t("webauthn.needs_script")}</p>
    </noscript>
  );
}

/** A line the script fills in when the browser refuses or the user cancels. */
function ScriptStatus(props: { id: string }) {
  return <p class="error" role="alert" id={props.id} data-webauthn-status hidden></p>;
}

/** Registering a key: a name, then the browser's prompt (the script), then the POST. */
export function NewKeyPage(props: {
  csrf: string;
  challengeId: string;
  options: unknown;
  name?: string;
  error?: string;
}) {
  return (
    <Layout title={t("webauthn.new.title")} signedIn csrf={props.csrf} script>
      <Notices error={props.error} />
      <p>{t("webauthn.new.intro")}</p>
      <NeedsScript />
      <form
        method="post"
        action="/account/security-keys"
        novalidate
        data-webauthn="create"
        data-options={JSON.stringify(props.options)}
        data-failed={t("webauthn.failed")}
      >
        <CsrfField token={props.csrf} />
        <CeremonyFields challengeId={props.challengeId} />
        <Field
          id="name"
          label={t("webauthn.name")}
          value={props.name ?? ""}
          maxlength={64}
          required
          autofocus
          hint={t("webauthn.name_hint")}
        />
        <ScriptStatus id="webauthn-status" />
        <button type="submit" hidden data-webauthn-start>{t("webauthn.new.submit")}</button>
      </form>
      <p>
        <a href="/account">{t("common.back_to_account")}</a>
      </p>
    </Layout>
  );
}

/**
 * One WebAuthn ceremony as a form: the page's script reads `data-options`, asks the browser,
 * puts the answer in the ceremony fields and submits; without a script it says so.
 */
function CeremonyForm(props: {
  section: string;
  heading: string;
  action: string;
  mode: "get" | "passkey";
  novalidate?: boolean;
  csrf: string;
  challengeId: string;
  options: unknown;
  /** Hidden fields before the ceremony's own (where the login goes on to). */
  hidden: Child;
  /** Visible fields after them. */
  fields?: Child;
  statusId: string;
  buttonId: string;
  button: string;
}) {
  return (
    <section aria-labelledby={`${props.section}-heading`}>
      <h2 id={`${props.section}-heading`}>{props.heading}</h2>
      <NeedsScript />
      <form
        method="post"
        action={props.action}
        {...(props.novalidate ? { novalidate: true } : {})}
        data-webauthn={props.mode}
        data-options={JSON.stringify(props.options)}
        data-failed={t("webauthn.failed")}
      >
        <CsrfField token={props.csrf} />
        {props.hidden}
        <CeremonyFields challengeId={props.challengeId} />
        {props.fields}
        <ScriptStatus id={props.statusId} />
        <button type="submit" hidden data-webauthn-start id={props.buttonId}>
          {props.button}
        </button>
      </form>
    </section>
  );
}

/** On the code page: the other way, a security key, for a user who has one. */
export function SecondFactorKeyForm(
  props: { csrf: string; redirect?: string; challengeId: string; options: unknown },
) {
  return (
    <CeremonyForm
      section="use-key"
      heading={t("webauthn.login.heading")}
      action="/login/webauthn"
      mode="get"
      csrf={props.csrf}
      challengeId={props.challengeId}
      options={props.options}
      hidden={<Hidden name="redirect" value={props.redirect} />}
      statusId="webauthn-login-status"
      buttonId="use-security-key"
      button={t("webauthn.login.use")}
    />
  );
}

/** On the re-authentication page: the password and a security key, instead of a code. */
export function ReauthKeyForm(
  props: { csrf: string; next: string; challengeId: string; options: unknown },
) {
  return (
    <CeremonyForm
      section="reauth-key"
      heading={t("webauthn.login.heading")}
      action="/account/reauth"
      mode="get"
      novalidate
      csrf={props.csrf}
      challengeId={props.challengeId}
      options={props.options}
      hidden={<input type="hidden" name="next" value={props.next} />}
      fields={<PasswordField id="key_password" name="password" label={t("login.password")} />}
      statusId="reauth-key-status"
      buttonId="reauth-security-key"
      button={t("webauthn.login.use")}
    />
  );
}

/**
 * On the password page, when passkey sign-in is allowed: a button, and browser autofill
 * (conditional mediation) on the username field, over one challenge made for this page.
 */
export function PasskeyForm(
  props: { csrf: string; redirect?: string; challengeId: string; options: unknown },
) {
  return (
    <CeremonyForm
      section="passkey"
      heading={t("webauthn.passkey.heading")}
      action="/login/passkey"
      mode="passkey"
      csrf={props.csrf}
      challengeId={props.challengeId}
      options={props.options}
      hidden={<Hidden name="redirect" value={props.redirect} />}
      statusId="passkey-status"
      buttonId="use-passkey"
      button={t("webauthn.passkey.use")}
    />
  );
}
