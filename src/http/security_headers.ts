/** @module The security headers of every answer, pages, JSON and the fast lane alike. */
import type { Context } from "hono";

/**
 * The Content-Security-Policy. `form-action` also names the hosts the login may return to
 * (FORWARD_AUTH_ALLOWED_HOSTS): browsers apply it to the redirects that follow a form's POST, so
 * without them the login's final redirect to another host (single sign-on's hand-off, an
 * absolute return URL) is blocked. A logo on another origin (BRAND_LOGO) joins img-src.
 */
export function contentSecurityPolicy(
  returnHosts: readonly string[],
  logo: string | undefined,
): string {
  const logoOrigin = logo?.startsWith("https:") ? ` ${new URL(logo).origin}` : "";
  return [
    "default-src 'none'",
    "style-src 'self'",
    "script-src 'self'",
    `img-src 'self' data:${logoOrigin}`,
    ["form-action 'self'", ...returnHosts].join(" "),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}

/** The headers every answer carries (the fast lane's too: src/fast_lane.ts). */
export const securityHeaders = (
  csp: string,
): [string, string][] => [
  ["X-Content-Type-Options", "nosniff"],
  // Not no-referrer: under it Chromium sends `Origin: null` with our own form posts, and the CSRF
  // check needs their real origin. same-origin still sends no Referer to any other site (the login
  // URL may carry a return address, the reset page its token), and the real Origin to ourselves.
  ["Referrer-Policy", "same-origin"],
  ["X-Frame-Options", "DENY"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Content-Security-Policy", csp],
];

/**
 * Adds headers to the response a handler made, in place. Cheaper than the two ways through
 * Hono: a header set with `c.header()` once the response exists copies the whole response (once
 * per header), and headers prepared before the handler runs are copied into the response by
 * Deno's Response constructor (measured: ~15 us per request for the seven every answer gets).
 * A response whose headers are immutable (`Response.redirect()`) is copied once, then changed.
 */
export function addResponseHeaders(c: Context, add: (headers: Headers) => void): void {
  try {
    add(c.res.headers);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    // Hono's `res` setter makes the copy mutable (and keeps the headers set so far).
    c.res = new Response(c.res.body, c.res);
    add(c.res.headers);
  }
}
