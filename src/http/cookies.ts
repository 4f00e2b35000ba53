/**
 * @module Cookie names and attributes. `__Host-` prefixed, Secure, HttpOnly and SameSite=Lax;
 * plain names only when serving plain http on localhost, where browsers refuse Secure cookies.
 */
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { parse } from "hono/utils/cookie";
import type { Config } from "../config.ts";
import type { Clock } from "../lib/clock.ts";

export type CookieKind = "session" | "pending" | "device" | "csrf" | "sso" | "browser";

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function secureCookies(c: Context, config: Config): boolean {
  return secureCookiesAt(c.req.url, config);
}

/** `secureCookies()` for a request's URL (the fast lane answers without a Hono context). */
export function secureCookiesAt(requestUrl: string, config: Config): boolean {
  if (config.COOKIE_SECURE !== "auto") return config.COOKIE_SECURE === "true";
  // Behind a TLS-terminating proxy we may see http://127.0.0.1: an https PUBLIC_URL says
  // what browsers really use, so cookies keep Secure and the __Host- prefix.
  if (config.PUBLIC_URL?.startsWith("https://")) return true;
  const url = new URL(requestUrl);
  return !(url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname));
}

/** One cookie of a request, by its full name; what Hono's `getCookie(c, name)` reads. */
export function cookieOf(headers: Headers, name: string): string | undefined {
  const header = headers.get("cookie");
  return header ? parse(header, name)[name] : undefined;
}

export function cookieName(kind: CookieKind, secure: boolean): string {
  return `${secure ? "__Host-" : ""}twofold_${kind}`;
}

export function readCookie(c: Context, config: Config, kind: CookieKind): string | undefined {
  return cookieOf(c.req.raw.headers, cookieName(kind, secureCookies(c, config)));
}

/**
 * Sets a cookie that lives for `maxAgeSeconds` (a session cookie when omitted). Max-Age rather
 * than Expires, so a browser whose clock differs from ours keeps the cookie as long as we mean.
 */
export function writeCookie(
  c: Context,
  config: Config,
  kind: CookieKind,
  value: string,
  maxAgeSeconds?: number,
): void {
  const secure = secureCookies(c, config);
  setCookie(c, cookieName(kind, secure), value, {
    path: "/",
    secure,
    httpOnly: true,
    sameSite: "Lax",
    ...(maxAgeSeconds !== undefined ? { maxAge: Math.max(0, Math.floor(maxAgeSeconds)) } : {}),
  });
}

/** A cookie for a token that expires at `expiresAt`: it lives as long as the token. */
export function writeCookieUntil(
  c: Context,
  deps: { config: Config; clock: Clock },
  kind: CookieKind,
  value: string,
  expiresAt: Date,
): void {
  writeCookie(c, deps.config, kind, value, secondsUntil(expiresAt, deps.clock.now()));
}

/** Seconds from now until `at`, for Max-Age. */
export function secondsUntil(at: Date, now: Date): number {
  return (at.getTime() - now.getTime()) / 1000;
}

export function clearCookie(c: Context, config: Config, kind: CookieKind): void {
  const secure = secureCookies(c, config);
  deleteCookie(c, cookieName(kind, secure), { path: "/", secure });
}
