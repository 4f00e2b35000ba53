/**
 * @module What a sign-in teaches about its user: the page language (the language of their mail
 * from then on), and the browsers and addresses they sign in from, for the new-device mail.
 *
 * "Seen before" is exact and per user: a browser is a random id in a long-lived HttpOnly cookie
 * (`twofold_browser`, set at the first sign-in that needs it), an address is the client IP,
 * both stored as SHA-256. A browser sign-in is new when its browser is unknown for the user; a
 * sign-in without the cookie (the JSON API) is new when its address is unknown. A user's first
 * recorded sign-in sends nothing (there is nothing to compare with). Browsers and addresses are
 * recorded only while mail can reach the user (a channel is configured, the user has an
 * address), so turning mail on starts from a blank history.
 *
 * The statements join the sign-in's own batch, conditional on its session existing.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { and, eq, or, type SQL, sql } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { knownSignIns, sessions, users } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import type { RequestMeta } from "../http/client.ts";
import { readCookie, writeCookie } from "../http/cookies.ts";
import { currentLocale } from "../i18n/i18n.ts";
import { randomBytes, sha256Hex } from "../lib/crypto.ts";
import { toBase64Url } from "../lib/encoding.ts";
import { mailChannel } from "./mailer.ts";
import { type MailRecipient, notify, type Statement } from "./notify.ts";

const BROWSER_COOKIE_DAYS = 400;
const KEY_SHAPE = /^[A-Za-z0-9_-]{43}$/;

type PageSignIn = { key: string | null; issued: string | null };
const storage = new AsyncLocalStorage<PageSignIn>();

/**
 * For page POSTs (where sign-ins happen): makes the browser cookie readable to the sign-in, and
 * sets it when a sign-in issued one. The JSON API has no cookies, so none of this applies there.
 */
export function browserCookieMiddleware(deps: Deps): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== "POST" || c.req.path.startsWith("/api/")) return await next();
    const cookie = readCookie(c, deps.config, "browser");
    const store: PageSignIn = {
      key: cookie && KEY_SHAPE.test(cookie) ? cookie : null,
      issued: null,
    };
    await storage.run(store, () => next());
    if (store.issued) {
      writeCookie(c, deps.config, "browser", store.issued, BROWSER_COOKIE_DAYS * 86_400);
    }
  };
}

/** The condition "the session `id` was created by this batch", for `signInStatements`. */
export const sessionCreated = (id: string): SQL =>
  sql`EXISTS (SELECT 1 FROM ${sessions} WHERE id = ${id})`;

/**
 * The statements a completed sign-in adds to its batch: remember the page language, record the
 * browser and address, and mail `new_sign_in` if either is new by the rule above.
 */
export async function signInStatements(
  deps: Deps,
  user: MailRecipient,
  meta: RequestMeta,
  onlyIf: SQL,
): Promise<Statement[]> {
  const { db, config } = deps;
  const page = storage.getStore();
  const out: Statement[] = [];
  let locale = user.locale;
  if (page && currentLocale() !== user.locale) {
    locale = currentLocale();
    out.push(
      db.run(sql`UPDATE ${users} SET locale = ${locale} WHERE id = ${user.id} AND ${onlyIf}`),
    );
  }
  if (!user.email || !mailChannel(config)) return out;

  const deviceKey = page ? (page.key ?? (page.issued ??= toBase64Url(randomBytes(32)))) : null;
  const deviceHash = deviceKey ? await sha256Hex(`device:${deviceKey}`) : null;
  const addressHash = meta.ip ? await sha256Hex(`address:${meta.ip}`) : null;
  const known = await db.select({ kind: knownSignIns.kind }).from(knownSignIns).where(and(
    eq(knownSignIns.userId, user.id),
    or(
      deviceHash
        ? and(eq(knownSignIns.kind, "device"), eq(knownSignIns.valueHash, deviceHash))
        : undefined,
      addressHash
        ? and(eq(knownSignIns.kind, "address"), eq(knownSignIns.valueHash, addressHash))
        : undefined,
      sql`1 = 0`,
    ),
  ));
  const history = known.length > 0 ||
    (await db.select({ one: sql`1` }).from(knownSignIns)
        .where(eq(knownSignIns.userId, user.id)).limit(1)).length > 0;
  const seen = (kind: string) => known.some((k) => k.kind === kind);
  const isNew = history && (deviceHash ? !seen("device") : addressHash ? !seen("address") : false);

  const t = deps.clock.now().getTime();
  for (const [kind, hash] of [["device", deviceHash], ["address", addressHash]] as const) {
    if (!hash) continue;
    out.push(db.run(sql`INSERT INTO ${knownSignIns}
      (user_id, kind, value_hash, first_seen_at, last_seen_at)
      SELECT ${user.id}, ${kind}, ${hash}, ${t}, ${t} WHERE ${onlyIf}
      ON CONFLICT (user_id, kind, value_hash) DO UPDATE SET last_seen_at = excluded.last_seen_at`));
  }
  if (isNew) out.push(...await notify(deps, { ...user, locale }, "new_sign_in", { meta, onlyIf }));
  return out;
}
