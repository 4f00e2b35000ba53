/**
 * @module The text of every mail, in the person's language: plain text and HTML with the same
 * content, the service name (ISSUER), the time, the address and the device. Nothing secret: the
 * only link with a token is the reset link, or the "this was not me" link of a notification.
 */
import { isLocale, type Locale, type MessageKey, runWithLocale, t } from "../i18n/i18n.ts";

/** The security notifications; each has `mail.<kind>.subject` and `.body` in the catalogues. */
export const NOTICE_KINDS = [
  "password_changed",
  "password_reset",
  "factor_added",
  "factor_replaced",
  "factor_removed",
  "security_key_added",
  "security_key_removed",
  "security_key_removed_by_admin",
  "recovery_regenerated",
  "recovery_used",
  "twofa_reset",
  "twofa_disabled",
  "twofa_turned_off",
  "new_sign_in",
  "account_locked",
] as const;
export type NoticeKind = typeof NOTICE_KINDS[number];

export type RenderedMail = { subject: string; text: string; html: string };

/** What every mail states about the event. */
export type MailFacts = {
  issuer: string;
  /** The display name and the username. */
  name: string;
  username: string;
  at: Date;
  ip: string | null;
  device: string | null;
};

export function mailLocale(stored: string | null | undefined): Locale {
  return isLocale(stored) ? stored : "en";
}

/** "27 November 2026 at 17:30 UTC", in the mail's language. */
export function formatMailTime(at: Date, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, {
    dateStyle: "long",
    timeStyle: "short",
    timeZone: "UTC",
  }).format(at) + " UTC";
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

type Block =
  | { p: string }
  | { link: string; label: string }
  | { facts: [string, string][] };

function render(subject: string, blocks: Block[], footer: string): RenderedMail {
  const text: string[] = [];
  const html: string[] = [];
  for (const b of blocks) {
    if ("p" in b) {
      text.push(b.p);
      html.push(`<p>${escapeHtml(b.p)}</p>`);
    } else if ("link" in b) {
      text.push(b.link);
      html.push(`<p><a href="${escapeHtml(b.link)}">${escapeHtml(b.label)}</a></p>`);
    } else {
      text.push(b.facts.map(([k, v]) => `${k}: ${v}`).join("\n"));
      html.push(
        `<table role="presentation">${
          b.facts.map(([k, v]) =>
            `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`
          )
            .join("")
        }</table>`,
      );
    }
  }
  text.push(`-- \n${footer}`);
  html.push(`<hr><p><small>${escapeHtml(footer)}</small></p>`);
  return {
    subject,
    text: text.join("\n\n") + "\n",
    html: `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title>` +
      `</head><body>${html.join("\n")}</body></html>\n`,
  };
}

function facts(f: MailFacts, locale: Locale): Block {
  return {
    facts: [
      [t("mail.fact.account"), f.username],
      [t("mail.fact.when"), formatMailTime(f.at, locale)],
      [t("mail.fact.address"), f.ip ?? t("mail.unknown")],
      [t("mail.fact.device"), f.device ?? t("mail.unknown")],
    ],
  };
}

/** The password-reset mail: the link, until when it works, and what to do if it was not you. */
export function composeResetMail(locale: Locale, f: MailFacts, link: {
  url: string;
  expiresAt: Date;
}): RenderedMail {
  return runWithLocale(locale, () =>
    render(t("mail.reset.subject", { issuer: f.issuer }), [
      { p: t("mail.greeting", { name: f.name }) },
      { p: t("mail.reset.body") },
      { link: link.url, label: link.url },
      { p: t("mail.reset.expires", { date: formatMailTime(link.expiresAt, locale) }) },
      facts(f, locale),
      { p: t("mail.reset.ignore") },
    ], t("mail.footer", { issuer: f.issuer })));
}

/** A security notification with its "this was not me" link. */
export function composeNotice(locale: Locale, kind: NoticeKind, f: MailFacts, input: {
  params: Record<string, string | number>;
  notMe: { url: string; expiresAt: Date };
}): RenderedMail {
  return runWithLocale(locale, () => {
    const params = { issuer: f.issuer, ...input.params };
    return render(t(`mail.${kind}.subject` as MessageKey, params), [
      { p: t("mail.greeting", { name: f.name }) },
      { p: t(`mail.${kind}.body` as MessageKey, params) },
      facts(f, locale),
      { p: t("mail.if_you") },
      { p: t("mail.not_me.intro") },
      { link: input.notMe.url, label: t("mail.not_me.link") },
      { p: t("mail.not_me.expires", { date: formatMailTime(input.notMe.expiresAt, locale) }) },
    ], t("mail.footer", { issuer: f.issuer }));
  });
}
