/**
 * @module Cookie names and attributes. `__Host-` prefixed, Secure, HttpOnly and SameSite=Lax;
 * plain names only when serving plain http on localhost, where browsers refuse Secure cookies.
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Config } from "../config.ts";

export type CookieKind = "session" | "pending" | "device" | "csrf";

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function secureCookies(c: Context, config: Config): boolean {
  if (config.COOKIE_SECURE !== "auto") return config.COOKIE_SECURE === "true";
  const url = new URL(c.req.url);
  return !(url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname));
}

export function cookieName(kind: CookieKind, secure: boolean): string {
  return `${secure ? "__Host-" : ""}twofold_${kind}`;
}

export function readCookie(c: Context, config: Config, kind: CookieKind): string | undefined {
  return getCookie(c, cookieName(kind, secureCookies(c, config)));
}

export function writeCookie(
  c: Context,
  config: Config,
  kind: CookieKind,
  value: string,
  expires?: Date,
): void {
  const secure = secureCookies(c, config);
  setCookie(c, cookieName(kind, secure), value, {
    path: "/",
    secure,
    httpOnly: true,
    sameSite: "Lax",
    ...(expires ? { expires } : {}),
  });
}

export function clearCookie(c: Context, config: Config, kind: CookieKind): void {
  const secure = secureCookies(c, config);
  deleteCookie(c, cookieName(kind, secure), { path: "/", secure });
}
