/**
 * @module Security mail: `notify()` and `resetMailStatements()` return the statements that put
 * a mail in the outbox, for the caller to add to the batch of the change itself, so the mail
 * exists if and only if the change does, and no mail server is ever waited on by a request. A
 * user without an email address, or a configuration without a mail channel, gets none.
 *
 * Each notification carries a "this was not me" link: a single-use token (256 bits, stored as
 * SHA-256) valid NOTICE_LINK_DAYS, which ./not_me.ts consumes.
 */
import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Config } from "../config.ts";
import { noticeTokens, outbox } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import { deviceNameFromUserAgent } from "../devices/device_name.ts";
import type { RequestMeta } from "../http/client.ts";
import { DAY } from "../lib/clock.ts";
import { randomBytes, randomId, sha256Hex } from "../lib/crypto.ts";
import { toBase64Url } from "../lib/encoding.ts";
import { enqueueStatement, MAIL_KIND, markOutboxPending } from "../outbox/outbox.ts";
import { findUserById } from "../users/repo.ts";
import {
  composeNotice,
  composeResetMail,
  formatMailTime,
  type MailFacts,
  mailLocale,
  type NoticeKind,
  type RenderedMail,
} from "./compose.ts";
import { mailChannel, messageIdFor } from "./mailer.ts";

export type { NoticeKind } from "./compose.ts";
export { NOTICE_KINDS } from "./compose.ts";

export type Statement = BatchItem<"sqlite">;

/** Who a mail goes to: the fields of a user row it needs. */
export type MailRecipient = {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  locale: string | null;
};

/** What a notification says beyond the common facts. */
export type NoticeDetails = {
  /** Where the change came from (the request); none for changes without a request. */
  meta?: RequestMeta | null;
  /** The authenticator's or key's name (factor_*, security_key_*). */
  label?: string;
  /** Recovery codes left (recovery_used). */
  remaining?: number;
  /** Until when the account is locked (account_locked). */
  until?: Date;
  /**
   * A condition for the batch the statements join (e.g. "the password this request computed is
   * in force"): without it the mail is written whatever the batch's earlier statements did.
   * Evaluated once, by the first statement, so `changes() = 1` works.
   */
  onlyIf?: SQL;
};

/** The origin links in mail start with: PUBLIC_URL, else where the server listens. */
export function linkBase(config: Config): string {
  return (config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/+$/, "");
}

function mailFacts(
  deps: Deps,
  user: MailRecipient,
  meta: RequestMeta | null | undefined,
): MailFacts {
  return {
    issuer: deps.config.ISSUER,
    name: user.displayName,
    username: user.username,
    at: deps.clock.now(),
    ip: meta?.ip ?? null,
    device: meta?.userAgent ? deviceNameFromUserAgent(meta.userAgent) : null,
  };
}

type MailRow = { id: string; url: string | null; payload: string };

/** The outbox row of one mail to `to`; null without a mail channel. */
function mailRow(deps: Deps, input: {
  to: string;
  mail: RenderedMail;
  /** What the mail is about ("password_reset", a NoticeKind): shown to webhook receivers. */
  about: string;
  locale: string;
}): MailRow | null {
  const { config } = deps;
  const channel = mailChannel(config);
  if (!channel || !config.MAIL_FROM) return null;
  const id = randomId();
  return {
    id,
    // No URL: the SMTP channel sends it; with a URL, the rendered mail is POSTed there.
    url: channel === "smtp" ? null : config.MAIL_WEBHOOK_URL!,
    payload: JSON.stringify({
      about: input.about,
      locale: input.locale,
      from: config.MAIL_FROM,
      to: input.to,
      subject: input.mail.subject,
      text: input.mail.text,
      html: input.mail.html,
      message_id: messageIdFor(id, config.MAIL_FROM),
    }),
  };
}

/** The reset mail for `user`, or none (no address or no channel). */
export function resetMailStatements(deps: Deps, user: MailRecipient, input: {
  url: string;
  expiresAt: Date;
  meta: RequestMeta | null;
}): Statement[] {
  if (!user.email) return [];
  const locale = mailLocale(user.locale);
  const mail = composeResetMail(locale, mailFacts(deps, user, input.meta), input);
  const row = mailRow(deps, { to: user.email, mail, about: "password_reset", locale });
  if (!row) return [];
  const now = deps.clock.now();
  return [
    enqueueStatement(deps.db, { ...row, kind: MAIL_KIND, payload: JSON.parse(row.payload), now }),
  ];
}

/**
 * A security notification for `to` (the user, or their id: the row is then loaded, none if it
 * is gone): the statements to run in the batch of the change (the outbox row and the "this was
 * not me" token), or none when the user has no address or no mail channel is configured. Safe to
 * call from any feature that changes an account.
 */
export async function notify(
  deps: Deps,
  to: MailRecipient | string,
  kind: NoticeKind,
  details: NoticeDetails = {},
): Promise<Statement[]> {
  if (!mailChannel(deps.config)) return [];
  const user = typeof to === "string" ? await findUserById(deps.db, to) : to;
  if (!user?.email) return [];
  const now = deps.clock.now();
  const locale = mailLocale(user.locale);
  const token = toBase64Url(randomBytes(32));
  const expiresAt = new Date(now.getTime() + deps.config.NOTICE_LINK_DAYS * DAY);
  const params: Record<string, string | number> = {};
  if (details.label !== undefined) params.label = details.label;
  if (details.remaining !== undefined) params.remaining = details.remaining;
  if (details.until) params.until = formatMailTime(details.until, locale);
  const mail = composeNotice(locale, kind, mailFacts(deps, user, details.meta), {
    params,
    notMe: { url: `${linkBase(deps.config)}/not-me?token=${token}&lang=${locale}`, expiresAt },
  });
  const row = mailRow(deps, { to: user.email, mail, about: kind, locale });
  if (!row) return [];
  markOutboxPending();
  const { db } = deps;
  const tokenId = randomId();
  const t = now.getTime();
  const when = details.onlyIf ?? sql`1 = 1`;
  return [
    db.run(sql`INSERT INTO ${noticeTokens} (id, user_id, token_hash, kind, created_at, expires_at)
      SELECT ${tokenId}, ${user.id}, ${await sha256Hex(token)}, ${kind}, ${t},
        ${expiresAt.getTime()}
      WHERE ${when}`),
    // The mail exists if and only if its link does.
    db.run(sql`INSERT INTO ${outbox} (id, kind, url, payload, created_at, next_attempt_at)
      SELECT ${row.id}, ${MAIL_KIND}, ${row.url}, ${row.payload}, ${t}, ${t}
      WHERE EXISTS (SELECT 1 FROM ${noticeTokens} WHERE id = ${tokenId})`),
  ];
}
