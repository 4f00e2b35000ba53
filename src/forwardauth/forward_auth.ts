/**
 * @module Forward-auth decisions, kept apart from HTTP: when a refusal should be a redirect to
 * the login (only proxies that pass our answer through to the browser, and only for browsers),
 * where the login should send the browser back to, and how identity goes into headers.
 */
import { safeRedirect, safeReturnUrl } from "../http/redirect.ts";

/** What a proxy tells us about the request it is asking about. */
export type ProxyAsk = {
  /** `?rd=`: the URL to return to, given explicitly. */
  rd?: string;
  accept?: string;
  /** Traefik `forwardAuth` and Caddy `forward_auth` send these. */
  forwardedProto?: string;
  forwardedHost?: string;
  forwardedUri?: string;
  /** nginx `auth_request` configurations send this (by convention, see docs/protecting-apps.md). */
  originalUri?: string;
};

/** True when `accept` names text/html with a non-zero quality. */
export function acceptsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(",").some((part) => {
    const [type, ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    if (type !== "text/html") return false;
    const q = params.find((p) => p.startsWith("q="));
    return !q || Number(q.slice(2)) > 0;
  });
}

/**
 * Whether to answer "not signed in" with a redirect to the login. Traefik and Caddy hand our
 * answer to the browser (they send `X-Forwarded-Uri`), as does an explicit `?rd=`. nginx's
 * `auth_request` turns anything but 2xx, 401 and 403 into a 500, so a request that carries
 * `X-Original-URI` never gets one. Programs (no text/html in Accept) get the 401.
 */
export function wantsLoginRedirect(ask: ProxyAsk): boolean {
  if (ask.originalUri !== undefined) return false;
  if (ask.rd === undefined && ask.forwardedUri === undefined) return false;
  return acceptsHtml(ask.accept);
}

/**
 * Where the login should send the browser back to, or null. An explicit `rd` must pass
 * `safeReturnUrl` as it is. Otherwise the URL is rebuilt from the `X-Forwarded-*` headers and
 * kept whole when its host is allowed; if it is not, only its path is kept. That is safe: the
 * redirect to the login is relative, so the browser signs in on the host it asked for and
 * returns to that path on the same host.
 */
export function returnUrlOf(ask: ProxyAsk, allowedHosts: readonly string[]): string | null {
  if (ask.rd !== undefined) return safeReturnUrl(ask.rd, allowedHosts);
  const path = safeRedirect(ask.forwardedUri, "");
  if (!path) return null;
  const proto = ask.forwardedProto?.trim().toLowerCase();
  const host = ask.forwardedHost?.trim();
  if (host && (proto === "https" || proto === "http")) {
    const whole = safeReturnUrl(`${proto}://${host}${path}`, allowedHosts);
    if (whole) return whole;
  }
  return path;
}

/** The relative login URL with the return URL, if any. */
export function loginLocation(returnUrl: string | null): string {
  return returnUrl ? `/login?redirect=${encodeURIComponent(returnUrl)}` : "/login";
}

/**
 * A value safe for an HTTP header that a program can decode with `decodeURIComponent`: letters,
 * digits and `. _ @ + ~ : -` stay as they are, everything else (non-ASCII letters, commas,
 * spaces, `%`) is percent-encoded as UTF-8. Usernames allow any Unicode letter, and header
 * values are bytes; a comma in a role would otherwise split the role list.
 */
export function headerSafe(value: string): string {
  return value.replace(/[^A-Za-z0-9._@+~:-]/gu, (ch) => {
    try {
      return encodeURIComponent(ch);
    } catch {
      return "%EF%BF%BD"; // a lone surrogate: U+FFFD
    }
  });
}
