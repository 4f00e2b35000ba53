/**
 * @module Security key and passkey pages: the account page's list, the registration page, and
 * the forms the login pages offer. WebAuthn needs JavaScript (/assets/app.js): the buttons that
 * start a ceremony are rendered `hidden` and shown by the script, and the page says so without it.
 */
import type { Child } from "hono/jsx";
import { t } from "../i18n/i18n.ts";
import { CsrfField, Layout } from "../views/layout.tsx";
import {
  Field,
  Hidden,
  Notices,
  OwnedTable,
  PasswordField,
  RenameForm,
} from "../views/components.tsx";
import type { CredentialRow } from "./repo.ts";

/**
 * The user's keys: a name cell, when each was added and last used, and a button that removes it
 * (a POST to `<base>/<id>/remove`); the name cell names the button for screen readers (`key-<id>`).
 */
function KeysTable(props: {
  csrf: string;
  keys: CredentialRow[];
  name: (key: CredentialRow) => Child;
  base: string;
}) {
  return (
    <OwnedTable
      id="security-keys"
      label={t("webauthn.keys")}
      name={props.name}
      rows={props.keys}
      actions={{
        csrf: props.csrf,
        buttons: (k) => [{
          action: `${props.base}/${k.id}/remove`,
          label: t("account.remove"),
          describedBy: `key-${k.id}`,
          danger: true,
        }],
      }}
      empty={<p>{t("webauthn.no_keys")}</p>}
    />
  );
}

const passkeyMark = (k: CredentialRow) =>
  k.discoverable ? <span class="muted">{t("webauthn.passkey")}</span> : null;

/** The account page's section: the user's keys, rename, remove, and the way to add one. */
export function KeysSection(props: { csrf: string; keys: CredentialRow[]; fresh: boolean }) {
  const add = "/account/security-keys/new";
  return (
    <>
      <KeysTable
        csrf={props.csrf}
        keys={props.keys}
        name={(k) => (
          <td>
            <RenameForm
              csrf={props.csrf}
              action={`/account/security-keys/${k.id}/rename`}
              id={`key-${k.id}`}
              name="name"
              value={k.name}
            />
            {passkeyMark(k)}
          </td>
        )}
        base="/account/security-keys"
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
    <KeysTable
      csrf={props.csrf}
      keys={props.keys}
      name={(k) => (
        <th scope="row" id={`key-${k.id}`}>
          {k.name} {passkeyMark(k)}
        </th>
      )}
      base={`/admin/users/${props.userId}/security-keys`}
    />
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

/** A ceremony form's ids: its section, its status line and its button (the script and tests use them). */
type CeremonyIds = [section: string, status: string, button: string];

/**
 * One WebAuthn ceremony as a form: the page's script reads `data-options`, asks the browser,
 * puts the answer in the ceremony fields and submits; without a script it says so. A passkey
 * sign-in has its own heading and button; every other ceremony uses a security key.
 */
function CeremonyForm(props: {
  ids: CeremonyIds;
  action: string;
  mode: "get" | "passkey";
  /** The page's own props: its ceremony, and a checked return URL. */
  page: Ceremony & { redirect?: string };
  novalidate?: boolean;
  /** Hidden fields before the ceremony's own (where the login goes on to). */
  hidden?: Child;
  /** Visible fields after them. */
  fields?: Child;
}) {
  const [section, statusId, buttonId] = props.ids;
  const { csrf, challengeId, options, redirect } = props.page;
  const text = props.mode === "passkey" ? "passkey" : "login";
  return (
    <section aria-labelledby={`${section}-heading`}>
      <h2 id={`${section}-heading`}>{t(`webauthn.${text}.heading`)}</h2>
      <NeedsScript />
      <form
        method="post"
        action={props.action}
        {...(props.novalidate ? { novalidate: true } : {})}
        data-webauthn={props.mode}
        data-options={JSON.stringify(options)}
        data-failed={t("webauthn.failed")}
      >
        <CsrfField token={csrf} />
        <Hidden name="redirect" value={redirect} />
        {props.hidden}
        <CeremonyFields challengeId={challengeId} />
        {props.fields}
        <ScriptStatus id={statusId} />
        <button type="submit" hidden data-webauthn-start id={buttonId}>
          {t(`webauthn.${text}.use`)}
        </button>
      </form>
    </section>
  );
}

/** The ceremony a page made: the CSRF token, the challenge and its options. */
type Ceremony = { csrf: string; challengeId: string; options: unknown };

/** A login's ceremony form, over the page's ceremony and its checked return URL. */
function loginForm(ids: CeremonyIds, action: string, mode: "get" | "passkey") {
  return (props: Ceremony & { redirect?: string }) => (
    <CeremonyForm ids={ids} action={action} mode={mode} page={props} />
  );
}

/** On the code page: the other way, a security key, for a user who has one. */
export const SecondFactorKeyForm = loginForm(
  ["use-key", "webauthn-login-status", "use-security-key"],
  "/login/webauthn",
  "get",
);

/**
 * On the password page, when passkey sign-in is allowed: a button, and browser autofill
 * (conditional mediation) on the username field, over one challenge made for this page.
 */
export const PasskeyForm = loginForm(
  ["passkey", "passkey-status", "use-passkey"],
  "/login/passkey",
  "passkey",
);

/** On the re-authentication page: the password and a security key, instead of a code. */
export function ReauthKeyForm(props: Ceremony & { next: string }) {
  return (
    <CeremonyForm
      ids={["reauth-key", "reauth-key-status", "reauth-security-key"]}
      action="/account/reauth"
      mode="get"
      page={props}
      novalidate
      hidden={<input type="hidden" name="next" value={props.next} />}
      fields={<PasswordField id="key_password" name="password" label={t("login.password")} />}
    />
  );
}
