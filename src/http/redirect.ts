/**
 * @module Redirect targets: paths on our own origin (ASVS 3.7.2), and for the login's return
 * after forward-auth, absolute URLs on hosts the operator listed.
 */

/**
 * Returns `target` if it is a same-origin absolute path, else `fallback`. Refuses scheme-relative
 * (`//evil`), backslash tricks (`/\evil`), control characters and anything with a scheme.
 */
export function safeRedirect(target: string | undefined | null, fallback = "/account"): string {
  if (!target || target.length > 2048) return fallback;
  if (!target.startsWith("/") || target.startsWith("//") || target.startsWith("/\\")) {
    return fallback;
  }
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(target)) return fallback;
  try {
    const base = "http://same.invalid";
    const url = new URL(target, base);
    if (url.origin !== base) return fallback;
    return url.pathname + url.search + url.hash;
  } catch {
    return fallback;
  }
}

/**
 * Parses an allowlist of hosts for return URLs: comma-separated hostnames, each optionally with a
 * `:port`. Entries are lower-cased and IDNA-normalised the way `URL` does it, so they compare
 * with `URL.host`. Throws on an entry that is not a bare host (a scheme, a path, userinfo, a
 * wildcard).
 */
export function parseHostList(value: string): string[] {
  const hosts: string[] = [];
  for (const raw of value.split(",")) {
    const entry = raw.trim();
    if (!entry) continue;
    let url: URL | undefined;
    try {
      // deno-lint-ignore no-control-regex
      if (!/[/\\?#@*\s\u0000-\u001f]/.test(entry)) url = new URL(`https://${entry}`);
    } catch {
      url = undefined;
    }
    if (!url || url.pathname !== "/" || !url.hostname) throw new Error(`not a host name: ${entry}`);
    // `https://x:443` normalises to `x`: the entry then means the default port.
    hosts.push(url.host);
  }
  return hosts;
}

/**
 * A place the login may send the browser back to, or null: a same-origin path (by the rules of
 * `safeRedirect`), or an absolute http(s) URL whose host is in `allowedHosts` (as from
 * `parseHostList`). A host matches only with the same port: `app.example.com` allows the default
 * port only, `app.example.com:8443` that port only. Refused outright: userinfo
 * (`https://app.example.com@evil/`, `https://evil@app.example.com/`), backslashes and control
 * characters anywhere (browsers read `\` as `/`), scheme-relative `//host`, schemes other than
 * http and https (`javascript:`, `data:`), and the forms URL parsers repair (`https:host`,
 * `https:///host`). The result is the URL as `URL` serialises it.
 */
export function safeReturnUrl(
  target: string | undefined | null,
  allowedHosts: readonly string[],
): string | null {
  if (!target || target.length > 2048) return null;
  if (target.startsWith("/")) return safeRedirect(target, "") || null;
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u0020\u007f\\]/.test(target)) return null;
  if (!/^https?:\/\/[^/]/i.test(target)) return null;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  // Any `@` in the authority, even with empty credentials (`https://@host`).
  const authority = target.slice(target.indexOf("//") + 2).split(/[/?#]/, 1)[0];
  if (authority.includes("@") || url.username || url.password) return null;
  if (!allowedHosts.includes(url.host)) return null;
  return url.href;
}

/**
 * The check of a login's `?redirect=` (or its form field): a same-origin path or an absolute
 * URL on a host the login may return to (returnHosts); anything else is left out (undefined).
 */
export function returnUrlParam(
  config: { PUBLIC_URL?: string; FORWARD_AUTH_ALLOWED_HOSTS: readonly string[] },
): (value: string | undefined) => string | undefined {
  const allowedHosts = returnHosts(config);
  return (value) => safeReturnUrl(value, allowedHosts) ?? undefined;
}

/** The hosts a login may return to: the public origin's and FORWARD_AUTH_ALLOWED_HOSTS. */
export function returnHosts(
  config: { PUBLIC_URL?: string; FORWARD_AUTH_ALLOWED_HOSTS: readonly string[] },
): string[] {
  const own = config.PUBLIC_URL ? [new URL(config.PUBLIC_URL).host] : [];
  return [...own, ...config.FORWARD_AUTH_ALLOWED_HOSTS];
}
