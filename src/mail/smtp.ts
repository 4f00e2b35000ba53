/**
 * @module The SMTP channel (Deno only; Workers have no SMTP client): nodemailer over the
 * server in SMTP_URL. `smtps://` speaks TLS from the first byte; `smtp://` must upgrade with
 * STARTTLS, except to a loopback address (a local relay: nothing crosses a network). The
 * server's certificate is always verified; SMTP_CA_FILE adds authorities to trust.
 */
import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import type { Config } from "../config.ts";
import type { Mailer } from "./mailer.ts";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** nodemailer's options for SMTP_URL; `ca` is the PEM text of SMTP_CA_FILE. */
export function smtpOptions(smtpUrl: string, ca?: string): SMTPTransport.Options {
  const url = new URL(smtpUrl);
  const implicitTls = url.protocol === "smtps:";
  const host = url.hostname;
  return {
    host: host.replace(/^\[|\]$/g, ""),
    port: url.port ? Number(url.port) : implicitTls ? 465 : 587,
    secure: implicitTls,
    requireTLS: !implicitTls && !LOOPBACK.has(host),
    auth: url.username
      ? {
        user: decodeURIComponent(url.username),
        pass: decodeURIComponent(url.password),
      }
      : undefined,
    tls: {
      rejectUnauthorized: true,
      // SNI takes names only; a certificate for an IP address is still checked against it.
      ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }),
      ...(ca ? { ca: [ca] } : {}),
    },
    // A dead server costs a delivery attempt these many seconds, never a request.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  };
}

/** Builds the SMTP mailer; reads SMTP_CA_FILE once. One connection per mail (no pool). */
export async function smtpMailer(config: Config): Promise<Mailer> {
  const ca = config.SMTP_CA_FILE ? await Deno.readTextFile(config.SMTP_CA_FILE) : undefined;
  const transport = nodemailer.createTransport(smtpOptions(config.SMTP_URL!, ca));
  return {
    async send(m) {
      await transport.sendMail({
        from: m.from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        messageId: m.messageId,
      });
    },
    close: () => transport.close(),
  };
}
