/** @module The account page and the self-service pages around it. */
import type { Child } from "hono/jsx";
import type { AuthenticatorView } from "./service.ts";
import type { TrustedDeviceRow } from "../devices/repo.ts";
import type { SessionRow } from "../sessions/repo.ts";
import type { Drift } from "../totp/drift.ts";
import { t, tj, tp } from "../i18n/i18n.ts";
import { ErrorText, Layout } from "../views/layout.tsx";
import {
  ActionButton,
  CodeField,
  DataTable,
  FormPage,
  Notices,
  OwnedTable,
  PasswordField,
  RenameForm,
  when,
} from "../views/components.tsx";
import { DevicesTable } from "../devices/pages.tsx";
import type { ApiKeyRow } from "../apikeys/service.ts";
import { RecoveryCodeList } from "../enrollment/pages.tsx";
import { TokensSection } from "../apikeys/pages.tsx";
import { KeysSection } from "../webauthn/pages.tsx";
import type { CredentialRow } from "../webauthn/repo.ts";
import { site } from "../views/site.ts";

/** How a session proved the second factor, in English: the JSON API's `second_factor`. */
export function methodOf(amrJson: string): string {
  const amr: string[] = JSON.parse(amrJson);
  if (amr.includes("otp")) return "authenticator code";
  if (amr.includes("rec")) return "recovery code";
  if (amr.includes("dev")) return "trusted device";
  if (amr.includes("mfa")) return "passkey";
  if (amr.includes("pop")) return "security key";
  return "password only";
}

/** The same, in the page's language. */
function methodLabel(amrJson: string): string {
  const amr: string[] = JSON.parse(amrJson);
  if (amr.includes("otp")) return t("account.method.otp");
  if (amr.includes("rec")) return t("account.method.rec");
  if (amr.includes("dev")) return t("account.method.dev");
  if (amr.includes("mfa")) return t("account.method.mfa");
  if (amr.includes("pop")) return t("account.method.pop");
  return t("account.method.pwd");
}

/** Clock drift help for an authenticator, or null when its codes are in step. */
export function driftText(drift: Drift): string | null {
  if (!drift) return null;
  return drift.direction === "behind"
    ? t("account.drift.behind", { seconds: drift.seconds })
    : t("account.drift.ahead", { seconds: drift.seconds });
}

/** A user's authenticators (the account page's, an admin's view of a user's). */
export function AuthenticatorsTable<T extends { createdAt: number; lastUsedAt: number | null }>(
  props: Omit<Parameters<typeof OwnedTable<T>>[0], "id" | "label" | "empty">,
) {
  return (
    <OwnedTable
      id="authenticators"
      label={t("account.authenticators")}
      {...props}
      empty={<p>{t("account.no_authenticator")}</p>}
    />
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
  /** The policy lets this user set up a factor (who may use 2FA); default yes. */
  canEnroll?: boolean;
  tokens: ApiKeyRow[];
  /** Security keys and passkeys (src/webauthn/). */
  securityKeys: CredentialRow[];
  tokenError?: string;
  notice?: string;
  error?: string;
  /** Links the admin console (for admins who signed in with a second factor). */
  adminConsole?: boolean;
}) {
  const reauthFirst = (next: string) => `/account/reauth?next=${encodeURIComponent(next)}`;
  const name = <strong id="account-username">{props.username}</strong>;
  const signedInAs = props.amr.includes("rec")
    ? tj("account.signed_in_recovery", { name })
    : props.amr.includes("dev")
    ? tj("account.signed_in_device", { name })
    : tj("account.signed_in", { name });
  return (
    <Layout title={t("account.title")} signedIn csrf={props.csrf} wide>
      <Notices notice={props.notice} error={props.error} />
      <p>
        {signedInAs} <a href="/account/password">{t("account.change_password")}</a>
        {" · "}
        <a href="/account/apps" id="account-apps">{t("oidc.apps.link")}</a>
        {props.adminConsole
          ? (
            <>
              {" · "}
              <a href="/admin" id="admin-console">{t("account.admin_console")}</a>
            </>
          )
          : null}
      </p>
      {!props.fresh
        ? (
          <p class="muted">
            {t("account.reauth_hint")} <a href={reauthFirst("/account")}>{t("reauth.title")}</a>
          </p>
        )
        : null}

      <AuthenticatorsTable
        name={(a) => (
          <td>
            <RenameForm
              csrf={props.csrf}
              action={`/account/authenticators/${a.id}/rename`}
              id={`label-${a.id}`}
              name="label"
              value={a.label}
            />
            {a.drift ? <p class="warning drift">{driftText(a.drift)}</p> : null}
          </td>
        )}
        rows={props.authenticators}
        actions={{
          csrf: props.csrf,
          buttons: (a) =>
            (["replace", "remove"] as const).map((what) => ({
              action: `/account/authenticators/${a.id}/${what}`,
              label: t(`account.${what}`),
              describedBy: `label-${a.id}`,
              danger: what === "remove",
            })),
        }}
      />
      <p>
        {props.canEnroll === false ? null : (
          <a
            class="button"
            href={props.fresh ? "/enroll" : reauthFirst("/enroll")}
            id="add-authenticator"
          >
            {t("account.add_authenticator")}
          </a>
        )}
      </p>

      <KeysSection csrf={props.csrf} keys={props.securityKeys} fresh={props.fresh} />

      <h2>{t("account.recovery_codes")}</h2>
      <p id="recovery-remaining">
        {tp("account.recovery_remaining", props.recoveryCodesRemaining)}
      </p>
      {props.recoveryCodesRemaining <= 2 && props.authenticators.length > 0
        ? <p class="warning" role="status">{t("account.recovery_low")}</p>
        : null}
      {props.authenticators.length > 0
        ? (
          <ActionButton
            csrf={props.csrf}
            action="/account/recovery-codes"
            label={t("account.recovery_generate")}
          />
        )
        : null}

      <DevicesTable
        devices={props.devices}
        empty={<p>{t("account.no_devices")}</p>}
        name={(d) => (
          <td>
            {d.name}
            {d.id === props.currentDeviceId
              ? <strong class="current">{t("account.this_device")}</strong>
              : null}
          </td>
        )}
        action={(d) => (
          <ActionButton
            csrf={props.csrf}
            action={`/account/devices/${d.id}/revoke`}
            label={t("account.revoke")}
            danger
          />
        )}
      />

      <DataTable
        id="sessions"
        label={t("account.sessions")}
        heading
        columns={[
          [t("account.col.started"), (s) => (
            <td>
              {when(s.createdAt)}
              {s.id === props.currentSessionId
                ? <strong class="current">{t("account.this_session")}</strong>
                : null}
            </td>
          )],
          [t("account.col.last_seen"), (s) => <td>{when(s.lastSeenAt)}</td>],
          [t("account.col.from"), (s) => (
            <td>
              {s.ip ?? t("account.unknown_address")}
              {s.location ? <span class="location">{` (${s.location})`}</span> : null}
              <br />
              <span class="muted">{s.userAgent ?? ""}</span>
            </td>
          )],
          [t("account.col.second_factor"), (s) => <td>{methodLabel(s.amr)}</td>],
        ]}
        rows={props.sessions}
        actions={{
          csrf: props.csrf,
          // The current session has no button of its own.
          buttons: (s) =>
            s.id === props.currentSessionId ? [] : [{
              action: `/account/sessions/${s.id}/end`,
              label: t("account.end"),
              danger: true,
            }],
        }}
      />
      <p>
        <ActionButton
          csrf={props.csrf}
          action="/account/sessions/end-others"
          label={t("account.end_others")}
        />
        <ActionButton
          csrf={props.csrf}
          action="/account/sessions/end-all"
          label={t("account.end_all")}
          danger
        />
      </p>

      <TokensSection csrf={props.csrf} tokens={props.tokens} error={props.tokenError} />

      {props.canDisable2fa && props.authenticators.length > 0
        ? (
          <>
            <h2>{t("account.twofa")}</h2>
            <p>{t("account.twofa_off_hint")}</p>
            <ActionButton
              csrf={props.csrf}
              action="/account/2fa/disable"
              label={t("account.twofa_off")}
              danger
            />
          </>
        )
        : null}
    </Layout>
  );
}

export function ReauthPage(
  props: {
    csrf: string;
    next: string;
    error?: string;
    /** Password and security key instead (src/webauthn/), for a user who has a key. */
    securityKey?: Child;
  },
) {
  const described = props.error ? "reauth-error" : undefined;
  return (
    <FormPage
      page={props}
      text={[t("reauth.title"), t("reauth.intro")]}
      signedIn
      keep={{ next: props.next }}
      action="/account/reauth"
      script={props.securityKey !== undefined}
      after={props.securityKey}
    >
      <input type="hidden" name="next" value={props.next} />
      <ErrorText id="reauth-error" message={props.error} />
      <PasswordField label={t("login.password")} describedBy={described} autofocus />
      <CodeField id="code" label={t("reauth.code")} describedBy={described} required={false} />
      <details>
        <summary>{t("totp.use_recovery")}</summary>
        <label for="recovery_code">{t("recovery.code")}</label>
        <input id="recovery_code" name="recovery_code" autocomplete="off" maxlength={64} />
      </details>
      <button type="submit">{t("enroll.submit")}</button>
    </FormPage>
  );
}

export function NewRecoveryCodesPage(props: { csrf: string; codes: string[] }) {
  const text = `${t("codes.file_heading", { name: site().name })}\n\n${props.codes.join("\n")}\n`;
  return (
    <Layout
      title={t("codes.new_title")}
      signedIn
      csrf={props.csrf}
      languageBase="/account"
      script
    >
      <p>
        {tj("codes.new_intro", { warning: <strong>{t("codes.not_again")}</strong> })}
      </p>
      <RecoveryCodeList codes={props.codes} />
      <p>
        <a
          class="button"
          id="download-codes"
          download="twofold-recovery-codes.txt"
          href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`}
        >
          {t("codes.download")}
        </a>{" "}
        <a href="/account">{t("common.back_to_account")}</a>
      </p>
    </Layout>
  );
}
