/**
 * @module CSRF protection for every HTML form (ASVS 3.5): a signed double-submit token. A random
 * value lives in an HttpOnly cookie; forms carry HMAC(key, value) in `csrf_token`. The form's
 * `Origin` must be the service's own origin as well.
 */
import type { Context } from "hono";
import type { Config } from "../config.ts";
import { hmacHex, randomId, type SecretKeys, timingSafeEqual } from "../lib/crypto.ts";
import { readCookie, writeCookie } from "./cookies.ts";

export const CSRF_FIELD = "csrf_token";

/** What the CSRF check needs of `Deps`: the configuration and the key of the form tokens. */
type CsrfDeps = { config: Config; secrets: Pick<SecretKeys, "csrfHmac"> };

/** The form token for this browser, setting its cookie on first sight. */
export async function csrfToken(c: Context, deps: CsrfDeps): Promise<string> {
  let value = readCookie(c, deps.config, "csrf");
  if (!value || value.length < 16 || value.length > 64) {
    value = randomId();
    writeCookie(c, deps.config, "csrf", value);
  }
  return await hmacHex(deps.secrets.csrfHmac, value);
}

type Html = Parameters<Context["html"]>[0];

/**
 * A page that carries the form token: the answer's `status`, and `view` given the CSRF token
 * (for its forms' hidden field).
 */
export async function htmlWithCsrf(
  c: Context,
  deps: CsrfDeps,
  status: number,
  view: (csrf: string) => Html | Promise<Html>,
): Promise<Response> {
  c.status(status as 200);
  return await c.html(await view(await csrfToken(c, deps)));
}

/** Why a form post was refused: its token, or (with a good token) its `Origin`. */
export type CsrfResult = { ok: true } | { ok: false; reason: "token" | "origin" };

/**
 * Checks a form post: the submitted token against the cookie, then the `Origin` header against
 * the service's own origins. The token goes first so that the reason names the only check that
 * failed: `origin` means a valid token arrived from somewhere else (an attack, or a PUBLIC_URL
 * that does not match the address people use).
 */
export async function verifyCsrf(
  c: Context,
  deps: CsrfDeps,
  submitted: unknown,
): Promise<CsrfResult> {
  const value = readCookie(c, deps.config, "csrf");
  if (!value || typeof submitted !== "string") return { ok: false, reason: "token" };
  if (!timingSafeEqual(await hmacHex(deps.secrets.csrfHmac, value), submitted)) {
    return { ok: false, reason: "token" };
  }
  return originAllowed(c, deps) ? { ok: true } : { ok: false, reason: "origin" };
}

/**
 * The origins a form of ours is posted from: the one the request reached us at, and PUBLIC_URL's
 * (behind a proxy that ends TLS we see http://, browsers send https://). Hosts in
 * FORWARD_AUTH_ALLOWED_HOSTS are not among them: they are the protected apps, return targets
 * only, and none of their pages has any business posting our forms.
 *
 * - `Origin: null` is refused. Browsers send it from opaque origins (sandboxed frames, data:
 *   URLs, some cross-origin redirects) and for a page whose referrer policy is `no-referrer`,
 *   never for a form of ours, whose pages send `Referrer-Policy: same-origin`.
 * - No `Origin` at all is left to the token alone. Every current browser sends one with every
 *   POST (Fetch: "append a request `Origin` header"), so a cross-site form post always carries
 *   one; a request without it comes from a non-browser client (curl, a script), which has no
 *   victim's cookies to ride on and must still present the cookie and its signed token.
 */
function originAllowed(c: Context, deps: CsrfDeps): boolean {
  const origin = c.req.header("origin");
  if (origin === undefined) return true;
  if (origin === new URL(c.req.url).origin) return true;
  return deps.config.PUBLIC_URL !== undefined &&
    origin === new URL(deps.config.PUBLIC_URL).origin;
}
