/**
 * @module Mail channels: what a channel is given to send, and which channel the configuration
 * picks. SMTP (Deno, ./smtp.ts) when SMTP_URL is set; otherwise a JSON POST of the rendered
 * mail to MAIL_WEBHOOK_URL (any runtime, e.g. a relay to an HTTP mail API); otherwise none.
 */
import type { Config } from "../config.ts";

/** One rendered mail; `messageId` is derived from its outbox row, so a resend keeps it. */
export type MailMessage = {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
};

/** Sends one mail or throws; built once per process from SMTP_URL. */
export type Mailer = {
  send(message: MailMessage): Promise<void>;
  close(): void;
};

export type MailChannel = "smtp" | "webhook";

export function mailChannel(config: Config): MailChannel | null {
  if (config.SMTP_URL) return "smtp";
  if (config.MAIL_WEBHOOK_URL) return "webhook";
  return null;
}

/** The address part of MAIL_FROM ("Name <a@b>" or "a@b"). */
export function senderAddress(from: string): string {
  return from.match(/<([^<>]+)>\s*$/)?.[1] ?? from.trim();
}

/**
 * The Message-ID of the mail an outbox row carries: the same on every attempt, so if a crash
 * between the SMTP server's "250 OK" and marking the row delivered makes it go out again, the
 * copies are recognisably one message (mail clients and many servers drop the duplicate).
 */
export function messageIdFor(outboxId: string, from: string): string {
  const domain = senderAddress(from).split("@")[1] ?? "twofold.invalid";
  return `<${outboxId}.twofold@${domain}>`;
}
