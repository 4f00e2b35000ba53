/**
 * @module The outbox: messages for webhooks (password reset links, alerts) and mail are written
 * in the same batch as the change that causes them, then delivered by `deliverDue`, with retries
 * and backoff, never on the request's own path.
 *
 * Delivery is at least once, and once in the normal course: a row is claimed by a conditional
 * UPDATE before sending and marked delivered right after, so two workers never send it both and
 * a restart never resends a delivered row. Only a crash (or a lost connection) between the
 * receiver's acceptance and the mark sends it again after the backoff; a mail then carries the
 * same Message-ID (derived from the row), so the copy is recognisably the same message.
 */
import { and, asc, eq, isNull, lt, lte, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { outbox } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import { randomId } from "../lib/crypto.ts";
import { SECOND } from "../lib/clock.ts";
import { urlForLog } from "../lib/log.ts";
import type { MailMessage } from "../mail/mailer.ts";

export const MAX_DELIVERY_ATTEMPTS = 8;

let enqueuedSinceRun = false;

/**
 * Notes that this process built a statement that may put a row in the outbox. A hint for the
 * Worker entry, which runs the outbox after a response only when there may be something new
 * (or a retry may be due), instead of querying the database after every request.
 */
export function markOutboxPending(): void {
  enqueuedSinceRun = true;
}

/** Whether anything was enqueued here since the last call; clears the mark. */
export function takeOutboxPending(): boolean {
  const was = enqueuedSinceRun;
  enqueuedSinceRun = false;
  return was;
}

export function enqueueStatement(
  db: Db,
  input: { kind: string; url: string | null; payload: unknown; now: Date; id?: string },
) {
  markOutboxPending();
  return db.insert(outbox).values({
    id: input.id ?? randomId(),
    kind: input.kind,
    url: input.url,
    payload: JSON.stringify(input.payload),
    createdAt: input.now.getTime(),
    nextAttemptAt: input.now.getTime(),
  });
}

/** Backoff after the n-th failed attempt: 30 s, 1 min, 2 min, ... capped at 1 h. */
export function backoffMs(attempts: number): number {
  return Math.min(30 * SECOND * 2 ** Math.max(0, attempts - 1), 3_600 * SECOND);
}

export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * A fetch error may quote the URL, whose path or query is often the receiver's secret: the
 * error is logged and stored, so it names the host only.
 */
function withoutUrl(message: string, url: string): string {
  let href = url;
  try {
    href = new URL(url).href;
  } catch { /* not a URL: only the text as written can appear */ }
  const safe = urlForLog(url);
  return message.replaceAll(url, safe).replaceAll(href, safe);
}

/** A mail row without a URL leaves through SMTP (deps.mailer); the payload is the mail. */
export const MAIL_KIND = "mail";

type MailPayload = {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  message_id: string;
};

/** What stays of a delivered mail: who it went to, what about, and its Message-ID. */
function mailReceipt(payload: string): string {
  const m = JSON.parse(payload) as MailPayload & { about?: string };
  return JSON.stringify({ about: m.about, to: m.to, subject: m.subject, message_id: m.message_id });
}

async function sendMail(deps: Deps, payload: string): Promise<void> {
  if (!deps.mailer) throw new Error("no SMTP channel (SMTP_URL is not set)");
  const m = JSON.parse(payload) as MailPayload;
  const message: MailMessage = {
    from: m.from,
    to: m.to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    messageId: m.message_id,
  };
  await deps.mailer.send(message);
}

async function postWebhook(row: typeof outbox.$inferSelect, fetchFn: Fetch): Promise<void> {
  const res = await fetchFn(row.url!, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "twofold-webhook" },
    body: JSON.stringify({ kind: row.kind, id: row.id, ...JSON.parse(row.payload) }),
    signal: AbortSignal.timeout(5_000),
  });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
}

/**
 * Delivers due messages: a JSON POST each, or a mail through SMTP for mail rows without a URL;
 * success marks it delivered, anything else schedules a retry. Each row is claimed by a
 * conditional UPDATE first, so two workers never send one twice.
 */
export async function deliverDue(deps: Deps, fetchFn: Fetch = fetch, limit = 20): Promise<number> {
  const { db } = deps;
  const now = deps.clock.now().getTime();
  const due = await db.select().from(outbox)
    .where(and(
      isNull(outbox.deliveredAt),
      lte(outbox.nextAttemptAt, now),
      lt(outbox.attempts, MAX_DELIVERY_ATTEMPTS),
    ))
    .orderBy(asc(outbox.nextAttemptAt))
    .limit(limit);
  let delivered = 0;
  for (const row of due) {
    // Claim: push the next attempt out while this one runs.
    const claimed = await db.update(outbox)
      .set({
        attempts: sql`${outbox.attempts} + 1`,
        nextAttemptAt: now + backoffMs(row.attempts + 1),
      })
      .where(
        and(eq(outbox.id, row.id), eq(outbox.attempts, row.attempts), isNull(outbox.deliveredAt)),
      )
      .returning({ id: outbox.id });
    const mail = row.kind === MAIL_KIND && !row.url;
    if (claimed.length !== 1 || (!row.url && !mail)) continue;
    let error: string | null = null;
    try {
      if (mail) await sendMail(deps, row.payload);
      else await postWebhook(row, fetchFn);
    } catch (e) {
      const message = String((e as Error)?.message ?? e);
      error = (row.url ? withoutUrl(message, row.url) : message).slice(0, 200);
    }
    if (error === null) {
      await db.update(outbox).set({
        deliveredAt: deps.clock.now().getTime(),
        lastError: null,
        // A sent mail's body (a reset link holds a live token) need not stay in the database.
        ...(row.kind === MAIL_KIND ? { payload: mailReceipt(row.payload) } : {}),
      }).where(eq(outbox.id, row.id));
      delivered++;
    } else {
      await db.update(outbox).set({ lastError: error }).where(eq(outbox.id, row.id));
      deps.log("warn", mail ? "mail.failed" : "webhook.failed", {
        kind: row.kind,
        attempt: row.attempts + 1,
        error,
      });
    }
  }
  return delivered;
}
