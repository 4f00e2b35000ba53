/** @module The pages forward-auth shows the browser: refused by an access rule. */
import { t } from "../i18n/i18n.ts";
import { Layout } from "../views/layout.tsx";

export type DeniedReason = "rule" | "default" | "no_second_factor";

/**
 * 403: an access rule keeps this person (or everyone) out of this address. Says why, names the
 * account (so someone signed in as the wrong person sees it), and offers the portal: never a
 * redirect, so a refusal cannot turn into a login loop.
 */
export function deniedPage(props: {
  reason: DeniedReason;
  host: string;
  username: string | null;
  /** The portal's sign-out page, to switch accounts; absent when nobody is signed in. */
  switchUrl?: string;
  /** The portal's account page, to add an authenticator. */
  accountUrl?: string;
}) {
  return (
    <Layout title={t("access.denied.title")} assetBase="/.twofold/assets">
      <p id="denied-reason">
        {props.reason === "rule"
          ? t("access.denied.by_rule", { host: props.host })
          : props.reason === "default"
          ? t("access.denied.by_default", { host: props.host })
          : t("access.denied.no_second_factor", { host: props.host })}
      </p>
      {props.username
        ? <p id="denied-user">{t("access.denied.signed_in_as", { user: props.username })}</p>
        : null}
      {props.reason === "no_second_factor" && props.accountUrl
        ? (
          <p>
            <a href={props.accountUrl}>{t("access.denied.add_factor")}</a>
          </p>
        )
        : null}
      {props.switchUrl
        ? (
          <p>
            <a href={props.switchUrl}>{t("access.denied.switch_account")}</a>
          </p>
        )
        : null}
    </Layout>
  );
}
