/** @module Enrollment pages: scan or type the key, confirm a code, then the recovery codes once. */
import { raw } from "hono/html";
import type { EnrollmentView } from "./flow.ts";
import { t, tj } from "../i18n/i18n.ts";
import { CodeField, FormPage, Hidden, WrittenCodeField } from "../views/components.tsx";
import { CopyButton, CsrfField, Layout } from "../views/layout.tsx";

const escapeAttr = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;");

/** The QR code's SVG with its accessible name in the page's language. */
function qrWithLabel(svg: string): string {
  return svg.replace(/aria-label="[^"]*"/, `aria-label="${escapeAttr(t("enroll.qr_label"))}"`);
}

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
    <Layout
      title={t("enroll.title")}
      signedIn={props.signedIn}
      csrf={props.csrf}
      keep={{ redirect: props.redirect }}
      script
    >
      {props.duringLogin ? <p>{t("enroll.during_login")}</p> : null}
      <ol class="steps">
        <li>
          <p>{t("enroll.scan")}</p>
          <div class="qr">{raw(qrWithLabel(view.qrSvg))}</div>
        </li>
        <li>
          <p>{t("enroll.by_hand")}</p>
          <p class="copyable">
            <code class="secret" id="secret" data-secret={view.secret} data-copy-text={view.secret}>
              {view.groupedSecret}
            </code>{" "}
            <CopyButton target="secret" label={t("enroll.copy_key")} />
          </p>
          <details>
            <summary>{t("enroll.details")}</summary>
            <p>
              {t("enroll.params", {
                algorithm: view.params.algorithm,
                digits: view.params.digits,
                period: view.params.period,
              })}
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
            <Hidden name="redirect" value={props.redirect} />
            <CodeField
              id="code"
              label={t("enroll.code")}
              pattern="[0-9 ]*"
              maxlength={14}
              autofocus
              error={props.error}
            />
            <button type="submit">{t("enroll.submit")}</button>
          </form>
        </li>
      </ol>
    </Layout>
  );
}

/** The recovery codes as a list, with a copy button that copies them one per line. */
export function RecoveryCodeList(props: { codes: string[] }) {
  return (
    <>
      <ul class="codes" id="recovery-codes" data-copy-text={props.codes.join("\n")}>
        {props.codes.map((code) => (
          <li>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <p>
        <CopyButton target="recovery-codes" label={t("codes.copy")} />
      </p>
    </>
  );
}

export function RecoveryCodesPage(props: { codes: string[]; continueTo: string; csrf: string }) {
  return (
    <Layout title={t("codes.title")} signedIn csrf={props.csrf} languageBase="/account" script>
      <p>
        {tj("codes.intro", { warning: <strong>{t("codes.not_again")}</strong> })}
      </p>
      <RecoveryCodeList codes={props.codes} />
      <p>
        <a class="button" href={props.continueTo}>{t("codes.continue")}</a>{" "}
        {/* The same text file as after regenerating, offered right here at enrollment. */}
        <a
          id="download-codes"
          download="twofold-recovery-codes.txt"
          href={`data:text/plain;charset=utf-8,${
            encodeURIComponent(`${t("codes.file_heading")}\n\n${props.codes.join("\n")}\n`)
          }`}
        >
          {t("codes.download")}
        </a>
      </p>
    </Layout>
  );
}

/** Asks for the one-time enrollment pass an admin issued after resetting the user's 2FA. */
export function EnrollPassPage(props: { csrf: string; redirect?: string; error?: string }) {
  return (
    <FormPage
      page={props}
      text={[t("pass.title"), t("pass.intro")]}
      action="/enroll/pass"
    >
      <WrittenCodeField
        id="enrollment_pass"
        label={t("pass.label")}
        autocapitalize="characters"
        error={props.error}
        errorId="pass-error"
      />
      <button type="submit">{t("common.continue")}</button>
    </FormPage>
  );
}
