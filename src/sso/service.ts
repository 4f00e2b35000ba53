/**
 * @module Single sign-on across hosts: the portal (PUBLIC_URL) hands a browser that is signed in
 * there a one-time code for another host; that host's callback, served by twofold through the
 * host's proxy, trades it for a host-only cookie. The cookie names the portal session and is
 * bound to its host by an HMAC, so it is worth nothing on any other host, and ending the portal
 * session (logout, expiry, an admin) ends it on every host at once: there is no second session.
 */
import type { Deps } from "../deps.ts";
import { audit, auditInsert } from "../audit/repo.ts";
import type { RequestMeta } from "../http/client.ts";
import { returnHosts, safeReturnUrl } from "../http/redirect.ts";
import { createHmac } from "node:crypto";
import { hmacHex, randomId, sha256Hex, timingSafeEqual } from "../lib/crypto.ts";
import { findActiveSession, touchSession } from "../sessions/repo.ts";
import { type Amr, type SessionContext, sessionContextOf } from "../sessions/service.ts";
import { consumeSsoCode, insertSsoCodeStatement, purgeSsoCodesStatement } from "./repo.ts";

/** On every protected host, routed by its proxy to twofold. */
export const CALLBACK_PATH = "/.twofold/callback";
/** On the portal: where a protected host sends a browser that has no cookie for it. */
export const AUTHORIZE_PATH = "/sso/authorize";
/** On the portal: the code prompt for an access rule that wants a (recent) second factor. */
export const STEP_UP_PATH = "/sso/step-up";

/** The portal's host (`URL.host` of PUBLIC_URL), or null when single sign-on is off. */
export function portalHost(config: { PUBLIC_URL?: string }): string | null {
  return config.PUBLIC_URL ? new URL(config.PUBLIC_URL).host : null;
}

/**
 * The host a browser asked for, as `URL.host` spells it (lower case, no default port): the
 * first `X-Forwarded-Host` (Traefik, Caddy, our nginx recipe), else `Host`. Null if unusable.
 */
export function requestedHost(
  forwardedHost: string | undefined,
  host: string | undefined,
  proto: string | undefined,
): string | null {
  const raw = (forwardedHost?.split(",")[0] ?? host ?? "").trim();
  // deno-lint-ignore no-control-regex
  if (!raw || raw.length > 260 || /[/\\?#@\s\u0000-\u001f]/.test(raw)) return null;
  const scheme = proto?.split(",")[0]?.trim().toLowerCase() === "http" ? "http" : "https";
  const url = `${scheme}://${raw}`;
  const known = parsedHosts.get(url);
  if (known !== undefined) return known;
  let parsed: string | null;
  try {
    parsed = new URL(url).host || null;
  } catch {
    parsed = null;
  }
  // The headers come from clients: the memo is bounded, and starts again when full.
  if (parsedHosts.size >= PARSED_HOSTS_MAX) parsedHosts.clear();
  parsedHosts.set(url, parsed);
  return parsed;
}

/**
 * `requestedHost()` answers every forward-auth check, nearly always for the same few hosts: the
 * URL parse (a native call) is kept per `scheme://host` it was asked for.
 */
const parsedHosts = new Map<string, string | null>();
const PARSED_HOSTS_MAX = 1024;

/** A URL on the portal. */
export function portalUrl(config: { PUBLIC_URL?: string }, path: string): string {
  return new URL(path, config.PUBLIC_URL).href;
}

/**
 * The absolute URL on another host that a browser may be handed to, or null: an http(s) URL
 * whose host is listed (FORWARD_AUTH_ALLOWED_HOSTS), by the rules of `safeReturnUrl`. The portal
 * itself needs no hand-off.
 */
export function handoffTarget(config: Deps["config"], rd: string | undefined): URL | null {
  if (!rd || rd.startsWith("/")) return null;
  const safe = safeReturnUrl(rd, returnHosts(config));
  return safe ? new URL(safe) : null;
}

/** The key for host cookies, derived once per process from the CSRF key (HMAC as a PRF). */
const hostKeys = new WeakMap<Deps, Uint8Array>();
function hostKey(deps: Deps): Uint8Array {
  let k = hostKeys.get(deps);
  if (!k) {
    k = new Uint8Array(
      createHmac("sha256", deps.secrets.csrfHmac).update("twofold sso-host v1").digest(),
    );
    hostKeys.set(deps, k);
  }
  return k;
}

function hostMac(deps: Deps, host: string, sessionId: string): string {
  return hmacHex(hostKey(deps), `${host}\n${sessionId}`);
}

/** The value of a host's cookie: the session id and its MAC for that host. */
export async function hostCookieValue(deps: Deps, host: string, sessionId: string) {
  return `${sessionId}.${await hostMac(deps, host, sessionId)}`;
}

/**
 * The live session a host cookie names, if the cookie was made for `host`. The session row
 * decides, as for the portal's own cookie: a logout anywhere ends it here.
 */
export async function hostSession(
  deps: Deps,
  host: string,
  value: string | undefined,
  /** The request's number (src/db/changes.ts `requestArrived()`). */
  arrival?: number,
): Promise<SessionContext | null> {
  if (!value || value.length > 200) return null;
  const dot = value.lastIndexOf(".");
  if (dot <= 0) return null;
  const sessionId = value.slice(0, dot);
  if (!timingSafeEqual(value.slice(dot + 1), await hostMac(deps, host, sessionId))) return null;
  return await liveSession(deps, sessionId, arrival);
}

async function liveSession(
  deps: Deps,
  sessionId: string,
  arrival?: number,
): Promise<SessionContext | null> {
  const now = deps.clock.now();
  const found = await findActiveSession(
    deps.db,
    sessionId,
    now,
    deps.config.SESSION_IDLE_MINUTES * 60_000,
    arrival,
  );
  if (!found) return null;
  if (found.session.lastSeenAt < now.getTime() - 60_000) {
    await touchSession(deps.db, found.session.id, now);
  }
  return sessionContextOf(found);
}

/** Whether a session passed a second factor: any method beyond the password. */
export function passedSecondFactor(amr: readonly Amr[] | readonly string[]): boolean {
  return amr.some((m) => m !== "pwd");
}

/**
 * When the session last proved a second factor: a step-up, a re-authentication, or the login
 * itself when it took a code (a remembered device is not a fresh code). Null if never.
 */
export function secondFactorAt(ctx: SessionContext): number | null {
  const s = ctx.session;
  const atLogin = ctx.amr.some((m) => m !== "pwd" && m !== "dev") ? s.createdAt : null;
  const times = [s.secondFactorAt, s.reauthAt, atLogin].filter((t): t is number => t !== null);
  return times.length ? Math.max(...times) : null;
}

/**
 * A one-time code for the session to take to `target`'s host, and the callback URL that
 * carries it. Only the code's hash is stored. Expired codes of anyone are purged in the same
 * batch.
 */
export async function issueHandoff(
  deps: Deps,
  ctx: SessionContext,
  target: URL,
): Promise<string> {
  const now = deps.clock.now();
  const code = randomId(32);
  await deps.db.batch([
    insertSsoCodeStatement(deps.db, {
      codeHash: await sha256Hex(code),
      sessionId: ctx.session.id,
      userId: ctx.user.id,
      host: target.host,
      returnUrl: target.href,
      createdAt: now.getTime(),
      expiresAt: now.getTime() + deps.config.SSO_CODE_SECONDS * 1000,
    }),
    purgeSsoCodesStatement(deps.db, now),
  ]);
  return `${target.origin}${CALLBACK_PATH}?code=${encodeURIComponent(code)}`;
}

export type HandoffFailure = "unknown" | "wrong_host" | "expired" | "session_ended";

export type Redemption =
  | { ok: true; ctx: SessionContext; returnUrl: string; cookie: string }
  | { ok: false; reason: HandoffFailure };

/**
 * Trades a code for `host`'s cookie value. The code is spent by its first presentation, on any
 * host, in time or not; only a presentation on its own host, in time, for a session that is
 * still alive, gets the cookie. Audited either way (never the code).
 */
export async function redeemHandoff(
  deps: Deps,
  host: string,
  code: string | undefined,
  meta: RequestMeta,
): Promise<Redemption> {
  const now = deps.clock.now();
  const row = code && code.length <= 128
    ? await consumeSsoCode(deps.db, await sha256Hex(code), now)
    : undefined;
  let reason: HandoffFailure | null = null;
  let ctx: SessionContext | null = null;
  if (!row) reason = "unknown";
  else if (row.host !== host) reason = "wrong_host";
  else if (row.expiresAt <= now.getTime()) reason = "expired";
  else if (!(ctx = await liveSession(deps, row.sessionId))) reason = "session_ended";
  const event = {
    event: "sso.handoff",
    userId: row?.userId ?? null,
    username: ctx?.user.username ?? null,
    ...meta,
  };
  if (reason || !ctx || !row) {
    await audit(deps.db, {
      ...event,
      outcome: "failure",
      detail: { reason, host, ...(row ? { issued_for: row.host } : {}) },
    }, now);
    return { ok: false, reason: reason ?? "unknown" };
  }
  await deps.db.batch([
    auditInsert(deps.db, {
      ...event,
      outcome: "success",
      detail: { host, session: ctx.session.id },
    }, now),
  ]);
  return {
    ok: true,
    ctx,
    returnUrl: row.returnUrl,
    cookie: await hostCookieValue(deps, host, ctx.session.id),
  };
}
