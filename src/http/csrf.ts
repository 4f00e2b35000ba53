/**
 * @module CSRF protection for every HTML form (ASVS 3.5): a signed double-submit token. A random
 * value lives in an HttpOnly cookie; forms carry HMAC(key, value) in `csrf_token`. A request whose
 * Origin header names another site is refused as well.
 */
import type { Context } from "hono";
import type { Deps } from "../deps.ts";
import { hmacHex, randomId, timingSafeEqual } from "../lib/crypto.ts";
import { readCookie, writeCookie } from "./cookies.ts";

export const CSRF_FIELD = "csrf_token";

/** The form token for this browser, setting its cookie on first sight. */
export async function csrfToken(c: Context, deps: Deps): Promise<string> {
  let value = readCookie(c, deps.config, "csrf");
  if (!value || value.length < 16 || value.length > 64) {
    value = randomId();
    writeCookie(c, deps.config, "csrf", value);
  }
  return await hmacHex(deps.secrets.csrfHmac, value);
}

export async function verifyCsrf(c: Context, deps: Deps, submitted: unknown): Promise<boolean> {
  const origin = c.req.header("origin");
  if (origin && origin !== "null") {
    const allowed = [new URL(c.req.url).origin];
    if (deps.config.PUBLIC_URL) allowed.push(new URL(deps.config.PUBLIC_URL).origin);
    if (!allowed.includes(origin)) return false;
  }
  const value = readCookie(c, deps.config, "csrf");
  if (!value || typeof submitted !== "string") return false;
  return timingSafeEqual(await hmacHex(deps.secrets.csrfHmac, value), submitted);
}
